import FlowEngine
import FlowtelCore
import Foundation
import JunosConfig
import PacketIO
import Packets
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// flowtel's session count on a 100,000-session generated capture, next to the generator's truth
/// and to two independent flow counters reading the same file: Wireshark's conversation tables
/// (`tshark -z conv,tcp -z conv,udp`) and softflowd (NetFlow/IPFIX export). The relationships
/// are exact; docs/CROSS-CHECK.md explains each term. tshark and softflowd are Debian packages
/// that `make test` installs (APT_PACKAGES): a missing one fails the test, it never skips.
@Suite("Cross-check against tshark and softflowd")
struct CrossCheckTests {
    /// Three zones, no NAT (so frames captured on every interface carry the addresses each
    /// tool keys on), permitted DNS, NTP, DNS over TCP and ping, and TCP that a policy or the
    /// default policy denies. Short sessions keep the capture at about 430,000 packets.
    static let config = """
        set system host-name crosscheck-srx
        set interfaces ge-0/0/0 unit 0 family inet address 198.51.100.2/24
        set interfaces ge-0/0/0 unit 0 family inet6 address 2001:db8:ff::2/64
        set interfaces ge-0/0/1 unit 0 family inet address 10.20.0.1/16
        set interfaces ge-0/0/1 unit 0 family inet6 address 2001:db8:20::1/64
        set interfaces ge-0/0/2 unit 0 family inet address 172.16.30.1/24
        set routing-options static route 0.0.0.0/0 next-hop 198.51.100.1
        set routing-options rib inet6.0 static route ::/0 next-hop 2001:db8:ff::1
        set security zones security-zone internet interfaces ge-0/0/0.0
        set security zones security-zone inside interfaces ge-0/0/1.0
        set security zones security-zone dmz interfaces ge-0/0/2.0
        set security address-book global address inside-net 10.20.0.0/16
        set security address-book global address inside-net6 2001:db8:20::/64
        set security address-book global address resolver 172.16.30.53/32
        set applications application dns-tcp protocol tcp destination-port 53
        set security policies from-zone inside to-zone internet policy out match source-address [ inside-net inside-net6 ]
        set security policies from-zone inside to-zone internet policy out match destination-address any
        set security policies from-zone inside to-zone internet policy out match application [ junos-dns-udp junos-ntp dns-tcp junos-ping ]
        set security policies from-zone inside to-zone internet policy out then permit
        set security policies from-zone inside to-zone dmz policy resolve match source-address inside-net
        set security policies from-zone inside to-zone dmz policy resolve match destination-address resolver
        set security policies from-zone inside to-zone dmz policy resolve match application junos-dns-udp
        set security policies from-zone inside to-zone dmz policy resolve then permit
        set security policies from-zone inside to-zone dmz policy no-tcp-dns match source-address any
        set security policies from-zone inside to-zone dmz policy no-tcp-dns match destination-address any
        set security policies from-zone inside to-zone dmz policy no-tcp-dns match application dns-tcp
        set security policies from-zone inside to-zone dmz policy no-tcp-dns then deny

        """

    static let sessions = 100_000
    static let seed: UInt64 = 7
    static let sessionsPerSecond = 1_000.0
    /// How long each external tool may run (each takes a few seconds on two cores).
    static let toolTimeout: TimeInterval = 120

    /// What the generator planned, counted per session and per packet as it wrote the file.
    struct Truth {
        var summary: TrafficSummary
        /// Client packets of sessions the firewall drops (every SYN and retransmitted SYN).
        var unansweredClientPackets = 0
        /// ICMP echo requests of answered pings: each is its own SRX session.
        var answeredEchoRequests = 0

        var tcpAnswered: Int { summary.sessions(.tcp, .answered) }
        var tcpUnanswered: Int { summary.sessions(.tcp, .unanswered) }
        var udp: Int { summary.sessions(.dns, .answered) + summary.sessions(.ntp, .answered) }
        var pings: Int { summary.sessions(.icmpEcho, .answered) }
    }

    @Test("on a 100,000-session capture, flowtel's sessions match the generator, tshark's conversations and softflowd's flows exactly")
    func crossCheck() throws {
        let tshark = try #require(Tool.locate("tshark"), "tshark is not installed: `make test` installs it (APT_PACKAGES)")
        let softflowd = try #require(
            Tool.locate("softflowd"), "softflowd is not installed: `make test` installs it (APT_PACKAGES)")

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flowtel-crosscheck-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let pcap = directory.appendingPathComponent("crosscheck.pcap").path
        let device = try DeviceConfig.load(text: Self.config, file: "crosscheck.set").config
        let truth = try Self.generate(device, to: pcap)
        // Every kind the relationships below rely on is present in quantity.
        #expect(truth.summary.sessions == Self.sessions)
        #expect(truth.tcpAnswered > 10_000 && truth.tcpUnanswered > 10_000 && truth.udp > 10_000 && truth.pings > 5_000)
        #expect(truth.summary.sessions == truth.tcpAnswered + truth.tcpUnanswered + truth.udp + truth.pings)
        #expect(truth.answeredEchoRequests == 3 * truth.pings)

        // The peers run as processes while the engine reads the same file here.
        let collector = try UDPCollector()
        defer { collector.close() }
        let tsharkRun = try Tool.start(tshark, ["-r", pcap, "-q", "-z", "conv,tcp", "-z", "conv,udp"], in: directory, name: "tshark")
        let softflowdRun = try Tool.start(
            softflowd,
            // -D: foreground, statistics on exit, IPv6 tracked. -m: room for every flow, so none
            // is expired early (softflowd's default of 8,192 would split long flows). -c none: no
            // control socket, so parallel runs do not collide.
            ["-r", pcap, "-D", "-m", "1000000", "-v", "10", "-n", "127.0.0.1:\(collector.port)", "-c", "none"],
            in: directory, name: "softflowd", keepStandardError: false)

        let flowtel = try Self.replay(pcap, device)

        let tsharkOutput = try tsharkRun.finish(timeout: Self.toolTimeout)
        let softflowdOutput = try softflowdRun.finish(timeout: Self.toolTimeout)
        let conversations = Conversations(tsharkOutput)
        let flows = try #require(SoftflowdSummary(softflowdOutput), "softflowd printed no statistics:\n\(softflowdOutput)")

        // flowtel against the generator: one session per answered TCP or UDP exchange, and one
        // per ICMP echo request (an SRX keys ICMP sessions by identifier and sequence number);
        // unanswered sessions create none, and each of their packets is denied.
        let expectedSessions = truth.tcpAnswered + truth.udp + truth.answeredEchoRequests
        #expect(flowtel.created == expectedSessions)
        #expect(flowtel.createEvents == expectedSessions)
        #expect(flowtel.closed == expectedSessions)
        #expect(flowtel.open == 0)
        #expect(flowtel.denied == truth.unansweredClientPackets)
        #expect(flowtel.packets == truth.summary.packets)
        #expect(flowtel.failed == 0)

        // tshark: one conversation per TCP connection, answered or not, and per UDP exchange.
        #expect(conversations.tcp == truth.tcpAnswered + truth.tcpUnanswered)
        #expect(conversations.udp == truth.udp)
        // So flowtel = tshark - unanswered TCP + 3 sessions per ping.
        #expect(flowtel.created == conversations.tcp + conversations.udp - truth.tcpUnanswered + truth.answeredEchoRequests)

        // softflowd: one bidirectional flow per 5-tuple, ICMP echo request and reply apart (it
        // puts type and code where ports go), none expired early; one exported record per
        // direction that saw packets.
        #expect(flows.packets == truth.summary.packets)
        #expect(flows.forced == 0)
        #expect(flows.flows == conversations.tcp + conversations.udp + 2 * truth.pings)
        #expect(flows.records == 2 * truth.tcpAnswered + truth.tcpUnanswered + 2 * truth.udp + 2 * truth.pings)
        #expect(flows.failures == 0)
    }

    /// Writes the capture with flowtel's generator, planned from the configuration.
    static func generate(_ device: DeviceConfig, to path: String) throws -> Truth {
        let plan = try TrafficPlan(config: device)
        var generator = try TrafficGenerator(
            plan: plan, seed: seed, sessions: sessions, start: Timestamp(unixNanos: 1_767_225_600_000_000_000),
            sessionsPerSecond: sessionsPerSecond)
        let writer = try PcapWriter.create(path: path, linkType: .ethernet, precision: .nanoseconds)
        var truth = Truth(summary: generator.summary)
        var frame: [UInt8] = []
        let echoFlows = Set(
            plan.flows.indices.filter {
                plan.flows[$0].application.kind == .icmpEcho && plan.flows[$0].expectation == .answered
            })
        let unansweredFlows = Set(plan.flows.indices.filter { plan.flows[$0].expectation != .answered })
        while let info = generator.next(into: &frame) {
            try writer.append(timestamp: info.timestamp, bytes: frame)
            guard info.direction == .clientToServer else { continue }
            if unansweredFlows.contains(info.flow) { truth.unansweredClientPackets += 1 }
            if echoFlows.contains(info.flow) { truth.answeredEchoRequests += 1 }
        }
        try writer.close()
        truth.summary = generator.summary
        return truth
    }

    /// What `flowtel replay --age-out --all-sessions` counts, through the engine API: the file
    /// read back, decoded, run through one engine, then aged out.
    struct Replay {
        var packets = 0
        var created = 0
        var closed = 0
        var denied = 0
        var failed = 0
        var open = 0
        var createEvents = 0
    }

    static func replay(_ path: String, _ device: DeviceConfig) throws -> Replay {
        var reader = try CaptureReader.open(path: path)
        var engine = FlowEngine(config: device, exportAllSessions: true)
        var result = Replay()
        var last = Timestamp(unixNanos: 0)
        func count(_ events: [FlowEvent]) {
            for event in events {
                if case .sessionCreate = event.payload { result.createEvents += 1 }
            }
        }
        while let entry = try reader.next() {
            guard case .packet(let record) = entry else { continue }
            result.packets += 1
            let packet = try PacketDecoder(linkType: record.linkType).decode(record.bytes, wireLength: record.originalLength)
            last = record.timestamp ?? last
            count(engine.process(packet, at: last))
        }
        count(engine.advance(to: Timestamp(unixNanos: last.unixNanos + 100 * 86_400 * 1_000_000_000)))
        let statistics = engine.statistics
        result.created = Int(statistics.sessionsCreated)
        result.closed = Int(statistics.sessionsClosed)
        result.denied = Int(statistics.sessionsDenied)
        result.failed = Int(statistics.sessionsFailed)
        result.open = engine.sessionCount
        return result
    }
}

/// Conversation counts from `tshark -q -z conv,tcp -z conv,udp`: one `<->` line per
/// conversation under each table's title.
private struct Conversations {
    var tcp = 0
    var udp = 0

    init(_ output: String) {
        var table = ""
        for line in output.split(separator: "\n") {
            if line.hasPrefix("TCP Conversations") { table = "tcp" }
            if line.hasPrefix("UDP Conversations") { table = "udp" }
            guard line.contains("<->") else { continue }
            if table == "tcp" { tcp += 1 } else if table == "udp" { udp += 1 }
        }
    }
}

/// The statistics softflowd prints on standard output when `-D` runs end:
///
/// ```
/// Packets processed: 430173
/// Flows expired: 111180 (0 forced)
/// Flows exported: 111180 (177942 records) in 6462 packets (0 failures)
/// ```
private struct SoftflowdSummary {
    var packets: Int
    var expired: Int
    var forced: Int
    var flows: Int
    var records: Int
    var failures: Int

    init?(_ output: String) {
        func numbers(after prefix: String) -> [Int]? {
            guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) else { return nil }
            return line.dropFirst(prefix.count).split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        }
        guard let processed = numbers(after: "Packets processed:"), processed.count == 1,
            let expired = numbers(after: "Flows expired:"), expired.count == 2,
            let exported = numbers(after: "Flows exported:"), exported.count == 4
        else { return nil }
        packets = processed[0]
        self.expired = expired[0]
        forced = expired[1]
        flows = exported[0]
        records = exported[1]
        failures = exported[3]
    }
}

/// A UDP socket on 127.0.0.1 that softflowd exports to; nothing reads it (the counts come from
/// softflowd's own statistics), it only gives the export a local port that is ours.
private final class UDPCollector {
    let descriptor: Int32
    let port: UInt16

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { throw ToolError("socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sockaddrPointer in
                Glibc.bind(descriptor, sockaddrPointer, length) == 0
                    && getsockname(descriptor, sockaddrPointer, &length) == 0
            }
        }
        guard bound else {
            Glibc.close(descriptor)
            throw ToolError("bind 127.0.0.1:0: errno \(errno)")
        }
        self.descriptor = descriptor
        port = UInt16(bigEndian: address.sin_port)
    }

    func close() { Glibc.close(descriptor) }
}

private struct ToolError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// An external program run to completion, its standard output in a file (no pipe to fill).
private struct Tool {
    let process: Process
    let name: String
    let output: URL

    /// The program's path: PATH first, then the sbin directories Debian puts daemons in.
    static func locate(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/bin", "/sbin", "/bin"]
        return directories.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func start(_ path: String, _ arguments: [String], in directory: URL, name: String, keepStandardError: Bool = true) throws -> Tool {
        let output = directory.appendingPathComponent("\(name).out")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = keepStandardError ? process.standardOutput : FileHandle.nullDevice
        try process.run()
        return Tool(process: process, name: name, output: output)
    }

    /// Waits (at most `timeout` seconds) for a successful exit; returns standard output.
    func finish(timeout: TimeInterval) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            throw ToolError("\(name) did not finish in \(Int(timeout)) s")
        }
        let text = try String(contentsOf: output, encoding: .utf8)
        guard process.terminationStatus == 0 else {
            throw ToolError("\(name) exited with status \(process.terminationStatus):\n\(text.suffix(2_000))")
        }
        return text
    }
}
