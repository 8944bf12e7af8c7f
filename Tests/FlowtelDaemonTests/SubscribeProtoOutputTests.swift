import FlowtelCore
import FlowtelGRPC
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `flowtel subscribe --format proto --output file:`, whose session records are copied from the
/// wire: exactly once across kill -9 and rotations, each record a whole Event.
@Suite("flowtel subscribe --format proto --output file:", .serialized)
struct SubscribeProtoOutputTests {
    @Test("kill -9 of the subscriber at 3 random points over 100,000 events: 0 lost, 0 duplicates, every record decodes")
    func killNine() throws {
        let total: UInt64 = 100_000
        let (daemon, port) = try FileOutputHarness.daemon(["--test-publisher", "sessions:\(total)"])
        defer { FileOutputHarness.stop(daemon) }
        let directory = try FileOutputHarness.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/flows.pb"
        let options = ["--format", "proto", "--rotate-size", "2m", "--rotate-count", "100", "--batch-events", "500"]
        let points = try FileOutputHarness.killAndResume(port: port, path: path, total: total, kills: 3, options)

        let decoder = EventDecoder()
        var seqs: [UInt64] = []
        for file in FileOutputHarness.chain(path) {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
            var offset = 0
            while offset < bytes.count {
                var length = 0
                var shift = 0
                while true {
                    let byte = bytes[offset]
                    offset += 1
                    length |= Int(byte & 0x7F) << shift
                    shift += 7
                    if byte < 0x80 { break }
                }
                let event = try decoder.decodeEvent(Array(bytes[offset..<(offset + length)]))
                if case .sessionClose = event.payload { seqs.append(event.seq) }
                offset += length
            }
        }
        #expect(seqs.count == Int(total), "kill points \(points)")
        #expect(seqs == Array(1...total), "kill points \(points)")
        #expect(FileOutputHarness.chain(path).count > 1, "the run rotated at least once")
    }
}
