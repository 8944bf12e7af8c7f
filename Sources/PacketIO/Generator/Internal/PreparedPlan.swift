import FlowtelCore

/// A validated ``TrafficPlan`` with what choosing a session needs precomputed: cumulative
/// weights, each flow's usable address families, each endpoint's pools split by family.
struct PreparedPlan: Sendable {
    let plan: TrafficPlan
    private let cumulativeWeights: [Int]
    private let totalWeight: Int
    /// Per flow: the families (true for IPv4) its sessions may use.
    let families: [[Bool]]
    /// Per endpoint: its IPv4 and IPv6 pools with a host that is not excluded.
    let v4Pools: [[IPPrefix]]
    let v6Pools: [[IPPrefix]]
    /// Per endpoint: the addresses never drawn.
    let excluded: [Set<IPAddress>]

    init(_ plan: TrafficPlan) throws(TrafficPlanError) {
        try plan.validate()
        self.plan = plan
        var sum = 0
        cumulativeWeights = plan.flows.map {
            sum += $0.weight
            return sum
        }
        totalWeight = sum
        families = plan.flows.map { $0.families(in: plan) }
        v4Pools = plan.endpoints.map { $0.usablePools(v4: true) }
        v6Pools = plan.endpoints.map { $0.usablePools(v4: false) }
        excluded = plan.endpoints.map { Set($0.excludedAddresses) }
    }

    /// A flow index, chosen with probability proportional to its weight.
    func pickFlow(_ random: inout GeneratorRandom) -> Int {
        let target = Int(random.below(UInt64(totalWeight)))
        // The first flow whose cumulative weight exceeds the target (weight-0 flows never are).
        var low = 0
        var high = cumulativeWeights.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulativeWeights[middle] > target { high = middle } else { low = middle + 1 }
        }
        return low
    }

    /// A host address drawn from one of `endpoint`'s pools of the family, never an excluded
    /// one (see ``PoolHosts/draw(_:lowHost:_:)`` for `lowHost`).
    func host(endpoint: Int, v4: Bool, lowHost: Bool, _ random: inout GeneratorRandom) -> IPAddress {
        let pools = v4 ? v4Pools[endpoint] : v6Pools[endpoint]
        let prefix = random.pick(pools)
        var address = PoolHosts.draw(prefix, lowHost: lowHost, &random)
        let excluded = excluded[endpoint]
        // An excluded address gives way to the next host up (wrapping); the pool has a host
        // that is not excluded, so this ends within `excluded.count` steps.
        while excluded.contains(address) { address = PoolHosts.next(after: address, in: prefix) }
        return address
    }
}

/// The hosts of a pool prefix: every address but an IPv4 network or broadcast address (both
/// addresses of a /31 are hosts, RFC 3021) and the IPv6 all-zeros subnet-router anycast
/// address; a host prefix is its one address.
enum PoolHosts {
    /// A host of `prefix` at random. `lowHost` draws IPv6 interface identifiers from
    /// ::1-::fff, as servers are numbered; clients get random identifiers, as SLAAC privacy
    /// addresses are.
    static func draw(_ prefix: IPPrefix, lowHost: Bool, _ random: inout GeneratorRandom) -> IPAddress {
        switch prefix.address {
        case .v4(let network):
            let hostBits = 32 - prefix.length
            switch hostBits {
            case 0: return prefix.address
            case 1: return .v4(network | UInt32(random.below(2)))
            default: return .v4(network + 1 + UInt32(random.below((UInt64(1) << hostBits) - 2)))
            }
        case .v6(let high, let low):
            let hostBits = 128 - prefix.length
            if hostBits == 0 { return prefix.address }
            if lowHost && hostBits >= 12 { return .v6(high: high, low: low | UInt64(random.int(1...0xFFF))) }
            let (highMask, lowMask) = masks(hostBits)
            var hostLow = random.next() & lowMask
            let hostHigh = random.next() & highMask
            if hostLow == 0 && hostHigh == 0 { hostLow = 1 }
            return .v6(high: high | hostHigh, low: low | hostLow)
        }
    }

    /// The host after `address` in `prefix`, wrapping from the last host to the first.
    static func next(after address: IPAddress, in prefix: IPPrefix) -> IPAddress {
        switch (address, prefix.address) {
        case (.v4(let value), .v4(let network)):
            let hostBits = 32 - prefix.length
            if hostBits == 0 { return address }
            let first = hostBits == 1 ? network : network + 1
            let last = hostBits == 1 ? network + 1 : network + UInt32((UInt64(1) << hostBits) - 2)
            return .v4(value >= last ? first : value + 1)
        case (.v6(let high, let low), .v6(let networkHigh, let networkLow)):
            let hostBits = 128 - prefix.length
            if hostBits == 0 { return address }
            let (highMask, lowMask) = masks(hostBits)
            // Add one to the host bits, carrying from the low half into the high half.
            var hostLow = (low & lowMask) &+ 1
            var hostHigh = high & highMask
            if hostLow & lowMask == 0 {
                hostLow = 0
                hostHigh = (hostHigh &+ 1) & highMask
            }
            if hostLow == 0 && hostHigh == 0 { hostLow = 1 }
            return .v6(high: networkHigh | hostHigh, low: networkLow | hostLow)
        default:
            return address
        }
    }

    /// True when every host of `prefix` is in `excluded`.
    static func allExcluded(_ prefix: IPPrefix, _ excluded: [IPAddress]) -> Bool {
        let inside = Set(excluded.filter { prefix.contains($0) })
        let hostBits = (prefix.address.isV4 ? 32 : 128) - prefix.length
        // More hosts than excluded addresses: some host is free.
        guard hostBits < 16, (1 << hostBits) <= inside.count + 2 else { return false }
        let first = next(after: prefix.address, in: prefix)
        var host = first
        repeat {
            if !inside.contains(host) { return false }
            host = next(after: host, in: prefix)
        } while host != first
        return true
    }

    private static func masks(_ hostBits: Int) -> (high: UInt64, low: UInt64) {
        let low: UInt64 = hostBits >= 64 ? ~0 : (UInt64(1) << hostBits) - 1
        let high: UInt64 = hostBits <= 64 ? 0 : (hostBits == 128 ? ~0 : (UInt64(1) << (hostBits - 64)) - 1)
        return (high, low)
    }
}
