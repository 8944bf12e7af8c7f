public import FlowtelCore

/// What a flow table needs of a TCP or UDP packet: its 5-tuple, lengths and TCP fields, and the
/// outer VLAN id, as ``PacketDecoder/decodeFlow(_:wireLength:)`` reads them.
///
/// The same values a ``DecodedPacket`` of the frame holds (its ``LinkHeader/vlan``, ``IPHeader``
/// and ``TCPHeader`` or ``UDPHeader``), without the rest of the headers: about 70 bytes built in
/// registers where a decoded packet is some 300 written to memory and read back.
public struct FlowHeaders: Hashable, Sendable {
    /// The outermost VLAN tag's id; nil for an untagged frame.
    public var vlan: UInt16?
    /// The source address.
    public var source: IPAddress
    /// The destination address.
    public var destination: IPAddress
    /// 6 (TCP) or 17 (UDP): the IPv4 protocol, or the IPv6 next header after the extension headers.
    public var protocolID: UInt8
    /// The IP packet's length as its header declares it (``IPHeader/totalLength``).
    public var ipTotalLength: Int
    /// The source port.
    public var sourcePort: UInt16
    /// The destination port.
    public var destinationPort: UInt16
    /// The transport payload's length as the headers declare it (``TCPHeader/payloadLength``,
    /// ``UDPHeader/payloadLength``).
    public var payloadLength: Int
    /// The TCP flags; nil for UDP.
    public var tcpFlags: TCPFlags?
    /// The TCP sequence number; 0 for UDP.
    public var sequenceNumber: UInt32
    /// The TCP acknowledgment number; 0 for UDP.
    public var acknowledgmentNumber: UInt32
    /// The TCP window (unscaled); 0 for UDP.
    public var window: UInt16
    /// The window-scale option of a TCP SYN (``TCPHeader/windowScale``).
    public var windowScale: UInt8?

    /// Creates flow headers; the decoder is the usual source of these.
    public init(
        vlan: UInt16?, source: IPAddress, destination: IPAddress, protocolID: UInt8, ipTotalLength: Int,
        sourcePort: UInt16, destinationPort: UInt16, payloadLength: Int, tcpFlags: TCPFlags? = nil,
        sequenceNumber: UInt32 = 0, acknowledgmentNumber: UInt32 = 0, window: UInt16 = 0, windowScale: UInt8? = nil
    ) {
        self.vlan = vlan
        self.source = source
        self.destination = destination
        self.protocolID = protocolID
        self.ipTotalLength = ipTotalLength
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.payloadLength = payloadLength
        self.tcpFlags = tcpFlags
        self.sequenceNumber = sequenceNumber
        self.acknowledgmentNumber = acknowledgmentNumber
        self.window = window
        self.windowScale = windowScale
    }
}

extension FlowHeaders {
    /// The flow headers of a fully decoded packet: what `PacketDecoder.decodeFlow` returns for
    /// the same frame when `packet` is unfragmented TCP or UDP; nil otherwise.
    public init?(_ packet: DecodedPacket) {
        guard let ip = packet.ip, ip.fragment == nil else { return nil }
        let vlan = packet.link.vlan?.outer
        switch packet.transport {
        case .tcp(let tcp):
            self.init(
                vlan: vlan, source: ip.source, destination: ip.destination, protocolID: ip.protocolID,
                ipTotalLength: ip.totalLength, sourcePort: tcp.sourcePort, destinationPort: tcp.destinationPort,
                payloadLength: tcp.payloadLength, tcpFlags: tcp.flags, sequenceNumber: tcp.sequenceNumber,
                acknowledgmentNumber: tcp.acknowledgmentNumber, window: tcp.window, windowScale: tcp.windowScale)
        case .udp(let udp):
            self.init(
                vlan: vlan, source: ip.source, destination: ip.destination, protocolID: ip.protocolID,
                ipTotalLength: ip.totalLength, sourcePort: udp.sourcePort, destinationPort: udp.destinationPort,
                payloadLength: udp.payloadLength)
        default:
            return nil
        }
    }
}
