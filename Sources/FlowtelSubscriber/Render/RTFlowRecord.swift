import FlowtelCore

/// One RT_FLOW key and its value as the SRX logs it.
struct RTFlowField {
    /// The RT_FLOW key (`source-address`, `nat-connection-tag`, ...).
    var key: String
    /// The value, placeholders (`N/A`, `UNKNOWN`, `None`, `-1`) already applied.
    var value: String
    /// True when the value is a decimal integer: JSON writes it unquoted.
    var isNumber: Bool
}

/// The RT_FLOW record of a session event: its MSGID and its keys and values in the SRX's order.
///
/// Every renderer reads session events through this one walk (``visit(_:into:)``), so the
/// structured, plain-text and JSON forms carry the same values under the same names. The walk
/// runs to the end of the newest release's key list (as far as flowtel models it); the syslog
/// forms stop at ``RTFlowVisitor/syslogFieldsEnd()``, after `application-characteristics` like
/// the records of the connection-tag releases. The JSON and sd-syslog renderers write the
/// values straight into their output; ``RTFlowText`` collects them into ``fields``.
struct RTFlowRecord {
    /// The MSGID: `RT_FLOW_SESSION_CREATE`, `RT_FLOW_SESSION_CLOSE` or `RT_FLOW_SESSION_DENY`.
    var tag: String
    /// Every key flowtel knows for this event, in order.
    var fields: [RTFlowField]
    /// How many of `fields` the syslog forms print.
    var syslogCount: Int

    /// The keys the sd-syslog and plain-text forms print: up to `application-characteristics`.
    var syslogFields: ArraySlice<RTFlowField> { fields[..<syslogCount] }

    /// The record of a session event; nil for other events.
    init?(_ payload: Payload) {
        guard let tag = Self.tag(payload) else { return nil }
        var list = FieldList()
        Self.visit(payload, into: &list)
        self.tag = "\(tag)"
        self.fields = list.list
        self.syslogCount = list.syslogCount ?? list.list.count
    }

    /// The MSGID of a session event; nil for other events.
    static func tag(_ payload: Payload) -> StaticString? {
        switch payload {
        case .sessionCreate: "RT_FLOW_SESSION_CREATE"
        case .sessionClose: "RT_FLOW_SESSION_CLOSE"
        case .sessionDeny: "RT_FLOW_SESSION_DENY"
        default: nil
        }
    }

    /// Walks the keys and values of a session event in order; false (nothing visited) for other
    /// events.
    @discardableResult
    static func visit<Visitor: RTFlowVisitor & ~Copyable>(_ payload: Payload, into fields: inout Visitor) -> Bool {
        switch payload {
        case .sessionCreate(let create):
            let s = create.session
            tuple(s, &fields)
            identity(s, &fields)
            fields.text("username", s.username, or: "N/A")
            fields.text("roles", s.roles, or: "N/A")
            fields.text("packet-incoming-interface", s.packetIncomingInterface)
            fields.text("application", s.application, or: "UNKNOWN")
            fields.text("nested-application", s.nestedApplication, or: "UNKNOWN")
            fields.text("encrypted", s.encrypted, or: "UNKNOWN")
            classification(&fields, risk: s.applicationRisk, s.applicationCategory, s.applicationSubCategory, s.applicationCharacteristics)
            guard fields.syslogFieldsEnd() else { return true }
            fields.text("src-vrf-grp", s.srcVrfGroup, or: "N/A")
            fields.text("dst-vrf-grp", s.dstVrfGroup, or: "N/A")
            fields.text("tunnel-inspection", s.tunnelInspection, or: "Off")
            fields.text("tunnel-inspection-policy-set", s.tunnelInspectionPolicySet, or: "root")
            fields.text("source-tenant", s.sourceTenant, or: "N/A")
            fields.text("destination-service", s.destinationService, or: "N/A")
            fields.text("dst-identity-context-name", s.dstIdentityContextName, or: "N/A")
            fields.text("dst-identity-context-roles", s.dstIdentityContextRoles, or: "N/A")
        case .sessionClose(let close):
            let s = close.session
            fields.text("reason", close.reason.description)
            tuple(s, &fields)
            identity(s, &fields)
            fields.number("packets-from-client", close.packetsFromClient)
            fields.number("bytes-from-client", close.bytesFromClient)
            fields.number("packets-from-server", close.packetsFromServer)
            fields.number("bytes-from-server", close.bytesFromServer)
            fields.number("elapsed-time", close.elapsedTime)
            // CLOSE names the application before the user, CREATE after the interface.
            fields.text("application", s.application, or: "UNKNOWN")
            fields.text("nested-application", s.nestedApplication, or: "UNKNOWN")
            fields.text("username", s.username, or: "N/A")
            fields.text("roles", s.roles, or: "N/A")
            fields.text("packet-incoming-interface", s.packetIncomingInterface)
            fields.text("encrypted", s.encrypted, or: "No")
            classification(&fields, risk: s.applicationRisk, s.applicationCategory, s.applicationSubCategory, s.applicationCharacteristics)
            guard fields.syslogFieldsEnd() else { return true }
            fields.text("secure-web-proxy-session-type", close.secureWebProxySessionType, or: "NA")
            fields.number("peer-session-id", close.peerSessionID)
            fields.address("peer-source-address", close.peerSourceAddress ?? .v4(0))
            fields.number("peer-source-port", close.peerSourcePort)
            fields.address("peer-destination-address", close.peerDestinationAddress ?? .v4(0))
            fields.number("peer-destination-port", close.peerDestinationPort)
            fields.text("hostname", close.hostname, or: "NA NA")
            fields.text("src-vrf-grp", s.srcVrfGroup, or: "N/A")
            fields.text("dst-vrf-grp", s.dstVrfGroup, or: "N/A")
            fields.text("tunnel-inspection", s.tunnelInspection, or: "Off")
            fields.text("tunnel-inspection-policy-set", s.tunnelInspectionPolicySet, or: "root")
            fields.number("session-flag", close.sessionFlag)
            fields.text("source-tenant", s.sourceTenant, or: "N/A")
            fields.text("destination-service", s.destinationService, or: "N/A")
            fields.text("user-type", close.userType, or: "N/A")
            fields.text("dst-identity-context-name", s.dstIdentityContextName, or: "N/A")
            fields.text("dst-identity-context-roles", s.dstIdentityContextRoles, or: "N/A")
            // gbp-src-tag and gbp-dst-tag come here on the newest releases; flowtel has no
            // group-based policy tags to report.
            fields.text("forwarded-for", close.forwardedFor, or: "N/A")
            fields.text("url-host", close.urlHost, or: "N/A")
            fields.text("url-cat", close.urlCategory, or: "N/A")
            fields.number("url-risk", close.urlRisk)
            fields.text("src-vrf", close.srcVrf, or: "N/A")
            fields.text("dst-vrf", close.dstVrf, or: "N/A")
        case .sessionDeny(let deny):
            fields.address("source-address", deny.sourceAddress)
            fields.number("source-port", deny.sourcePort)
            fields.address("destination-address", deny.destinationAddress)
            fields.number("destination-port", deny.destinationPort)
            fields.number("connection-tag", deny.connectionTag)
            fields.text("service-name", deny.serviceName, or: "None")
            fields.number("protocol-id", deny.protocolID)
            fields.number("icmp-type", deny.icmpType)
            fields.text("policy-name", deny.policyName)
            fields.text("source-zone-name", deny.sourceZoneName)
            fields.text("destination-zone-name", deny.destinationZoneName)
            fields.text("application", deny.application, or: "UNKNOWN")
            fields.text("nested-application", deny.nestedApplication, or: "UNKNOWN")
            fields.text("username", deny.username, or: "N/A")
            fields.text("roles", deny.roles, or: "N/A")
            fields.text("packet-incoming-interface", deny.packetIncomingInterface)
            fields.text("encrypted", deny.encrypted, or: "No")
            fields.text("reason", deny.action.denyReason)
            fields.number("session-id-32", deny.sessionID)
            classification(
                &fields, risk: deny.applicationRisk, deny.applicationCategory, deny.applicationSubCategory,
                deny.applicationCharacteristics)
            guard fields.syslogFieldsEnd() else { return true }
            fields.text("src-vrf-grp", deny.srcVrfGroup, or: "N/A")
            fields.text("dst-vrf-grp", deny.dstVrfGroup, or: "N/A")
            fields.text("source-tenant", deny.sourceTenant, or: "N/A")
            fields.text("destination-service", deny.destinationService, or: "N/A")
        default:
            return false
        }
        return true
    }

    /// From `source-address` to `dst-nat-rule-name`: the tuple, the NAT tuple and the rules.
    private static func tuple<Visitor: RTFlowVisitor & ~Copyable>(_ s: SessionInfo, _ fields: inout Visitor) {
        fields.address("source-address", s.sourceAddress)
        fields.number("source-port", s.sourcePort)
        fields.address("destination-address", s.destinationAddress)
        fields.number("destination-port", s.destinationPort)
        fields.number("connection-tag", s.connectionTag)
        fields.text("service-name", s.serviceName, or: "None")
        fields.address("nat-source-address", s.natSourceAddress)
        fields.number("nat-source-port", s.natSourcePort)
        fields.address("nat-destination-address", s.natDestinationAddress)
        fields.number("nat-destination-port", s.natDestinationPort)
        fields.number("nat-connection-tag", s.natConnectionTag)
        fields.text("src-nat-rule-type", s.srcNatRuleType.description)
        fields.text("src-nat-rule-name", s.srcNatRuleName, or: "N/A")
        fields.text("dst-nat-rule-type", s.dstNatRuleType.description)
        fields.text("dst-nat-rule-name", s.dstNatRuleName, or: "N/A")
    }

    /// From `protocol-id` to `session-id-32`.
    private static func identity<Visitor: RTFlowVisitor & ~Copyable>(_ s: SessionInfo, _ fields: inout Visitor) {
        fields.number("protocol-id", s.protocolID)
        fields.text("policy-name", s.policyName)
        fields.text("source-zone-name", s.sourceZoneName)
        fields.text("destination-zone-name", s.destinationZoneName)
        fields.number("session-id-32", s.sessionID)
    }

    /// The application classification that ends the records of the connection-tag releases.
    /// An unknown risk (0 in flowtel's model) is printed `-1`, as the SRX does.
    private static func classification<Visitor: RTFlowVisitor & ~Copyable>(
        _ fields: inout Visitor, risk: Int32, _ category: String, _ subCategory: String, _ characteristics: String
    ) {
        fields.text("application-category", category, or: "N/A")
        fields.text("application-sub-category", subCategory, or: "N/A")
        fields.number("application-risk", risk == 0 ? -1 : risk)
        fields.text("application-characteristics", characteristics, or: "N/A")
    }
}

/// Receives the RT_FLOW keys and values of a session event, in order (``RTFlowRecord/visit(_:into:)``).
protocol RTFlowVisitor: ~Copyable {
    /// A text value, its placeholder already applied.
    mutating func text(_ key: StaticString, _ value: String)
    /// An address, spelled as `IPAddress.description`.
    mutating func address(_ key: StaticString, _ value: IPAddress)
    /// A decimal integer.
    mutating func number(_ key: StaticString, _ value: some BinaryInteger)
    /// The syslog forms' keys end here: false stops the walk.
    mutating func syslogFieldsEnd() -> Bool
}

extension RTFlowVisitor where Self: ~Copyable {
    /// A text value; an empty one is visited as `placeholder`.
    mutating func text(_ key: StaticString, _ value: String, or placeholder: String) {
        text(key, value.isEmpty ? placeholder : value)
    }
}

/// Collects the fields as a list (the plain-text form's input).
private struct FieldList: RTFlowVisitor {
    var list: [RTFlowField] = []
    var syslogCount: Int?

    init() { list.reserveCapacity(64) }

    mutating func text(_ key: StaticString, _ value: String) {
        list.append(RTFlowField(key: "\(key)", value: value, isNumber: false))
    }

    mutating func address(_ key: StaticString, _ value: IPAddress) {
        list.append(RTFlowField(key: "\(key)", value: value.description, isNumber: false))
    }

    mutating func number(_ key: StaticString, _ value: some BinaryInteger) {
        list.append(RTFlowField(key: "\(key)", value: String(value), isNumber: true))
    }

    mutating func syslogFieldsEnd() -> Bool {
        syslogCount = list.count
        return true
    }
}
