import FlowtelCore
public import JunosConfig

/// The addresses whose packets may belong to a session on another shard than their hash says:
/// replies from destination-NAT and static-NAT servers (their source is the translated
/// server), and replies to translations that keep the port (static NAT outbound, pools with
/// `port no-translation`), whose port cannot be picked to hash home.
///
/// Everything else reaches its owner by ``ShardHash`` alone: sessions without NAT hash the same
/// both ways, and port-translating source NAT picks ports whose replies hash home.
public struct RedirectCandidates: Sendable {
    /// Reply sources that may be redirected.
    public private(set) var sources: [NATAddressRange] = []
    /// Reply destinations that may be redirected.
    public private(set) var destinations: [NATAddressRange] = []

    /// The candidates of `config`'s NAT.
    public init(config: DeviceConfig) {
        for pool in config.nat.destinationPools {
            if let address = pool.address { sources.append(address) }
        }
        for pool in config.nat.sourcePools where pool.portTranslation == .none {
            destinations += pool.addresses
        }
        for ruleSet in config.nat.ruleSets(.static) {
            for rule in ruleSet.rules {
                switch rule.action {
                case .staticPrefix(let inside, _):
                    sources.append(NATAddressRange(prefix: inside))
                case .staticPrefixName(let name):
                    if case .prefix(let inside)? = config.resolveAddresses(name, zone: nil)?.first?.value {
                        sources.append(NATAddressRange(prefix: inside))
                    }
                default:
                    continue
                }
                destinations += rule.match.destinationAddresses.map { NATAddressRange(prefix: $0) }
            }
        }
    }

    /// True when the configuration has no such address (no lookup is ever needed).
    public var isEmpty: Bool { sources.isEmpty && destinations.isEmpty }

    /// True when a packet of `wing` may belong to a session on another shard.
    public func mayBeRedirected(_ wing: WingKey) -> Bool {
        sources.contains { Self.contains($0, wing.source) } || destinations.contains { Self.contains($0, wing.destination) }
            || sources.contains { Self.contains($0, wing.destination) }
            || destinations.contains { Self.contains($0, wing.source) }
    }

    private static func contains(_ range: NATAddressRange, _ address: IPAddress) -> Bool {
        switch (range.low, range.high, address) {
        case (.v4(let low), .v4(let high), .v4(let value)):
            return low <= value && value <= high
        case (.v6(let lowHigh, let lowLow), .v6(let highHigh, let highLow), .v6(let high, let low)):
            return (lowHigh, lowLow) <= (high, low) && (high, low) <= (highHigh, highLow)
        default:
            return false
        }
    }
}
