import FlowtelCore
import PacketIO
import Packets
import Testing

@Suite("PcapReader")
struct PcapReaderTests {
    @Test("hand-built files in both byte orders and precisions", arguments: [
        (ByteOrder.bigEndian, false), (.littleEndian, false), (.bigEndian, true), (.littleEndian, true),
    ])
    func handBuilt(order: ByteOrder, nanoseconds: Bool) throws {
        let frame = Frames.ethernetIPv4UDP()
        // FCS bits set above the link type must be ignored.
        let file = Pcap.header(order, nanoseconds: nanoseconds, snapLength: 96, linkType: 0x1400_0001)
            + Pcap.record(order, seconds: 1_700_000_000, fraction: 999_999, frame)
            + Pcap.record(order, seconds: 1, fraction: 2, Array(frame.prefix(20)), original: 100)
        let result = readAll(file)
        #expect(result.error == nil)
        #expect(result.malformed.isEmpty)
        try #require(result.records.count == 2)
        let scale: UInt64 = nanoseconds ? 1 : 1000
        #expect(result.records[0].timestamp == Timestamp(unixNanos: 1_700_000_000_000_000_000 + 999_999 * scale))
        #expect(result.records[0].bytes == frame)
        #expect(result.records[0].linkType == .ethernet)
        #expect(result.records[0].offset == 24)
        #expect(result.records[1].timestamp == Timestamp(unixNanos: 1_000_000_000 + 2 * scale))
        #expect(result.records[1].capturedLength == 20)
        #expect(result.records[1].originalLength == 100)
        #expect(result.records[1].offset == 24 + 16 + frame.count)
        let packet = try PacketDecoder(linkType: result.records[0].linkType).decode(result.records[0].bytes)
        #expect(packet.ip != nil)

        var reader = try PcapReader(file: CaptureFile(copying: file))
        #expect(reader.header.byteOrder == order)
        #expect(reader.header.precision == (nanoseconds ? .nanoseconds : .microseconds))
        #expect(reader.header.snapLength == 96)
        #expect(reader.header.versionMajor == 2 && reader.header.versionMinor == 4)
        #expect(try reader.next() != nil)
    }

    @Test("file-level errors carry their kind and offset")
    func fileErrors() {
        let header = Pcap.header(.littleEndian)
        let record = Pcap.record(.littleEndian, seconds: 1, fraction: 0, [1, 2, 3, 4])
        let cases: [([UInt8], CaptureFileError)] = [
            ([0xD4, 0xC3], CaptureFileError(.truncatedFileHeader, at: 0)),
            (Array(header.prefix(23)), CaptureFileError(.truncatedFileHeader, at: 0)),
            ([1, 2, 3, 4] + header.dropFirst(4), CaptureFileError(.unknownFormat, at: 0)),
            (Pcap.header(.bigEndian, major: 3), CaptureFileError(.unsupportedVersion, at: 4)),
            (header + record + record.prefix(15), CaptureFileError(.truncatedRecordHeader, at: 44)),
            (header + record.dropLast(), CaptureFileError(.recordPastEndOfFile, at: 24)),
            (header + Pcap.record(.littleEndian, seconds: 1, fraction: 0, [], captured: 0xFFFF_FFFF),
             CaptureFileError(.recordPastEndOfFile, at: 24)),
        ]
        for (bytes, expected) in cases {
            #expect(readAll(bytes).error == expected)
        }
    }

    @Test("records longer than the snaplen or the original length are skipped and reported")
    func recordErrors() {
        let order = ByteOrder.bigEndian
        let file = Pcap.header(order, snapLength: 8)
            + Pcap.record(order, seconds: 1, fraction: 0, [UInt8](repeating: 1, count: 9))
            + Pcap.record(order, seconds: 2, fraction: 0, [1, 2, 3], original: 2)
            + Pcap.record(order, seconds: 3, fraction: 0, [1, 2, 3, 4, 5, 6, 7, 8])
        let result = readAll(file)
        #expect(result.error == nil)
        #expect(result.malformed == [
            CaptureRecordError(.capturedLongerThanSnapLength, at: 24),
            CaptureRecordError(.capturedLongerThanOriginal, at: 24 + 25),
        ])
        #expect(result.records.map(\.bytes) == [[1, 2, 3, 4, 5, 6, 7, 8]])
        #expect(result.records.first?.timestamp == Timestamp(unixNanos: 3_000_000_000))
    }

    @Test("a snaplen of 0 means unlimited")
    func unlimitedSnapLength() {
        let file = Pcap.header(.littleEndian, snapLength: 0) + Pcap.record(.littleEndian, seconds: 0, fraction: 0, [1, 2, 3])
        let result = readAll(file)
        #expect(result.records.count == 1 && result.malformed.isEmpty && result.error == nil)
    }
}
