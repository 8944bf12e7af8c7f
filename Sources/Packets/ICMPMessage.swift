public import FlowtelCore

/// An ICMP or ICMPv6 message header, with the packet an error message quotes.
public struct ICMPMessage: Hashable, Sendable {
    /// The message type.
    public var type: UInt8
    /// The message code.
    public var code: UInt8
    /// The second 32-bit word of the header (the MTU of an ICMPv6 packet-too-big, the gateway of
    /// a redirect, the pointer of a parameter problem, ...).
    public var restOfHeader: UInt32
    /// The identifier and sequence number of an echo request or reply; nil for other types.
    public var echo: ICMPEcho?
    /// The offending packet an error message quotes, decoded as far as it was quoted; nil for
    /// messages that are not errors, or when the quote holds no decodable IP header.
    public var embedded: EmbeddedPacket?

    /// Creates an ICMP message header.
    public init(
        type: UInt8, code: UInt8, restOfHeader: UInt32 = 0, echo: ICMPEcho? = nil, embedded: EmbeddedPacket? = nil
    ) {
        self.type = type
        self.code = code
        self.restOfHeader = restOfHeader
        self.echo = echo
        self.embedded = embedded
    }
}

/// The identifier and sequence number of an ICMP or ICMPv6 echo request or reply.
public struct ICMPEcho: Hashable, Sendable {
    /// The identifier (the "port" of an ICMP session).
    public var identifier: UInt16
    /// The sequence number.
    public var sequenceNumber: UInt16

    /// Creates echo fields.
    public init(identifier: UInt16, sequenceNumber: UInt16) {
        self.identifier = identifier
        self.sequenceNumber = sequenceNumber
    }
}

/// The packet quoted by an ICMP error: its IP header and the start of its transport header.
///
/// Decoded one level deep only: an ICMP error quoting another ICMP error reports the inner
/// type and code and stops. The quote is usually cut short (RFC 792 quotes the IP header and 8
/// bytes), so lengths are not checked against it.
public struct EmbeddedPacket: Hashable, Sendable {
    /// 4 or 6.
    public var version: IPVersion
    /// Where the quoted IP header starts in the frame.
    public var offset: Int
    /// The quoted packet's source address.
    public var source: IPAddress
    /// The quoted packet's destination address.
    public var destination: IPAddress
    /// The quoted packet's upper-layer protocol (after any IPv6 extension headers).
    public var protocolID: UInt8
    /// What the quote shows of the transport header.
    public var transport: EmbeddedTransport

    /// Creates a quoted packet summary.
    public init(
        version: IPVersion, offset: Int, source: IPAddress, destination: IPAddress, protocolID: UInt8,
        transport: EmbeddedTransport
    ) {
        self.version = version
        self.offset = offset
        self.source = source
        self.destination = destination
        self.protocolID = protocolID
        self.transport = transport
    }
}

/// The transport fields an ICMP error's quote shows.
public enum EmbeddedTransport: Hashable, Sendable {
    /// TCP, UDP or SCTP ports.
    case ports(source: UInt16, destination: UInt16)
    /// An ICMP or ICMPv6 message: its type and code, and the echo fields for echo messages.
    case icmp(type: UInt8, code: UInt8, echo: ICMPEcho?)
    /// A protocol whose fields are not decoded.
    case other
    /// Not quoted: the quote ends too early, or the quoted packet is a non-first fragment.
    case absent
}
