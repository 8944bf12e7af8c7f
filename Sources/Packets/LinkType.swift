/// A capture's link-layer header type: the `LINKTYPE_*` number a pcap or pcapng file records.
///
/// Any number can be represented (a file may hold anything); ``PacketDecoder`` decodes the
/// ``supported`` ones and reports every other as ``PacketDecodeError/Kind/unsupportedLinkType``.
public struct LinkType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The `LINKTYPE_*` number.
    public var rawValue: UInt32

    /// Creates a link type from its `LINKTYPE_*` number.
    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// BSD loopback (`LINKTYPE_NULL`, 0): a 4-byte address family in the capturing host's byte
    /// order.
    public static let null = LinkType(rawValue: 0)
    /// Ethernet (`LINKTYPE_ETHERNET`, 1).
    public static let ethernet = LinkType(rawValue: 1)
    /// Raw IP as `DLT_RAW` is numbered on most systems (12); version from the first nibble.
    public static let rawDLT12 = LinkType(rawValue: 12)
    /// Raw IP as `DLT_RAW` is numbered on OpenBSD (14); version from the first nibble.
    public static let rawDLT14 = LinkType(rawValue: 14)
    /// Raw IP (`LINKTYPE_RAW`, 101); version from the first nibble.
    public static let raw = LinkType(rawValue: 101)
    /// OpenBSD loopback (`LINKTYPE_LOOP`, 108): as ``null`` with the family in network order.
    public static let loop = LinkType(rawValue: 108)
    /// Linux cooked capture v1 (`LINKTYPE_LINUX_SLL`, 113), 16-byte header.
    public static let linuxSLL = LinkType(rawValue: 113)
    /// Raw IPv4 (`LINKTYPE_IPV4`, 228).
    public static let ipv4 = LinkType(rawValue: 228)
    /// Raw IPv6 (`LINKTYPE_IPV6`, 229).
    public static let ipv6 = LinkType(rawValue: 229)
    /// Linux cooked capture v2 (`LINKTYPE_LINUX_SLL2`, 276), 20-byte header.
    public static let linuxSLL2 = LinkType(rawValue: 276)

    /// The link types ``PacketDecoder`` decodes.
    public static let supported: [LinkType] = [
        .null, .ethernet, .rawDLT12, .rawDLT14, .raw, .loop, .linuxSLL, .ipv4, .ipv6, .linuxSLL2,
    ]

    /// True when ``PacketDecoder`` decodes this link type.
    public var isSupported: Bool { Self.supported.contains(self) }

    /// The `LINKTYPE_*` name (`ETHERNET`), or the number for link types not decoded here.
    public var description: String {
        switch rawValue {
        case 0: "NULL"
        case 1: "ETHERNET"
        case 12, 14, 101: "RAW"
        case 108: "LOOP"
        case 113: "LINUX_SLL"
        case 228: "IPV4"
        case 229: "IPV6"
        case 276: "LINUX_SLL2"
        default: "LINKTYPE \(rawValue)"
        }
    }
}

extension LinkType {
    /// The `LINKTYPE_*` numbers as integer literals, for `switch` statements on the hot path.
    enum Number {
        static let null: UInt32 = 0
        static let ethernet: UInt32 = 1
        static let rawDLT12: UInt32 = 12
        static let rawDLT14: UInt32 = 14
        static let raw: UInt32 = 101
        static let loop: UInt32 = 108
        static let linuxSLL: UInt32 = 113
        static let ipv4: UInt32 = 228
        static let ipv6: UInt32 = 229
        static let linuxSLL2: UInt32 = 276
    }
}
