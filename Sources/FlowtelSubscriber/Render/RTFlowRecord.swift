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
/// Every renderer reads session events through this one list, so the structured, plain-text
/// and JSON forms carry the same values under the same names. `fields` runs to the end of the
/// newest release's key list (as far as flowtel models it); the syslog forms print the
/// ``syslogFields`` prefix, which ends at `application-characteristics` like the records of the
/// connection-tag releases.
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
        var fields = Fields()
        switch payload {
        case .sessionCreate(let create):
            let s = create.session
            fields.tuple(s)
            fields.identity(s)
            fields.text("username", s.username, or: "N/A")
            fields.text("roles", s.roles, or: "N/A")
            fields.text("packet-incoming-interface", s.packetIncomingInterface)
            fields.text("application", s.application, or: "UNKNOWN")
            fields.text("nested-application", s.nestedApplication, or: "UNKNOWN")
            fields.text("encrypted", s.encrypted, or: "UNKNOWN")
            fields.classification(risk: s.applicationRisk, s.applicationCategory, s.applicationSubCategory, s.applicationCharacteristics)
            syslogCount = fields.list.count
            fields.text("src-vrf-grp", s.srcVrfGroup, or: "N/A")
            fields.text("dst-vrf-grp", s.dstVrfGroup, or: "N/A")
            fields.text("tunnel-inspection", s.tunnelInspection, or: "Off")
            fields.text("tunnel-inspection-policy-set", s.tunnelInspectionPolicySet, or: "root")
            fields.text("source-tenant", s.sourceTenant, or: "N/A")
            fields.text("destination-service", s.destinationService, or: "N/A")
            fields.text("dst-identity-context-name", s.dstIdentityContextName, or: "N/A")
            fields.text("dst-identity-context-roles", s.dstIdentityContextRoles, or: "N/A")
            tag = "RT_FLOW_SESSION_CREATE"
        case .sessionClose(let close):
            let s = close.session
            fields.text("reason", close.reason.description)
            fields.tuple(s)
            fields.identity(s)
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
            fields.classification(risk: s.applicationRisk, s.applicationCategory, s.applicationSubCategory, s.applicationCharacteristics)
            syslogCount = fields.list.count
            fields.text("secure-web-proxy-session-type", close.secureWebProxySessionType, or: "NA")
            fields.number("peer-session-id", close.peerSessionID)
            fields.text("peer-source-address", close.peerSourceAddress?.description ?? "0.0.0.0")
            fields.number("peer-source-port", close.peerSourcePort)
            fields.text("peer-destination-address", close.peerDestinationAddress?.description ?? "0.0.0.0")
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
            tag = "RT_FLOW_SESSION_CLOSE"
        case .sessionDeny(let deny):
            fields.text("source-address", deny.sourceAddress.description)
            fields.number("source-port", deny.sourcePort)
            fields.text("destination-address", deny.destinationAddress.description)
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
            fields.classification(
                risk: deny.applicationRisk, deny.applicationCategory, deny.applicationSubCategory,
                deny.applicationCharacteristics)
            syslogCount = fields.list.count
            fields.text("src-vrf-grp", deny.srcVrfGroup, or: "N/A")
            fields.text("dst-vrf-grp", deny.dstVrfGroup, or: "N/A")
            fields.text("source-tenant", deny.sourceTenant, or: "N/A")
            fields.text("destination-service", deny.destinationService, or: "N/A")
            tag = "RT_FLOW_SESSION_DENY"
        default:
            return nil
        }
        self.fields = fields.list
    }
}

/// Builds the ordered list.
private struct Fields {
    var list: [RTFlowField] = []

    init() { list.reserveCapacity(64) }

    /// A text value; an empty one is printed as `placeholder`.
    mutating func text(_ key: String, _ value: String, or placeholder: String = "") {
        list.append(RTFlowField(key: key, value: value.isEmpty ? placeholder : value, isNumber: false))
    }

    mutating func number(_ key: String, _ value: some BinaryInteger) {
        list.append(RTFlowField(key: key, value: String(value), isNumber: true))
    }

    /// From `source-address` to `dst-nat-rule-name`: the tuple, the NAT tuple and the rules.
    mutating func tuple(_ s: SessionInfo) {
        text("source-address", s.sourceAddress.description)
        number("source-port", s.sourcePort)
        text("destination-address", s.destinationAddress.description)
        number("destination-port", s.destinationPort)
        number("connection-tag", s.connectionTag)
        text("service-name", s.serviceName, or: "None")
        text("nat-source-address", s.natSourceAddress.description)
        number("nat-source-port", s.natSourcePort)
        text("nat-destination-address", s.natDestinationAddress.description)
        number("nat-destination-port", s.natDestinationPort)
        number("nat-connection-tag", s.natConnectionTag)
        text("src-nat-rule-type", s.srcNatRuleType.description)
        text("src-nat-rule-name", s.srcNatRuleName, or: "N/A")
        text("dst-nat-rule-type", s.dstNatRuleType.description)
        text("dst-nat-rule-name", s.dstNatRuleName, or: "N/A")
    }

    /// From `protocol-id` to `session-id-32`.
    mutating func identity(_ s: SessionInfo) {
        number("protocol-id", s.protocolID)
        text("policy-name", s.policyName)
        text("source-zone-name", s.sourceZoneName)
        text("destination-zone-name", s.destinationZoneName)
        number("session-id-32", s.sessionID)
    }

    /// The application classification that ends the records of the connection-tag releases.
    /// An unknown risk (0 in flowtel's model) is printed `-1`, as the SRX does.
    mutating func classification(risk: Int32, _ category: String, _ subCategory: String, _ characteristics: String) {
        text("application-category", category, or: "N/A")
        text("application-sub-category", subCategory, or: "N/A")
        number("application-risk", risk == 0 ? -1 : risk)
        text("application-characteristics", characteristics, or: "N/A")
    }
}
