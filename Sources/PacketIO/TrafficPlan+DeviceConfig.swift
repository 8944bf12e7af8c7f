import FlowtelCore
public import JunosConfig

extension TrafficPlan {
    /// The traffic a device with this configuration sees: for every zone-pair and global
    /// policy, sessions between hosts its match admits, with its applications, answered when
    /// it permits, unanswered when it denies and refused when it rejects; and, for zone pairs
    /// no policy covers, sessions the default policy decides.
    ///
    /// - Endpoints are the zones' interface units (with their VLAN ids) with address pools:
    ///   the policy's resolved addresses when they are prefixes, otherwise the unit's subnets;
    ///   the zone holding the default route stands for the internet and gets public server
    ///   pools that overlap nothing configured.
    /// - Applications map to what the generator can play: TCP to the application's first
    ///   destination port (FIN close, and an RST-closed variant), DNS and NTP on ports 53 and
    ///   123, other UDP as generic payloads, ICMP and ICMPv6 echo. `any` stands for a mix of
    ///   HTTPS, HTTP, DNS and ping. Protocols the generator cannot play (GRE, ESP…) are skipped.
    /// - NAT: a destination NAT pool or static NAT target among the policy's destinations makes
    ///   clients address the public address (and port) the rule translates from, and the
    ///   server the pool's host; a source NAT rule (interface or pool; `off` stops) or the
    ///   reverse of a static NAT makes the server side answer the translated address. Ports
    ///   of source NAT are kept.
    /// - Sessions to `junos-host` are skipped (the device itself answers those).
    ///
    /// - Throws: ``TrafficPlanError`` with code ``TrafficPlanError/Code/noFlows`` when the
    ///   configuration yields no playable session (no zones with addressed interfaces, say).
    public init(config: DeviceConfig) throws(TrafficPlanError) {
        var planner = ConfigTrafficPlanner(config: config)
        planner.plan()
        self.init(endpoints: planner.endpoints, flows: planner.flows)
        guard !flows.isEmpty else {
            throw TrafficPlanError(
                .noFlows,
                "the configuration yields no session to generate: it needs security zones whose interface units have addresses"
            )
        }
        try validate()
    }
}

/// Builds a ``TrafficPlan`` from a ``DeviceConfig``; see ``TrafficPlan/init(config:)``.
struct ConfigTrafficPlanner {
    let config: DeviceConfig
    private(set) var endpoints: [TrafficEndpoint] = []
    private(set) var flows: [TrafficFlow] = []
    private var endpointIndex: [String: Int] = [:]
    /// Per zone: its units with host-capable subnets.
    private var zoneUnits: [String: [InterfaceUnit]] = [:]
    /// Zones that hold a default route's next hop: they stand for the internet, in the address
    /// families (true: IPv4) of their default routes.
    private var internetZones: [String: Set<Bool>] = [:]
    private let publicPools: [IPPrefix]
    /// Addresses no generated host may have: the device's own and its next hops.
    private let deviceAddresses: [IPAddress]

    // Relative weights: most sessions are permitted ones.
    private static let permittedWeight = 8
    private static let refusedWeight = 2
    private static let unmatchedWeight = 1

    init(config: DeviceConfig) {
        self.config = config
        for zone in config.zones where !zone.isFunctional {
            zoneUnits[zone.name] = zone.interfaces.compactMap { config.interfaceUnit(named: $0.name) }
                .filter { !ConfigTrafficPlanner.hostSubnets($0).isEmpty }
        }
        for route in config.staticRoutes where route.destination.length == 0 {
            guard case .forward(let hops) = route.action else { continue }
            for (zone, units) in zoneUnits
            where units.contains(where: { unit in hops.contains { hop in unit.addresses.contains { $0.subnet.contains(hop) } } }) {
                internetZones[zone, default: []].insert(route.destination.address.isV4)
            }
        }
        publicPools = ConfigTrafficPlanner.choosePublicPools(avoiding: config)
        var own = config.interfaces.flatMap { $0.units.flatMap { $0.addresses.map(\.address) } }
        for route in config.staticRoutes {
            if case .forward(let hops) = route.action { own += hops }
        }
        deviceAddresses = own
    }

    mutating func plan() {
        for context in config.policies.contexts {
            for policy in context.policies { addFlows(for: policy, from: context.fromZone, to: context.toZone) }
        }
        let zoneNames = config.zones.filter { !$0.isFunctional }.map(\.name)
        let covered = Set(config.policies.contexts.map { "\($0.fromZone)\u{0}\($0.toZone)" })
        for policy in config.policies.global {
            let froms = policy.matchFromZones.isEmpty ? zoneNames : policy.matchFromZones
            let tos = policy.matchToZones.isEmpty ? zoneNames : policy.matchToZones
            for from in froms { for to in tos where from != to { addFlows(for: policy, from: from, to: to) } }
        }
        // Zone pairs no policy names: what the default policy does to a stray connection.
        let hasGlobal = !config.policies.global.isEmpty
        for from in zoneNames {
            for to in zoneNames where from != to && !covered.contains("\(from)\u{0}\(to)") && !hasGlobal {
                guard let client = endpoint(zone: from, pools: nil), let server = endpoint(zone: to, pools: nil) else { continue }
                let permitted = config.policies.defaultPolicy == .permitAll
                flows.append(
                    TrafficFlow(
                        name: "\(from)>\(to) default-policy \(config.policies.defaultPolicy.rawValue)", client: client,
                        server: .endpoint(server),
                        application: .tcp(port: 22, requestBytes: 300, responseBytes: 1200, close: .fin), family: .either,
                        weight: ConfigTrafficPlanner.unmatchedWeight, expectation: permitted ? .answered : .unanswered))
            }
        }
    }

    private mutating func addFlows(for policy: SecurityPolicy, from: String, to: String) {
        guard to != SecurityZone.junosHost, zoneUnits[from] != nil, zoneUnits[to] != nil else { return }
        let sources = policy.sourceAddressExcluded ? nil : pools(policy.sourceAddresses, zone: policy.isGlobal ? nil : from)
        let destinations =
            policy.destinationAddressExcluded ? nil : pools(policy.destinationAddresses, zone: policy.isGlobal ? nil : to)
        guard let client = endpoint(zone: from, pools: sources), let server = endpoint(zone: to, pools: destinations) else {
            return
        }
        let expectation: TrafficFlow.Expectation
        let weight: Int
        switch policy.action {
        case .permit:
            expectation = .answered
            weight = ConfigTrafficPlanner.permittedWeight
        case .deny:
            expectation = .unanswered
            weight = ConfigTrafficPlanner.refusedWeight
        case .reject:
            expectation = .rejected
            weight = ConfigTrafficPlanner.refusedWeight
        }
        let applications = playableApplications(policy.applications)
        for (label, application, family) in applications {
            // The policy sees addresses after destination NAT; the client addresses what the
            // rule translates from. Source NAT then applies on the way to the server's zone.
            var serverIndex = server
            var translation = TrafficFlow.Translation()
            if let (pool, outside, port) = destinationTranslation(from: from, client: client, server: server, application) {
                if let index = endpoint(zone: to, pools: [pool]) { serverIndex = index }
                translation.serverAddress = outside
                translation.serverPort = port
            }
            if let (address, ports) = sourceTranslation(from: from, to: to, client: client, server: serverIndex, application) {
                translation.clientAddress = address
                translation.clientPorts = ports
            }
            let translated = translation.clientAddress != nil || translation.serverAddress != nil
            flows.append(
                TrafficFlow(
                    name: "\(from)>\(to) \(policy.name) \(label)", client: client, server: .endpoint(serverIndex),
                    application: application, family: family,
                    weight: max(1, weight / max(1, applications.count / 2)), expectation: expectation,
                    translation: translated ? translation : nil))
        }
    }

    // MARK: - NAT

    private func contextMatches(_ contexts: [NATContext], zone: String, endpoint: Int) -> Bool {
        let unit = endpoints[endpoint].interfaceName
        return contexts.contains { context in
            switch context {
            case .zone(let name): name == zone
            case .interface(let name): DeviceConfig.canonicalUnitName(name) == unit
            case .routingInstance: false
            }
        }
    }

    /// The first IPv4 pool of an endpoint: the hosts NAT rules are matched with.
    private func representative(_ endpoint: Int) -> IPPrefix? {
        endpoints[endpoint].pools.first { $0.address.isV4 && $0.length > 0 }
    }

    private static func covers(_ outer: IPPrefix, _ inner: IPPrefix) -> Bool {
        outer.length <= inner.length && outer.contains(inner.address)
    }

    private static func port(of application: TrafficFlow.Application) -> (UInt8, UInt16)? {
        switch application {
        case .tcp(let port, _, _, _): (6, port)
        case .udp(let port, _): (17, port)
        case .icmpEcho: nil
        }
    }

    /// Destination or static NAT that delivers to the server endpoint's hosts: the server host
    /// to use, the address (and port) the client sends to.
    private func destinationTranslation(
        from zone: String, client: Int, server: Int, _ application: TrafficFlow.Application
    ) -> (IPPrefix, IPAddress, UInt16?)? {
        guard let target = representative(server) else { return nil }
        let transport = ConfigTrafficPlanner.port(of: application)
        for ruleSet in config.nat.ruleSets(.destination) where contextMatches(ruleSet.from, zone: zone, endpoint: client) {
            for rule in ruleSet.rules {
                guard case .destinationPool(let name) = rule.action, let pool = config.nat.destinationPool(named: name),
                    let address = pool.address, let outside = rule.match.destinationAddresses.first
                else { continue }
                let host = IPPrefix("\(address.low)")!
                guard ConfigTrafficPlanner.covers(target, host) else { continue }
                if let (ipProtocol, port) = transport {
                    if !rule.match.protocols.isEmpty, !rule.match.protocols.contains(ipProtocol) { continue }
                    if let poolPort = pool.port, poolPort != port { continue }
                    let publicPort = pool.port != nil ? rule.match.destinationPorts.first?.lower : nil
                    return (host, outside.address, publicPort)
                }
                if pool.port == nil, rule.match.protocols.isEmpty { return (host, outside.address, nil) }
            }
        }
        for ruleSet in config.nat.ruleSets(.static) where contextMatches(ruleSet.from, zone: zone, endpoint: client) {
            for rule in ruleSet.rules {
                guard let (inside, outside) = staticMapping(rule), ConfigTrafficPlanner.covers(target, inside)
                    || ConfigTrafficPlanner.covers(inside, target)
                else { continue }
                return (IPPrefix("\(inside.address)")!, outside.address, nil)
            }
        }
        return nil
    }

    /// A static NAT rule's (private prefix, public prefix).
    private func staticMapping(_ rule: NATRule) -> (IPPrefix, IPPrefix)? {
        guard let outside = rule.match.destinationAddresses.first else { return nil }
        switch rule.action {
        case .staticPrefix(let inside, _): return (inside, outside)
        case .staticPrefixName(let name):
            guard let entry = config.resolveAddresses(name, zone: nil)?.first, case .prefix(let inside) = entry.value else {
                return nil
            }
            return (inside, outside)
        default: return nil
        }
    }

    /// The source NAT address the server sees the client as, if any: the first source rule
    /// set from the client's zone to the server's, its first matching rule; else the reverse
    /// of a static NAT covering the client.
    private func sourceTranslation(
        from: String, to: String, client: Int, server: Int, _ application: TrafficFlow.Application
    ) -> (IPAddress, ClosedRange<UInt16>?)? {
        guard let source = representative(client) else { return nil }
        let destination = representative(server)
        let transport = ConfigTrafficPlanner.port(of: application)
        for ruleSet in config.nat.ruleSets(.source)
        where contextMatches(ruleSet.from, zone: from, endpoint: client) && contextMatches(ruleSet.to, zone: to, endpoint: server) {
            for rule in ruleSet.rules {
                let match = rule.match
                if !match.sourceAddresses.isEmpty, !match.sourceAddresses.contains(where: { ConfigTrafficPlanner.covers($0, source) }) {
                    continue
                }
                if !match.destinationAddresses.isEmpty {
                    guard let destination, match.destinationAddresses.contains(where: { ConfigTrafficPlanner.covers($0, destination) })
                    else { continue }
                }
                if !match.protocols.isEmpty, !match.protocols.contains(transport?.0 ?? 1) { continue }
                if !match.destinationPorts.isEmpty {
                    guard let port = transport?.1, match.destinationPorts.contains(where: { $0.contains(port) }) else { continue }
                }
                // Port translation: interface NAT and pools without `port no-translation` move
                // ports into their range (1024-65535 unless configured).
                switch rule.action {
                case .sourceInterface:
                    let unit = config.interfaceUnit(named: endpoints[server].interfaceName)
                    return unit?.inetAddresses.first.map { ($0.address, 1024...65535) }
                case .sourcePool(let name):
                    guard let pool = config.nat.sourcePool(named: name), let address = pool.addresses.first?.low else { return nil }
                    switch pool.portTranslation {
                    case .automatic: return (address, 1024...65535)
                    case .range(let range): return (address, range.lower...range.upper)
                    case .none: return (address, nil)
                    }
                default:
                    return nil
                }
            }
        }
        for ruleSet in config.nat.ruleSets(.static) {
            for rule in ruleSet.rules {
                guard let (inside, outside) = staticMapping(rule), ConfigTrafficPlanner.covers(inside, source) else { continue }
                return (outside.address, nil)
            }
        }
        return nil
    }

    // MARK: - Addresses and endpoints

    /// The prefixes a policy's address names stand for; nil for `any` (the zone's own hosts).
    private func pools(_ names: [String], zone: String?) -> [IPPrefix]? {
        var result: [IPPrefix] = []
        var any = false
        var families: Set<Bool> = []
        for name in names {
            if let predefined = PredefinedAddress(rawValue: name) {
                any = true
                switch predefined {
                case .any: families.formUnion([true, false])
                case .anyIPv4: families.insert(true)
                case .anyIPv6: families.insert(false)
                }
                continue
            }
            for entry in config.resolveAddresses(name, zone: zone) ?? [] {
                switch entry.value {
                case .prefix(let prefix): result.append(prefix)
                case .range(let low, _): result.append(IPPrefix("\(low)")!)
                case .wildcard(let address, _): result.append(IPPrefix("\(address)")!)
                case .dnsName: break
                }
            }
        }
        if any && result.isEmpty {
            // `any-ipv4` / `any-ipv6` restrict the zone's own pools to one family.
            return families.count == 2 ? nil : [IPPrefix(families.contains(true) ? "0.0.0.0/0" : "::/0")!]
        }
        return result.isEmpty ? nil : result
    }

    /// The endpoint for hosts of `zone` in `pools` (nil: the zone's own subnets, or the public
    /// pools for the internet zone). A pool of `0.0.0.0/0` or `::/0` keeps that family only.
    private mutating func endpoint(zone: String, pools requested: [IPPrefix]?) -> Int? {
        guard let units = zoneUnits[zone], !units.isEmpty else { return nil }
        // The internet's hosts exist only in the families the device routes there.
        let own =
            internetZones[zone].map { families in publicPools.filter { families.contains($0.address.isV4) } }
            ?? units.flatMap(ConfigTrafficPlanner.hostSubnets)
        var pools: [IPPrefix]
        if let requested {
            let families = Set(requested.filter { $0.length == 0 }.map(\.address.isV4))
            pools = requested.filter { $0.length > 0 } + own.filter { families.contains($0.address.isV4) }
        } else {
            pools = own
        }
        guard !pools.isEmpty else { return nil }
        // The unit whose subnet holds the first pool carries the frames; else the zone's first.
        let unit =
            units.first { unit in
                pools.contains { pool in unit.addresses.contains { $0.subnet.contains(pool.address) } }
            } ?? units[0]
        let key = "\(zone)\u{0}\(unit.name)\u{0}\(pools.map(\.description).joined(separator: ","))"
        if let index = endpointIndex[key] { return index }
        let index = endpoints.count
        endpoints.append(
            TrafficEndpoint(
                name: zone, interfaceName: unit.name, vlan: unit.vlanID,
                mac: MACAddress(0x02_00_5E_00_00_00 | UInt64(index + 1)),
                gatewayMAC: ConfigTrafficPlanner.interfaceMAC(unit.name), pools: pools,
                excludedAddresses: deviceAddresses.filter { address in pools.contains { $0.contains(address) } }))
        endpointIndex[key] = index
        return index
    }

    /// The firewall's MAC on an interface: the same for every unit of a physical interface,
    /// locally administered, derived from the name so plans are stable.
    private static func interfaceMAC(_ unitName: String) -> MACAddress {
        let physical = unitName.split(separator: ".").first.map(String.init) ?? unitName
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in physical.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return MACAddress(0x02_10_DB_00_00_00 | (hash & 0xFF_FFFF))
    }

    /// A unit's subnets that have room for hosts besides the interface itself.
    static func hostSubnets(_ unit: InterfaceUnit) -> [IPPrefix] {
        unit.addresses.filter { $0.address.isV4 ? $0.length <= 30 : $0.length <= 126 }.map(\.subnet)
    }

    /// Server pools for the internet that overlap nothing the configuration uses.
    private static func choosePublicPools(avoiding config: DeviceConfig) -> [IPPrefix] {
        var used: [IPPrefix] = config.interfaces.flatMap { $0.units.flatMap { $0.addresses.map(\.subnet) } }
        for book in config.addressBooks {
            for entry in book.addresses { if case .prefix(let prefix) = entry.value { used.append(prefix) } }
        }
        for pool in config.nat.sourcePools { used += pool.addresses.compactMap(\.prefix) }
        func overlaps(_ candidate: IPPrefix) -> Bool {
            used.contains { $0.contains(candidate.address) || candidate.contains($0.address) }
        }
        let v4 = ["198.18.0.0/16", "203.0.113.0/24", "198.51.100.0/24", "192.0.2.0/24"].compactMap { IPPrefix($0) }
        let v6 = ["2001:db8:f10e::/48", "2001:db8:ffff::/48"].compactMap { IPPrefix($0) }
        return [v4.first { !overlaps($0) }, v6.first { !overlaps($0) }].compactMap { $0 }
    }

    // MARK: - Applications

    /// What a policy's applications play as, with a label for reports.
    private func playableApplications(_ names: [String]) -> [(String, TrafficFlow.Application, TrafficFlow.AddressFamily)] {
        var result: [(String, TrafficFlow.Application, TrafficFlow.AddressFamily)] = []
        var seen: Set<TrafficFlow.Application> = []
        func add(_ label: String, _ application: TrafficFlow.Application, _ family: TrafficFlow.AddressFamily) {
            if seen.insert(application).inserted { result.append((label, application, family)) }
        }
        for name in names {
            if name == "any" {
                add("any/https", .tcp(port: 443, requestBytes: 700, responseBytes: 48_000, close: .fin), .either)
                add("any/http", .tcp(port: 80, requestBytes: 420, responseBytes: 16_000, close: .rst), .either)
                add("any/dns", .udp(port: 53, kind: .dns), .either)
                add("any/ping", .icmpEcho(count: 3), .either)
                continue
            }
            for application in config.resolveApplications(name) ?? [] {
                for term in application.terms {
                    guard let (app, family) = ConfigTrafficPlanner.playable(term) else { continue }
                    add(application.name, app, family)
                    // TCP sessions end with FIN mostly; an RST-closed variant of each keeps the mix real.
                    if case .tcp(let port, let request, let response, .fin) = app {
                        add(application.name + "/rst", .tcp(port: port, requestBytes: request, responseBytes: response, close: .rst), family)
                    }
                }
            }
        }
        return result
    }

    private static func playable(_ term: ApplicationTerm) -> (TrafficFlow.Application, TrafficFlow.AddressFamily)? {
        switch term.ipProtocol {
        case 6:
            let port = max(1, term.destinationPorts?.lower ?? 443)
            let (request, response) = tcpSizes(port)
            return (.tcp(port: port, requestBytes: request, responseBytes: response, close: .fin), .either)
        case 17:
            let port = max(1, term.destinationPorts?.lower ?? 53)
            switch port {
            case 53: return (.udp(port: 53, kind: .dns), .either)
            case 123: return (.udp(port: 123, kind: .ntp), .either)
            default: return (.udp(port: port, kind: .generic(requestBytes: 120, responseBytes: 480)), .either)
            }
        case 1 where term.icmpType == nil || term.icmpType == 8: return (.icmpEcho(count: 3), .v4)
        case 58 where term.icmpType == nil || term.icmpType == 128: return (.icmpEcho(count: 3), .v6)
        default: return nil
        }
    }

    /// Request and response sizes typical of the service on `port`.
    private static func tcpSizes(_ port: UInt16) -> (Int, Int) {
        switch port {
        case 80, 8080: (420, 16_000)
        case 443, 8443: (700, 48_000)
        case 22: (2_400, 3_600)
        case 25, 587: (4_000, 300)
        case 53: (60, 200)
        default: (500, 4_000)
        }
    }
}
