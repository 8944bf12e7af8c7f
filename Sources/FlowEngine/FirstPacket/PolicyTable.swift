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

/// The security policies of a configuration, compiled for lookups: zone-pair policies in
/// order, then global policies in order, then the default policy (Junos's evaluation order).
public struct PolicyTable: Sendable {
    private struct Compiled: Sendable {
        var policy: SecurityPolicy
        var source: AddressMatcher
        var destination: AddressMatcher
        var applications: ApplicationMatcher
        /// Global policies: the `match from-zone` / `to-zone` lists (nil: every zone).
        var fromZones: Set<String>?
        var toZones: Set<String>?
    }

    private let contexts: [ZonePair: [Compiled]]
    private let global: [Compiled]
    private let defaultPolicy: SecurityPolicies.DefaultPolicy
    /// Every application for identifying flows that `any` admitted: user-defined first.
    private let identifiers: [Application]

    private struct ZonePair: Hashable, Sendable {
        var from: String
        var to: String
    }

    /// Compiles the policies of `config`, resolving every address and application name once.
    public init(config: DeviceConfig) {
        func compile(_ policy: SecurityPolicy) -> Compiled {
            Compiled(
                policy: policy,
                source: AddressMatcher(
                    names: policy.sourceAddresses, zone: policy.fromZone, excluded: policy.sourceAddressExcluded,
                    config: config),
                destination: AddressMatcher(
                    names: policy.destinationAddresses, zone: policy.toZone,
                    excluded: policy.destinationAddressExcluded, config: config),
                applications: ApplicationMatcher(names: policy.applications, config: config),
                fromZones: policy.matchFromZones.isEmpty ? nil : Set(policy.matchFromZones),
                toZones: policy.matchToZones.isEmpty ? nil : Set(policy.matchToZones))
        }
        var contexts: [ZonePair: [Compiled]] = [:]
        for context in config.policies.contexts {
            contexts[ZonePair(from: context.fromZone, to: context.toZone), default: []] += context.policies.map(compile)
        }
        self.contexts = contexts
        global = config.policies.global.map(compile)
        defaultPolicy = config.policies.defaultPolicy
        let userDefined = Set(config.applications.map(\.name))
        identifiers = config.applications + PredefinedApplications.all.filter { !userDefined.contains($0.name) }
    }

    /// The decision for a new flow from `fromZone` to `toZone`.
    public func lookup(from fromZone: String, to toZone: String, key: FlowKey) -> PolicyDecision {
        for candidate in contexts[ZonePair(from: fromZone, to: toZone)] ?? [] {
            if let decision = decide(candidate, key) { return decision }
        }
        for candidate in global {
            if let zones = candidate.fromZones, !zones.contains(fromZone) { continue }
            if let zones = candidate.toZones, !zones.contains(toZone) { continue }
            if let decision = decide(candidate, key) { return decision }
        }
        let action: SecurityPolicy.Action = defaultPolicy == .permitAll ? .permit(PermitOptions()) : .deny
        return PolicyDecision(policy: nil, action: action, application: identify(key))
    }

    private func decide(_ candidate: Compiled, _ key: FlowKey) -> PolicyDecision? {
        guard candidate.source.matches(key.source), candidate.destination.matches(key.destination) else { return nil }
        let (admitted, application) = candidate.applications.match(key)
        guard admitted else { return nil }
        return PolicyDecision(policy: candidate.policy, action: candidate.policy.action, application: application ?? identify(key))
    }

    /// The first user-defined, then predefined, application with a port or ICMP type that
    /// matches the flow, for flows no named application of their policy identified.
    /// Catch-alls (`junos-tcp-any`, a bare `protocol tcp`) name a flow only when the policy
    /// names them: SRX logs `None` for tcp/8080 under `application any`.
    private func identify(_ key: FlowKey) -> Application? {
        identifiers.first { application in
            application.terms.contains { $0.destinationPorts != nil || $0.icmpType != nil }
                && ApplicationMatcher.matches(application, key)
        }
    }
}
