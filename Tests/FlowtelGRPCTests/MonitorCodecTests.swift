import FlowtelCore
import FlowtelGRPC
import Testing

@Suite("OpsCodec: flow monitoring")
struct MonitorCodecTests {
    static let fullFilter = MonitorFilter(
        name: "web", sourcePrefix: "10.0.0.0/8", destinationPrefix: "2001:db8::/32", sourcePort: 40000,
        destinationPort: 443, protocol: "tcp", interface: "ge-0/0/1.0", incomingInterface: "ge-0/0/1.100",
        outgoingInterface: "reth0.0", logicalSystem: "LSYS1", connectionTag: 7)

    @Test("SetMonitorFilterRequest round-trips every criterion")
    func filterRoundTrip() throws {
        #expect(try OpsCodec.decodeSetMonitorFilter(OpsCodec.encodeSetMonitorFilter(Self.fullFilter)) == Self.fullFilter)
        let bare = MonitorFilter(name: "all")
        #expect(try OpsCodec.decodeSetMonitorFilter(OpsCodec.encodeSetMonitorFilter(bare)) == bare)
    }

    @Test("the new MonitorFilter fields use numbers 9, 10 and 11, read from hand-written bytes")
    func filterFieldNumbers() throws {
        // SetMonitorFilterRequest { filter (1) { name (1) "f", incoming_interface (9) "a",
        // outgoing_interface (10) "b", logical_system (11) "c" } }, written from the proto.
        let inner: [UInt8] = [0x0A, 1, 0x66, 0x4A, 1, 0x61, 0x52, 1, 0x62, 0x5A, 1, 0x63]
        let bytes: [UInt8] = [0x0A, UInt8(inner.count)] + inner
        let filter = try OpsCodec.decodeSetMonitorFilter(bytes)
        #expect(filter == MonitorFilter(name: "f", incomingInterface: "a", outgoingInterface: "b", logicalSystem: "c"))
    }

    @Test("a port above 65535 is a decode error naming the field")
    func portOutOfRange() {
        // filter { source_port (4) 70000 }
        let inner: [UInt8] = [0x20, 0xF0, 0xA2, 0x04]
        #expect(throws: DecodeError.self) { try OpsCodec.decodeSetMonitorFilter([0x0A, UInt8(inner.count)] + inner) }
        do {
            _ = try OpsCodec.decodeSetMonitorFilter([0x0A, UInt8(inner.count)] + inner)
        } catch {
            #expect(error.message.contains("source_port"))
        }
    }

    @Test("ClearMonitorFilterRequest and ReadLogRequest carry their name; empty means all")
    func names() throws {
        #expect(try OpsCodec.decodeClearMonitorFilter(OpsCodec.encodeClearMonitorFilter(name: "f1")) == "f1")
        #expect(OpsCodec.encodeClearMonitorFilter(name: "").isEmpty)
        #expect(try OpsCodec.decodeClearMonitorFilter([]) == "")
        #expect(try OpsCodec.decodeReadLogRequest(OpsCodec.encodeReadLogRequest(name: "trace.log.0")) == "trace.log.0")
    }

    @Test("SetMonitorFileRequest round-trips size, files, match and world-readable")
    func fileRoundTrip() throws {
        let file = MonitorFile(name: "trace.log", size: 1_073_741_824, files: 1000, match: "RT|matched", worldReadable: true)
        #expect(try OpsCodec.decodeSetMonitorFile(OpsCodec.encodeSetMonitorFile(file)) == file)
        let defaults = MonitorFile(name: "t")
        #expect(try OpsCodec.decodeSetMonitorFile(OpsCodec.encodeSetMonitorFile(defaults)) == defaults)
    }

    @Test("MonitorStatus round-trips the flag, the file settings and the filters in order")
    func statusRoundTrip() throws {
        let status = MonitorStatus(
            active: true, traceFile: "/var/log/flowtel/trace.log", basicDatapath: true,
            file: MonitorFile(name: "trace.log", size: 10_240, files: 3, match: "matched", worldReadable: false),
            filters: [Self.fullFilter, MonitorFilter(name: "icmp-only", protocol: "icmp")])
        #expect(try OpsCodec.decodeMonitorStatus(OpsCodec.encodeMonitorStatus(status)) == status)
    }

    @Test("an inactive MonitorStatus without a file encodes to no bytes")
    func emptyStatus() throws {
        #expect(OpsCodec.encodeMonitorStatus(MonitorStatus()).isEmpty)
        #expect(try OpsCodec.decodeMonitorStatus([]) == MonitorStatus())
    }

    @Test("ReadLogResponse chunks carry arbitrary bytes exactly")
    func chunks() throws {
        let data: [UInt8] = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let encoded = data.withUnsafeBytes { OpsCodec.encodeReadLogChunk($0) }
        #expect(try OpsCodec.decodeReadLogChunk(encoded) == data)
        #expect(try OpsCodec.decodeReadLogChunk([]) == [])
    }

    @Test("malformed monitoring messages are decode errors")
    func malformed() {
        #expect(throws: DecodeError.self) { try OpsCodec.decodeMonitorStatus([0x1A, 0x05, 0x01]) }
        #expect(throws: DecodeError.self) { try OpsCodec.decodeSetMonitorFile([0x0A, 0x09]) }
        #expect(throws: DecodeError.self) { try OpsCodec.decodeReadLogChunk([0x0A]) }
    }
}
