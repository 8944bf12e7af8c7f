import FaultManager
import FlowtelCore
import JunosConfig
import Testing

@Suite("Fault manager: thresholds, actions, chassis state")
struct FaultManagerTests {
    static let t0 = Timestamp(unixNanos: 1_795_946_400_000_000_000)

    static func time(_ seconds: UInt64) -> Timestamp { Timestamp(unixNanos: t0.unixNanos + seconds * 1_000_000_000) }

    static func chassis(_ lines: String = "", spus: Int = 4) throws -> FaultManager {
        let config = try DeviceConfig.load(text: lines, file: "chassis.set").config
        return FaultManager(spus: spus, config: config.chassis, at: t0)
    }

    static func actions(_ output: FaultOutput) -> [FpcErrorAction] {
        output.events.compactMap { if case .fpcErrorAction(let action) = $0 { action } else { nil } }
    }

    static func alarms(_ output: FaultOutput) -> [AlarmRaised] {
        output.events.compactMap { if case .alarmRaised(let alarm) = $0 { alarm } else { nil } }
    }

    static func stateChanges(_ output: FaultOutput) -> [FpcStateChange] {
        output.events.compactMap { if case .fpcStateChange(let change) = $0 { change } else { nil } }
    }

    @Test("the chassis has the I/O card in slot 0 and one services card per four SPUs")
    func sizing() throws {
        let manager = try Self.chassis(spus: 5)
        #expect(manager.slots.map(\.slot) == [0, 1, 2])
        #expect(manager.slots.map(\.type) == [.ioc3, .spc2, .spc2])
        #expect(manager.slots.map(\.pics) == [1, 4, 1])
        #expect(manager.slots.allSatisfy { $0.state == .online })
        #expect(try Self.chassis(spus: 1).slots.count == 2)
    }

    @Test("major acts once when the default threshold of 1 is reached, never again until a restart")
    func majorOnce() throws {
        var manager = try Self.chassis()
        let first = try manager.record("spc-session-table-full", slot: 1, at: Self.time(1))
        #expect(Self.actions(first).map(\.action) == [.alarm, .alarm])  // type level and severity level
        #expect(Self.actions(first).map(\.errorType) == ["resource", ""])
        #expect(Self.alarms(first).count == 1)
        #expect(Self.alarms(first).first?.description == "FPC 1 Major Errors - session table full; first packet failed")
        for second in 2...5 {
            let again = try manager.record("spc-session-table-full", slot: 1, at: Self.time(UInt64(second)))
            #expect(Self.actions(again).isEmpty)
            #expect(Self.alarms(again).isEmpty)
        }
        #expect(manager.counters(slot: 1).severities.first { $0.severity == .major }?.occurred == 5)
    }

    @Test("minor acts at every multiple of the default threshold of 10, several times for a burst")
    func minorMultiples() throws {
        var manager = try Self.chassis()
        var fired: [UInt64] = []
        for second in 1...25 {
            let output = try manager.record("ioc-malformed-packet", slot: 0, at: Self.time(UInt64(second)))
            fired += Self.actions(output).filter { $0.errorType.isEmpty }.map(\.count)
            #expect(Self.actions(output).allSatisfy { $0.action == .log })
        }
        #expect(fired == [10, 20])
        let burst = try manager.record("ioc-malformed-packet", slot: 0, count: 26, at: Self.time(30))  // 25 -> 51
        #expect(Self.actions(burst).filter { $0.errorType.isEmpty }.map(\.count) == [30, 40, 50])
        #expect(burst.commands.filter { if case .log = $0 { true } else { false } }.count == 1)  // one report per record
    }

    @Test("a minor threshold of 0 never acts")
    func minorZero() throws {
        var manager = try Self.chassis("set chassis error minor threshold 0\n")
        let output = try manager.record("ioc-malformed-packet", slot: 0, count: 1000, at: Self.time(1))
        #expect(Self.actions(output).isEmpty)
        #expect(output.commands.isEmpty)
        #expect(manager.counters(slot: 0).severities.first { $0.severity == .minor }?.threshold == 0)
    }

    @Test("a slot's own setting overrides the chassis-wide one, which overrides the default, each part on its own")
    func overrides() throws {
        let manager = try Self.chassis(
            """
            set chassis error major threshold 5
            set chassis error major action get-state
            set chassis fpc 2 error major threshold 2
            set chassis fpc 1 error minor action report
            """, spus: 8)
        #expect(manager.rule(slot: 1, severity: .major) == ThresholdRule(severity: .major, threshold: 5, actions: [.getState]))
        #expect(manager.rule(slot: 2, severity: .major) == ThresholdRule(severity: .major, threshold: 2, actions: [.getState]))
        #expect(manager.rule(slot: 1, severity: .minor) == ThresholdRule(severity: .minor, threshold: 10, actions: [.log]))
        #expect(manager.rule(slot: 0, severity: .fatal) == ThresholdRule(severity: .fatal, threshold: 1, actions: [.alarm, .reset]))
        #expect(manager.rule(slot: 0, severity: .minor) == ThresholdRule(severity: .minor, threshold: 10, actions: [.log]))
    }

    @Test("the type level counts one error type, the severity level every error of the severity")
    func twoLevels() throws {
        var manager = try Self.chassis("set chassis fpc 1 error major threshold 3 action log\n")
        var output = try manager.record("spc-session-table-full", slot: 1, count: 2, at: Self.time(1))
        #expect(Self.actions(output).isEmpty)
        output = try manager.record("spc-control-timeout", slot: 1, at: Self.time(2))  // major total 3
        #expect(Self.actions(output).map(\.errorType) == [""])
        #expect(Self.actions(output).map(\.count) == [3])
        output = try manager.record("spc-session-table-full", slot: 1, at: Self.time(3))  // resource type 3
        #expect(Self.actions(output).map(\.errorType) == ["resource"])
        output = try manager.record("spc-session-table-full", slot: 1, count: 10, at: Self.time(4))
        #expect(Self.actions(output).isEmpty, "major acts once per level")
    }

    @Test("both levels reached at once run each action once: one alarm, one reset")
    func bothLevelsOnce() throws {
        var manager = try Self.chassis()
        let output = try manager.record("spc-shard-stall", slot: 1, pic: 2, at: Self.time(1))
        #expect(Self.actions(output).count == 4)  // alarm and reset, at both levels
        #expect(Self.alarms(output).count == 1)
        #expect(output.commands.filter { if case .restart = $0 { true } else { false } }.count == 1)
    }

    @Test("reset of a services card restarts every FPC; their counters restart and their alarms clear when they are back")
    func resetCascade() throws {
        var manager = try Self.chassis(spus: 8)
        _ = try manager.record("ioc-capture-drop", slot: 0, at: Self.time(1))  // major: alarm on FPC 0
        #expect(manager.alarms.count == 1)
        let output = try manager.record("spc-shard-stall", slot: 2, at: Self.time(2))  // fatal: alarm, reset
        #expect(output.commands.contains(.restart(slots: [0, 1, 2], reason: "fatal error threshold (spc-shard-stall)")))
        #expect(Self.stateChanges(output).map(\.slot) == [0, 1, 2])
        #expect(Self.stateChanges(output).allSatisfy { $0.previousState == .online && $0.state == .resetting })
        #expect(manager.slots.allSatisfy { $0.state == .resetting })
        #expect(manager.counters(slot: 0).severities.allSatisfy { $0.occurred == 0 })
        #expect(manager.alarms.count == 2)
        for slot: UInt32 in [0, 1, 2] {
            let back = manager.completeRestart(slot: slot, at: Self.time(3))
            #expect(Self.stateChanges(back).map(\.state) == [.online])
        }
        #expect(manager.alarms.isEmpty)
        // Counters restarted, so the once-only rule is armed again.
        #expect(Self.alarms(try manager.record("ioc-capture-drop", slot: 0, at: Self.time(4))).count == 1)
    }

    @Test("reset of the I/O card restarts only the I/O card")
    func resetIOC() throws {
        var manager = try Self.chassis("set chassis fpc 0 error major action reset\n")
        let output = try manager.record("ioc-dispatch-drop", slot: 0, at: Self.time(1))
        #expect(output.commands == [.restart(slots: [0], reason: "major error threshold (ioc-dispatch-drop)")])
        #expect(manager.slots.map(\.state) == [.resetting, .online])
    }

    @Test("offline takes the card out of dispatch; offlining a services card restarts every other FPC")
    func offlineCascade() throws {
        var manager = try Self.chassis("set chassis fpc 1 error major action offline\n", spus: 8)
        let output = try manager.record("spc-host-loopback-failed", slot: 1, at: Self.time(1))
        #expect(output.commands.contains(.takeOffline(slot: 1)))
        #expect(output.commands.contains(.restart(slots: [0, 2], reason: "FPC 1 taken offline")))
        #expect(manager.slots.map(\.state) == [.resetting, .offline, .resetting])
        let online = try manager.request(.online, slot: 1, at: Self.time(5))
        #expect(online.commands == [.bringOnline(slot: 1)])
        #expect(manager.slots[1].state == .online)
    }

    @Test("get-state, log and trap turn into commands; trap says there is no SNMP")
    func commands() throws {
        var manager = try Self.chassis("set chassis error major action [ get-state log trap ]\n")
        let output = try manager.record("spc-event-queue-overflow", slot: 1, at: Self.time(1))
        #expect(output.commands.first == .collectState(slot: 1))
        #expect(output.commands.count == 3)
        #expect(output.commands.contains { if case .log(let text) = $0 { text.contains("no SNMP") } else { false } })
        #expect(Self.alarms(output).isEmpty)
    }

    @Test("operator requests change state, and refuse what makes no sense")
    func requests() throws {
        var manager = try Self.chassis()
        #expect(throws: FaultError.self) { try manager.request(.online, slot: 1, at: Self.time(1)) }
        #expect(throws: FaultError.self) { try manager.request(.restart, slot: 9, at: Self.time(1)) }
        let offline = try manager.request(.offline, slot: 0, at: Self.time(1))
        #expect(offline.commands == [.takeOffline(slot: 0)])  // the I/O card: no cascade
        #expect(throws: FaultError.self) { try manager.request(.offline, slot: 0, at: Self.time(2)) }
        #expect(throws: FaultError.self) { try manager.request(.restart, slot: 0, at: Self.time(2)) }
        let restart = try manager.request(.restart, slot: 1, at: Self.time(3))
        #expect(restart.commands == [.restart(slots: [1], reason: "request chassis fpc restart")])  // FPC 0 is offline
    }

    @Test("errors are refused for an unknown id, an unknown slot or the wrong card")
    func refusals() throws {
        var manager = try Self.chassis()
        #expect(throws: FaultError.self) { try manager.record("no-such-error", slot: 0, at: Self.time(1)) }
        #expect(throws: FaultError.self) { try manager.record("ioc-malformed-packet", slot: 7, at: Self.time(1)) }
        #expect(throws: FaultError.self) { try manager.record("ioc-malformed-packet", slot: 1, at: Self.time(1)) }
        #expect(throws: FaultError.self) { try manager.record("spc-session-table-full", slot: 0, at: Self.time(1)) }
    }

    @Test("counters: per severity with threshold and actions, per error id with occurrences, clears and times")
    func counters() throws {
        var manager = try Self.chassis()
        _ = try manager.record("ioc-malformed-packet", slot: 0, count: 3, at: Self.time(1))
        _ = try manager.record("ioc-capture-read-error", slot: 0, at: Self.time(2))
        _ = try manager.clearError("ioc-capture-read-error", slot: 0, at: Self.time(3))
        let snapshot = manager.counters(slot: 0)
        #expect(snapshot.fpcType == .ioc3)
        #expect(snapshot.severities.map(\.severity) == [.fatal, .major, .minor])
        #expect(snapshot.severities.map(\.occurred) == [0, 1, 3])
        #expect(snapshot.severities.map(\.cleared) == [0, 1, 0])
        #expect(snapshot.errors.map(\.errorID) == FpcErrorCatalogue.all.filter { $0.card == .ioc3 }.map(\.id))
        let readError = try #require(snapshot.errors.first { $0.errorID == "ioc-capture-read-error" })
        #expect(readError.occurred == 1 && readError.cleared == 1)
        #expect(readError.lastOccurred == Self.time(2) && readError.lastCleared == Self.time(3))
        #expect(manager.ledger(slot: 0)?.history.map(\.count) == [3, 1])
    }

    @Test("every catalogue id is unique and names a severity, a type and a card")
    func catalogue() {
        let ids = FpcErrorCatalogue.all.map(\.id)
        #expect(Set(ids).count == ids.count)
        #expect(FpcErrorCatalogue.all.allSatisfy { !$0.module.isEmpty && !$0.type.isEmpty && !$0.summary.isEmpty })
        #expect(Set(FpcErrorCatalogue.all.map(\.severity)) == Set(Severity.allCases))
    }

    @Test("configuration: report is log, the -pfe actions act on the FPC, trap is accepted with a warning")
    func configActions() throws {
        let (config, warnings) = try DeviceConfig.load(
            text: """
                set chassis fpc 1 error minor action report
                set chassis fpc 1 error major action disable-pfe
                set chassis fpc 1 error fatal action [ reset-pfe trap ]
                """, file: "a.set")
        let manager = FaultManager(spus: 4, config: config.chassis, at: Self.t0)
        #expect(manager.rule(slot: 1, severity: .minor).actions == [.log])
        #expect(manager.rule(slot: 1, severity: .major).actions == [.offline])
        #expect(manager.rule(slot: 1, severity: .fatal).actions == [.reset, .trap])
        #expect(warnings.map(\.kind) == [.noEffect])
        #expect(warnings.first?.description == "a.set:3:50: warning: 'action trap' is accepted but does nothing: flowtel has no SNMP agent")
    }
}
