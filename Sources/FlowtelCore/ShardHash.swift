/// The dispatch hash of flow-engine shards (SPUs): the same for both directions of a flow, so
/// that a session's packets (its In wing, its Out wing without NAT, and its reversed In wing in
/// captures taken before NAT) all reach the shard that owns it.
///
/// Deterministic across runs and machines (no per-process seed): a session lands on the same
/// shard every time, which keeps replays reproducible and lets the traffic generator predict
/// the ports a sharded engine translates to. ICMP hashes by the addresses and the echo
/// identifier, not the sequence number, so every echo of one ping goes to one shard, as the
/// shared source-NAT translation of its identifier requires.
public enum ShardHash {
    /// The hash of one direction of a flow; for ICMP, `identifierIsSource` says whether the echo
    /// identifier is `sourcePort` (requests) or `destinationPort` (replies).
    public static func value(
        source: IPAddress, destination: IPAddress, sourcePort: UInt16, destinationPort: UInt16, ipProtocol: UInt8,
        identifierIsSource: Bool = true
    ) -> UInt64 {
        let (a, b) = (words(source), words(destination))
        let isICMP = ipProtocol == 1 || ipProtocol == 58
        var low = (a, isICMP ? 0 : sourcePort)
        var high = (b, isICMP ? 0 : destinationPort)
        if (high.0.0, high.0.1, high.1) < (low.0.0, low.0.1, low.1) { swap(&low, &high) }
        var hash = mix(UInt64(ipProtocol) &+ 0x9E37_79B9_7F4A_7C15)
        hash = mix(hash ^ low.0.0)
        hash = mix(hash ^ low.0.1)
        hash = mix(hash ^ (UInt64(low.1) << 16 | UInt64(high.1)))
        hash = mix(hash ^ high.0.0)
        hash = mix(hash ^ high.0.1)
        if isICMP { hash = mix(hash ^ UInt64(identifierIsSource ? sourcePort : destinationPort)) }
        return hash
    }

    /// The shard of `count` that one direction of a flow hashes to.
    public static func shard(
        source: IPAddress, destination: IPAddress, sourcePort: UInt16, destinationPort: UInt16, ipProtocol: UInt8,
        identifierIsSource: Bool = true, count: Int
    ) -> Int {
        guard count > 1 else { return 0 }
        let hash = value(
            source: source, destination: destination, sourcePort: sourcePort, destinationPort: destinationPort,
            ipProtocol: ipProtocol, identifierIsSource: identifierIsSource)
        return Int(hash % UInt64(count))
    }

    /// The translated source port a sharded engine gives a session: the first port from
    /// `preferred` on, wrapping within `range`, whose replies (from `server`:`serverPort` to
    /// `address`:port) hash to the shard the session's first packet (from `client`:`clientPort`
    /// to `originalServer`:`originalServerPort`) hashes to. `preferred` itself with one shard.
    /// Ports in use are the engine's business; this is the choice when they are all free.
    public static func translatedPort(
        preferred: UInt16, range: ClosedRange<UInt16>, client: IPAddress, clientPort: UInt16, originalServer: IPAddress,
        originalServerPort: UInt16, server: IPAddress, serverPort: UInt16, address: IPAddress, ipProtocol: UInt8,
        count: Int
    ) -> UInt16 {
        guard count > 1 else { return preferred }
        let owner = shard(
            source: client, destination: originalServer, sourcePort: clientPort, destinationPort: originalServerPort,
            ipProtocol: ipProtocol, count: count)
        let span = Int(range.upperBound) - Int(range.lowerBound) + 1
        let start = Int(preferred) - Int(range.lowerBound)
        for offset in 0..<span {
            let port = UInt16(Int(range.lowerBound) + (start + offset) % span)
            let home = shard(
                source: server, destination: address, sourcePort: serverPort, destinationPort: port, ipProtocol: ipProtocol,
                identifierIsSource: false, count: count)
            if home == owner { return port }
        }
        return preferred
    }

    private static func words(_ address: IPAddress) -> (UInt64, UInt64) {
        switch address {
        case .v4(let value): (0, UInt64(value))
        case .v6(let high, let low): (high, low)
        }
    }

    /// splitmix64's finaliser.
    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
