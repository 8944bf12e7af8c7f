import FlowEngine
import FlowtelCore
import JunosConfig
import Packets

/// The fields of one IP packet that filters test and trace lines show, read once per packet.
struct TracedPacket: Sendable {
    var source: IPAddress
    var destination: IPAddress
    var ipProtocol: UInt8
    /// TCP, UDP and SCTP ports; for ICMP echo the identifier and sequence number, as the flow
    /// engine keys echo sessions (a request's identifier is its source "port"); 0 otherwise.
    var sourcePort: UInt16
    var destinationPort: UInt16
    /// IP total length (IPv6: payload length plus the 40-byte header).
    var length: Int
    var identification: UInt32
    var ttl: UInt8
    var tcpFlags: TCPFlags?
    var icmp: (type: UInt8, code: UInt8)?
    var vlan: UInt16?
    var isFragment: Bool

    /// Reads `packet`; nil for a frame that is not IP (the flow engine drops those unseen).
    init?(_ packet: DecodedPacket) {
        guard let ip = packet.ip else { return nil }
        source = ip.source
        destination = ip.destination
        ipProtocol = ip.protocolID
        length = ip.totalLength
        identification = ip.identification
        ttl = ip.ttl
        vlan = packet.link.vlan?.outer
        isFragment = ip.fragment != nil
        sourcePort = 0
        destinationPort = 0
        switch packet.transport {
        case .tcp(let tcp):
            (sourcePort, destinationPort) = (tcp.sourcePort, tcp.destinationPort)
            tcpFlags = tcp.flags
        case .udp(let udp):
            (sourcePort, destinationPort) = (udp.sourcePort, udp.destinationPort)
        case .sctp(let sctp):
            (sourcePort, destinationPort) = (sctp.sourcePort, sctp.destinationPort)
        case .icmp(let message), .icmpv6(let message):
            icmp = (message.type, message.code)
            if let echo = message.echo {
                let isReply = message.type == 0 || message.type == 129
                sourcePort = isReply ? echo.sequenceNumber : echo.identifier
                destinationPort = isReply ? echo.identifier : echo.sequenceNumber
            }
        default:
            break
        }
    }
}

/// The logical interfaces a packet arrives on and leaves by, as the flow engine's first path
/// finds them (``ZoneMap``): ingress by VLAN tag or by the route back to the source, egress by
/// the route to the (untranslated) destination.
struct PacketInterfaces: Sendable {
    var incoming: String?
    var outgoing: String?

    init(_ packet: TracedPacket, zones: ZoneMap) {
        incoming = zones.ingressUnit(source: packet.source, vlan: packet.vlan)
        if case .unit(let unit) = zones.egress(destination: packet.destination) {
            outgoing = unit
        }
    }
}

/// A validated `monitor security flow filter`, ready to test packets.
struct CompiledMonitorFilter: Sendable {
    /// The filter as shown (interface names canonical, protocol lower case).
    let filter: MonitorFilter
    private let source: IPPrefix?
    private let destination: IPPrefix?
    private let ipProtocol: UInt8?
    private let interface: String?
    private let incoming: String?
    private let outgoing: String?
    /// Criteria flowtel can never meet: another logical system, a connection tag.
    private let unmatchable: Bool

    /// True when matching needs the packet's interfaces.
    var needsInterfaces: Bool { interface != nil || incoming != nil || outgoing != nil }

    /// Checks `filter` and compiles it; throws ``MonitorError`` (invalid argument) naming the
    /// first bad criterion.
    init(_ filter: MonitorFilter) throws(MonitorError) {
        guard Self.isValidName(filter.name) else {
            throw MonitorError(
                .invalidArgument,
                "filter name '\(filter.name)': use 1 to 63 letters, digits, '-', '_' or '.', not starting with '-'")
        }
        var shown = filter
        func prefix(_ text: String, _ field: String) throws(MonitorError) -> IPPrefix? {
            guard !text.isEmpty else { return nil }
            guard let prefix = IPPrefix(text) else {
                throw MonitorError(.invalidArgument, "\(field): '\(text)' is not an address or ADDRESS/LENGTH prefix")
            }
            return prefix
        }
        source = try prefix(filter.sourcePrefix, "source-prefix")
        destination = try prefix(filter.destinationPrefix, "destination-prefix")
        shown.sourcePrefix = source.map(\.description) ?? ""
        shown.destinationPrefix = destination.map(\.description) ?? ""
        if filter.protocol.isEmpty {
            ipProtocol = nil
        } else {
            guard let number = IPProtocol.number(filter.protocol) else {
                throw MonitorError(
                    .invalidArgument,
                    "protocol: '\(filter.protocol)' is neither a number 0-255 nor a protocol name "
                        + "(tcp, udp, icmp, icmp6, esp, ...)")
            }
            ipProtocol = number
            shown.protocol = filter.protocol.lowercased()
        }
        func unit(_ text: String, _ field: String) throws(MonitorError) -> String? {
            guard !text.isEmpty else { return nil }
            guard !text.contains(where: { $0.isWhitespace || $0 == "\"" }) else {
                throw MonitorError(.invalidArgument, "\(field): '\(text)' is not an interface name (e.g. ge-0/0/1.0)")
            }
            return DeviceConfig.canonicalUnitName(text)
        }
        interface = try unit(filter.interface, "interface")
        incoming = try unit(filter.incomingInterface, "incoming-interface")
        outgoing = try unit(filter.outgoingInterface, "outgoing-interface")
        shown.interface = interface ?? ""
        shown.incomingInterface = incoming ?? ""
        shown.outgoingInterface = outgoing ?? ""
        if filter.logicalSystem == MonitorFilter.rootLogicalSystem { shown.logicalSystem = "" }
        guard shown.logicalSystem.isEmpty || Self.isValidName(shown.logicalSystem) else {
            throw MonitorError(
                .invalidArgument, "logical-system: '\(filter.logicalSystem)' is not a logical-system name")
        }
        // flowtel runs the root logical system only and has no tunnels, so these never match.
        unmatchable = !shown.logicalSystem.isEmpty || filter.connectionTag != 0
        self.filter = shown
    }

    /// True when `packet` meets every criterion; `interfaces` must be given when
    /// ``needsInterfaces``.
    func matches(_ packet: TracedPacket, interfaces: PacketInterfaces?) -> Bool {
        if unmatchable { return false }
        if let ipProtocol, packet.ipProtocol != ipProtocol { return false }
        if let port = filter.sourcePort, packet.sourcePort != port { return false }
        if let port = filter.destinationPort, packet.destinationPort != port { return false }
        if let source, !source.contains(packet.source) { return false }
        if let destination, !destination.contains(packet.destination) { return false }
        if needsInterfaces {
            guard let found = interfaces else {
                preconditionFailure("interface criteria without the packet's interfaces")
            }
            if let incoming, found.incoming != incoming { return false }
            if let outgoing, found.outgoing != outgoing { return false }
            if let interface, found.incoming != interface && found.outgoing != interface { return false }
        }
        return true
    }

    /// Junos-like object names: letters, digits, `-`, `_`, `.`; 1 to 63 characters; not
    /// starting with `-` (which would read as an option).
    static func isValidName(_ name: String) -> Bool {
        let utf8 = name.utf8
        guard (1...63).contains(utf8.count), utf8.first != UInt8(ascii: "-") else { return false }
        return utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
        }
    }
}
