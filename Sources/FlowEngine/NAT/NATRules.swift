public import FlowtelCore
public import JunosConfig

/// Which NAT rule applies to a new flow, in the order an SRX evaluates NAT: static NAT, then
/// destination NAT (before the route and policy lookups, on the original destination); after
/// the policy, the reverse of a static NAT, then source NAT (on the translated destination).
///
/// Rule sets are chosen by their context, the most specific first: an interface before a
/// zone before a routing instance (flowtel has one routing instance, so routing-instance
/// contexts never match). Within a rule set, rules are tried in order and the first whose
/// match admits the flow decides; `off` decides too (no translation, no further rule). When
/// no rule of a rule set matches, the next (less specific) rule set is tried.
/// Address names resolve in the global address book. Port allocation is not decided here.
public struct NATRules: Sendable {
    /// A destination-side translation: where the flow is really going.
    public struct DestinationTranslation: Hashable, Sendable {
        /// `static` or `destination`.
        public var kind: NATKind
        /// The rule set's name.
        public var ruleSet: String
        /// The rule's name.
        public var rule: String
        /// The translated destination address.
        public var address: IPAddress
        /// The translated destination port, when the rule changes it (a destination pool
        /// `port`, a static NAT `mapped-port`).
        public var port: UInt16?
    }

    /// A source-side decision after the policy.
    public struct SourceTranslation: Hashable, Sendable {
        /// What the source becomes.
        public enum Action: Hashable, Sendable {
            /// The egress interface's address, ports translated (`source-nat interface`).
            case interface
            /// An address of this pool (`source-nat pool NAME`).
            case pool(SourceNATPool)
            /// This address, one to one (the reverse direction of a static NAT).
            case address(IPAddress)
        }

        /// `source` or `static`.
        public var kind: NATKind
        /// The rule set's name.
        public var ruleSet: String
        /// The rule's name.
        public var rule: String
        /// What the source becomes.
        public var action: Action
    }

    /// The compiled rules, shared: the flow engine calls these methods from its mutating ones,
    /// which pass `self` by copy, and a copy of one reference is one retain where a copy of the
    /// configuration was dozens.
    private let compiled: Compiled

    private final class Compiled: Sendable {
        let config: DeviceConfig
        let sourceSets: [NATRuleSet]
        let destinationSets: [NATRuleSet]
        let staticSets: [NATRuleSet]
        /// The contexts of each set of `sourceSets`, `destinationSets` and `staticSets`, by index.
        let sourceContexts: [RuleSetContexts]
        let destinationContexts: [RuleSetContexts]
        let staticContexts: [RuleSetContexts]

        init(config: DeviceConfig) {
            self.config = config
            sourceSets = config.nat.ruleSets(.source)
            destinationSets = config.nat.ruleSets(.destination)
            staticSets = config.nat.ruleSets(.static)
            sourceContexts = sourceSets.map(RuleSetContexts.init)
            destinationContexts = destinationSets.map(RuleSetContexts.init)
            staticContexts = staticSets.map(RuleSetContexts.init)
        }
    }

    private var config: DeviceConfig { compiled.config }
    private var sourceSets: [NATRuleSet] { compiled.sourceSets }
    private var destinationSets: [NATRuleSet] { compiled.destinationSets }
    private var staticSets: [NATRuleSet] { compiled.staticSets }
    private var sourceContexts: [RuleSetContexts] { compiled.sourceContexts }
    private var destinationContexts: [RuleSetContexts] { compiled.destinationContexts }
    private var staticContexts: [RuleSetContexts] { compiled.staticContexts }

    /// Compiles the NAT rule sets of `config`.
    public init(config: DeviceConfig) {
        compiled = Compiled(config: config)
    }

    /// Static or destination NAT for a flow arriving on `unit` in `zone`.
    public func destination(zone: String, unit: String, key: FlowKey) -> DestinationTranslation? {
        // Static NAT wins over destination NAT.
        let staticNAT = first(of: staticSets, staticContexts, zone: zone, unit: unit, to: nil) { ruleSet -> DestinationTranslation?? in
            for rule in ruleSet.rules where matches(rule.match, key, staticDestination: true) {
                guard let (inside, outside, mapped) = staticMapping(rule),
                    let address = NATRules.map(key.destination, from: outside, to: inside)
                else { continue }
                var port: UInt16?
                if let mapped, let original = rule.match.destinationPorts.first {
                    port = mapped.lower &+ (key.destinationPort &- original.lower)
                }
                return DestinationTranslation(kind: .static, ruleSet: ruleSet.name, rule: rule.name, address: address, port: port)
            }
            return .none
        }
        if let staticNAT { return staticNAT }
        return first(of: destinationSets, destinationContexts, zone: zone, unit: unit, to: nil) { ruleSet -> DestinationTranslation?? in
            for rule in ruleSet.rules where matches(rule.match, key, staticDestination: false) {
                switch rule.action {
                case .destinationPool(let name):
                    guard let pool = config.nat.destinationPool(named: name), let range = pool.address else { return .some(nil) }
                    return DestinationTranslation(
                        kind: .destination, ruleSet: ruleSet.name, rule: rule.name, address: range.low, port: pool.port)
                default:
                    return .some(nil)
                }
            }
            return .none
        } ?? nil
    }

    /// The reverse of a static NAT, else source NAT, for a flow from `fromZone`/`fromUnit` to
    /// `toZone`/`toUnit` (after destination NAT: `key` carries the translated destination).
    public func source(fromZone: String, fromUnit: String, toZone: String, toUnit: String, key: FlowKey) -> SourceTranslation? {
        // A host a static NAT publishes leaves with its public address, whatever source NAT says.
        for ruleSet in staticSets {
            for rule in ruleSet.rules {
                guard let (inside, outside, _) = staticMapping(rule), inside.contains(key.source),
                    let address = NATRules.map(key.source, from: inside, to: outside)
                else { continue }
                return SourceTranslation(kind: .static, ruleSet: ruleSet.name, rule: rule.name, action: .address(address))
            }
        }
        return first(of: sourceSets, sourceContexts, zone: fromZone, unit: fromUnit, to: (toZone, toUnit)) {
            ruleSet -> SourceTranslation?? in
            for rule in ruleSet.rules where matches(rule.match, key, staticDestination: false) {
                switch rule.action {
                case .sourceInterface:
                    return SourceTranslation(kind: .source, ruleSet: ruleSet.name, rule: rule.name, action: .interface)
                case .sourcePool(let name):
                    guard let pool = config.nat.sourcePool(named: name) else { return .some(nil) }
                    return SourceTranslation(kind: .source, ruleSet: ruleSet.name, rule: rule.name, action: .pool(pool))
                default:
                    return .some(nil)
                }
            }
            return .none
        } ?? nil
    }

    // MARK: - Matching

    /// A rule set's `from` and `to` contexts, compiled: unit names canonical once, not per flow.
    fileprivate struct RuleSetContexts: Sendable {
        var fromUnits: [String] = []
        var fromZones: [String] = []
        var toUnits: [String] = []
        var toZones: [String] = []

        init(_ ruleSet: NATRuleSet) {
            for context in ruleSet.from {
                switch context {
                case .interface(let name): fromUnits.append(DeviceConfig.canonicalUnitName(name))
                case .zone(let name): fromZones.append(name)
                case .routingInstance: break
                }
            }
            for context in ruleSet.to {
                switch context {
                case .interface(let name): toUnits.append(DeviceConfig.canonicalUnitName(name))
                case .zone(let name): toZones.append(name)
                case .routingInstance: break
                }
            }
        }

        /// How specifically the contexts admit a flow (interface 2, zone 1), nil when they do not.
        static func specificity(units: [String], zones: [String], zone: String, unit: String) -> Int? {
            if units.contains(unit) { return 2 }
            return zones.contains(zone) ? 1 : nil
        }

        /// The set's rank for a flow: `from` specificity times 3 plus, with a destination, `to`
        /// specificity (3 to 8); 0 when it does not admit the flow.
        func score(zone: String, unit: String, to destination: (zone: String, unit: String)?) -> Int {
            guard let from = Self.specificity(units: fromUnits, zones: fromZones, zone: zone, unit: unit) else { return 0 }
            guard let destination else { return from * 3 }
            guard let to = Self.specificity(units: toUnits, zones: toZones, zone: destination.zone, unit: destination.unit)
            else { return 0 }
            return from * 3 + to
        }
    }

    /// Offers `body` the rule sets whose contexts admit the flow, most specific first
    /// (interface, then zone), in configuration order within a specificity, until it decides
    /// (returns non-nil); its decision, or nil when none decided. The ranks are kept in a
    /// temporary buffer: no array is built or sorted per flow.
    private func first<Decision>(
        of sets: [NATRuleSet], _ contexts: [RuleSetContexts], zone: String, unit: String,
        to destination: (zone: String, unit: String)?, _ body: (NATRuleSet) -> Decision?
    ) -> Decision? {
        guard !sets.isEmpty else { return nil }
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: sets.count) { scores in
            var best = 0
            for index in sets.indices {
                scores[index] = contexts[index].score(zone: zone, unit: unit, to: destination)
                best = max(best, scores[index])
            }
            for level in stride(from: best, to: 0, by: -1) {
                for index in sets.indices where scores[index] == level {
                    if let decision = body(sets[index]) { return decision }
                }
            }
            return nil
        }
    }

    private func matches(_ match: NATRuleMatch, _ key: FlowKey, staticDestination: Bool) -> Bool {
        if !match.sourceAddresses.isEmpty || !match.sourceAddressNames.isEmpty {
            guard match.sourceAddresses.contains(where: { $0.contains(key.source) })
                || contains(match.sourceAddressNames, key.source)
            else { return false }
        }
        // Static NAT matches its destination by the rule's own prefix (its mapping), which
        // `staticMapping` checks; the other kinds match it here.
        if !staticDestination, !match.destinationAddresses.isEmpty || !match.destinationAddressNames.isEmpty {
            guard match.destinationAddresses.contains(where: { $0.contains(key.destination) })
                || contains(match.destinationAddressNames, key.destination)
            else { return false }
        }
        if staticDestination {
            guard match.destinationAddresses.contains(where: { $0.contains(key.destination) })
                || contains(match.destinationAddressNames, key.destination)
            else { return false }
        }
        if !match.protocols.isEmpty, !match.protocols.contains(key.ipProtocol) { return false }
        let hasPorts = key.ipProtocol == 6 || key.ipProtocol == 17 || key.ipProtocol == 132
        if !match.destinationPorts.isEmpty {
            guard hasPorts, match.destinationPorts.contains(where: { $0.contains(key.destinationPort) }) else { return false }
        }
        if !match.sourcePorts.isEmpty {
            guard hasPorts, match.sourcePorts.contains(where: { $0.contains(key.sourcePort) }) else { return false }
        }
        if !match.applications.isEmpty {
            guard match.applications.contains(where: { name in
                (config.resolveApplications(name) ?? []).contains { ApplicationMatcher.matches($0, key) }
            }) else { return false }
        }
        return true
    }

    private func contains(_ names: [String], _ address: IPAddress) -> Bool {
        names.contains { name in (config.resolveAddresses(name, zone: nil) ?? []).contains { $0.contains(address) } }
    }

    /// A static rule's (private prefix, public prefix, mapped port range).
    private func staticMapping(_ rule: NATRule) -> (IPPrefix, IPPrefix, PortRange?)? {
        guard let outside = rule.match.destinationAddresses.first else { return nil }
        switch rule.action {
        case .staticPrefix(let inside, let mapped): return (inside, outside, mapped)
        case .staticPrefixName(let name):
            guard case .prefix(let inside)? = config.resolveAddresses(name, zone: nil)?.first?.value else { return nil }
            return (inside, outside, nil)
        default: return nil
        }
    }

    /// `address` moved from prefix `from` to prefix `to`, keeping its host part (static NAT
    /// maps subnets host for host); nil when `address` is outside `from` or the families differ.
    static func map(_ address: IPAddress, from: IPPrefix, to: IPPrefix) -> IPAddress? {
        guard from.contains(address), from.address.isV4 == to.address.isV4 else { return nil }
        switch (address, to.address) {
        case (.v4(let value), .v4(let target)):
            let hostMask: UInt32 = from.length == 32 ? 0 : ~UInt32(0) >> from.length
            return .v4(target | (value & hostMask))
        case (.v6(let high, let low), .v6(let targetHigh, let targetLow)):
            let highMask: UInt64 = from.length >= 64 ? 0 : ~UInt64(0) >> from.length
            let lowMask: UInt64 = from.length <= 64 ? ~0 : (from.length == 128 ? 0 : ~UInt64(0) >> (from.length - 64))
            return .v6(high: targetHigh | (high & highMask), low: targetLow | (low & lowMask))
        default:
            return nil
        }
    }
}
