import FlowtelCore
public import Packets

/// What the flow engine makes of a decoded packet.
public enum FlowPacket: Hashable, Sendable {
    /// A packet of a flow: its key, and what the session needs from it.
    case flow(FlowKey, FlowPacketDetails)
    /// An ICMP or ICMPv6 error quoting a packet of another flow (`quoted`: that packet's key,
    /// in the direction it was sent). A session it refers to closes with `ICMP error`.
    case icmpError(quoted: WingKey, FlowPacketDetails)
    /// A fragment after the first: no transport header, so no flow key of its own.
    case laterFragment
    /// Not IPv4 or IPv6 (ARP, LLDP, ...): no flow.
    case notIP

    /// Reads `packet`.
    ///
    /// Echo requests and replies carry the identifier and sequence number as their ports, as
    /// RT_FLOW logs do: a request's key has the identifier as source port and the sequence as
    /// destination port, and a reply's key is written the other way round, so that it is the
    /// reverse of its request's key and matches the session as a reply.
    public init(_ packet: DecodedPacket) {
        guard let ip = packet.ip else {
            self = .notIP
            return
        }
        if let fragment = ip.fragment, fragment.offset > 0 {
            self = .laterFragment
            return
        }
        var details = FlowPacketDetails(ipBytes: ip.totalLength)
        var key = FlowKey(source: ip.source, destination: ip.destination, ipProtocol: ip.protocolID)
        switch packet.transport {
        case .tcp(let tcp):
            key.sourcePort = tcp.sourcePort
            key.destinationPort = tcp.destinationPort
            details.tcpFlags = tcp.flags
            details.payload = tcp.payloadLength
            details.tcp = TCPSegment(
                sequence: tcp.sequenceNumber, acknowledgment: tcp.acknowledgmentNumber, window: tcp.window,
                windowScale: tcp.windowScale)
        case .udp(let udp):
            key.sourcePort = udp.sourcePort
            key.destinationPort = udp.destinationPort
            details.payload = udp.payloadLength
        case .sctp(let sctp):
            key.sourcePort = sctp.sourcePort
            key.destinationPort = sctp.destinationPort
        case .icmp(let message), .icmpv6(let message):
            let isV6 = ip.protocolID == 58
            key.icmpType = message.type
            key.icmpCode = message.code
            if let quoted = message.embedded, FlowPacket.isError(type: message.type, v6: isV6) {
                guard let quotedKey = FlowPacket.key(of: quoted) else {
                    self = .flow(key, details)
                    return
                }
                self = .icmpError(quoted: quotedKey, details)
                return
            }
            if let echo = message.echo {
                let isReply = message.type == (isV6 ? 129 : 0)
                key.sourcePort = isReply ? echo.sequenceNumber : echo.identifier
                key.destinationPort = isReply ? echo.identifier : echo.sequenceNumber
                details.isEchoReply = isReply
            }
        default:
            break
        }
        self = .flow(key, details)
    }

    /// Reads the headers of a TCP or UDP packet (``PacketDecoder/decodeFlow(_:wireLength:)``):
    /// the same flow as reading the frame's ``DecodedPacket`` gives.
    public init(_ headers: FlowHeaders) {
        let (key, details) = Self.flow(of: headers)
        self = .flow(key, details)
    }

    /// The key and details of ``flow(_:_:)`` for `headers`.
    @inline(__always)
    static func flow(of headers: FlowHeaders) -> (FlowKey, FlowPacketDetails) {
        var details = FlowPacketDetails(ipBytes: headers.ipTotalLength, payload: headers.payloadLength)
        if let flags = headers.tcpFlags {
            details.tcpFlags = flags
            details.tcp = TCPSegment(
                sequence: headers.sequenceNumber, acknowledgment: headers.acknowledgmentNumber, window: headers.window,
                windowScale: headers.windowScale)
        }
        let key = FlowKey(
            source: headers.source, destination: headers.destination, ipProtocol: headers.protocolID,
            sourcePort: headers.sourcePort, destinationPort: headers.destinationPort)
        return (key, details)
    }

    /// ICMP destination unreachable, source quench, redirect, time exceeded and parameter
    /// problem; ICMPv6 destination unreachable, packet too big, time exceeded and parameter
    /// problem.
    static func isError(type: UInt8, v6: Bool) -> Bool {
        v6 ? (1...4).contains(type) : [3, 4, 5, 11, 12].contains(type)
    }

    /// The key of a quoted packet, when its ports (or echo fields) were quoted.
    static func key(of quoted: EmbeddedPacket) -> WingKey? {
        switch quoted.transport {
        case .ports(let source, let destination):
            return WingKey(
                source: quoted.source, destination: quoted.destination, sourcePort: source, destinationPort: destination,
                ipProtocol: quoted.protocolID)
        case .icmp(let type, _, let echo?):
            let isReply = type == 0 || type == 129
            return WingKey(
                source: quoted.source, destination: quoted.destination,
                sourcePort: isReply ? echo.sequenceNumber : echo.identifier,
                destinationPort: isReply ? echo.identifier : echo.sequenceNumber, ipProtocol: quoted.protocolID)
        case .icmp, .other, .absent:
            return nil
        }
    }
}

/// What a session counts and tracks from a packet besides its key.
public struct FlowPacketDetails: Hashable, Sendable {
    /// The IP packet's length, headers included (what RT_FLOW's byte counters add up).
    public var ipBytes: Int
    /// TCP flags, for TCP.
    public var tcpFlags: TCPFlags?
    /// Transport payload bytes (TCP, UDP).
    public var payload: Int = 0
    /// An ICMP or ICMPv6 echo reply.
    public var isEchoReply = false
    /// TCP: the header's sequence-space fields.
    public var tcp: TCPSegment?

    /// Creates details.
    public init(ipBytes: Int, tcpFlags: TCPFlags? = nil, payload: Int = 0, isEchoReply: Bool = false) {
        self.ipBytes = ipBytes
        self.tcpFlags = tcpFlags
        self.payload = payload
        self.isEchoReply = isEchoReply
    }
}
