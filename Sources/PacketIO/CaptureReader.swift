/// Reads a pcap or pcapng file, whichever it is: the entry point for replaying captures.
///
/// ```swift
/// var reader = try CaptureReader.open(path: "trace.pcapng")
/// while let entry = try reader.next() {
///     guard case .packet(let record) = entry else { malformed += 1; continue }
///     let packet = try PacketDecoder(linkType: record.linkType).decode(record.bytes, wireLength: record.originalLength)
/// }
/// ```
///
/// Records borrow their bytes from the memory-mapped file the reader holds: they are valid
/// while the reader (or its ``file``) lives. See ``PcapReader`` and ``PcapNGReader`` for what
/// is thrown and what is yielded as ``CaptureEntry/malformed(_:)``.
public struct CaptureReader {
    /// A capture file format.
    public enum Format: Hashable, Sendable {
        /// Classic pcap.
        case pcap
        /// pcapng.
        case pcapng

        /// The format announced by a file's first 4 bytes, or nil when they announce neither.
        public static func detect(_ bytes: UnsafeRawBufferPointer) -> Format? {
            guard let magic = FileBytes(bytes: bytes, order: .bigEndian).leadingMagic else { return nil }
            switch magic {
            case 0xA1B2_C3D4, 0xD4C3_B2A1, 0xA1B2_3C4D, 0x4D3C_B2A1: return .pcap
            case PcapNGReader.sectionHeaderType: return .pcapng
            default: return nil
            }
        }
    }

    // Two optionals rather than an enum with payloads: optional chaining mutates a reader in
    // place, where taking it out of an enum would copy its interface table on every record.
    private var pcap: PcapReader?
    private var pcapng: PcapNGReader?

    /// The file read.
    public let file: CaptureFile

    /// The file's format.
    public var format: Format { pcap != nil ? .pcap : .pcapng }

    /// The pcap reader, when the file is pcap (its header holds the link type and snaplen).
    public var pcapReader: PcapReader? { pcap }
    /// The pcapng reader, when the file is pcapng (it holds the current section's interfaces).
    public var pcapNGReader: PcapNGReader? { pcapng }

    /// Maps the file at `path` and reads its header.
    ///
    /// - Throws: ``CaptureFileError``: opening or mapping failed, the format is unknown, or the
    ///   file header is malformed.
    public static func open(path: String) throws(CaptureFileError) -> CaptureReader {
        try CaptureReader(file: CaptureFile.open(path: path))
    }

    /// Detects the format of `file` and reads its header.
    ///
    /// - Throws: ``CaptureFileError``: ``CaptureFileError/Kind/truncatedFileHeader`` for fewer
    ///   than 4 bytes, ``CaptureFileError/Kind/unknownFormat``, or a malformed file header.
    public init(file: CaptureFile) throws(CaptureFileError) {
        guard file.bytes.count >= 4 else { throw CaptureFileError(.truncatedFileHeader, at: 0) }
        switch Format.detect(file.bytes) {
        case .pcap: pcap = try PcapReader(file: file)
        case .pcapng: pcapng = try PcapNGReader(file: file)
        case nil: throw CaptureFileError(.unknownFormat, at: 0)
        }
        self.file = file
    }

    /// The next packet, a malformed record skipped, or nil at the end of the file.
    ///
    /// - Throws: ``CaptureFileError`` when the file's structure is broken; the reader is then
    ///   finished.
    public mutating func next() throws(CaptureFileError) -> CaptureEntry? {
        if pcap != nil { return try pcap?.next() }
        return try pcapng?.next()
    }
}
