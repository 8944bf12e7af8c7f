import FlowtelCore
import Foundation
import PacketIO
import Testing

/// The session operational commands end to end: flowteld replays a small capture through its
/// flow engine and the `flowtel` binary prints `show security flow session` (every filter and
/// view), `show security flow session summary`, `clear security flow session` and
/// `show security flow`.
@Suite("flowtel session commands", .serialized)
struct SessionCommandsTests {
    /// Three zones, source NAT to the internet, session-close logging, and every global flow
    /// setting `show security flow` prints.
    static let config = """
        set system host-name sessions-test
        set interfaces ge-0/0/0 unit 0 family inet address 192.0.2.2/24
        set interfaces ge-0/0/1 unit 0 family inet address 10.0.0.1/24
        set interfaces ge-0/0/1 unit 0 family inet6 address 2001:db8:1::1/64
        set interfaces ge-0/0/2 unit 0 family inet address 172.16.0.1/24
        set interfaces ge-0/0/2 unit 0 family inet6 address 2001:db8:2::1/64
        set routing-options static route 0.0.0.0/0 next-hop 192.0.2.1
        set security zones security-zone untrust interfaces ge-0/0/0.0
        set security zones security-zone trust interfaces ge-0/0/1.0
        set security zones security-zone dmz interfaces ge-0/0/2.0
        set security nat source pool out-pool address 192.0.2.10/32
        set security nat source rule-set out from zone trust
        set security nat source rule-set out to zone untrust
        set security nat source rule-set out rule all match source-address 10.0.0.0/24
        set security nat source rule-set out rule all then source-nat pool out-pool
        set security policies from-zone trust to-zone untrust policy internet match source-address any destination-address any application any
        set security policies from-zone trust to-zone untrust policy internet then permit
        set security policies from-zone trust to-zone untrust policy internet then log session-close
        set security policies from-zone trust to-zone dmz policy servers match source-address any destination-address any application any
        set security policies from-zone trust to-zone dmz policy servers then permit
        set security policies from-zone trust to-zone dmz policy servers then log session-close

        """
    static let flowSettings = """
        set security flow allow-dns-reply
        set security flow route-change-timeout 60
        set security flow syn-flood-protection-mode syn-cookie
        set security flow tcp-mss all-tcp mss 1350
        set security flow tcp-session no-syn-check
        set security flow tcp-session tcp-initial-timeout 30
        set security flow tcp-session time-wait-state session-timeout 90
        set security flow aging early-ageout 5

        """

    // MARK: The capture

    static func ipv4(_ proto: UInt8, _ source: String, _ destination: String, _ payload: [UInt8]) -> [UInt8] {
        var header: [UInt8] = [0x45, 0] + TestFrames.be16(UInt16(20 + payload.count)) + [0, 1, 0, 0, 64, proto, 0, 0]
        header += IPAddress(source)!.bytes + IPAddress(destination)!.bytes
        return TestFrames.ethernet(header + payload)
    }

    static func ipv6(_ nextHeader: UInt8, _ source: String, _ destination: String, _ payload: [UInt8]) -> [UInt8] {
        var header: [UInt8] = [0x60, 0, 0, 0] + TestFrames.be16(UInt16(payload.count)) + [nextHeader, 64]
        header += IPAddress(source)!.bytes + IPAddress(destination)!.bytes
        return TestFrames.ethernet(header + payload, etherType: 0x86DD)
    }

    static func tcp(_ sourcePort: UInt16, _ destinationPort: UInt16, seq: UInt32, ack: UInt32, flags: UInt8, _ data: String = "") -> [UInt8] {
        func be32(_ value: UInt32) -> [UInt8] { TestFrames.be16(UInt16(value >> 16)) + TestFrames.be16(UInt16(value & 0xFFFF)) }
        return TestFrames.be16(sourcePort) + TestFrames.be16(destinationPort) + be32(seq) + be32(ack) + [0x50, flags]
            + TestFrames.be16(65535) + [0, 0, 0, 0] + Array(data.utf8)
    }

    /// Five sessions, a packet a second (see ``writeCapture()``):
    /// 1. https 10.0.0.5 → 198.51.100.7, handshake and data (Valid, source NAT to 192.0.2.10);
    /// 2. ssh 10.0.0.8 → 172.16.0.20, a SYN only (Pending);
    /// 3. syslog over UDP 10.0.0.6:5000 → 198.51.100.8:514 (source NAT);
    /// 4. ping 10.0.0.7 → 172.16.0.9;
    /// 5. UDP over IPv6 2001:db8:1::5:6000 → 2001:db8:2::9:7000.
    static let frames: [[UInt8]] = [
        ipv4(6, "10.0.0.5", "198.51.100.7", tcp(40001, 443, seq: 100, ack: 0, flags: 0x02)),
        ipv4(6, "198.51.100.7", "10.0.0.5", tcp(443, 40001, seq: 500, ack: 101, flags: 0x12)),
        ipv4(6, "10.0.0.5", "198.51.100.7", tcp(40001, 443, seq: 101, ack: 501, flags: 0x10, "hello")),
        ipv4(6, "10.0.0.8", "172.16.0.20", tcp(40002, 22, seq: 7, ack: 0, flags: 0x02)),
        ipv4(17, "10.0.0.6", "198.51.100.8", TestFrames.udp(sourcePort: 5000, destinationPort: 514, Array("<13>hello".utf8))),
        ipv4(1, "10.0.0.7", "172.16.0.9", TestFrames.icmpEcho()),
        ipv6(17, "2001:db8:1::5", "2001:db8:2::9", TestFrames.udp(sourcePort: 6000, destinationPort: 7000, Array("v6".utf8))),
    ]

    /// What `show security flow session` prints for each session, `Timeout` normalised to `T`
    /// (wing lines end with `, ` as on Junos 24.4).
    static let entries: [Int: [String]] = [
        1: [
            "Session ID: 1, Policy name: internet/1, Timeout: T, Session State: Valid",
            "  In: 10.0.0.5/40001 --> 198.51.100.7/443;tcp, Conn Tag: 0x0, If: ge-0/0/1.0, Pkts: 2, Bytes: 85, ",
            "  Out: 198.51.100.7/443 --> 192.0.2.10/40001;tcp, Conn Tag: 0x0, If: ge-0/0/0.0, Pkts: 1, Bytes: 40, ",
        ],
        2: [
            "Session ID: 2, Policy name: servers/2, Timeout: T, Session State: Pending",
            "  In: 10.0.0.8/40002 --> 172.16.0.20/22;tcp, Conn Tag: 0x0, If: ge-0/0/1.0, Pkts: 1, Bytes: 40, ",
            "  Out: 172.16.0.20/22 --> 10.0.0.8/40002;tcp, Conn Tag: 0x0, If: ge-0/0/2.0, Pkts: 0, Bytes: 0, ",
        ],
        3: [
            "Session ID: 3, Policy name: internet/1, Timeout: T, Session State: Valid",
            "  In: 10.0.0.6/5000 --> 198.51.100.8/514;udp, Conn Tag: 0x0, If: ge-0/0/1.0, Pkts: 1, Bytes: 37, ",
            "  Out: 198.51.100.8/514 --> 192.0.2.10/5000;udp, Conn Tag: 0x0, If: ge-0/0/0.0, Pkts: 0, Bytes: 0, ",
        ],
        4: [
            "Session ID: 4, Policy name: servers/2, Timeout: T, Session State: Valid",
            "  In: 10.0.0.7/1 --> 172.16.0.9/1;icmp, Conn Tag: 0x0, If: ge-0/0/1.0, Pkts: 1, Bytes: 32, ",
            "  Out: 172.16.0.9/1 --> 10.0.0.7/1;icmp, Conn Tag: 0x0, If: ge-0/0/2.0, Pkts: 0, Bytes: 0, ",
        ],
        5: [
            "Session ID: 5, Policy name: servers/2, Timeout: T, Session State: Valid",
            "  In: 2001:db8:1::5/6000 --> 2001:db8:2::9/7000;udp, Conn Tag: 0x0, If: ge-0/0/1.0, Pkts: 1, Bytes: 50, ",
            "  Out: 2001:db8:2::9/7000 --> 2001:db8:1::5/6000;udp, Conn Tag: 0x0, If: ge-0/0/2.0, Pkts: 0, Bytes: 0, ",
        ],
    ]

    /// The expected listing of `ids`: entries separated by a blank line, then the total.
    static func listing(_ ids: [Int]) -> String {
        let blocks = ids.map { entries[$0]!.joined(separator: "\n") + "\n" }
        return blocks.joined(separator: "\n") + "Total sessions: \(ids.count)\n"
    }

    /// `Timeout: 1794` → `Timeout: T` (and the extensive view's countdown and age), after
    /// checking that every countdown is within a minute of its start: they move with time.
    static func normalised(_ text: String) -> String {
        for match in text.matches(of: /Timeout: (\d+)/) {
            let seconds = Int(match.1)!
            #expect((1...1800).contains(seconds), "\(match.0)")
        }
        return text.replacing(/(Timeout|Current timeout|Duration): \d+/) { "\($0.1): T" }
    }

    /// A daemon replaying the capture through the engine (one SPU unless `spus` says otherwise),
    /// once the capture is read and its five sessions exist; returns it and its port.
    static func startDaemon(config: String = config + flowSettings, spus: Int = 1) throws -> (Process, Int, start: UInt64) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flowtel-sessions-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let (pcap, start) = try writeCapture(in: directory)
        let configPath = directory.appendingPathComponent("sessions.set").path
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let (daemon, port, _) = try Binaries.startDaemon(["--config", configPath, "--replay", pcap, "--spus", "\(spus)"])
        let statistics = try flowStatistics(port: port) { $0.sources.first?.state == .finished && $0.currentSessions == 5 }
        #expect(statistics.currentSessions == 5)
        return (daemon, port, start)
    }

    /// Writes ``frames`` one second apart, the last one a second ago; returns the file and the
    /// first packet's Unix time. Recent times, because flowteld's engine clock may start at the
    /// wall clock before the first packet arrives: older packets would make sessions that had
    /// already timed out.
    static func writeCapture(in directory: URL) throws -> (path: String, start: UInt64) {
        let start = UInt64(Date().timeIntervalSince1970) - UInt64(frames.count)
        let path = directory.appendingPathComponent("sessions.pcap").path
        let writer = try PcapWriter.create(path: path, linkType: .ethernet)
        for (index, frame) in frames.enumerated() {
            try writer.append(timestamp: Timestamp(unixNanos: (start + UInt64(index)) * 1_000_000_000), bytes: frame)
        }
        try writer.close()
        return (path, start)
    }

    static func flowtel(_ words: [String], port: Int) throws -> Run.Output {
        try Run.binary("flowtel", words + ["--target", "127.0.0.1:\(port)"])
    }

    // MARK: show security flow session

    @Test("show security flow session prints every session, each filter and several at once select theirs")
    func filters() throws {
        let (daemon, port, _) = try Self.startDaemon()
        defer { stop(daemon) }
        let cases: [([String], [Int])] = [
            ([], [1, 2, 3, 4, 5]),
            (["application", "junos-https"], [1]),
            (["destination-port", "443"], [1]),
            (["destination-prefix", "172.16.0.0/16"], [2, 4]),
            (["family", "inet"], [1, 2, 3, 4]),
            (["family", "inet6"], [5]),
            (["idp"], []),
            // The Out wing's interface counts: sessions 1 and 3 leave by ge-0/0/0.0.
            (["interface", "ge-0/0/0.0"], [1, 3]),
            (["nat"], [1, 3]),
            (["protocol", "udp"], [3, 5]),
            (["protocol", "1"], [4]),
            (["resource-manager"], []),
            (["session-identifier", "4"], [4]),
            (["source-port", "5000"], [3]),
            (["source-prefix", "10.0.0.0/29"], [1, 3, 4]),
            (["source-prefix", "2001:db8:1::/48"], [5]),
            // The translated source address matches too.
            (["source-prefix", "192.0.2.10"], [1, 3]),
            (["tunnel"], []),
            (["source-prefix", "10.0.0.0/8", "destination-port", "443"], [1]),
            (["protocol", "tcp", "destination-prefix", "172.16.0.0/16"], [2]),
            (["nat", "protocol", "udp", "source-port", "5000", "interface", "ge-0/0/1.0"], [3]),
            (["family", "inet", "protocol", "udp", "destination-port", "7000"], []),
        ]
        for (words, ids) in cases {
            let output = try Self.flowtel(["show", "security", "flow", "session"] + words, port: port)
            #expect(output.status == 0, "\(words): \(output.stderr)")
            #expect(Self.normalised(output.stdout) == Self.listing(ids), "\(words)")
        }
    }

    @Test("brief prints the default view; extensive adds timeouts, start time, NAT pool and application")
    func views() throws {
        let (daemon, port, start) = try Self.startDaemon()
        defer { stop(daemon) }
        let brief = try Self.flowtel(["show", "security", "flow", "session", "brief"], port: port)
        #expect(brief.status == 0, "\(brief.stderr)")
        #expect(Self.normalised(brief.stdout) == Self.listing([1, 2, 3, 4, 5]))

        let extensive = try Self.flowtel(
            ["show", "security", "flow", "session", "extensive", "source-prefix", "10.0.0.0/29", "protocol", "tcp"],
            port: port)
        #expect(extensive.status == 0, "\(extensive.stderr)")
        #expect(
            Self.normalised(extensive.stdout) == """
                Session ID: 1, Status: Normal
                Policy name: internet/1
                Source NAT pool: out-pool, Application: junos-https/443
                Maximum timeout: 1800, Current timeout: T
                Session State: Valid
                Start time: \(start), Duration: T
                   In: 10.0.0.5/40001 --> 198.51.100.7/443;tcp, \n\
                  Conn Tag: 0x0, Interface: ge-0/0/1.0, \n\
                    Pkts: 2, Bytes: 85
                   Out: 198.51.100.7/443 --> 192.0.2.10/40001;tcp, \n\
                  Conn Tag: 0x0, Interface: ge-0/0/0.0, \n\
                    Pkts: 1, Bytes: 40
                Total sessions: 1

                """)

        let v6 = try Self.flowtel(["show", "security", "flow", "session", "family", "inet6", "extensive"], port: port)
        #expect(v6.stdout.contains("Source NAT pool: Null, Application: None/7000\nMaximum timeout: 60, "), "\(v6.stdout)")
        #expect(v6.stdout.contains("Start time: \(start + 6), "))
    }

    @Test("show security flow session summary counts sessions by state, of both families or one")
    func summary() throws {
        let (daemon, port, _) = try Self.startDaemon()
        defer { stop(daemon) }
        let all = try Self.flowtel(["show", "security", "flow", "session", "summary"], port: port)
        #expect(all.status == 0, "\(all.stderr)")
        #expect(
            all.stdout == """
                Unicast-sessions: 5
                Multicast-sessions: 0
                Services-offload-sessions: 0
                Failed-sessions: 0
                Sessions-in-drop-flow: 0
                Sessions-in-use: 5
                  Valid sessions: 4
                  Pending sessions: 1
                  Invalidated sessions: 0
                  Sessions in other states: 0
                Maximum-sessions: 1048576

                """)
        let inet6 = try Self.flowtel(["show", "security", "flow", "session", "summary", "family", "inet6"], port: port)
        #expect(inet6.stdout.hasPrefix("Unicast-sessions: 1\n"))
        #expect(inet6.stdout.contains("Sessions-in-use: 1\n  Valid sessions: 1\n  Pending sessions: 0\n"))
    }

    @Test("with several SPUs each prints its own block under Flow Sessions on FPC<n> PIC<m>:")
    func perSPU() throws {
        let (daemon, port, _) = try Self.startDaemon(spus: 2)
        defer { stop(daemon) }
        let output = try Self.flowtel(["show", "security", "flow", "session"], port: port)
        #expect(output.status == 0, "\(output.stderr)")
        let lines = output.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.filter { $0.hasPrefix("Flow Sessions on ") } == ["Flow Sessions on FPC1 PIC0:", "Flow Sessions on FPC1 PIC1:"])
        let totals = lines.compactMap { $0.wholeMatch(of: /Total sessions: (\d+)/).map { Int($0.1)! } }
        #expect(totals.count == 2 && totals.reduce(0, +) == 5, "\(output.stdout)")
        #expect(lines.filter { $0.hasPrefix("Session ID: ") }.count == 5)
    }

    // MARK: clear security flow session

    @Test("clear security flow session ends the matching sessions, N active sessions cleared, and they close with reason CLI")
    func clear() throws {
        let (daemon, port, _) = try Self.startDaemon()
        defer { stop(daemon) }
        let none = try Self.flowtel(["clear", "security", "flow", "session", "session-identifier", "99"], port: port)
        #expect(none.stdout == "0 active sessions cleared\n", "\(none.stderr)")
        let udp = try Self.flowtel(["clear", "security", "flow", "session", "nat", "protocol", "udp"], port: port)
        #expect(udp.status == 0, "\(udp.stderr)")
        #expect(udp.stdout == "1 active sessions cleared\n")
        let left = try Self.flowtel(["show", "security", "flow", "session"], port: port)
        #expect(Self.normalised(left.stdout) == Self.listing([1, 2, 4, 5]))

        let all = try Self.flowtel(["clear", "security", "flow", "session", "all"], port: port)
        #expect(all.stdout == "4 active sessions cleared\n")
        let empty = try Self.flowtel(["show", "security", "flow", "session"], port: port)
        #expect(empty.stdout == "Total sessions: 0\n")

        // The close events reach a subscriber: session 3 first, then the other four.
        let closes = try Self.flowtel(
            ["subscribe", "--from-oldest", "--kinds", "session-close", "--max-events", "5"], port: port)
        #expect(closes.status == 0, "\(closes.stderr)")
        let records = try closes.stdout.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(records.map { $0["reason"] as? String } == Array(repeating: "CLI", count: 5))
        #expect(records.first?["session-id-32"] as? Int == 3)
        #expect(Set(records.compactMap { $0["session-id-32"] as? Int }) == [1, 2, 3, 4, 5])
    }

    // MARK: show security flow

    @Test("show security flow prints the configured [edit security flow] statements in Junos syntax")
    func settings() throws {
        let (daemon, port, _) = try Self.startDaemon()
        defer { stop(daemon) }
        let output = try Self.flowtel(["show", "security", "flow"], port: port)
        #expect(output.status == 0, "\(output.stderr)")
        #expect(
            output.stdout == """
                aging {
                    early-ageout 5;
                }
                allow-dns-reply;
                route-change-timeout 60;
                syn-flood-protection-mode syn-cookie;
                tcp-mss {
                    all-tcp {
                        mss 1350;
                    }
                }
                tcp-session {
                    no-syn-check;
                    tcp-initial-timeout 30;
                    time-wait-state {
                        session-timeout 90;
                    }
                }

                """)

        let (plain, plainPort, _) = try Self.startDaemon(config: Self.config)
        defer { stop(plain) }
        let defaults = try Self.flowtel(["show", "security", "flow"], port: plainPort)
        #expect(defaults.status == 0, "\(defaults.stderr)")
        #expect(defaults.stdout == "", "every setting at its default: nothing to show")
    }

    // MARK: Target, errors

    @Test("the daemon is found through FLOWTEL_TARGET, and --target overrides it")
    func target() throws {
        let (daemon, port, _) = try Self.startDaemon()
        defer { stop(daemon) }
        func run(_ arguments: [String], environment target: String) throws -> (Int32, String) {
            let process = Process()
            process.executableURL = Binaries.url("flowtel")
            process.arguments = arguments
            process.environment = ProcessInfo.processInfo.environment.merging(["FLOWTEL_TARGET": target]) { $1 }
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle(forWritingAtPath: "/dev/null")
            try process.run()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, text)
        }
        let viaEnvironment = try run(["show", "security", "flow", "session", "session-identifier", "3"], environment: "127.0.0.1:\(port)")
        #expect(viaEnvironment.0 == 0)
        #expect(Self.normalised(viaEnvironment.1) == Self.listing([3]))
        let overridden = try run(
            ["clear", "security", "flow", "session", "session-identifier", "3", "--target", "127.0.0.1:\(port)"],
            environment: "127.0.0.1:1")
        #expect(overridden == (0, "1 active sessions cleared\n"))
    }

    @Test("without a flow engine every session command fails with FAILED_PRECONDITION", arguments: [
        ["show", "security", "flow", "session"], ["show", "security", "flow", "session", "summary"],
        ["clear", "security", "flow", "session", "all"], ["show", "security", "flow"],
    ])
    func noEngine(words: [String]) throws {
        let (daemon, port, _) = try Binaries.startDaemon()
        defer { stop(daemon) }
        let output = try Self.flowtel(words, port: port)
        #expect(output.status == 2)
        #expect(output.stdout == "")
        #expect(output.stderr.hasPrefix("flowtel: FAILED_PRECONDITION: "), "\(output.stderr)")
        #expect(output.stderr.contains("--config"))
    }

    @Test("a prefix or protocol the daemon cannot parse is INVALID_ARGUMENT naming the field")
    func invalidFilter() throws {
        let (daemon, port, _) = try Self.startDaemon()
        defer { stop(daemon) }
        for (words, field) in [
            (["show", "security", "flow", "session", "source-prefix", "10.0.0.300/8"], "ListSessionsRequest.filter.source_prefix"),
            (["show", "security", "flow", "session", "protocol", "bogus"], "ListSessionsRequest.filter.protocol"),
            (["clear", "security", "flow", "session", "destination-prefix", "2001:db8::/129"], "ClearSessionsRequest.filter.destination_prefix"),
        ] {
            let output = try Self.flowtel(words, port: port)
            #expect(output.status == 2)
            #expect(output.stderr.hasPrefix("flowtel: INVALID_ARGUMENT: \(field): "), "\(output.stderr)")
        }
        // Nothing was cleared by the refused request.
        let summary = try Self.flowtel(["show", "security", "flow", "session", "summary"], port: port)
        #expect(summary.stdout.contains("Sessions-in-use: 5\n"))
    }

    @Test("words the Junos grammar does not allow are refused before any call, with what was wrong")
    func grammar() throws {
        for (words, message) in [
            (["show", "security", "flow", "session", "bogus"], "unknown word 'bogus'"),
            (["show", "security", "flow", "session", "source-port"], "'source-port' needs a value"),
            (["show", "security", "flow", "session", "source-port", "http"], "source-port: 'http' is not a port"),
            (["show", "security", "flow", "session", "family", "inet4"], "family: 'inet4' is not inet or inet6"),
            (["show", "security", "flow", "session", "nat", "nat"], "'nat' is given twice"),
            (["show", "security", "flow", "session", "brief", "extensive"], "'brief' and 'extensive' exclude each other"),
            (["show", "security", "flow", "session", "summary", "nat"], "'summary' takes no filter but 'family'"),
            (["clear", "security", "flow", "session"], "or 'all' to clear every session"),
            (["clear", "security", "flow", "session", "all", "nat"], "'all' excludes filters"),
            (["clear", "security", "flow", "session", "extensive"], "unknown word 'extensive'"),
        ] {
            let output = try Run.binary("flowtel", words + ["--target", "127.0.0.1:1"])
            #expect(output.status == 64, "\(words)")
            #expect(output.stderr.contains(message), "\(words): \(output.stderr)")
        }
    }
}
