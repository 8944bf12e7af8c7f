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

    private struct Key: Hashable {
        var address: IPAddress
        var ipProtocol: UInt8
    }

    private struct Endpoint: Hashable {
        var address: IPAddress
        var port: UInt16
        var ipProtocol: UInt8
    }

    /// In-use ports per (address, protocol): 65,536 bits each.
    private var inUse: [Key: [UInt64]] = [:]
    /// Each client endpoint's translation and how many sessions share it.
    private var mappings: [Endpoint: (allocation: Allocation, sessions: Int)] = [:]
    /// The client endpoint behind each translation.
    private var owners: [Allocation: Endpoint] = [:]

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
        let client = Endpoint(address: source, port: sourcePort, ipProtocol: ipProtocol)
        // Positions, not keys, once found: each key is hashed once.
        if let mapping = mappings.index(forKey: client), case let (existing, sessions) = mappings[mapping].value,
            Self.firstCandidate(in: addresses, where: { $0 == existing.address })
        {
            if translation == .none || accept?(existing.address, existing.port) ?? true {
                mappings.values[mapping] = (existing, sessions + 1)
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
        mappings[client] = (allocation, 1)
        owners[allocation] = client
        return allocation
    }

    private mutating func allocateNew(
        sourcePort: UInt16, ipProtocol: UInt8, addresses: [NATAddressRange], translation: SourceNATPool.PortTranslation,
        accept: ((IPAddress, UInt16) -> Bool)?
    ) -> Allocation? {
        var allocation: Allocation?
        _ = Self.firstCandidate(in: addresses) { address in
            // Mutated in place (the dictionary's modify accessor): no copy of the 8 KiB bitmap.
            let port: UInt16? = inUse[Key(address: address, ipProtocol: ipProtocol), default: Self.empty].withUnsafeMutableBufferPointer {
                bits in Self.take(sourcePort, translation: translation, in: bits, accept: accept.map { accept in { accept(address, $0) } })
            }
            allocation = port.map { Allocation(address: address, port: $0, ipProtocol: ipProtocol) }
            return allocation != nil
        }
        return allocation
    }

    private static let empty = [UInt64](repeating: 0, count: 1024)

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
        if let owner = owners.index(forKey: allocation), let mapping = mappings.index(forKey: owners[owner].value) {
            let sessions = mappings[mapping].value.sessions
            guard sessions <= 1 else {
                mappings.values[mapping] = (allocation, sessions - 1)
                return
            }
            mappings.remove(at: mapping)
            owners.remove(at: owner)
        }
        guard let bitmap = inUse.index(forKey: Key(address: allocation.address, ipProtocol: allocation.ipProtocol)) else {
            return
        }
        inUse.values[bitmap][Int(allocation.port) >> 6] &= ~(UInt64(1) << (UInt64(allocation.port) & 63))
    }

    /// Ports in use on `address` for `ipProtocol`.
    public func inUseCount(address: IPAddress, ipProtocol: UInt8) -> Int {
        (inUse[Key(address: address, ipProtocol: ipProtocol)] ?? []).reduce(0) { $0 + $1.nonzeroBitCount }
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
