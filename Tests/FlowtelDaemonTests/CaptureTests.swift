import FlowtelCore
import FlowtelDaemon
import FlowtelSubscriber
import Foundation
import NetworkTestSupport
import Logging
import PacketIO
import Packets
import Synchronization
import Testing

/// Hand-built Ethernet frames for capture tests, written from the header layouts (RFC 791,
/// 768, 793, 792, IEEE 802.1Q). Checksums are left 0: the decoder does not verify them.
enum TestFrames {
    static let source: [UInt8] = [10, 0, 0, 1]
    static let destination: [UInt8] = [10, 0, 0, 2]

    static func ethernet(_ payload: [UInt8], vlan: UInt16? = nil, etherType: UInt16 = 0x0800) -> [UInt8] {
        var frame: [UInt8] = [0x02, 0, 0, 0, 0, 0x02] + [0x02, 0, 0, 0, 0, 0x01]
        if let vlan { frame += be16(0x8100) + be16(vlan) }
        return frame + be16(etherType) + payload
    }

    /// An IPv4 header (20 bytes unless `headerWords` says otherwise) and `payload`.
    static func ipv4(protocol proto: UInt8, _ payload: [UInt8], flagsAndOffset: UInt16 = 0, headerWords: UInt8 = 5) -> [UInt8] {
        let total = UInt16(20 + payload.count)
        var header: [UInt8] = [0x40 | headerWords, 0] + be16(total) + be16(0x1234) + be16(flagsAndOffset)
        header += [64, proto, 0, 0] + source + destination
        return header + payload
    }

    static func udp(sourcePort: UInt16, destinationPort: UInt16, _ data: [UInt8]) -> [UInt8] {
        be16(sourcePort) + be16(destinationPort) + be16(UInt16(8 + data.count)) + be16(0) + data
    }

    static func tcpSYN(sourcePort: UInt16, destinationPort: UInt16) -> [UInt8] {
        be16(sourcePort) + be16(destinationPort) + [0, 0, 0, 1] + [0, 0, 0, 0] + [0x50, 0x02] + be16(65535) + be16(0)
            + be16(0)
    }

    static func icmpEcho() -> [UInt8] { [8, 0, 0, 0, 0, 1, 0, 1] + Array("ping".utf8) }

    static func be16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }

    /// The capture the daemon tests replay: 5 frames, 250 bytes.
    /// 1. TCP SYN; 2. UDP; 3. ICMP echo in VLAN 100; 4. the first fragment of a UDP datagram
    /// (more-fragments set); 5. an IPv4 header claiming 12 bytes (malformed:
    /// ipv4HeaderLengthTooSmall).
    static let sample: [[UInt8]] = [
        ethernet(ipv4(protocol: 6, tcpSYN(sourcePort: 40000, destinationPort: 443))),
        ethernet(ipv4(protocol: 17, udp(sourcePort: 1234, destinationPort: 53, Array("abcd".utf8)))),
        ethernet(ipv4(protocol: 1, icmpEcho()), vlan: 100),
        ethernet(ipv4(protocol: 17, udp(sourcePort: 1234, destinationPort: 53, Array("abcd".utf8)), flagsAndOffset: 0x2000)),
        ethernet(ipv4(protocol: 6, tcpSYN(sourcePort: 40000, destinationPort: 443), headerWords: 3)),
    ]
    static var sampleBytes: Int { sample.reduce(0) { $0 + $1.count } }

    /// Writes `frames` to a new pcap file in a new temporary directory; returns its path.
    static func writePcap(_ frames: [[UInt8]] = sample, name: String = "sample.pcap") throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flowtel-capture-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent(name).path
        let writer = try PcapWriter.create(path: path, linkType: .ethernet)
        for (index, frame) in frames.enumerated() {
            try writer.append(timestamp: Timestamp(unixNanos: UInt64(1_700_000_000 + index) * 1_000_000_000), bytes: frame)
        }
        try writer.close()
        return path
    }
}

/// Runs a binary to completion and collects its output.
enum Run {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func binary(_ name: String, _ arguments: [String], timeout: TimeInterval = 30) throws -> Output {
        let process = Process()
        process.executableURL = Binaries.url(name)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        if !Binaries.waitForExit(process, timeout: timeout) {
            process.terminate()
            process.waitUntilExit()
        }
        return Output(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }
}

/// Polls flowteld's GetFlowStatistics until `ready` holds (or 15 s pass); returns the last answer.
func flowStatistics(port: Int, until ready: (FlowStatistics) -> Bool) throws -> FlowStatistics {
    let client = try SubscriptionClient(configuration: SubscriptionConfiguration(target: "127.0.0.1:\(port)"))
    defer { client.close() }
    let deadline = Date().addingTimeInterval(15)
    var statistics = try client.flowStatistics()
    while !ready(statistics) && Date() < deadline {
        usleep(50_000)
        statistics = try client.flowStatistics()
    }
    return statistics
}

func stop(_ process: Process) {
    process.terminate()
    _ = Binaries.waitForExit(process, timeout: 15)
}

@Suite("flowteld packet sources", .serialized)
struct CaptureTests {
    /// What every daemon replaying ``TestFrames/sample`` must report for the file.
    static func expectSample(_ source: CaptureSourceStatistics, name: String) {
        #expect(source.name == name)
        #expect(source.kind == .file)
        #expect(source.state == .finished)
        #expect(source.error == "")
        #expect(source.packets == 5)
        #expect(source.bytes == UInt64(TestFrames.sampleBytes))
        #expect(source.malformed == 1)
        #expect(source.fragments == 1)
        #expect(source.skippedRecords == 0)
        #expect(source.kernelReceived == 0 && source.kernelDrops == 0 && source.interfaceDrops == 0)
        #expect(source.decodeErrors == [.init(kind: "ipv4HeaderLengthTooSmall", count: 1)])
    }

    @Test("--replay: the file is decoded once and GetFlowStatistics and the CLI report it exactly")
    func captureFile() throws {
        let path = try TestFrames.writePcap()
        let (daemon, port, _) = try Binaries.startDaemon(["--replay", path])
        defer { stop(daemon) }

        let statistics = try flowStatistics(port: port) { $0.sources.first?.state == .finished }
        #expect(statistics.currentSessions == 0)
        #expect(statistics.packetsReceived == 5)
        #expect(statistics.packetsMalformed == 1)
        #expect(statistics.fragmentPackets == 1)
        #expect(statistics.packetsDropped == 0)
        #expect(statistics.sources.count == 1)
        Self.expectSample(try #require(statistics.sources.first), name: path)

        let output = try Run.binary("flowtel", ["show", "security", "flow", "statistics", "--target", "127.0.0.1:\(port)"])
        #expect(output.status == 0)
        let lines = output.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(Array(lines.prefix(8)) == [
            "    Current sessions: 0",
            "    Packets received: 5",
            "    Packets transmitted: 0",
            "    Packets forwarded/queued: 0",
            "    Packets copied: 0",
            "    Packets dropped: 0",
            "    Fragment packets: 1",
            "    Malformed packets: 1",
        ])
        #expect(lines.contains("Packet sources: 1"))
        let row = try #require(lines.first { $0.hasPrefix(path) })
        #expect(row.split(separator: " ") == [path, "file", "finished", "5", "250", "1", "1", "-", "-"].map { Substring($0) })
        #expect(lines.contains("    Decode errors: ipv4HeaderLengthTooSmall 1"))

        // A finished file leaves the daemon serving, and it still stops cleanly.
        daemon.terminate()
        #expect(Binaries.waitForExit(daemon, timeout: 15))
        #expect(daemon.terminationStatus == 0)
    }

    @Test("--speed paces a capture file by its timestamps: 4 s of capture at 8x take at least 0.5 s")
    func speed() throws {
        let path = try TestFrames.writePcap()
        let started = Date()
        let (daemon, port, _) = try Binaries.startDaemon(["--replay", path, "--speed", "8"])
        defer { stop(daemon) }
        let statistics = try flowStatistics(port: port) { $0.sources.first?.state == .finished }
        #expect(Date().timeIntervalSince(started) >= 0.5)
        Self.expectSample(try #require(statistics.sources.first), name: path)
    }

    @Test("--loop replays a file again and again until the daemon stops; pacing flags exclude each other")
    func loop() throws {
        let path = try TestFrames.writePcap()
        let (daemon, port, _) = try Binaries.startDaemon(["--replay", path, "--speed", "100", "--loop"])
        let statistics = try flowStatistics(port: port) { ($0.sources.first?.packets ?? 0) >= 15 }
        let source = try #require(statistics.sources.first)
        #expect(source.packets >= 15 && source.state == .running)
        // Every pass counts the same frames: the malformed one once per pass.
        #expect(source.malformed * 5 >= source.packets - 5)
        daemon.terminate()
        #expect(Binaries.waitForExit(daemon, timeout: 15))
        #expect(daemon.terminationStatus == 0)
        let both = try Run.binary("flowteld", ["--listen", "127.0.0.1:0", "--replay", path, "--speed", "2", "--replay-rate", "5"])
        #expect(both.status != 0 && both.stderr.contains("--replay-rate, --speed and --max exclude each other"))
    }

    @Test("--replay-rate paces a capture file: 5 packets at 10 per second take at least 0.4 s")
    func replayRate() throws {
        let path = try TestFrames.writePcap()
        let started = Date()
        let (daemon, port, _) = try Binaries.startDaemon(["--replay", path, "--replay-rate", "10"])
        defer { stop(daemon) }
        let statistics = try flowStatistics(port: port) { $0.sources.first?.state == .finished }
        #expect(Date().timeIntervalSince(started) >= 0.4)
        Self.expectSample(try #require(statistics.sources.first), name: path)
    }

    @Test("--config: services flowtel listen, replay-buffer-size and a relative capture file take effect")
    func configuration() throws {
        let capture = try TestFrames.writePcap(name: "lab.pcap")
        let directory = URL(fileURLWithPath: capture).deletingLastPathComponent()
        let config = directory.appendingPathComponent("flowteld.conf")
        try """
            system {
                host-name lab-fw;
            }
            services {
                flowtel {
                    listen {
                        address 127.0.0.1;
                        port 0;
                    }
                    replay-buffer-size 1m;
                    subscriber-queue-size 64k;
                    capture {
                        file lab.pcap;
                    }
                }
            }

            """.write(to: config, atomically: true, encoding: .utf8)

        // The configuration alone: port 0 means a port file with a real port; system
        // host-name is the node name on every event.
        let (daemon, port) = try Self.start(["--config", config.path, "--test-publisher", "samples"], in: directory)
        defer { stop(daemon) }
        let client = try SubscriptionClient(configuration: SubscriptionConfiguration(target: "127.0.0.1:\(port)"))
        defer { client.close() }
        #expect(try client.busStatistics().ringCapacityBytes == 1 << 20)
        let events = try Run.binary(
            "flowtel", ["subscribe", "--target", "127.0.0.1:\(port)", "--from-oldest", "--max-events", "1"])
        #expect(events.status == 0)
        #expect(events.stdout.contains(#""node":"lab-fw""#))
        let statistics = try flowStatistics(port: port) { $0.sources.first?.state == .finished }
        #expect(statistics.sources.count == 1)
        Self.expectSample(try #require(statistics.sources.first), name: capture)

        // Flags win over the configuration; --replay replaces its capture statements.
        let other = try TestFrames.writePcap(TestFrames.sample.prefix(2).map { $0 }, name: "other.pcap")
        let (second, secondPort) = try Self.start(
            ["--config", config.path, "--replay-buffer-size", "\(2 << 20)", "--replay", other], in: directory)
        defer { stop(second) }
        let secondClient = try SubscriptionClient(configuration: SubscriptionConfiguration(target: "127.0.0.1:\(secondPort)"))
        defer { secondClient.close() }
        #expect(try secondClient.busStatistics().ringCapacityBytes == 2 << 20)
        let secondStatistics = try flowStatistics(port: secondPort) { $0.sources.first?.state == .finished }
        #expect(secondStatistics.sources.map(\.name) == [other])
        #expect(secondStatistics.packetsReceived == 2)
    }

    /// Starts flowteld with `arguments` and a port file in `directory` (no --listen).
    static func start(_ arguments: [String], in directory: URL) throws -> (Process, Int) {
        let portFile = directory.appendingPathComponent("port-\(UUID().uuidString)")
        let process = Process()
        process.executableURL = Binaries.url("flowteld")
        process.arguments = arguments + ["--port-file", portFile.path]
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline && process.isRunning {
            if let text = try? String(contentsOf: portFile, encoding: .utf8),
                let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                return (process, port)
            }
            usleep(20_000)
        }
        stop(process)
        throw CocoaError(.fileReadNoSuchFile)
    }

    @Test("--config with an error: file:line:column in standard error, exit status 1")
    func badConfiguration() throws {
        let path = try ConfigCommandTests.write(
            """
            set system host-name fw1
            set services flowtel listen port 99999

            """, name: "bad.set")
        let output = try Run.binary("flowteld", ["--config", path, "--listen", "127.0.0.1:0"])
        #expect(output.status == 1)
        #expect(output.stderr.contains("\(path):2:"))
        #expect(output.stderr.contains(": error: "))
        #expect(output.stderr.contains("99999"))
    }

    @Test("--config naming a file that does not exist: a clear message, exit status 1")
    func unreadableConfiguration() throws {
        let output = try Run.binary("flowteld", ["--config", "/nonexistent/flowteld.conf"])
        #expect(output.status == 1)
        #expect(output.stderr.contains("/nonexistent/flowteld.conf"))
    }

    @Test("a capture file that cannot be opened is a start-up error naming it, exit status 1")
    func missingCaptureFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("missing-\(UUID().uuidString).pcap").path
        let output = try Run.binary("flowteld", ["--listen", "127.0.0.1:0", "--replay", path])
        #expect(output.status == 1)
        #expect(output.stderr.contains("capture file \(path)"))
        #expect(output.stderr.contains("No such file or directory"))
    }

    @Test("a file that is not a capture is a start-up error naming it, exit status 1")
    func notACapture() throws {
        let path = try ConfigCommandTests.write("not a pcap\n", name: "text.pcap")
        let output = try Run.binary("flowteld", ["--listen", "127.0.0.1:0", "--replay", path])
        #expect(output.status == 1)
        #expect(output.stderr.contains("capture file \(path): not a pcap or pcapng file"))
    }

    @Test("a capture interface that does not exist is a start-up error naming it, exit status 1")
    func missingInterface() throws {
        let output = try Run.binary("flowteld", ["--listen", "127.0.0.1:0", "--capture", "flowtel-nope0"])
        #expect(output.status == 1)
        #expect(output.stderr.contains("capture interface flowtel-nope0"))
    }
}

/// The packet sources in process: what the next stage (the flow engine) will receive.
@Suite("PacketSources")
struct PacketSourcesTests {
    /// Tests never bootstrap logging: the sources log into nothing.
    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    final class CollectingSink: PacketSink {
        struct Received: Sendable {
            var source: PacketSourceID
            var count: Int
            var vlans: [UInt16?]
            var fragments: Int
            var frameBytes: Int
        }

        let batches = Mutex<[Received]>([])

        func receive(_ batch: PacketBatch) {
            let received = Received(
                source: batch.source, count: batch.packets.count,
                vlans: batch.packets.map { $0.packet.link.vlan?.outer },
                fragments: batch.packets.filter { $0.packet.ip?.fragment != nil }.count,
                frameBytes: batch.packets.reduce(0) { $0 + $1.frame.count })
            batches.withLock { $0.append(received) }
        }
    }

    @Test("a file source hands the decoded packets to the sink in a batch, the malformed one counted, not sent")
    func fileSourceBatches() throws {
        let path = try TestFrames.writePcap()
        let sink = CollectingSink()
        let sources = try PacketSources.open([.file(path: path)], sink: sink, logger: Self.logger)
        try sources.start()
        sources.join()
        let batches = sink.batches.withLock { $0 }
        #expect(batches.count == 1)
        let batch = try #require(batches.first)
        #expect(batch.source == PacketSourceID(index: 0, name: path, kind: .file))
        #expect(batch.count == 4)
        #expect(batch.vlans == [nil, nil, 100, nil])
        #expect(batch.fragments == 1)
        #expect(batch.frameBytes == TestFrames.sampleBytes - TestFrames.sample[4].count)
        CaptureTests.expectSample(try #require(sources.statistics().first), name: path)
    }

    @Test("a source given twice is refused")
    func duplicate() throws {
        let path = try TestFrames.writePcap()
        #expect(throws: DaemonError.self) {
            try PacketSources.open([.file(path: path), .file(path: path)], sink: DiscardingPacketSink(), logger: Self.logger)
        }
    }

    @Test("statistics sum the sources", arguments: [0, 1, 3])
    func sums(count: Int) {
        let source = CaptureSourceStatistics(
            name: "eth0", kind: .interface, packets: 10, bytes: 1000, malformed: 2, fragments: 3, skippedRecords: 1,
            kernelReceived: 12, kernelDrops: 4, interfaceDrops: 5)
        let total = FlowStatistics(summing: Array(repeating: source, count: count))
        #expect(total.packetsReceived == UInt64(10 * count))
        #expect(total.packetsMalformed == UInt64(3 * count))
        #expect(total.fragmentPackets == UInt64(3 * count))
        #expect(total.packetsDropped == UInt64(4 * count))
        #expect(total.currentSessions == 0)
    }
}

/// flowteld capturing live on a veth pair whose far end sits in a private network namespace.
/// Traffic goes from the namespace to the root end's 10.251.x.1/30 address only.
@Suite(
    "flowteld live capture", .serialized,
    .enabled(if: VethPair.isSupported, "needs root and `ip netns` (network namespaces); skipped"))
struct LiveCaptureDaemonTests {
    @Test("--capture counts ICMP echo requests, a fragment and kernel counters; SIGTERM stops it")
    func liveInterface() throws {
        let pair = try VethPair(prefix: "fd", network: 251)
        defer { pair.remove() }
        let (daemon, port, _) = try Binaries.startDaemon(["--capture", pair.rootInterface])
        defer { stop(daemon) }

        // 3 echo requests (and their replies), then a UDP datagram sent as 2 IPv4 fragments.
        try pair.runInNamespace(["python3", "-c", """
            import socket, struct
            def checksum(data):
                total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
                total = (total >> 16) + (total & 0xFFFF)
                return ~(total + (total >> 16)) & 0xFFFF
            s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
            s.settimeout(1)
            for seq in range(1, 4):
                body = struct.pack("!HH", 0x4654, seq) + b"flowtel!"
                header = struct.pack("!BBH", 8, 0, checksum(struct.pack("!BBH", 8, 0, 0) + body))
                s.sendto(header + body, ("\(pair.rootAddress)", 0))
                s.recvfrom(1024)
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            u.setsockopt(socket.IPPROTO_IP, 10, 0)  # IP_MTU_DISCOVER = IP_PMTUDISC_DONT: fragment
            u.sendto(b"x" * 2000, ("\(pair.rootAddress)", 40001))
            """])

        let statistics = try flowStatistics(port: port) { statistics in
            guard let source = statistics.sources.first else { return false }
            return source.packets >= 8 && source.fragments >= 2 && source.kernelReceived >= source.packets
        }
        let source = try #require(statistics.sources.first)
        #expect(source.name == pair.rootInterface)
        #expect(source.kind == .interface)
        #expect(source.state == .running)
        #expect(source.packets >= 8)  // 3 requests, 3 replies, 2 fragments, maybe more (ARP, IPv6 ND)
        #expect(source.fragments >= 2)
        #expect(source.malformed == 0)
        #expect(source.kernelReceived >= source.packets)
        #expect(source.kernelDrops == 0)
        #expect(statistics.packetsReceived == source.packets)
        #expect(statistics.fragmentPackets == source.fragments)

        daemon.terminate()
        #expect(Binaries.waitForExit(daemon, timeout: 15))
        #expect(daemon.terminationStatus == 0)
    }
}
