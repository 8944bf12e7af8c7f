import FlowtelCore
import FlowtelTestSupport
import PacketIO
import Packets
import Testing

/// Valid files of every format, for truncation and mutation.
enum ValidFiles {
    static let all: [(name: String, bytes: [UInt8])] = [
        ("pcap little-endian µs", pcap(.littleEndian, nanoseconds: false)),
        ("pcap big-endian ns", pcap(.bigEndian, nanoseconds: true)),
        ("pcapng two sections", PcapNGReaderTests.twoSections()),
        ("pcapng big-endian", pcapng(.bigEndian)),
    ]

    static func pcap(_ order: ByteOrder, nanoseconds: Bool) -> [UInt8] {
        Pcap.header(order, nanoseconds: nanoseconds, snapLength: 128)
            + Pcap.record(order, seconds: 10, fraction: 20, Frames.ethernetIPv4UDP())
            + Pcap.record(order, seconds: 11, fraction: 0, Array(Frames.ethernetIPv4UDP().prefix(30)), original: 46)
            + Pcap.record(order, seconds: 12, fraction: 5, [])
    }

    static func pcapng(_ order: ByteOrder) -> [UInt8] {
        PcapNG.section(order) + PcapNG.interface(order, linkType: 1, snapLength: 128, tsresol: 3)
            + PcapNG.enhanced(order, interface: 0, units: 99, Frames.ethernetIPv4UDP())
            + PcapNG.simple(order, original: 46, Frames.ethernetIPv4UDP())
    }
}

@Suite("Malformed captures never crash or loop")
struct RobustnessTests {
    @Test("every valid file reads cleanly", arguments: ValidFiles.all.map(\.name))
    func validFilesReadCleanly(name: String) {
        let bytes = ValidFiles.all.first { $0.name == name }!.bytes
        let result = readAll(bytes)
        #expect(result.error == nil)
        #expect(result.records.count >= 3 || name == "pcapng big-endian")
    }

    @Test("every prefix reads some records then ends cleanly or with a typed error", arguments: ValidFiles.all.map(\.name))
    func truncation(name: String) throws {
        let bytes = ValidFiles.all.first { $0.name == name }!.bytes
        let full = readAll(bytes)
        for length in 0..<bytes.count {
            let result = readAll(Array(bytes.prefix(length)))
            // What a prefix yields is what the whole file yields, cut short.
            #expect(result.records == Array(full.records.prefix(result.records.count)), "length \(length)")
            #expect(result.malformed == Array(full.malformed.prefix(result.malformed.count)), "length \(length)")
            // Every entry that starts inside the prefix is yielded, unless reading stopped early
            // with a typed error (which then points inside the prefix).
            let startedInside = (full.records.map(\.offset) + full.malformed.map(\.offset)).filter { $0 < length }.count
            let yielded = result.records.count + result.malformed.count
            if let error = result.error {
                #expect(error.offset <= length && yielded <= startedInside, "length \(length)")
            } else {
                #expect(yielded == startedInside, "length \(length)")
            }
        }
    }

    @Test("5,000 seeded mutations never crash, loop, or yield bytes outside the file")
    func mutations() {
        var random = SplitMix64(state: 0x666C_6F77_7465_6C)
        var outcomes = (clean: 0, malformed: 0, thrown: 0)
        for round in 0..<5000 {
            var bytes = ValidFiles.all[round % ValidFiles.all.count].bytes
            let edits = Int.random(in: 1...4, using: &random)
            for _ in 0..<edits {
                let position = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0: bytes[position] = UInt8.random(in: 0...255, using: &random)
                case 1: bytes[position] ^= 1 << UInt8.random(in: 0..<8, using: &random)
                case 2:  // a random 32-bit length-like value at an aligned position
                    let aligned = position & ~3
                    guard aligned + 4 <= bytes.count else { continue }
                    let value = [0, 1, 8, 12, 13, 28, 0xFFFF_FFFF, UInt32.random(in: 0...4096, using: &random)]
                        .randomElement(using: &random)!
                    for index in 0..<4 { bytes[aligned + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
                default: bytes.removeLast(Int.random(in: 0...min(8, bytes.count - 1), using: &random))
                }
            }
            let result = readAll(bytes, limit: bytes.count / 12 + 2)
            for record in result.records {
                #expect(record.offset >= 0 && record.offset + record.capturedLength <= bytes.count)
                #expect(record.capturedLength <= record.originalLength)
                // The decoder must cope with whatever the reader hands it.
                _ = try? PacketDecoder(linkType: record.linkType).decode(record.bytes, wireLength: record.originalLength)
            }
            if result.error != nil {
                outcomes.thrown += 1
            } else if !result.malformed.isEmpty {
                outcomes.malformed += 1
            } else {
                outcomes.clean += 1
            }
        }
        // The mutations reach all three outcomes, so the loop exercises more than the header.
        #expect(outcomes.clean > 0 && outcomes.malformed > 0 && outcomes.thrown > 0)
    }

    @Test("error kinds have distinct stable names")
    func names() {
        #expect(Set(CaptureFileError.Kind.allCases.map(\.name)).count == CaptureFileError.Kind.allCases.count)
        #expect(Set(CaptureRecordError.Kind.allCases.map(\.name)).count == CaptureRecordError.Kind.allCases.count)
        #expect(CaptureFileError(.blockPastEndOfFile, at: 8).description == "pcapng block extends past the end of the file (at byte 8)")
    }
}
