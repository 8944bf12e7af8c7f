import FlowtelCore

/// Walks the effective tree hierarchy by hierarchy, building ``DeviceConfig`` and collecting
/// errors of meaning and warnings for statements it does not interpret.
///
/// The tree is a trie of words with no schema, so this is where keywords and values are told
/// apart: each `build…` method knows the statements of one hierarchy and takes the values
/// below them. Inactive statements are skipped (Junos ignores them). Anything unknown is a
/// warning at the first unknown word and nothing below it is walked. References are checked
/// once everything is built (``DeviceConfigBuilder/checkReferences(_:)``).
struct DeviceConfigBuilder {
    var errors: [ConfigError] = []
    var warnings: [ConfigWarning] = []
    /// Names used before they may be defined; checked at the end.
    var references: [ConfigReference] = []

    mutating func build(_ tree: ConfigTree) -> DeviceConfig {
        var config = DeviceConfig()
        for statement in tree.statements where !statement.isInactive {
            switch statement.keyword {
            case "system": buildSystem(statement, into: &config)
            case "interfaces": buildInterfaces(statement, into: &config)
            case "routing-options": buildRoutingOptions(statement, into: &config)
            case "security": buildSecurity(statement, into: &config)
            case "applications": buildApplications(statement, into: &config)
            case "chassis": buildChassis(statement, into: &config)
            case "services": buildServices(statement, into: &config)
            case "version": break  // `version 21.4R3;` heads real configurations; nothing to do.
            default: unknown(statement, in: [])
            }
        }
        assignPolicyIDs(&config)
        checkReferences(config)
        return config
    }

    private mutating func buildSystem(_ system: Statement, into config: inout DeviceConfig) {
        for statement in system.active {
            switch statement.keyword {
            case "host-name": config.hostName = word(statement, expected: "a host name")
            case "domain-name": config.domainName = word(statement, expected: "a domain name")
            case "time-zone": config.timeZone = word(statement, expected: "a time zone")
            case "diagnostics":
                for option in statement.active {
                    if option.keyword == "fault-injection" {
                        config.faultInjection = flag(option, in: ["system", "diagnostics"])
                    } else {
                        unknown(option, in: ["system", "diagnostics"])
                    }
                }
            default: unknown(statement, in: ["system"])
            }
        }
    }

    private mutating func buildServices(_ services: Statement, into config: inout DeviceConfig) {
        for statement in services.active {
            switch statement.keyword {
            case "flowtel": buildFlowtel(statement, into: &config.flowtel)
            default: unknown(statement, in: ["services"])
            }
        }
    }

    private mutating func buildSecurity(_ security: Statement, into config: inout DeviceConfig) {
        for statement in security.active {
            switch statement.keyword {
            case "zones": buildZones(statement, into: &config)
            case "address-book": buildAddressBooks(statement, into: &config)
            case "policies": buildPolicies(statement, into: &config.policies)
            case "nat": buildNAT(statement, into: &config.nat)
            case "flow": buildFlow(statement, into: &config.flow)
            case "log": buildSecurityLog(statement, into: &config.securityLog)
            default: unknown(statement, in: ["security"])
            }
        }
    }

    // MARK: - Diagnostics

    mutating func error(_ kind: ConfigError.Kind, at statement: Statement, _ message: String) {
        errors.append(ConfigError(kind, at: statement.location, message))
    }

    mutating func warn(_ kind: ConfigWarning.Kind, at statement: Statement, _ message: String) {
        warnings.append(ConfigWarning(kind, at: statement.location, message))
    }

    /// A statement this layer does not interpret: kept in the tree, reported, not walked.
    mutating func unknown(_ statement: Statement, in path: [String]) {
        let place = path.isEmpty ? "at the top level" : "under '\(path.joined(separator: " "))'"
        warn(.unknownStatement, at: statement, "statement '\(statement.keyword)' \(place) is not used by flowtel (kept, ignored)")
    }

    // MARK: - Values

    /// The value of a single-valued statement (`host-name srx1`): the last active child word.
    /// A statement repeated in set form keeps its last value, as `set` replaces it in Junos.
    /// Anything below the value is reported as unknown.
    /// Children of the value named in `allowing` (e.g. `to` of `range 2000 to 3000`) are left
    /// to the caller.
    mutating func valueStatement(_ statement: Statement, expected: String, allowing: Set<String> = []) -> Statement? {
        guard let value = statement.active.last else {
            error(.missingValue, at: statement, "expected \(expected) after '\(statement.keyword)'")
            return nil
        }
        for extra in value.active where !allowing.contains(extra.keyword) {
            unknown(extra, in: [statement.keyword, value.keyword])
        }
        return value
    }

    /// The word of a single-valued statement.
    mutating func word(_ statement: Statement, expected: String) -> String? {
        valueStatement(statement, expected: expected)?.keyword
    }

    /// The integer value of `statement`, checked against `range`.
    mutating func integer(_ statement: Statement, in range: ClosedRange<Int>, expected: String) -> Int? {
        guard let value = valueStatement(statement, expected: expected) else { return nil }
        guard let number = Int(value.keyword), range.contains(number) else {
            error(
                .invalidValue, at: value,
                "'\(statement.keyword)' must be \(expected) (\(range.lowerBound)-\(range.upperBound)), found '\(value.keyword)'")
            return nil
        }
        return number
    }

    /// A number of bytes with an optional `k`, `m` or `g` suffix (powers of 1024).
    mutating func byteCount(_ statement: Statement) -> Int? {
        guard let value = valueStatement(statement, expected: "a size in bytes") else { return nil }
        var text = Substring(value.keyword.lowercased())
        var multiplier = 1
        switch text.last {
        case "k": multiplier = 1 << 10
        case "m": multiplier = 1 << 20
        case "g": multiplier = 1 << 30
        default: break
        }
        if multiplier > 1 { text = text.dropLast() }
        guard let number = Int(text), number > 0, number <= Int(Int32.max) else {
            error(.invalidValue, at: value, "'\(statement.keyword)' must be a size in bytes (e.g. 65536, 64k, 256m), found '\(value.keyword)'")
            return nil
        }
        return number * multiplier
    }

    /// A flag statement (`tcp-rst;`): true; anything below it is reported as unknown.
    mutating func flag(_ statement: Statement, in path: [String]) -> Bool {
        for extra in statement.active { unknown(extra, in: path + [statement.keyword]) }
        return true
    }

    /// The words of a list statement (`source-address [ a b ]`), in order; an error if empty.
    mutating func words(_ statement: Statement, expected: String) -> [String] {
        let values = statement.active
        if values.isEmpty { error(.missingValue, at: statement, "expected \(expected) after '\(statement.keyword)'") }
        for value in values { for extra in value.active { unknown(extra, in: [statement.keyword, value.keyword]) } }
        return values.map(\.keyword)
    }

    /// An IP address value.
    mutating func address(_ value: Statement, of statement: Statement) -> IPAddress? {
        guard let address = IPAddress(value.keyword) else {
            error(.invalidValue, at: value, "'\(statement.keyword)' must be an IP address, found '\(value.keyword)'")
            return nil
        }
        return address
    }

    /// An IP prefix value (`10.0.0.0/8`; a bare address is a host prefix).
    mutating func prefix(_ value: Statement, of statement: Statement) -> IPPrefix? {
        guard let prefix = IPPrefix(value.keyword) else {
            error(.invalidValue, at: value, "'\(statement.keyword)' must be an IP prefix (ADDRESS/LENGTH), found '\(value.keyword)'")
            return nil
        }
        return prefix
    }

    /// A port, a port name or a `LOW-HIGH` range (`80`, `http`, `1024-65535`).
    mutating func portRange(_ value: Statement, of statement: Statement) -> PortRange? {
        let parts = value.keyword.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        if parts.count == 2, let low = UInt16(parts[0]), let high = UInt16(parts[1]), low <= high {
            return PortRange(low, high)
        }
        if let port = JunosNames.port(value.keyword) { return PortRange(port) }
        error(
            .invalidValue, at: value,
            "'\(statement.keyword)' must be a port (0-65535), a port name or a range LOW-HIGH, found '\(value.keyword)'")
        return nil
    }
}

extension Statement {
    /// The children that are not `inactive:`.
    var active: [Statement] { children.filter { !$0.isInactive } }
}
