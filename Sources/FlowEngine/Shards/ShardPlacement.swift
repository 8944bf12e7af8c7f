public import FlowtelCore

/// Which SPU shard an engine is, out of how many.
public struct ShardPlacement: Hashable, Sendable {
    /// This shard, 0-based.
    public var index: Int
    /// How many shards share the traffic.
    public var count: Int

    /// Shard `index` of `count`.
    public init(index: Int, count: Int) {
        precondition(count > 0 && (0..<count).contains(index), "shard \(index) of \(count)")
        self.index = index
        self.count = count
    }

    /// The only shard.
    public static let single = ShardPlacement(index: 0, count: 1)
}

extension ShardHash {
    /// The shard of `count` a wing hashes to (see ``ShardHash``).
    public static func shard(_ wing: WingKey, identifierIsSource: Bool = true, count: Int) -> Int {
        shard(
            source: wing.source, destination: wing.destination, sourcePort: wing.sourcePort,
            destinationPort: wing.destinationPort, ipProtocol: wing.ipProtocol, identifierIsSource: identifierIsSource,
            count: count)
    }

    /// The wing a packet is dispatched by, and whether its echo identifier is its source port:
    /// the flow's own key, or for an ICMP error the packet it quotes. Nil for packets that are
    /// not part of any flow (not IP, later fragments): they may go anywhere.
    public static func dispatchWing(of packet: FlowPacket) -> (wing: WingKey, identifierIsSource: Bool)? {
        switch packet {
        case .flow(let key, let details): (WingKey(key), !details.isEchoReply)
        case .icmpError(let quoted, _): (quoted, true)
        case .laterFragment, .notIP: nil
        }
    }
}
