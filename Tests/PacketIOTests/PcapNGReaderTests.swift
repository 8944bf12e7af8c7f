import FlowtelCore
import PacketIO
import Packets
import Testing

@Suite("PcapNGReader")
struct PcapNGReaderTests {
    /// Two sections: the first little-endian with an Ethernet interface at 10^-9 and a raw-IP
    /// interface at 2^-20 (plus an offset), an unknown block, an SPB; the second big-endian,
    /// whose interface 0 is raw IPv4.
    static func twoSections() -> [UInt8] {
        let le = ByteOrder.littleEndian
        let be = ByteOrder.bigEndian
        let ethernet = Frames.ethernetIPv4UDP()
        let raw = Frames.ipv4UDP()
        return PcapNG.section(le)
            + PcapNG.interface(le, linkType: 1, snapLength: 0, tsresol: 9)
            + PcapNG.interface(
                le, linkType: 101, snapLength: 1500, tsresol: 0x80 | 20, tsoffset: 10,
                extraOptions: PcapNG.option(le, code: 2, Array("eth1".utf8)))
            + PcapNG.enhanced(le, interface: 0, units: 1_700_000_000_123_456_789, ethernet)
            + PcapNG.block(le, type: 0x0BAD, [1, 2, 3, 4, 5])  // unknown: skipped
            + PcapNG.enhanced(le, interface: 1, units: (5 << 20) + (1 << 19), raw, original: 1000)
            + PcapNG.simple(le, original: UInt32(ethernet.count), ethernet)
            + PcapNG.block(le, type: 5, [UInt8](repeating: 0, count: 8))  // statistics: skipped
            + PcapNG.section(be)
            + PcapNG.interface(be, linkType: 228)
            + PcapNG.enhanced(be, interface: 0, units: 7_000_001, raw)
            + PcapNG.enhanced(be, interface: 1, units: 0, raw)  // interface 1 belonged to section 1
    }

    @Test("two sections, two interfaces, both resolutions, SPB, unknown blocks")
    func twoSectionsRead() throws {
        let result = readAll(Self.twoSections())
        #expect(result.error == nil)
        let ethernet = Frames.ethernetIPv4UDP()
        let raw = Frames.ipv4UDP()
        try #require(result.records.count == 4)
        let records = result.records
        #expect(records[0].timestamp == Timestamp(unixNanos: 1_700_000_000_123_456_789))
        #expect(records[0].linkType == .ethernet && records[0].interfaceIndex == 0)
        #expect(records[0].bytes == ethernet)
        // 5.5 s at 2^-20 plus if_tsoffset 10 s.
        #expect(records[1].timestamp == Timestamp(unixNanos: 15_500_000_000))
        #expect(records[1].linkType == .raw && records[1].interfaceIndex == 1)
        #expect(records[1].originalLength == 1000 && records[1].bytes == raw)
        #expect(records[2].timestamp == nil)
        #expect(records[2].interfaceIndex == 0 && records[2].linkType == .ethernet)
        #expect(records[2].bytes == ethernet && records[2].originalLength == ethernet.count)
        #expect(records[3].timestamp == Timestamp(unixNanos: 7_000_001_000))
        #expect(records[3].linkType == .ipv4 && records[3].interfaceIndex == 0)
        #expect(result.malformed.map(\.kind) == [.undefinedInterface])
        for record in records {
            let packet = try PacketDecoder(linkType: record.linkType).decode(record.bytes, wireLength: record.originalLength)
            #expect(packet.ip != nil)
        }
    }

    @Test("interfaces and sections are exposed")
    func interfaces() throws {
        var reader = try PcapNGReader(file: CaptureFile(copying: Self.twoSections()))
        #expect(reader.sectionCount == 1 && reader.byteOrder == .littleEndian)
        _ = try reader.next()
        #expect(reader.interfaces.count == 2)
        #expect(reader.interfaces[0].timestampResolution == .nanoseconds)
        #expect(reader.interfaces[1].timestampResolution.description == "2^-20")
        #expect(reader.interfaces[1].timestampOffset == 10)
        #expect(reader.interfaces[1].snapLength == 1500)
        while try reader.next() != nil {}
        #expect(reader.sectionCount == 2 && reader.byteOrder == .bigEndian)
        #expect(reader.interfaces.map(\.linkType) == [.ipv4])
    }

    @Test("SPB captured length is min(original, snaplen, block space)")
    func simplePacketLengths() {
        let o = ByteOrder.bigEndian
        let data = [UInt8](1...10)
        let file = PcapNG.section(o) + PcapNG.interface(o, linkType: 101, snapLength: 6)
            + PcapNG.simple(o, original: 10, data)  // snaplen bounds
            + PcapNG.simple(o, original: 3, data)  // original bounds (the rest is padding)
            + PcapNG.simple(o, original: 500, Array(data.prefix(4)))  // block space bounds
        let result = readAll(file)
        #expect(result.error == nil && result.malformed.isEmpty)
        #expect(result.records.map(\.capturedLength) == [6, 3, 4])
        #expect(result.records.map(\.originalLength) == [10, 3, 500])
    }

    @Test("framing errors are file-level with their kind and offset")
    func framingErrors() {
        let o = ByteOrder.littleEndian
        let e = Encoder(order: o)
        let head = PcapNG.section(o) + PcapNG.interface(o, linkType: 1)
        let at = head.count
        let good = PcapNG.enhanced(o, interface: 0, units: 1, [1, 2, 3, 4])
        let cases: [(String, [UInt8], CaptureFileError)] = [
            ("3 bytes", [0x0A, 0x0D, 0x0D], CaptureFileError(.truncatedFileHeader, at: 0)),
            ("not a section header", [0x0A, 0x0D, 0x0D, 0x0B] + head.dropFirst(4), CaptureFileError(.unknownFormat, at: 0)),
            ("SHB before its magic", Array(head.prefix(10)), CaptureFileError(.truncatedBlockHeader, at: 0)),
            ("bad byte-order magic", Array(head.prefix(8)) + [1, 2, 3, 4] + head.dropFirst(12),
             CaptureFileError(.invalidByteOrderMagic, at: 0)),
            ("section version 2", PcapNG.section(o, major: 2), CaptureFileError(.unsupportedVersion, at: 0)),
            ("SHB length 24", PcapNG.block(o, type: 0x0A0D_0D0A, e.u32(0x1A2B_3C4D) + e.u16(1) + e.u16(0), length: 24),
             CaptureFileError(.blockLengthTooSmall, at: 0)),
            ("block cut in its header", head + good.prefix(6), CaptureFileError(.truncatedBlockHeader, at: at)),
            ("length 8", head + PcapNG.block(o, type: 6, [], length: 8), CaptureFileError(.blockLengthTooSmall, at: at)),
            ("length 34", head + PcapNG.block(o, type: 6, [UInt8](repeating: 0, count: 24), length: 34),
             CaptureFileError(.blockLengthMisaligned, at: at)),
            ("past the end", head + good.dropLast(4), CaptureFileError(.blockPastEndOfFile, at: at)),
            ("huge length", head + PcapNG.block(o, type: 6, [], length: 0xFFFF_FFFC), CaptureFileError(.blockPastEndOfFile, at: at)),
            ("trailing mismatch", head + PcapNG.block(o, type: 6, [UInt8](repeating: 0, count: 20), trailing: 36),
             CaptureFileError(.trailingLengthMismatch, at: at)),
            ("second section bad magic", head + good + PcapNG.section(o).prefix(8) + [0, 0, 0, 0] + PcapNG.section(o).dropFirst(12),
             CaptureFileError(.invalidByteOrderMagic, at: at + good.count)),
        ]
        for (name, bytes, expected) in cases {
            #expect(readAll(bytes).error == expected, "\(name)")
        }
    }

    @Test("packet-level errors are skipped and reported with their kind and offset")
    func recordErrors() {
        let o = ByteOrder.bigEndian
        let data: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8]
        let blocks: [(CaptureRecordError.Kind?, [UInt8])] = [
            (nil, PcapNG.section(o)),
            (.undefinedInterface, PcapNG.simple(o, original: 8, data)),  // no interface yet
            (.undefinedInterface, PcapNG.enhanced(o, interface: 0, units: 0, data)),
            (nil, PcapNG.interface(o, linkType: 1, snapLength: 6)),  // 0
            (nil, PcapNG.interface(o, linkType: 1, tsresol: 19)),  // 1: absurd 10^-19
            (nil, PcapNG.interface(o, linkType: 1, tsresol: 0x80 | 64)),  // 2: absurd 2^-64
            (nil, PcapNG.block(o, type: 1, [0, 1, 0, 0])),  // 3: IDB of 16 bytes
            (nil, PcapNG.interface(o, linkType: 1, extraOptions: Encoder(order: o).u16(2) + Encoder(order: o).u16(200))),  // 4: option overruns
            (nil, PcapNG.interface(o, linkType: 1, tsresol: 0, tsoffset: -5)),  // 5: seconds, offset -5 s
            (nil, PcapNG.interface(o, linkType: 1, tsresol: 0)),  // 6: seconds
            (.capturedLongerThanSnapLength, PcapNG.enhanced(o, interface: 0, units: 0, data)),
            (.capturedLongerThanOriginal, PcapNG.enhanced(o, interface: 0, units: 0, [1, 2], original: 1)),
            (.capturedPastBlockEnd, PcapNG.enhanced(o, interface: 0, units: 0, [1, 2, 3, 4], captured: 5)),
            (.blockTooShort, PcapNG.block(o, type: 6, [UInt8](repeating: 0, count: 16))),
            (.blockTooShort, PcapNG.block(o, type: 3, [])),
            (.undefinedInterface, PcapNG.enhanced(o, interface: 7, units: 0, data)),
            (.invalidTimestampResolution, PcapNG.enhanced(o, interface: 1, units: 0, data)),
            (.invalidTimestampResolution, PcapNG.enhanced(o, interface: 2, units: 0, data)),
            (.invalidInterfaceDescription, PcapNG.enhanced(o, interface: 3, units: 0, data)),
            (.invalidInterfaceDescription, PcapNG.enhanced(o, interface: 4, units: 0, data)),
            (.timestampOutOfRange, PcapNG.enhanced(o, interface: 5, units: 4, data)),
            (.timestampOutOfRange, PcapNG.enhanced(o, interface: 6, units: UInt64.max / 1_000_000_000 + 1, data)),
            (nil, PcapNG.enhanced(o, interface: 5, units: 6, [9])),  // the one good packet
        ]
        var file: [UInt8] = []
        var expected: [CaptureRecordError] = []
        for (kind, block) in blocks {
            if let kind { expected.append(CaptureRecordError(kind, at: file.count)) }
            file += block
        }
        let result = readAll(file)
        #expect(result.error == nil)
        #expect(result.malformed == expected)
        #expect(result.records.map(\.bytes) == [[9]])
        #expect(result.records.first?.timestamp == Timestamp(unixNanos: 1_000_000_000))
    }
}
