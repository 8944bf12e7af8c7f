import JunosConfig

/// Small integer ids for the zone names of a configuration, so the first-packet path indexes
/// arrays where it would hash names: `junos-host` first, then the zones in order, then every
/// other zone a policy names (a zone-pair context or a global policy's `match from-zone` /
/// `to-zone` list). ``ZoneMap`` and ``PolicyTable`` number the same configuration the same way.
struct ZoneNumbering: Sendable {
    /// The names, by id.
    private(set) var names: [String] = []
    private var ids: [String: Int32] = [:]

    init(config: DeviceConfig) {
        add(SecurityZone.junosHost)
        for zone in config.zones { add(zone.name) }
        for context in config.policies.contexts {
            add(context.fromZone)
            add(context.toZone)
        }
        for policy in config.policies.global {
            for zone in policy.matchFromZones + policy.matchToZones { add(zone) }
        }
    }

    /// Zones numbered.
    var count: Int { names.count }

    /// The id of `name`; nil for a zone the configuration never names.
    func id(of name: String) -> Int32? { ids[name] }

    private mutating func add(_ name: String) {
        guard ids[name] == nil else { return }
        ids[name] = Int32(names.count)
        names.append(name)
    }
}
