import FlowtelCore
public import Packets

/// Reads a classic pcap file: either byte order, microsecond or nanosecond timestamps.
///
/// ```swift
/// var reader = try PcapReader(file: CaptureFile.open(path: "trace.pcap"))
/// while let entry = try reader.next() {
///     switch entry {
///     case .packet(let record): handle(record)
///     case .malformed(let error): malformedCounter[error.kind.name, default: 0] += 1
///     }
/// }
/// ```
///
/// Reading allocates nothing per record: each ``CaptureRecord`` borrows its bytes from
/// ``file``. A reader is a value with a cursor; copies read independently.
public struct PcapReader {
    /// The pcap file header (24 bytes).
    public struct Header: Hashable, Sendable {
        /// The byte order the file was written in.
        public var byteOrder: ByteOrder
        /// Microsecond or nanosecond timestamps.
        public var precision: TimestampPrecision
        /// The format version (2.4 for every current writer).
        public var versionMajor: UInt16
        /// The format's minor version.
        public var versionMinor: UInt16
        /// The snapshot length; 0 means unlimited.
        public var snapLength: UInt32
        /// The link type: the low 16 bits of the header's link-type field (the FCS bits above
        /// them are ignored).
        public var linkType: LinkType
    }

    /// The size of the file header.
    public static let headerLength = 24
    /// The size of a record header.
    public static let recordHeaderLength = 16

    /// The file read.
    public let file: CaptureFile
    /// The file header.
    public let header: Header

    private let reader: FileBytes
    private var offset: Int
    private var finished = false
    private var mappedAhead = MappedAhead()
    /// Where ``FileBytes/prefetchStream(from:to:)`` has got to.
    private var streamed = 0

    /// Reads the file header of `file`.
    ///
    /// - Throws: ``CaptureFileError`` of kind ``CaptureFileError/Kind/truncatedFileHeader``,
    ///   ``CaptureFileError/Kind/unknownFormat`` or ``CaptureFileError/Kind/unsupportedVersion``.
    public init(file: CaptureFile) throws(CaptureFileError) {
        var reader = FileBytes(bytes: file.bytes, order: .littleEndian)
        guard let magic = reader.leadingMagic else { throw CaptureFileError(.truncatedFileHeader, at: 0) }
        let byteOrder: ByteOrder
        let precision: TimestampPrecision
        switch magic {
        case 0xA1B2_C3D4: (byteOrder, precision) = (.bigEndian, .microseconds)
        case 0xD4C3_B2A1: (byteOrder, precision) = (.littleEndian, .microseconds)
        case 0xA1B2_3C4D: (byteOrder, precision) = (.bigEndian, .nanoseconds)
        case 0x4D3C_B2A1: (byteOrder, precision) = (.littleEndian, .nanoseconds)
        default: throw CaptureFileError(.unknownFormat, at: 0)
        }
        guard reader.count >= Self.headerLength else { throw CaptureFileError(.truncatedFileHeader, at: 0) }
        reader.order = byteOrder
        let header = Header(
            byteOrder: byteOrder, precision: precision, versionMajor: reader.u16(4), versionMinor: reader.u16(6),
            snapLength: reader.u32(16), linkType: LinkType(rawValue: reader.u32(20) & 0xFFFF))
        guard header.versionMajor == 2 else { throw CaptureFileError(.unsupportedVersion, at: 4) }
        self.file = file
        self.header = header
        self.reader = reader
        self.offset = Self.headerLength
    }

    /// The next record, a malformed record skipped, or nil at the end of the file.
    ///
    /// A record whose captured length exceeds the snapshot length (when that is not 0) or its
    /// original length is yielded as ``CaptureEntry/malformed(_:)`` and skipped.
    ///
    /// - Throws: ``CaptureFileError`` of kind ``CaptureFileError/Kind/truncatedRecordHeader``
    ///   or ``CaptureFileError/Kind/recordPastEndOfFile``; the reader is then finished.
    public mutating func next() throws(CaptureFileError) -> CaptureEntry? {
        guard !finished else { return nil }
        let start = offset
        let remaining = reader.count - start
        guard remaining > 0 else {
            finished = true
            return nil
        }
        guard remaining >= Self.recordHeaderLength else {
            finished = true
            throw CaptureFileError(.truncatedRecordHeader, at: start)
        }
        let seconds = UInt64(reader.u32(start))
        let fraction = UInt64(reader.u32(start + 4))
        let captured = Int(reader.u32(start + 8))
        let original = Int(reader.u32(start + 12))
        guard captured <= remaining - Self.recordHeaderLength else {
            finished = true
            throw CaptureFileError(.recordPastEndOfFile, at: start)
        }
        offset = start + Self.recordHeaderLength + captured
        // The next record's header and the first bytes of its packet, while this one is used.
        reader.prefetch(offset, lines: 2)
        mappedAhead.advance(to: offset, in: file)
        reader.prefetchStream(from: &streamed, to: offset + FileBytes.streamDistance)
        if header.snapLength != 0 && captured > Int(header.snapLength) {
            return .malformed(CaptureRecordError(.capturedLongerThanSnapLength, at: start))
        }
        guard captured <= original else {
            return .malformed(CaptureRecordError(.capturedLongerThanOriginal, at: start))
        }
        // Cannot overflow: (2^32 - 1) * 10^9 + (2^32 - 1) * 1000 < 2^64.
        let nanos = seconds * 1_000_000_000 + (header.precision == .microseconds ? fraction * 1000 : fraction)
        return .packet(
            CaptureRecord(
                timestamp: Timestamp(unixNanos: nanos), capturedLength: captured, originalLength: original,
                interfaceIndex: 0, linkType: header.linkType,
                bytes: reader.slice(start + Self.recordHeaderLength, captured), offset: start))
    }
}
