import FlowtelCore
import FlowtelGRPC
import Testing

@Suite("OpsCodec")
struct OpsCodecTests {
    @Test("FlowStatistics with two sources round-trips through protobuf-c")
    func flowStatisticsRoundTrip() throws {
        let statistics = FlowStatistics(
            currentSessions: 7, packetsReceived: 1_000_002, packetsTransmitted: 3, packetsForwarded: 4, packetsCopied: 5,
            packetsDropped: 6, fragmentPackets: 8, packetsMalformed: 9,
            sources: [
                CaptureSourceStatistics(
                    name: "/var/tmp/trace.pcapng", kind: .file, state: .finished, packets: 1_000_000, bytes: 1 << 40,
                    malformed: 5, fragments: 8, skippedRecords: 4,
                    decodeErrors: [.init(kind: "truncatedTCP", count: 2), .init(kind: "ipv4HeaderLengthTooSmall", count: 3)]),
                CaptureSourceStatistics(
                    name: "ge-0/0/0", kind: .interface, state: .failed, error: "the interface went down", packets: 2,
                    bytes: 120, kernelReceived: 9, kernelDrops: 6, interfaceDrops: 1),
            ])
        #expect(try OpsCodec.decodeFlowStatistics(OpsCodec.encodeFlowStatistics(statistics)) == statistics)
    }

    @Test("an empty FlowStatistics encodes to no bytes and decodes to zeros")
    func emptyFlowStatistics() throws {
        let bytes = OpsCodec.encodeFlowStatistics(FlowStatistics())
        #expect(bytes.isEmpty)
        #expect(try OpsCodec.decodeFlowStatistics(bytes) == FlowStatistics())
    }

    @Test("a malformed FlowStatistics is a decode error")
    func malformed() {
        #expect(throws: DecodeError.self) { try OpsCodec.decodeFlowStatistics([0x4A, 0x05, 0x01]) }
    }
}
