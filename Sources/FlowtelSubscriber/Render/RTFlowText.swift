import FlowtelCore

/// The plain-text (non-structured) RT_FLOW message: what follows `RT_FLOW: ` in the device's
/// log file and in its `format syslog` stream.
///
///     RT_FLOW_SESSION_CLOSE: session closed TCP FIN: 10.0.0.5/51000->192.0.2.80/443 0x0 junos-https 203.0.113.2/20001->192.0.2.80/443 0x0 source rule all N/A N/A 6 out office internet 17 9(1022) 7(4410) 3 UNKNOWN UNKNOWN N/A(N/A) ge-0/0/2.0 No N/A N/A -1 N/A
///
/// The values are those of ``RTFlowRecord/syslogFields``, in the same order, separated by one
/// space, with the plain form's own spellings: each 4-tuple as `addr/port->addr/port` followed
/// by its connection tag in hex (`0x0`), `username(roles)`, `packets(bytes)` per direction,
/// `protocol(icmp-type)` in DENY, the close reason after `session closed ` and ended by `:`,
/// and the DENY reason as `policy deny` / `policy reject`.
enum RTFlowText {
    /// The message for a session event; nil for other events.
    static func message(_ payload: Payload) -> String? {
        guard let record = RTFlowRecord(payload) else { return nil }
        let fields = record.syslogFields
        var words: [String] = []
        words.reserveCapacity(fields.count)
        var closeReason: String?
        var index = fields.startIndex
        /// The value `offset` places after the current field, whose key must be `key`.
        func value(_ offset: Int, _ key: String) -> String {
            let field = fields[index + offset]
            precondition(field.key == key, "RT_FLOW field order: expected \(key), found \(field.key)")
            return field.value
        }
        while index < fields.endIndex {
            let field = fields[index]
            switch field.key {
            case "source-address", "nat-source-address":
                let prefix = field.key == "source-address" ? "" : "nat-"
                words.append(
                    "\(field.value)/\(value(1, prefix + "source-port"))->"
                        + "\(value(2, prefix + "destination-address"))/\(value(3, prefix + "destination-port"))")
                index += 4
                continue
            case "connection-tag", "nat-connection-tag":
                words.append("0x" + String(UInt32(field.value) ?? 0, radix: 16))
            case "username":
                words.append("\(field.value)(\(value(1, "roles")))")
                index += 2
                continue
            case "packets-from-client":
                words.append("\(field.value)(\(value(1, "bytes-from-client")))")
                index += 2
                continue
            case "packets-from-server":
                words.append("\(field.value)(\(value(1, "bytes-from-server")))")
                index += 2
                continue
            case "protocol-id" where index + 1 < fields.endIndex && fields[index + 1].key == "icmp-type":
                words.append("\(field.value)(\(value(1, "icmp-type")))")
                index += 2
                continue
            case "reason":
                if case .sessionDeny(let deny) = payload {
                    // The text form words the verdict differently from the structured one.
                    words.append(deny.action.textTail)
                } else {
                    closeReason = field.value
                }
            default:
                words.append(field.value)
            }
            index += 1
        }
        let opening: String
        switch payload {
        case .sessionCreate: opening = "session created"
        case .sessionClose: opening = "session closed \(closeReason ?? ""):"
        default: opening = "session denied"
        }
        return "\(record.tag): \(opening) " + words.joined(separator: " ")
    }
}

extension Timestamp {
    /// The RFC 3164 TIMESTAMP in UTC, as Junos writes it in log files and BSD syslog:
    /// `Mmm dd HH:MM:SS`, the day padded with a space (`Dec  7 08:04:45`), no year.
    var bsdSyslog: String {
        // `rfc3339` is fixed-width here: a UInt64 of nanoseconds ends in 2554, so the year always
        // has four digits: `YYYY-MM-DDTHH:MM:SS.mmmZ`.
        let text = Array(rfc3339.utf8)
        let month = Int(text[5] &- 48) * 10 + Int(text[6] &- 48)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        var result = Array(months[month - 1].utf8)
        result.append(UInt8(ascii: " "))
        result.append(text[8] == UInt8(ascii: "0") ? UInt8(ascii: " ") : text[8])
        result.append(text[9])
        result.append(UInt8(ascii: " "))
        result.append(contentsOf: text[11..<19])
        return String(decoding: result, as: UTF8.self)
    }
}
