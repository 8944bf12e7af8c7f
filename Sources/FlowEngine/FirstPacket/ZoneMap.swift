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

    // The first-packet path's view of the same map, by id: units numbered in `unitNames`,
    // zones as ``ZoneNumbering`` numbers them (as the ``PolicyTable`` does), so the flow
    // engine looks units and zones up by array index instead of hashing their names.

    /// The zone ids.
    let zoneNumbering: ZoneNumbering
    /// Unit names by unit id: every unit a zone, an interface or a route names.
    let unitNames: [String]
    /// The zone id of each unit; -1 for a unit in no zone.
    private let zoneOfUnitID: [Int32]
    /// `unitsByVLAN` as unit ids.
    private let unitIDsByVLAN: [UInt16: [Int32]]
    /// The target of each route of `routes`: a unit id, or ``discardTarget`` or ``rejectTarget``.
    private let routeTargets: [Int32]
    /// The device's own IPv4 addresses, sorted (a binary search, where the set hashes).
    private let deviceV4: [UInt32]

    private static var discardTarget: Int32 { -1 }
    private static var rejectTarget: Int32 { -2 }

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

        let zoneNumbering = ZoneNumbering(config: config)
        var unitNames: [String] = []
        var unitIDs: [String: Int32] = [:]
        func unitID(_ name: String) -> Int32 {
            if let known = unitIDs[name] { return known }
            unitIDs[name] = Int32(unitNames.count)
            unitNames.append(name)
            return Int32(unitNames.count - 1)
        }
        unitIDsByVLAN = unitsByVLAN.mapValues { $0.map(unitID) }
        routeTargets = routes.routes.map { route in
            switch route.target {
            case .unit(let unit): unitID(unit)
            case .discard: Self.discardTarget
            case .reject: Self.rejectTarget
            }
        }
        // A zone's units that no interface or route names are numbered too (in a fixed order).
        for unit in zoneOfUnit.keys.sorted() { _ = unitID(unit) }
        var zoneOfUnitID = [Int32](repeating: -1, count: unitNames.count)
        for (unit, zone) in zoneOfUnit {
            // Every zone of the configuration is numbered.
            zoneOfUnitID[Int(unitIDs[unit]!)] = zoneNumbering.id(of: zone)!
        }
        self.zoneNumbering = zoneNumbering
        self.unitNames = unitNames
        self.zoneOfUnitID = zoneOfUnitID
        deviceV4 = addresses.compactMap { address in
            guard case .v4(let value) = address else { return nil }
            return value
        }.sorted()
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

    /// ``ingressUnit(source:vlan:)`` as a unit id.
    func ingressUnitID(source: IPAddress, vlan: UInt16?) -> Int32? {
        let byRoute = routes.lookupIndex(source).flatMap { routeTargets[$0] >= 0 ? routeTargets[$0] : nil }
        if let vlan, let candidates = unitIDsByVLAN[vlan] {
            if candidates.count == 1 { return candidates[0] }
            if let byRoute, candidates.contains(byRoute) { return byRoute }
            return candidates[0]
        }
        return byRoute
    }

    /// Where traffic to `destination` goes, ``egress(destination:)`` with the unit as an id.
    func egressID(destination: IPAddress) -> EgressID {
        if isDeviceAddress(destination) { return .device }
        guard let route = routes.lookupIndex(destination) else { return .noRoute }
        switch routeTargets[route] {
        case Self.discardTarget: return .discard
        case Self.rejectTarget: return .reject
        case let unit: return .unit(unit)
        }
    }

    /// The zone id of unit `unit`, if it is bound to one.
    func zoneID(ofUnit unit: Int32) -> Int32? {
        let zone = zoneOfUnitID[Int(unit)]
        return zone < 0 ? nil : zone
    }

    /// True for one of the device's own addresses.
    private func isDeviceAddress(_ address: IPAddress) -> Bool {
        guard case .v4(let value) = address else { return deviceAddresses.contains(address) }
        var low = 0
        var high = deviceV4.count
        while low < high {
            let middle = (low + high) / 2
            if deviceV4[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low < deviceV4.count && deviceV4[low] == value
    }

    /// ``Egress`` with the unit as an id.
    enum EgressID {
        case device
        case unit(Int32)
        case discard
        case reject
        case noRoute
    }

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
