public import FlowtelCore

/// Renders session events as the RFC 5424 structured syslog an SRX streams with
/// `security log format sd-syslog`:
///
///     <14>1 2026-01-01T00:00:00.068Z fw1 RT_FLOW - RT_FLOW_SESSION_CLOSE [junos@2636.1.1.1.2.129 reason="TCP FIN" source-address="10.0.0.5" ...]
///
/// Priority 14 (facility user, severity informational), APP-NAME `RT_FLOW`, MSGID the event
/// tag, and one SD element `junos@2636.1.1.1.2.<model>` whose parameters are the RT_FLOW keys in
/// the order the SRX writes them. The key set is that of the releases with connection tags
/// (every record ends at `application-characteristics`, the id is `session-id-32`), with the
/// placeholders the device prints for
/// what flowtel does not compute (`N/A`, `UNKNOWN`, `None`). SIEM parsers for SRX logs read
/// these lines as they read the device's. Other events have no RT_FLOW form: the renderer
/// returns nil for them.
public struct SyslogRenderer: Sendable {
    /// The SD-ID's model number (`.1.1.1.2.<model>`, the tail of the SRX's sysObjectID):
    /// 129 is vSRX, 134 SRX320, 137 SRX1500, 142 SRX4100, 26 SRX5800.
    public var model: Int

    /// Creates a renderer for a model (vSRX by default).
    public init(model: Int = 129) {
        self.model = model
    }

    /// The syslog line (without the newline) for a session event; nil for other events.
    public func render(_ event: Event) -> [UInt8]? {
        guard let (tag, fields) = RTFlowFields.fields(of: event.payload) else { return nil }
        var line = "<14>1 \(event.time.rfc3339) \(event.node.isEmpty ? "-" : event.node) RT_FLOW - \(tag) [junos@2636.1.1.1.2.\(model)"
        for (key, value) in fields {
            line += " \(key)=\""
            // RFC 5424 §6.3.3: '"', '\' and ']' are escaped inside PARAM-VALUE.
            for character in value {
                if character == "\"" || character == "\\" || character == "]" { line.append("\\") }
                line.append(character)
            }
            line += "\""
        }
        line += "]"
        return Array(line.utf8)
    }
}

/// The RT_FLOW keys and values of session events, in the SRX's order.
enum RTFlowFields {
    /// The MSGID and the ordered key/value pairs of a session event; nil for other events.
    static func fields(of payload: Payload) -> (String, [(String, String)])? {
        switch payload {
        case .sessionCreate(let create):
            var fields = tuple(create.session)
            fields += identity(create.session)
            fields += [
                ("username", or(create.session.username, "N/A")), ("roles", or(create.session.roles, "N/A")),
                ("packet-incoming-interface", create.session.packetIncomingInterface),
                ("application", or(create.session.application, "UNKNOWN")),
                ("nested-application", or(create.session.nestedApplication, "UNKNOWN")),
                ("encrypted", or(create.session.encrypted, "UNKNOWN")),
            ]
            fields += trailer(create.session)
            return ("RT_FLOW_SESSION_CREATE", fields)
        case .sessionClose(let close):
            let s = close.session
            var fields = [("reason", close.reason.description)] + tuple(s) + identity(s)
            fields += [
                ("packets-from-client", "\(close.packetsFromClient)"), ("bytes-from-client", "\(close.bytesFromClient)"),
                ("packets-from-server", "\(close.packetsFromServer)"), ("bytes-from-server", "\(close.bytesFromServer)"),
                ("elapsed-time", "\(close.elapsedTime)"),
                ("application", or(s.application, "UNKNOWN")), ("nested-application", or(s.nestedApplication, "UNKNOWN")),
                ("username", or(s.username, "N/A")), ("roles", or(s.roles, "N/A")),
                ("packet-incoming-interface", s.packetIncomingInterface), ("encrypted", or(s.encrypted, "No")),
            ]
            fields += trailer(s)
            return ("RT_FLOW_SESSION_CLOSE", fields)
        case .sessionDeny(let deny):
            let fields: [(String, String)] = [
                ("source-address", deny.sourceAddress.description), ("source-port", "\(deny.sourcePort)"),
                ("destination-address", deny.destinationAddress.description), ("destination-port", "\(deny.destinationPort)"),
                ("connection-tag", "\(deny.connectionTag)"), ("service-name", or(deny.serviceName, "None")),
                ("protocol-id", "\(deny.protocolID)"), ("icmp-type", "\(deny.icmpType)"), ("policy-name", deny.policyName),
                ("source-zone-name", deny.sourceZoneName), ("destination-zone-name", deny.destinationZoneName),
                ("application", or(deny.application, "UNKNOWN")), ("nested-application", or(deny.nestedApplication, "UNKNOWN")),
                ("username", or(deny.username, "N/A")), ("roles", or(deny.roles, "N/A")),
                ("packet-incoming-interface", deny.packetIncomingInterface), ("encrypted", or(deny.encrypted, "No")),
                ("reason", deny.action.denyReason), ("session-id-32", "\(deny.sessionID)"),
                ("application-category", or(deny.applicationCategory, "N/A")),
                ("application-sub-category", or(deny.applicationSubCategory, "N/A")),
                ("application-risk", deny.applicationRisk == 0 ? "-1" : "\(deny.applicationRisk)"),
                ("application-characteristics", or(deny.applicationCharacteristics, "N/A")),
            ]
            return ("RT_FLOW_SESSION_DENY", fields)
        default:
            return nil
        }
    }

    private static func or(_ value: String, _ placeholder: String) -> String { value.isEmpty ? placeholder : value }

    /// From `source-address` to `dst-nat-rule-name`: the tuple, the NAT tuple and the rules.
    private static func tuple(_ s: SessionInfo) -> [(String, String)] {
        [
            ("source-address", s.sourceAddress.description), ("source-port", "\(s.sourcePort)"),
            ("destination-address", s.destinationAddress.description), ("destination-port", "\(s.destinationPort)"),
            ("connection-tag", "\(s.connectionTag)"), ("service-name", or(s.serviceName, "None")),
            ("nat-source-address", s.natSourceAddress.description), ("nat-source-port", "\(s.natSourcePort)"),
            ("nat-destination-address", s.natDestinationAddress.description),
            ("nat-destination-port", "\(s.natDestinationPort)"), ("nat-connection-tag", "\(s.natConnectionTag)"),
            ("src-nat-rule-type", s.srcNatRuleType.description), ("src-nat-rule-name", or(s.srcNatRuleName, "N/A")),
            ("dst-nat-rule-type", s.dstNatRuleType.description), ("dst-nat-rule-name", or(s.dstNatRuleName, "N/A")),
        ]
    }

    /// From `protocol-id` to `session-id-32`.
    private static func identity(_ s: SessionInfo) -> [(String, String)] {
        [
            ("protocol-id", "\(s.protocolID)"), ("policy-name", s.policyName), ("source-zone-name", s.sourceZoneName),
            ("destination-zone-name", s.destinationZoneName), ("session-id-32", "\(s.sessionID)"),
        ]
    }

    /// The application classification that ends CREATE and CLOSE records.
    private static func trailer(_ s: SessionInfo) -> [(String, String)] {
        [
            ("application-category", or(s.applicationCategory, "N/A")),
            ("application-sub-category", or(s.applicationSubCategory, "N/A")),
            ("application-risk", s.applicationRisk == 0 ? "-1" : "\(s.applicationRisk)"),
            ("application-characteristics", or(s.applicationCharacteristics, "N/A")),
        ]
    }
}
