import FlowtelCore

/// The plain-text (non-structured) RT_FLOW message: what follows `RT_FLOW: ` in the device's
/// log file and in its `format syslog` stream.
///
///     RT_FLOW_SESSION_CLOSE: session closed TCP FIN: 10.0.0.5/51000->192.0.2.80/443 0x0 junos-https 203.0.113.2/20001->192.0.2.80/443 0x0 source rule all N/A N/A 6 out office internet 17 9(1022) 7(4410) 3 UNKNOWN UNKNOWN N/A(N/A) ge-0/0/2.0 No N/A N/A -1 N/A
///
/// The values are those of the sd-syslog form, in the same order, each after one space, with
/// the plain form's own spellings: each 4-tuple as `addr/port->addr/port` followed by its
/// connection tag in hex (`0x0`), `username(roles)`, `packets(bytes)` per direction,
/// `protocol(icmp-type)` in DENY, the close reason after `session closed ` and ended by `:`,
/// and the DENY reason as `policy deny` / `policy reject`.
enum RTFlowText: RTFlowFormat {
    /// Writes the message for a session event; false (nothing written) for other events.
    @discardableResult
    static func write(_ payload: Payload, to out: inout RenderBuffer) -> Bool {
        guard let tag = RTFlowRecord.tag(payload) else { return false }
        out.append(tag)
        switch payload {
        case .sessionCreate(let create):
            out.append(": session created")
            RTFlowRecord.visit(create, as: Self.self, into: &out)
        case .sessionClose(let close):
            out.append(": session closed ")
            out.append(utf8Of: close.reason.description)
            out.append(UInt8(ascii: ":"))
            RTFlowRecord.visit(close, as: Self.self, into: &out)
        case .sessionDeny(let deny):
            out.append(": session denied")
            RTFlowRecord.visit(deny, as: Self.self, into: &out)
        default:
            preconditionFailure("only session events have an RT_FLOW tag")
        }
        return true
    }

    static var carriesNewestKeys: Bool { false }

    @inline(__always)
    static func text(_ key: StaticString, _ value: String, to out: inout RenderBuffer) {
        RenderBuffer.withUTF8(value) { utf8 in
            out.write(reserving: utf8.count + 1) { cursor in
                cursor.put(UInt8(ascii: " "))
                cursor.put(utf8)
            }
        }
    }

    @inline(__always)
    static func placeholder(_ key: StaticString, _ value: StaticString, to out: inout RenderBuffer) {
        out.write(reserving: value.utf8CodeUnitCount + 1) { cursor in
            cursor.put(UInt8(ascii: " "))
            cursor.put(value)
        }
    }

    static func address(_ key: StaticString, _ value: IPAddress, to out: inout RenderBuffer) {
        out.write(reserving: 1 + RenderCursor.maxAddressWidth) { cursor in
            cursor.put(UInt8(ascii: " "))
            cursor.putAddress(value)
        }
    }

    @inline(__always)
    static func number(_ key: StaticString, _ value: some BinaryInteger, to out: inout RenderBuffer) {
        out.write(reserving: 1 + RenderCursor.maxDecimalWidth) { cursor in
            cursor.put(UInt8(ascii: " "))
            cursor.putDecimal(value)
        }
    }

    /// `source/port->destination/port`.
    @inline(__always)
    static func endpoints(
        nat: Bool, _ source: IPAddress, _ sourcePort: UInt16, _ destination: IPAddress, _ destinationPort: UInt16,
        to out: inout RenderBuffer
    ) {
        out.write(reserving: 2 * RenderCursor.maxAddressWidth + 15) { cursor in
            cursor.put(UInt8(ascii: " "))
            cursor.putAddress(source)
            cursor.put(UInt8(ascii: "/"))
            cursor.putDecimal(sourcePort)
            cursor.put("->")
            cursor.putAddress(destination)
            cursor.put(UInt8(ascii: "/"))
            cursor.putDecimal(destinationPort)
        }
    }

    /// `0x` and the tag in lower-case hex.
    @inline(__always)
    static func connectionTag(_ key: StaticString, _ value: UInt32, to out: inout RenderBuffer) {
        out.write(reserving: 11) { cursor in
            cursor.put(" 0x")
            cursor.putHex(UInt64(value))
        }
    }

    /// `username(roles)`.
    @inline(__always)
    static func pair(
        _ key: StaticString, _ value: String, or placeholder: StaticString, _ secondKey: StaticString, _ second: String,
        or secondPlaceholder: StaticString, to out: inout RenderBuffer
    ) {
        out.append(UInt8(ascii: " "))
        if value.isEmpty { out.append(placeholder) } else { out.append(utf8Of: value) }
        out.append(UInt8(ascii: "("))
        if second.isEmpty { out.append(secondPlaceholder) } else { out.append(utf8Of: second) }
        out.append(UInt8(ascii: ")"))
    }

    /// `packets(bytes)`, `protocol(icmp-type)`.
    @inline(__always)
    static func pair(
        _ key: StaticString, _ value: some BinaryInteger, _ secondKey: StaticString, _ second: some BinaryInteger,
        to out: inout RenderBuffer
    ) {
        out.write(reserving: 3 + 2 * RenderCursor.maxDecimalWidth) { cursor in
            cursor.put(UInt8(ascii: " "))
            cursor.putDecimal(value)
            cursor.put(UInt8(ascii: "("))
            cursor.putDecimal(second)
            cursor.put(UInt8(ascii: ")"))
        }
    }

    /// Nothing: the reason is in the opening words.
    static func closeReason(_ reason: CloseReason, to out: inout RenderBuffer) {}

    /// The text form words the verdict differently from the structured one.
    static func denyReason(_ action: PolicyAction, to out: inout RenderBuffer) {
        out.append(UInt8(ascii: " "))
        out.append(utf8Of: action.textTail)
    }
}
