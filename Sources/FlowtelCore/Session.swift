/// How a session ended; `description` is the exact text an SRX writes in RT_FLOW_SESSION_CLOSE.
public enum CloseReason: Int, Sendable, CaseIterable, CustomStringConvertible {
    /// "TCP FIN".
    case tcpFin = 1
    /// "TCP RST".
    case tcpRst = 2
    /// "TCP CLIENT RST".
    case tcpClientRst = 3
    /// "TCP SERVER RST".
    case tcpServerRst = 4
    /// "response received".
    case responseReceived = 5
    /// "ICMP error".
    case icmpError = 6
    /// "idle Timeout".
    case idleTimeout = 7
    /// "unset".
    case unset = 8
    /// "application failure or action".
    case applicationFailure = 9
    /// "Closed by junos-alg".
    case closedByALG = 10
    /// "CLI".
    case cli = 11
    /// "policy delete".
    case policyDelete = 12
    /// "aged out".
    case agedOut = 13
    /// "interface address change" (flowtel's wording).
    case interfaceChange = 14
    /// "FPC reset" (flowtel's wording).
    case fpcReset = 15
    /// "FPC offline" (flowtel's wording).
    case fpcOffline = 16
    /// "session table full" (flowtel's wording).
    case sessionTableFull = 17

    public var description: String {
        switch self {
        case .tcpFin: "TCP FIN"
        case .tcpRst: "TCP RST"
        case .tcpClientRst: "TCP CLIENT RST"
        case .tcpServerRst: "TCP SERVER RST"
        case .responseReceived: "response received"
        case .icmpError: "ICMP error"
        case .idleTimeout: "idle Timeout"
        case .unset: "unset"
        case .applicationFailure: "application failure or action"
        case .closedByALG: "Closed by junos-alg"
        case .cli: "CLI"
        case .policyDelete: "policy delete"
        case .agedOut: "aged out"
        case .interfaceChange: "interface address change"
        case .fpcReset: "FPC reset"
        case .fpcOffline: "FPC offline"
        case .sessionTableFull: "session table full"
        }
    }
}

/// The NAT rule kind that translated a session.
public enum NatRuleType: Int, Sendable, CaseIterable, CustomStringConvertible {
    /// No rule ("N/A").
    case none = 0
    /// "source rule".
    case source = 1
    /// "destination rule".
    case destination = 2
    /// "static rule".
    case `static` = 3

    public var description: String {
        switch self {
        case .none: "N/A"
        case .source: "source rule"
        case .destination: "destination rule"
        case .static: "static rule"
        }
    }
}

/// What a denying policy did.
public enum PolicyAction: Int, Sendable, CaseIterable {
    /// `then deny`.
    case deny = 0
    /// `then reject`.
    case reject = 1

    /// The `reason` of the structured DENY record.
    public var denyReason: String { self == .deny ? "Denied by policy" : "Rejected by policy" }
    /// The tail of the plain-text DENY record.
    public var textTail: String { self == .deny ? "policy deny" : "policy reject" }
}

/// Everything RT_FLOW_SESSION_CREATE says about a session (RT_FLOW_SESSION_CLOSE repeats it).
///
/// String fields that flowtel does not compute (AppID, user firewall, VRF, ...) stay empty; the
/// renderers print the SRX placeholder for them.
public struct SessionInfo: Hashable, Sendable {
    /// source-address (In wing source, before NAT).
    public var sourceAddress: IPAddress = .unspecifiedV4
    /// source-port (ICMP: echo identifier).
    public var sourcePort: UInt16 = 0
    /// destination-address (before destination NAT).
    public var destinationAddress: IPAddress = .unspecifiedV4
    /// destination-port (ICMP: echo sequence number).
    public var destinationPort: UInt16 = 0
    /// connection-tag.
    public var connectionTag: UInt32 = 0
    /// service-name; empty renders "None".
    public var serviceName: String = ""
    /// nat-source-address.
    public var natSourceAddress: IPAddress = .unspecifiedV4
    /// nat-source-port.
    public var natSourcePort: UInt16 = 0
    /// nat-destination-address.
    public var natDestinationAddress: IPAddress = .unspecifiedV4
    /// nat-destination-port.
    public var natDestinationPort: UInt16 = 0
    /// nat-connection-tag.
    public var natConnectionTag: UInt32 = 0
    /// src-nat-rule-type.
    public var srcNatRuleType: NatRuleType = .none
    /// src-nat-rule-name; empty renders "N/A".
    public var srcNatRuleName: String = ""
    /// dst-nat-rule-type.
    public var dstNatRuleType: NatRuleType = .none
    /// dst-nat-rule-name; empty renders "N/A".
    public var dstNatRuleName: String = ""
    /// protocol-id.
    public var protocolID: UInt8 = 0
    /// policy-name, "(global)" suffix included.
    public var policyName: String = ""
    /// Policy index.
    public var policyIndex: UInt32 = 0
    /// source-zone-name.
    public var sourceZoneName: String = ""
    /// destination-zone-name.
    public var destinationZoneName: String = ""
    /// session-id-32.
    public var sessionID: UInt32 = 0
    /// username; empty renders "N/A".
    public var username: String = ""
    /// roles; empty renders "N/A".
    public var roles: String = ""
    /// packet-incoming-interface.
    public var packetIncomingInterface: String = ""
    /// Egress interface of the Out wing toward the server.
    public var egressInterface: String = ""
    /// application; empty renders "UNKNOWN".
    public var application: String = ""
    /// nested-application; empty renders "UNKNOWN".
    public var nestedApplication: String = ""
    /// encrypted; empty renders "UNKNOWN" (CREATE) or "No" (CLOSE).
    public var encrypted: String = ""
    /// application-category; empty renders "N/A".
    public var applicationCategory: String = ""
    /// application-sub-category; empty renders "N/A".
    public var applicationSubCategory: String = ""
    /// application-risk; 0 renders "-1".
    public var applicationRisk: Int32 = 0
    /// application-characteristics; empty renders "N/A".
    public var applicationCharacteristics: String = ""
    /// src-vrf-grp; empty renders "N/A".
    public var srcVrfGroup: String = ""
    /// dst-vrf-grp; empty renders "N/A".
    public var dstVrfGroup: String = ""
    /// tunnel-inspection; empty renders "Off".
    public var tunnelInspection: String = ""
    /// tunnel-inspection-policy-set; empty renders "root".
    public var tunnelInspectionPolicySet: String = ""
    /// source-tenant; empty renders "N/A".
    public var sourceTenant: String = ""
    /// destination-service; empty renders "N/A".
    public var destinationService: String = ""
    /// dst-identity-context-name; empty renders "N/A".
    public var dstIdentityContextName: String = ""
    /// dst-identity-context-roles; empty renders "N/A".
    public var dstIdentityContextRoles: String = ""
    /// Owning services card.
    public var fpc: UInt32 = 0
    /// Owning PIC.
    public var pic: UInt32 = 0
    /// Inactivity timeout, seconds.
    public var timeoutSeconds: UInt32 = 0

    /// An empty record; set the fields you need.
    public init() {}
}

/// RT_FLOW_SESSION_CREATE.
public struct SessionCreate: Hashable, Sendable {
    /// The new session.
    public var session: SessionInfo
    /// Wraps a session.
    public init(session: SessionInfo) { self.session = session }
}

/// RT_FLOW_SESSION_CLOSE.
public struct SessionClose: Hashable, Sendable {
    /// The session as created.
    public var session: SessionInfo = SessionInfo()
    /// reason.
    public var reason: CloseReason = .unset
    /// packets-from-client.
    public var packetsFromClient: UInt64 = 0
    /// bytes-from-client.
    public var bytesFromClient: UInt64 = 0
    /// packets-from-server.
    public var packetsFromServer: UInt64 = 0
    /// bytes-from-server.
    public var bytesFromServer: UInt64 = 0
    /// elapsed-time, whole seconds.
    public var elapsedTime: UInt32 = 0
    /// Creation time.
    public var startTime: Timestamp = Timestamp(unixNanos: 0)
    /// secure-web-proxy-session-type; empty renders "NA".
    public var secureWebProxySessionType: String = ""
    /// peer-session-id.
    public var peerSessionID: UInt64 = 0
    /// peer-source-address; nil renders "0.0.0.0".
    public var peerSourceAddress: IPAddress? = nil
    /// peer-source-port.
    public var peerSourcePort: UInt16 = 0
    /// peer-destination-address; nil renders "0.0.0.0".
    public var peerDestinationAddress: IPAddress? = nil
    /// peer-destination-port.
    public var peerDestinationPort: UInt16 = 0
    /// hostname; empty renders "NA NA".
    public var hostname: String = ""
    /// session-flag.
    public var sessionFlag: UInt32 = 0
    /// user-type; empty renders "N/A".
    public var userType: String = ""
    /// url-host; empty renders "N/A".
    public var urlHost: String = ""
    /// url-cat; empty renders "N/A".
    public var urlCategory: String = ""
    /// url-risk.
    public var urlRisk: UInt32 = 0
    /// src-vrf; empty renders "N/A".
    public var srcVrf: String = ""
    /// dst-vrf; empty renders "N/A".
    public var dstVrf: String = ""
    /// forwarded-for; empty renders "N/A".
    public var forwardedFor: String = ""

    /// An empty record; set the fields you need.
    public init() {}
}

/// RT_FLOW_SESSION_DENY.
public struct SessionDeny: Hashable, Sendable {
    /// source-address.
    public var sourceAddress: IPAddress = .unspecifiedV4
    /// source-port.
    public var sourcePort: UInt16 = 0
    /// destination-address.
    public var destinationAddress: IPAddress = .unspecifiedV4
    /// destination-port.
    public var destinationPort: UInt16 = 0
    /// connection-tag.
    public var connectionTag: UInt32 = 0
    /// service-name; empty renders "None".
    public var serviceName: String = ""
    /// protocol-id.
    public var protocolID: UInt8 = 0
    /// icmp-type (0 for non-ICMP).
    public var icmpType: UInt8 = 0
    /// policy-name.
    public var policyName: String = ""
    /// Policy index.
    public var policyIndex: UInt32 = 0
    /// source-zone-name.
    public var sourceZoneName: String = ""
    /// destination-zone-name.
    public var destinationZoneName: String = ""
    /// application; empty renders "UNKNOWN".
    public var application: String = ""
    /// nested-application; empty renders "UNKNOWN".
    public var nestedApplication: String = ""
    /// username; empty renders "N/A".
    public var username: String = ""
    /// roles; empty renders "N/A".
    public var roles: String = ""
    /// packet-incoming-interface.
    public var packetIncomingInterface: String = ""
    /// encrypted; empty renders "No".
    public var encrypted: String = ""
    /// Deny or reject.
    public var action: PolicyAction = .deny
    /// session-id.
    public var sessionID: UInt32 = 0
    /// application-category; empty renders "N/A".
    public var applicationCategory: String = ""
    /// application-sub-category; empty renders "N/A".
    public var applicationSubCategory: String = ""
    /// application-risk; 0 renders "-1".
    public var applicationRisk: Int32 = 0
    /// application-characteristics; empty renders "N/A".
    public var applicationCharacteristics: String = ""
    /// src-vrf-grp; empty renders "N/A".
    public var srcVrfGroup: String = ""
    /// dst-vrf-grp; empty renders "N/A".
    public var dstVrfGroup: String = ""
    /// source-tenant; empty renders "N/A".
    public var sourceTenant: String = ""
    /// destination-service; empty renders "N/A".
    public var destinationService: String = ""
    /// Services card that evaluated the packet.
    public var fpc: UInt32 = 0
    /// PIC.
    public var pic: UInt32 = 0

    /// An empty record; set the fields you need.
    public init() {}
}
