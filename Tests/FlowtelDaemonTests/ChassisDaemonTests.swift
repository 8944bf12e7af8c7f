import FlowtelCore
import FlowtelGRPC
import FlowtelSubscriber
import Foundation
import Testing

/// flowteld's chassis on its real datapath: errors detected from real conditions, thresholds
/// and their actions' effects, wedge detection of stalled stages, and the chassis RPCs.
@Suite("flowteld chassis fault manager", .serialized)
struct ChassisDaemonTests {
    static let config = """
        set system host-name chassis-test
        set interfaces ge-0/0/0 unit 0 family inet address 192.0.2.2/24
        set interfaces ge-0/0/1 unit 0 family inet address 10.0.0.1/24
        set routing-options static route 0.0.0.0/0 next-hop 192.0.2.1
        set security zones security-zone untrust interfaces ge-0/0/0.0
        set security zones security-zone trust interfaces ge-0/0/1.0
        set security policies from-zone trust to-zone untrust policy out match source-address any destination-address any application any
        set security policies from-zone trust to-zone untrust policy out then permit
        set security policies from-zone trust to-zone untrust policy out then log session-init
        set security policies from-zone trust to-zone untrust policy out then log session-close
        set security policies default-policy permit-all

        """

    /// Starts flowteld with `config` (plus the base) and `arguments`; returns it, its port and
    /// its log directory.
    static func start(_ extra: String = "", _ arguments: [String]) throws -> (Process, Int, String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flowtel-chassis-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let configPath = directory.appendingPathComponent("chassis.set").path
        try (config + extra).write(toFile: configPath, atomically: true, encoding: .utf8)
        let logDirectory = directory.appendingPathComponent("log").path
        let (daemon, port, _) = try Binaries.startDaemon(["--config", configPath, "--log-dir", logDirectory] + arguments)
        return (daemon, port, logDirectory)
    }

    /// Runs `body` with a flowteld generating traffic (`rate` sessions/s on `spus` SPUs) once it
    /// holds more than `sessions` sessions, with a client of it and its log directory.
    static func withTraffic(
        _ extra: String, spus: Int, rate: Int = 300, sessions: UInt64 = 20,
        _ body: (_ port: Int, _ client: SubscriptionClient, _ logDirectory: String) throws -> Void
    ) throws {
        let (daemon, port, logDirectory) = try start(extra, ["--generate", "\(rate)", "--spus", "\(spus)"])
        defer { stop(daemon) }
        let client = try client(port)
        defer { client.close() }
        _ = try poll({ try flowStatistics(port: port) { _ in true } }) { $0.currentSessions > sessions }
        try body(port, client, logDirectory)
    }

    static func client(_ port: Int) throws -> SubscriptionClient {
        try SubscriptionClient(configuration: SubscriptionConfiguration(target: "127.0.0.1:\(port)"))
    }

    /// Polls `read` until `ready` holds or `seconds` pass; returns the last value.
    static func poll<T>(seconds: Double = 15, _ read: () throws -> T, until ready: (T) -> Bool) throws -> T {
        let deadline = Date().addingTimeInterval(seconds)
        var value = try read()
        while !ready(value) && Date() < deadline {
            usleep(50_000)
            value = try read()
        }
        return value
    }

    /// Subscribes from the oldest event and collects events (with their arrival time) until
    /// `done` holds for what was collected, or `seconds` pass.
    static func collect(port: Int, seconds: Double = 20, until done: ([(Event, Date)]) -> Bool) throws -> [(Event, Date)] {
        var configuration = SubscriptionConfiguration(target: "127.0.0.1:\(port)")
        configuration.request.start = .fromOldest
        configuration.request.maxBatchLatencyMillis = 10
        let client = try SubscriptionClient(configuration: configuration)
        defer { client.close() }
        var events: [(Event, Date)] = []
        let deadline = Date().addingTimeInterval(seconds)
        try client.run { batch, _ in
            let now = Date()
            for event in batch where !event.payload.isStreamControl { events.append((event, now)) }
            return !done(events) && Date() < deadline
        }
        return events
    }

    static func error(_ id: String, in counters: [FpcErrorCounters], slot: UInt32) -> ErrorCounters? {
        counters.first { $0.slot == slot }?.errors.first { $0.errorID == id }
    }

    @Test("malformed frames of a replayed capture count as FPC 0's minor ioc-malformed-packet; the minor threshold (10) logs once")
    func malformedFrames() throws {
        let frames = Array(repeating: TestFrames.sample[4], count: 12) + [TestFrames.sample[0], TestFrames.sample[1]]
        let pcap = try TestFrames.writePcap(frames, name: "malformed.pcap")
        let (daemon, port, _) = try Self.start("", ["--replay", pcap, "--spus", "1"])
        defer { stop(daemon) }
        let client = try Self.client(port)
        defer { client.close() }
        let counters = try Self.poll({ try client.fpcErrors(slot: 0) }) {
            Self.error("ioc-malformed-packet", in: $0, slot: 0)?.occurred == 12
        }
        let malformed = try #require(Self.error("ioc-malformed-packet", in: counters, slot: 0))
        #expect(malformed.occurred == 12)
        #expect(malformed.severity == .minor && malformed.module == "decode")
        #expect(malformed.lastOccurred != nil)
        let minor = try #require(counters[0].severities.first { $0.severity == .minor })
        #expect(minor.occurred == 12 && minor.threshold == 10 && minor.actions == [.log])
        // Every other FPC 0 error stays at 0.
        #expect(counters[0].errors.filter { $0.errorID != "ioc-malformed-packet" }.allSatisfy { $0.occurred == 0 })
        // The history has them, as sampled.
        let history = try client.fpcErrorHistory(slot: 0)
        #expect(history.reduce(0) { $0 + $1.count } == 12)
        #expect(history.allSatisfy { $0.slot == 0 && $0.errorID == "ioc-malformed-packet" && $0.severity == .minor })
        #expect(try client.fpcErrorHistory(slot: 1).isEmpty)

        // On the stream: the occurrences (12 in all) and the log action at the multiple 10,
        // reported for both levels (the error type's count and the severity's), run once.
        let events = try Self.collect(port: port) { events in
            events.filter { if case .fpcErrorAction = $0.0.payload { true } else { false } }.count == 2
        }
        let occurred = events.compactMap { event -> FpcErrorOccurred? in
            if case .fpcError(let error) = event.0.payload { error } else { nil }
        }
        #expect(occurred.reduce(0) { $0 + $1.count } == 12)
        #expect(occurred.allSatisfy { $0.slot == 0 && $0.errorID == "ioc-malformed-packet" && $0.severity == .minor })
        let actions = events.compactMap { event -> FpcErrorAction? in
            if case .fpcErrorAction(let action) = event.0.payload { action } else { nil }
        }
        #expect(actions.map(\.action) == [.log, .log])
        #expect(Set(actions.map(\.errorType)) == ["packet", ""])
        #expect(actions.allSatisfy { $0.count == 10 && $0.threshold == 10 && $0.slot == 0 })
        #expect(try client.alarms().isEmpty)
    }

    @Test("a session table too small for generated traffic: FPC 1 counts spc-session-table-full (major) and its default action raises an alarm")
    func sessionTableFull() throws {
        let (daemon, port, _) = try Self.start(
            "set services flowtel maximum-sessions 16\n", ["--generate", "400", "--spus", "1", "--generate-sessions", "400"])
        defer { stop(daemon) }
        let client = try Self.client(port)
        defer { client.close() }
        let alarms = try Self.poll({ try client.alarms() }) { !$0.isEmpty }
        #expect(alarms.map(\.description) == ["FPC 1 Major Errors - session table full; first packet failed"])
        #expect(alarms.first?.alarmClass == .major && alarms.first?.slot == 1)
        let counters = try client.fpcErrors(slot: 1)
        let full = try #require(Self.error("spc-session-table-full", in: counters, slot: 1))
        #expect(full.occurred > 0 && full.severity == .major)
        let major = try #require(counters[0].severities.first { $0.severity == .major })
        #expect(major.occurred == full.occurred && major.threshold == 1 && major.actions == [.alarm])
        // The engine agrees: every failure it counted is an occurrence (poll: the chassis samples).
        let statistics = try flowStatistics(port: port) { $0.sources.first?.state == .finished }
        #expect(statistics.currentSessions <= 16)

        // `clear chassis alarms` clears it; the counters stay.
        #expect(try client.clearAlarms() == 1)
        #expect(try client.alarms().isEmpty)
        #expect(Self.error("spc-session-table-full", in: try client.fpcErrors(slot: 1), slot: 1)?.occurred ?? 0 >= full.occurred)
    }

    @Test("fault injection is refused with PERMISSION_DENIED unless the configuration sets system diagnostics fault-injection")
    func injectionNeedsDiagnostics() throws {
        let (daemon, port, _) = try Self.start("", ["--spus", "1"])
        defer { stop(daemon) }
        let client = try Self.client(port)
        defer { client.close() }
        #expect {
            _ = try client.injectError(slot: 1, pic: 0, errorID: "spc-session-table-full", count: 1)
        } throws: { ($0 as? RPCError)?.code == .permissionDenied }
        #expect {
            _ = try client.injectWedge(slot: 1, pic: 0, stage: .lu, durationSeconds: 2)
        } throws: { ($0 as? RPCError)?.code == .permissionDenied }
        // A slot the chassis does not have is INVALID_ARGUMENT, a state conflict FAILED_PRECONDITION.
        #expect { _ = try client.fpcErrors(slot: 7) } throws: { ($0 as? RPCError)?.code == .invalidArgument }
        #expect { _ = try client.requestFpc(slot: 1, action: .online) } throws: { ($0 as? RPCError)?.code == .failedPrecondition }
        let fpcs = try client.fpcs()
        #expect(fpcs.map(\.slot) == [0, 1])
        #expect(fpcs.map(\.fpcType) == [.ioc3, .spc2])
        #expect(fpcs.allSatisfy { $0.state == .online })
    }

    static let injection = """
        set system diagnostics fault-injection
        set services flowtel wedge-detect detect-after 0.5 irreversible-after 3

        """

    @Test("an injected LU stall shorter than irreversible-after is a transient wedge: detected within a second, cleared, no alarm")
    func transientWedge() throws {
        try Self.withTraffic(Self.injection, spus: 2) { port, client, _ in
            let injected = Date()
            let reply = try client.injectWedge(slot: 1, pic: 1, stage: .lu, durationSeconds: 2)
            #expect(reply.contains("LU"))
            let events = try Self.collect(port: port) { events in
                events.contains { if case .wedgeCleared(let cleared) = $0.0.payload { cleared.stage == .lu } else { false } }
            }
            let detected = events.compactMap { event -> (WedgeDetected, Date)? in
                if case .wedgeDetected(let wedge) = event.0.payload, wedge.stage == .lu { (wedge, event.1) } else { nil }
            }
            let first = try #require(detected.first)
            #expect(first.0.slot == 1 && first.0.pic == 1 && !first.0.irreversible && first.0.pending > 0)
            #expect(detected.allSatisfy { !$0.0.irreversible })
            let latency = first.1.timeIntervalSince(injected)
            print("chassis: transient LU wedge reported \(Int(latency * 1000)) ms after the stall began (detect-after 500 ms)")
            #expect(latency < 5)
            let cleared = events.compactMap { event -> WedgeCleared? in
                if case .wedgeCleared(let cleared) = event.0.payload, cleared.stage == .lu { cleared } else { nil }
            }
            #expect(cleared.first.map { $0.durationMillis >= 500 && $0.durationMillis < 3000 } == true)
            #expect(try client.alarms().isEmpty)
            let view = try client.wedgeDetect(slot: 1)
            #expect(view.detectAfterMillis == 500 && view.irreversibleAfterMillis == 3000)
            let lu = try #require(view.watchdogs.first { $0.pic == 1 && $0.stage == .lu })
            #expect(lu.detections >= 1 && lu.irreversibleCount == 0 && lu.stalledSince == nil)
            #expect(view.history.contains { $0.pic == 1 && $0.stage == .lu && $0.cleared != nil && $0.irreversible == nil })
        }
    }

    @Test(
        "every stage's injected stall is detected as a transient wedge of that stage and clears",
        arguments: [(UInt32(0), WedgeStage.xm), (1, .xm), (1, .lu), (1, .xl), (1, .toe), (1, .hostLoopback)] as [(UInt32, WedgeStage)])
    func eachStage(slot: UInt32, stage: WedgeStage) throws {
        try Self.withTraffic(Self.injection, spus: 1) { port, client, _ in
            let injected = Date()
            _ = try client.injectWedge(slot: slot, pic: 0, stage: stage, durationSeconds: 2)
            let events = try Self.collect(port: port) { events in
                events.contains {
                    if case .wedgeCleared(let cleared) = $0.0.payload { cleared.slot == slot && cleared.stage == stage } else { false }
                }
            }
            let detected = try #require(
                events.first {
                    if case .wedgeDetected(let wedge) = $0.0.payload { wedge.slot == slot && wedge.stage == stage } else { false }
                })
            print("chassis: \(stage) wedge of FPC \(slot) reported \(Int(detected.1.timeIntervalSince(injected) * 1000)) ms after the stall began")
            #expect(detected.1.timeIntervalSince(injected) < 5)
            #expect(!events.contains { if case .wedgeDetected(let wedge) = $0.0.payload { wedge.irreversible } else { false } })
            #expect(try client.alarms().isEmpty)
        }
    }

    @Test("an injected stall past irreversible-after raises an alarm within 5 s; the fatal default resets the card: sessions close with FPC reset")
    func irreversibleWedge() throws {
        try Self.withTraffic(Self.injection, spus: 1) { port, client, _ in
            let injected = Date()
            _ = try client.injectWedge(slot: 1, pic: 0, stage: .lu, durationSeconds: 60)
            let events = try Self.collect(port: port, seconds: 30) { events in
                events.contains { if case .fpcStateChange(let change) = $0.0.payload { change.slot == 1 && change.state == .online } else { false } }
            }
            let irreversible = try #require(
                events.first { if case .wedgeDetected(let wedge) = $0.0.payload { wedge.irreversible && wedge.stage == .lu } else { false } })
            let alarm = try #require(
                events.first { if case .alarmRaised(let raised) = $0.0.payload { raised.description.contains("LU Wedge") } else { false } })
            let latency = alarm.1.timeIntervalSince(injected)
            print("chassis: irreversible LU wedge alarm \(Int(latency * 1000)) ms after the stall began (irreversible-after 3 s)")
            #expect(irreversible.1 <= alarm.1.addingTimeInterval(0.5))
            #expect(latency < 3 + 5)
            // spc-shard-stall (fatal): alarm and reset; the reset ends the stall and closes FPC 1's sessions.
            #expect(events.contains { if case .fpcError(let error) = $0.0.payload { error.errorID == "spc-shard-stall" } else { false } })
            let closes = events.compactMap { event -> SessionClose? in
                if case .sessionClose(let close) = event.0.payload, close.reason == .fpcReset { close } else { nil }
            }
            #expect(!closes.isEmpty)
            let states = events.compactMap { event -> FpcStateChange? in
                if case .fpcStateChange(let change) = event.0.payload { change } else { nil }
            }
            #expect(states.contains { $0.slot == 1 && $0.state == .resetting })
            #expect(states.contains { $0.slot == 0 && $0.state == .resetting })  // the services card's caution: every FPC restarts
            // Traffic flows again after the restart.
            let before = try flowStatistics(port: port) { _ in true }.packetsForwarded
            let after = try Self.poll({ try flowStatistics(port: port) { _ in true }.packetsForwarded }) { $0 > before }
            #expect(after > before)
        }
    }

    @Test("request chassis fpc: offline drops and counts the traffic, online restores it, restart closes sessions with FPC reset")
    func requests() throws {
        try Self.withTraffic("", spus: 1) { port, client, _ in

            #expect(try client.requestFpc(slot: 1, action: .offline) == "Offline initiated, use \"show chassis fpc\" to verify")
            let offline = try Self.poll({ try client.fpcs() }) { $0.count == 2 && $0[1].state == .offline && $0[0].state == .online }
            #expect(offline[1].state == .offline)
            // With no services card online, dispatch drops every packet: FPC 0's ioc-dispatch-drop.
            let drops = try Self.poll({ try client.fpcErrors(slot: 0) }) {
                (Self.error("ioc-dispatch-drop", in: $0, slot: 0)?.occurred ?? 0) > 0
            }
            #expect((Self.error("ioc-dispatch-drop", in: drops, slot: 0)?.occurred ?? 0) > 0)
            #expect { _ = try client.requestFpc(slot: 1, action: .offline) } throws: { ($0 as? RPCError)?.code == .failedPrecondition }

            #expect(try client.requestFpc(slot: 1, action: .online).hasPrefix("Online initiated"))
            _ = try Self.poll({ try client.fpcs() }) { $0[1].state == .online }
            let forwarded = try flowStatistics(port: port) { _ in true }.packetsForwarded
            #expect(try Self.poll({ try flowStatistics(port: port) { _ in true }.packetsForwarded }) { $0 > forwarded } > forwarded)

            #expect(try client.requestFpc(slot: 1, action: .restart).hasPrefix("Restart initiated"))
            let events = try Self.collect(port: port) { events in
                events.contains { if case .fpcStateChange(let change) = $0.0.payload { change.reason == "restart complete" && change.slot == 1 } else { false } }
            }
            let reasons = Set(events.compactMap { event -> CloseReason? in
                if case .sessionClose(let close) = event.0.payload { close.reason } else { nil }
            })
            #expect(reasons.contains(.fpcOffline))
            #expect(reasons.contains(.fpcReset))
        }
    }

    @Test("get-state publishes a snapshot of the FPC and writes it to the log directory; injected errors count like real ones")
    func getState() throws {
        let config = Self.injection + "set chassis fpc 1 error minor threshold 2 action get-state\n"
        try Self.withTraffic(config, spus: 1, rate: 200, sessions: 5) { port, client, logDirectory in
            #expect(try client.injectError(slot: 1, pic: 0, errorID: "spc-nat-pool-exhausted", count: 2).contains("spc-nat-pool-exhausted"))
            #expect { _ = try client.injectError(slot: 1, pic: 0, errorID: "no-such-error", count: 1) } throws: {
                ($0 as? RPCError)?.code == .invalidArgument
            }
            let events = try Self.collect(port: port) { events in
                events.contains { if case .fpcStateSnapshot = $0.0.payload { true } else { false } }
            }
            let snapshot = try #require(events.compactMap { event -> FpcStateSnapshot? in
                if case .fpcStateSnapshot(let snapshot) = event.0.payload { snapshot } else { nil }
            }.first)
            #expect(snapshot.slot == 1 && snapshot.fpcType == .spc2)
            let sessions = try #require(snapshot.items.first { $0.name == "pic0.sessions" })
            #expect(sessions.value > 0)
            #expect(snapshot.items.contains { $0.name == "pic0.stage.lu.processed" && $0.value > 0 })
            #expect(snapshot.items.contains { $0.name == "errors.minor.occurred" && $0.value == 2 })
            #expect(snapshot.file.hasPrefix(logDirectory + "/fpc1-state-"))
            let text = try String(contentsOfFile: snapshot.file, encoding: .utf8)
            #expect(text.contains("pic0.sessions \(sessions.value)\n"))
        }
    }
}
