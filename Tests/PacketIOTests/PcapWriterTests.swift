import FlowtelCore
import Foundation
import PacketIO
import Packets
import Testing

@Suite("PcapWriter round trips")
struct PcapWriterTests {
    static let frames: [[UInt8]] = [
        Frames.ethernetIPv4UDP(), Frames.ethernetIPv4UDP(payload: []),
        Frames.ethernetIPv4UDP(payload: [UInt8](repeating: 7, count: 1400)),
    ]

    @Test("writer output reads back record for record and decodes", arguments: [TimestampPrecision.microseconds, .nanoseconds])
    func roundTrip(precision: TimestampPrecision) throws {
        let path = temporaryPath("roundtrip.pcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        // A small buffer so appends flush mid-file and the big frame takes the direct path.
        let writer = try PcapWriter.create(path: path, linkType: .ethernet, snapLength: 1000, precision: precision, bufferCapacity: 512)
        let times: [UInt64] = [1_764_000_000_123_456_789, 1_764_000_001_000_000_001, 4_294_967_295_999_999_999]
        for (frame, time) in zip(Self.frames, times) {
            try writer.append(timestamp: Timestamp(unixNanos: time), bytes: frame)
        }
        try writer.close()

        var reader = try CaptureReader.open(path: path)
        #expect(reader.format == .pcap)
        #expect(reader.pcapReader?.header.precision == precision)
        #expect(reader.pcapReader?.header.snapLength == 1000)
        var index = 0
        while let entry = try reader.next() {
            guard case .packet(let record) = entry else {
                Issue.record("unexpected \(entry)")
                continue
            }
            let frame = Self.frames[index]
            let expected = precision == .microseconds ? times[index] / 1000 * 1000 : times[index]
            #expect(record.timestamp == Timestamp(unixNanos: expected))
            #expect(record.originalLength == frame.count)
            #expect(record.capturedLength == min(frame.count, 1000))
            #expect(Array(record.bytes) == Array(frame.prefix(1000)))
            #expect(record.linkType == .ethernet)
            #expect(record.interfaceIndex == 0)
            let packet = try PacketDecoder(linkType: record.linkType).decode(record.bytes, wireLength: record.originalLength)
            #expect(packet.link.etherType == 0x0800)
            #expect(packet.ip != nil)
            index += 1
        }
        #expect(index == Self.frames.count)
    }

    @Test("every supported link type round trips and decodes", arguments: [
        (LinkType.ethernet, Frames.ethernetIPv4UDP()), (.raw, Frames.ipv4UDP()), (.ipv4, Frames.ipv4UDP()),
        (.null, [2, 0, 0, 0] + Frames.ipv4UDP()),
    ])
    func linkTypes(linkType: LinkType, frame: [UInt8]) throws {
        let path = temporaryPath("linktype.pcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        try #require(fd >= 0)
        let writer = PcapWriter(fileDescriptor: fd, linkType: linkType, precision: .nanoseconds)
        try writer.append(timestamp: Timestamp(unixNanos: 5), bytes: frame, originalLength: frame.count + 10)
        try writer.close()
        #expect(Foundation.close(fd) == 0)  // the writer did not own it

        var reader = try CaptureReader.open(path: path)
        let entry = try #require(try reader.next())
        guard case .packet(let record) = entry else {
            Issue.record("unexpected \(entry)")
            return
        }
        #expect(record.linkType == linkType)
        #expect(record.originalLength == frame.count + 10)
        #expect(record.timestamp == Timestamp(unixNanos: 5))
        let packet = try PacketDecoder(linkType: record.linkType).decode(record.bytes, wireLength: record.originalLength)
        #expect(packet.ip != nil)
        #expect(try reader.next() == nil)
    }

    @Test("a timestamp past 2106 is refused and nothing is written")
    func timestampTooLate() throws {
        let path = temporaryPath("late.pcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try PcapWriter.create(path: path, linkType: .ethernet)
        #expect(throws: CaptureFileError(.timestampNotRepresentable, at: 0)) {
            try writer.append(timestamp: Timestamp(unixNanos: 4_294_967_296_000_000_000), bytes: [1])
        }
        try writer.close()
        let result = readAll(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        #expect(result.records.isEmpty && result.error == nil && result.malformed.isEmpty)
    }

    @Test("opening a missing file throws openFailed with errno")
    func openFailure() {
        #expect(throws: CaptureFileError(.openFailed, at: 0, systemError: ENOENT)) {
            _ = try CaptureReader.open(path: "/nonexistent/flowtel.pcap")
        }
        #expect(throws: CaptureFileError(.mapFailed, at: 0, systemError: ENODEV)) {
            _ = try CaptureReader.open(path: "/tmp")
        }
    }

    @Test("an empty file is a truncated header")
    func emptyFile() throws {
        let path = temporaryPath("empty.pcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        #expect(throws: CaptureFileError(.truncatedFileHeader, at: 0)) { _ = try CaptureReader.open(path: path) }
    }
}
