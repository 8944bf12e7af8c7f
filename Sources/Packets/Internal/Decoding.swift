/// One frame being decoded: its bytes and whether all of them were captured.
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
