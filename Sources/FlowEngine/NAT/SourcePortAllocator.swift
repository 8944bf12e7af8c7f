public import FlowtelCore
public import JunosConfig

/// Allocates translated source addresses and ports for source NAT, and frees them when their
/// session ends.
///
/// - Port translation (interface NAT, pools without `port no-translation`): a port of the
///   pool's range (1024-65535 by default) on one of its addresses. The first choice is the
///   session's own source port when it is in the range, else the port ``preferredPort(for:in:)``
///   maps it to; then the next free one, wrapping. The first choice being a function of the
///   client's port lets a capture taken on both sides of the device (whose replies already
///   carry the translated port) match, and lets the traffic generator predict it.
/// - `port no-translation`: the port is kept and the first pool address on which that port is
///   free (for the protocol) is taken.
/// - A pool's addresses are used in order: the first until it has no free port (for the
///   protocol, or for the client's port with `no-translation`), then the next. Predictable, so
///   the traffic generator can address replies as the device would.
/// - Sessions of one client endpoint share its translation (endpoint-independent mapping): a
///   second session from the same address and port to another destination, or the next echo
///   of a ping (same identifier, another sequence), gets the same translated address and port.
///   The translation is freed when its last session releases it.
///
/// Exhaustion returns nil: the session fails (an SRX counts it and drops the packet).
/// Not thread-safe: one allocator per shard, or per engine.
public struct SourcePortAllocator: Sendable {
    /// An allocation, to be given back with ``release(_:)``.
    public struct Allocation: Hashable, Sendable {
        /// The translated source address.
        public var address: IPAddress
        /// The translated source port.
        public var port: UInt16
        /// The protocol the port belongs to.
        public var ipProtocol: UInt8
    }

    /// In-use ports per (address, protocol): 65,536 bits each, ``bitmapWords`` words from the
    /// offset `bitmapOffsets` maps the address and protocol (port 0) to.
    private var bitmaps: [UInt64] = []
    private var bitmapOffsets = EndpointMap<Int>()
    /// Each client endpoint's translation and how many sessions share it.
    private var mappings = EndpointMap<(allocation: Allocation, sessions: Int)>()
    /// The client endpoint behind each translation.
    private var owners = EndpointMap<EndpointKey>()

    private static let bitmapWords = 1024

    /// An empty allocator.
    public init() {}

    /// Allocates for a flow from `source`:`sourcePort` over `ipProtocol` onto one of
    /// `addresses` (the interface's address, or a pool's ranges), with `translation` deciding
    /// the port. With `accept`, a translated port is only taken when `accept(address, port)`
    /// holds (a sharded engine takes only ports whose replies hash to its own shard; `port
    /// no-translation` keeps the port whatever it says). Nil when every candidate is in use.
    public mutating func allocate(
        source: IPAddress, sourcePort: UInt16, ipProtocol: UInt8, addresses: [NATAddressRange],
        translation: SourceNATPool.PortTranslation, accept: ((IPAddress, UInt16) -> Bool)? = nil
    ) -> Allocation? {
        let client = EndpointKey(address: source, port: sourcePort, ipProtocol: ipProtocol)
        // Positions, not keys, once found: each key is hashed once.
        if let mapping = mappings.find(client), case let (existing, sessions) = mappings[mapping],
            Self.firstCandidate(in: addresses, where: { $0 == existing.address })
        {
            if translation == .none || accept?(existing.address, existing.port) ?? true {
                mappings[mapping] = (existing, sessions + 1)
                return existing
            }
            // The shared translation's replies would reach another shard: this session gets
            // a port of its own, outside the mapping.
            return allocateNew(
                sourcePort: sourcePort, ipProtocol: ipProtocol, addresses: addresses, translation: translation,
                accept: accept)
        }
        guard let allocation = allocateNew(
            sourcePort: sourcePort, ipProtocol: ipProtocol, addresses: addresses, translation: translation,
            accept: accept)
        else { return nil }
        // A new client, or one whose mapping the pool no longer covers (replaced).
        mappings.set(client, (allocation, 1))
        owners.set(EndpointKey(allocation), client)
        return allocation
    }

    private mutating func allocateNew(
        sourcePort: UInt16, ipProtocol: UInt8, addresses: [NATAddressRange], translation: SourceNATPool.PortTranslation,
        accept: ((IPAddress, UInt16) -> Bool)?
    ) -> Allocation? {
        var allocation: Allocation?
        _ = Self.firstCandidate(in: addresses) { address in
            let offset = bitmapOffset(address: address, ipProtocol: ipProtocol)
            let port: UInt16? = bitmaps.withUnsafeMutableBufferPointer { words in
                let bits = UnsafeMutableBufferPointer(rebasing: words[offset..<offset + Self.bitmapWords])
                return Self.take(sourcePort, translation: translation, in: bits, accept: accept.map { accept in { accept(address, $0) } })
            }
            allocation = port.map { Allocation(address: address, port: $0, ipProtocol: ipProtocol) }
            return allocation != nil
        }
        return allocation
    }

    /// Where the bitmap of `address` and `ipProtocol` starts in ``bitmaps``, added when new.
    private mutating func bitmapOffset(address: IPAddress, ipProtocol: UInt8) -> Int {
        let key = EndpointKey(address: address, port: 0, ipProtocol: ipProtocol)
        if let position = bitmapOffsets.find(key) { return bitmapOffsets[position] }
        let offset = bitmaps.count
        bitmaps += repeatElement(0, count: Self.bitmapWords)
        bitmapOffsets.set(key, offset)
        return offset
    }

    /// Marks and returns the port `translation` gives `sourcePort` in `bits`, or nil when none
    /// is free.
    private static func take(
        _ sourcePort: UInt16, translation: SourceNATPool.PortTranslation, in bits: UnsafeMutableBufferPointer<UInt64>,
        accept: ((UInt16) -> Bool)?
    ) -> UInt16? {
        func isFree(_ port: UInt16) -> Bool { bits[Int(port) >> 6] & (UInt64(1) << (UInt64(port) & 63)) == 0 }
        func mark(_ port: UInt16) { bits[Int(port) >> 6] |= UInt64(1) << (UInt64(port) & 63) }
        let range: PortRange
        switch translation {
        case .none:
            guard isFree(sourcePort) else { return nil }
            mark(sourcePort)
            return sourcePort
        case .automatic: range = PortRange(1024, 65535)
        case .range(let configured): range = configured
        }
        let span = Int(range.upper) - Int(range.lower) + 1
        let start = Int(preferredPort(for: sourcePort, in: range)) - Int(range.lower)
        for offset in 0..<span {
            let port = UInt16(Int(range.lower) + (start + offset) % span)
            if isFree(port), accept?(port) ?? true {
                mark(port)
                return port
            }
        }
        return nil
    }

    /// The translated port tried first for a client port: itself when `range` holds it, else
    /// the port at the same place modulo the range's size.
    public static func preferredPort(for port: UInt16, in range: PortRange) -> UInt16 {
        if range.contains(port) { return port }
        let span = Int(range.upper) - Int(range.lower) + 1
        return UInt16(Int(range.lower) + Int(port) % span)
    }

    /// Gives a session's allocation back; the translation is freed with its last session.
    public mutating func release(_ allocation: Allocation) {
        // Positions, not keys, once found: each key is hashed once.
        let key = EndpointKey(allocation)
        if let owner = owners.find(key), let mapping = mappings.find(owners[owner]) {
            let sessions = mappings[mapping].sessions
            guard sessions <= 1 else {
                mappings[mapping] = (allocation, sessions - 1)
                return
            }
            mappings.remove(at: mapping)
            owners.remove(at: owner)
        }
        let bitmapKey = EndpointKey(address: allocation.address, port: 0, ipProtocol: allocation.ipProtocol)
        guard let bitmap = bitmapOffsets.find(bitmapKey) else { return }
        bitmaps[bitmapOffsets[bitmap] + Int(allocation.port) >> 6] &= ~(UInt64(1) << (UInt64(allocation.port) & 63))
    }

    /// Ports in use on `address` for `ipProtocol`.
    public func inUseCount(address: IPAddress, ipProtocol: UInt8) -> Int {
        let bitmapKey = EndpointKey(address: address, port: 0, ipProtocol: ipProtocol)
        guard let bitmap = bitmapOffsets.find(bitmapKey) else { return 0 }
        let offset = bitmapOffsets[bitmap]
        return bitmaps[offset..<offset + Self.bitmapWords].reduce(0) { $0 + $1.nonzeroBitCount }
    }

    /// The most addresses of a pool used: a pool larger than that is used by its first 4,096.
    static let addressLimit = 4096

    /// Offers `body` the pool's addresses in order, at most ``addressLimit`` of them, until it
    /// accepts one (returns true); whether it did. Walks the ranges without listing them.
    static func firstCandidate(in ranges: [NATAddressRange], where body: (IPAddress) -> Bool) -> Bool {
        var offered = 0
        for range in ranges {
            var address = range.low
            while offered < addressLimit {
                offered += 1
                if body(address) { return true }
                guard address != range.high, let next = successor(address) else { break }
                address = next
            }
        }
        return false
    }

    private static func successor(_ address: IPAddress) -> IPAddress? {
        switch address {
        case .v4(let value): value == .max ? nil : .v4(value + 1)
        case .v6(let high, let low):
            low == .max ? (high == .max ? nil : .v6(high: high + 1, low: 0)) : .v6(high: high, low: low + 1)
        }
    }
}

/// An address, port and protocol packed in three words: the key of ``EndpointMap``.
struct EndpointKey: Equatable, Sendable {
    fileprivate var high: UInt64
    fileprivate var low: UInt64
    /// Bit 63 set (an entry in use), bit 32 set for IPv4, the protocol in bits 16-23 and the port
    /// in bits 0-15.
    fileprivate var rest: UInt64

    init(address: IPAddress, port: UInt16, ipProtocol: UInt8) {
        switch address {
        case .v4(let value):
            (high, low) = (0, UInt64(value))
            rest = 1 << 63 | 1 << 32
        case .v6(let h, let l):
            (high, low) = (h, l)
            rest = 1 << 63
        }
        rest |= UInt64(ipProtocol) << 16 | UInt64(port)
    }

    init(_ allocation: SourcePortAllocator.Allocation) {
        self.init(address: allocation.address, port: allocation.port, ipProtocol: allocation.ipProtocol)
    }

    fileprivate static let empty = EndpointKey(high: 0, low: 0, rest: 0)

    private init(high: UInt64, low: UInt64, rest: UInt64) {
        self.high = high
        self.low = low
        self.rest = rest
    }

    /// Multiply-xorshift mixing of the words (no per-process seed: nothing iterates the map).
    @inline(__always)
    fileprivate var hash: UInt64 {
        var h = (rest ^ high) &* 0x9E37_79B9_7F4A_7C15
        h = (h ^ (h >> 31) ^ low) &* 0x94D0_49BB_1331_11EB
        h ^= h >> 29
        h &*= 0xBF58_476D_1CE4_E5B9
        return h ^ (h >> 32)
    }
}

/// A map from ``EndpointKey`` to `Value`: open addressing with linear probing, removal by
/// backward shift (no markers, which churn would pile up), growing by doubling at three
/// quarters full. What the allocator's dictionaries were, without SipHash and without the
/// rehashing of every later entry a `Dictionary` removal does. Positions returned by
/// ``find(_:)`` are valid until the next insertion or removal.
struct EndpointMap<Value: Sendable>: Sendable {
    private var keys: [EndpointKey] = []
    private var values: [Value?] = []
    private var live = 0

    /// The position of `key`, or nil.
    @inline(__always)
    func find(_ key: EndpointKey) -> Int? {
        guard !keys.isEmpty else { return nil }
        return keys.withUnsafeBufferPointer { keys in
            let mask = keys.count - 1
            var position = Int(truncatingIfNeeded: key.hash) & mask
            while true {
                let candidate = keys[position]
                if candidate == key { return position }
                if candidate.rest == 0 { return nil }
                position = (position + 1) & mask
            }
        }
    }

    /// The value at a position ``find(_:)`` returned.
    subscript(position: Int) -> Value {
        get { values[position]! }
        set { values[position] = newValue }
    }

    /// Sets the value of `key`, adding it when new.
    mutating func set(_ key: EndpointKey, _ value: Value) {
        if let position = find(key) {
            values[position] = value
            return
        }
        if (live + 1) * 4 > keys.count * 3 { grow() }
        let position = freePosition(for: key)
        keys[position] = key
        values[position] = value
        live += 1
    }

    /// Removes the entry at a position ``find(_:)`` returned.
    mutating func remove(at position: Int) {
        let mask = keys.count - 1
        // Backward shift: each later entry of the run moves into the hole when the hole lies
        // between its home position and where it is, so probes from home still reach it.
        var hole = position
        var next = (position + 1) & mask
        while keys[next].rest != 0 {
            let home = Int(truncatingIfNeeded: keys[next].hash) & mask
            if (next &- home) & mask >= (next &- hole) & mask {
                keys[hole] = keys[next]
                values[hole] = values[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        keys[hole] = .empty
        values[hole] = nil
        live -= 1
    }

    private func freePosition(for key: EndpointKey) -> Int {
        let mask = keys.count - 1
        var position = Int(truncatingIfNeeded: key.hash) & mask
        while keys[position].rest != 0 { position = (position + 1) & mask }
        return position
    }

    private mutating func grow() {
        let (oldKeys, oldValues) = (keys, values)
        let count = oldKeys.isEmpty ? 64 : oldKeys.count * 2
        keys = [EndpointKey](repeating: .empty, count: count)
        values = [Value?](repeating: nil, count: count)
        for index in oldKeys.indices where oldKeys[index].rest != 0 {
            let position = freePosition(for: oldKeys[index])
            keys[position] = oldKeys[index]
            values[position] = oldValues[index]
        }
    }
}
