import FlowtelCore
public import Packets

/// Reads a pcapng file: any number of sections in either byte order, each with any number of
/// interfaces; Enhanced and Simple Packet Blocks become records, every other block is skipped.
///
/// Reading allocates nothing per record: each ``CaptureRecord`` borrows its bytes from
/// ``file``. Interface Description Blocks append to ``interfaces`` (which a new section
/// empties, as interface ids restart per section). A reader is a value with a cursor; copies
/// read independently.
///
/// Problems confined to one packet block (see ``CaptureRecordError/Kind``) are yielded as
/// ``CaptureEntry/malformed(_:)``; a malformed Interface Description Block still defines its
/// interface id, and each packet on it is reported as malformed. Problems with a block's
/// framing (its lengths) are thrown as ``CaptureFileError``, because the next block cannot be
/// found.
public struct PcapNGReader {
    /// An interface defined by an Interface Description Block.
    public struct Interface: Hashable, Sendable {
        /// The link type of the interface's packets.
        public var linkType: LinkType
        /// The interface's snapshot length; 0 means unlimited.
        public var snapLength: UInt32
        /// The `if_tsresol` option, or its default (10^-6 s).
        public var timestampResolution: TimestampResolution
        /// The `if_tsoffset` option in seconds, added to every timestamp; 0 when absent.
        public var timestampOffset: Int64
        /// Why the packets of this interface cannot be read, or nil when they can.
        public var problem: CaptureRecordError.Kind?
    }

    /// The unit of an interface's timestamps: the `if_tsresol` byte.
    public struct TimestampResolution: Hashable, Sendable, CustomStringConvertible {
        /// The option's byte: a power of 10 (high bit clear) or of 2 (high bit set) in its low
        /// seven bits, negated.
        public var rawValue: UInt8

        /// Creates a resolution from its `if_tsresol` byte.
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        /// Microseconds: pcapng's default.
        public static let microseconds = TimestampResolution(rawValue: 6)
        /// Nanoseconds.
        public static let nanoseconds = TimestampResolution(rawValue: 9)

        /// True when the unit is a power of 2 rather than of 10.
        public var isBinary: Bool { rawValue & 0x80 != 0 }
        /// The negated exponent: the unit is 10^-exponent or 2^-exponent seconds.
        public var exponent: Int { Int(rawValue & 0x7F) }

        /// True for the units flowtel converts: 10^0 to 10^-18 and 2^0 to 2^-63 seconds.
        /// Finer units cannot be held by a 64-bit timestamp's useful range.
        public var isSupported: Bool { isBinary ? exponent <= 63 : exponent <= 18 }

        /// "10^-6" or "2^-20".
        public var description: String { "\(isBinary ? 2 : 10)^-\(exponent)" }

        /// Nanoseconds for `units` of this resolution, or nil on overflow. Requires
        /// ``isSupported``.
        func nanoseconds(_ units: UInt64) -> UInt64? {
            if isBinary {
                let (high, low) = units.multipliedFullWidth(by: 1_000_000_000)
                let shift = exponent
                guard shift > 0 else { return high == 0 ? low : nil }
                guard high >> shift == 0 else { return nil }
                return (low >> shift) | (high << (64 - shift))
            }
            if exponent <= 9 {
                let (result, overflow) = units.multipliedReportingOverflow(by: Self.powersOf10[9 - exponent])
                return overflow ? nil : result
            }
            return units / Self.powersOf10[exponent - 9]
        }

        private static let powersOf10: [UInt64] = (0...10).map { power in
            (0..<power).reduce(UInt64(1)) { value, _ in value * 10 }
        }
    }

    static let sectionHeaderType: UInt32 = 0x0A0D_0D0A
    static let interfaceDescriptionType: UInt32 = 1
    static let simplePacketType: UInt32 = 3
    static let enhancedPacketType: UInt32 = 6

    /// The file read.
    public let file: CaptureFile
    /// The interfaces of the current section, indexed by interface id.
    public private(set) var interfaces: [Interface] = []
    /// How many Section Header Blocks have been read.
    public private(set) var sectionCount = 0
    /// The byte order of the current section.
    public var byteOrder: ByteOrder { reader.order }

    private var reader: FileBytes
    private var offset = 0
    private var finished = false
    private var mappedAhead = MappedAhead()
    /// Where ``FileBytes/prefetchStream(from:to:)`` has got to.
    private var streamed = 0

    /// Reads the first Section Header Block of `file`.
    ///
    /// - Throws: ``CaptureFileError``: ``CaptureFileError/Kind/truncatedFileHeader`` (fewer
    ///   than 4 bytes), ``CaptureFileError/Kind/unknownFormat`` (not a Section Header Block),
    ///   or any framing error of that block.
    public init(file: CaptureFile) throws(CaptureFileError) {
        self.file = file
        self.reader = FileBytes(bytes: file.bytes, order: .littleEndian)
        interfaces.reserveCapacity(4)
        guard let magic = reader.leadingMagic else { throw CaptureFileError(.truncatedFileHeader, at: 0) }
        guard magic == Self.sectionHeaderType else { throw CaptureFileError(.unknownFormat, at: 0) }
        guard let block = try nextBlock() else { throw CaptureFileError(.truncatedFileHeader, at: 0) }
        try enterSection(at: block.start)
    }

    /// The next packet, a malformed packet block skipped, or nil at the end of the file.
    ///
    /// - Throws: ``CaptureFileError`` for a block whose framing is broken
    ///   (``CaptureFileError/Kind/truncatedBlockHeader``, ``CaptureFileError/Kind/blockLengthTooSmall``,
    ///   ``CaptureFileError/Kind/blockLengthMisaligned``, ``CaptureFileError/Kind/blockPastEndOfFile``,
    ///   ``CaptureFileError/Kind/trailingLengthMismatch``, ``CaptureFileError/Kind/invalidByteOrderMagic``)
    ///   or a section of another major version (``CaptureFileError/Kind/unsupportedVersion``);
    ///   the reader is then finished.
    public mutating func next() throws(CaptureFileError) -> CaptureEntry? {
        // Every pass consumes a block of at least 12 bytes or ends, so this terminates.
        while let block = try nextBlock() {
            switch block.type {
            case Self.sectionHeaderType: try enterSection(at: block.start)
            case Self.interfaceDescriptionType: interfaces.append(describeInterface(at: block.start, length: block.length))
            case Self.enhancedPacketType: return enhancedPacket(at: block.start, length: block.length)
            case Self.simplePacketType: return simplePacket(at: block.start, length: block.length)
            default: continue
            }
        }
        return nil
    }

    /// Checks the framing of the block at the cursor and moves the cursor past it.
    private mutating func nextBlock() throws(CaptureFileError) -> (type: UInt32, start: Int, length: Int)? {
        guard !finished else { return nil }
        let start = offset
        let remaining = reader.count - start
        guard remaining > 0 else {
            finished = true
            return nil
        }
        do throws(CaptureFileError) {
            guard remaining >= 8 else { throw CaptureFileError(.truncatedBlockHeader, at: start) }
            // The Section Header Block's type reads the same in both byte orders; its length and
            // everything after it are in the order its magic announces.
            let type = reader.u32(start)
            if type == Self.sectionHeaderType {
                guard remaining >= 12 else { throw CaptureFileError(.truncatedBlockHeader, at: start) }
                switch UInt32(bigEndian: reader.bytes.loadUnaligned(fromByteOffset: start + 8, as: UInt32.self)) {
                case 0x1A2B_3C4D: reader.order = .bigEndian
                case 0x4D3C_2B1A: reader.order = .littleEndian
                default: throw CaptureFileError(.invalidByteOrderMagic, at: start)
                }
            }
            let declared = reader.u32(start + 4)
            guard declared >= (type == Self.sectionHeaderType ? 28 : 12) else {
                throw CaptureFileError(.blockLengthTooSmall, at: start)
            }
            guard declared % 4 == 0 else { throw CaptureFileError(.blockLengthMisaligned, at: start) }
            guard declared <= remaining else { throw CaptureFileError(.blockPastEndOfFile, at: start) }
            let length = Int(declared)
            guard reader.u32(start + length - 4) == declared else {
                throw CaptureFileError(.trailingLengthMismatch, at: start)
            }
            offset = start + length
            // The next block's header and first bytes, while this one is used.
            reader.prefetch(offset, lines: 2)
            mappedAhead.advance(to: offset, in: file)
            reader.prefetchStream(from: &streamed, to: offset + FileBytes.streamDistance)
            return (type, start, length)
        } catch {
            finished = true
            throw error
        }
    }

    /// Starts a section: checks its version and forgets the previous section's interfaces.
    private mutating func enterSection(at start: Int) throws(CaptureFileError) {
        guard reader.u16(start + 12) == 1 else {
            finished = true
            throw CaptureFileError(.unsupportedVersion, at: start)
        }
        sectionCount += 1
        interfaces.removeAll(keepingCapacity: true)
    }

    private func describeInterface(at start: Int, length: Int) -> Interface {
        var interface = Interface(
            linkType: LinkType(rawValue: 0), snapLength: 0, timestampResolution: .microseconds,
            timestampOffset: 0, problem: nil)
        guard length >= 20 else {
            interface.problem = .invalidInterfaceDescription
            return interface
        }
        interface.linkType = LinkType(rawValue: UInt32(reader.u16(start + 8)))
        interface.snapLength = reader.u32(start + 12)
        let end = start + length - 4
        var option = start + 16
        while option + 4 <= end {
            let code = reader.u16(option)
            let valueLength = Int(reader.u16(option + 2))
            let value = option + 4
            if code == 0 { break }  // opt_endofopt
            guard valueLength <= end - value else {
                interface.problem = .invalidInterfaceDescription
                break
            }
            switch code {
            case 9:  // if_tsresol
                guard valueLength == 1 else {
                    interface.problem = .invalidTimestampResolution
                    break
                }
                interface.timestampResolution = TimestampResolution(rawValue: reader.bytes[value])
                if !interface.timestampResolution.isSupported { interface.problem = .invalidTimestampResolution }
            case 14:  // if_tsoffset
                if valueLength == 8 {
                    interface.timestampOffset = Int64(bitPattern: reader.u64(value))
                } else {
                    interface.problem = .invalidInterfaceDescription
                }
            default:
                break
            }
            option = value + ((valueLength + 3) & ~3)
        }
        return interface
    }

    private func enhancedPacket(at start: Int, length: Int) -> CaptureEntry {
        guard length >= 32 else { return .malformed(CaptureRecordError(.blockTooShort, at: start)) }
        let id = Int(reader.u32(start + 8))
        guard id < interfaces.count else { return .malformed(CaptureRecordError(.undefinedInterface, at: start)) }
        let interface = interfaces[id]
        if let problem = interface.problem { return .malformed(CaptureRecordError(problem, at: start)) }
        let units = UInt64(reader.u32(start + 12)) << 32 | UInt64(reader.u32(start + 16))
        let captured = Int(reader.u32(start + 20))
        let original = Int(reader.u32(start + 24))
        guard captured <= length - 32 else { return .malformed(CaptureRecordError(.capturedPastBlockEnd, at: start)) }
        if interface.snapLength != 0 && captured > Int(interface.snapLength) {
            return .malformed(CaptureRecordError(.capturedLongerThanSnapLength, at: start))
        }
        guard captured <= original else {
            return .malformed(CaptureRecordError(.capturedLongerThanOriginal, at: start))
        }
        guard let timestamp = Self.timestamp(units, on: interface) else {
            return .malformed(CaptureRecordError(.timestampOutOfRange, at: start))
        }
        return .packet(
            CaptureRecord(
                timestamp: timestamp, capturedLength: captured, originalLength: original, interfaceIndex: id,
                linkType: interface.linkType, bytes: reader.slice(start + 28, captured), offset: start))
    }

    private func simplePacket(at start: Int, length: Int) -> CaptureEntry {
        guard length >= 16 else { return .malformed(CaptureRecordError(.blockTooShort, at: start)) }
        guard let interface = interfaces.first else {
            return .malformed(CaptureRecordError(.undefinedInterface, at: start))
        }
        if let problem = interface.problem { return .malformed(CaptureRecordError(problem, at: start)) }
        let original = Int(reader.u32(start + 8))
        // The block holds min(original, snaplen) bytes then padding; the space bounds both.
        var captured = min(original, length - 16)
        if interface.snapLength != 0 { captured = min(captured, Int(interface.snapLength)) }
        return .packet(
            CaptureRecord(
                timestamp: nil, capturedLength: captured, originalLength: original, interfaceIndex: 0,
                linkType: interface.linkType, bytes: reader.slice(start + 12, captured), offset: start))
    }

    /// `units` of `interface`'s resolution, plus its offset, or nil when out of range.
    static func timestamp(_ units: UInt64, on interface: Interface) -> Timestamp? {
        guard let nanos = interface.timestampResolution.nanoseconds(units) else { return nil }
        let (offsetNanos, overflow) = interface.timestampOffset.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return nil }
        if offsetNanos >= 0 {
            let (sum, carry) = nanos.addingReportingOverflow(UInt64(offsetNanos))
            return carry ? nil : Timestamp(unixNanos: sum)
        }
        let (difference, borrow) = nanos.subtractingReportingOverflow(offsetNanos.magnitude)
        return borrow ? nil : Timestamp(unixNanos: difference)
    }
}
