import FlowtelCore

/// The RT_FLOW record of a session event: its MSGID and its keys and values in the SRX's order.
///
/// Every renderer reads session events through this one walk (``visit(_:as:into:)``), so the
/// structured, plain-text and JSON forms carry the same values under the same names. The walk
/// runs to the end of the newest release's key list (as far as flowtel models it); the syslog
/// forms stop after `application-characteristics` (``RTFlowFormat/carriesNewestKeys``), like
/// the records of the connection-tag releases. Each form writes the values straight into its
/// output as the walk hands them over.
enum RTFlowRecord {
    /// The MSGID of a session event; nil for other events.
    static func tag(_ payload: Payload) -> StaticString? {
        switch payload {
        case .sessionCreate: "RT_FLOW_SESSION_CREATE"
        case .sessionClose: "RT_FLOW_SESSION_CLOSE"
        case .sessionDeny: "RT_FLOW_SESSION_DENY"
        default: nil
        }
    }

    /// Writes the keys and values of a session event in `Format`; false (nothing written) for
    /// other events.
    @discardableResult
    static func visit<Format: RTFlowFormat>(_ payload: Payload, as format: Format.Type, into out: inout RenderBuffer) -> Bool {
        switch payload {
        case .sessionCreate(let create): visit(create, as: format, into: &out)
        case .sessionClose(let close): visit(close, as: format, into: &out)
        case .sessionDeny(let deny): visit(deny, as: format, into: &out)
        default: return false
        }
        return true
    }

    // The payloads are borrowed: a copy would retain and release every string of the session.
    // Inlined into `visit(_:as:into:)`'s `switch` over the payload: called, each was handed a
    // copy of the payload taken out of the enum's box (a memcpy and a retain of every string).
    // One copy remains (the `switch`'s binding); reading `create.session` in place instead of
    // through `let s` made no difference.

    /// RT_FLOW_SESSION_CREATE.
    @inline(__always)
    static func visit<Format: RTFlowFormat>(_ create: borrowing SessionCreate, as: Format.Type, into out: inout RenderBuffer) {
        let s = create.session
        tuple(s, Format.self, &out)
        identity(s, Format.self, &out)
        Format.pair("username", s.username, or: "N/A", "roles", s.roles, or: "N/A", to: &out)
        Format.text("packet-incoming-interface", s.packetIncomingInterface, to: &out)
        Format.text("application", s.application, or: "UNKNOWN", to: &out)
        Format.text("nested-application", s.nestedApplication, or: "UNKNOWN", to: &out)
        Format.text("encrypted", s.encrypted, or: "UNKNOWN", to: &out)
        classification(
            Format.self, &out, risk: s.applicationRisk, s.applicationCategory, s.applicationSubCategory,
            s.applicationCharacteristics)
        guard Format.carriesNewestKeys else { return }
        Format.text("src-vrf-grp", s.srcVrfGroup, or: "N/A", to: &out)
        Format.text("dst-vrf-grp", s.dstVrfGroup, or: "N/A", to: &out)
        Format.text("tunnel-inspection", s.tunnelInspection, or: "Off", to: &out)
        Format.text("tunnel-inspection-policy-set", s.tunnelInspectionPolicySet, or: "root", to: &out)
        Format.text("source-tenant", s.sourceTenant, or: "N/A", to: &out)
        Format.text("destination-service", s.destinationService, or: "N/A", to: &out)
        Format.text("dst-identity-context-name", s.dstIdentityContextName, or: "N/A", to: &out)
        Format.text("dst-identity-context-roles", s.dstIdentityContextRoles, or: "N/A", to: &out)
        Format.afterSession(s, startTime: nil, to: &out)
    }

    /// RT_FLOW_SESSION_CLOSE.
    @inline(__always)
    static func visit<Format: RTFlowFormat>(_ close: borrowing SessionClose, as: Format.Type, into out: inout RenderBuffer) {
        let s = close.session
        Format.closeReason(close.reason, to: &out)
        tuple(s, Format.self, &out)
        identity(s, Format.self, &out)
        Format.pair("packets-from-client", close.packetsFromClient, "bytes-from-client", close.bytesFromClient, to: &out)
        Format.pair("packets-from-server", close.packetsFromServer, "bytes-from-server", close.bytesFromServer, to: &out)
        Format.number("elapsed-time", close.elapsedTime, to: &out)
        // CLOSE names the application before the user, CREATE after the interface.
        Format.text("application", s.application, or: "UNKNOWN", to: &out)
        Format.text("nested-application", s.nestedApplication, or: "UNKNOWN", to: &out)
        Format.pair("username", s.username, or: "N/A", "roles", s.roles, or: "N/A", to: &out)
        Format.text("packet-incoming-interface", s.packetIncomingInterface, to: &out)
        Format.text("encrypted", s.encrypted, or: "No", to: &out)
        classification(
            Format.self, &out, risk: s.applicationRisk, s.applicationCategory, s.applicationSubCategory,
            s.applicationCharacteristics)
        guard Format.carriesNewestKeys else { return }
        Format.text("secure-web-proxy-session-type", close.secureWebProxySessionType, or: "NA", to: &out)
        Format.number("peer-session-id", close.peerSessionID, to: &out)
        Format.address("peer-source-address", close.peerSourceAddress ?? .v4(0), to: &out)
        Format.number("peer-source-port", close.peerSourcePort, to: &out)
        Format.address("peer-destination-address", close.peerDestinationAddress ?? .v4(0), to: &out)
        Format.number("peer-destination-port", close.peerDestinationPort, to: &out)
        Format.text("hostname", close.hostname, or: "NA NA", to: &out)
        Format.text("src-vrf-grp", s.srcVrfGroup, or: "N/A", to: &out)
        Format.text("dst-vrf-grp", s.dstVrfGroup, or: "N/A", to: &out)
        Format.text("tunnel-inspection", s.tunnelInspection, or: "Off", to: &out)
        Format.text("tunnel-inspection-policy-set", s.tunnelInspectionPolicySet, or: "root", to: &out)
        Format.number("session-flag", close.sessionFlag, to: &out)
        Format.text("source-tenant", s.sourceTenant, or: "N/A", to: &out)
        Format.text("destination-service", s.destinationService, or: "N/A", to: &out)
        Format.text("user-type", close.userType, or: "N/A", to: &out)
        Format.text("dst-identity-context-name", s.dstIdentityContextName, or: "N/A", to: &out)
        Format.text("dst-identity-context-roles", s.dstIdentityContextRoles, or: "N/A", to: &out)
        // gbp-src-tag and gbp-dst-tag come here on the newest releases; flowtel has no
        // group-based policy tags to report.
        Format.text("forwarded-for", close.forwardedFor, or: "N/A", to: &out)
        Format.text("url-host", close.urlHost, or: "N/A", to: &out)
        Format.text("url-cat", close.urlCategory, or: "N/A", to: &out)
        Format.number("url-risk", close.urlRisk, to: &out)
        Format.text("src-vrf", close.srcVrf, or: "N/A", to: &out)
        Format.text("dst-vrf", close.dstVrf, or: "N/A", to: &out)
        Format.afterSession(s, startTime: close.startTime, to: &out)
    }

    /// RT_FLOW_SESSION_DENY.
    @inline(__always)
    static func visit<Format: RTFlowFormat>(_ deny: borrowing SessionDeny, as: Format.Type, into out: inout RenderBuffer) {
        Format.endpoints(
            nat: false, deny.sourceAddress, deny.sourcePort, deny.destinationAddress, deny.destinationPort, to: &out)
        Format.connectionTag("connection-tag", deny.connectionTag, to: &out)
        Format.text("service-name", deny.serviceName, or: "None", to: &out)
        Format.pair("protocol-id", deny.protocolID, "icmp-type", deny.icmpType, to: &out)
        Format.text("policy-name", deny.policyName, to: &out)
        Format.text("source-zone-name", deny.sourceZoneName, to: &out)
        Format.text("destination-zone-name", deny.destinationZoneName, to: &out)
        Format.text("application", deny.application, or: "UNKNOWN", to: &out)
        Format.text("nested-application", deny.nestedApplication, or: "UNKNOWN", to: &out)
        Format.pair("username", deny.username, or: "N/A", "roles", deny.roles, or: "N/A", to: &out)
        Format.text("packet-incoming-interface", deny.packetIncomingInterface, to: &out)
        Format.text("encrypted", deny.encrypted, or: "No", to: &out)
        Format.denyReason(deny.action, to: &out)
        Format.number("session-id-32", deny.sessionID, to: &out)
        classification(
            Format.self, &out, risk: deny.applicationRisk, deny.applicationCategory, deny.applicationSubCategory,
            deny.applicationCharacteristics)
        guard Format.carriesNewestKeys else { return }
        Format.text("src-vrf-grp", deny.srcVrfGroup, or: "N/A", to: &out)
        Format.text("dst-vrf-grp", deny.dstVrfGroup, or: "N/A", to: &out)
        Format.text("source-tenant", deny.sourceTenant, or: "N/A", to: &out)
        Format.text("destination-service", deny.destinationService, or: "N/A", to: &out)
        Format.afterDeny(policyIndex: deny.policyIndex, fpc: deny.fpc, pic: deny.pic, to: &out)
    }

    /// From `source-address` to `dst-nat-rule-name`: the tuple, the NAT tuple and the rules.
    @inline(__always)
    private static func tuple<Format: RTFlowFormat>(_ s: SessionInfo, _: Format.Type, _ out: inout RenderBuffer) {
        Format.endpoints(nat: false, s.sourceAddress, s.sourcePort, s.destinationAddress, s.destinationPort, to: &out)
        Format.connectionTag("connection-tag", s.connectionTag, to: &out)
        Format.text("service-name", s.serviceName, or: "None", to: &out)
        Format.endpoints(
            nat: true, s.natSourceAddress, s.natSourcePort, s.natDestinationAddress, s.natDestinationPort, to: &out)
        Format.connectionTag("nat-connection-tag", s.natConnectionTag, to: &out)
        Format.text("src-nat-rule-type", s.srcNatRuleType.description, to: &out)
        Format.text("src-nat-rule-name", s.srcNatRuleName, or: "N/A", to: &out)
        Format.text("dst-nat-rule-type", s.dstNatRuleType.description, to: &out)
        Format.text("dst-nat-rule-name", s.dstNatRuleName, or: "N/A", to: &out)
    }

    /// From `protocol-id` to `session-id-32`.
    @inline(__always)
    private static func identity<Format: RTFlowFormat>(_ s: SessionInfo, _: Format.Type, _ out: inout RenderBuffer) {
        Format.number("protocol-id", s.protocolID, to: &out)
        Format.text("policy-name", s.policyName, to: &out)
        Format.text("source-zone-name", s.sourceZoneName, to: &out)
        Format.text("destination-zone-name", s.destinationZoneName, to: &out)
        Format.number("session-id-32", s.sessionID, to: &out)
    }

    /// The application classification that ends the records of the connection-tag releases.
    /// An unknown risk (0 in flowtel's model) is printed `-1`, as the SRX does.
    @inline(__always)
    private static func classification<Format: RTFlowFormat>(
        _: Format.Type, _ out: inout RenderBuffer, risk: Int32, _ category: String, _ subCategory: String,
        _ characteristics: String
    ) {
        Format.text("application-category", category, or: "N/A", to: &out)
        Format.text("application-sub-category", subCategory, or: "N/A", to: &out)
        Format.number("application-risk", risk == 0 ? -1 : risk, to: &out)
        Format.text("application-characteristics", characteristics, or: "N/A", to: &out)
    }
}

/// How one output form writes the RT_FLOW keys and values of a session event, in order
/// (``RTFlowRecord/visit(_:as:into:)``).
///
/// The structured forms (JSON, sd-syslog) write every value under its key and implement only
/// the first five requirements; the plain-text form joins some values into one word
/// (`addr/port->addr/port`, `username(roles)`, `packets(bytes)`) and overrides the rest.
protocol RTFlowFormat {
    /// True to walk on past `application-characteristics`, to the newest release's keys.
    static var carriesNewestKeys: Bool { get }
    /// A text value.
    static func text(_ key: StaticString, _ value: String, to out: inout RenderBuffer)
    /// A text value known to need no escaping: the placeholder of an empty one.
    static func placeholder(_ key: StaticString, _ value: StaticString, to out: inout RenderBuffer)
    /// An address, spelled as `IPAddress.description`.
    static func address(_ key: StaticString, _ value: IPAddress, to out: inout RenderBuffer)
    /// A decimal integer.
    static func number(_ key: StaticString, _ value: some BinaryInteger, to out: inout RenderBuffer)

    /// `source-address`, `source-port`, `destination-address`, `destination-port`, the `nat-`
    /// keys when `nat`.
    static func endpoints(
        nat: Bool, _ source: IPAddress, _ sourcePort: UInt16, _ destination: IPAddress, _ destinationPort: UInt16,
        to out: inout RenderBuffer)
    /// `connection-tag` or `nat-connection-tag`.
    static func connectionTag(_ key: StaticString, _ value: UInt32, to out: inout RenderBuffer)
    /// Two text values the plain form joins as `first(second)`, each written as its
    /// placeholder when empty.
    static func pair(
        _ key: StaticString, _ value: String, or placeholder: StaticString, _ secondKey: StaticString, _ second: String,
        or secondPlaceholder: StaticString, to out: inout RenderBuffer)
    /// Two numbers the plain form joins as `first(second)`.
    static func pair(
        _ key: StaticString, _ value: some BinaryInteger, _ secondKey: StaticString, _ second: some BinaryInteger,
        to out: inout RenderBuffer)
    /// The `reason` of a CLOSE.
    static func closeReason(_ reason: CloseReason, to out: inout RenderBuffer)
    /// The `reason` of a DENY.
    static func denyReason(_ action: PolicyAction, to out: inout RenderBuffer)
    /// What the form writes after the newest keys of a CREATE, or of a CLOSE (`startTime`
    /// set); nothing by default. Only forms that carry the newest keys get here. Called inside
    /// the walk so that the form reads the session where it lies: the caller handing the
    /// session over separately took a copy of it out of the payload's box.
    static func afterSession(_ s: borrowing SessionInfo, startTime: Timestamp?, to out: inout RenderBuffer)
    /// What the form writes after the newest keys of a DENY; nothing by default.
    static func afterDeny(policyIndex: UInt32, fpc: UInt32, pic: UInt32, to out: inout RenderBuffer)
}

extension RTFlowFormat {
    /// A text value; an empty one is written as `placeholder`.
    @inline(__always)
    static func text(_ key: StaticString, _ value: String, or placeholder: StaticString, to out: inout RenderBuffer) {
        if value.isEmpty {
            self.placeholder(key, placeholder, to: &out)
        } else {
            text(key, value, to: &out)
        }
    }

    @inline(__always)
    static func endpoints(
        nat: Bool, _ source: IPAddress, _ sourcePort: UInt16, _ destination: IPAddress, _ destinationPort: UInt16,
        to out: inout RenderBuffer
    ) {
        address(nat ? "nat-source-address" : "source-address", source, to: &out)
        number(nat ? "nat-source-port" : "source-port", sourcePort, to: &out)
        address(nat ? "nat-destination-address" : "destination-address", destination, to: &out)
        number(nat ? "nat-destination-port" : "destination-port", destinationPort, to: &out)
    }

    @inline(__always)
    static func connectionTag(_ key: StaticString, _ value: UInt32, to out: inout RenderBuffer) {
        number(key, value, to: &out)
    }

    @inline(__always)
    static func pair(
        _ key: StaticString, _ value: String, or placeholder: StaticString, _ secondKey: StaticString, _ second: String,
        or secondPlaceholder: StaticString, to out: inout RenderBuffer
    ) {
        text(key, value, or: placeholder, to: &out)
        text(secondKey, second, or: secondPlaceholder, to: &out)
    }

    @inline(__always)
    static func pair(
        _ key: StaticString, _ value: some BinaryInteger, _ secondKey: StaticString, _ second: some BinaryInteger,
        to out: inout RenderBuffer
    ) {
        number(key, value, to: &out)
        number(secondKey, second, to: &out)
    }

    @inline(__always)
    static func closeReason(_ reason: CloseReason, to out: inout RenderBuffer) {
        text("reason", reason.description, to: &out)
    }

    @inline(__always)
    static func denyReason(_ action: PolicyAction, to out: inout RenderBuffer) {
        text("reason", action.denyReason, to: &out)
    }

    @inline(__always)
    static func afterSession(_ s: borrowing SessionInfo, startTime: Timestamp?, to out: inout RenderBuffer) {}

    @inline(__always)
    static func afterDeny(policyIndex: UInt32, fpc: UInt32, pic: UInt32, to out: inout RenderBuffer) {}
}
