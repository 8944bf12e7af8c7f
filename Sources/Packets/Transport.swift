/// The transport header of a decoded IP packet.
public enum Transport: Hashable, Sendable {
    /// TCP (protocol 6).
    case tcp(TCPHeader)
    /// UDP (protocol 17).
    case udp(UDPHeader)
    /// ICMP (protocol 1).
    case icmp(ICMPMessage)
    /// ICMPv6 (protocol 58).
    case icmpv6(ICMPMessage)
    /// GRE (protocol 47).
    case gre(GREHeader)
    /// ESP (protocol 50).
    case esp(ESPHeader)
    /// AH carried by IPv4 (protocol 51); IPv6 walks AH as an extension header instead.
    case ah(AHHeader)
    /// SCTP (protocol 132).
    case sctp(SCTPHeader)
    /// A protocol the decoder does not look into; ``IPHeader/protocolID`` names it.
    case other
    /// No transport header: a non-IP frame, a non-first fragment, or IPv6 "no next header" (59).
    case absent

    /// The source and destination ports of TCP, UDP and SCTP; nil for other protocols.
    public var ports: (source: UInt16, destination: UInt16)? {
        switch self {
        case .tcp(let tcp): (tcp.sourcePort, tcp.destinationPort)
        case .udp(let udp): (udp.sourcePort, udp.destinationPort)
        case .sctp(let sctp): (sctp.sourcePort, sctp.destinationPort)
        default: nil
        }
    }

    /// Where the TCP or UDP payload lies in the frame, as the headers declare it (it may extend
    /// past the captured bytes); nil for other protocols.
    public var payloadRange: Range<Int>? {
        switch self {
        case .tcp(let tcp): tcp.payloadOffset..<(tcp.payloadOffset + tcp.payloadLength)
        case .udp(let udp): udp.payloadOffset..<(udp.payloadOffset + udp.payloadLength)
        default: nil
        }
    }
}

/// A TCP header.
public struct TCPHeader: Hashable, Sendable {
    /// The source port.
    public var sourcePort: UInt16
    /// The destination port.
    public var destinationPort: UInt16
    /// The sequence number.
    public var sequenceNumber: UInt32
    /// The acknowledgment number.
    public var acknowledgmentNumber: UInt32
    /// The control flags.
    public var flags: TCPFlags
    /// The receive window (unscaled).
    public var window: UInt16
    /// The header's length in bytes: data offset × 4, options included (20 to 60).
    public var headerLength: Int
    /// Where the payload starts in the frame.
    public var payloadOffset: Int
    /// The payload's length as the IP header declares it (it may not all be captured).
    public var payloadLength: Int
    /// The window-scale option's shift count (RFC 7323), read on SYN segments whose options
    /// were captured; nil when absent.
    public var windowScale: UInt8?

    /// Creates a TCP header.
    public init(
        sourcePort: UInt16, destinationPort: UInt16, sequenceNumber: UInt32, acknowledgmentNumber: UInt32,
        flags: TCPFlags, window: UInt16, headerLength: Int, payloadOffset: Int, payloadLength: Int,
        windowScale: UInt8? = nil
    ) {
        self.windowScale = windowScale
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.sequenceNumber = sequenceNumber
        self.acknowledgmentNumber = acknowledgmentNumber
        self.flags = flags
        self.window = window
        self.headerLength = headerLength
        self.payloadOffset = payloadOffset
        self.payloadLength = payloadLength
    }
}

/// TCP control flags, as in byte 13 of the header.
public struct TCPFlags: OptionSet, Hashable, Sendable, CustomStringConvertible {
    /// The flag bits.
    public var rawValue: UInt8

    /// Creates flags from byte 13 of a TCP header.
    @inlinable
    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    // Computed and inlinable rather than stored: the flow engine tests flags on every segment,
    // and another module reads a stored static through a call to its addressor.

    /// FIN: no more data from the sender.
    @inlinable public static var fin: TCPFlags { TCPFlags(rawValue: 0x01) }
    /// SYN: synchronise sequence numbers.
    @inlinable public static var syn: TCPFlags { TCPFlags(rawValue: 0x02) }
    /// RST: reset the connection.
    @inlinable public static var rst: TCPFlags { TCPFlags(rawValue: 0x04) }
    /// PSH: push.
    @inlinable public static var psh: TCPFlags { TCPFlags(rawValue: 0x08) }
    /// ACK: the acknowledgment number is significant.
    @inlinable public static var ack: TCPFlags { TCPFlags(rawValue: 0x10) }
    /// URG: the urgent pointer is significant.
    @inlinable public static var urg: TCPFlags { TCPFlags(rawValue: 0x20) }
    /// ECE: ECN echo.
    @inlinable public static var ece: TCPFlags { TCPFlags(rawValue: 0x40) }
    /// CWR: congestion window reduced.
    @inlinable public static var cwr: TCPFlags { TCPFlags(rawValue: 0x80) }

    /// The set flags by name, lowest bit first (`SYN|ACK`), or `none`.
    public var description: String {
        let names = ["FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"]
        let set = (0..<8).filter { rawValue & (1 << $0) != 0 }.map { names[$0] }
        return set.isEmpty ? "none" : set.joined(separator: "|")
    }
}

/// A UDP header.
public struct UDPHeader: Hashable, Sendable {
    /// The source port.
    public var sourcePort: UInt16
    /// The destination port.
    public var destinationPort: UInt16
    /// The UDP length field: header plus payload.
    public var length: Int
    /// Where the payload starts in the frame.
    public var payloadOffset: Int
    /// The payload's length, ``length`` − 8 (for a first fragment, the whole datagram's).
    public var payloadLength: Int

    /// Creates a UDP header.
    public init(sourcePort: UInt16, destinationPort: UInt16, length: Int, payloadOffset: Int, payloadLength: Int) {
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.length = length
        self.payloadOffset = payloadOffset
        self.payloadLength = payloadLength
    }
}

/// A GRE header (RFC 2784, with the RFC 2890 key and sequence number, and PPTP's version 1).
public struct GREHeader: Hashable, Sendable {
    /// The version (0 GRE, 1 enhanced GRE for PPTP).
    public var version: UInt8
    /// The EtherType of the encapsulated protocol (0x0800 IPv4, 0x880B PPP, ...).
    public var protocolType: UInt16
    /// The key (version 0 with K set) or payload length and call id (version 1); nil if absent.
    public var key: UInt32?

    /// Creates a GRE header.
    public init(version: UInt8, protocolType: UInt16, key: UInt32? = nil) {
        self.version = version
        self.protocolType = protocolType
        self.key = key
    }
}

/// An ESP header.
public struct ESPHeader: Hashable, Sendable {
    /// The security parameters index.
    public var spi: UInt32
    /// The sequence number.
    public var sequenceNumber: UInt32

    /// Creates an ESP header.
    public init(spi: UInt32, sequenceNumber: UInt32) {
        self.spi = spi
        self.sequenceNumber = sequenceNumber
    }
}

/// An authentication header carried by IPv4.
public struct AHHeader: Hashable, Sendable {
    /// The protocol that follows the AH.
    public var nextHeader: UInt8
    /// The security parameters index.
    public var spi: UInt32
    /// The sequence number.
    public var sequenceNumber: UInt32

    /// Creates an AH header.
    public init(nextHeader: UInt8, spi: UInt32, sequenceNumber: UInt32) {
        self.nextHeader = nextHeader
        self.spi = spi
        self.sequenceNumber = sequenceNumber
    }
}

/// An SCTP common header.
public struct SCTPHeader: Hashable, Sendable {
    /// The source port.
    public var sourcePort: UInt16
    /// The destination port.
    public var destinationPort: UInt16
    /// The verification tag.
    public var verificationTag: UInt32

    /// Creates an SCTP common header.
    public init(sourcePort: UInt16, destinationPort: UInt16, verificationTag: UInt32) {
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.verificationTag = verificationTag
    }
}
