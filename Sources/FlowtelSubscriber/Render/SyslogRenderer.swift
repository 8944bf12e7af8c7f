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
        guard let record = RTFlowRecord(event.payload) else { return nil }
        var line = "<14>1 \(event.time.rfc3339) \(event.node.isEmpty ? "-" : event.node) RT_FLOW - \(record.tag) [junos@2636.1.1.1.2.\(model)"
        for field in record.syslogFields {
            line += " \(field.key)=\""
            // RFC 5424 §6.3.3: '"', '\' and ']' are escaped inside PARAM-VALUE.
            for character in field.value {
                if character == "\"" || character == "\\" || character == "]" { line.append("\\") }
                line.append(character)
            }
            line += "\""
        }
        line += "]"
        return Array(line.utf8)
    }
}
