import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// flowteld's SIGHUP: the configuration file read again and applied to the running engine.
@Suite("flowteld reload (SIGHUP)", .serialized)
struct ReloadDaemonTests {
    static let config = """
        set interfaces ge-0/0/0 unit 0 family inet address 10.0.0.254/24
        set security zones security-zone trust interfaces ge-0/0/0.0
        set security policies from-zone trust to-zone trust policy dns match source-address any destination-address any application junos-dns-udp
        set security policies from-zone trust to-zone trust policy dns then permit
        set security policies from-zone trust to-zone trust policy dns then log session-init session-close
        set security policies from-zone trust to-zone trust policy other match source-address any destination-address any application any
        set security policies from-zone trust to-zone trust policy other then permit
        set security policies from-zone trust to-zone trust policy other then log session-init session-close

        """

    /// Two UDP flows, one per policy, that stay open (UDP's 60 s timeout) while the test runs.
    static let frames: [[UInt8]] = [
        TestFrames.ethernet(TestFrames.ipv4(protocol: 17, TestFrames.udp(sourcePort: 1234, destinationPort: 53, Array("q".utf8)))),
        TestFrames.ethernet(TestFrames.ipv4(protocol: 17, TestFrames.udp(sourcePort: 1235, destinationPort: 9999, Array("x".utf8)))),
    ]

    @Test("SIGHUP applies an edited configuration: the deleted policy's session closes with 'policy delete'; a broken file changes nothing")
    func reload() throws {
        let pcap = try TestFrames.writePcap(Self.frames, name: "reload.pcap")
        let configPath = URL(fileURLWithPath: pcap).deletingLastPathComponent().appendingPathComponent("reload.set").path
        try Self.config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let (daemon, port, _) = try Binaries.startDaemon(["--config", configPath, "--replay", pcap, "--spus", "2"])
        defer { stop(daemon) }
        var statistics = try flowStatistics(port: port) { $0.sources.first?.state == .finished && $0.currentSessions == 2 }
        #expect(statistics.currentSessions == 2)

        // A broken file: logged, nothing changes, the daemon runs on.
        try (Self.config + "set security policies from-zone trust to-zone nowhere policy x then permit\n")
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        kill(daemon.processIdentifier, SIGHUP)
        Thread.sleep(forTimeInterval: 1.5)
        #expect(daemon.isRunning)
        statistics = try flowStatistics(port: port) { _ in true }
        #expect(statistics.currentSessions == 2)

        // Policy 'other' deleted.
        let edited = Self.config.split(separator: "\n").filter { !$0.contains("policy other") }.joined(separator: "\n") + "\n"
        try edited.write(toFile: configPath, atomically: true, encoding: .utf8)
        kill(daemon.processIdentifier, SIGHUP)
        statistics = try flowStatistics(port: port) { $0.currentSessions == 1 }
        #expect(statistics.currentSessions == 1)
        let closes = try Run.binary(
            "flowtel",
            ["subscribe", "--target", "127.0.0.1:\(port)", "--from-oldest", "--kinds", "session-close", "--max-events", "1"],
            timeout: 20)
        #expect(closes.status == 0, "\(closes.stderr)")
        let record = try JSONSerialization.jsonObject(with: Data(closes.stdout.utf8)) as? [String: Any] ?? [:]
        #expect(record["reason"] as? String == "policy delete")
        #expect(record["policy-name"] as? String == "other")
        #expect(record["destination-port"] as? Int == 9999)
        #expect(daemon.isRunning)
    }

    @Test("a reload adding security flow traceoptions is refused while flow monitoring runs, applied once it stops")
    func traceoptionsWhileMonitoring() throws {
        let pcap = try TestFrames.writePcap(Self.frames, name: "reload.pcap")
        let directory = URL(fileURLWithPath: pcap).deletingLastPathComponent()
        let configPath = directory.appendingPathComponent("reload.set").path
        try Self.config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let (daemon, port, _) = try Binaries.startDaemon(
            ["--config", configPath, "--replay", pcap, "--log-dir", directory.appendingPathComponent("log").path])
        defer { stop(daemon) }
        _ = try flowStatistics(port: port) { $0.sources.first?.state == .finished && $0.currentSessions == 2 }
        func flowtel(_ words: String) throws -> Run.Output {
            try Run.binary("flowtel", words.split(separator: " ").map(String.init) + ["--target", "127.0.0.1:\(port)"])
        }
        #expect(try flowtel("monitor security flow filter all").status == 0)
        #expect(try flowtel("monitor security flow file trace.log").status == 0)
        #expect(try flowtel("monitor security flow start").status == 0)

        // Traceoptions added and policy 'other' deleted in one commit: refused as a whole.
        let edited = Self.config.split(separator: "\n").filter { !$0.contains("policy other") }.joined(separator: "\n")
            + "\nset security flow traceoptions file flow.log\n"
        try edited.write(toFile: configPath, atomically: true, encoding: .utf8)
        kill(daemon.processIdentifier, SIGHUP)
        Thread.sleep(forTimeInterval: 1.5)
        #expect(try flowStatistics(port: port) { _ in true }.currentSessions == 2)

        #expect(try flowtel("monitor security flow stop").status == 0)
        kill(daemon.processIdentifier, SIGHUP)
        #expect(try flowStatistics(port: port) { $0.currentSessions == 1 }.currentSessions == 1)
        // And with traceoptions configured, monitoring refuses to start.
        let start = try flowtel("monitor security flow start")
        #expect(start.status != 0)
        #expect(start.stderr.contains("traceoptions"), "\(start.stderr)")
    }
}
