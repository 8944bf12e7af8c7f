/// Why a frame could not be decoded: a malformed or truncated header.
///
/// Thrown by ``PacketDecoder/decode(_:wireLength:)``. Each error names the first problem found
/// (its ``kind``) and where the offending header starts (``offset``, bytes from the start of the
/// frame). Creating, throwing and counting one allocates nothing, so a flood of malformed
/// packets costs no more than a flood of good ones.
///
/// Frames that are well formed but not IP (ARP, LLDP, MPLS, ...) are not errors: they decode to
/// ``Network/other(_:)``. When a capture's snapshot length cut the frame (captured length below
/// the wire length), a `truncated*` kind may be the capture's doing rather than the sender's;
/// the caller knows both lengths and may count those apart.
public struct PacketDecodeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of problem, one per counter the fault manager keeps.
    public var kind: Kind
    /// Where the header that was malformed or cut short starts, in bytes from the start of the
    /// frame.
    public var offset: Int

    /// Creates an error of `kind` for the header at `offset`.
    public init(_ kind: Kind, at offset: Int) {
        self.kind = kind
        self.offset = offset
    }

    /// "IPv4 header length below 20 bytes (IHL < 5) (header at byte 14)".
    public var description: String {
        "\(kind.explanation) (header at byte \(offset))"
    }
}

extension PacketDecodeError {
    /// A kind of malformed frame.
    ///
    /// Kinds are only added, never renumbered or removed: the fault manager keys its malformed
    /// packet counters by ``name``. ``allCases`` lists every kind this build knows.
    public struct Kind: Hashable, Sendable, CaseIterable, CustomStringConvertible {
        private enum Wrapped: UInt8, CaseIterable {
            case unsupportedLinkType
            case capturedLongerThanWire
            case truncatedLinkHeader
            case truncatedEthernet
            case vlanStackTooDeep
            case ipVersionMismatch
            case truncatedIPv4
            case ipv4HeaderLengthTooSmall
            case ipv4HeaderBeyondCapture
            case ipv4TotalLengthTooSmall
            case ipv4TotalLengthBeyondFrame
            case truncatedIPv6
            case ipv6PayloadLengthBeyondFrame
            case ipv6ExtensionChainTooLong
            case ipv6ExtensionTruncated
            case ipv6ExtensionLengthInvalid
            case ipv6HopByHopNotFirst
            case truncatedTCP
            case tcpDataOffsetTooSmall
            case tcpDataOffsetBeyondSegment
            case truncatedUDP
            case udpLengthInvalid
            case truncatedICMP
            case truncatedGRE
            case truncatedESP
            case truncatedAH
            case truncatedSCTP
        }

        private let wrapped: Wrapped

        private init(_ wrapped: Wrapped) {
            self.wrapped = wrapped
        }

        /// Every kind, in a stable order.
        public static let allCases: [Kind] = Wrapped.allCases.map(Kind.init)

        /// The decoder was created for a link type it cannot decode.
        public static let unsupportedLinkType = Kind(.unsupportedLinkType)
        /// More bytes were captured than the frame had on the wire (pcap `caplen > len`).
        public static let capturedLongerThanWire = Kind(.capturedLongerThanWire)
        /// A Linux cooked (SLL, SLL2) or BSD loopback header is cut short.
        public static let truncatedLinkHeader = Kind(.truncatedLinkHeader)
        /// An Ethernet header or one of its VLAN tags is cut short.
        public static let truncatedEthernet = Kind(.truncatedEthernet)
        /// More stacked VLAN tags than ``PacketDecoder/maximumVLANTags``.
        public static let vlanStackTooDeep = Kind(.vlanStackTooDeep)
        /// The IP version nibble disagrees with the link layer's protocol, or is neither 4 nor 6.
        public static let ipVersionMismatch = Kind(.ipVersionMismatch)
        /// Fewer than the 20 bytes of a fixed IPv4 header.
        public static let truncatedIPv4 = Kind(.truncatedIPv4)
        /// An IPv4 header length (IHL) below 5 words.
        public static let ipv4HeaderLengthTooSmall = Kind(.ipv4HeaderLengthTooSmall)
        /// An IPv4 header (IHL × 4, options included) longer than the captured bytes.
        public static let ipv4HeaderBeyondCapture = Kind(.ipv4HeaderBeyondCapture)
        /// An IPv4 total length smaller than its own header.
        public static let ipv4TotalLengthTooSmall = Kind(.ipv4TotalLengthTooSmall)
        /// An IPv4 total length beyond the end of a completely captured frame.
        public static let ipv4TotalLengthBeyondFrame = Kind(.ipv4TotalLengthBeyondFrame)
        /// Fewer than the 40 bytes of a fixed IPv6 header.
        public static let truncatedIPv6 = Kind(.truncatedIPv6)
        /// An IPv6 payload length beyond the end of a completely captured frame.
        public static let ipv6PayloadLengthBeyondFrame = Kind(.ipv6PayloadLengthBeyondFrame)
        /// More IPv6 extension headers than ``PacketDecoder/maximumIPv6ExtensionHeaders``.
        public static let ipv6ExtensionChainTooLong = Kind(.ipv6ExtensionChainTooLong)
        /// An IPv6 extension header runs past the payload length or the captured bytes.
        public static let ipv6ExtensionTruncated = Kind(.ipv6ExtensionTruncated)
        /// An IPv6 extension header's length field is impossible (an AH shorter than its fixed
        /// 12 bytes).
        public static let ipv6ExtensionLengthInvalid = Kind(.ipv6ExtensionLengthInvalid)
        /// A Hop-by-Hop Options header anywhere but first (RFC 8200 §4.1), the shape of a
        /// looping chain.
        public static let ipv6HopByHopNotFirst = Kind(.ipv6HopByHopNotFirst)
        /// Fewer than the 20 bytes of a fixed TCP header.
        public static let truncatedTCP = Kind(.truncatedTCP)
        /// A TCP data offset below 5 words.
        public static let tcpDataOffsetTooSmall = Kind(.tcpDataOffsetTooSmall)
        /// A TCP header (data offset × 4) longer than the segment the IP header declares.
        public static let tcpDataOffsetBeyondSegment = Kind(.tcpDataOffsetBeyondSegment)
        /// Fewer than the 8 bytes of a UDP header.
        public static let truncatedUDP = Kind(.truncatedUDP)
        /// A UDP length below 8 or beyond the datagram the IP header declares.
        public static let udpLengthInvalid = Kind(.udpLengthInvalid)
        /// An ICMP or ICMPv6 message shorter than its fixed header.
        public static let truncatedICMP = Kind(.truncatedICMP)
        /// A GRE header shorter than its flags say.
        public static let truncatedGRE = Kind(.truncatedGRE)
        /// Fewer than the 8 bytes of an ESP header (SPI, sequence number).
        public static let truncatedESP = Kind(.truncatedESP)
        /// An IPv4 AH header shorter than 12 bytes or than its length field.
        public static let truncatedAH = Kind(.truncatedAH)
        /// Fewer than the 12 bytes of an SCTP common header.
        public static let truncatedSCTP = Kind(.truncatedSCTP)

        /// A stable identifier for counters and logs: `truncatedIPv4`.
        public var name: String {
            switch wrapped {
            case .unsupportedLinkType: "unsupportedLinkType"
            case .capturedLongerThanWire: "capturedLongerThanWire"
            case .truncatedLinkHeader: "truncatedLinkHeader"
            case .truncatedEthernet: "truncatedEthernet"
            case .vlanStackTooDeep: "vlanStackTooDeep"
            case .ipVersionMismatch: "ipVersionMismatch"
            case .truncatedIPv4: "truncatedIPv4"
            case .ipv4HeaderLengthTooSmall: "ipv4HeaderLengthTooSmall"
            case .ipv4HeaderBeyondCapture: "ipv4HeaderBeyondCapture"
            case .ipv4TotalLengthTooSmall: "ipv4TotalLengthTooSmall"
            case .ipv4TotalLengthBeyondFrame: "ipv4TotalLengthBeyondFrame"
            case .truncatedIPv6: "truncatedIPv6"
            case .ipv6PayloadLengthBeyondFrame: "ipv6PayloadLengthBeyondFrame"
            case .ipv6ExtensionChainTooLong: "ipv6ExtensionChainTooLong"
            case .ipv6ExtensionTruncated: "ipv6ExtensionTruncated"
            case .ipv6ExtensionLengthInvalid: "ipv6ExtensionLengthInvalid"
            case .ipv6HopByHopNotFirst: "ipv6HopByHopNotFirst"
            case .truncatedTCP: "truncatedTCP"
            case .tcpDataOffsetTooSmall: "tcpDataOffsetTooSmall"
            case .tcpDataOffsetBeyondSegment: "tcpDataOffsetBeyondSegment"
            case .truncatedUDP: "truncatedUDP"
            case .udpLengthInvalid: "udpLengthInvalid"
            case .truncatedICMP: "truncatedICMP"
            case .truncatedGRE: "truncatedGRE"
            case .truncatedESP: "truncatedESP"
            case .truncatedAH: "truncatedAH"
            case .truncatedSCTP: "truncatedSCTP"
            }
        }

        /// What was wrong, in a sentence fragment for logs.
        public var explanation: String {
            switch wrapped {
            case .unsupportedLinkType: "link type not supported by the packet decoder"
            case .capturedLongerThanWire: "captured length exceeds the on-wire length"
            case .truncatedLinkHeader: "link-layer header cut short"
            case .truncatedEthernet: "Ethernet header or VLAN tag cut short"
            case .vlanStackTooDeep: "more than \(PacketDecoder.maximumVLANTags) stacked VLAN tags"
            case .ipVersionMismatch: "IP version does not match the link layer's protocol"
            case .truncatedIPv4: "IPv4 header shorter than 20 bytes"
            case .ipv4HeaderLengthTooSmall: "IPv4 header length below 20 bytes (IHL < 5)"
            case .ipv4HeaderBeyondCapture: "IPv4 header length (IHL x 4) beyond the captured bytes"
            case .ipv4TotalLengthTooSmall: "IPv4 total length smaller than the IPv4 header"
            case .ipv4TotalLengthBeyondFrame: "IPv4 total length beyond the end of the frame"
            case .truncatedIPv6: "IPv6 header shorter than 40 bytes"
            case .ipv6PayloadLengthBeyondFrame: "IPv6 payload length beyond the end of the frame"
            case .ipv6ExtensionChainTooLong:
                "more than \(PacketDecoder.maximumIPv6ExtensionHeaders) IPv6 extension headers"
            case .ipv6ExtensionTruncated: "IPv6 extension header cut short"
            case .ipv6ExtensionLengthInvalid: "IPv6 extension header length field invalid"
            case .ipv6HopByHopNotFirst: "IPv6 Hop-by-Hop Options header not first in the chain"
            case .truncatedTCP: "TCP header shorter than 20 bytes"
            case .tcpDataOffsetTooSmall: "TCP data offset below 20 bytes (< 5)"
            case .tcpDataOffsetBeyondSegment: "TCP data offset beyond the end of the segment"
            case .truncatedUDP: "UDP header shorter than 8 bytes"
            case .udpLengthInvalid: "UDP length below 8 or beyond the IP payload"
            case .truncatedICMP: "ICMP message shorter than its header"
            case .truncatedGRE: "GRE header cut short"
            case .truncatedESP: "ESP header shorter than 8 bytes"
            case .truncatedAH: "AH header cut short"
            case .truncatedSCTP: "SCTP common header shorter than 12 bytes"
            }
        }

        /// The ``name``.
        public var description: String { name }
    }
}
