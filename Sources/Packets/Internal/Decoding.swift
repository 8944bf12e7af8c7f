/// One frame being decoded: its bytes and whether all of them were captured.
///
/// The decoders of the common path (link, VLAN tags, IPv4, IPv6, TCP, UDP) are
/// `@inline(__always)`: inlined into ``PacketDecoder/decode(_:wireLength:)``, their headers are
/// built in registers and the ``DecodedPacket`` in place. Called, each returned its header
/// through memory and the caller copied it on with wider loads than the stores that wrote
/// it, which stalled the CPU (store forwarding) for longer than the decoding itself took.
/// The rare protocols stay out of line to keep that one function small.
struct Decoding {
    let bytes: FrameBytes
    /// True when the capture holds the whole frame, so IP lengths past its end are malformed
    /// rather than cut by the snapshot length.
    let isComplete: Bool
}

/// What the link layer says follows it.
enum NetworkKind {
    case ipv4
    case ipv6
    case other(NonIPProtocol)
}

/// The transport bytes of an IP packet: where they start, where the IP header says they end,
/// and where the capture ends (never past the declared end, so an Ethernet trailer is not
/// mistaken for payload).
struct Segment {
    let start: Int
    let declaredEnd: Int
    let capturedEnd: Int

    /// The transport length the IP header declares.
    var declaredLength: Int { declaredEnd - start }

    /// True when `length` bytes from the start are both declared and captured.
    func holds(_ length: Int) -> Bool {
        length <= declaredEnd - start && length <= capturedEnd - start
    }
}
