import FlowtelCore
public import JunosConfig

/// What the policy lookup decided for a new flow.
public struct PolicyDecision: Hashable, Sendable {
    /// The policy that matched; nil when none did and the default policy applies.
    public var policy: SecurityPolicy?
    /// What to do: the policy's action, or the default policy's (`permit-all` permits with no
    /// options, `deny-all` denies).
    public var action: SecurityPolicy.Action
    /// The application the flow was identified as: the first of the policy's applications
    /// that matched, or for `any` and the default policy the first user-defined or predefined
    /// application with a port (or ICMP type) that matches; nil when none does, as for
    /// tcp/8080 under `application any` (RT_FLOW writes `None`).
    public var application: Application?

    /// The RT_FLOW `service-name`: the application's name, or `None`.
    public var serviceName: String { application?.name ?? "None" }
}

/// A policy decision as references into its ``PolicyTable``: what the flow engine's
/// first-packet path reads, without copying a policy or an application.
struct PolicyMatch: Sendable {
    /// The policy's index in the table; nil for the default policy.
    var policy: Int?
    /// The identified application's index in the table (``PolicyTable/application(_:)``);
    /// nil when the flow was not identified.
    var application: Int?
    /// The inactivity timeout of a session so identified, through the term that matched:
    /// seconds, or nil for `never`.
    var inactivity: Int?
}

/// The security policies of a configuration, compiled for lookups: zone-pair policies in
/// order, then global policies in order, then the default policy (Junos's evaluation order).
///
/// Zones, policies and applications are compiled to array indices (``ZoneNumbering``): a
/// lookup hashes no names and copies no policy.
public struct PolicyTable: Sendable {
    private struct Compiled: Sendable {
        var policy: SecurityPolicy
        /// The name RT_FLOW gives it: a global policy's carries `(global)`.
        var rtFlowName: String
        /// Its action without the permit options.
        var verdict: Verdict
        var source: AddressMatcher
        var destination: AddressMatcher
        var applications: ApplicationMatcher
        /// Global policies: the `match from-zone` / `to-zone` lists as zone ids (nil: every
        /// zone).
        var fromZones: [Int32]?
        var toZones: [Int32]?
    }

    /// The zone ids lookups take.
    let zones: ZoneNumbering
    /// Zone-pair policies, each pair's together in order, then the global policies.
    private let compiled: [Compiled]
    /// The policies of zone pair (from, to) in `compiled`, at `from * zones.count + to`.
    private let contexts: [Range<Int>]
    private let global: Range<Int>
    private let defaultPolicy: SecurityPolicies.DefaultPolicy
    /// Every application a policy lists or identification may name, with its terms compiled.
    private let catalog: ApplicationCatalog
    /// The terms of the applications that identify flows `any` admitted (user-defined first,
    /// only those with a term that names a port or an ICMP type: catch-alls never identify),
    /// flattened in order; for each IP protocol the terms that can match it (its own and
    /// those naming no protocol), so a flow scans only its protocol's.
    private let identifyingTerms: [[CompiledTerm]]

    /// Compiles the policies of `config`, resolving every address and application name once.
    public init(config: DeviceConfig) {
        let zones = ZoneNumbering(config: config)
        var catalog = ApplicationCatalog()
        var byPair: [[Compiled]] = Array(repeating: [], count: zones.count * zones.count)
        for context in config.policies.contexts {
            // Numbered by construction (``ZoneNumbering`` names every context's zones).
            let pair = Int(zones.id(of: context.fromZone)!) * zones.count + Int(zones.id(of: context.toZone)!)
            for policy in context.policies {
                byPair[pair].append(Self.compile(policy, config: config, zones: zones, catalog: &catalog))
            }
        }
        var compiled: [Compiled] = []
        var contexts: [Range<Int>] = []
        contexts.reserveCapacity(byPair.count)
        for policies in byPair {
            contexts.append(compiled.count..<compiled.count + policies.count)
            compiled += policies
        }
        let globalStart = compiled.count
        for policy in config.policies.global {
            compiled.append(Self.compile(policy, config: config, zones: zones, catalog: &catalog))
        }

        let userDefined = Set(config.applications.map(\.name))
        let identifiers = (config.applications + PredefinedApplications.all.filter { !userDefined.contains($0.name) })
            .filter { application in application.terms.contains { $0.destinationPorts != nil || $0.icmpType != nil } }
        var byProtocol: [[CompiledTerm]] = Array(repeating: [], count: 256)
        for application in identifiers {
            let index = catalog.index(of: application)
            for term in catalog[index].terms {
                for ipProtocol in 0..<256 where term.ipProtocol < 0 || term.ipProtocol == Int16(ipProtocol) {
                    byProtocol[ipProtocol].append(term)
                }
            }
        }
        self.zones = zones
        self.compiled = compiled
        self.contexts = contexts
        global = globalStart..<compiled.count
        defaultPolicy = config.policies.defaultPolicy
        identifyingTerms = byProtocol
        self.catalog = catalog
    }

    private static func compile(
        _ policy: SecurityPolicy, config: DeviceConfig, zones: ZoneNumbering, catalog: inout ApplicationCatalog
    ) -> Compiled {
        Compiled(
            policy: policy,
            rtFlowName: policy.isGlobal ? "\(policy.name)(global)" : policy.name,
            verdict: Verdict(policy.action),
            source: AddressMatcher(
                names: policy.sourceAddresses, zone: policy.fromZone, excluded: policy.sourceAddressExcluded,
                config: config),
            destination: AddressMatcher(
                names: policy.destinationAddresses, zone: policy.toZone,
                excluded: policy.destinationAddressExcluded, config: config),
            applications: ApplicationMatcher(names: policy.applications, config: config, catalog: &catalog),
            // Every listed name is numbered, so a list keeps its length.
            fromZones: policy.matchFromZones.isEmpty ? nil : policy.matchFromZones.compactMap(zones.id(of:)),
            toZones: policy.matchToZones.isEmpty ? nil : policy.matchToZones.compactMap(zones.id(of:)))
    }

    /// The decision for a new flow from `fromZone` to `toZone`.
    public func lookup(from fromZone: String, to toZone: String, key: FlowKey) -> PolicyDecision {
        let match = match(from: zones.id(of: fromZone), to: zones.id(of: toZone), key: key)
        return PolicyDecision(
            policy: match.policy.map { compiled[$0].policy }, action: action(of: match),
            application: match.application.map { catalog[$0].application })
    }

    /// ``lookup(from:to:key:)`` by zone id (nil: a zone the configuration never names, which
    /// only global policies without zone lists can match), by reference.
    func match(from fromZone: Int32?, to toZone: Int32?, key: FlowKey) -> PolicyMatch {
        // Candidates are read through pointers, in place: passing a `Compiled` by value copies
        // it (a retain and a release for each of its references) for every policy tried.
        compiled.withUnsafeBufferPointer { compiled in
            if let fromZone, let toZone {
                for index in contexts[Int(fromZone) * zones.count + Int(toZone)] {
                    if let match = decide(compiled.baseAddress! + index, index, key) { return match }
                }
            }
            for index in global {
                if let zones = compiled[index].fromZones, !(fromZone.map(zones.contains) ?? false) { continue }
                if let zones = compiled[index].toZones, !(toZone.map(zones.contains) ?? false) { continue }
                if let match = decide(compiled.baseAddress! + index, index, key) { return match }
            }
            return identify(key, policy: nil)
        }
    }

    private func decide(_ candidate: UnsafePointer<Compiled>, _ index: Int, _ key: FlowKey) -> PolicyMatch? {
        guard candidate.pointee.source.matches(key.source), candidate.pointee.destination.matches(key.destination) else {
            return nil
        }
        switch candidate.pointee.applications.match(key, in: catalog) {
        case .none: return nil
        case .any: return identify(key, policy: index)
        case .application(let application, let inactivity):
            return PolicyMatch(policy: index, application: application, inactivity: inactivity)
        }
    }

    /// The first user-defined, then predefined, application with a port or ICMP type that
    /// matches the flow, for flows no named application of their policy identified.
    /// Catch-alls (`junos-tcp-any`, a bare `protocol tcp`) name a flow only when the policy
    /// names them: SRX logs `None` for tcp/8080 under `application any`.
    private func identify(_ key: FlowKey, policy: Int?) -> PolicyMatch {
        let (first, second) = ApplicationMatcher.matchedPorts(key)
        // The first matching term belongs to the first matching application: terms are in
        // application order.
        let found = identifyingTerms[Int(key.ipProtocol)].withUnsafeBufferPointer { terms in
            terms.first { $0.matches(ipProtocol: key.ipProtocol, first, second) }
        }
        guard let found else {
            return PolicyMatch(policy: policy, application: nil, inactivity: InactivityTimeouts.protocolDefault(key.ipProtocol))
        }
        return PolicyMatch(
            policy: policy, application: Int(found.application), inactivity: found.inactivity(ipProtocol: key.ipProtocol))
    }

    /// The action of a match: its policy's, or the default policy's.
    private func action(of match: PolicyMatch) -> SecurityPolicy.Action {
        guard let policy = match.policy else { return defaultPolicy == .permitAll ? .permit(PermitOptions()) : .deny }
        return compiled[policy].policy.action
    }

    /// A policy action without a permit's options (copying those costs the first-packet
    /// path a retain and a release for each of their references).
    enum Verdict: Equatable {
        case permit
        case deny
        case reject

        init(_ action: SecurityPolicy.Action) {
            switch action {
            case .permit: self = .permit
            case .deny: self = .deny
            case .reject: self = .reject
            }
        }
    }

    /// The action of a match without its permit options.
    func verdict(of match: PolicyMatch) -> Verdict {
        guard let policy = match.policy else { return defaultPolicy == .permitAll ? .permit : .deny }
        return compiled[policy].verdict
    }

    /// The permit options of a match whose verdict is `permit` (none for `permit-all`).
    func permitOptions(of match: PolicyMatch) -> PermitOptions {
        guard let policy = match.policy, case .permit(let options) = compiled[policy].policy.action else { return PermitOptions() }
        return options
    }

    /// The RT_FLOW `policy-id` of a match's policy (0 for the default policy).
    func policyID(of match: PolicyMatch) -> Int { match.policy.map { compiled[$0].policy.id } ?? 0 }

    /// True when a match's policy logs `session-init` (never the default policy).
    func logsSessionInit(_ match: PolicyMatch) -> Bool { match.policy.map { compiled[$0].policy.logSessionInit } ?? false }

    /// True when a match's policy logs `session-close` (never the default policy).
    func logsSessionClose(_ match: PolicyMatch) -> Bool { match.policy.map { compiled[$0].policy.logSessionClose } ?? false }

    /// The RT_FLOW name of a match's policy (the default policy's for none).
    func rtFlowName(of match: PolicyMatch) -> String {
        match.policy.map { compiled[$0].rtFlowName } ?? FlowEngine.defaultPolicyName
    }

    /// The RT_FLOW `service-name` of a match: its application's name, or `None`.
    func serviceName(of match: PolicyMatch) -> String {
        match.application.map { catalog[$0].application.name } ?? "None"
    }
}
