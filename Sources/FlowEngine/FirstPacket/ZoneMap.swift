public import FlowtelCore
public import JunosConfig

/// Interface units and their zones: which unit a packet arrives on and leaves by, which zone
/// each unit is in, and which addresses are the device's own (zone `junos-host`).
///
/// Ingress, as DESIGN §5 has it: the unit whose `vlan-id` a tagged frame carries; otherwise
/// the unit a reply to the source would leave by (route lookup on the source). Egress: route
/// lookup on the destination.
public struct ZoneMap: Sendable {
    /// Unit name → zone name, for units bound to a zone.
    public let zoneOfUnit: [String: String]
    /// VLAN id → the units configured with it (one, unless several physical interfaces reuse it).
    public let unitsByVLAN: [UInt16: [String]]
    /// The device's own addresses (every unit address).
    public let deviceAddresses: Set<IPAddress>
    /// The routes, for ingress by source and egress by destination.
    public let routes: RouteTable

    /// Builds the map of `config`.
    public init(config: DeviceConfig) {
        var zoneOfUnit: [String: String] = [:]
        for zone in config.zones {
            for interface in zone.interfaces {
                zoneOfUnit[DeviceConfig.canonicalUnitName(interface.name)] = zone.name
            }
        }
        var unitsByVLAN: [UInt16: [String]] = [:]
        var addresses: Set<IPAddress> = []
        for interface in config.interfaces where !interface.isDisabled {
            for unit in interface.units {
                if let vlan = unit.vlanID { unitsByVLAN[vlan, default: []].append(unit.name) }
                for address in unit.addresses { addresses.insert(address.address) }
            }
        }
        self.zoneOfUnit = zoneOfUnit
        self.unitsByVLAN = unitsByVLAN
        deviceAddresses = addresses
        routes = RouteTable(config: config)
    }

    /// The unit a packet arrives on: by its VLAN tag when exactly one unit has that VLAN id
    /// (or when the route lookup on the source picks one of several), else by route lookup on
    /// the source. Nil when neither finds a unit (no route back to the source).
    public func ingressUnit(source: IPAddress, vlan: UInt16?) -> String? {
        let byRoute: String? = {
            guard case .unit(let unit) = routes.lookup(source)?.target else { return nil }
            return unit
        }()
        if let vlan, let candidates = unitsByVLAN[vlan] {
            if candidates.count == 1 { return candidates[0] }
            if let byRoute, candidates.contains(byRoute) { return byRoute }
            return candidates[0]
        }
        return byRoute
    }

    /// Where traffic to `destination` goes: the device itself, a unit, or nowhere.
    public func egress(destination: IPAddress) -> Egress {
        if deviceAddresses.contains(destination) { return .device }
        switch routes.lookup(destination)?.target {
        case .unit(let unit): return .unit(unit)
        case .discard: return .discard
        case .reject: return .reject
        case nil: return .noRoute
        }
    }

    /// The zone of `unit`, if it is bound to one.
    public func zone(ofUnit unit: String) -> String? { zoneOfUnit[unit] }

    /// Where a packet leaves.
    public enum Egress: Hashable, Sendable {
        /// Addressed to the device itself: zone `junos-host`.
        case device
        /// Out of this unit.
        case unit(String)
        /// A `discard` route.
        case discard
        /// A `reject` route.
        case reject
        /// No route matches.
        case noRoute
    }
}
