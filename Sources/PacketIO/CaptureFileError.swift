/// Why a capture file cannot be read (or written) any further: the file-level errors.
///
/// Thrown when opening a file, reading its header, or from a reader's `next()` when the file's
/// structure is broken beyond recovery (a record or block whose length points past the end of
/// the file, a cut-short header, a pcapng block length that makes the next block unfindable).
/// After a reader throws one, it is finished: its `next()` returns nil.
///
/// Problems confined to one record, after which reading continues, are not thrown: the reader
/// yields them as ``CaptureEntry/malformed(_:)`` with a ``CaptureRecordError``.
public struct CaptureFileError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of problem.
    public var kind: Kind
    /// Where the offending header, record or block starts, in bytes from the start of the file
    /// (0 for errors opening or writing a file).
    public var offset: Int
    /// The `errno` of the failed system call, for ``Kind/openFailed``, ``Kind/mapFailed`` and
    /// ``Kind/writeFailed``; nil otherwise.
    public var systemError: Int32?

    /// Creates an error of `kind` for the structure at `offset`.
    public init(_ kind: Kind, at offset: Int, systemError: Int32? = nil) {
        self.kind = kind
        self.offset = offset
        self.systemError = systemError
    }

    /// "pcapng block length not a multiple of 4 (at byte 28)".
    public var description: String {
        var text = "\(kind.explanation) (at byte \(offset))"
        if let systemError { text += " (errno \(systemError))" }
        return text
    }
}

extension CaptureFileError {
    /// A kind of file-level problem.
    ///
    /// Kinds are only added, never removed: counters and logs key them by ``name``.
    public struct Kind: Hashable, Sendable, CaseIterable, CustomStringConvertible {
        private enum Wrapped: UInt8, CaseIterable {
            case openFailed
            case mapFailed
            case writeFailed
            case unknownFormat
            case truncatedFileHeader
            case unsupportedVersion
            case truncatedRecordHeader
            case recordPastEndOfFile
            case truncatedBlockHeader
            case blockLengthTooSmall
            case blockLengthMisaligned
            case blockPastEndOfFile
            case trailingLengthMismatch
            case invalidByteOrderMagic
            case timestampNotRepresentable
        }

        private let wrapped: Wrapped

        private init(_ wrapped: Wrapped) {
            self.wrapped = wrapped
        }

        /// Every kind, in a stable order.
        public static let allCases: [Kind] = Wrapped.allCases.map(Kind.init)

        /// `open(2)` failed (``CaptureFileError/systemError`` says why).
        public static let openFailed = Kind(.openFailed)
        /// `fstat(2)` or `mmap(2)` failed, or the path is not a regular file.
        public static let mapFailed = Kind(.mapFailed)
        /// `write(2)` failed while a ``PcapWriter`` flushed.
        public static let writeFailed = Kind(.writeFailed)
        /// The first 4 bytes are neither a pcap magic number nor a pcapng Section Header Block.
        public static let unknownFormat = Kind(.unknownFormat)
        /// The file ends inside its pcap file header (24 bytes) or before its first 4 bytes.
        public static let truncatedFileHeader = Kind(.truncatedFileHeader)
        /// A pcap major version other than 2, or a pcapng section major version other than 1.
        public static let unsupportedVersion = Kind(.unsupportedVersion)
        /// The file ends inside a pcap record header (16 bytes).
        public static let truncatedRecordHeader = Kind(.truncatedRecordHeader)
        /// A pcap record's captured length points past the end of the file.
        public static let recordPastEndOfFile = Kind(.recordPastEndOfFile)
        /// The file ends inside a pcapng block's type and length (8 bytes), or a Section Header
        /// Block is cut before its byte-order magic.
        public static let truncatedBlockHeader = Kind(.truncatedBlockHeader)
        /// A pcapng block's total length is below 12 bytes (28 for a Section Header Block).
        public static let blockLengthTooSmall = Kind(.blockLengthTooSmall)
        /// A pcapng block's total length is not a multiple of 4.
        public static let blockLengthMisaligned = Kind(.blockLengthMisaligned)
        /// A pcapng block's total length points past the end of the file.
        public static let blockPastEndOfFile = Kind(.blockPastEndOfFile)
        /// A pcapng block's trailing total length differs from its leading one.
        public static let trailingLengthMismatch = Kind(.trailingLengthMismatch)
        /// A pcapng Section Header Block's byte-order magic is not 0x1A2B3C4D in either order.
        public static let invalidByteOrderMagic = Kind(.invalidByteOrderMagic)
        /// A ``PcapWriter`` was given a timestamp whose seconds do not fit pcap's 32 bits.
        public static let timestampNotRepresentable = Kind(.timestampNotRepresentable)

        /// A stable identifier for counters and logs: `blockPastEndOfFile`.
        public var name: String {
            switch wrapped {
            case .openFailed: "openFailed"
            case .mapFailed: "mapFailed"
            case .writeFailed: "writeFailed"
            case .unknownFormat: "unknownFormat"
            case .truncatedFileHeader: "truncatedFileHeader"
            case .unsupportedVersion: "unsupportedVersion"
            case .truncatedRecordHeader: "truncatedRecordHeader"
            case .recordPastEndOfFile: "recordPastEndOfFile"
            case .truncatedBlockHeader: "truncatedBlockHeader"
            case .blockLengthTooSmall: "blockLengthTooSmall"
            case .blockLengthMisaligned: "blockLengthMisaligned"
            case .blockPastEndOfFile: "blockPastEndOfFile"
            case .trailingLengthMismatch: "trailingLengthMismatch"
            case .invalidByteOrderMagic: "invalidByteOrderMagic"
            case .timestampNotRepresentable: "timestampNotRepresentable"
            }
        }

        /// What was wrong, in a sentence fragment for logs.
        public var explanation: String {
            switch wrapped {
            case .openFailed: "cannot open the capture file"
            case .mapFailed: "cannot map the capture file into memory"
            case .writeFailed: "cannot write the capture file"
            case .unknownFormat: "not a pcap or pcapng file (unknown magic number)"
            case .truncatedFileHeader: "file ends inside its file header"
            case .unsupportedVersion: "unsupported pcap or pcapng version"
            case .truncatedRecordHeader: "file ends inside a pcap record header"
            case .recordPastEndOfFile: "pcap record extends past the end of the file"
            case .truncatedBlockHeader: "file ends inside a pcapng block header"
            case .blockLengthTooSmall: "pcapng block length too small"
            case .blockLengthMisaligned: "pcapng block length not a multiple of 4"
            case .blockPastEndOfFile: "pcapng block extends past the end of the file"
            case .trailingLengthMismatch: "pcapng block's trailing length differs from its leading length"
            case .invalidByteOrderMagic: "pcapng section header has an invalid byte-order magic"
            case .timestampNotRepresentable: "timestamp does not fit a pcap record header"
            }
        }

        /// The ``name``.
        public var description: String { name }
    }
}
