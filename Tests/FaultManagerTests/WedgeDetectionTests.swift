import FaultManager
import FlowtelCore
import JunosConfig
import Testing

@Suite("Fault manager: wedge detection")
struct WedgeDetectionTests {
    static let t0 = FaultManagerTests.t0

    static func at(millis: UInt64) -> Timestamp { Timestamp(unixNanos: t0.unixNanos + millis * 1_000_000) }

    static func detections(_ output: FaultOutput) -> [WedgeDetected] {
        output.events.compactMap { if case .wedgeDetected(let wedge) = $0 { wedge } else { nil } }
    }

    static func clears(_ output: FaultOutput) -> [WedgeCleared] {
        output.events.compactMap { if case .wedgeCleared(let wedge) = $0 { wedge } else { nil } }
    }

    /// Samples `site` every 100 ms from `from` to `to` (inclusive) with work pending and no
    /// progress; returns every output with its time.
    static func stall(
        _ manager: inout FaultManager, _ site: WedgeDetector.Site, from: UInt64, to: UInt64, completed: UInt64 = 7
    ) throws -> [(UInt64, FaultOutput)] {
        var outputs: [(UInt64, FaultOutput)] = []
        for millis in stride(from: from, through: to, by: 100) {
            outputs.append((millis, try manager.observe(site, pending: 3, completed: completed, at: at(millis: millis))))
        }
        return outputs
    }

    @Test("a transient stall of each stage is detected within a second and clears without an alarm")
    func transient() throws {
        for stage in WedgeStage.allCases {
            var manager = FaultManager(spus: 4, config: ChassisConfig(), at: Self.t0)
            let site = WedgeDetector.Site(slot: 1, pic: 2, stage: stage)
            let outputs = try Self.stall(&manager, site, from: 0, to: 1500)
            let detected = outputs.filter { !Self.detections($0.1).isEmpty }
            #expect(detected.map(\.0) == [1000], "\(stage): detected at the first sample a second after progress stopped")
            let wedge = try #require(Self.detections(detected[0].1).first)
            #expect(wedge.stage == stage && wedge.pic == 2 && wedge.pending == 3 && !wedge.irreversible)
            #expect(wedge.stalledMillis == 1000)
            let recovered = try manager.observe(site, pending: 3, completed: 8, at: Self.at(millis: 1600))
            #expect(Self.clears(recovered).map(\.durationMillis) == [1600])
            #expect(manager.alarms.isEmpty)
            #expect(outputs.allSatisfy { $0.1.commands.isEmpty })
            #expect(manager.wedges.history.count == 1 && manager.wedges.history[0].cleared == Self.at(millis: 1600))
        }
    }

    @Test("an irreversible stall raises one alarm within five seconds and counts as the stall error")
    func irreversible() throws {
        var manager = FaultManager(spus: 4, config: ChassisConfig(), at: Self.t0)
        let site = WedgeDetector.Site(slot: 1, pic: 0, stage: .lu)
        let outputs = try Self.stall(&manager, site, from: 0, to: 7000)
        let irreversible = outputs.filter { Self.detections($0.1).contains { $0.irreversible } }
        #expect(irreversible.map(\.0) == [5000])
        let output = irreversible[0].1
        #expect(output.events.contains { if case .fpcError(let error) = $0 { error.errorID == "spc-shard-stall" } else { false } })
        #expect(output.events.contains {
            if case .alarmRaised(let alarm) = $0 { alarm.description == "FPC 1 PIC 0 LU Wedge Detected (irreversible)" } else { false }
        })
        // spc-shard-stall is fatal: by default an alarm and a reset of the card (every FPC).
        #expect(output.commands.contains { if case .restart = $0 { true } else { false } })
        #expect(manager.alarms.count == 2)
        #expect(manager.wedges.watchdogs(slot: 1).isEmpty, "the reset restarted the watchdogs")
    }

    @Test("a failed host-loopback probe is a major error; the wedge alarm outlives clear chassis alarms until recovery")
    func hostLoopback() throws {
        var manager = FaultManager(spus: 4, config: ChassisConfig(), at: Self.t0)
        let site = WedgeDetector.Site(slot: 1, pic: 1, stage: .hostLoopback)
        let outputs = try Self.stall(&manager, site, from: 0, to: 5000)
        #expect(outputs.contains { $0.1.events.contains {
            if case .fpcError(let error) = $0 { error.errorID == "spc-host-loopback-failed" } else { false }
        } })
        #expect(manager.alarms.count == 2)  // the wedge alarm and the major-errors alarm
        _ = manager.clearAlarms()
        #expect(manager.alarms.map(\.description) == ["FPC 1 PIC 1 Host Loopback Wedge Detected (irreversible)"])
        let recovered = try manager.observe(site, pending: 0, completed: 8, at: Self.at(millis: 5100))
        #expect(Self.clears(recovered).count == 1)
        #expect(manager.alarms.isEmpty)
    }

    @Test("no pending work is idle, not wedged; progress restarts the stall clock")
    func idleAndProgress() throws {
        var manager = FaultManager(spus: 4, config: ChassisConfig(), at: Self.t0)
        let site = WedgeDetector.Site(slot: 1, pic: 0, stage: .xm)
        for millis in stride(from: UInt64(0), through: 10_000, by: 500) {
            #expect(try manager.observe(site, pending: 0, completed: 1, at: Self.at(millis: millis)).events.isEmpty)
        }
        var completed: UInt64 = 1
        for millis in stride(from: UInt64(10_500), through: 20_000, by: 900) {
            completed += 1
            #expect(try manager.observe(site, pending: 50, completed: completed, at: Self.at(millis: millis)).events.isEmpty)
        }
        let dog = try #require(manager.wedges.watchdogs(slot: 1).first)
        #expect(dog.detections == 0 && dog.pending == 50 && dog.completed == completed)
    }

    @Test("TOE and host loopback are watched on services cards only; unknown slots and PICs are refused")
    func sites() throws {
        var manager = FaultManager(spus: 2, config: ChassisConfig(), at: Self.t0)
        for stage in [WedgeStage.toe, .hostLoopback] {
            #expect(throws: FaultError.self) {
                try manager.observe(.init(slot: 0, pic: 0, stage: stage), pending: 1, completed: 0, at: Self.t0)
            }
        }
        #expect(throws: FaultError.self) { try manager.observe(.init(slot: 1, pic: 2, stage: .lu), pending: 1, completed: 0, at: Self.t0) }
        #expect(throws: FaultError.self) { try manager.observe(.init(slot: 5, pic: 0, stage: .lu), pending: 1, completed: 0, at: Self.t0) }
        _ = try manager.observe(.init(slot: 0, pic: 0, stage: .xm), pending: 1, completed: 0, at: Self.t0)
    }

    @Test("the detection and irreversible times are configurable")
    func configurable() throws {
        let detector = WedgeDetector(detectAfter: .milliseconds(300), irreversibleAfter: .seconds(2))
        var manager = FaultManager(spus: 4, config: ChassisConfig(), wedges: detector, at: Self.t0)
        let outputs = try Self.stall(&manager, .init(slot: 1, pic: 3, stage: .xl), from: 0, to: 2500)
        let times = outputs.flatMap { output in Self.detections(output.1).map { (output.0, $0.irreversible) } }
        #expect(times.map(\.0) == [300, 2000])
        #expect(times.map(\.1) == [false, true])
    }
}
