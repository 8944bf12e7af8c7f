import FlowEngine
import FlowtelCore
@testable import FlowtelDaemon
import Foundation
import JunosConfig
import Packets
import Testing

/// Frames and a configuration for the flow-monitoring tests, written from the header layouts
/// (RFC 791, 793, 768, 792). Checksums are 0: the decoder does not verify them.
enum MonitorFixture {
    static let config = """
        set system host-name monitor-test
        set interfaces ge-0/0/0 unit 0 family inet address 192.0.2.2/24
        set interfaces ge-0/0/1 unit 0 family inet address 10.0.0.1/24
        set routing-options static route 0.0.0.0/0 next-hop 192.0.2.1
        set security zones security-zone untrust interfaces ge-0/0/0.0
        set security zones security-zone trust interfaces ge-0/0/1.0
        set security policies from-zone trust to-zone untrust policy web match source-address any destination-address any application junos-https
        set security policies from-zone trust to-zone untrust policy web then permit

        """
    static let traceoptionsLine = "set security flow traceoptions file flow.log\n"

    static func device(_ text: String = config) throws -> DeviceConfig {
        try DeviceConfig.load(text: text, file: "monitor.set").config
    }

    static func ipv4(_ source: String, _ destination: String, protocol proto: UInt8, id: UInt16, _ payload: [UInt8]) -> [UInt8] {
        let src = IPAddress(source)!.bytes
        let dst = IPAddress(destination)!.bytes
        let total = UInt16(20 + payload.count)
        let header: [UInt8] = [0x45, 0] + be16(total) + be16(id) + [0, 0, 64, proto, 0, 0] + src + dst
        let ethernet: [UInt8] = [0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00]
        return ethernet + header + payload
    }

    static func tcp(_ source: String, _ sourcePort: UInt16, _ destination: String, _ destinationPort: UInt16, flags: UInt8, id: UInt16) -> [UInt8] {
        let segment = be16(sourcePort) + be16(destinationPort) + [0, 0, 0, 1, 0, 0, 0, 0, 0x50, flags] + be16(65535) + [0, 0, 0, 0]
        return ipv4(source, destination, protocol: 6, id: id, segment)
    }

    static func udp(_ source: String, _ sourcePort: UInt16, _ destination: String, _ destinationPort: UInt16, id: UInt16) -> [UInt8] {
        let datagram = be16(sourcePort) + be16(destinationPort) + be16(12) + [0, 0] + Array("abcd".utf8)
        return ipv4(source, destination, protocol: 17, id: id, datagram)
    }

    static func icmpEcho(_ source: String, _ destination: String, identifier: UInt16, sequence: UInt16, id: UInt16) -> [UInt8] {
        ipv4(source, destination, protocol: 1, id: id, [8, 0, 0, 0] + be16(identifier) + be16(sequence))
    }

    static func be16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }

    /// A client's HTTPS handshake (permitted by `web`), a UDP packet and an HTTP SYN (both
    /// denied by the default policy), and a ping from the Internet (denied, untrust → trust).
    static let traffic: [[UInt8]] = [
        tcp("10.0.0.5", 40000, "203.0.113.9", 443, flags: 0x02, id: 1),
        tcp("203.0.113.9", 443, "10.0.0.5", 40000, flags: 0x12, id: 2),
        tcp("10.0.0.5", 40000, "203.0.113.9", 443, flags: 0x10, id: 3),
        udp("10.0.0.5", 1234, "203.0.113.9", 53, id: 4),
        tcp("10.0.0.6", 40001, "198.51.100.1", 80, flags: 0x02, id: 5),
        icmpEcho("198.51.100.7", "10.0.0.5", identifier: 7, sequence: 1, id: 6),
    ]

    /// The time of the first packet: 2026-01-01 00:00:00 UTC; packets follow 1 ms apart.
    static let start: UInt64 = 1_767_225_600_000_000_000

    static func decode(_ frame: [UInt8]) throws -> DecodedPacket {
        try PacketDecoder(linkType: .ethernet).decode(frame)
    }

    /// Feeds `frames` to `engine`, one batch each, as a live source would.
    static func feed(_ engine: FlowEngineSink, _ frames: [[UInt8]], start: UInt64 = start) throws {
        let source = PacketSourceID(index: 0, name: "test0", kind: .interface)
        for (index, frame) in frames.enumerated() {
            let packet = try decode(frame)
            frame.withUnsafeBytes { raw in
                let captured = [
                    CapturedPacket(
                        timestamp: Timestamp(unixNanos: start + UInt64(index) * 1_000_000), packet: packet, frame: raw,
                        interfaceIndex: 0)
                ]
                captured.withUnsafeBufferPointer { engine.receive(PacketBatch(source: source, packets: $0)) }
            }
        }
    }

    static func temporaryDirectory() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("flowtel-monitor-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    static func engine(_ text: String = config) throws -> FlowEngineSink {
        FlowEngineSink(config: try device(text), hub: EventHub(bootID: .random(), node: "monitor-test"))
    }
}

@Suite("flow monitoring: filters, trace lines, trace file")
struct FlowMonitorTests {
    static func traced(_ frame: [UInt8]) throws -> TracedPacket {
        try #require(TracedPacket(try MonitorFixture.decode(frame)))
    }

    static let zones = ZoneMap(config: try! MonitorFixture.device())

    @Test(
        "filters match on prefixes, ports, protocol and interfaces, every criterion at once",
        arguments: [
            (MonitorFilter(name: "all"), [true, true, true, true, true, true]),
            (MonitorFilter(name: "f", sourcePrefix: "10.0.0.5"), [true, false, true, true, false, false]),
            (MonitorFilter(name: "f", sourcePrefix: "10.0.0.0/24"), [true, false, true, true, true, false]),
            (MonitorFilter(name: "f", destinationPrefix: "203.0.113.0/24"), [true, false, true, true, false, false]),
            (MonitorFilter(name: "f", destinationPort: 443), [true, false, true, false, false, false]),
            (MonitorFilter(name: "f", sourcePort: 443), [false, true, false, false, false, false]),
            (MonitorFilter(name: "f", protocol: "udp"), [false, false, false, true, false, false]),
            (MonitorFilter(name: "f", protocol: "1"), [false, false, false, false, false, true]),
            (MonitorFilter(name: "f", sourcePrefix: "10.0.0.5", destinationPort: 443, protocol: "tcp"), [true, false, true, false, false, false]),
            (MonitorFilter(name: "f", incomingInterface: "ge-0/0/1"), [true, false, true, true, true, false]),
            (MonitorFilter(name: "f", outgoingInterface: "ge-0/0/1.0"), [false, true, false, false, false, true]),
            (MonitorFilter(name: "f", interface: "ge-0/0/0.0"), [true, true, true, true, true, true]),
            (MonitorFilter(name: "f", logicalSystem: "root-logical-system"), [true, true, true, true, true, true]),
            (MonitorFilter(name: "f", logicalSystem: "LSYS1"), [false, false, false, false, false, false]),
            (MonitorFilter(name: "f", sourcePrefix: "2001:db8::/32"), [false, false, false, false, false, false]),
        ] as [(MonitorFilter, [Bool])])
    func matching(filter: MonitorFilter, expected: [Bool]) throws {
        let compiled = try CompiledMonitorFilter(filter)
        for (frame, expect) in zip(MonitorFixture.traffic, expected) {
            let packet = try Self.traced(frame)
            let matched = compiled.matches(packet, interfaces: PacketInterfaces(packet, zones: Self.zones))
            #expect(matched == expect, "\(filter) on \(packet.source) -> \(packet.destination)")
        }
    }

    @Test("filters are normalised: prefixes masked, protocol lower case, unit 0 added, root logical system empty")
    func normalised() throws {
        let compiled = try CompiledMonitorFilter(
            MonitorFilter(
                name: "f", sourcePrefix: "10.1.2.3/8", protocol: "TCP", interface: "reth0",
                logicalSystem: "root-logical-system"))
        #expect(compiled.filter.sourcePrefix == "10.0.0.0/8")
        #expect(compiled.filter.protocol == "tcp")
        #expect(compiled.filter.interface == "reth0.0")
        #expect(compiled.filter.logicalSystem == "")
    }

    @Test(
        "bad filters are refused, naming the criterion",
        arguments: [
            (MonitorFilter(name: ""), "filter name"),
            (MonitorFilter(name: "-x"), "filter name"),
            (MonitorFilter(name: "a b"), "filter name"),
            (MonitorFilter(name: "f", sourcePrefix: "10.0.0.300"), "source-prefix"),
            (MonitorFilter(name: "f", destinationPrefix: "10.0.0.0/33"), "destination-prefix"),
            (MonitorFilter(name: "f", protocol: "tcpx"), "protocol"),
            (MonitorFilter(name: "f", protocol: "256"), "protocol"),
            (MonitorFilter(name: "f", interface: "ge 0"), "interface"),
        ])
    func invalid(filter: MonitorFilter, field: String) {
        do {
            _ = try CompiledMonitorFilter(filter)
            Issue.record("accepted \(filter)")
        } catch {
            #expect(error.code == .invalidArgument)
            #expect(error.message.hasPrefix(field), "\(error.message)")
        }
    }

    @Test("trace lines: the Junos 'matched filter' line, the packet, the interfaces, then what the engine did")
    func traceLines() throws {
        let packet = try Self.traced(MonitorFixture.traffic[0])
        let time = Timestamp(unixNanos: 1_752_180_489_965_641_000)  // 2025-07-10 20:48:09.965641 UTC
        let interfaces = PacketInterfaces(packet, zones: Self.zones)
        let head = "Jul 10 20:48:09 20:48:09.965641:CID-0:RT:"
        let common = [
            head + "<10.0.0.5/40000->203.0.113.9/443;6> matched filter web:",
            head + "packet [40] ipid = 1, ttl 64",
            head + " flow_process_pkt: in_ifp ge-0/0/1.0, out_ifp ge-0/0/0.0",
            head + "  ge-0/0/1.0:10.0.0.5/40000->203.0.113.9/443, tcp, flag 2 syn",
        ]
        func lines(_ disposition: PacketDisposition) -> [String] {
            TraceFormatter.lines(filter: "web", packet: packet, time: time, disposition: disposition, interfaces: interfaces)
        }
        #expect(
            lines(.created(id: 7, policy: "web", fromZone: "trust", toZone: "untrust")) == common + [
                head + "  no session found, start first path.",
                head + "  policy search from zone trust-> zone untrust",
                head + "  permitted by policy web, session id 7 created",
            ])
        #expect(
            lines(.session(id: 7, fromClient: false)) == common + [
                head + "  flow got session.", head + "  flow session id 7, wing out",
            ])
        #expect(
            lines(.denied(policy: "deny-all", fromZone: "trust", toZone: "untrust")) == common + [
                head + "  no session found, start first path.",
                head + "  policy search from zone trust-> zone untrust",
                head + "  packet dropped, denied by policy deny-all",
            ])
        #expect(lines(.dropped("no route")) == common + [head + "  packet dropped, no route"])
    }

    @Test("trace lines: ICMP shows type and code, echo identifier and sequence as ports; days pad with a space")
    func icmpTrace() throws {
        let packet = try Self.traced(MonitorFixture.traffic[5])
        let lines = TraceFormatter.lines(
            filter: "ping", packet: packet, time: Timestamp(unixNanos: 1_767_225_600_000_001_000),
            disposition: .denied(policy: "default-policy-logical-system-00", fromZone: "untrust", toZone: "trust"),
            interfaces: PacketInterfaces(packet, zones: Self.zones))
        #expect(lines[0] == "Jan  1 00:00:00 00:00:00.000001:CID-0:RT:<198.51.100.7/7->10.0.0.5/1;1> matched filter ping:")
        #expect(lines[3].hasSuffix("  ge-0/0/0.0:198.51.100.7/7->10.0.0.5/1, icmp, (8/0)"))
    }

    @Test("the trace file rotates by size, keeping `files` files, oldest lines dropped, none split")
    func rotation() throws {
        let directory = try MonitorFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let writer = try TraceFileWriter.open(
            directory: directory, file: MonitorFile(name: "trace.log", size: 10_240, files: 3), match: nil)
        let lines = (0..<1000).map { "line \($0) " + String(repeating: "x", count: 90) }
        for chunk in stride(from: 0, to: lines.count, by: 7) {
            writer.write(Array(lines[chunk..<min(chunk + 7, lines.count)]))
        }
        writer.close()
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(names == ["trace.log", "trace.log.0", "trace.log.1"])
        var kept: [String] = []
        for name in ["trace.log.1", "trace.log.0", "trace.log"] {
            let text = try String(contentsOfFile: "\(directory)/\(name)", encoding: .utf8)
            #expect(text.utf8.count <= 10_240)
            #expect(text.hasSuffix("\n"))
            kept += text.split(separator: "\n").map(String.init)
        }
        // The newest lines survive, contiguous and in order.
        #expect(kept == Array(lines.suffix(kept.count)))
        #expect(kept.count > 200)
        #expect(writer.statistics.rotations >= 9)
    }

    @Test("with `files 2` only NAME and NAME.0 are kept")
    func twoFiles() throws {
        let directory = try MonitorFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let writer = try TraceFileWriter.open(
            directory: directory, file: MonitorFile(name: "t", size: 10_240, files: 2), match: nil)
        for index in 0..<2000 { writer.write(["\(index) " + String(repeating: "y", count: 40)]) }
        writer.close()
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["t", "t.0"])
    }

    @Test("trace files are 0640, or 0644 with world-readable, whatever the umask")
    func modes() throws {
        let directory = try MonitorFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (name, worldReadable, mode) in [("private.log", false, 0o640), ("public.log", true, 0o644)] {
            let writer = try TraceFileWriter.open(
                directory: directory, file: MonitorFile(name: name, size: 10_240, files: 2, worldReadable: worldReadable),
                match: nil)
            writer.close()
            let attributes = try FileManager.default.attributesOfItem(atPath: "\(directory)/\(name)")
            #expect((attributes[.posixPermissions] as? Int) == mode, "\(name)")
        }
    }

    @Test("`match` keeps only the lines its regular expression matches")
    func match() throws {
        let directory = try MonitorFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let writer = try TraceFileWriter.open(
            directory: directory, file: MonitorFile(name: "m.log", size: 10_240, files: 2),
            match: try POSIXRegex.compile("matched filter (web|dns):$"))
        writer.write(["<a> matched filter web:", "packet [40]", "<b> matched filter ssh:", "<c> matched filter dns:"])
        writer.close()
        let text = try String(contentsOfFile: "\(directory)/m.log", encoding: .utf8)
        #expect(text == "<a> matched filter web:\n<c> matched filter dns:\n")
        #expect(writer.statistics.linesSkipped == 2)
        #expect(writer.statistics.linesWritten == 2)
    }

    @Test("an invalid `match` expression is refused with regcomp's reason")
    func badRegex() {
        do {
            _ = try POSIXRegex.compile("(unclosed")
            Issue.record("accepted")
        } catch {
            #expect(error.code == .invalidArgument)
            #expect(error.message.hasPrefix("match: '(unclosed' is not a valid regular expression: "))
        }
    }

    @Test("buffered lines reach the file on flush, and the file is appended to, not truncated")
    func bufferingAndAppend() throws {
        let directory = try MonitorFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = MonitorFile(name: "a.log", size: 1 << 20, files: 2)
        let first = try TraceFileWriter.open(directory: directory, file: file, match: nil)
        first.write(["one"])
        first.flush()
        #expect(try String(contentsOfFile: "\(directory)/a.log", encoding: .utf8) == "one\n")
        first.close()
        let second = try TraceFileWriter.open(directory: directory, file: file, match: nil)
        second.write(["two"])
        second.close()
        #expect(try String(contentsOfFile: "\(directory)/a.log", encoding: .utf8) == "one\ntwo\n")
    }
}

@Suite("FlowMonitor with a flow engine")
struct FlowMonitorEngineTests {
    @Test("start is refused with the Junos texts without a file, then without a filter")
    func startPreconditions() throws {
        let monitor = FlowMonitor(logDirectory: try MonitorFixture.temporaryDirectory(), engine: try MonitorFixture.engine())
        #expect(throws: MonitorError.self) { try monitor.start() }
        do { try monitor.start() } catch {
            #expect(error.code == .failedPrecondition)
            #expect(error.message == "error: Please specify the monitor flow trace file.")
        }
        try monitor.setFile(MonitorFile(name: "t.log"))
        do { try monitor.start() } catch {
            #expect(error.code == .failedPrecondition)
            #expect(error.message == "error: Please specify monitor security flow filter.")
        }
        #expect(!monitor.isRunning)
    }

    @Test("start is refused while security flow traceoptions is configured")
    func traceoptions() throws {
        let engine = try MonitorFixture.engine(MonitorFixture.config + MonitorFixture.traceoptionsLine)
        let monitor = FlowMonitor(logDirectory: try MonitorFixture.temporaryDirectory(), engine: engine)
        try monitor.setFile(MonitorFile(name: "t.log"))
        try monitor.setFilter(MonitorFilter(name: "f"))
        do {
            try monitor.start()
            Issue.record("started")
        } catch {
            #expect(error.code == .failedPrecondition)
            #expect(error.message == FlowMonitor.traceoptionsConfiguredError)
        }
        #expect(!monitor.isRunning)
    }

    @Test("a commit adding traceoptions is refused only while monitoring runs")
    func refuseCommit() throws {
        let monitor = FlowMonitor(logDirectory: try MonitorFixture.temporaryDirectory(), engine: try MonitorFixture.engine())
        try monitor.setFile(MonitorFile(name: "t.log"))
        try monitor.setFilter(MonitorFilter(name: "f"))
        #expect(monitor.refuseCommit(addingTraceoptions: true) == nil)
        try monitor.start()
        #expect(monitor.refuseCommit(addingTraceoptions: true) == FlowMonitor.commitWhileMonitoringError)
        #expect(monitor.refuseCommit(addingTraceoptions: false) == nil)
        monitor.stop()
        #expect(monitor.refuseCommit(addingTraceoptions: true) == nil)
    }

    @Test("commit(addingTraceoptions:apply:) refuses without applying while monitoring runs, else applies")
    func commitThroughMonitor() throws {
        let monitor = FlowMonitor(logDirectory: try MonitorFixture.temporaryDirectory(), engine: try MonitorFixture.engine())
        try monitor.setFile(MonitorFile(name: "t.log"))
        try monitor.setFilter(MonitorFilter(name: "f"))
        var applied = 0
        #expect(monitor.commit(addingTraceoptions: true) { applied += 1 } == nil)
        try monitor.start()
        #expect(monitor.commit(addingTraceoptions: true) { applied += 1 } == FlowMonitor.commitWhileMonitoringError)
        #expect(monitor.commit(addingTraceoptions: false) { applied += 1 } == nil)
        #expect(applied == 2)
        #expect(monitor.isRunning)
        monitor.stop()
    }

    @Test(
        "the file's size and files are checked against the Junos limits; defaults fill in 0",
        arguments: [
            (UInt64(10_239), UInt32(3), "size 10239 is out of range (10240..1073741824 bytes)"),
            (UInt64(1_073_741_825), UInt32(3), "size 1073741825 is out of range (10240..1073741824 bytes)"),
            (UInt64(10_240), UInt32(1), "files 1 is out of range (2..1000)"),
            (UInt64(10_240), UInt32(1001), "files 1001 is out of range (2..1000)"),
        ])
    func fileLimits(size: UInt64, files: UInt32, message: String) throws {
        let monitor = FlowMonitor(logDirectory: "/nonexistent", engine: try MonitorFixture.engine())
        do {
            try monitor.setFile(MonitorFile(name: "t.log", size: size, files: files))
            Issue.record("accepted")
        } catch {
            #expect(error.code == .invalidArgument)
            #expect(error.message == message)
        }
        let status = try monitor.setFile(MonitorFile(name: "t.log"))
        #expect(status.file == MonitorFile(name: "t.log", size: MonitorFile.defaultSize, files: MonitorFile.defaultFiles))
        #expect(status.traceFile == "/nonexistent/t.log")
    }

    @Test("file and log names must be plain names in the log directory", arguments: ["", ".", "..", "../x", "a/b", "x..y", "/etc/passwd"])
    func names(name: String) throws {
        let monitor = FlowMonitor(logDirectory: "/nonexistent", engine: try MonitorFixture.engine())
        #expect(throws: MonitorError.self) { try monitor.setFile(MonitorFile(name: name)) }
        #expect(throws: MonitorError.self) { try monitor.logFilePath(name) }
    }

    @Test("start creates the log directory; monitoring traces matching packets only; stop clears the flag")
    func endToEnd() throws {
        let root = try MonitorFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let engine = try MonitorFixture.engine()
        let monitor = FlowMonitor(logDirectory: root + "/nested/log", engine: engine)
        try monitor.setFilter(MonitorFilter(name: "https", sourcePrefix: "10.0.0.0/24", destinationPort: 443, protocol: "tcp"))
        try monitor.setFilter(MonitorFilter(name: "replies", sourcePort: 443))
        try monitor.setFile(MonitorFile(name: "flow.log"))
        // Before start nothing is traced (and nothing is created).
        try MonitorFixture.feed(engine, [MonitorFixture.traffic[4]])
        #expect(!FileManager.default.fileExists(atPath: root + "/nested"))
        let started = try monitor.start()
        #expect(started.active && started.basicDatapath)
        try MonitorFixture.feed(engine, MonitorFixture.traffic)
        let stopped = monitor.stop()
        #expect(!stopped.active && !stopped.basicDatapath)
        #expect(stopped.filters.map(\.name) == ["https", "replies"])
        let text = try String(contentsOfFile: root + "/nested/log/flow.log", encoding: .utf8)
        let heads = text.split(separator: "\n").filter { $0.contains("matched filter") }.map {
            String($0.split(separator: ":CID-0:RT:").last ?? "")
        }
        #expect(
            heads == [
                "<10.0.0.5/40000->203.0.113.9/443;6> matched filter https:",
                "<203.0.113.9/443->10.0.0.5/40000;6> matched filter replies:",
                "<10.0.0.5/40000->203.0.113.9/443;6> matched filter https:",
            ])
        #expect(text.contains("  permitted by policy web, session id "))
        #expect(text.contains(", wing out\n"))
        #expect(text.split(separator: "\n").count == 7 + 6 + 6)
        // After stop, nothing more is traced.
        try MonitorFixture.feed(engine, MonitorFixture.traffic, start: MonitorFixture.start + 10_000_000_000)
        #expect(try String(contentsOfFile: root + "/nested/log/flow.log", encoding: .utf8) == text)
    }

    @Test("a filter added while monitoring runs takes effect at once; clearing all stops matches")
    func liveFilters() throws {
        let root = try MonitorFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let engine = try MonitorFixture.engine()
        let monitor = FlowMonitor(logDirectory: root, engine: engine)
        try monitor.setFilter(MonitorFilter(name: "none", protocol: "gre"))
        try monitor.setFile(MonitorFile(name: "live.log"))
        try monitor.start()
        try MonitorFixture.feed(engine, [MonitorFixture.traffic[3]])
        try monitor.setFilter(MonitorFilter(name: "udp", protocol: "udp"))
        try MonitorFixture.feed(engine, [MonitorFixture.traffic[3]], start: MonitorFixture.start + 1_000_000_000)
        try monitor.clearFilter(named: "")
        try MonitorFixture.feed(engine, [MonitorFixture.traffic[3]], start: MonitorFixture.start + 2_000_000_000)
        #expect(throws: MonitorError.self) { try monitor.clearFilter(named: "udp") }
        monitor.stop()
        let text = try String(contentsOfFile: root + "/live.log", encoding: .utf8)
        #expect(text.components(separatedBy: "matched filter udp:").count == 2)
        #expect(text.contains("  packet dropped, denied by policy default-policy-logical-system-00\n"))
    }

    @Test("while monitoring runs, buffered lines reach the file within about a second, with no further traffic")
    func periodicFlush() throws {
        let root = try MonitorFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let engine = try MonitorFixture.engine()
        let monitor = FlowMonitor(logDirectory: root, engine: engine)
        try monitor.setFilter(MonitorFilter(name: "udp", protocol: "udp"))
        try monitor.setFile(MonitorFile(name: "flush.log"))
        try monitor.start()
        defer { monitor.stop() }
        try MonitorFixture.feed(engine, [MonitorFixture.traffic[3]])
        let deadline = Date().addingTimeInterval(5)
        // Polls the size, not the text: Foundation leaks a buffer reading an empty file.
        func size() -> Int {
            ((try? FileManager.default.attributesOfItem(atPath: root + "/flush.log"))?[.size] as? Int) ?? 0
        }
        while size() == 0 && Date() < deadline { usleep(50_000) }
        #expect(try String(contentsOfFile: root + "/flush.log", encoding: .utf8).contains("matched filter udp:"))
    }

    @Test("start fails with a clear error when the log directory cannot be created")
    func unwritableDirectory() throws {
        let root = try MonitorFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try "not a directory".write(toFile: root + "/file", atomically: true, encoding: .utf8)
        let monitor = FlowMonitor(logDirectory: root + "/file/log", engine: try MonitorFixture.engine())
        try monitor.setFilter(MonitorFilter(name: "f"))
        try monitor.setFile(MonitorFile(name: "t.log"))
        do {
            try monitor.start()
            Issue.record("started")
        } catch {
            #expect(error.code == .io)
            #expect(error.message.hasPrefix("cannot create log directory \(root)/file/log (at \(root)/file): "))
            #expect(error.message.hasSuffix("give flowteld a writable --log-dir"))
        }
        #expect(!monitor.isRunning)
    }
}
