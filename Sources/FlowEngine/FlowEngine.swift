public import FlowtelCore
public import JunosConfig
public import Packets

/// An event the engine emits: when, and the RT_FLOW payload.
public struct FlowEvent: Hashable, Sendable {
    /// When it happened (packet time, or the time a timeout came due).
    public var time: Timestamp
    /// RT_FLOW_SESSION_CREATE, _CLOSE or _DENY.
    public var payload: Payload

    /// Creates an event.
    public init(time: Timestamp, payload: Payload) {
        self.time = time
        self.payload = payload
    }
}

/// The engine's counters (`show security flow statistics`, the fault manager's inputs).
public struct FlowEngineStatistics: Hashable, Sendable {
    /// Sessions created.
    public var sessionsCreated: UInt64 = 0
    /// Sessions closed.
    public var sessionsClosed: UInt64 = 0
    /// First packets a deny or reject policy (or the default policy) refused.
    public var sessionsDenied: UInt64 = 0
    /// Sessions that could not be created: the table full, a NAT pool exhausted.
    public var sessionsFailed: UInt64 = 0
    /// Packets that matched a session or created one.
    public var packetsForwarded: UInt64 = 0
    /// Packets dropped, by reason.
    public var packetsDropped: [String: UInt64] = [:]

    /// Zero.
    public init() {}
}

/// The flow engine of one shard: first-packet path, sessions, NAT, TCP state, timeouts and
/// the RT_FLOW events an SRX would log, driven by packets and time.
///
/// Pure: no I/O, no clock (times come with the packets and with ``advance(to:)``). Not
/// thread-safe: the daemon gives each shard its own engine.
public struct FlowEngine: Sendable {
    /// The name an SRX gives its implicit default policy.
    public static let defaultPolicyName = "default-policy-logical-system-00"

    struct Session: Sendable {
        /// Seconds of inactivity before the session ages out; nil for `never`.
        var inactivity: Int? {
            get { inactivitySeconds == .min ? nil : inactivitySeconds }
            set { inactivitySeconds = newValue ?? .min }
        }

        /// The allocator's translation it holds, if any.
        var allocation: SourcePortAllocator.Allocation? {
            guard allocated else { return nil }
            return SourcePortAllocator.Allocation(
                address: record.natSourceAddress, port: record.natSourcePort, ipProtocol: record.protocolID)
        }

        /// Its RT_FLOW identity, packed (``info(of:)`` builds the `SessionInfo`).
        var record: SessionRecord
        var logInit: Bool
        var logClose: Bool
        var start: Timestamp
        var client = WingCounters()
        var server = WingCounters()
        var tracker: TCPTracker?
        /// Seconds of inactivity before the session ages out, `Int.min` for `never` (an `Int?`
        /// would take 16 bytes).
        var inactivitySeconds: Int
        /// True when its source translation came from the allocator (which it gives back when it
        /// leaves the table): the translation is the record's NAT source address and port.
        var allocated: Bool
        /// Set once the session has ended (its close event is out) while it lingers.
        var ended: CloseReason?
        /// When the session last saw a packet.
        var lastSeen: Timestamp
        /// True while its timeout is aggressive aging's `early-ageout`.
        var agingEarly = false
        /// The source NAT pool its source was translated from (its name's index).
        var sourceNATPool: NameTable.Index?
        /// True when its source was translated to its egress interface's address.
        var interfaceNAT = false
    }

    var config: DeviceConfig
    var classifier: FirstPacketClassifier
    var nat: NATRules
    private var allocator = SourcePortAllocator()
    var table: SessionTable<Session>
    /// The names the sessions' records refer to.
    var names = NameTable()
    private var nextSessionID: UInt32
    var exportAllSessions: Bool
    /// Which shard this engine is.
    public let shard: ShardPlacement
    /// Wings of this shard's sessions that hash to another shard, added (true) or removed
    /// (false) since ``takeRedirects()``: the dispatcher sends their packets here.
    public private(set) var redirects: [(wing: WingKey, added: Bool)] = []
    /// True while aggressive aging is on (the table is past `high-watermark`, not yet back
    /// under `low-watermark`).
    public private(set) var aggressiveAging = false
    /// Counters.
    public private(set) var statistics = FlowEngineStatistics()
    /// What happened to the last packet ``process(_:at:)`` saw (flow monitoring traces it).
    public private(set) var lastDisposition = PacketDisposition.dropped("none")

    /// An engine for `config`, holding at most `maximumSessions` sessions. With
    /// `exportAllSessions`, every session is logged whatever its policy's `log` says. As shard
    /// `shard.index` of `shard.count`, its session ids are `index + 1` plus multiples of
    /// `count` (unique over the shards) and it translates source ports so that replies hash back
    /// to it.
    public init(
        config: DeviceConfig, maximumSessions: Int = 1 << 20, exportAllSessions: Bool = false,
        shard: ShardPlacement = .single
    ) {
        self.config = config
        self.shard = shard
        nextSessionID = UInt32(shard.index + 1)
        classifier = FirstPacketClassifier(config: config)
        nat = NATRules(config: config)
        // The table reads each session's wings back from its record (see `open`).
        table = SessionTable(capacity: maximumSessions) { session in
            let record = session.record
            return (
                WingKey(
                    source: record.sourceAddress, destination: record.destinationAddress, sourcePort: record.sourcePort,
                    destinationPort: record.destinationPort, ipProtocol: record.protocolID),
                WingKey(
                    source: record.natDestinationAddress, destination: record.natSourceAddress,
                    sourcePort: record.natDestinationPort, destinationPort: record.natSourcePort, ipProtocol: record.protocolID)
            )
        }
        self.exportAllSessions = exportAllSessions
    }

    /// Sessions in the table (ended ones lingering included).
    public var sessionCount: Int { table.count }
    /// Sessions that have ended (their close event is out) but linger in the table a moment.
    public private(set) var endedSessionCount = 0
    /// Sessions not yet ended.
    public var activeSessionCount: Int { table.count - endedSessionCount }

    /// Processes one packet at `time`; returns the events it caused. Timeouts due by `time`
    /// are processed first.
    public mutating func process(_ packet: DecodedPacket, at time: Timestamp) -> [FlowEvent] {
        process(FlowPacket(packet), vlan: packet.link.vlan?.outer, at: time)
    }

    /// Processes one packet already read as a ``FlowPacket`` (its outer VLAN id apart).
    public mutating func process(_ flowPacket: FlowPacket, vlan: UInt16?, at time: Timestamp) -> [FlowEvent] {
        var events = advance(to: time)
        switch flowPacket {
        case .flow(let key, let details):
            if let (handle, direction) = table.find(WingKey(key)) {
                update(handle, direction: direction, details: details, at: time, events: &events)
            } else {
                open(key, details: details, vlan: vlan, at: time, events: &events)
            }
        case .icmpError(let quoted, _):
            // The session the error refers to, in either direction, ends with `ICMP error`.
            if let (handle, direction) = table.find(quoted) ?? table.find(quoted.reversed) {
                lastDisposition = .session(id: table.peek(handle) { $0.record.sessionID } ?? 0, fromClient: direction == .fromServer)
                end(handle, reason: .icmpError, removal: .now, at: time, events: &events)
                statistics.packetsForwarded &+= 1
            } else {
                drop("ICMP error for no session")
            }
        case .laterFragment:
            drop("fragment without reassembly")
        case .notIP:
            drop("not IP")
        }
        return events
    }

    /// Ages sessions out up to `time`: those idle past their timeout close with `idle
    /// Timeout` (at the moment their timeout ran out); ended ones leave the table.
    public mutating func advance(to time: Timestamp) -> [FlowEvent] {
        var events: [FlowEvent] = []
        // One comparison when nothing is due: no array, no copy.
        while let (_, session, expiredAt) = table.removeNextExpired(now: time) {
            released(session)
            guard session.ended == nil else {
                endedSessionCount -= 1
                continue
            }
            closeEvent(session, reason: session.agingEarly ? .agedOut : .idleTimeout, at: expiredAt, events: &events)
        }
        updateAggressiveAging(at: time)
        return events
    }

    // MARK: - Aggressive aging

    /// Turns aggressive aging on when the table reaches `high-watermark` percent of its
    /// capacity (below 100: at 100 the feature is off, as in Junos) and off when it is back at
    /// `low-watermark`. Turning it on shortens every session's timeout to `early-ageout`
    /// seconds from its last packet.
    private mutating func updateAggressiveAging(at time: Timestamp) {
        // Off and unconfigured (100: Junos's off) is the common case: nothing to compute.
        if !aggressiveAging, config.flow.aging.highWatermark >= 100 { return }
        let aging = config.flow.aging
        let percent = table.count * 100 / table.capacity
        if !aggressiveAging, aging.highWatermark < 100, percent >= aging.highWatermark {
            aggressiveAging = true
            for handle in table.handles {
                guard var session = table[handle], session.ended == nil else { continue }
                let idle = Int((time.unixNanos &- session.lastSeen.unixNanos) / 1_000_000_000)
                let remaining = max(0, aging.earlyAgeout - idle)
                if let current = table.expiry(handle), current.unixNanos <= time.unixNanos &+ UInt64(remaining) * 1_000_000_000 {
                    continue
                }
                session.agingEarly = true
                table[handle] = session
                table.expire(handle, in: remaining, now: time)
            }
        } else if aggressiveAging, percent <= aging.lowWatermark {
            aggressiveAging = false
        }
    }

    /// The timeout a session takes after a packet: its inactivity timeout, or `early-ageout`
    /// while aggressive aging is on and that is shorter.
    private func inactivityTimeout(_ session: inout Session) -> Int? {
        Self.inactivityTimeout(&session, aggressive: aggressiveAging, earlyAgeout: config.flow.aging.earlyAgeout)
    }

    /// ``inactivityTimeout(_:)`` with the engine's aging state passed in (for in-place updates).
    private static func inactivityTimeout(_ session: inout Session, aggressive: Bool, earlyAgeout early: Int) -> Int? {
        guard aggressive else {
            session.agingEarly = false
            return session.inactivity
        }
        if let inactivity = session.inactivity, inactivity <= early {
            session.agingEarly = false
            return inactivity
        }
        session.agingEarly = true
        return early
    }

    // MARK: - Existing sessions

    /// What a packet of an existing session did to it, decided in place in the table.
    private enum UpdateStep {
        case gone
        case lateForEnded
        case drop(String)
        case end(CloseReason, TCPTracker.Removal)
        case forward(timeout: TCPTracker.Timeout, inactivity: Int?, dnsAnswer: Bool)
    }

    private mutating func update(
        _ handle: SessionHandle, direction: WingDirection, details: FlowPacketDetails, at time: Timestamp,
        events: inout [FlowEvent]
    ) {
        let aggressive = aggressiveAging
        let early = config.flow.aging.earlyAgeout
        // The session is changed where it lies (no copy out and back); what follows from the
        // change (events, timers, counters) happens after.
        let (step, sessionID) =
            table.withSession(handle) { session -> (UpdateStep, UInt32) in
                let step = Self.step(&session, direction: direction, details: details, at: time, aggressive: aggressive, early: early)
                return (step, session.record.sessionID)
            } ?? (.gone, 0)
        lastDisposition = .session(id: sessionID, fromClient: direction == .fromClient)
        switch step {
        case .gone:
            return
        case .lateForEnded:
            // A late packet of an ended session: let it through, keep nothing alive.
            statistics.packetsForwarded &+= 1
        case .drop(let reason):
            drop(reason)
        case .end(let reason, let removal):
            statistics.packetsForwarded &+= 1
            end(handle, reason: reason, removal: removal, at: time, events: &events)
        case .forward(var timeout, let inactivity, let dnsAnswer):
            statistics.packetsForwarded &+= 1
            if details.isEchoReply, direction == .fromServer {
                // Each echo is its own session, ended by its reply.
                end(handle, reason: .responseReceived, removal: .after(TCPTracker.invalidationDelay), at: time, events: &events)
                return
            }
            if direction == .fromServer, dnsAnswer {
                // The DNS ALG ends a query's session soon after its answer: SRX logs show DNS
                // sessions closing with `idle Timeout` seconds after they start, not the UDP minute.
                timeout = .seconds(TCPTracker.invalidationDelay)
            }
            switch timeout {
            case .inactivity: table.expire(handle, in: inactivity, now: time)
            case .seconds(let seconds): table.expire(handle, in: seconds, now: time)
            case .unchanged: break
            }
        }
    }

    /// What a packet does to its session, applied to the session in place: TCP state,
    /// counters, last-seen time, timeout kind.
    private static func step(
        _ session: inout Session, direction: WingDirection, details: FlowPacketDetails, at time: Timestamp,
        aggressive: Bool, early: Int
    ) -> UpdateStep {
        if session.ended != nil { return .lateForEnded }
        var timeout = TCPTracker.Timeout.inactivity
        if let flags = details.tcpFlags, var tracker = session.tracker {
            switch tracker.segment(fromClient: direction == .fromClient, flags: flags, payload: details.payload, tcp: details.tcp) {
            case .forward(let next): timeout = next
            case .drop(let reason): return .drop(reason.rawValue)  // the tracker's change is dropped too
            case .end(let reason, let removal):
                session.tracker = tracker
                count(&session, direction: direction, bytes: details.ipBytes)
                return .end(reason, removal)
            }
            session.tracker = tracker
        }
        count(&session, direction: direction, bytes: details.ipBytes)
        session.lastSeen = time
        let inactivity = inactivityTimeout(&session, aggressive: aggressive, earlyAgeout: early)
        let dnsAnswer = session.record.protocolID == 17 && session.record.natDestinationPort == 53
        return .forward(timeout: timeout, inactivity: inactivity, dnsAnswer: dnsAnswer)
    }

    /// Counts a packet in its direction's counters.
    private static func count(_ session: inout Session, direction: WingDirection, bytes: Int) {
        if direction == .fromClient { session.client.count(bytes: bytes) } else { session.server.count(bytes: bytes) }
    }

    /// Ends a session: its close event now, its removal as `removal` says.
    mutating func end(
        _ handle: SessionHandle, reason: CloseReason, removal: TCPTracker.Removal, at time: Timestamp,
        events: inout [FlowEvent]
    ) {
        guard var session = table[handle], session.ended == nil else { return }
        closeEvent(session, reason: reason, at: time, events: &events)
        switch removal {
        case .now:
            released(session)
            table.remove(handle)
        case .after(let seconds):
            endedSessionCount += 1
            session.ended = reason
            table[handle] = session
            table.expire(handle, in: seconds, now: time)
        case .onInactivity:
            endedSessionCount += 1
            session.ended = reason
            table[handle] = session
            table.expire(handle, in: session.inactivity, now: time)
        }
    }

    private mutating func closeEvent(_ session: Session, reason: CloseReason, at time: Timestamp, events: inout [FlowEvent]) {
        statistics.sessionsClosed &+= 1
        guard session.logClose else { return }
        var close = SessionClose()
        close.session = info(of: session)
        close.reason = reason
        close.packetsFromClient = session.client.packets
        close.bytesFromClient = session.client.bytes
        close.packetsFromServer = session.server.packets
        close.bytesFromServer = session.server.bytes
        close.startTime = session.start
        let elapsed = time.unixNanos >= session.start.unixNanos ? (time.unixNanos - session.start.unixNanos) / 1_000_000_000 : 0
        close.elapsedTime = UInt32(clamping: elapsed)
        events.append(FlowEvent(time: time, payload: .sessionClose(close)))
    }

    // MARK: - New sessions

    private mutating func open(
        _ key: FlowKey, details: FlowPacketDetails, vlan: UInt16?, at time: Timestamp, events: inout [FlowEvent]
    ) {
        guard let ingress = classifier.zones.ingressUnit(source: key.source, vlan: vlan) else {
            return drop(FirstPacketResult.DropReason.noIngressInterface.rawValue)
        }
        guard let fromZone = classifier.zones.zone(ofUnit: ingress) else {
            return drop(FirstPacketResult.DropReason.interfaceNotInZone.rawValue)
        }
        // Static or destination NAT first: the route and the policy see the translated destination.
        let destinationNAT = nat.destination(zone: fromZone, unit: ingress, key: key)
        var translated = key
        if let destinationNAT {
            translated.destination = destinationNAT.address
            if let port = destinationNAT.port { translated.destinationPort = port }
        }
        let egressUnit: String?
        let toZone: String
        switch classifier.zones.egress(destination: translated.destination) {
        case .device:
            egressUnit = nil
            toZone = SecurityZone.junosHost
        case .unit(let unit):
            guard let zone = classifier.zones.zone(ofUnit: unit) else {
                return drop(FirstPacketResult.DropReason.interfaceNotInZone.rawValue)
            }
            egressUnit = unit
            toZone = zone
        case .discard, .reject:
            return drop(FirstPacketResult.DropReason.routeDiscards.rawValue)
        case .noRoute:
            return drop(FirstPacketResult.DropReason.noRoute.rawValue)
        }
        let decision = classifier.policies.lookup(from: fromZone, to: toZone, key: translated)
        let policyName = decision.policy.map { $0.isGlobal ? "\($0.name)(global)" : $0.name } ?? Self.defaultPolicyName
        let logInit = exportAllSessions || decision.policy?.logSessionInit == true
        let logClose = exportAllSessions || decision.policy?.logSessionClose == true

        guard case .permit(let permit) = decision.action else {
            statistics.sessionsDenied &+= 1
            drop(decision.action == .reject ? "rejected by policy" : "denied by policy")
            lastDisposition = .denied(policy: policyName, fromZone: fromZone, toZone: toZone)
            if logInit || logClose {
                var deny = SessionDeny()
                deny.sourceAddress = key.source
                deny.sourcePort = key.sourcePort
                deny.destinationAddress = key.destination
                deny.destinationPort = key.destinationPort
                deny.serviceName = decision.serviceName
                deny.protocolID = key.ipProtocol
                deny.icmpType = key.icmpType ?? 0
                deny.policyName = policyName
                deny.policyIndex = UInt32(decision.policy?.id ?? 0)
                deny.sourceZoneName = fromZone
                deny.destinationZoneName = toZone
                deny.packetIncomingInterface = ingress
                deny.action = decision.action == .reject ? .reject : .deny
                events.append(FlowEvent(time: time, payload: .sessionDeny(deny)))
            }
            return
        }

        var tracker: TCPTracker?
        var initialTimeout: Int?
        if key.ipProtocol == 6, let flags = details.tcpFlags {
            let options = TCPSessionOptions(flow: config.flow.tcpSession, permit: permit)
            let opened = TCPTracker.open(flags: flags, options: options, segment: details.tcp, payload: details.payload)
            guard let opener = opened.tracker else {
                return drop(TCPTracker.DropReason.notSYN.rawValue)
            }
            tracker = opener
            if case .forward(.seconds(let seconds)) = opened.verdict { initialTimeout = seconds }
        }

        // Source NAT after the policy.
        var natSource = translated.source
        var natSourcePort = translated.sourcePort
        var allocation: SourcePortAllocator.Allocation?
        var sourceNATPool: String?
        let sourceNAT = egressUnit.flatMap { unit in
            nat.source(fromZone: fromZone, fromUnit: ingress, toZone: toZone, toUnit: unit, key: translated)
        }
        if let sourceNAT {
            switch sourceNAT.action {
            case .address(let address):
                natSource = address
            case .interface, .pool:
                let addresses: [NATAddressRange]
                let translation: SourceNATPool.PortTranslation
                if case .pool(let pool) = sourceNAT.action {
                    addresses = pool.addresses
                    translation = pool.portTranslation
                } else {
                    let unit = egressUnit.flatMap { config.interfaceUnit(named: $0) }
                    let own = unit?.addresses.first { $0.address.isV4 == key.source.isV4 }?.address
                    addresses = own.map { [NATAddressRange(low: $0, high: $0)] } ?? []
                    translation = .automatic
                }
                let shard = self.shard
                let accept: ((IPAddress, UInt16) -> Bool)? =
                    shard.count == 1
                    ? nil
                    : { address, port in
                        let reply = WingKey(
                            source: translated.destination, destination: address, sourcePort: translated.destinationPort,
                            destinationPort: port, ipProtocol: key.ipProtocol)
                        return ShardHash.shard(reply, identifierIsSource: false, count: shard.count) == shard.index
                    }
                guard let allocated = allocator.allocate(
                    source: key.source, sourcePort: key.sourcePort, ipProtocol: key.ipProtocol, addresses: addresses,
                    translation: translation, accept: accept)
                else {
                    statistics.sessionsFailed &+= 1
                    return drop("source NAT pool exhausted")
                }
                allocation = allocated
                if case .pool(let pool) = sourceNAT.action { sourceNATPool = pool.name }
                natSource = allocated.address
                natSourcePort = allocated.port
            }
        }

        let identifiedTerm = decision.application.flatMap { ApplicationMatcher.term(of: $0, matching: translated) }
        let inactivity = InactivityTimeouts.seconds(
            application: decision.application, term: identifiedTerm, ipProtocol: key.ipProtocol)

        var record = SessionRecord()
        record.sourceAddress = key.source
        record.sourcePort = key.sourcePort
        record.destinationAddress = key.destination
        record.destinationPort = key.destinationPort
        record.serviceName = names.index(of: decision.serviceName, field: .service)
        record.natSourceAddress = natSource
        record.natSourcePort = natSourcePort
        record.natDestinationAddress = translated.destination
        record.natDestinationPort = translated.destinationPort
        if let sourceNAT {
            record.srcNatRuleType = sourceNAT.kind == .static ? .static : .source
            record.srcNatRuleName = names.index(of: sourceNAT.rule, field: .sourceNATRule)
        }
        if let destinationNAT {
            record.dstNatRuleType = destinationNAT.kind == .static ? .static : .destination
            record.dstNatRuleName = names.index(of: destinationNAT.rule, field: .destinationNATRule)
        }
        record.protocolID = key.ipProtocol
        record.policyName = names.index(of: policyName, field: .policy)
        record.policyIndex = UInt32(decision.policy?.id ?? 0)
        record.sourceZoneName = names.index(of: fromZone, field: .sourceZone)
        record.destinationZoneName = names.index(of: toZone, field: .destinationZone)
        record.packetIncomingInterface = names.index(of: ingress, field: .ingress)
        record.egressInterface = names.index(of: egressUnit ?? "", field: .egress)

        // The Out wing: replies from the (translated) server to the (translated) client.
        let inWing = WingKey(key)
        let outWing = WingKey(
            source: translated.destination, destination: natSource, sourcePort: translated.destinationPort,
            destinationPort: natSourcePort, ipProtocol: key.ipProtocol)
        var session = Session(
            record: record, logInit: logInit, logClose: logClose, start: time, tracker: tracker,
            inactivitySeconds: inactivity ?? .min, allocated: allocation != nil, lastSeen: time, sourceNATPool: sourceNATPool.map { names.index(of: $0, field: .pool) })
        if case .interface? = sourceNAT?.action { session.interfaceNAT = true }
        let firstTimeout = initialTimeout ?? inactivityTimeout(&session)
        session.client.count(bytes: details.ipBytes)
        session.record.sessionID = nextSessionID
        session.record.timeoutSeconds = UInt32(clamping: initialTimeout ?? inactivity ?? 0)
        guard let handle = table.insert(session, clientToServer: inWing, serverToClient: outWing) else {
            if let allocation { allocator.release(allocation) }
            statistics.sessionsFailed &+= 1
            return drop(table.count >= table.capacity ? "session table full" : "wing in use")
        }
        lastDisposition = .created(id: nextSessionID, policy: policyName, fromZone: fromZone, toZone: toZone)
        let (next, overflow) = nextSessionID.addingReportingOverflow(UInt32(shard.count))
        nextSessionID = overflow ? UInt32(shard.index + 1) : next
        if shard.count > 1 { registerAway(inWing, outWing, added: true) }
        statistics.sessionsCreated &+= 1
        statistics.packetsForwarded &+= 1
        table.expire(handle, in: firstTimeout, now: time)
        updateAggressiveAging(at: time)
        if logInit { events.append(FlowEvent(time: time, payload: .sessionCreate(SessionCreate(session: info(of: session))))) }
    }

    /// The `SessionInfo` of a session, as RT_FLOW reports it: the fields the engine sets,
    /// every other one at its default.
    func info(of session: Session) -> SessionInfo {
        let record = session.record
        var info = SessionInfo()
        info.sourceAddress = record.sourceAddress
        info.sourcePort = record.sourcePort
        info.destinationAddress = record.destinationAddress
        info.destinationPort = record.destinationPort
        info.serviceName = names[record.serviceName]
        info.natSourceAddress = record.natSourceAddress
        info.natSourcePort = record.natSourcePort
        info.natDestinationAddress = record.natDestinationAddress
        info.natDestinationPort = record.natDestinationPort
        info.srcNatRuleType = record.srcNatRuleType
        info.srcNatRuleName = names[record.srcNatRuleName]
        info.dstNatRuleType = record.dstNatRuleType
        info.dstNatRuleName = names[record.dstNatRuleName]
        info.protocolID = record.protocolID
        info.policyName = names[record.policyName]
        info.policyIndex = record.policyIndex
        info.sourceZoneName = names[record.sourceZoneName]
        info.destinationZoneName = names[record.destinationZoneName]
        info.packetIncomingInterface = names[record.packetIncomingInterface]
        info.egressInterface = names[record.egressInterface]
        info.sessionID = record.sessionID
        info.timeoutSeconds = record.timeoutSeconds
        return info
    }

    // MARK: - Shards

    /// Gives back what a session held once it leaves the table: its NAT translation, and its
    /// redirected wings.
    private mutating func released(_ session: Session) {
        if let allocation = session.allocation { allocator.release(allocation) }
        guard shard.count > 1 else { return }
        let info = session.record
        registerAway(
            WingKey(
                source: info.sourceAddress, destination: info.destinationAddress, sourcePort: info.sourcePort,
                destinationPort: info.destinationPort, ipProtocol: info.protocolID),
            WingKey(
                source: info.natDestinationAddress, destination: info.natSourceAddress,
                sourcePort: info.natDestinationPort, destinationPort: info.natSourcePort, ipProtocol: info.protocolID),
            added: false)
    }

    /// Records the wings of a session that hash to another shard.
    private mutating func registerAway(_ inWing: WingKey, _ outWing: WingKey, added: Bool) {
        if ShardHash.shard(inWing, count: shard.count) != shard.index { redirects.append((inWing, added)) }
        if ShardHash.shard(outWing, identifierIsSource: false, count: shard.count) != shard.index {
            redirects.append((outWing, added))
        }
    }

    /// Returns and forgets the redirect changes since the last call.
    public mutating func takeRedirects() -> [(wing: WingKey, added: Bool)] {
        defer { redirects.removeAll(keepingCapacity: true) }
        return redirects
    }

    private mutating func drop(_ reason: String) {
        statistics.packetsDropped[reason, default: 0] &+= 1
        lastDisposition = .dropped(reason)
    }
}
