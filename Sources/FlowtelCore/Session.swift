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
    /// packet-incoming-interface.
    public var packetIncomingInterface: String = ""
    /// Egress interface of the Out wing toward the server.
    public var egressInterface: String = ""
    /// Owning services card.
    public var fpc: UInt32 = 0
    /// Owning PIC.
    public var pic: UInt32 = 0
    /// Inactivity timeout, seconds.
    public var timeoutSeconds: UInt32 = 0

    /// username; empty renders "N/A".
    public var username: String {
        get { extensionsBox?.value.username ?? "" }
        set {
            guard extensionsBox != nil || newValue != "" else { return }
            updateExtensions { $0.username = newValue }
        }
    }
    /// roles; empty renders "N/A".
    public var roles: String {
        get { extensionsBox?.value.roles ?? "" }
        set {
            guard extensionsBox != nil || newValue != "" else { return }
            updateExtensions { $0.roles = newValue }
        }
    }
    /// application; empty renders "UNKNOWN".
    public var application: String {
        get { extensionsBox?.value.application ?? "" }
        set {
            guard extensionsBox != nil || newValue != "" else { return }
            updateExtensions { $0.application = newValue }
        }
    }
    /// nested-application; empty renders "UNKNOWN".
    public var nestedApplication: String {
        get { extensionsBox?.value.nestedApplication ?? "" }
        set {
            guard extensionsBox != nil || newValue != "" else { return }
            updateExtensions { $0.nestedApplication = newValue }
        }
    }
    /// encrypted; empty renders "UNKNOWN" (CREATE) or "No" (CLOSE).
    public var encrypted: String {
        get { extensionsBox?.value.encrypted ?? "" }
        set {
            guard extensionsBox != nil || newValue != "" else { return }
            updateExtensions { $0.encrypted = newValue }
        }
    }
    /// application-category; empty renders "N/A".
    public var applicationCategory: String {
        get { extensionsBox?.value.applicationCategory ?? "" }
        set {
            guard extensionsBox != nil || newValue != "" else { return }
            updateExtensions { $0.applicationCategory = newValue }
        }
    }
    /// application-sub-category; empty renders "N/A".
    public var applicationSubCategory: String {
        get { extensionsBox?.value.applicationSubCategory ?? "" }
        set {
            guard extensionsBox != nil || newValue != "" else { return }
            updateExtensions { $0.applicationSubCategory = newValue }
        }
    }
    /// application-risk; 0 renders "-1".
    public var applicationRisk: Int32 {
        get { extensionsBox?.value.applicationRisk ?? 0 }
        set {
            guard extensionsBox != nil || newValue != 0 else { return }
            updateExtensions { $0.applicationRisk = newValue }
        }
    }
    /// application-characteristics; empty renders "N/A".
    public var applicationCharacteristics: String {
        get { extensionsBox?.value.applicationCharacteristics ?? "" }
        set {
            guard extensionsBox != nil || newValue != "" else { return }
            updateExtensions { $0.applicationCharacteristics = newValue }
        }
    }
    /// src-vrf-grp; empty renders "N/A".
    public var srcVrfGroup: String {
        get { extensionsBox?.value.srcVrfGroup ?? "" }
        set {
            guard extensionsBox != nil || newValue != "" else { return }
            updateExtensions { $0.srcVrfGroup = newValue }
        }
    }
    /// dst-vrf-grp; empty renders "N/A".
    public var dstVrfGroup: String {
        get { extensionsBox?.value.dstVrfGroup ?? "" }
        set {
            guard extensionsBox != nil || newValue != "" else { return }
            updateExtensions { $0.dstVrfGroup = newValue }
        }
    }
    /// tunnel-inspection; empty renders "Off".
    public var tunnelInspection: String {
        get { extensionsBox?.value.tunnelInspection ?? "" }
        set {
            guard extensionsBox != nil || newValue != "" else { return }
            updateExtensions { $0.tunnelInspection = newValue }
        }
    }
    /// tunnel-inspection-policy-set; empty renders "root".
    public var tunnelInspectionPolicySet: String {
        get { extensionsBox?.value.tunnelInspectionPolicySet ?? "" }
        set {
            guard extensionsBox != nil || newValue != "" else { return }
            updateExtensions { $0.tunnelInspectionPolicySet = newValue }
        }
    }
    /// source-tenant; empty renders "N/A".
    public var sourceTenant: String {
        get { extensionsBox?.value.sourceTenant ?? "" }
        set {
            guard extensionsBox != nil || newValue != "" else { return }
            updateExtensions { $0.sourceTenant = newValue }
        }
    }
    /// destination-service; empty renders "N/A".
    public var destinationService: String {
        get { extensionsBox?.value.destinationService ?? "" }
        set {
            guard extensionsBox != nil || newValue != "" else { return }
            updateExtensions { $0.destinationService = newValue }
        }
    }
    /// dst-identity-context-name; empty renders "N/A".
    public var dstIdentityContextName: String {
        get { extensionsBox?.value.dstIdentityContextName ?? "" }
        set {
            guard extensionsBox != nil || newValue != "" else { return }
            updateExtensions { $0.dstIdentityContextName = newValue }
        }
    }
    /// dst-identity-context-roles; empty renders "N/A".
    public var dstIdentityContextRoles: String {
        get { extensionsBox?.value.dstIdentityContextRoles ?? "" }
        set {
            guard extensionsBox != nil || newValue != "" else { return }
            updateExtensions { $0.dstIdentityContextRoles = newValue }
        }
    }

    /// The RT_FLOW fields flowtel does not compute, boxed: nil (one pointer, nothing to copy or
    /// release) for flowtel's own events, set only when a peer sent them.
    private var extensionsBox: ExtensionsBox<SessionInfoExtensions>?

    /// True when any of these fields is set (never for flowtel's own events).
    public var hasExtensions: Bool { extensionsBox != nil }

    /// All of them at once.
    public var extensions: SessionInfoExtensions {
        get { extensionsBox?.value ?? SessionInfoExtensions() }
        set { extensionsBox = newValue == SessionInfoExtensions() ? nil : ExtensionsBox(newValue) }
    }

    private mutating func updateExtensions(_ change: (inout SessionInfoExtensions) -> Void) {
        var value = extensionsBox?.value ?? SessionInfoExtensions()
        change(&value)
        extensions = value
    }

    /// An empty record; set the fields you need.
    public init() {}

    /// A record with the fields a flow engine computes for a session of its own, every other
    /// one at its default: the same record as setting them one by one on ``init()``'s, built
    /// in one go (each assignment to an existing record would first destroy the default).
    public init(
        sourceAddress: IPAddress, sourcePort: UInt16, destinationAddress: IPAddress, destinationPort: UInt16,
        serviceName: String, natSourceAddress: IPAddress, natSourcePort: UInt16, natDestinationAddress: IPAddress,
        natDestinationPort: UInt16, srcNatRuleType: NatRuleType, srcNatRuleName: String, dstNatRuleType: NatRuleType,
        dstNatRuleName: String, protocolID: UInt8, policyName: String, policyIndex: UInt32, sourceZoneName: String,
        destinationZoneName: String, sessionID: UInt32, packetIncomingInterface: String, egressInterface: String,
        timeoutSeconds: UInt32
    ) {
        self.sourceAddress = sourceAddress
        self.sourcePort = sourcePort
        self.destinationAddress = destinationAddress
        self.destinationPort = destinationPort
        self.serviceName = serviceName
        self.natSourceAddress = natSourceAddress
        self.natSourcePort = natSourcePort
        self.natDestinationAddress = natDestinationAddress
        self.natDestinationPort = natDestinationPort
        self.srcNatRuleType = srcNatRuleType
        self.srcNatRuleName = srcNatRuleName
        self.dstNatRuleType = dstNatRuleType
        self.dstNatRuleName = dstNatRuleName
        self.protocolID = protocolID
        self.policyName = policyName
        self.policyIndex = policyIndex
        self.sourceZoneName = sourceZoneName
        self.destinationZoneName = destinationZoneName
        self.sessionID = sessionID
        self.packetIncomingInterface = packetIncomingInterface
        self.egressInterface = egressInterface
        self.timeoutSeconds = timeoutSeconds
    }
}

/// The RT_FLOW fields of SessionInfo that flowtel does not compute (an SRX fills them from AppID, the
/// user firewall, VRFs and tunnel inspection); the renderers print the SRX placeholders for
/// them when empty.
public struct SessionInfoExtensions: Hashable, Sendable {
    /// username; empty renders "N/A".
    public var username: String = ""
    /// roles; empty renders "N/A".
    public var roles: String = ""
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

    /// All empty.
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
    public var secureWebProxySessionType: String {
        get { extensionsBox?.value.secureWebProxySessionType ?? "" }
        set {
            guard extensionsBox != nil || newValue != "" else { return }
            updateExtensions { $0.secureWebProxySessionType = newValue }
        }
    }
    /// peer-session-id.
    public var peerSessionID: UInt64 {
        get { extensionsBox?.value.peerSessionID ?? 0 }
        set {
            guard extensionsBox != nil || newValue != 0 else { return }
            updateExtensions { $0.peerSessionID = newValue }
        }
    }
    /// peer-source-address; nil renders "0.0.0.0".
    public var peerSourceAddress: IPAddress? {
        get { extensionsBox?.value.peerSourceAddress ?? nil }
        set {
            guard extensionsBox != nil || newValue != nil else { return }
            updateExtensions { $0.peerSourceAddress = newValue }
        }
    }
    /// peer-source-port.
    public var peerSourcePort: UInt16 {
        get { extensionsBox?.value.peerSourcePort ?? 0 }
        set {
            guard extensionsBox != nil || newValue != 0 else { return }
            updateExtensions { $0.peerSourcePort = newValue }
        }
    }
    /// peer-destination-address; nil renders "0.0.0.0".
    public var peerDestinationAddress: IPAddress? {
        get { extensionsBox?.value.peerDestinationAddress ?? nil }
        set {
            guard extensionsBox != nil || newValue != nil else { return }
            updateExtensions { $0.peerDestinationAddress = newValue }
        }
    }
    /// peer-destination-port.
    public var peerDestinationPort: UInt16 {
        get { extensionsBox?.value.peerDestinationPort ?? 0 }
        set {
            guard extensionsBox != nil || newValue != 0 else { return }
            updateExtensions { $0.peerDestinationPort = newValue }
        }
    }
    /// hostname; empty renders "NA NA".
    public var hostname: String {
        get { extensionsBox?.value.hostname ?? "" }
        set {
            guard extensionsBox != nil || newValue != "" else { return }
            updateExtensions { $0.hostname = newValue }
        }
    }
    /// session-flag.
    public var sessionFlag: UInt32 {
        get { extensionsBox?.value.sessionFlag ?? 0 }
        set {
            guard extensionsBox != nil || newValue != 0 else { return }
            updateExtensions { $0.sessionFlag = newValue }
        }
    }
    /// user-type; empty renders "N/A".
    public var userType: String {
        get { extensionsBox?.value.userType ?? "" }
        set {
            guard extensionsBox != nil || newValue != "" else { return }
            updateExtensions { $0.userType = newValue }
        }
    }
    /// url-host; empty renders "N/A".
    public var urlHost: String {
        get { extensionsBox?.value.urlHost ?? "" }
        set {
            guard extensionsBox != nil || newValue != "" else { return }
            updateExtensions { $0.urlHost = newValue }
        }
    }
    /// url-cat; empty renders "N/A".
    public var urlCategory: String {
        get { extensionsBox?.value.urlCategory ?? "" }
        set {
            guard extensionsBox != nil || newValue != "" else { return }
            updateExtensions { $0.urlCategory = newValue }
        }
    }
    /// url-risk.
    public var urlRisk: UInt32 {
        get { extensionsBox?.value.urlRisk ?? 0 }
        set {
            guard extensionsBox != nil || newValue != 0 else { return }
            updateExtensions { $0.urlRisk = newValue }
        }
    }
    /// src-vrf; empty renders "N/A".
    public var srcVrf: String {
        get { extensionsBox?.value.srcVrf ?? "" }
        set {
            guard extensionsBox != nil || newValue != "" else { return }
            updateExtensions { $0.srcVrf = newValue }
        }
    }
    /// dst-vrf; empty renders "N/A".
    public var dstVrf: String {
        get { extensionsBox?.value.dstVrf ?? "" }
        set {
            guard extensionsBox != nil || newValue != "" else { return }
            updateExtensions { $0.dstVrf = newValue }
        }
    }
    /// forwarded-for; empty renders "N/A".
    public var forwardedFor: String {
        get { extensionsBox?.value.forwardedFor ?? "" }
        set {
            guard extensionsBox != nil || newValue != "" else { return }
            updateExtensions { $0.forwardedFor = newValue }
        }
    }

    /// The RT_FLOW_SESSION_CLOSE fields flowtel does not compute, boxed: nil (one pointer, nothing to copy or
    /// release) for flowtel's own events, set only when a peer sent them.
    private var extensionsBox: ExtensionsBox<SessionCloseExtensions>?

    /// True when any of these fields is set (never for flowtel's own events).
    public var hasExtensions: Bool { extensionsBox != nil }

    /// All of them at once.
    public var extensions: SessionCloseExtensions {
        get { extensionsBox?.value ?? SessionCloseExtensions() }
        set { extensionsBox = newValue == SessionCloseExtensions() ? nil : ExtensionsBox(newValue) }
    }

    private mutating func updateExtensions(_ change: (inout SessionCloseExtensions) -> Void) {
        var value = extensionsBox?.value ?? SessionCloseExtensions()
        change(&value)
        extensions = value
    }

    /// An empty record; set the fields you need.
    public init() {}
}

/// The RT_FLOW_SESSION_CLOSE fields of SessionClose that flowtel does not compute (an SRX fills them from AppID, the
/// user firewall, VRFs and tunnel inspection); the renderers print the SRX placeholders for
/// them when empty.
public struct SessionCloseExtensions: Hashable, Sendable {
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

    /// All empty.
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
    /// packet-incoming-interface.
    public var packetIncomingInterface: String = ""
    /// Deny or reject.
    public var action: PolicyAction = .deny
    /// session-id.
    public var sessionID: UInt32 = 0
    /// Services card that evaluated the packet.
    public var fpc: UInt32 = 0
    /// PIC.
    public var pic: UInt32 = 0

    /// application; empty renders "UNKNOWN".
    public var application: String {
        get { extensionsBox?.value.application ?? "" }
        set {
            guard extensionsBox != nil || newValue != "" else { return }
            updateExtensions { $0.application = newValue }
        }
    }
    /// nested-application; empty renders "UNKNOWN".
    public var nestedApplication: String {
        get { extensionsBox?.value.nestedApplication ?? "" }
        set {
            guard extensionsBox != nil || newValue != "" else { return }
            updateExtensions { $0.nestedApplication = newValue }
        }
    }
    /// username; empty renders "N/A".
    public var username: String {
        get { extensionsBox?.value.username ?? "" }
        set {
            guard extensionsBox != nil || newValue != "" else { return }
            updateExtensions { $0.username = newValue }
        }
    }
    /// roles; empty renders "N/A".
    public var roles: String {
        get { extensionsBox?.value.roles ?? "" }
        set {
            guard extensionsBox != nil || newValue != "" else { return }
            updateExtensions { $0.roles = newValue }
        }
    }
    /// encrypted; empty renders "No".
    public var encrypted: String {
        get { extensionsBox?.value.encrypted ?? "" }
        set {
            guard extensionsBox != nil || newValue != "" else { return }
            updateExtensions { $0.encrypted = newValue }
        }
    }
    /// application-category; empty renders "N/A".
    public var applicationCategory: String {
        get { extensionsBox?.value.applicationCategory ?? "" }
        set {
            guard extensionsBox != nil || newValue != "" else { return }
            updateExtensions { $0.applicationCategory = newValue }
        }
    }
    /// application-sub-category; empty renders "N/A".
    public var applicationSubCategory: String {
        get { extensionsBox?.value.applicationSubCategory ?? "" }
        set {
            guard extensionsBox != nil || newValue != "" else { return }
            updateExtensions { $0.applicationSubCategory = newValue }
        }
    }
    /// application-risk; 0 renders "-1".
    public var applicationRisk: Int32 {
        get { extensionsBox?.value.applicationRisk ?? 0 }
        set {
            guard extensionsBox != nil || newValue != 0 else { return }
            updateExtensions { $0.applicationRisk = newValue }
        }
    }
    /// application-characteristics; empty renders "N/A".
    public var applicationCharacteristics: String {
        get { extensionsBox?.value.applicationCharacteristics ?? "" }
        set {
            guard extensionsBox != nil || newValue != "" else { return }
            updateExtensions { $0.applicationCharacteristics = newValue }
        }
    }
    /// src-vrf-grp; empty renders "N/A".
    public var srcVrfGroup: String {
        get { extensionsBox?.value.srcVrfGroup ?? "" }
        set {
            guard extensionsBox != nil || newValue != "" else { return }
            updateExtensions { $0.srcVrfGroup = newValue }
        }
    }
    /// dst-vrf-grp; empty renders "N/A".
    public var dstVrfGroup: String {
        get { extensionsBox?.value.dstVrfGroup ?? "" }
        set {
            guard extensionsBox != nil || newValue != "" else { return }
            updateExtensions { $0.dstVrfGroup = newValue }
        }
    }
    /// source-tenant; empty renders "N/A".
    public var sourceTenant: String {
        get { extensionsBox?.value.sourceTenant ?? "" }
        set {
            guard extensionsBox != nil || newValue != "" else { return }
            updateExtensions { $0.sourceTenant = newValue }
        }
    }
    /// destination-service; empty renders "N/A".
    public var destinationService: String {
        get { extensionsBox?.value.destinationService ?? "" }
        set {
            guard extensionsBox != nil || newValue != "" else { return }
            updateExtensions { $0.destinationService = newValue }
        }
    }

    /// The RT_FLOW_SESSION_DENY fields flowtel does not compute, boxed: nil (one pointer, nothing to copy or
    /// release) for flowtel's own events, set only when a peer sent them.
    private var extensionsBox: ExtensionsBox<SessionDenyExtensions>?

    /// True when any of these fields is set (never for flowtel's own events).
    public var hasExtensions: Bool { extensionsBox != nil }

    /// All of them at once.
    public var extensions: SessionDenyExtensions {
        get { extensionsBox?.value ?? SessionDenyExtensions() }
        set { extensionsBox = newValue == SessionDenyExtensions() ? nil : ExtensionsBox(newValue) }
    }

    private mutating func updateExtensions(_ change: (inout SessionDenyExtensions) -> Void) {
        var value = extensionsBox?.value ?? SessionDenyExtensions()
        change(&value)
        extensions = value
    }

    /// An empty record; set the fields you need.
    public init() {}
}

/// The RT_FLOW_SESSION_DENY fields of SessionDeny that flowtel does not compute (an SRX fills them from AppID, the
/// user firewall, VRFs and tunnel inspection); the renderers print the SRX placeholders for
/// them when empty.
public struct SessionDenyExtensions: Hashable, Sendable {
    /// application; empty renders "UNKNOWN".
    public var application: String = ""
    /// nested-application; empty renders "UNKNOWN".
    public var nestedApplication: String = ""
    /// username; empty renders "N/A".
    public var username: String = ""
    /// roles; empty renders "N/A".
    public var roles: String = ""
    /// encrypted; empty renders "No".
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
    /// source-tenant; empty renders "N/A".
    public var sourceTenant: String = ""
    /// destination-service; empty renders "N/A".
    public var destinationService: String = ""

    /// All empty.
    public init() {}
}


/// An immutable box that keeps rarely-set fields out of line; compared by value.
final class ExtensionsBox<Value: Hashable & Sendable>: Hashable, Sendable {
    let value: Value

    init(_ value: Value) { self.value = value }

    static func == (lhs: ExtensionsBox, rhs: ExtensionsBox) -> Bool { lhs.value == rhs.value }

    func hash(into hasher: inout Hasher) { hasher.combine(value) }
}
