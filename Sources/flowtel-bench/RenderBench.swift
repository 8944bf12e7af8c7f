import FlowtelCore
import FlowtelSubscriber

/// Renderer micro-benchmark: nanoseconds per session event for each output format, on one core.
///
///     flowtel-bench render [FORMAT] [EVENTS]
///
/// The events are what the flow engine emits at first-packet rate: a third each CREATE, CLOSE
/// and DENY, a quarter IPv6, half of the IPv4 sessions source-NATed, the strings flowtel does not
/// compute left empty (so the placeholders are printed), times a few microseconds apart. Each
/// format is timed twice: appending to one reused buffer (`render(_:into:)`, what a batching
/// writer does) and returning a new array per event (`render(_:)`). FORMAT (`json`,
/// `sd-syslog`, `syslog`, `text`) limits the run to one format, for instruction counting under
/// `valgrind --tool=callgrind`.
enum RenderBench {
    static let formats = ["json", "sd-syslog", "syslog", "text"]

    static func main(_ arguments: [String]) {
        let selected = arguments.count > 1 ? [arguments[1]] : formats
        let count = arguments.count > 2 ? Int(arguments[2]) ?? 1_000_000 : 1_000_000
        for format in selected where !formats.contains(format) {
            print("flowtel-bench render: unknown format '\(format)'; use one of \(formats.joined(separator: ", "))")
            return
        }
        // A few thousand distinct events, rendered round and round: the strings and sessions of a
        // real stream without a million events' worth of memory traffic.
        let events = (0..<4096).map { event(index: UInt64($0)) }
        for format in selected {
            let warmup = min(count, 20_000)
            let bytes = run(format, events: events, count: warmup, reusingBuffer: true)
            var nanos: [Double] = []
            for reusingBuffer in [true, false] {
                let start = CodecBench.now()
                _ = run(format, events: events, count: count, reusingBuffer: reusingBuffer)
                nanos.append(Double(CodecBench.now() - start) / Double(count))
            }
            print(
                "render \(format): \(String(nanos[0])) ns/event into a reused buffer, "
                    + "\(String(nanos[1])) ns/event as a new array, \(bytes / warmup) bytes/event")
        }
    }

    /// Renders `count` events round-robin, each into one reused buffer (`render(_:into:)`) or
    /// into an array of its own (`render(_:)`); the sum of the line lengths.
    static func run(_ format: String, events: [Event], count: Int, reusingBuffer: Bool) -> Int {
        var total = 0
        var buffer: [UInt8] = []
        buffer.reserveCapacity(4096)
        switch (format, reusingBuffer) {
        case ("json", true):
            let renderer = JSONRenderer()
            for index in 0..<count {
                buffer.removeAll(keepingCapacity: true)
                renderer.render(events[index & 4095], into: &buffer)
                total &+= buffer.count
            }
        case ("json", false):
            let renderer = JSONRenderer()
            for index in 0..<count { total &+= renderer.render(events[index & 4095]).count }
        case ("sd-syslog", true):
            let renderer = SyslogRenderer()
            for index in 0..<count {
                buffer.removeAll(keepingCapacity: true)
                renderer.render(events[index & 4095], into: &buffer)
                total &+= buffer.count
            }
        case ("sd-syslog", false):
            let renderer = SyslogRenderer()
            for index in 0..<count { total &+= renderer.render(events[index & 4095])?.count ?? 0 }
        case ("syslog", true):
            let renderer = PlainSyslogRenderer()
            for index in 0..<count {
                buffer.removeAll(keepingCapacity: true)
                renderer.render(events[index & 4095], into: &buffer)
                total &+= buffer.count
            }
        case ("syslog", false):
            let renderer = PlainSyslogRenderer()
            for index in 0..<count { total &+= renderer.render(events[index & 4095])?.count ?? 0 }
        case (_, true):
            let renderer = TextRenderer()
            for index in 0..<count {
                buffer.removeAll(keepingCapacity: true)
                renderer.render(events[index & 4095], into: &buffer)
                total &+= buffer.count
            }
        default:
            let renderer = TextRenderer()
            for index in 0..<count { total &+= renderer.render(events[index & 4095]).count }
        }
        return total
    }

    /// The `index`-th event of the mix.
    static func event(index: UInt64) -> Event {
        let host = UInt32(truncatingIfNeeded: index)
        let v6 = index % 4 == 3
        let nat = !v6 && index % 2 == 0
        var session = SessionInfo()
        session.sourceAddress =
            v6 ? .v6(high: 0xFD00_0000_0000_0001, low: UInt64(host & 0xFFFF) + 0x25) : .v4(0x0A01_0000 | (host & 0x0FFF))
        session.sourcePort = UInt16(truncatingIfNeeded: 32_768 + index % 28_000)
        session.destinationAddress =
            v6 ? .v6(high: 0x2001_0DB8_0000_0000, low: 0x80 + UInt64(host >> 4 & 0xFF)) : .v4(0xC633_6400 | (host >> 12 & 0xFF))
        session.destinationPort = index % 5 == 0 ? 53 : 443
        session.protocolID = index % 5 == 0 ? 17 : 6
        session.serviceName = index % 5 == 0 ? "junos-dns-udp" : "junos-https"
        if nat {
            session.natSourceAddress = .v4(0xCB00_7105)
            session.natSourcePort = UInt16(truncatingIfNeeded: 1024 + index % 60_000)
            session.srcNatRuleType = .source
            session.srcNatRuleName = "snat-out"
        } else {
            session.natSourceAddress = session.sourceAddress
            session.natSourcePort = session.sourcePort
        }
        session.natDestinationAddress = session.destinationAddress
        session.natDestinationPort = session.destinationPort
        session.policyName = "allow-web"
        session.policyIndex = 4
        session.sourceZoneName = "trust"
        session.destinationZoneName = "untrust"
        session.sessionID = UInt32(truncatingIfNeeded: 100_000 + index)
        session.packetIncomingInterface = "ge-0/0/1.0"
        session.egressInterface = "ge-0/0/0.0"
        session.fpc = 1
        session.timeoutSeconds = 1800
        let time = Timestamp(unixNanos: 1_795_946_400_000_000_000 + index * 2_500)
        let payload: Payload
        switch index % 3 {
        case 0:
            payload = .sessionCreate(SessionCreate(session: session))
        case 1:
            var close = SessionClose()
            close.session = session
            close.reason = index % 7 == 0 ? .idleTimeout : .tcpFin
            close.packetsFromClient = 10 + index % 7
            close.bytesFromClient = 1200 + index % 900
            close.packetsFromServer = 9 + index % 5
            close.bytesFromServer = 8000 + index % 40_000
            close.elapsedTime = UInt32(index % 300)
            close.startTime = Timestamp(unixNanos: time.unixNanos - UInt64(close.elapsedTime) * 1_000_000_000)
            payload = .sessionClose(close)
        default:
            var deny = SessionDeny()
            deny.sourceAddress = session.sourceAddress
            deny.sourcePort = session.sourcePort
            deny.destinationAddress = session.destinationAddress
            deny.destinationPort = session.destinationPort
            deny.serviceName = session.serviceName
            deny.protocolID = session.protocolID
            deny.policyName = "default-deny"
            deny.policyIndex = 9
            deny.sourceZoneName = "trust"
            deny.destinationZoneName = "untrust"
            deny.packetIncomingInterface = "ge-0/0/1.0"
            deny.action = index % 11 == 0 ? .reject : .deny
            deny.sessionID = session.sessionID
            deny.fpc = 1
            payload = .sessionDeny(deny)
        }
        return Event(bootID: BootID(0x0123_4567_89AB_CDEF), seq: index + 1, time: time, node: "srx-lab-1", payload: payload)
    }
}
