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
        guard let tag = RTFlowRecord.tag(event.payload) else { return nil }
        var line = SDLine()
        line.bytes.append(contentsOf: "<14>1 " as StaticString)
        RenderBytes.appendRFC3339(event.time, to: &line.bytes)
        line.bytes.append(UInt8(ascii: " "))
        line.bytes.append(contentsOf: event.node.isEmpty ? "-" : event.node)
        line.bytes.append(contentsOf: " RT_FLOW - " as StaticString)
        line.bytes.append(contentsOf: tag)
        line.bytes.append(contentsOf: " [junos@2636.1.1.1.2." as StaticString)
        RenderBytes.appendDecimal(model, to: &line.bytes)
        RTFlowRecord.visit(event.payload, into: &line)
        line.bytes.append(UInt8(ascii: "]"))
        return line.bytes.array()
    }
}

/// Writes SD-PARAMs (` key="value"`) up to the end of the syslog forms' keys.
private struct SDLine: RTFlowVisitor, ~Copyable {
    var bytes = ByteWriter(capacity: 1024)

    private mutating func key(_ key: StaticString) {
        bytes.append(UInt8(ascii: " "))
        bytes.append(contentsOf: key)
        bytes.append(UInt8(ascii: "="))
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func text(_ key: StaticString, _ value: String) {
        self.key(key)
        // RFC 5424 §6.3.3: '"', '\' and ']' are escaped inside PARAM-VALUE.
        var value = value
        let done = value.withUTF8 { (utf8: UnsafeBufferPointer<UInt8>) -> Bool in
            // Escaping is decided per Character: ASCII text, one byte a Character, takes the
            // byte path; anything else the Character loop, so a quote that a combining mark
            // joins stays as the Character comparison leaves it.
            guard !utf8.contains(where: { $0 >= 0x80 }) else { return false }
            var run = 0
            for (index, byte) in utf8.enumerated()
            where byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "]") {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run..<index]))
                bytes.append(UInt8(ascii: "\\"))
                run = index
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run...]))
            return true
        }
        if !done {
            var escaped = ""
            for character in value {
                if character == "\"" || character == "\\" || character == "]" { escaped.append("\\") }
                escaped.append(character)
            }
            bytes.append(contentsOf: escaped)
        }
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func address(_ key: StaticString, _ value: IPAddress) {
        self.key(key)
        RenderBytes.appendAddress(value, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func number(_ key: StaticString, _ value: some BinaryInteger) {
        self.key(key)
        RenderBytes.appendDecimal(value, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func syslogFieldsEnd() -> Bool { false }
}
