public import FlowtelCore

/// A device configuration with its meaning: what the flow engine, the fault manager and
/// flowteld need, typed and cross-checked. Built from the effective ``ConfigTree`` (groups
/// expanded, inactive statements ignored) by ``DeviceConfig/check(_:)``.
public struct DeviceConfig: Hashable, Sendable {
    /// `system host-name`.
    public var hostName: String?
    /// `system domain-name`.
    public var domainName: String?
    /// `system time-zone`.
    public var timeZone: String?
    /// `system diagnostics fault-injection`: flowtel's test-only switch that lets
    /// `request chassis fpc slot N inject-error|inject-wedge` act (refused otherwise).
    public var faultInjection = false
    /// `interfaces`, in configuration order.
    public var interfaces: [Interface] = []
    /// `routing-options static route` (IPv4 and `rib inet6.0`).
    public var staticRoutes: [StaticRoute] = []
    /// `routing-options router-id`.
    public var routerID: IPAddress?
    /// `security zones`: security zones and the management functional zone, in order.
    public var zones: [SecurityZone] = []
    /// Address books: `security address-book` entries and zones' own books.
    public var addressBooks: [AddressBook] = []
    /// User-defined `applications application`s.
    public var applications: [Application] = []
    /// User-defined `applications application-set`s.
    public var applicationSets: [ApplicationSet] = []
    /// `security policies`.
    public var policies = SecurityPolicies()
    /// `security nat`.
    public var nat = NATConfig()
    /// `security flow`.
    public var flow = FlowSettings()
    /// `security log`.
    public var securityLog = SecurityLog()
    /// `chassis`.
    public var chassis = ChassisConfig()
    /// `services flowtel`.
    public var flowtel = FlowtelService()

    /// An empty configuration (every default).
    public init() {}

    /// The interface named `name` (`ge-0/0/0`).
    public func interface(named name: String) -> Interface? { interfaces.first { $0.name == name } }

    /// The unit with the full name `name` (`ge-0/0/0.0`; a name without a unit means unit 0).
    public func interfaceUnit(named name: String) -> InterfaceUnit? {
        let (interfaceName, unit) = DeviceConfig.splitUnitName(name)
        return interface(named: interfaceName)?.unit(unit)
    }

    /// The zone named `name`.
    public func zone(named name: String) -> SecurityZone? { zones.first { $0.name == name } }

    /// The zone an interface unit belongs to, if any.
    public func zone(ofInterface unitName: String) -> SecurityZone? {
        let full = DeviceConfig.canonicalUnitName(unitName)
        return zones.first { zone in zone.interfaces.contains { DeviceConfig.canonicalUnitName($0.name) == full } }
    }

    /// The application named `name`: user-defined first, then predefined.
    public func application(named name: String) -> Application? {
        applications.first { $0.name == name } ?? PredefinedApplications.byName[name]
    }

    /// The application set named `name`: user-defined first, then predefined.
    public func applicationSet(named name: String) -> ApplicationSet? {
        applicationSets.first { $0.name == name } ?? PredefinedApplications.setsByName[name]
    }

    /// The applications a policy's `application` name stands for: the application itself, or
    /// every member of a set (nested sets flattened, each application once, in order). Nil
    /// when the name is undefined; `any` returns an empty list (it matches everything).
    public func resolveApplications(_ name: String) -> [Application]? {
        if name == "any" { return [] }
        if let application = application(named: name) { return [application] }
        guard applicationSet(named: name) != nil else { return nil }
        var result: [Application] = []
        var seen: Set<String> = []
        var visitedSets: Set<String> = []
        collectApplications(name, into: &result, seen: &seen, visitedSets: &visitedSets)
        return result
    }

    private func collectApplications(
        _ setName: String, into result: inout [Application], seen: inout Set<String>, visitedSets: inout Set<String>
    ) {
        guard visitedSets.insert(setName).inserted, let set = applicationSet(named: setName) else { return }
        for member in set.applications {
            if let application = application(named: member), seen.insert(member).inserted { result.append(application) }
        }
        for nested in set.applicationSets {
            collectApplications(nested, into: &result, seen: &seen, visitedSets: &visitedSets)
        }
    }

    /// The address books a policy in `zone` may use (nil: a global policy), global first.
    public func addressBooks(visibleFrom zone: String?) -> [AddressBook] {
        let visible = addressBooks.filter { $0.isVisible(from: zone) }
        return visible.filter(\.isGlobal) + visible.filter { !$0.isGlobal }
    }

    /// The addresses a policy's address name stands for when the policy is in `zone` (nil: a
    /// global policy): the address itself, or every member of a set (nested sets flattened).
    /// Nil when the name is not visible; the predefined `any`, `any-ipv4` and `any-ipv6`
    /// return an empty list (use ``PredefinedAddress`` for them).
    public func resolveAddresses(_ name: String, zone: String?) -> [AddressEntry]? {
        if PredefinedAddress(rawValue: name) != nil { return [] }
        for book in addressBooks(visibleFrom: zone) {
            if let address = book.address(named: name) { return [address] }
            if book.addressSet(named: name) != nil {
                var result: [AddressEntry] = []
                var visited: Set<String> = []
                collectAddresses(name, in: book, into: &result, visited: &visited)
                return result
            }
        }
        return nil
    }

    private func collectAddresses(
        _ setName: String, in book: AddressBook, into result: inout [AddressEntry], visited: inout Set<String>
    ) {
        guard visited.insert(setName).inserted, let set = book.addressSet(named: setName) else { return }
        for member in set.addresses {
            if let address = book.address(named: member), !result.contains(address) { result.append(address) }
        }
        for nested in set.addressSets { collectAddresses(nested, in: book, into: &result, visited: &visited) }
    }

    /// `ge-0/0/0.0` → (`ge-0/0/0`, 0); `ge-0/0/0` → (`ge-0/0/0`, 0).
    public static func splitUnitName(_ name: String) -> (String, Int) {
        if let dot = name.lastIndex(of: "."), let unit = Int(name[name.index(after: dot)...]) {
            return (String(name[..<dot]), unit)
        }
        return (name, 0)
    }

    /// A unit name with its unit number (`ge-0/0/0` → `ge-0/0/0.0`).
    public static func canonicalUnitName(_ name: String) -> String {
        let (interfaceName, unit) = splitUnitName(name)
        return "\(interfaceName).\(unit)"
    }
}

/// The result of checking a configuration: its typed meaning, what is wrong with it and what
/// was ignored.
public struct ConfigCheck: Sendable {
    /// The parsed text (syntax, tree as written, effective tree).
    public var parsed: ParsedConfig
    /// The typed configuration. When ``errors`` is not empty it holds whatever could be
    /// understood; do not run a device from it.
    public var config: DeviceConfig
    /// Errors of meaning (bad values, undefined references), in text order.
    public var errors: [ConfigError]
    /// Warnings: the parser's and the typed layer's (unknown statements), in text order.
    public var warnings: [ConfigWarning]

    /// True when there is no error.
    public var isValid: Bool { errors.isEmpty }
}

extension DeviceConfig {
    /// Builds and cross-checks the typed configuration of a parsed text.
    public static func check(_ parsed: ParsedConfig) -> ConfigCheck {
        var builder = DeviceConfigBuilder()
        let config = builder.build(parsed.effective)
        let errors = builder.errors.sorted { ($0.location.line, $0.location.column) < ($1.location.line, $1.location.column) }
        let warnings = (parsed.warnings + builder.warnings).sorted {
            ($0.location.line, $0.location.column) < ($1.location.line, $1.location.column)
        }
        return ConfigCheck(parsed: parsed, config: config, errors: errors, warnings: warnings)
    }

    /// Parses and checks `text`.
    ///
    /// - Throws: ``ConfigError`` for a syntax error (a text that cannot be parsed at all).
    public static func check(text: String, file: String) throws(ConfigError) -> ConfigCheck {
        check(try ConfigParser.parse(text: text, file: file))
    }

    /// Parses and checks `text`, for a caller that needs a usable configuration.
    ///
    /// - Returns: the configuration and the warnings.
    /// - Throws: ``ConfigError``: the syntax error, or the first error of meaning.
    public static func load(text: String, file: String) throws(ConfigError) -> (config: DeviceConfig, warnings: [ConfigWarning]) {
        let result = try check(text: text, file: file)
        if let first = result.errors.first { throw first }
        return (result.config, result.warnings)
    }
}
