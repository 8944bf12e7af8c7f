import FlowtelCore

/// What a session keeps of its RT_FLOW identity, packed: addresses as two words each, names as
/// indices into the engine's ``NameTable``. About 130 bytes where a ``SessionInfo`` (some thirty
/// `String`s) takes over 600; the engine builds the `SessionInfo` only for an event or a
/// snapshot (``NameTable/info(of:)``), with exactly the fields it set when it kept one per
/// session.
struct SessionRecord: Sendable {
    private var source = (UInt64(0), UInt64(0))
    private var destination = (UInt64(0), UInt64(0))
    private var natSource = (UInt64(0), UInt64(0))
    private var natDestination = (UInt64(0), UInt64(0))
    var sourcePort: UInt16 = 0
    var destinationPort: UInt16 = 0
    var natSourcePort: UInt16 = 0
    var natDestinationPort: UInt16 = 0
    var sessionID: UInt32 = 0
    var policyIndex: UInt32 = 0
    var timeoutSeconds: UInt32 = 0
    var serviceName: NameTable.Index = 0
    var srcNatRuleName: NameTable.Index = 0
    var dstNatRuleName: NameTable.Index = 0
    var policyName: NameTable.Index = 0
    var sourceZoneName: NameTable.Index = 0
    var destinationZoneName: NameTable.Index = 0
    var packetIncomingInterface: NameTable.Index = 0
    var egressInterface: NameTable.Index = 0
    var protocolID: UInt8 = 0
    var srcNatRuleType: NatRuleType = .none
    var dstNatRuleType: NatRuleType = .none
    /// Bit n set: address n (source, destination, NAT source, NAT destination) is IPv4.
    private var v4: UInt8 = 0

    var sourceAddress: IPAddress {
        get { Self.unpack(source, v4: v4 & 1 != 0) }
        set { (source, v4) = Self.pack(newValue, bit: 1, in: v4) }
    }

    var destinationAddress: IPAddress {
        get { Self.unpack(destination, v4: v4 & 2 != 0) }
        set { (destination, v4) = Self.pack(newValue, bit: 2, in: v4) }
    }

    var natSourceAddress: IPAddress {
        get { Self.unpack(natSource, v4: v4 & 4 != 0) }
        set { (natSource, v4) = Self.pack(newValue, bit: 4, in: v4) }
    }

    var natDestinationAddress: IPAddress {
        get { Self.unpack(natDestination, v4: v4 & 8 != 0) }
        set { (natDestination, v4) = Self.pack(newValue, bit: 8, in: v4) }
    }

    /// The In wing: client to server, as the client sent it.
    var inWing: PackedWingKey {
        PackedWingKey(
            source: source, sourceIsV4: v4 & 1 != 0, destination: destination, destinationIsV4: v4 & 2 != 0,
            sourcePort: sourcePort, destinationPort: destinationPort, ipProtocol: protocolID)
    }

    /// The Out wing: replies from the (translated) server to the (translated) client.
    var outWing: PackedWingKey {
        PackedWingKey(
            source: natDestination, sourceIsV4: v4 & 8 != 0, destination: natSource, destinationIsV4: v4 & 4 != 0,
            sourcePort: natDestinationPort, destinationPort: natSourcePort, ipProtocol: protocolID)
    }

    private static func unpack(_ words: (UInt64, UInt64), v4: Bool) -> IPAddress {
        v4 ? .v4(UInt32(truncatingIfNeeded: words.1)) : .v6(high: words.0, low: words.1)
    }

    private static func pack(_ address: IPAddress, bit: UInt8, in flags: UInt8) -> ((UInt64, UInt64), UInt8) {
        switch address {
        case .v4(let value): ((0, UInt64(value)), flags | bit)
        case .v6(let high, let low): ((high, low), flags & ~bit)
        }
    }
}

/// The names sessions refer to (zones, policies, interfaces, applications, NAT rules and pools),
/// each stored once per engine and referred to by index. Index 0 is the empty name. Names are
/// never removed (a configuration has few; a reload adds its new ones).
struct NameTable: Sendable {
    /// A name's index.
    typealias Index = UInt32

    /// The fields a session names by string, each with a one-entry cache: consecutive sessions
    /// mostly name the same rules and pool, and comparing equal `String`s is cheap. (Zones,
    /// units, policies and applications are named by id: ``index(of:id:interned:)``.)
    enum Field: Int, CaseIterable {
        case sourceNATRule, destinationNATRule, pool
    }

    private var names: [String] = [""]
    private var indices: [String: Index] = ["": 0]
    private var recent = [(name: String, index: Index)](repeating: ("", 0), count: Field.allCases.count)

    /// The index of `name`, added when new.
    mutating func index(of name: String, field: Field) -> Index {
        if recent[field.rawValue].name == name { return recent[field.rawValue].index }
        let index = intern(name)
        recent[field.rawValue] = (name, index)
        return index
    }

    /// The index of `name`, which compiled id `id` stands for, remembered in `interned` at
    /// `id`: the first-packet path hashes each zone, unit, policy and application name once
    /// per configuration, not once per session.
    mutating func index(of name: String, id: Int, interned: inout [Index?]) -> Index {
        if id < interned.count, let known = interned[id] { return known }
        if id >= interned.count { interned += repeatElement(nil, count: id + 1 - interned.count) }
        let index = intern(name)
        interned[id] = index
        return index
    }

    private mutating func intern(_ name: String) -> Index {
        if let known = indices[name] { return known }
        let index = Index(names.count)
        let name = Self.compact(name)
        names.append(name)
        indices[name] = index
        return index
    }

    /// `name` as a small string (its bytes held in the `String` value itself) when it has at
    /// most 15 UTF-8 bytes: names built with reserved capacity or by appending stay heap
    /// strings however short, and every `SessionInfo` of every event retains and releases
    /// each heap string it holds, at every copy.
    private static func compact(_ name: String) -> String {
        name.utf8.count <= 15 ? String(decoding: name.utf8, as: UTF8.self) : name
    }

    /// The name at `index`.
    subscript(index: Index) -> String { names[Int(index)] }
}

/// The ``NameTable`` indices of a ``FirstPacketClassifier``'s names, by their ids: zones and
/// units as ``ZoneMap`` numbers them, policies as their ``PolicyMatch/policy`` plus one (0: the
/// default policy), services as their ``PolicyMatch/application`` plus one (0: `None`).
/// Valid for one classifier: a new configuration starts a new one.
struct InternedNames: Sendable {
    var zones: [NameTable.Index?] = []
    var units: [NameTable.Index?] = []
    var policies: [NameTable.Index?] = []
    var services: [NameTable.Index?] = []
}

extension NameTable {
    /// The `SessionInfo` of a session's record, as RT_FLOW reports it: the fields the engine
    /// sets, every other one at its default.
    func info(of record: SessionRecord) -> SessionInfo {
        // In one initializer: each field set on `SessionInfo()` destroyed its default first.
        SessionInfo(
            sourceAddress: record.sourceAddress, sourcePort: record.sourcePort,
            destinationAddress: record.destinationAddress, destinationPort: record.destinationPort,
            serviceName: self[record.serviceName], natSourceAddress: record.natSourceAddress,
            natSourcePort: record.natSourcePort, natDestinationAddress: record.natDestinationAddress,
            natDestinationPort: record.natDestinationPort, srcNatRuleType: record.srcNatRuleType,
            srcNatRuleName: self[record.srcNatRuleName], dstNatRuleType: record.dstNatRuleType,
            dstNatRuleName: self[record.dstNatRuleName], protocolID: record.protocolID,
            policyName: self[record.policyName], policyIndex: record.policyIndex,
            sourceZoneName: self[record.sourceZoneName], destinationZoneName: self[record.destinationZoneName],
            sessionID: record.sessionID, packetIncomingInterface: self[record.packetIncomingInterface],
            egressInterface: self[record.egressInterface], timeoutSeconds: record.timeoutSeconds)
    }
}
