public import FlowtelCore
public import Packets

/// One packet read from a capture file.
///
/// ``bytes`` points into the ``CaptureFile`` the reader holds: it is valid only while that
/// file (or the reader) lives, and must be copied to be kept longer. Producing a record
/// allocates nothing.
public struct CaptureRecord {
    /// When the packet was captured; nil for a pcapng Simple Packet Block, which has no
    /// timestamp.
    public var timestamp: Timestamp?
    /// How many bytes of the packet were captured (`bytes.count`).
    public var capturedLength: Int
    /// The packet's length on the wire (pcap `len`, pcapng original packet length).
    public var originalLength: Int
    /// The pcapng interface the packet was captured on, numbered from 0 within its section;
    /// always 0 for pcap.
    public var interfaceIndex: Int
    /// The link type of ``bytes``: the one to give ``Packets/PacketDecoder``.
    public var linkType: LinkType
    /// The captured bytes, borrowed from the capture file (see the type's documentation).
    public var bytes: UnsafeRawBufferPointer
    /// Where the record (pcap record header or pcapng block) starts in the file.
    public var offset: Int

    /// Creates a record.
    public init(
        timestamp: Timestamp?, capturedLength: Int, originalLength: Int, interfaceIndex: Int,
        linkType: LinkType, bytes: UnsafeRawBufferPointer, offset: Int
    ) {
        self.timestamp = timestamp
        self.capturedLength = capturedLength
        self.originalLength = originalLength
        self.interfaceIndex = interfaceIndex
        self.linkType = linkType
        self.bytes = bytes
        self.offset = offset
    }
}

/// What a capture reader's `next()` yields: a packet, or a record it skipped and why.
///
/// Callers count ``malformed(_:)`` entries and carry on; problems that stop reading are thrown
/// as ``CaptureFileError`` instead.
public enum CaptureEntry {
    /// A packet record.
    case packet(CaptureRecord)
    /// A record that was skipped because it is malformed; reading continues after it.
    case malformed(CaptureRecordError)
}

/// How a file's timestamps are stored: the two classic pcap variants.
public enum TimestampPrecision: Hashable, Sendable {
    /// Seconds and microseconds (magic 0xA1B2C3D4).
    case microseconds
    /// Seconds and nanoseconds (magic 0xA1B23C4D).
    case nanoseconds
}

/// The byte order a capture file (or pcapng section) was written in.
public enum ByteOrder: Hashable, Sendable {
    /// Least significant byte first.
    case littleEndian
    /// Most significant byte first.
    case bigEndian
}
