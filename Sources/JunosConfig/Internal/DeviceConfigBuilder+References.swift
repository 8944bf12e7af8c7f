/// A name one statement uses and another must define, with where it is used.
struct ConfigReference {
    enum Kind {
        /// A security zone (`from-zone`, `attach zone`, NAT `from zone`).
        case zone
        /// A `to-zone`: a security zone or `junos-host`.
        case destinationZone
        /// A policy address: visible from the zone (nil: the global book only).
        case address(zone: String?)
        /// A member of an address set: an address or set of the same book.
        case addressSetMember(book: Int)
        /// A policy or NAT application: an application, an application set or `any`.
        case application
        /// A member of an application set.
        case applicationSetMember
        /// An application-set member that must be a set.
        case applicationSetNested
        /// `source-nat pool`.
        case sourcePool
        /// `destination-nat pool`.
        case destinationPool
        /// `overflow-pool`: a source pool or `interface`.
        case overflowPool
        /// An interface unit (a warning when absent: the device may learn it later).
        case interface
    }

    var kind: Kind
    var name: String
    var statement: Statement
}

extension DeviceConfigBuilder {
    /// The words of a list statement, each recorded as a reference of `kind`.
    mutating func referenced(_ kind: ConfigReference.Kind, _ statement: Statement, expected: String) -> [String] {
        let values = statement.active
        if values.isEmpty { error(.missingValue, at: statement, "expected \(expected) after '\(statement.keyword)'") }
        for value in values {
            for extra in value.active { unknown(extra, in: [statement.keyword, value.keyword]) }
            references.append(ConfigReference(kind: kind, name: value.keyword, statement: value))
        }
        return values.map(\.keyword)
    }

    /// Records one word as a reference.
    mutating func reference(_ kind: ConfigReference.Kind, _ statement: Statement) {
        references.append(ConfigReference(kind: kind, name: statement.keyword, statement: statement))
    }

    /// Reports every reference to something undefined, and names defined twice.
    mutating func checkReferences(_ config: DeviceConfig) {
        let zones = Set(config.zones.map(\.name))
        let units = Set(config.interfaces.flatMap { $0.units.map(\.name) })
        // Name indexes: a 50,000-line configuration has tens of thousands of references.
        let bookNames = config.addressBooks.map { book in
            Set(book.addresses.map(\.name)).union(book.addressSets.map(\.name))
        }
        let globalBooks = config.addressBooks.indices.filter { config.addressBooks[$0].isGlobal }
        var zoneBooks: [String: [Int]] = [:]
        for (index, book) in config.addressBooks.enumerated() {
            for zone in book.attachedZones { zoneBooks[zone, default: []].append(index) }
        }
        let applications = Set(config.applications.map(\.name)).union(PredefinedApplications.byName.keys)
        let applicationSets = Set(config.applicationSets.map(\.name)).union(PredefinedApplications.setsByName.keys)
        let sourcePools = Set(config.nat.sourcePools.map(\.name))
        let destinationPools = Set(config.nat.destinationPools.map(\.name))
        for reference in references {
            let name = reference.name
            switch reference.kind {
            case .zone:
                if !zones.contains(name) { undefined(reference, "zone") }
            case .destinationZone:
                if !zones.contains(name), name != SecurityZone.junosHost { undefined(reference, "zone") }
            case .address(let zone):
                let visible = globalBooks + (zone.flatMap { zoneBooks[$0] } ?? [])
                if PredefinedAddress(rawValue: name) == nil, !visible.contains(where: { bookNames[$0].contains(name) }) {
                    let scope = zone.map { "the global address book or a book attached to zone '\($0)'" } ?? "the global address book"
                    error(.undefinedReference, at: reference.statement, "address '\(name)' is not defined in \(scope)")
                }
            case .addressSetMember(let index):
                if !bookNames[index].contains(name) {
                    let book = config.addressBooks[index].name
                    error(.undefinedReference, at: reference.statement, "address '\(name)' is not defined in address book '\(book)'")
                }
            case .application:
                if name != "any", !applications.contains(name), !applicationSets.contains(name) {
                    undefined(reference, "application or application-set")
                }
            case .applicationSetMember:
                if !applications.contains(name) { undefined(reference, "application") }
            case .applicationSetNested:
                if !applicationSets.contains(name) { undefined(reference, "application-set") }
            case .sourcePool:
                if !sourcePools.contains(name) { undefined(reference, "source NAT pool") }
            case .destinationPool:
                if !destinationPools.contains(name) { undefined(reference, "destination NAT pool") }
            case .overflowPool:
                if name != "interface", !sourcePools.contains(name) { undefined(reference, "source NAT pool") }
            case .interface:
                if !units.contains(DeviceConfig.canonicalUnitName(name)) {
                    warn(.unconfiguredInterface, at: reference.statement, "interface '\(name)' is not configured under 'interfaces'")
                }
            }
        }
        checkDuplicates(config)
        checkCycles(config)
    }

    private mutating func undefined(_ reference: ConfigReference, _ what: String) {
        error(.undefinedReference, at: reference.statement, "\(what) '\(reference.name)' is not defined")
    }

    private mutating func checkDuplicates(_ config: DeviceConfig) {
        // An interface unit belongs to at most one zone.
        var owner: [String: String] = [:]
        for zone in config.zones {
            for interface in zone.interfaces {
                let unit = DeviceConfig.canonicalUnitName(interface.name)
                if let other = owner[unit], other != zone.name {
                    errors.append(
                        ConfigError(
                            .duplicateDefinition, at: interface.location,
                            "interface '\(interface.name)' is already in zone '\(other)'; an interface belongs to one zone"))
                } else {
                    owner[unit] = zone.name
                }
            }
        }
        // Within a book, an address and an address set cannot share a name.
        for book in config.addressBooks {
            let addresses = Set(book.addresses.map(\.name))
            for set in book.addressSets where addresses.contains(set.name) {
                errors.append(
                    ConfigError(
                        .duplicateDefinition, at: set.location,
                        "address-set '\(set.name)' has the name of an address in book '\(book.name)'"))
            }
        }
        let applications = Set(config.applications.map(\.name))
        for set in config.applicationSets where applications.contains(set.name) {
            if let location = set.location {
                errors.append(
                    ConfigError(.duplicateDefinition, at: location, "application-set '\(set.name)' has the name of an application"))
            }
        }
    }

    /// Sets that contain themselves, directly or through others, cannot be committed.
    private mutating func checkCycles(_ config: DeviceConfig) {
        for book in config.addressBooks {
            let edges = Dictionary(book.addressSets.map { ($0.name, $0.addressSets) }, uniquingKeysWith: { first, _ in first })
            for set in book.addressSets where reaches(set.name, from: set.addressSets, edges: edges) {
                errors.append(ConfigError(.invalidValue, at: set.location, "address-set '\(set.name)' contains itself"))
            }
        }
        let edges = Dictionary(config.applicationSets.map { ($0.name, $0.applicationSets) }, uniquingKeysWith: { first, _ in first })
        for set in config.applicationSets where reaches(set.name, from: set.applicationSets, edges: edges) {
            if let location = set.location {
                errors.append(ConfigError(.invalidValue, at: location, "application-set '\(set.name)' contains itself"))
            }
        }
    }

    private func reaches(_ target: String, from start: [String], edges: [String: [String]]) -> Bool {
        var stack = start
        var seen: Set<String> = []
        while let next = stack.popLast() {
            if next == target { return true }
            if seen.insert(next).inserted { stack += edges[next] ?? [] }
        }
        return false
    }
}
