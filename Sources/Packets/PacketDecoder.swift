/// Decodes captured frames of one link type into ``DecodedPacket`` values.
///
/// The decoder is pure: no I/O, no clock, no shared state, so one value can be used from any
/// number of threads. Decoding a frame allocates nothing and reads every byte through a bounds
/// check; any input, however malformed, either decodes or throws a ``PacketDecodeError``, in
/// time bounded by the frame's length (VLAN tags and IPv6 extension headers are walked at most
/// ``maximumVLANTags`` and ``maximumIPv6ExtensionHeaders`` times).
///
/// Frames of a protocol other than IP are not errors: they decode to ``Network/other(_:)`` and
/// the flow engine skips them.
///
/// ```swift
/// let decoder = PacketDecoder(linkType: .ethernet)
/// let packet = try decoder.decode(capturedBytes, wireLength: Int(record.originalLength))
/// if case .tcp(let tcp) = packet.transport, tcp.flags.contains(.syn) { ... }
/// ```
public struct PacketDecoder: Sendable {
    /// The deepest stack of 802.1Q / 802.1ad tags decoded; a deeper stack is
    /// ``PacketDecodeError/Kind/vlanStackTooDeep``.
    public static let maximumVLANTags = 4
    /// The longest chain of IPv6 extension headers walked; a longer one is
    /// ``PacketDecodeError/Kind/ipv6ExtensionChainTooLong``.
    public static let maximumIPv6ExtensionHeaders = 8

    /// The link type of the frames this decoder reads.
    public let linkType: LinkType

    /// Creates a decoder for frames of `linkType` (usually a pcap file's or pcapng interface's
    /// link type). Unsupported link types are reported when a frame is decoded.
    public init(linkType: LinkType) {
        self.linkType = linkType
    }

    /// Decodes one captured frame.
    ///
    /// - Parameters:
    ///   - frame: the captured bytes (pcap `caplen` of them). Only read during the call; the
    ///     result holds offsets into it, not a reference to it.
    ///   - wireLength: the frame's length on the wire (pcap `len`), or nil when the whole frame
    ///     was captured. When it exceeds the captured length the frame was cut by a snapshot
    ///     length, and IP lengths pointing past the capture are accepted; otherwise they are
    ///     malformed.
    /// - Returns: the decoded headers.
    /// - Throws: ``PacketDecodeError`` naming the first malformed or truncated header.
    public func decode(
        _ frame: UnsafeRawBufferPointer, wireLength: Int? = nil
    ) throws(PacketDecodeError) -> DecodedPacket {
        let wireLength = wireLength ?? frame.count
        guard frame.count <= wireLength else { throw PacketDecodeError(.capturedLongerThanWire, at: 0) }
        let decoding = Decoding(bytes: FrameBytes(frame), isComplete: frame.count == wireLength)
        let (link, kind) = try decoding.decodeLink(linkType)
        let header: IPHeader
        let segment: Segment
        switch kind {
        case .ipv4:
            (header, segment) = try decoding.decodeIPv4(at: link.headerLength)
        case .ipv6:
            (header, segment) = try decoding.decodeIPv6(at: link.headerLength)
        case .other(let other):
            return DecodedPacket(
                link: link, network: .other(other), transport: .absent, capturedLength: frame.count,
                wireLength: wireLength)
        }
        return DecodedPacket(
            link: link, network: .ip(header), transport: try decoding.decodeTransport(of: header, in: segment),
            capturedLength: frame.count, wireLength: wireLength)
    }

    /// Decodes one captured frame held in an array; see ``decode(_:wireLength:)``.
    public func decode(_ frame: [UInt8], wireLength: Int? = nil) throws(PacketDecodeError) -> DecodedPacket {
        let result = frame.withUnsafeBytes { bytes in
            Result { () throws(PacketDecodeError) -> DecodedPacket in try decode(bytes, wireLength: wireLength) }
        }
        return try result.get()
    }
}
