import FlowtelCore
import FlowtelDaemon
import FlowtelGRPC
import FlowtelSubscriber
import Foundation
import PacketIO
import Testing

/// The flow engine, flow monitor, router and gRPC server of flowteld, assembled in-process so
/// that the test decides when packets arrive; the `flowtel` executable talks to it.
final class MonitorDaemon: Sendable {
    let hub: EventHub
    let engine: FlowEngineSink
    let monitor: FlowMonitor
    let server: Server
    let logDirectory: String

    init(config: String = MonitorFixture.config) throws {
        logDirectory = try MonitorFixture.temporaryDirectory() + "/log"
        hub = EventHub(bootID: .random(), node: "monitor-test")
        engine = FlowEngineSink(config: try MonitorFixture.device(config), hub: hub)
        monitor = FlowMonitor(logDirectory: logDirectory, engine: engine)
        let router = try RPCRouter(hub: hub, token: nil, engine: engine, monitor: monitor)
        server = try Server(configuration: ServerConfiguration(listen: "127.0.0.1:0")) { call in router.handle(call) }
        server.start()
    }

    var target: String { "127.0.0.1:\(server.port)" }

    /// Runs `flowtel WORDS --target …`.
    func flowtel(_ words: String) throws -> Run.Output {
        try Run.binary("flowtel", words.split(separator: " ").map(String.init) + ["--target", target])
    }

    func stop() {
        hub.close()
        server.shutdown(grace: .seconds(2))
        try? FileManager.default.removeItem(atPath: (logDirectory as NSString).deletingLastPathComponent)
    }
}

@Suite("monitor security flow, end to end", .serialized)
struct MonitorCommandsTests {
    @Test("filter, file, start, traffic, stop: show log prints the trace of the matching packets only")
    func traceThroughCLI() throws {
        let daemon = try MonitorDaemon()
        defer { daemon.stop() }
        for words in [
            "monitor security flow filter https source-prefix 10.0.0.5 protocol tcp destination-port 443",
            "monitor security flow filter source-port 443 replies",
            "monitor security flow file trace.log size 10240 files 3",
            "monitor security flow start",
        ] {
            let output = try daemon.flowtel(words)
            #expect(output.status == 0, "\(words): \(output.stderr)")
            #expect(output.stdout == "", "\(words) printed something")
        }
        try MonitorFixture.feed(daemon.engine, MonitorFixture.traffic)
        #expect(try daemon.flowtel("monitor security flow stop").stdout == "")

        let log = try daemon.flowtel("show log trace.log")
        #expect(log.status == 0, "\(log.stderr)")
        let lines = log.stdout.split(separator: "\n").map(String.init)
        let head = "Jan  1 00:00:00 00:00:00.000000:CID-0:RT:"
        #expect(lines.count == 19)
        #expect(lines.first == head + "<10.0.0.5/40000->203.0.113.9/443;6> matched filter https:")
        #expect(lines[1] == head + "packet [40] ipid = 1, ttl 64")
        #expect(lines[2] == head + " flow_process_pkt: in_ifp ge-0/0/1.0, out_ifp ge-0/0/0.0")
        #expect(lines[3] == head + "  ge-0/0/1.0:10.0.0.5/40000->203.0.113.9/443, tcp, flag 2 syn")
        #expect(lines[4] == head + "  no session found, start first path.")
        #expect(lines[5] == head + "  policy search from zone trust-> zone untrust")
        #expect(lines[6].hasPrefix(head + "  permitted by policy web, session id "))
        let matched = lines.filter { $0.contains(" matched filter ") }.map { $0.dropFirst(head.count) }
        #expect(
            matched == [
                "<10.0.0.5/40000->203.0.113.9/443;6> matched filter https:",
                "<203.0.113.9/443->10.0.0.5/40000;6> matched filter replies:",
                "<10.0.0.5/40000->203.0.113.9/443;6> matched filter https:",
            ])
        // The UDP, HTTP and ICMP packets matched no filter.
        #expect(!log.stdout.contains("/53;17>") && !log.stdout.contains("198.51.100"))
    }

    @Test("show monitor security flow prints the Junos layout; start sets basic-datapath and stop clears it")
    func showLayout() throws {
        let daemon = try MonitorDaemon()
        defer { daemon.stop() }
        #expect(
            try daemon.flowtel("show monitor security flow").stdout == """
                Monitor security flow session status: Inactive
                Monitor security flow trace file: None
                Monitor security flow filters: 0

                """)
        #expect(try daemon.flowtel("monitor security flow filter interface reth0 source-prefix 192.168.56.10 myfilter").status == 0)
        #expect(
            try daemon.flowtel("monitor security flow filter incoming-filter protocol icmp destination-prefix 192.168.1.10")
                .status == 0)
        #expect(try daemon.flowtel("monitor security flow file size 10240 securityflow.log").status == 0)
        #expect(try daemon.flowtel("monitor security flow start").status == 0)
        let active = try daemon.flowtel("show monitor security flow")
        #expect(
            active.stdout == """
                Monitor security flow session status: Active
                Monitor security flow trace file: \(daemon.logDirectory)/securityflow.log
                Monitor security flow trace flags: basic-datapath
                Monitor security flow filters: 2
                  Name: myfilter
                    Status: Active
                    Source: 192.168.56.10/32 (port 0~65535)
                    Destination: 0.0.0.0/0 (port 0~65535)
                    Logical system: root-logical-system
                    Interface: reth0.0
                  Name: incoming-filter
                    Status: Active
                    Source: 0.0.0.0/0 (port 0~65535)
                    Destination: 192.168.1.10/32 (port 0~65535)
                    Protocol: icmp
                    Logical system: root-logical-system
                    Interface: None

                """)
        #expect(try daemon.flowtel("monitor security flow stop").status == 0)
        #expect(try daemon.flowtel("clear monitor security flow filter myfilter").status == 0)
        #expect(
            try daemon.flowtel("show monitor security flow").stdout == """
                Monitor security flow session status: Inactive
                Monitor security flow trace file: \(daemon.logDirectory)/securityflow.log
                Monitor security flow filters: 1
                  Name: incoming-filter
                    Status: Inactive
                    Source: 0.0.0.0/0 (port 0~65535)
                    Destination: 192.168.1.10/32 (port 0~65535)
                    Protocol: icmp
                    Logical system: root-logical-system
                    Interface: None

                """)
        #expect(try daemon.flowtel("clear monitor security flow filter").status == 0)
        #expect(try daemon.flowtel("show monitor security flow").stdout.hasSuffix("Monitor security flow filters: 0\n"))
    }

    @Test("start without a file, then without a filter, prints the Junos errors and exits 1")
    func startErrors() throws {
        let daemon = try MonitorDaemon()
        defer { daemon.stop() }
        let noFile = try daemon.flowtel("monitor security flow start")
        #expect(noFile.status == 1)
        #expect(noFile.stdout == "")
        #expect(noFile.stderr == "error: Please specify the monitor flow trace file.\n")
        #expect(try daemon.flowtel("monitor security flow file flow-trace.log").status == 0)
        let noFilter = try daemon.flowtel("monitor security flow start")
        #expect(noFilter.status == 1)
        #expect(noFilter.stderr == "error: Please specify monitor security flow filter.\n")
        #expect(try daemon.flowtel("show monitor security flow").stdout.hasPrefix("Monitor security flow session status: Inactive\n"))
    }

    @Test("out-of-range size and files, a bad filter and a bad log name are INVALID_ARGUMENT; a missing log NOT_FOUND")
    func invalidArguments() throws {
        let daemon = try MonitorDaemon()
        defer { daemon.stop() }
        let size = try daemon.flowtel("monitor security flow file t.log size 1024")
        #expect(size.status == 2)
        #expect(size.stderr == "flowtel: INVALID_ARGUMENT: size 1024 is out of range (10240..1073741824 bytes)\n")
        let files = try daemon.flowtel("monitor security flow file t.log files 1001")
        #expect(files.stderr == "flowtel: INVALID_ARGUMENT: files 1001 is out of range (2..1000)\n")
        let prefix = try daemon.flowtel("monitor security flow filter f source-prefix 10.0.0.999")
        #expect(prefix.stderr.hasPrefix("flowtel: INVALID_ARGUMENT: source-prefix: '10.0.0.999'"))
        let regex = try daemon.flowtel("monitor security flow file t.log match (x")
        #expect(regex.stderr.hasPrefix("flowtel: INVALID_ARGUMENT: match: '(x' is not a valid regular expression"))
        let escape = try daemon.flowtel("show log ../secret")
        #expect(escape.status == 2)
        #expect(escape.stderr.hasPrefix("flowtel: INVALID_ARGUMENT: log file '../secret': give a plain file name"))
        let missing = try daemon.flowtel("show log nothing.log")
        #expect(missing.status == 2)
        #expect(missing.stderr == "flowtel: NOT_FOUND: show log: \(daemon.logDirectory)/nothing.log: no such file\n")
        let unknown = try daemon.flowtel("clear monitor security flow filter nope")
        #expect(unknown.stderr == "flowtel: NOT_FOUND: monitor security flow filter 'nope' does not exist\n")
    }

    @Test("a small size rotates the trace file; show log reads every rotated file; match keeps matching lines")
    func rotationAndMatch() throws {
        let daemon = try MonitorDaemon()
        defer { daemon.stop() }
        #expect(try daemon.flowtel("monitor security flow filter all").status == 0)
        #expect(try daemon.flowtel("monitor security flow file rot.log size 10240 files 3 match matched").status == 0)
        #expect(try daemon.flowtel("monitor security flow start").status == 0)
        // 600 packets, one "matched filter" line of about 100 bytes each: 60 kB through 10 kB files.
        var frames: [[UInt8]] = []
        for index in 0..<600 {
            frames.append(
                MonitorFixture.udp("10.0.0.5", UInt16(20000 + index), "203.0.113.9", 53, id: UInt16(index)))
        }
        try MonitorFixture.feed(daemon.engine, frames)
        #expect(try daemon.flowtel("monitor security flow stop").status == 0)
        var kept: [Substring] = []
        for name in ["rot.log.1", "rot.log.0", "rot.log"] {
            let output = try daemon.flowtel("show log \(name)")
            #expect(output.status == 0, "\(name): \(output.stderr)")
            #expect(output.stdout.utf8.count <= 10_240)
            // Rotated files were full: the next line would not have fitted.
            if name != "rot.log" { #expect(output.stdout.utf8.count > 10_000) }
            kept += output.stdout.split(separator: "\n")
        }
        #expect(try daemon.flowtel("show log rot.log.2").status == 2)
        #expect(kept.allSatisfy { $0.hasSuffix("matched filter all:") })
        // The newest lines, in order, ending with the last packet's.
        #expect(kept.last?.contains("10.0.0.5/20599->203.0.113.9/53;17>") == true)
        let ports = kept.compactMap { line in
            line.split(separator: "<").last?.split(separator: "-").first?.split(separator: "/").last.flatMap { Int($0) }
        }
        #expect(ports == Array((20600 - ports.count)..<20600))
    }
}

/// flowteld itself: capture replay, restarts, a configuration with traceoptions, no engine.
@Suite("monitor security flow against flowteld", .serialized)
struct MonitorDaemonBinaryTests {
    static func flowtel(_ port: Int, _ words: String) throws -> Run.Output {
        try Run.binary("flowtel", words.split(separator: " ").map(String.init) + ["--target", "127.0.0.1:\(port)"])
    }

    static func writeConfig(_ text: String, in directory: String) throws -> String {
        let path = directory + "/monitor.set"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("a looping capture replay is traced while monitoring runs: only the filter's packets")
    func replay() throws {
        let directory = try MonitorFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = try Self.writeConfig(MonitorFixture.config, in: directory)
        let pcap = directory + "/traffic.pcap"
        let writer = try PcapWriter.create(path: pcap, linkType: .ethernet)
        for (index, frame) in MonitorFixture.traffic.enumerated() {
            try writer.append(timestamp: Timestamp(unixNanos: MonitorFixture.start + UInt64(index) * 1_000_000), bytes: frame)
        }
        try writer.close()
        let (daemon, port, _) = try Binaries.startDaemon([
            "--config", config, "--log-dir", directory + "/log", "--replay", pcap, "--loop", "--replay-rate", "300",
        ])
        defer { stop(daemon) }
        #expect(try Self.flowtel(port, "monitor security flow filter web destination-port 443 source-prefix 10.0.0.0/24").status == 0)
        #expect(try Self.flowtel(port, "monitor security flow file web.log").status == 0)
        let start = try Self.flowtel(port, "monitor security flow start")
        #expect(start.status == 0, "\(start.stderr)")
        // Wait (bounded) for a few traced packets.
        var log = ""
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            log = try Self.flowtel(port, "show log web.log").stdout
            if log.components(separatedBy: "matched filter").count > 10 { break }
            usleep(100_000)
        }
        #expect(try Self.flowtel(port, "monitor security flow stop").status == 0)
        log = try Self.flowtel(port, "show log web.log").stdout
        let matched = log.split(separator: "\n").filter { $0.contains(" matched filter ") }
        #expect(matched.count > 10)
        #expect(matched.allSatisfy { $0.hasSuffix("<10.0.0.5/40000->203.0.113.9/443;6> matched filter web:") })
        #expect(log.contains("  flow got session.") || log.contains("  no session found, start first path."))
        // Stopped: the file no longer grows.
        usleep(300_000)
        #expect(try Self.flowtel(port, "show log web.log").stdout == log)
    }

    @Test("filters and the file setting vanish when flowteld restarts")
    func restart() throws {
        let directory = try MonitorFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = try Self.writeConfig(MonitorFixture.config, in: directory)
        let arguments = ["--config", config, "--log-dir", directory + "/log"]
        let (first, firstPort, _) = try Binaries.startDaemon(arguments)
        #expect(try Self.flowtel(firstPort, "monitor security flow filter f1 protocol tcp").status == 0)
        #expect(try Self.flowtel(firstPort, "monitor security flow file f.log").status == 0)
        #expect(try Self.flowtel(firstPort, "show monitor security flow").stdout.contains("Monitor security flow filters: 1\n"))
        stop(first)
        let (second, secondPort, _) = try Binaries.startDaemon(arguments)
        defer { stop(second) }
        #expect(
            try Self.flowtel(secondPort, "show monitor security flow").stdout == """
                Monitor security flow session status: Inactive
                Monitor security flow trace file: None
                Monitor security flow filters: 0

                """)
    }

    @Test("start is refused while the configuration has security flow traceoptions")
    func traceoptions() throws {
        let directory = try MonitorFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = try Self.writeConfig(MonitorFixture.config + MonitorFixture.traceoptionsLine, in: directory)
        let (daemon, port, _) = try Binaries.startDaemon(["--config", config, "--log-dir", directory + "/log"])
        defer { stop(daemon) }
        #expect(try Self.flowtel(port, "monitor security flow filter f1").status == 0)
        #expect(try Self.flowtel(port, "monitor security flow file f.log").status == 0)
        let start = try Self.flowtel(port, "monitor security flow start")
        #expect(start.status == 1)
        #expect(start.stderr == FlowMonitor.traceoptionsConfiguredError + "\n")
        #expect(try Self.flowtel(port, "show monitor security flow").stdout.hasPrefix("Monitor security flow session status: Inactive\n"))
        #expect(!FileManager.default.fileExists(atPath: directory + "/log"))
    }

    @Test("without a flow engine every monitor command is FAILED_PRECONDITION")
    func noEngine() throws {
        let (daemon, port, _) = try Binaries.startDaemon()
        defer { stop(daemon) }
        for words in ["show monitor security flow", "monitor security flow start", "show log x.log"] {
            let output = try Self.flowtel(port, words)
            #expect(output.status == 2)
            #expect(output.stderr.hasPrefix("flowtel: FAILED_PRECONDITION: flow monitoring needs the flow engine"), "\(words)")
        }
    }
}
