import FlowtelCore
import Foundation
import Testing

/// `flowteld --generate`: the traffic generator as a live source.
@Suite("flowteld traffic generator source", .serialized)
struct GeneratorSourceTests {
    static let config = """
        set system host-name gen-test
        set interfaces ge-0/0/0 unit 0 family inet address 192.0.2.2/24
        set interfaces ge-0/0/1 unit 0 family inet address 10.0.0.1/24
        set routing-options static route 0.0.0.0/0 next-hop 192.0.2.1
        set security zones security-zone untrust interfaces ge-0/0/0.0
        set security zones security-zone trust interfaces ge-0/0/1.0
        set security policies from-zone trust to-zone untrust policy out match source-address any destination-address any application [ junos-http junos-dns-udp ]
        set security policies from-zone trust to-zone untrust policy out then permit
        set security policies default-policy permit-all
        set services flowtel capture interface flowtel-no-such-if0

        """

    @Test("generated sessions reach the daemon in real time, packet for packet what flowtel generate writes")
    func matchesOfflineGeneration() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flowtel-gen-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let configPath = directory.appendingPathComponent("gen.set").path
        try Self.config.write(toFile: configPath, atomically: true, encoding: .utf8)

        // The same plan, seed and session count offline.
        let pcap = directory.appendingPathComponent("gen.pcap").path
        let offline = try Run.binary(
            "flowtel", ["generate", "--config", configPath, "--sessions", "150", "--seed", "5", "--rate", "1000", "--out", pcap])
        #expect(offline.status == 0)
        let packetsLine = try #require(offline.stdout.split(separator: "\n").first { $0.hasPrefix("packets ") })
        let expectedPackets = try #require(UInt64(packetsLine.split(separator: " ")[1]))
        let bytesText = try #require(packetsLine.split(separator: " ").last)
        let expectedBytes = try #require(UInt64(bytesText))

        // --generate replaces the configuration's capture statements (its interface does not exist).
        let (daemon, port, _) = try Binaries.startDaemon([
            "--config", configPath, "--generate", "1000", "--generate-seed", "5", "--generate-sessions", "150",
        ])
        defer { stop(daemon) }
        let statistics = try flowStatistics(port: port) { $0.sources.first?.state == .finished }
        let source = try #require(statistics.sources.first)
        #expect(statistics.sources.count == 1)
        #expect(source.kind == .generator && source.name == "generator")
        #expect(source.state == .finished)
        #expect(source.packets == expectedPackets)
        #expect(source.bytes == expectedBytes)
        #expect(source.malformed == 0)
        #expect(statistics.packetsReceived == expectedPackets)
    }

    @Test("--generate needs a configuration, and a positive rate")
    func refusesWithoutConfiguration() throws {
        let missing = try Run.binary("flowteld", ["--listen", "127.0.0.1:0", "--generate", "10"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("--generate plays a configuration's policies: give --config"))
        let zero = try Run.binary("flowteld", ["--listen", "127.0.0.1:0", "--generate", "0"])
        #expect(zero.status != 0)
        #expect(zero.stderr.contains("--generate must be a positive number"))
    }
}
