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

    /// A session as the table holds it. 186 bytes, laid out so that the table's slot fills its
    /// tail (see ``SessionTable``): the 8-byte fields first, the flags last. Its TCP state lives
    /// apart, in ``FlowEngine/trackers``, so UDP and ICMP sessions do not carry it.
    struct Session: Sendable {
        /// Its RT_FLOW identity, packed (``NameTable/info(of:)`` builds the `SessionInfo`).
        var record: SessionRecord
        var start: Timestamp
        /// When the session last saw a packet.
        var lastSeen: Timestamp
        var client = WingCounters()
        var server = WingCounters()
        /// Seconds of inactivity before the session ages out, `Int.min` for `never` (an `Int?`
        /// would take 16 bytes).
        var inactivitySeconds: Int
        /// Its TCP state's index in ``FlowEngine/trackers`` plus one; 0 when it has none.
        var tracker: UInt32 = 0
        /// The source NAT pool its source was translated from (its name's index; 0, the empty
        /// name, for none).
        private var poolName: NameTable.Index = 0
        /// Set once the session has ended (its close event is out) while it lingers.
        var ended: CloseReason?
        private var flags: Flags

        private struct Flags: OptionSet, Sendable {
            var rawValue: UInt8
            static let logInit = Flags(rawValue: 1 << 0)
            static let logClose = Flags(rawValue: 1 << 1)
            static let allocated = Flags(rawValue: 1 << 2)
            static let agingEarly = Flags(rawValue: 1 << 3)
            static let interfaceNAT = Flags(rawValue: 1 << 4)
        }

        init(
            record: SessionRecord, logInit: Bool, logClose: Bool, start: Timestamp, inactivity: Int?, allocated: Bool,
            sourceNATPool: NameTable.Index?
        ) {
            self.record = record
            self.start = start
            lastSeen = start
            inactivitySeconds = inactivity ?? .min
            poolName = sourceNATPool ?? 0
            flags = []
            if logInit { flags.insert(.logInit) }
            if logClose { flags.insert(.logClose) }
            if allocated { flags.insert(.allocated) }
        }

        /// The In wing (`outWing` false) or the Out wing of the session at `session`, read from its
        /// record: the table's wings (``SessionTable/init(capacity:wing:)``).
        @inline(__always)
        static func wing(_ session: UnsafePointer<Session>, outWing: Bool) -> PackedWingKey {
            outWing ? session.pointee.record.outWing : session.pointee.record.inWing
        }

        /// Seconds of inactivity before the session ages out; nil for `never`.
        var inactivity: Int? { inactivitySeconds == .min ? nil : inactivitySeconds }

        var logInit: Bool { flags.contains(.logInit) }
        var logClose: Bool { flags.contains(.logClose) }
        /// True when its source translation came from the allocator (which it gives back when it
        /// leaves the table): the translation is the record's NAT source address and port.
        var allocated: Bool { flags.contains(.allocated) }

        /// True while its timeout is aggressive aging's `early-ageout`.
        var agingEarly: Bool {
            get { flags.contains(.agingEarly) }
            set { if newValue { flags.insert(.agingEarly) } else { flags.remove(.agingEarly) } }
        }

        /// True when its source was translated to its egress interface's address.
        var interfaceNAT: Bool {
            get { flags.contains(.interfaceNAT) }
            set { if newValue { flags.insert(.interfaceNAT) } else { flags.remove(.interfaceNAT) } }
        }

        /// The source NAT pool its source was translated from (its name's index).
        var sourceNATPool: NameTable.Index? { poolName == 0 ? nil : poolName }

        /// The allocator's translation it holds, if any.
        var allocation: SourcePortAllocator.Allocation? {
            guard allocated else { return nil }
            return SourcePortAllocator.Allocation(
                address: record.natSourceAddress, port: record.natSourcePort, ipProtocol: record.protocolID)
        }
    }

    var config: DeviceConfig
    /// The addresses of the units interface NAT has translated to, by unit name, as `config`
    /// has them: found once per unit (finding a unit parses its name and searches the
    /// interfaces), not per session. Emptied when the configuration changes.
    var unitAddressCache: [String: [IPAddress]] = [:]
    var classifier: FirstPacketClassifier
    var nat: NATRules
    private var allocator = SourcePortAllocator()
    var table: SessionTable<Session>
    /// The TCP state of the TCP sessions, apart from the table (``Session/tracker`` indexes it):
    /// a slot is reused through `freeTrackers` once its session leaves the table.
    var trackers: [TCPTracker] = []
    private var freeTrackers: [UInt32] = []
    /// The names the sessions' records refer to.
    var names = NameTable()
    /// The indices in `names` of the classifier's names, by id; renewed with the classifier.
    var internedNames = InternedNames()
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
    public private(set) var lastDisposition: PacketDisposition {
        get {
            if lastSession.isSet { return .session(id: lastSession.id, fromClient: lastSession.fromClient) }
            if let created = lastCreated {
                return .created(
                    id: created.id, policy: names[created.policy], fromZone: names[created.fromZone],
                    toZone: names[created.toZone])
            }
            return lastOther
        }
        set {
            if case .session(let id, let fromClient) = newValue {
                setLastSession(id, fromClient: fromClient)
            } else {
                lastOther = newValue
                lastCreated = nil
                lastSession.isSet = false
            }
        }
    }
    /// ``lastDisposition`` when it is ``PacketDisposition/session(id:fromClient:)``, as scalars:
    /// nearly every packet sets it, and assigning the enum (whose other cases hold strings)
    /// destroyed the previous value through its value witness each time.
    private var lastSession = (isSet: false, id: UInt32(0), fromClient: false)
    /// ``lastDisposition`` when it is ``PacketDisposition/created(id:policy:fromZone:toZone:)``
    /// and `lastSession` is not set: the session id and its record's name indices, as scalars
    /// (the enum's three strings were retained for every first packet, and the previous value
    /// destroyed).
    private var lastCreated: (id: UInt32, policy: NameTable.Index, fromZone: NameTable.Index, toZone: NameTable.Index)?
    /// ``lastDisposition`` when neither `lastSession` nor `lastCreated` is set.
    private var lastOther = PacketDisposition.dropped("none")

    @inline(__always)
    private mutating func setLastSession(_ id: UInt32, fromClient: Bool) {
        lastSession = (true, id, fromClient)
    }

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
        table = SessionTable(capacity: maximumSessions) { Session.wing($0, outWing: $1) }
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
        var events: [FlowEvent] = []
        process(packet, at: time, into: &events)
        return events
    }

    /// Processes one packet already read as a ``FlowPacket`` (its outer VLAN id apart).
    public mutating func process(_ flowPacket: FlowPacket, vlan: UInt16?, at time: Timestamp) -> [FlowEvent] {
        var events: [FlowEvent] = []
        process(flowPacket, vlan: vlan, at: time, into: &events)
        return events
    }

    /// ``process(_:at:)`` appending the events to `events`: a caller that processes many
    /// packets keeps one array (emptied as it consumes the events, keeping its capacity)
    /// instead of receiving one per packet that has events.
    public mutating func process(_ packet: DecodedPacket, at time: Timestamp, into events: inout [FlowEvent]) {
        process(FlowPacket(packet), vlan: packet.link.vlan?.outer, at: time, into: &events)
    }

    /// ``process(_:at:into:)`` for a TCP or UDP packet decoded to its ``FlowHeaders`` only
    /// (``PacketDecoder/decodeFlow(_:wireLength:)``, the replay's common path): the same events
    /// and state as processing the frame's ``DecodedPacket``.
    public mutating func process(_ headers: FlowHeaders, at time: Timestamp, into events: inout [FlowEvent]) {
        let (key, details) = FlowPacket.flow(of: headers)
        processFlow(key, details: details, vlan: headers.vlan, at: time, into: &events)
    }

    /// ``process(_:vlan:at:)`` appending the events to `events`.
    public mutating func process(_ flowPacket: FlowPacket, vlan: UInt16?, at time: Timestamp, into events: inout [FlowEvent]) {
        switch flowPacket {
        case .flow(let key, let details):
            processFlow(key, details: details, vlan: vlan, at: time, into: &events)
        case .icmpError(let quoted, _):
            advance(to: time, into: &events)
            // The session the error refers to, in either direction, ends with `ICMP error`.
            if let (handle, direction) = table.find(quoted) ?? table.find(quoted.reversed) {
                setLastSession(table.peek(handle) { $0.record.sessionID } ?? 0, fromClient: direction == .fromServer)
                end(handle, reason: .icmpError, removal: .now, at: time, events: &events)
                statistics.packetsForwarded &+= 1
            } else {
                drop("ICMP error for no session")
            }
        case .laterFragment:
            advance(to: time, into: &events)
            drop("fragment without reassembly")
        case .notIP:
            advance(to: time, into: &events)
            drop("not IP")
        }
    }

    /// A packet of a flow: timeouts due by `time` first, then its session's update, or a new
    /// session. The key and details are taken apart (not as a ``FlowPacket``) so the replay's
    /// common path passes them in registers rather than building the enum.
    @inline(__always)
    private mutating func processFlow(
        _ key: FlowKey, details: FlowPacketDetails, vlan: UInt16?, at time: Timestamp, into events: inout [FlowEvent]
    ) {
        advance(to: time, into: &events)
        if let (handle, direction) = table.find(PackedWingKey(WingKey(key)), wing: Session.wing) {
            update(handle, direction: direction, details: details, at: time, events: &events)
        } else {
            open(key, details: details, vlan: vlan, at: time, events: &events)
        }
    }

    /// Ages sessions out up to `time`: those idle past their timeout close with `idle
    /// Timeout` (at the moment their timeout ran out); ended ones leave the table.
    public mutating func advance(to time: Timestamp) -> [FlowEvent] {
        var events: [FlowEvent] = []
        advance(to: time, into: &events)
        return events
    }

    /// ``advance(to:)`` appending the events to `events`.
    public mutating func advance(to time: Timestamp, into events: inout [FlowEvent]) {
        // One comparison when nothing is due.
        while table.hasTimerDue(by: time), let (_, session, expiredAt) = table.removeNextExpired(now: time) {
            released(session)
            guard session.ended == nil else {
                endedSessionCount -= 1
                continue
            }
            closeEvent(session, reason: session.agingEarly ? .agedOut : .idleTimeout, at: expiredAt, events: &events)
        }
        updateAggressiveAging(at: time)
    }

    // MARK: - Aggressive aging

    /// Turns aggressive aging on when the table reaches `high-watermark` percent of its
    /// capacity (below 100: at 100 the feature is off, as in Junos) and off when it is back at
    /// `low-watermark`. Turning it on shortens every session's timeout to `early-ageout`
    /// seconds from its last packet.
    @inline(__always)
    private mutating func updateAggressiveAging(at time: Timestamp) {
        // Off and unconfigured (100: Junos's off) is the common case, inline: nothing to compute.
        if !aggressiveAging, config.flow.aging.highWatermark >= 100 { return }
        updateAggressiveAgingSlowly(at: time)
    }

    @inline(never)
    private mutating func updateAggressiveAgingSlowly(at time: Timestamp) {
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
    /// while aggressive aging is on and that is shorter. Static, with the engine's aging state
    /// passed in: an instance method called from a mutating one copies the engine (2 KiB).
    @inline(__always)
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

    /// A packet of an existing session: its TCP state, counters, last-seen time and timeout,
    /// and the session's end when the packet ends it.
    private mutating func update(
        _ handle: SessionHandle, direction: WingDirection, details: FlowPacketDetails, at time: Timestamp,
        events: inout [FlowEvent]
    ) {
        guard let (sessionID, ended, trackerNumber) = table.peek(handle, { ($0.record.sessionID, $0.ended != nil, $0.tracker) })
        else {
            setLastSession(0, fromClient: direction == .fromClient)
            return
        }
        setLastSession(sessionID, fromClient: direction == .fromClient)
        if ended {
            // A late packet of an ended session: let it through, keep nothing alive.
            statistics.packetsForwarded &+= 1
            return
        }
        // TCP state first: a dropped segment changes neither it nor the session.
        var timeout = TCPTracker.Timeout.inactivity
        var ending: (reason: CloseReason, removal: TCPTracker.Removal)?
        if let flags = details.tcpFlags, trackerNumber != 0 {
            var tracker = trackers[Int(trackerNumber) - 1]
            switch tracker.segment(fromClient: direction == .fromClient, flags: flags, payload: details.payload, tcp: details.tcp) {
            case .forward(let next): timeout = next
            case .drop(let reason): return drop(reason.rawValue)
            case .end(let reason, let removal): ending = (reason, removal)
            }
            trackers[Int(trackerNumber) - 1] = tracker
        }
        // The session is changed where it lies (no copy out and back), and its new expiry set
        // in the same access; what follows from the change (events, counters) happens after.
        let aggressive = aggressiveAging
        let early = config.flow.aging.earlyAgeout
        let ends = ending != nil
        // Each echo is its own session, ended by its reply.
        let echoAnswered = details.isEchoReply && direction == .fromServer
        _ = table.withSession(handle, now: time) { session -> ((), expiry: Int??) in
            if direction == .fromClient {
                session.client.count(bytes: details.ipBytes)
            } else {
                session.server.count(bytes: details.ipBytes)
            }
            // A session that ends is not kept alive: `end` sets its removal.
            if ends { return ((), nil) }
            session.lastSeen = time
            let inactivity = Self.inactivityTimeout(&session, aggressive: aggressive, earlyAgeout: early)
            if echoAnswered { return ((), nil) }
            if direction == .fromServer, session.record.protocolID == 17, session.record.natDestinationPort == 53 {
                // The DNS ALG ends a query's session soon after its answer: SRX logs show DNS
                // sessions closing with `idle Timeout` seconds after they start, not the UDP minute.
                timeout = .seconds(TCPTracker.invalidationDelay)
            }
            switch timeout {
            case .inactivity: return ((), .some(inactivity))
            case .seconds(let seconds): return ((), .some(seconds))
            case .unchanged: return ((), nil)
            }
        }
        statistics.packetsForwarded &+= 1
        if let ending {
            return end(handle, reason: ending.reason, removal: ending.removal, at: time, events: &events)
        }
        if echoAnswered {
            end(handle, reason: .responseReceived, removal: .after(TCPTracker.invalidationDelay), at: time, events: &events)
        }
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
        close.session = names.info(of: session.record)
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
        // Units and zones by id (``ZoneMap``, ``PolicyTable``): no name is hashed on this path.
        guard let ingressID = classifier.zones.ingressUnitID(source: key.source, vlan: vlan) else {
            return drop(FirstPacketResult.DropReason.noIngressInterface.rawValue)
        }
        guard let fromZoneID = classifier.zones.zoneID(ofUnit: ingressID) else {
            return drop(FirstPacketResult.DropReason.interfaceNotInZone.rawValue)
        }
        let ingress = classifier.zones.unitNames[Int(ingressID)]
        let fromZone = classifier.zones.zoneNumbering.names[Int(fromZoneID)]
        // Static or destination NAT first: the route and the policy see the translated destination.
        let destinationNAT = nat.destination(zone: fromZone, unit: ingress, key: key)
        var translated = key
        if let destinationNAT {
            translated.destination = destinationNAT.address
            if let port = destinationNAT.port { translated.destinationPort = port }
        }
        let egressUnitID: Int32?
        let egressUnit: String?
        let toZoneID: Int32
        switch classifier.zones.egressID(destination: translated.destination) {
        case .device:
            egressUnitID = nil
            egressUnit = nil
            // `junos-host` is zone 0 (``ZoneNumbering``).
            toZoneID = 0
        case .unit(let unit):
            guard let zone = classifier.zones.zoneID(ofUnit: unit) else {
                return drop(FirstPacketResult.DropReason.interfaceNotInZone.rawValue)
            }
            egressUnitID = unit
            egressUnit = classifier.zones.unitNames[Int(unit)]
            toZoneID = zone
        case .discard, .reject:
            return drop(FirstPacketResult.DropReason.routeDiscards.rawValue)
        case .noRoute:
            return drop(FirstPacketResult.DropReason.noRoute.rawValue)
        }
        let toZone = classifier.zones.zoneNumbering.names[Int(toZoneID)]
        let decision = classifier.policies.match(from: fromZoneID, to: toZoneID, key: translated)
        let policyName = classifier.policies.rtFlowName(of: decision)
        let policyID = UInt32(classifier.policies.policyID(of: decision))
        let logInit = exportAllSessions || classifier.policies.logsSessionInit(decision)
        let logClose = exportAllSessions || classifier.policies.logsSessionClose(decision)
        let verdict = classifier.policies.verdict(of: decision)

        guard verdict == .permit else {
            statistics.sessionsDenied &+= 1
            drop(verdict == .reject ? "rejected by policy" : "denied by policy")
            lastDisposition = .denied(policy: policyName, fromZone: fromZone, toZone: toZone)
            if logInit || logClose {
                var deny = SessionDeny()
                deny.sourceAddress = key.source
                deny.sourcePort = key.sourcePort
                deny.destinationAddress = key.destination
                deny.destinationPort = key.destinationPort
                deny.serviceName = classifier.policies.serviceName(of: decision)
                deny.protocolID = key.ipProtocol
                deny.icmpType = key.icmpType ?? 0
                deny.policyName = policyName
                deny.policyIndex = policyID
                deny.sourceZoneName = fromZone
                deny.destinationZoneName = toZone
                deny.packetIncomingInterface = ingress
                deny.action = verdict == .reject ? .reject : .deny
                events.append(FlowEvent(time: time, payload: .sessionDeny(deny)))
            }
            return
        }

        var tracker: TCPTracker?
        var initialTimeout: Int?
        if key.ipProtocol == 6, let flags = details.tcpFlags {
            let options = TCPSessionOptions(
                flow: config.flow.tcpSession, permit: classifier.policies.permitOptions(of: decision))
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
                    let own = egressUnit.flatMap { unitAddresses(of: $0).first { $0.isV4 == key.source.isV4 } }
                    addresses = own.map { [NATAddressRange(low: $0, high: $0)] } ?? []
                    translation = .automatic
                }
                let shard = self.shard
                let accept: ((IPAddress, UInt16) -> Bool)? =
                    shard.count == 1
                    ? nil
                    // Captured by value: capturing the variable `translated` would box it on the
                    // heap for every first packet, NAT or not.
                    : { [translated] address, port in
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

        let inactivity = decision.inactivity

        var record = SessionRecord()
        record.sourceAddress = key.source
        record.sourcePort = key.sourcePort
        record.destinationAddress = key.destination
        record.destinationPort = key.destinationPort
        record.serviceName = names.index(
            of: classifier.policies.serviceName(of: decision), id: (decision.application ?? -1) + 1,
            interned: &internedNames.services)
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
        record.policyName = names.index(
            of: policyName, id: (decision.policy ?? -1) + 1, interned: &internedNames.policies)
        record.policyIndex = policyID
        record.sourceZoneName = names.index(of: fromZone, id: Int(fromZoneID), interned: &internedNames.zones)
        record.destinationZoneName = names.index(of: toZone, id: Int(toZoneID), interned: &internedNames.zones)
        record.packetIncomingInterface = names.index(of: ingress, id: Int(ingressID), interned: &internedNames.units)
        // Without one (`junos-host`), the egress interface stays index 0, the empty name.
        if let egressUnitID, let egressUnit {
            record.egressInterface = names.index(of: egressUnit, id: Int(egressUnitID), interned: &internedNames.units)
        }

        // The Out wing: replies from the (translated) server to the (translated) client.
        let inWing = WingKey(key)
        let outWing = WingKey(
            source: translated.destination, destination: natSource, sourcePort: translated.destinationPort,
            destinationPort: natSourcePort, ipProtocol: key.ipProtocol)
        var session = Session(
            record: record, logInit: logInit, logClose: logClose, start: time, inactivity: inactivity,
            allocated: allocation != nil, sourceNATPool: sourceNATPool.map { names.index(of: $0, field: .pool) })
        if case .interface? = sourceNAT?.action { session.interfaceNAT = true }
        if let tracker { session.tracker = storeTracker(tracker) }
        let firstTimeout =
            initialTimeout
            ?? Self.inactivityTimeout(&session, aggressive: aggressiveAging, earlyAgeout: config.flow.aging.earlyAgeout)
        session.client.count(bytes: details.ipBytes)
        session.record.sessionID = nextSessionID
        session.record.timeoutSeconds = UInt32(clamping: initialTimeout ?? inactivity ?? 0)
        // `process` has just looked the In wing up and found no session.
        guard let handle = table.insertNew(session, clientToServer: inWing, serverToClient: outWing) else {
            if let allocation { allocator.release(allocation) }
            if session.tracker != 0 { freeTrackers.append(session.tracker - 1) }
            statistics.sessionsFailed &+= 1
            return drop(table.count >= table.capacity ? "session table full" : "wing in use")
        }
        // `.created(id: nextSessionID, policy: policyName, fromZone: fromZone, toZone: toZone)`,
        // by the record's indices of those names.
        lastCreated = (
            nextSessionID, session.record.policyName, session.record.sourceZoneName, session.record.destinationZoneName
        )
        lastSession.isSet = false
        let (next, overflow) = nextSessionID.addingReportingOverflow(UInt32(shard.count))
        nextSessionID = overflow ? UInt32(shard.index + 1) : next
        if shard.count > 1 { registerAway(inWing, outWing, added: true) }
        statistics.sessionsCreated &+= 1
        statistics.packetsForwarded &+= 1
        table.expire(handle, in: firstTimeout, now: time)
        updateAggressiveAging(at: time)
        if logInit { events.append(FlowEvent(time: time, payload: .sessionCreate(SessionCreate(session: names.info(of: session.record))))) }
    }

    // MARK: - Shards

    /// The addresses `config` gives the unit named `unit`, in order (none for an unknown unit).
    private mutating func unitAddresses(of unit: String) -> [IPAddress] {
        if let known = unitAddressCache[unit] { return known }
        let addresses = config.interfaceUnit(named: unit)?.addresses.map(\.address) ?? []
        unitAddressCache[unit] = addresses
        return addresses
    }

    /// Keeps a new session's TCP state in a free slot of ``trackers``; returns the session's
    /// ``Session/tracker`` (the slot plus one).
    private mutating func storeTracker(_ tracker: TCPTracker) -> UInt32 {
        if let slot = freeTrackers.popLast() {
            trackers[Int(slot)] = tracker
            return slot + 1
        }
        trackers.append(tracker)
        return UInt32(trackers.count)
    }

    /// Gives back what a session held once it leaves the table: its TCP state's slot, its NAT
    /// translation, and its redirected wings.
    private mutating func released(_ session: Session) {
        if session.tracker != 0 { freeTrackers.append(session.tracker - 1) }
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
