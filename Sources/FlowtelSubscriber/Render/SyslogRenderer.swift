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
        var line: [UInt8] = []
        return render(event, into: &line) ? line : nil
    }

    /// Appends the syslog line (without the newline) for a session event to `buffer`; false
    /// (nothing appended) for other events.
    ///
    /// Allocates nothing once `buffer` has the capacity: render a batch into one reused array.
    @discardableResult
    public func render(_ event: Event, into buffer: inout [UInt8]) -> Bool {
        guard let tag = RTFlowRecord.tag(event.payload) else { return false }
        RenderBuffer.appending(to: &buffer) { line in
            line.append("<14>1 ")
            line.appendRFC3339(event.time)
            line.append(UInt8(ascii: " "))
            if event.node.isEmpty { line.append(UInt8(ascii: "-")) } else { line.append(utf8Of: event.node) }
            line.append(" RT_FLOW - ")
            line.append(tag)
            line.append(" [junos@2636.1.1.1.2.")
            line.appendDecimal(model)
            RTFlowRecord.visit(event.payload, as: SDParams.self, into: &line)
            line.append(UInt8(ascii: "]"))
        }
        return true
    }
}

/// SD-PARAMs (` key="value"`) up to the end of the syslog forms' keys.
private enum SDParams: RTFlowFormat {
    static var carriesNewestKeys: Bool { false }

    /// ` key="`.
    @inline(__always)
    private static func putKey(_ key: StaticString, _ cursor: inout RenderCursor) {
        cursor.put(UInt8(ascii: " "))
        cursor.put(key)
        cursor.put(UInt8(ascii: "="))
        cursor.put(UInt8(ascii: "\""))
    }

    @inline(__always)
    static func text(_ key: StaticString, _ value: String, to out: inout RenderBuffer) {
        // The key outside the closure, where the compiler sees its length.
        out.write(reserving: key.utf8CodeUnitCount + 3) { putKey(key, &$0) }
        RenderBuffer.withUTF8(value) { utf8 in
            var escaped = false
            out.write(reserving: utf8.count + 1) { cursor in
                // Non-ASCII text takes the slow path too: see appendEscaped.
                let verbatim = cursor.putVerbatim(
                    utf8, unless: { $0 >= 0x80 || isEscaped($0) },
                    wordHasSpecial: {
                        WordBytes.containsNonASCII($0) || WordBytes.contains($0, UInt8(ascii: "\""))
                            || WordBytes.contains($0, UInt8(ascii: "\\")) || WordBytes.contains($0, UInt8(ascii: "]"))
                    })
                if verbatim {
                    cursor.put(UInt8(ascii: "\""))
                } else {
                    escaped = true
                }
            }
            if escaped {
                appendEscaped(value, utf8, to: &out)
                out.append(UInt8(ascii: "\""))
            }
        }
    }

    @inline(__always)
    static func placeholder(_ key: StaticString, _ value: StaticString, to out: inout RenderBuffer) {
        out.write(reserving: key.utf8CodeUnitCount + value.utf8CodeUnitCount + 5) { cursor in
            putKey(key, &cursor)
            cursor.put(value)
            cursor.put(UInt8(ascii: "\""))
        }
    }

    @inline(__always)
    private static func isEscaped(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "]")
    }

    /// RFC 5424 §6.3.3: '"', '\' and ']' are escaped inside PARAM-VALUE.
    ///
    /// Escaping is decided per Character: ASCII text, one byte a Character, takes the byte
    /// path; anything else the Character loop, so a quote that a combining mark joins stays as
    /// the Character comparison leaves it.
    private static func appendEscaped(_ value: String, _ utf8: UnsafeBufferPointer<UInt8>, to out: inout RenderBuffer) {
        guard utf8.contains(where: isEscaped) else { return out.append(utf8) }
        guard utf8.contains(where: { $0 >= 0x80 }) else {
            var run = 0
            for index in utf8.indices where isEscaped(utf8[index]) {
                out.append(UnsafeBufferPointer(rebasing: utf8[run..<index]))
                out.append(UInt8(ascii: "\\"))
                run = index
            }
            return out.append(UnsafeBufferPointer(rebasing: utf8[run...]))
        }
        for character in value {
            if character == "\"" || character == "\\" || character == "]" { out.append(UInt8(ascii: "\\")) }
            out.append(utf8Of: String(character))
        }
    }

    @inline(__always)
    static func address(_ key: StaticString, _ value: IPAddress, to out: inout RenderBuffer) {
        out.write(reserving: key.utf8CodeUnitCount + 5 + RenderCursor.maxAddressWidth) { cursor in
            putKey(key, &cursor)
            cursor.putAddress(value)
            cursor.put(UInt8(ascii: "\""))
        }
    }

    @inline(__always)
    static func number(_ key: StaticString, _ value: some BinaryInteger, to out: inout RenderBuffer) {
        out.write(reserving: key.utf8CodeUnitCount + 5 + RenderCursor.maxDecimalWidth) { cursor in
            putKey(key, &cursor)
            cursor.putDecimal(value)
            cursor.put(UInt8(ascii: "\""))
        }
    }
}
