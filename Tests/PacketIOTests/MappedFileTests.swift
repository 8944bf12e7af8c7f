import FlowtelCore
import Foundation
import PacketIO
import Packets
import Testing

/// Files larger than the readers' map-ahead window (4 MiB), read through a real mapping: every
/// record comes back whole, across window boundaries and up to the file's last byte.
@Suite("Mapped files larger than the map-ahead window")
struct MappedFileTests {
    /// 9,000 frames of 1,200 to 1,499 bytes: about 12 MiB, not a multiple of the page size.
    static let frameCount = 9000

    static func frame(_ index: Int) -> [UInt8] {
        Frames.ethernetIPv4UDP(payload: (0..<(1158 + index % 300)).map { UInt8(truncatingIfNeeded: $0 &+ index) })
    }

    static func write(_ bytes: [UInt8], name: String) throws -> String {
        let path = temporaryPath(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Reads `path` with `CaptureReader.open` and checks every record against ``frame(_:)``.
    /// Returns the packets read and the error that ended reading, if any.
    static func readBack(_ path: String) throws -> (packets: Int, error: CaptureFileError?) {
        var reader = try CaptureReader.open(path: path)
        var packets = 0
        do {
            while let entry = try reader.next() {
                guard case .packet(let record) = entry else {
                    Issue.record("unexpected \(entry)")
                    continue
                }
                let expected = frame(packets)
                #expect(record.capturedLength == expected.count)
                #expect(record.bytes.first == expected.first && record.bytes.last == expected.last)
                if packets % 997 == 0 { #expect(Array(record.bytes) == expected) }
                let packet = try PacketDecoder(linkType: record.linkType)
                    .decode(record.bytes, wireLength: record.originalLength)
                #expect(packet.transport.ports?.destination == 53)
                packets += 1
            }
        } catch let error as CaptureFileError {
            return (packets, error)
        }
        return (packets, nil)
    }

    @Test("a pcap file reads back record for record")
    func pcap() throws {
        let path = temporaryPath("mapped.pcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try PcapWriter.create(path: path, linkType: .ethernet)
        for index in 0..<Self.frameCount {
            try writer.append(timestamp: Timestamp(unixNanos: UInt64(index) * 1000), bytes: Self.frame(index))
        }
        try writer.close()
        let size = try #require(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(size > 2 * 4 << 20)
        let (packets, error) = try Self.readBack(path)
        #expect(packets == Self.frameCount)
        #expect(error == nil)
    }

    @Test("a pcap file cut inside its last record ends with recordPastEndOfFile after every whole record")
    func truncatedPcap() throws {
        var bytes = Pcap.header(.littleEndian)
        var lastStart = 0
        for index in 0..<Self.frameCount {
            lastStart = bytes.count
            bytes += Pcap.record(.littleEndian, seconds: UInt32(index), fraction: 0, Self.frame(index))
        }
        bytes.removeLast(100)
        let path = try Self.write(bytes, name: "mapped-cut.pcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (packets, error) = try Self.readBack(path)
        #expect(packets == Self.frameCount - 1)
        #expect(error?.kind == .recordPastEndOfFile)
        #expect(error?.offset == lastStart)
    }

    @Test("a pcapng file reads back block for block")
    func pcapng() throws {
        var bytes = PcapNG.section(.bigEndian) + PcapNG.interface(.bigEndian, linkType: 1)
        for index in 0..<Self.frameCount {
            bytes += PcapNG.enhanced(.bigEndian, interface: 0, units: UInt64(index), Self.frame(index))
        }
        let path = try Self.write(bytes, name: "mapped.pcapng")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (packets, error) = try Self.readBack(path)
        #expect(packets == Self.frameCount)
        #expect(error == nil)
    }
}
