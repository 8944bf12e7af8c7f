/// The options of `then permit`.
public struct PermitOptions: Hashable, Sendable {
    /// `tcp-options syn-check-required`: enforce the SYN check for this policy even when
    /// `security flow tcp-session no-syn-check` disables it globally.
    public var synCheckRequired: Bool
    /// `tcp-options sequence-check-required`.
    public var sequenceCheckRequired: Bool
    /// `tcp-options initial-tcp-mss` / `reverse-tcp-mss`, when set.
    public var initialTCPMSS: Int?
    /// `tcp-options reverse-tcp-mss`.
    public var reverseTCPMSS: Int?
    /// `application-services` named (kept, not interpreted), e.g. `idp`, `utm-policy P`.
    public var applicationServices: [String]
    /// `tunnel ipsec-vpn NAME`, when set.
    public var ipsecVPN: String?

    /// Creates permit options.
    public init(
        synCheckRequired: Bool = false, sequenceCheckRequired: Bool = false, initialTCPMSS: Int? = nil,
        reverseTCPMSS: Int? = nil, applicationServices: [String] = [], ipsecVPN: String? = nil
    ) {
        self.synCheckRequired = synCheckRequired
        self.sequenceCheckRequired = sequenceCheckRequired
        self.initialTCPMSS = initialTCPMSS
        self.reverseTCPMSS = reverseTCPMSS
        self.applicationServices = applicationServices
        self.ipsecVPN = ipsecVPN
    }
}

/// A `security policies … policy NAME`.
public struct SecurityPolicy: Hashable, Sendable {
    /// The policy name (unique within its zone pair, or among global policies).
    public var name: String
    /// The zone pair's `from-zone` (nil for a global policy).
    public var fromZone: String?
    /// The zone pair's `to-zone` (nil for a global policy).
    public var toZone: String?
    /// A global policy's `match from-zone` list; empty matches every zone.
    public var matchFromZones: [String]
    /// A global policy's `match to-zone` list; empty matches every zone.
    public var matchToZones: [String]
    /// `match source-address`: address or address-set names, or `any`, `any-ipv4`, `any-ipv6`.
    public var sourceAddresses: [String]
    /// `match destination-address`.
    public var destinationAddresses: [String]
    /// `match source-address-excluded`: the policy matches sources *not* in the list.
    public var sourceAddressExcluded: Bool
    /// `match destination-address-excluded`.
    public var destinationAddressExcluded: Bool
    /// `match application`: application or application-set names, or `any`.
    public var applications: [String]
    /// `then permit | deny | reject`.
    public var action: Action
    /// `then log session-init`: emit RT_FLOW_SESSION_CREATE (and DENY for deny/reject).
    public var logSessionInit: Bool
    /// `then log session-close`: emit RT_FLOW_SESSION_CLOSE (and DENY for deny/reject).
    public var logSessionClose: Bool
    /// `then count`.
    public var count: Bool
    /// `description`.
    public var description: String?
    /// `scheduler-name`, kept.
    public var schedulerName: String?
    /// The policy's id: its position among all policies in configuration order, from 1 —
    /// zone-pair policies first, then global ones. RT_FLOW logs carry it as `policy-id`.
    public var id: Int
    /// Where the policy is defined.
    @NotCompared public var location: SourceLocation

    /// Creates a policy.
    public init(
        name: String, fromZone: String? = nil, toZone: String? = nil, matchFromZones: [String] = [],
        matchToZones: [String] = [], sourceAddresses: [String] = ["any"], destinationAddresses: [String] = ["any"],
        sourceAddressExcluded: Bool = false, destinationAddressExcluded: Bool = false,
        applications: [String] = ["any"], action: Action, logSessionInit: Bool = false,
        logSessionClose: Bool = false, count: Bool = false, description: String? = nil,
        schedulerName: String? = nil, id: Int = 0, location: SourceLocation
    ) {
        self.name = name
        self.fromZone = fromZone
        self.toZone = toZone
        self.matchFromZones = matchFromZones
        self.matchToZones = matchToZones
        self.sourceAddresses = sourceAddresses
        self.destinationAddresses = destinationAddresses
        self.sourceAddressExcluded = sourceAddressExcluded
        self.destinationAddressExcluded = destinationAddressExcluded
        self.applications = applications
        self.action = action
        self.logSessionInit = logSessionInit
        self.logSessionClose = logSessionClose
        self.count = count
        self.description = description
        self.schedulerName = schedulerName
        self.id = id
        self.location = location
    }

    /// True for a policy under `security policies global`.
    public var isGlobal: Bool { fromZone == nil }
}

extension SecurityPolicy {
    /// What a policy does with the traffic it matches.
    public enum Action: Hashable, Sendable, CustomStringConvertible {
        /// `permit`: create a session, with the permit options.
        case permit(PermitOptions)
        /// `deny`: drop silently.
        case deny
        /// `reject`: drop and answer with a TCP RST or an ICMP unreachable.
        case reject

        /// "permit", "deny" or "reject".
        public var description: String {
            switch self {
            case .permit: "permit"
            case .deny: "deny"
            case .reject: "reject"
            }
        }

        /// True for `permit`.
        public var isPermit: Bool {
            if case .permit = self { return true }
            return false
        }
    }
}

/// The policies of one zone pair, in evaluation order.
public struct PolicyContext: Hashable, Sendable {
    /// `from-zone`.
    public var fromZone: String
    /// `to-zone`.
    public var toZone: String
    /// The policies, in the order Junos evaluates them (configuration order).
    public var policies: [SecurityPolicy]

    /// Creates a context.
    public init(fromZone: String, toZone: String, policies: [SecurityPolicy]) {
        self.fromZone = fromZone
        self.toZone = toZone
        self.policies = policies
    }
}

/// `security policies`.
public struct SecurityPolicies: Hashable, Sendable {
    /// The action when no policy matches.
    public enum DefaultPolicy: String, Hashable, Sendable {
        /// `default-policy permit-all`.
        case permitAll = "permit-all"
        /// `default-policy deny-all` (the Junos default).
        case denyAll = "deny-all"
    }

    /// Zone-pair policies, one context per pair, in configuration order.
    public var contexts: [PolicyContext]
    /// `global` policies, evaluated after the zone pair's own.
    public var global: [SecurityPolicy]
    /// `default-policy`.
    public var defaultPolicy: DefaultPolicy
    /// `policy-rematch`: re-evaluate existing sessions when a policy changes.
    public var policyRematch: Bool

    /// Creates a policy configuration.
    public init(
        contexts: [PolicyContext] = [], global: [SecurityPolicy] = [], defaultPolicy: DefaultPolicy = .denyAll,
        policyRematch: Bool = false
    ) {
        self.contexts = contexts
        self.global = global
        self.defaultPolicy = defaultPolicy
        self.policyRematch = policyRematch
    }

    /// The zone pair's policies, or an empty list.
    public func policies(from fromZone: String, to toZone: String) -> [SecurityPolicy] {
        contexts.first { $0.fromZone == fromZone && $0.toZone == toZone }?.policies ?? []
    }

    /// Every policy: zone-pair policies in order, then global ones.
    public var all: [SecurityPolicy] { contexts.flatMap(\.policies) + global }
}
