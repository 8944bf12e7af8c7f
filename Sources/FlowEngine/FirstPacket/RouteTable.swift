public import FlowtelCore
public import JunosConfig

/// Where a destination is reached, by longest-prefix match over the device's connected
/// subnets and static routes (`routing-options static`, `rib inet6.0 static`).
///
/// Built once per configuration; a lookup scans the routes most specific first (a device has
/// tens) and does not allocate.
public struct RouteTable: Sendable {
    /// What a route does with traffic to its prefix.
    public enum Target: Hashable, Sendable {
        /// Forwarded out of this interface unit (a connected subnet, a next hop reachable
        /// through it, or an interface route).
        case unit(String)
        /// `discard`: dropped silently.
        case discard
        /// `reject`: dropped, answered with an ICMP unreachable.
        case reject
    }

    /// A route as the table holds it.
    public struct Route: Hashable, Sendable {
        /// The destination prefix.
        public var prefix: IPPrefix
        /// Where it leads.
        public var target: Target
        /// True for a connected subnet (preferred over a static route of the same length).
        public var isConnected: Bool
    }

    /// Routes, most specific first (connected before static at equal length).
    public private(set) var routes: [Route] = []
    /// The IPv4 routes of `routes`, in order, as network and mask words with their index in
    /// `routes`: an IPv4 lookup compares words instead of building and comparing addresses.
    private var v4Routes: [(network: UInt32, mask: UInt32, index: Int)] = []

    /// Builds the table of `config`. A static route whose next hops lie in no connected
    /// subnet cannot be resolved and is left out.
    public init(config: DeviceConfig) {
        var routes: [Route] = []
        for interface in config.interfaces where !interface.isDisabled {
            for unit in interface.units {
                for address in unit.addresses {
                    routes.append(Route(prefix: address.subnet, target: .unit(unit.name), isConnected: true))
                }
            }
        }
        let connected = routes
        for route in config.staticRoutes {
            let target: Target?
            switch route.action {
            case .discard: target = .discard
            case .reject: target = .reject
            case .interface(let name): target = .unit(DeviceConfig.canonicalUnitName(name))
            case .forward(let hops):
                // The first next hop that a connected subnet reaches (the preferred one).
                target = hops.lazy.compactMap { hop in
                    connected.filter { $0.prefix.contains(hop) }.max { $0.prefix.length < $1.prefix.length }?.target
                }.first
            }
            if let target { routes.append(Route(prefix: route.destination, target: target, isConnected: false)) }
        }
        self.routes = routes.enumerated().sorted { lhs, rhs in
            if lhs.element.prefix.length != rhs.element.prefix.length {
                return lhs.element.prefix.length > rhs.element.prefix.length
            }
            if lhs.element.isConnected != rhs.element.isConnected { return lhs.element.isConnected }
            return lhs.offset < rhs.offset
        }.map(\.element)
        for (index, route) in self.routes.enumerated() {
            guard case .v4(let network) = route.prefix.address else { continue }
            let length = route.prefix.length
            v4Routes.append((network, length == 0 ? 0 : ~UInt32(0) << (32 - length), index))
        }
    }

    /// The route to `address`, if any.
    public func lookup(_ address: IPAddress) -> Route? {
        lookupIndex(address).map { routes[$0] }
    }

    /// The index in ``routes`` of the route to `address`, if any.
    func lookupIndex(_ address: IPAddress) -> Int? {
        guard case .v4(let value) = address else { return routes.firstIndex { $0.prefix.contains(address) } }
        return v4Routes.first { value & $0.mask == $0.network }?.index
    }
}
