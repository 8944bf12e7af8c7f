import FlowEngine
import FlowtelCore
import Packets

#if canImport(Glibc)
import Glibc
#endif

/// Writes the basic-datapath trace of one packet, in the shape of an SRX's flow trace.
///
/// Every line starts with the time twice (`Jul 10 20:48:10 20:48:09.965641`: the log time to
/// the second, then the trace time to the microsecond; both the packet's time, in UTC) and
/// `:CID-0:RT:`. The first line names the filter, as Junos does:
///
///     <10.0.0.5/40000->203.0.113.9/443;6> matched filter web:
///     packet [60] ipid = 4660, ttl 64
///      flow_process_pkt: in_ifp ge-0/0/1.0, out_ifp ge-0/0/0.0
///       ge-0/0/1.0:10.0.0.5/40000->203.0.113.9/443, tcp, flag 2 syn
///
/// then what the flow engine did: `  flow got session.` + `  flow session id 7, wing in`
/// (`wing out` for a reply); or the first path: `  no session found, start first path.`,
/// `  policy search from zone trust-> zone untrust`, then `  permitted by policy web,
/// session id 7 created` or `  packet dropped, denied by policy deny-all`; or
/// `  packet dropped, <reason>` for the engine's drops.
enum TraceFormatter {
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The prefix of every line traced at `time`.
    static func prefix(_ time: Timestamp) -> String {
        var seconds = time_t(time.unixNanos / 1_000_000_000)
        let micros = Int(time.unixNanos % 1_000_000_000 / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let clock = "\(pad(Int(parts.tm_hour))):\(pad(Int(parts.tm_min))):\(pad(Int(parts.tm_sec)))"
        let day = Int(parts.tm_mday)
        let month = months[Int(parts.tm_mon)]
        let dayText = day < 10 ? " \(day)" : "\(day)"
        return "\(month) \(dayText) \(clock) \(clock).\(pad(micros, width: 6)):CID-0:RT:"
    }

    /// The lines for `packet`, matched by the filter `filter`, which the engine handled as
    /// `disposition`; `interfaces` as the first path finds them.
    static func lines(
        filter: String, packet: TracedPacket, time: Timestamp, disposition: PacketDisposition,
        interfaces: PacketInterfaces
    ) -> [String] {
        let head = prefix(time)
        let source = "\(packet.source)/\(packet.sourcePort)"
        let destination = "\(packet.destination)/\(packet.destinationPort)"
        let incoming = interfaces.incoming ?? "none"
        var lines = [
            "\(head)<\(source)->\(destination);\(packet.ipProtocol)> matched filter \(filter):",
            "\(head)packet [\(packet.length)] ipid = \(packet.identification), ttl \(packet.ttl)",
            "\(head) flow_process_pkt: in_ifp \(incoming), out_ifp \(interfaces.outgoing ?? "none")",
            "\(head)  \(incoming):\(source)->\(destination), \(IPProtocol.name(packet.ipProtocol))\(details(packet))",
        ]
        switch disposition {
        case .session(let id, let fromClient):
            lines.append("\(head)  flow got session.")
            lines.append("\(head)  flow session id \(id), wing \(fromClient ? "in" : "out")")
        case .created(let id, let policy, let fromZone, let toZone):
            lines.append("\(head)  no session found, start first path.")
            lines.append("\(head)  policy search from zone \(fromZone)-> zone \(toZone)")
            lines.append("\(head)  permitted by policy \(policy), session id \(id) created")
        case .denied(let policy, let fromZone, let toZone):
            lines.append("\(head)  no session found, start first path.")
            lines.append("\(head)  policy search from zone \(fromZone)-> zone \(toZone)")
            lines.append("\(head)  packet dropped, denied by policy \(policy)")
        case .dropped(let reason):
            lines.append("\(head)  packet dropped, \(reason)")
        }
        return lines
    }

    /// `, flag 2 syn` for TCP, `, (8/0)` for ICMP type/code, `, fragment` for fragments.
    private static func details(_ packet: TracedPacket) -> String {
        var text = ""
        if let flags = packet.tcpFlags {
            text += ", flag \(String(flags.rawValue, radix: 16)) \(flagNames(flags))"
        } else if let icmp = packet.icmp {
            text += ", (\(icmp.type)/\(icmp.code))"
        }
        if packet.isFragment { text += ", fragment" }
        return text
    }

    private static func flagNames(_ flags: TCPFlags) -> String {
        let names: [(TCPFlags, String)] = [
            (.syn, "syn"), (.ack, "ack"), (.fin, "fin"), (.rst, "rst"), (.psh, "psh"), (.urg, "urg"), (.ece, "ece"),
            (.cwr, "cwr"),
        ]
        let set = names.filter { flags.contains($0.0) }.map(\.1)
        return set.isEmpty ? "none" : set.joined(separator: " ")
    }

    private static func pad(_ value: Int, width: Int = 2) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
