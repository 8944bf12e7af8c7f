public import FlowtelCore

/// Known events for interoperability tests and benchmarks: one of every payload kind, with
/// every field set to a value different from its default, so a decoder that drops or mixes up
/// a field is caught. Test support only: flowtel's users never see these.
public enum SampleEvents {
    /// The boot id the samples carry.
    public static let bootID = BootID(0x0123_4567_89AB_CDEF)
    /// The node name the samples carry.
    public static let node = "srx-lab-1"
    /// 2026-11-29T10:00:00Z.
    public static let baseTime = Timestamp(unixNanos: 1_795_946_400_000_000_000)

    /// A fully populated SessionInfo (source NAT by a pool rule, static destination NAT).
    public static func sessionInfo(id: UInt32 = 40_001) -> SessionInfo {
        var info = SessionInfo()
        info.sourceAddress = IPAddress("10.1.0.25")!
        info.sourcePort = 51_157
        info.destinationAddress = IPAddress("198.51.100.10")!
        info.destinationPort = 443
        info.connectionTag = 7
        info.serviceName = "junos-https"
        info.natSourceAddress = IPAddress("203.0.113.5")!
        info.natSourcePort = 20_123
        info.natDestinationAddress = IPAddress("10.200.0.10")!
        info.natDestinationPort = 8443
        info.natConnectionTag = 9
        info.srcNatRuleType = .source
        info.srcNatRuleName = "trust-to-untrust/snat-pool"
        info.dstNatRuleType = .static
        info.dstNatRuleName = "web-static/rule1"
        info.protocolID = 6
        info.policyName = "allow-web"
        info.policyIndex = 4
        info.sourceZoneName = "trust"
        info.destinationZoneName = "untrust"
        info.sessionID = id
        info.username = "lab\\user01"
        info.roles = "staff"
        info.packetIncomingInterface = "ge-0/0/1.100"
        info.egressInterface = "ge-0/0/0.0"
        info.application = "HTTPS"
        info.nestedApplication = "GOOGLE"
        info.encrypted = "Yes"
        info.applicationCategory = "Web"
        info.applicationSubCategory = "Search"
        info.applicationRisk = 3
        info.applicationCharacteristics = "Supports File Transfer;"
        info.srcVrfGroup = "vrf-a"
        info.dstVrfGroup = "vrf-b"
        info.tunnelInspection = "On"
        info.tunnelInspectionPolicySet = "tis-1"
        info.sourceTenant = "tenant-a"
        info.destinationService = "svc-b"
        info.dstIdentityContextName = "ctx-name"
        info.dstIdentityContextRoles = "ctx-roles"
        info.fpc = 2
        info.pic = 1
        info.timeoutSeconds = 1800
        return info
    }

    /// A fully populated SessionClose.
    public static func sessionClose(id: UInt32 = 40_001) -> SessionClose {
        var close = SessionClose()
        close.session = sessionInfo(id: id)
        close.reason = .tcpServerRst
        close.packetsFromClient = 12
        close.bytesFromClient = 2125
        close.packetsFromServer = 11
        close.bytesFromServer = 2288
        close.elapsedTime = 178
        close.startTime = Timestamp(unixNanos: baseTime.unixNanos - 178_000_000_000)
        close.secureWebProxySessionType = "explicit"
        close.peerSessionID = 99
        close.peerSourceAddress = IPAddress("2001:db8::1")!
        close.peerSourcePort = 1111
        close.peerDestinationAddress = IPAddress("2001:db8::2")!
        close.peerDestinationPort = 2222
        close.hostname = "www.example.com"
        close.sessionFlag = 5
        close.userType = "on-prem-user"
        close.urlHost = "example.com"
        close.urlCategory = "Search"
        close.urlRisk = 2
        close.srcVrf = "blue"
        close.dstVrf = "red"
        close.forwardedFor = "192.0.2.7"
        return close
    }

    /// A fully populated SessionDeny (IPv6, ICMPv6 echo, rejected by a global policy).
    public static func sessionDeny() -> SessionDeny {
        var deny = SessionDeny()
        deny.sourceAddress = IPAddress("fd00:0:0:1::25")!
        deny.sourcePort = 4242
        deny.destinationAddress = IPAddress("2001:db8::80")!
        deny.destinationPort = 3
        deny.connectionTag = 11
        deny.serviceName = "junos-icmp6-all"
        deny.protocolID = 58
        deny.icmpType = 128
        deny.policyName = "default-deny(global)"
        deny.policyIndex = 9
        deny.sourceZoneName = "trust"
        deny.destinationZoneName = "dmz"
        deny.application = "ICMP6"
        deny.nestedApplication = "PING6"
        deny.username = "lab\\user02"
        deny.roles = "guests"
        deny.packetIncomingInterface = "ge-0/0/2.0"
        deny.encrypted = "No"
        deny.action = .reject
        deny.sessionID = 40_002
        deny.applicationCategory = "Infrastructure"
        deny.applicationSubCategory = "Networking"
        deny.applicationRisk = 1
        deny.applicationCharacteristics = "Loss of Productivity;"
        deny.srcVrfGroup = "vrf-c"
        deny.dstVrfGroup = "vrf-d"
        deny.sourceTenant = "tenant-c"
        deny.destinationService = "svc-d"
        deny.fpc = 1
        deny.pic = 0
        return deny
    }

    /// One event of every payload kind, seq 1...16 in order (stream-control samples included,
    /// so that every payload crosses the wire in interop tests).
    public static func all() -> [Event] {
        var payloads: [Payload] = []
        payloads.append(.sessionCreate(SessionCreate(session: sessionInfo())))
        payloads.append(.sessionClose(sessionClose()))
        payloads.append(.sessionDeny(sessionDeny()))

        var error = FpcErrorOccurred()
        error.slot = 1
        error.pic = 2
        error.errorID = "spc-session-table-full"
        error.module = "flow"
        error.severity = .major
        error.errorType = "resource"
        error.count = 3
        error.severityTotal = 17
        error.description = "session table full: 3 first packets dropped"
        payloads.append(.fpcError(error))

        var counters = FpcErrorCounters()
        counters.slot = 1
        counters.fpcType = .spc2
        var minor = SeverityCounters()
        minor.severity = .minor
        minor.occurred = 25
        minor.cleared = 4
        minor.threshold = 10
        minor.actions = [.log, .getState]
        var fatal = SeverityCounters()
        fatal.severity = .fatal
        fatal.occurred = 1
        fatal.cleared = 1
        fatal.threshold = 1
        fatal.actions = [.alarm, .reset]
        counters.severities = [minor, fatal]
        var perError = ErrorCounters()
        perError.errorID = "spc-shard-stall"
        perError.module = "flow"
        perError.severity = .fatal
        perError.errorType = "stall"
        perError.occurred = 1
        perError.cleared = 1
        perError.lastOccurred = Timestamp(unixNanos: baseTime.unixNanos - 5_000_000_000)
        perError.lastCleared = Timestamp(unixNanos: baseTime.unixNanos - 1_000_000_000)
        counters.errors = [perError]
        payloads.append(.fpcErrorCounters(counters))

        var raised = AlarmRaised()
        raised.alarmID = 7
        raised.alarmClass = .major
        raised.description = "FPC 1 Major Errors"
        raised.slot = 1
        raised.errorID = "spc-session-table-full"
        payloads.append(.alarmRaised(raised))

        var cleared = AlarmCleared()
        cleared.alarmID = 7
        cleared.alarmClass = .major
        cleared.description = "FPC 1 Major Errors"
        cleared.slot = 1
        cleared.reason = "cleared by operator"
        payloads.append(.alarmCleared(cleared))

        var wedge = WedgeDetected()
        wedge.slot = 2
        wedge.pic = 1
        wedge.stage = .toe
        wedge.stalledMillis = 1500
        wedge.pending = 321
        wedge.irreversible = true
        payloads.append(.wedgeDetected(wedge))

        var unwedged = WedgeCleared()
        unwedged.slot = 2
        unwedged.pic = 1
        unwedged.stage = .hostLoopback
        unwedged.durationMillis = 2750
        payloads.append(.wedgeCleared(unwedged))

        var state = FpcStateChange()
        state.slot = 2
        state.fpcType = .spc2
        state.previousState = .online
        state.state = .resetting
        state.reason = "error action reset (fatal threshold 1 reached)"
        payloads.append(.fpcStateChange(state))

        var failover = ClusterFailover()
        failover.redundancyGroup = 1
        failover.previousPrimary = 0
        failover.newPrimary = 1
        failover.reason = "FPC 1 Major Errors alarm"
        failover.failoverCount = 2
        payloads.append(.clusterFailover(failover))

        var action = FpcErrorAction()
        action.slot = 1
        action.severity = .minor
        action.errorType = "packet"
        action.threshold = 10
        action.count = 20
        action.action = .getState
        action.detail = "state snapshot written"
        payloads.append(.fpcErrorAction(action))

        var snapshot = FpcStateSnapshot()
        snapshot.slot = 1
        snapshot.fpcType = .spc2
        snapshot.state = .online
        snapshot.items = [StateItem(name: "sessions.valid", value: 1234), StateItem(name: "dispatch-ring.depth", value: -1)]
        snapshot.file = "/var/log/flowtel/fpc1-state-1.txt"
        payloads.append(.fpcStateSnapshot(snapshot))

        payloads.append(.gap(Gap(bootID: BootID(0xFEED), firstSeq: 5, lastSeq: 9, reason: .slowConsumer, detail: "queue full")))
        payloads.append(.heartbeat(Heartbeat(bootID: bootID, headSeq: 16)))
        payloads.append(.syncResponse(SyncResponse(bootID: bootID, headSeq: 16)))

        return payloads.enumerated().map { index, payload in
            Event(
                bootID: bootID, seq: UInt64(index + 1),
                time: Timestamp(unixNanos: baseTime.unixNanos + UInt64(index) * 1_000_000),
                node: node, payload: payload)
        }
    }

    /// The `index`-th synthetic SessionClose event of a benchmark stream: realistic values,
    /// varying addresses, ports and ids.
    public static func benchmarkSessionClose(index: UInt64, bootID: BootID, seq: UInt64, time: Timestamp) -> Event {
        Event(bootID: bootID, seq: seq, time: time, node: node, payload: .sessionClose(benchmarkClose(index: index, time: time)))
    }

    /// The payload of `benchmarkSessionClose`.
    public static func benchmarkClose(index: UInt64, time: Timestamp) -> SessionClose {
        var close = SessionClose()
        close.session.serviceName = "junos-https"
        close.session.natSourceAddress = .v4(0xCB00_7105)
        close.session.destinationPort = 443
        close.session.natDestinationPort = 443
        close.session.srcNatRuleType = .source
        close.session.srcNatRuleName = "snat-out"
        close.session.protocolID = 6
        close.session.policyName = "allow-web"
        close.session.policyIndex = 4
        close.session.sourceZoneName = "trust"
        close.session.destinationZoneName = "untrust"
        close.session.packetIncomingInterface = "ge-0/0/1.0"
        close.session.egressInterface = "ge-0/0/0.0"
        close.session.fpc = 1
        close.session.timeoutSeconds = 1800
        close.reason = .tcpFin
        updateBenchmarkClose(&close, index: index, time: time)
        return close
    }

    /// The smallest SessionClose the benchmark sends: session id, protocol, reason and the
    /// client's counters (about 70 bytes framed, its four addresses 0.0.0.0 included), for the
    /// per-event floor of the stream. `bench/cpp/session_event.h` builds the same.
    public static func smallClose(index: UInt64) -> SessionClose {
        var close = SessionClose()
        close.session.protocolID = 6
        close.reason = .tcpFin
        updateSmallClose(&close, index: index)
        return close
    }

    /// Turns a `smallClose` of any index into the one of `index`.
    public static func updateSmallClose(_ close: inout SessionClose, index: UInt64) {
        close.session.sessionID = UInt32(truncatingIfNeeded: index + 1)
        close.packetsFromClient = 10 + index % 7
        close.bytesFromClient = 1200 + index % 900
    }

    /// Turns a `benchmarkClose` of any index into the one of `index`: sets only the fields that
    /// vary from one event to the next (addresses, ports, ids, counters, times), so a producer
    /// can build event after event without creating the same strings again.
    public static func updateBenchmarkClose(_ close: inout SessionClose, index: UInt64, time: Timestamp) {
        let host = UInt32(truncatingIfNeeded: index)
        close.session.sourceAddress = .v4(0x0A01_0000 | (host & 0x0FFF))
        close.session.sourcePort = UInt16(truncatingIfNeeded: 32_768 + index % 28_000)
        close.session.destinationAddress = .v4(0xC633_6400 | (host >> 12 & 0xFF))
        close.session.natSourcePort = UInt16(truncatingIfNeeded: 1024 + index % 60_000)
        close.session.natDestinationAddress = close.session.destinationAddress
        close.session.sessionID = UInt32(truncatingIfNeeded: index + 1)
        close.packetsFromClient = 10 + index % 7
        close.bytesFromClient = 1200 + index % 900
        close.packetsFromServer = 9 + index % 5
        close.bytesFromServer = 8000 + index % 4000
        close.elapsedTime = UInt32(index % 300)
        let elapsed = UInt64(close.elapsedTime) * 1_000_000_000
        close.startTime = Timestamp(unixNanos: time.unixNanos > elapsed ? time.unixNanos - elapsed : 0)
    }
}
