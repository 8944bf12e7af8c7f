public import FlowtelCore
public import JunosConfig

/// One FPC of flowtel's chassis.
public struct FpcSlot: Hashable, Sendable {
    /// Slot number: 0 is the I/O card, 1 and up the services cards.
    public var slot: UInt32
    /// Card type.
    public var type: FpcType
    /// PICs: the SPUs of a services card (one flow-engine shard each); 1 on the I/O card.
    public var pics: Int
    /// State.
    public var state: FpcState
    /// When it entered `state` (its uptime counts from there while online).
    public var stateSince: Timestamp
}

/// An active chassis alarm.
public struct ChassisAlarm: Hashable, Sendable {
    /// Id, unique within the daemon run.
    public var id: UInt64
    /// When it was raised.
    public var time: Timestamp
    /// Class.
    public var alarmClass: AlarmClass
    /// Text, as `show chassis alarms` prints it: `FPC 1 Major Errors - session table full; …`.
    public var description: String
    /// FPC.
    public var slot: UInt32
    /// The error whose threshold raised it.
    public var errorID: String
}

/// What the daemon must do for the fault manager: the manager decides, the daemon acts.
public enum FaultCommand: Hashable, Sendable {
    /// Write this report line to the daemon log (action `log`, and `trap`'s notice).
    case log(String)
    /// Collect the FPC's state (queues, counters, session counts, stage progress), publish it as
    /// an `FpcStateSnapshot` and write it to the log directory (action `get-state`).
    case collectState(slot: UInt32)
    /// Restart the workers of these FPCs: their sessions close, their counters restart. Call
    /// `completeRestart(slot:at:)` for each when it is done.
    case restart(slots: [UInt32], reason: String)
    /// Take the FPC out of dispatch.
    case takeOffline(slot: UInt32)
    /// Put the FPC back into dispatch.
    case bringOnline(slot: UInt32)
}

/// Events to publish and commands to carry out, in order.
public struct FaultOutput: Sendable {
    /// Payloads for the stream, in the order they happened.
    public var events: [Payload] = []
    /// Commands for the daemon.
    public var commands: [FaultCommand] = []

    /// Nothing.
    public init() {}
}

/// A request the fault manager refuses.
public struct FaultError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Why.
    public var message: String
    /// Creates an error.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// `request chassis fpc slot N …`.
public enum FpcRequest: String, Sendable, CaseIterable {
    /// `offline`.
    case offline
    /// `online`.
    case online
    /// `restart`.
    case restart
}

/// The chassis fault manager, pure: errors, configuration and requests in; events to publish
/// and commands for the daemon out. It counts FPC errors per severity, per error id and per
/// error type, applies the thresholds and actions of `chassis fpc N error` / `chassis error` on
/// two levels — each error type's count on an FPC, and the FPC's cumulative count of the
/// severity — and keeps the chassis state and its alarms.
///
/// An occurrence that reaches both levels runs each action once (one alarm, one reset), while
/// both levels are reported (`FpcErrorAction`, `errorType` set for the type level).
public struct FaultManager: Sendable {
    /// The FPCs, by slot.
    public private(set) var slots: [FpcSlot]
    /// Active alarms, oldest first.
    public private(set) var alarms: [ChassisAlarm] = []
    /// The wedge watchdogs.
    public private(set) var wedges: WedgeDetector
    private var ledgers: [ErrorLedger]
    private var config: ChassisConfig
    private var nextAlarmID: UInt64 = 1

    /// A chassis for `spus` flow-engine shards: FPC 0 (I/O card) and one services card per
    /// `SPULocation.spusPerCard` SPUs, all online from `time`.
    public init(spus: Int, config: ChassisConfig, wedges: WedgeDetector = WedgeDetector(), at time: Timestamp) {
        precondition(spus >= 1, "a chassis needs at least one SPU")
        let cards = (spus + SPULocation.spusPerCard - 1) / SPULocation.spusPerCard
        var slots = [FpcSlot(slot: 0, type: .ioc3, pics: 1, state: .online, stateSince: time)]
        for card in 0..<cards {
            let pics = min(SPULocation.spusPerCard, spus - card * SPULocation.spusPerCard)
            slots.append(FpcSlot(slot: UInt32(card + 1), type: .spc2, pics: pics, state: .online, stateSince: time))
        }
        self.slots = slots
        ledgers = Array(repeating: ErrorLedger(since: time), count: slots.count)
        self.config = config
        self.wedges = wedges
    }

    /// Applies a new configuration (thresholds and actions); counters are kept.
    public mutating func apply(config: ChassisConfig) {
        self.config = config
    }

    /// The threshold and actions in force for `severity` on `slot`.
    public func rule(slot: UInt32, severity: Severity) -> ThresholdRule {
        ThresholdRule(config: config, slot: Int(slot), severity: severity)
    }

    /// The counters of `slot`.
    public func ledger(slot: UInt32) -> ErrorLedger? {
        index(slot).map { ledgers[$0] }
    }

    private func index(_ slot: UInt32) -> Int? {
        Int(slot) < slots.count ? Int(slot) : nil
    }

    // MARK: - Errors

    /// Counts `count` occurrences of error `id` on `slot` (detected by `pic`), applies the
    /// thresholds, and returns what to publish and do.
    public mutating func record(
        _ id: String, slot: UInt32, pic: UInt32 = 0, count: UInt64 = 1, at time: Timestamp, detail: String = ""
    ) throws(FaultError) -> FaultOutput {
        guard let definition = FpcErrorCatalogue.definition(id) else {
            throw FaultError("no error '\(id)' in the catalogue (see `flowtel show chassis fpc errors`)")
        }
        guard let index = index(slot) else { throw FaultError("no FPC in slot \(slot)") }
        guard slots[index].type == definition.card else {
            throw FaultError("'\(id)' is a \(definition.card) error; FPC \(slot) is an \(slots[index].type)")
        }
        guard count > 0 else { return FaultOutput() }
        let counts = ledgers[index].record(definition, pic: pic, count: count, at: time, detail: detail)
        var output = FaultOutput()
        var occurred = FpcErrorOccurred()
        occurred.slot = slot
        occurred.pic = pic
        occurred.errorID = id
        occurred.module = definition.module
        occurred.severity = definition.severity
        occurred.errorType = definition.type
        occurred.count = count
        occurred.severityTotal = counts.severity.1
        occurred.description = detail.isEmpty ? definition.summary : detail
        output.events.append(.fpcError(occurred))

        let rule = rule(slot: slot, severity: definition.severity)
        let once = definition.severity != .minor
        let typeFirings = rule.firings(
            from: counts.type.0, to: counts.type.1, firedOnce: ledgers[index].firedTypes.contains(definition.type))
        let severityFirings = rule.firings(
            from: counts.severity.0, to: counts.severity.1,
            firedOnce: ledgers[index].firedSeverities.contains(definition.severity))
        if once && !typeFirings.isEmpty { ledgers[index].firedTypes.insert(definition.type) }
        if once && !severityFirings.isEmpty { ledgers[index].firedSeverities.insert(definition.severity) }

        var effects: [FpcAction] = []
        for (level, firings) in [(definition.type, typeFirings), ("", severityFirings)] {
            for count in firings {
                for action in rule.actions {
                    var record = FpcErrorAction()
                    record.slot = slot
                    record.severity = definition.severity
                    record.errorType = level
                    record.threshold = UInt32(clamping: rule.threshold)
                    record.count = count
                    record.action = action
                    record.detail = Self.actionDetail(action, slot: slot, definition: definition, level: level, count: count)
                    output.events.append(.fpcErrorAction(record))
                    if !effects.contains(action) { effects.append(action) }
                }
            }
        }
        output.events.append(.fpcErrorCounters(counters(slot: slot)))
        for action in effects {
            perform(action, slot: slot, definition: definition, at: time, into: &output)
        }
        return output
    }

    private static func actionDetail(
        _ action: FpcAction, slot: UInt32, definition: FpcErrorDefinition, level: String, count: UInt64
    ) -> String {
        let scope = level.isEmpty ? "\(definition.severity) errors" : "\(definition.severity) '\(level)' errors"
        let what: String
        switch action {
        case .alarm: what = "chassis alarm raised"
        case .log: what = "error report logged"
        case .getState: what = "FPC state collected"
        case .reset: what = definition.card == .spc2 ? "FPC reset (services card: every FPC restarts)" : "FPC reset"
        case .offline: what = definition.card == .spc2 ? "FPC taken offline (services card: every other FPC restarts)" : "FPC taken offline"
        case .trap: what = "no SNMP trap sent (flowtel has no SNMP agent)"
        }
        return "FPC \(slot): \(count) \(scope) reached the threshold (last: \(definition.id)): \(what)"
    }

    private mutating func perform(
        _ action: FpcAction, slot: UInt32, definition: FpcErrorDefinition, at time: Timestamp, into output: inout FaultOutput
    ) {
        switch action {
        case .alarm:
            raiseAlarm(slot: slot, definition: definition, at: time, into: &output)
        case .log:
            output.commands.append(
                .log("FPC \(slot) \(definition.severity) error threshold reached: \(definition.id) (\(definition.summary))"))
        case .trap:
            output.commands.append(.log("FPC \(slot): action trap for \(definition.id): flowtel has no SNMP agent; no trap sent"))
        case .getState:
            output.commands.append(.collectState(slot: slot))
        case .reset:
            restart(slot: slot, reason: "\(definition.severity) error threshold (\(definition.id))", at: time, into: &output)
        case .offline:
            offline(slot: slot, reason: "\(definition.severity) error threshold (\(definition.id))", at: time, into: &output)
        }
    }

    /// Marks the active occurrences of error `id` on `slot` cleared (the condition went away).
    public mutating func clearError(_ id: String, slot: UInt32, at time: Timestamp) throws(FaultError) -> FaultOutput {
        guard let definition = FpcErrorCatalogue.definition(id) else { throw FaultError("no error '\(id)' in the catalogue") }
        guard let index = index(slot) else { throw FaultError("no FPC in slot \(slot)") }
        var output = FaultOutput()
        if ledgers[index].clear(definition, at: time) > 0 {
            output.events.append(.fpcErrorCounters(counters(slot: slot)))
        }
        return output
    }

    /// A snapshot of `slot`'s counters with the thresholds and actions in force.
    public func counters(slot: UInt32) -> FpcErrorCounters {
        var snapshot = FpcErrorCounters()
        guard let index = index(slot) else { return snapshot }
        let ledger = ledgers[index]
        snapshot.slot = slot
        snapshot.fpcType = slots[index].type
        for severity in [Severity.fatal, .major, .minor] {
            let rule = rule(slot: slot, severity: severity)
            var counters = SeverityCounters()
            counters.severity = severity
            counters.occurred = ledger.severities[severity]?.occurred ?? 0
            counters.cleared = ledger.severities[severity]?.cleared ?? 0
            counters.threshold = UInt32(clamping: rule.threshold)
            counters.actions = rule.actions
            snapshot.severities.append(counters)
        }
        for definition in FpcErrorCatalogue.all where definition.card == slots[index].type {
            let tally = ledger.errors[definition.id] ?? ErrorLedger.Tally()
            var counters = ErrorCounters()
            counters.errorID = definition.id
            counters.module = definition.module
            counters.severity = definition.severity
            counters.errorType = definition.type
            counters.occurred = tally.occurred
            counters.cleared = tally.cleared
            counters.lastOccurred = tally.lastOccurred
            counters.lastCleared = tally.lastCleared
            snapshot.errors.append(counters)
        }
        return snapshot
    }

    // MARK: - Alarms

    private mutating func raiseAlarm(slot: UInt32, definition: FpcErrorDefinition, at time: Timestamp, into output: inout FaultOutput) {
        let alarmClass: AlarmClass = definition.severity == .minor ? .minor : .major
        let title = "FPC \(slot) \(definition.severity == .fatal ? "Fatal" : definition.severity == .major ? "Major" : "Minor") Errors"
        // One alarm per FPC and severity while it is active.
        guard !alarms.contains(where: { $0.slot == slot && $0.description.hasPrefix(title + " ") }) else { return }
        addAlarm(alarmClass, "\(title) - \(definition.summary)", slot: slot, errorID: definition.id, at: time, into: &output)
    }

    private mutating func addAlarm(
        _ alarmClass: AlarmClass, _ description: String, slot: UInt32, errorID: String, at time: Timestamp,
        into output: inout FaultOutput
    ) {
        let alarm = ChassisAlarm(id: nextAlarmID, time: time, alarmClass: alarmClass, description: description, slot: slot, errorID: errorID)
        nextAlarmID += 1
        alarms.append(alarm)
        var raised = AlarmRaised()
        raised.alarmID = alarm.id
        raised.alarmClass = alarmClass
        raised.description = description
        raised.slot = slot
        raised.errorID = errorID
        output.events.append(.alarmRaised(raised))
    }

    private mutating func clearAlarms(where matches: (ChassisAlarm) -> Bool, reason: String, into output: inout FaultOutput) {
        for alarm in alarms where matches(alarm) {
            var cleared = AlarmCleared()
            cleared.alarmID = alarm.id
            cleared.alarmClass = alarm.alarmClass
            cleared.description = alarm.description
            cleared.slot = alarm.slot
            cleared.reason = reason
            output.events.append(.alarmCleared(cleared))
        }
        alarms.removeAll(where: matches)
    }

    /// `clear chassis alarms`: clears the FPC error alarms (their counters stay). Wedge alarms
    /// stay while the stage is wedged: they clear when it progresses or its FPC restarts.
    public mutating func clearAlarms() -> FaultOutput {
        var output = FaultOutput()
        clearAlarms(where: { !$0.errorID.isEmpty }, reason: "cleared by operator", into: &output)
        return output
    }

    // MARK: - Wedges

    /// Takes one sample of a stage's progress (see `WedgeDetector`). A wedge is reported when
    /// detected and again when declared irreversible; an irreversible one raises a major alarm
    /// and counts as the catalogue error of the stall (`spc-shard-stall`, or
    /// `spc-host-loopback-failed` for the probe) on a services card, whose thresholds then apply.
    /// Recovery clears the wedge's alarm. Samples of an FPC that is not online are ignored.
    public mutating func observe(
        _ site: WedgeDetector.Site, pending: UInt64, completed: UInt64, at time: Timestamp
    ) throws(FaultError) -> FaultOutput {
        guard let index = index(site.slot) else { throw FaultError("no FPC in slot \(site.slot)") }
        let card = slots[index].type
        guard site.stage.isWatched(on: card) else { throw FaultError("\(site.stage) is not watched on an \(card)") }
        guard Int(site.pic) < slots[index].pics else { throw FaultError("FPC \(site.slot) has no PIC \(site.pic)") }
        var output = FaultOutput()
        // A restarting or offline FPC has no workers to watch; it starts over when back online.
        guard slots[index].state == .online else { return output }
        for report in wedges.observe(site, pending: pending, completed: completed, at: time) {
            output.events.append(report)
            switch report {
            case .wedgeDetected(let wedge) where wedge.irreversible:
                raiseWedgeAlarm(site, at: time, into: &output)
                if card == .spc2 {
                    let id = site.stage == .hostLoopback ? "spc-host-loopback-failed" : "spc-shard-stall"
                    let detail = "\(site.stage) of PIC \(site.pic) made no progress for \(wedge.stalledMillis) ms with \(wedge.pending) pending"
                    let recorded = try record(id, slot: site.slot, pic: site.pic, at: time, detail: detail)
                    output.events += recorded.events
                    output.commands += recorded.commands
                }
            case .wedgeCleared:
                let title = Self.wedgeAlarmTitle(site)
                clearAlarms(where: { $0.description == title }, reason: "\(site.stage) progressing again", into: &output)
            default:
                break
            }
        }
        return output
    }

    private static func wedgeAlarmTitle(_ site: WedgeDetector.Site) -> String {
        "FPC \(site.slot) PIC \(site.pic) \(site.stage) Wedge Detected (irreversible)"
    }

    private mutating func raiseWedgeAlarm(_ site: WedgeDetector.Site, at time: Timestamp, into output: inout FaultOutput) {
        let title = Self.wedgeAlarmTitle(site)
        guard !alarms.contains(where: { $0.description == title }) else { return }
        addAlarm(.major, title, slot: site.slot, errorID: "", at: time, into: &output)
    }

    // MARK: - FPC state

    /// `request chassis fpc slot N offline|online|restart`.
    public mutating func request(_ request: FpcRequest, slot: UInt32, at time: Timestamp) throws(FaultError) -> FaultOutput {
        guard let index = index(slot) else { throw FaultError("no FPC in slot \(slot)") }
        var output = FaultOutput()
        switch request {
        case .offline:
            guard slots[index].state != .offline else { throw FaultError("FPC \(slot) is already offline") }
            offline(slot: slot, reason: "request chassis fpc offline", at: time, into: &output)
        case .online:
            guard slots[index].state == .offline else { throw FaultError("FPC \(slot) is not offline") }
            setState(index, .online, reason: "request chassis fpc online", at: time, into: &output)
            ledgers[index].restart(at: time)
            output.commands.append(.bringOnline(slot: slot))
        case .restart:
            guard slots[index].state != .offline else { throw FaultError("FPC \(slot) is offline; bring it online first") }
            restart(slot: slot, reason: "request chassis fpc restart", at: time, into: &output)
        }
        return output
    }

    // Resetting a services card restarts every FPC (the seed's caution: it hosts the central
    // point); resetting the I/O card restarts only it. Offline FPCs stay offline.
    private mutating func restart(slot: UInt32, reason: String, at time: Timestamp, into output: inout FaultOutput) {
        guard let index = index(slot) else { return }
        let targets = slots[index].type == .spc2 ? slots.indices.filter { slots[$0].state != .offline } : [index]
        var restarted: [UInt32] = []
        for target in targets where slots[target].state != .resetting {
            setState(target, .resetting, reason: target == index ? reason : "\(reason) on FPC \(slot): every FPC restarts", at: time, into: &output)
            ledgers[target].restart(at: time)
            wedges.restart(slot: slots[target].slot)
            restarted.append(slots[target].slot)
        }
        if !restarted.isEmpty { output.commands.append(.restart(slots: restarted, reason: reason)) }
    }

    // Offlining a services card restarts every other FPC; offlining the I/O card only stops it.
    private mutating func offline(slot: UInt32, reason: String, at time: Timestamp, into output: inout FaultOutput) {
        guard let index = index(slot), slots[index].state != .offline else { return }
        setState(index, .offline, reason: reason, at: time, into: &output)
        wedges.restart(slot: slot)
        output.commands.append(.takeOffline(slot: slot))
        guard slots[index].type == .spc2 else { return }
        var restarted: [UInt32] = []
        for target in slots.indices where target != index && slots[target].state == .online {
            setState(target, .resetting, reason: "FPC \(slot) taken offline: every other FPC restarts", at: time, into: &output)
            ledgers[target].restart(at: time)
            wedges.restart(slot: slots[target].slot)
            restarted.append(slots[target].slot)
        }
        if !restarted.isEmpty { output.commands.append(.restart(slots: restarted, reason: "FPC \(slot) taken offline")) }
    }

    /// The daemon finished restarting `slot`'s workers: it is online again and its alarms,
    /// whose condition the restart removed, clear.
    public mutating func completeRestart(slot: UInt32, at time: Timestamp) -> FaultOutput {
        var output = FaultOutput()
        guard let index = index(slot), slots[index].state == .resetting else { return output }
        setState(index, .online, reason: "restart complete", at: time, into: &output)
        clearAlarms(where: { $0.slot == slot }, reason: "FPC \(slot) restarted", into: &output)
        return output
    }

    private mutating func setState(_ index: Int, _ state: FpcState, reason: String, at time: Timestamp, into output: inout FaultOutput) {
        var change = FpcStateChange()
        change.slot = slots[index].slot
        change.fpcType = slots[index].type
        change.previousState = slots[index].state
        change.state = state
        change.reason = reason
        slots[index].state = state
        slots[index].stateSince = time
        output.events.append(.fpcStateChange(change))
    }
}
