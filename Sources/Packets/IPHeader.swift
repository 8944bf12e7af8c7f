public import FlowtelCore

/// An IPv4 or IPv6 header, IPv6 extension headers included.
public struct IPHeader: Hashable, Sendable {
    /// 4 or 6.
    public var version: IPVersion
    /// Where the IP header starts in the frame.
    public var offset: Int
    /// The header's length: IHL × 4 for IPv4 (options included), 40 plus the extension headers
    /// walked for IPv6. The transport header starts at ``transportOffset``.
    public var headerLength: Int
    /// The packet's length as its header declares it (IPv4 total length; IPv6 40 + payload
    /// length): the byte count for session counters. May exceed what was captured.
    public var totalLength: Int
    /// The source address.
    public var source: IPAddress
    /// The destination address.
    public var destination: IPAddress
    /// The upper-layer protocol: IPv4's protocol field, or the IPv6 next header that follows
    /// the last extension header walked (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, ...).
    public var protocolID: UInt8
    /// IPv4 time to live or IPv6 hop limit.
    public var ttl: UInt8
    /// The differentiated services code point (6 bits).
    public var dscp: UInt8
    /// The explicit congestion notification bits (2 bits).
    public var ecn: UInt8
    /// The IPv6 flow label (20 bits); 0 for IPv4.
    public var flowLabel: UInt32
    /// IPv4's identification field; for IPv6, the fragment header's identification, or 0.
    public var identification: UInt32
    /// IPv4's don't-fragment flag; false for IPv6.
    public var dontFragment: Bool
    /// Fragment offset and more-fragments flag, when this packet is a fragment (IPv4 with a
    /// nonzero offset or MF set; IPv6 with a fragment header, atomic fragments included).
    public var fragment: IPFragment?
    /// How many IPv6 extension headers were walked; 0 for IPv4.
    public var extensionHeaderCount: Int

    /// Creates an IP header; the decoder is the usual source of these.
    public init(
        version: IPVersion, offset: Int, headerLength: Int, totalLength: Int,
        source: IPAddress, destination: IPAddress, protocolID: UInt8, ttl: UInt8,
        dscp: UInt8 = 0, ecn: UInt8 = 0, flowLabel: UInt32 = 0, identification: UInt32 = 0,
        dontFragment: Bool = false, fragment: IPFragment? = nil, extensionHeaderCount: Int = 0
    ) {
        self.version = version
        self.offset = offset
        self.headerLength = headerLength
        self.totalLength = totalLength
        self.source = source
        self.destination = destination
        self.protocolID = protocolID
        self.ttl = ttl
        self.dscp = dscp
        self.ecn = ecn
        self.flowLabel = flowLabel
        self.identification = identification
        self.dontFragment = dontFragment
        self.fragment = fragment
        self.extensionHeaderCount = extensionHeaderCount
    }

    /// Where the transport header starts in the frame.
    public var transportOffset: Int { offset + headerLength }

    /// The transport header and payload's length as the IP header declares it.
    public var transportLength: Int { totalLength - headerLength }

    /// True for a fragment whose offset is not 0: it carries no transport header.
    public var isNonFirstFragment: Bool { (fragment?.offset ?? 0) != 0 }
}

/// The IP version.
public enum IPVersion: UInt8, Hashable, Sendable {
    /// IPv4.
    case v4 = 4
    /// IPv6.
    case v6 = 6
}

/// The fragmentation fields of a fragment.
public struct IPFragment: Hashable, Sendable {
    /// The fragment's offset in the original packet's payload, in bytes (a multiple of 8).
    public var offset: Int
    /// The more-fragments flag: false on the last fragment.
    public var moreFragments: Bool

    /// Creates fragment fields.
    public init(offset: Int, moreFragments: Bool) {
        self.offset = offset
        self.moreFragments = moreFragments
    }

    /// True for the first fragment, the one that carries the transport header.
    public var isFirst: Bool { offset == 0 }
}
