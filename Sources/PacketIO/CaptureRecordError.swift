/// Why one record of a capture file was skipped: the record-level errors.
///
/// Readers never throw these. They yield them as ``CaptureEntry/malformed(_:)`` in place of the
/// record, then continue with the next record, so the caller can count them (the fault manager
/// keys its counters by ``Kind/name``). Each skipped pcap record or pcapng packet block yields
/// exactly one. Creating one allocates nothing.
public struct CaptureRecordError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of problem.
    public var kind: Kind
    /// Where the skipped record or block starts, in bytes from the start of the file.
    public var offset: Int

    /// Creates an error of `kind` for the record at `offset`.
    public init(_ kind: Kind, at offset: Int) {
        self.kind = kind
        self.offset = offset
    }

    /// "captured length exceeds the snapshot length (record at byte 40)".
    public var description: String {
        "\(kind.explanation) (record at byte \(offset))"
    }
}

extension CaptureRecordError {
    /// A kind of malformed record.
    ///
    /// Kinds are only added, never removed: counters and logs key them by ``name``.
    public struct Kind: Hashable, Sendable, CaseIterable, CustomStringConvertible {
        private enum Wrapped: UInt8, CaseIterable {
            case capturedLongerThanSnapLength
            case capturedLongerThanOriginal
            case capturedPastBlockEnd
            case blockTooShort
            case undefinedInterface
            case invalidInterfaceDescription
            case invalidTimestampResolution
            case timestampOutOfRange
        }

        private let wrapped: Wrapped

        private init(_ wrapped: Wrapped) {
            self.wrapped = wrapped
        }

        /// Every kind, in a stable order.
        public static let allCases: [Kind] = Wrapped.allCases.map(Kind.init)

        /// The captured length exceeds the file's (pcap) or interface's (pcapng) non-zero
        /// snapshot length.
        public static let capturedLongerThanSnapLength = Kind(.capturedLongerThanSnapLength)
        /// The captured length exceeds the original (on-wire) length.
        public static let capturedLongerThanOriginal = Kind(.capturedLongerThanOriginal)
        /// An Enhanced Packet Block's captured length exceeds the space its block leaves for data.
        public static let capturedPastBlockEnd = Kind(.capturedPastBlockEnd)
        /// A packet block is shorter than its fixed fields (32 bytes for an Enhanced Packet Block,
        /// 16 for a Simple Packet Block).
        public static let blockTooShort = Kind(.blockTooShort)
        /// A packet block names an interface no Interface Description Block of its section
        /// defined (a Simple Packet Block needs interface 0).
        public static let undefinedInterface = Kind(.undefinedInterface)
        /// The packet's interface was described by a malformed Interface Description Block
        /// (shorter than 20 bytes, or options running past the block).
        public static let invalidInterfaceDescription = Kind(.invalidInterfaceDescription)
        /// The packet's interface has an `if_tsresol` finer than 10^-18 or 2^-63 seconds, or an
        /// `if_tsresol` option whose length is not 1.
        public static let invalidTimestampResolution = Kind(.invalidTimestampResolution)
        /// The packet's timestamp (with its interface's `if_tsoffset`) falls outside what
        /// ``FlowtelCore/Timestamp`` holds: before 1970 or after 2554.
        public static let timestampOutOfRange = Kind(.timestampOutOfRange)

        /// A stable identifier for counters and logs: `capturedLongerThanSnapLength`.
        public var name: String {
            switch wrapped {
            case .capturedLongerThanSnapLength: "capturedLongerThanSnapLength"
            case .capturedLongerThanOriginal: "capturedLongerThanOriginal"
            case .capturedPastBlockEnd: "capturedPastBlockEnd"
            case .blockTooShort: "blockTooShort"
            case .undefinedInterface: "undefinedInterface"
            case .invalidInterfaceDescription: "invalidInterfaceDescription"
            case .invalidTimestampResolution: "invalidTimestampResolution"
            case .timestampOutOfRange: "timestampOutOfRange"
            }
        }

        /// What was wrong, in a sentence fragment for logs.
        public var explanation: String {
            switch wrapped {
            case .capturedLongerThanSnapLength: "captured length exceeds the snapshot length"
            case .capturedLongerThanOriginal: "captured length exceeds the original length"
            case .capturedPastBlockEnd: "captured length exceeds the packet block's data space"
            case .blockTooShort: "packet block shorter than its fixed fields"
            case .undefinedInterface: "packet block names an undefined interface"
            case .invalidInterfaceDescription: "packet's interface description block is malformed"
            case .invalidTimestampResolution: "packet's interface has an invalid if_tsresol"
            case .timestampOutOfRange: "packet timestamp out of range"
            }
        }

        /// The ``name``.
        public var description: String { name }
    }
}
