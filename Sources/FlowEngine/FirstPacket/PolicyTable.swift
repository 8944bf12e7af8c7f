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
    /// Every application for identifying flows that `any` admitted: user-defined first, only
    /// those with a term that names a port or an ICMP type (catch-alls never identify).
    private let identifiers: [Application]
    /// The terms of `identifiers`, flattened in order (``IdentifyingTerm``).
    private let identifyingTerms: [IdentifyingTerm]

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
        let identifiers = (config.applications + PredefinedApplications.all.filter { !userDefined.contains($0.name) })
            .filter { application in application.terms.contains { $0.destinationPorts != nil || $0.icmpType != nil } }
        self.identifiers = identifiers
        identifyingTerms = identifiers.indices.flatMap { index in
            identifiers[index].terms.map { IdentifyingTerm($0, application: index) }
        }
    }

    /// The decision for a new flow from `fromZone` to `toZone`.
    public func lookup(from fromZone: String, to toZone: String, key: FlowKey) -> PolicyDecision {
        // Candidates are read through pointers, in place: passing a `Compiled` by value copies
        // it (a retain and a release for each of its references) for every policy tried.
        let zonePair = contexts[ZonePair(from: fromZone, to: toZone)]?.withUnsafeBufferPointer { candidates -> PolicyDecision? in
            for index in candidates.indices {
                if let decision = decide(candidates.baseAddress! + index, key) { return decision }
            }
            return nil
        }
        if let zonePair { return zonePair }
        let decision = global.withUnsafeBufferPointer { global -> PolicyDecision? in
            for index in global.indices {
                if let zones = global[index].fromZones, !zones.contains(fromZone) { continue }
                if let zones = global[index].toZones, !zones.contains(toZone) { continue }
                if let decision = decide(global.baseAddress! + index, key) { return decision }
            }
            return nil
        }
        if let decision { return decision }
        let action: SecurityPolicy.Action = defaultPolicy == .permitAll ? .permit(PermitOptions()) : .deny
        return PolicyDecision(policy: nil, action: action, application: identify(key))
    }

    private func decide(_ candidate: UnsafePointer<Compiled>, _ key: FlowKey) -> PolicyDecision? {
        guard candidate.pointee.source.matches(key.source), candidate.pointee.destination.matches(key.destination) else {
            return nil
        }
        let (admitted, application) = candidate.pointee.applications.match(key)
        guard admitted else { return nil }
        return PolicyDecision(
            policy: candidate.pointee.policy, action: candidate.pointee.policy.action, application: application ?? identify(key))
    }

    /// The first user-defined, then predefined, application with a port or ICMP type that
    /// matches the flow, for flows no named application of their policy identified.
    /// Catch-alls (`junos-tcp-any`, a bare `protocol tcp`) name a flow only when the policy
    /// names them: SRX logs `None` for tcp/8080 under `application any`.
    private func identify(_ key: FlowKey) -> Application? {
        let isICMP = key.ipProtocol == 1 || key.ipProtocol == 58
        let first = isICMP ? UInt16(key.icmpType ?? 0) : key.sourcePort
        let second = isICMP ? UInt16(key.icmpCode ?? 0) : key.destinationPort
        // The first matching term belongs to the first matching application: terms are in
        // application order.
        let found = identifyingTerms.withUnsafeBufferPointer { terms in
            terms.firstIndex { $0.matches(ipProtocol: key.ipProtocol, first, second) }
        }
        return found.map { identifiers[Int(identifyingTerms[$0].application)] }
    }
}

/// An application term flattened for identification, matching as `ApplicationTerm.matches`
/// does: the protocol if it names one, then ports for TCP, UDP and SCTP, or ICMP type and code
/// (carried where ports are) for ICMP and ICMPv6.
private struct IdentifyingTerm: Sendable {
    /// Index of the application in the table's identifiers.
    var application: Int32
    /// The protocol, or -1 for any.
    var ipProtocol: Int16
    var sourceLow: UInt16 = 0
    var sourceHigh: UInt16 = .max
    var destinationLow: UInt16 = 0
    var destinationHigh: UInt16 = .max
    /// ICMP type and code, or -1 for any.
    var icmpType: Int32 = -1
    var icmpCode: Int32 = -1

    init(_ term: ApplicationTerm, application: Int) {
        self.application = Int32(application)
        ipProtocol = term.ipProtocol.map { Int16($0) } ?? -1
        if let ports = term.sourcePorts { (sourceLow, sourceHigh) = (ports.lower, ports.upper) }
        if let ports = term.destinationPorts { (destinationLow, destinationHigh) = (ports.lower, ports.upper) }
        if let type = term.icmpType { icmpType = Int32(type) }
        if let code = term.icmpCode { icmpCode = Int32(code) }
    }

    @inline(__always)
    func matches(ipProtocol candidate: UInt8, _ first: UInt16, _ second: UInt16) -> Bool {
        if ipProtocol >= 0, ipProtocol != Int16(candidate) { return false }
        switch candidate {
        case 6, 17, 132:
            return sourceLow <= first && first <= sourceHigh && destinationLow <= second && second <= destinationHigh
        case 1, 58:
            return (icmpType < 0 || icmpType == Int32(first)) && (icmpCode < 0 || icmpCode == Int32(second))
        default:
            return true
        }
    }
}
