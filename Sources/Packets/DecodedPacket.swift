/// One decoded frame: its link, network and transport headers as plain values.
///
/// A decoded packet is a view over the frame's bytes that holds no reference to them: header
/// fields are copied out as scalars and everything else (options, payloads) is recorded as an
/// offset and a length into the frame. Decoding therefore allocates nothing, the result is
/// `Sendable` and outlives the buffer it was decoded from, and reading the bytes it points at
/// is the caller's business: use ``payload(in:)`` (or the offsets) with **the same buffer**
/// that was decoded, while it is still alive. Offsets are bytes from the start of the frame.
public struct DecodedPacket: Hashable, Sendable {
    /// The link-layer header.
    public var link: LinkHeader
    /// The network layer: IP, or another protocol the decoder skips.
    public var network: Network
    /// The transport header; ``Transport/absent`` for non-IP frames.
    public var transport: Transport
    /// The bytes captured (pcap `caplen`).
    public var capturedLength: Int
    /// The frame's length on the wire (pcap `len`); equal to ``capturedLength`` unless the
    /// capture was cut by a snapshot length.
    public var wireLength: Int

    /// Creates a decoded packet; the decoder is the usual source of these.
    public init(
        link: LinkHeader, network: Network, transport: Transport, capturedLength: Int, wireLength: Int
    ) {
        self.link = link
        self.network = network
        self.transport = transport
        self.capturedLength = capturedLength
        self.wireLength = wireLength
    }

    /// True when the capture holds fewer bytes than the wire carried (snapshot length).
    public var isTruncatedByCapture: Bool { capturedLength < wireLength }

    /// The IP header, or nil for a non-IP frame.
    public var ip: IPHeader? {
        if case .ip(let header) = network { header } else { nil }
    }

    /// The transport payload's captured bytes, sliced from `frame`, which must be the buffer
    /// this packet was decoded from (and still alive). Empty when there is no payload or it was
    /// not captured.
    public func payload(in frame: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        guard let range = transport.payloadRange else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        let start = min(range.lowerBound, frame.count)
        let end = min(range.upperBound, frame.count)
        return UnsafeRawBufferPointer(rebasing: frame[start..<end])
    }
}

/// The link-layer header of a decoded frame.
public struct LinkHeader: Hashable, Sendable {
    /// The capture's link type.
    public var linkType: LinkType
    /// The link header's length, VLAN tags included: where the network layer starts.
    public var headerLength: Int
    /// The EtherType after any VLAN tags (Ethernet, Linux cooked); nil for raw IP and loopback.
    public var etherType: UInt16?
    /// The VLAN tags, or nil for an untagged frame.
    public var vlan: VLANStack?
    /// The Linux cooked-capture packet type (0 to us, 1 broadcast, 2 multicast, 3 to another
    /// host, 4 sent by us); nil for other link types.
    public var linuxPacketType: UInt16?
    /// The capturing interface's index (Linux cooked capture v2 only).
    public var interfaceIndex: UInt32?

    /// Creates a link header.
    public init(
        linkType: LinkType, headerLength: Int, etherType: UInt16? = nil, vlan: VLANStack? = nil,
        linuxPacketType: UInt16? = nil, interfaceIndex: UInt32? = nil
    ) {
        self.linkType = linkType
        self.headerLength = headerLength
        self.etherType = etherType
        self.vlan = vlan
        self.linuxPacketType = linuxPacketType
        self.interfaceIndex = interfaceIndex
    }
}

/// The 802.1Q / 802.1ad tags of a frame: how many, and the outermost and innermost VLAN ids.
///
/// The VLAN id selects the logical interface unit (`ge-0/0/1.100`). With one tag ``outer`` and
/// ``inner`` are the same id.
public struct VLANStack: Hashable, Sendable {
    /// How many tags (1 to ``PacketDecoder/maximumVLANTags``).
    public var count: Int
    /// The outermost tag's VLAN id (12 bits).
    public var outer: UInt16
    /// The innermost tag's VLAN id (12 bits).
    public var inner: UInt16

    /// Creates a tag stack summary.
    public init(count: Int, outer: UInt16, inner: UInt16) {
        self.count = count
        self.outer = outer
        self.inner = inner
    }
}

/// The network layer of a decoded frame.
public enum Network: Hashable, Sendable {
    /// IPv4 or IPv6.
    case ip(IPHeader)
    /// A well-formed frame of a protocol the flow engine does not process (ARP, LLDP, MPLS,
    /// 802.3/LLC, ...). Not an error: such frames are skipped, not counted as malformed.
    case other(NonIPProtocol)
}

/// What a non-IP frame carries, as its link layer names it.
public enum NonIPProtocol: Hashable, Sendable {
    /// An EtherType (Ethernet, Linux cooked). Values up to 1500 are 802.3 length fields
    /// (LLC frames such as STP), reported as they are.
    case etherType(UInt16)
    /// A BSD loopback address family other than IPv4 and IPv6.
    case addressFamily(UInt32)
}
