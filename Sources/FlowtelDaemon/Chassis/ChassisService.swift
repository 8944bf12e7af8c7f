import Dispatch
public import FaultManager
import FlowEngine
public import FlowtelCore
import FlowtelGRPC
public import JunosConfig
public import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// flowteld's chassis: the ``FaultManager`` fed with the datapath's real conditions, its
/// decisions carried out, its events published on the stream.
///
/// A sampler thread looks at the datapath every ``Options/sampleInterval`` (100 ms):
/// - FPC 0 (I/O card): the packet sources' malformed frames, capture drops, unreadable records
///   and failures, and packets dispatch could not place (every SPU offline);
/// - FPC 1… (services cards): each SPU's first packets that failed on a full session table or
///   an exhausted NAT pool (from the routing engine's control request, answered by the engine
///   between batches: one left unanswered for ``Options/controlTimeout`` is a control-path
///   error), and events evicted before a subscriber read them (counted on FPC 1);
/// - the watchdogs: each stage's progress counters (``ShardProgress``, ``DispatchProgress``)
///   and a host-loopback probe through each SPU's worker.
///
/// Actions run on a serial queue of their own (a reset waits for the engine, which a stalled
/// stage may hold): `log` writes the daemon log, `get-state` publishes a snapshot and writes it
/// to the log directory, `reset` restarts the FPC's SPUs (sessions close with `FPC reset`),
/// `offline` takes them out of dispatch (sessions close with `FPC offline`).
public final class ChassisService: Sendable {
    /// Timing.
    public struct Options: Sendable {
        /// How often the datapath is sampled.
        public var sampleInterval: Duration = .milliseconds(100)
        /// How long an SPU may take to answer the routing engine's control request.
        public var controlTimeout: Duration = .seconds(3)
        /// How often every FPC's counters are published even without a change.
        public var countersInterval: Duration = .seconds(60)
        /// Where `get-state` snapshots are written.
        public var logDirectory: String

        /// Defaults, writing snapshots to `logDirectory`.
        public init(logDirectory: String) {
            self.logDirectory = logDirectory
        }
    }

    /// What the previous sample saw, to count only what is new.
    private struct Baselines {
        var malformed: UInt64 = 0
        var captureDrops: UInt64 = 0
        var readErrors: UInt64 = 0
        var failedSources: Set<String> = []
        var undispatched: UInt64 = 0
        var tableFull: [UInt64] = []
        var natExhausted: [UInt64] = []
        var answered: UInt64 = 0
        var timedOutRequest: UInt64 = 0
        var subscriberDrops: [UInt64: UInt64] = [:]
        var lastCounters: UInt64 = 0
    }

    private struct State {
        var manager: FaultManager
        var baselines = Baselines()
        var faultInjection: Bool
        let encoder = EventEncoder()
    }

    private let state: Mutex<State>
    private let hub: EventHub
    private let sources: PacketSources
    private let engine: FlowEngineSink?
    private let logger: Logger
    private let options: Options
    private let spus: Int
    private let actions = DispatchQueue(label: "chassis-actions")
    private let running = Atomic<Bool>(false)
    private let sampler = Mutex<PThread?>(nil)

    /// A chassis of `spus` SPUs configured by `config` (`chassis`, `system diagnostics`,
    /// `services flowtel wedge-detect`), watching `sources` and `engine`.
    public init(
        spus: Int, config: DeviceConfig, hub: EventHub, sources: PacketSources, engine: FlowEngineSink?, logger: Logger,
        options: Options
    ) {
        let wedges = WedgeDetector(
            detectAfter: config.flowtel.wedgeDetectAfter ?? .seconds(1),
            irreversibleAfter: config.flowtel.wedgeIrreversibleAfter ?? .seconds(5))
        let manager = FaultManager(spus: spus, config: config.chassis, wedges: wedges, at: Self.now())
        var state = State(manager: manager, faultInjection: config.faultInjection)
        // The first periodic snapshot a full interval after start.
        state.baselines.lastCounters = ShardProgress.monotonicNanos()
        self.state = Mutex(state)
        self.spus = spus
        self.hub = hub
        self.sources = sources
        self.engine = engine
        self.logger = logger
        self.options = options
    }

    // MARK: - Running

    /// Starts the sampler thread.
    public func start() throws {
        guard !running.exchange(true, ordering: .relaxed) else { return }
        let interval = options.sampleInterval
        let thread = try PThread.start(name: "chassisd") { [self] in
            while running.load(ordering: .relaxed) {
                sample()
                sleep(until: ContinuousClock.now.advanced(by: interval), on: ContinuousClock()) {
                    !running.load(ordering: .relaxed)
                }
            }
        }
        sampler.withLock { $0 = thread }
    }

    /// Stops the sampler, ends every injected stall, and waits for actions in progress.
    public func stop() {
        running.store(false, ordering: .relaxed)
        engine?.progress.cancelStalls()
        engine?.dispatch.stall(until: 0)
        let thread = sampler.withLock { thread in
            defer { thread = nil }
            return thread
        }
        thread?.join()
        actions.sync {}
    }

    /// Applies a new configuration (thresholds, actions, `system diagnostics fault-injection`).
    public func apply(config: DeviceConfig) {
        state.withLock { state in
            state.manager.apply(config: config.chassis)
            state.faultInjection = config.faultInjection
        }
    }

    // MARK: - Sampling

    /// One look at the datapath (the sampler calls it; tests may too).
    func sample() {
        let time = Self.now()
        if let engine {
            engine.sendProbes()
            engine.requestControl()
        }
        // After the request: an outstanding one was sent before this instant.
        let nanos = ShardProgress.monotonicNanos()
        let answer = engine?.controlAnswer
        let sourceStatistics = sources.statistics()
        let bus = hub.statistics()
        let output = state.withLock { state -> FaultOutput in
            var output = FaultOutput()
            sampleSources(sourceStatistics, state: &state, time: time, into: &output)
            if let engine, let answer { sampleSPUs(engine, answer, nanos: nanos, state: &state, time: time, into: &output) }
            sampleBus(bus, state: &state, time: time, into: &output)
            watch(state: &state, time: time, into: &output)
            let interval = UInt64(options.countersInterval.components.seconds) * 1_000_000_000
            if nanos &- state.baselines.lastCounters >= interval {
                state.baselines.lastCounters = nanos
                for slot in state.manager.slots {
                    output.events.append(.fpcErrorCounters(state.manager.counters(slot: slot.slot)))
                }
            }
            publish(output.events, state: state, time: time)
            return output
        }
        carryOut(output.commands)
    }

    private func sampleSources(
        _ statistics: [CaptureSourceStatistics], state: inout State, time: Timestamp, into output: inout FaultOutput
    ) {
        let malformed = statistics.reduce(0) { $0 &+ $1.malformed }
        let drops = statistics.reduce(0) { $0 &+ $1.kernelDrops &+ $1.interfaceDrops }
        let readErrors = statistics.reduce(0) { $0 &+ $1.skippedRecords }
        record("ioc-malformed-packet", slot: 0, count: Self.delta(malformed, &state.baselines.malformed), state: &state, time: time, into: &output)
        record("ioc-capture-drop", slot: 0, count: Self.delta(drops, &state.baselines.captureDrops), state: &state, time: time, into: &output)
        record("ioc-capture-read-error", slot: 0, count: Self.delta(readErrors, &state.baselines.readErrors), state: &state, time: time, into: &output)
        for source in statistics where source.state == .failed && !state.baselines.failedSources.contains(source.name) {
            state.baselines.failedSources.insert(source.name)
            record("ioc-capture-failed", slot: 0, count: 1, detail: "\(source.name): \(source.error)", state: &state, time: time, into: &output)
        }
        if let engine {
            let undispatched = engine.progress.undispatched &+ engine.dispatch.droppedCount
            record("ioc-dispatch-drop", slot: 0, count: Self.delta(undispatched, &state.baselines.undispatched), state: &state, time: time, into: &output)
        }
    }

    private func sampleSPUs(
        _ engine: FlowEngineSink, _ answer: ControlChannel.Answer, nanos: UInt64, state: inout State, time: Timestamp,
        into output: inout FaultOutput
    ) {
        if answer.answered > state.baselines.answered {
            state.baselines.answered = answer.answered
            if state.baselines.tableFull.count != answer.statistics.count {
                state.baselines.tableFull = Array(repeating: 0, count: answer.statistics.count)
                state.baselines.natExhausted = state.baselines.tableFull
            }
            for (shard, statistics) in answer.statistics.enumerated() {
                let location = SPULocation(shard: shard)
                let full = Self.delta(statistics.packetsDropped["session table full"] ?? 0, &state.baselines.tableFull[shard])
                let nat = Self.delta(statistics.packetsDropped["source NAT pool exhausted"] ?? 0, &state.baselines.natExhausted[shard])
                record("spc-session-table-full", slot: location.fpc, pic: location.pic, count: full, state: &state, time: time, into: &output)
                record("spc-nat-pool-exhausted", slot: location.fpc, pic: location.pic, count: nat, state: &state, time: time, into: &output)
            }
        }
        let timeout = UInt64(options.controlTimeout.components.seconds) * 1_000_000_000
        if answer.requested != answer.answered, nanos >= answer.requestedAt, nanos - answer.requestedAt >= timeout,
            state.baselines.timedOutRequest != answer.requested
        {
            state.baselines.timedOutRequest = answer.requested
            let waited = (nanos &- answer.requestedAt) / 1_000_000
            for shard in 0..<spus {
                let location = SPULocation(shard: shard)
                record(
                    "spc-control-timeout", slot: location.fpc, pic: location.pic, count: 1,
                    detail: "SPU \(location) did not answer the routing engine's request for \(waited) ms", state: &state,
                    time: time, into: &output)
            }
        }
    }

    private func sampleBus(_ bus: BusStatistics, state: inout State, time: Timestamp, into output: inout FaultOutput) {
        var evicted: UInt64 = 0
        var seen: [UInt64: UInt64] = [:]
        for subscriber in bus.subscribers {
            evicted &+= subscriber.dropped &- min(subscriber.dropped, state.baselines.subscriberDrops[subscriber.id] ?? 0)
            seen[subscriber.id] = subscriber.dropped
        }
        state.baselines.subscriberDrops = seen
        record("spc-event-queue-overflow", slot: 1, count: evicted, state: &state, time: time, into: &output)
    }

    /// Feeds every watchdog its stage's counters.
    private func watch(state: inout State, time: Timestamp, into output: inout FaultOutput) {
        guard let engine else { return }
        let dispatch = engine.dispatch
        let received = dispatch.receivedCount
        let dispatched = dispatch.dispatchedCount
        observe(.init(slot: 0, pic: 0, stage: .xm), pending: received &- min(received, dispatched), completed: dispatched, state: &state, time: time, into: &output)
        let progress = engine.progress
        for shard in 0..<progress.shardCount {
            let location = SPULocation(shard: shard)
            func counter(_ counter: ShardProgress.Counter) -> UInt64 { progress.value(counter, shard: shard) }
            let stages: [(WedgeStage, UInt64, UInt64)] = [
                (.xm, counter(.dispatched), counter(.taken)),
                (.lu, counter(.taken), counter(.processed)),
                (.xl, counter(.agingRequested), counter(.agingDone)),
                (.toe, counter(.eventsProduced), counter(.eventsExported)),
                (.hostLoopback, counter(.probesSent), counter(.probesAnswered)),
            ]
            for (stage, started, finished) in stages {
                observe(
                    .init(slot: location.fpc, pic: location.pic, stage: stage), pending: started &- min(started, finished),
                    completed: finished, state: &state, time: time, into: &output)
            }
        }
    }

    private func observe(
        _ site: WedgeDetector.Site, pending: UInt64, completed: UInt64, state: inout State, time: Timestamp,
        into output: inout FaultOutput
    ) {
        do {
            let observed = try state.manager.observe(site, pending: pending, completed: completed, at: time)
            output.events += observed.events
            output.commands += observed.commands
        } catch {
            logger.error("chassis: watchdog \(site.stage) of FPC \(site.slot) PIC \(site.pic): \(error)")
        }
    }

    private func record(
        _ id: String, slot: UInt32, pic: UInt32 = 0, count: UInt64, detail: String = "", state: inout State, time: Timestamp,
        into output: inout FaultOutput
    ) {
        guard count > 0 else { return }
        do {
            let recorded = try state.manager.record(id, slot: slot, pic: pic, count: count, at: time, detail: detail)
            output.events += recorded.events
            output.commands += recorded.commands
        } catch {
            // An SPU beyond the chassis (cannot happen: the chassis is sized from the engine).
            logger.error("chassis: \(error)")
        }
    }

    /// `new - baseline`, and `new` becomes the baseline; a counter that went back (its SPU
    /// restarted) counts from zero.
    private static func delta(_ value: UInt64, _ baseline: inout UInt64) -> UInt64 {
        defer { baseline = value }
        return value >= baseline ? value - baseline : value
    }

    // MARK: - Publishing and actions

    private func publish(_ payloads: [Payload], state: borrowing State, time: Timestamp) {
        guard !payloads.isEmpty else { return }
        _ = hub.publish(payloads.map { (time, $0) }, encoder: state.encoder, mode: .live)
        for payload in payloads { log(payload) }
    }

    /// The daemon log's line for what an operator must see there too: alarms, wedges, FPC
    /// states (error occurrences are counted, not logged one by one).
    private func log(_ payload: Payload) {
        switch payload {
        case .alarmRaised(let alarm):
            logger.error("chassis: alarm raised: \(alarm.alarmClass) \(alarm.description)")
        case .alarmCleared(let alarm):
            logger.notice("chassis: alarm cleared (\(alarm.reason)): \(alarm.description)")
        case .wedgeDetected(let wedge):
            let kind = wedge.irreversible ? "irreversible" : "transient"
            logger.warning(
                "chassis: Wedge-Detect: FPC \(wedge.slot) PIC \(wedge.pic) \(wedge.stage) wedge detected (\(kind)): no progress for \(wedge.stalledMillis) ms, \(wedge.pending) pending")
        case .wedgeCleared(let wedge):
            logger.notice("chassis: FPC \(wedge.slot) PIC \(wedge.pic) \(wedge.stage) progressing again after \(wedge.durationMillis) ms")
        case .fpcStateChange(let change):
            logger.notice("chassis: FPC \(change.slot) \(change.previousState) -> \(change.state) (\(change.reason))")
        default:
            break
        }
    }

    /// Publishes a fault output's events now and queues its commands.
    private func emit(_ output: FaultOutput, state: borrowing State) {
        publish(output.events, state: state, time: Self.now())
    }

    private func carryOut(_ commands: [FaultCommand]) {
        guard !commands.isEmpty else { return }
        actions.async { [self] in
            for command in commands { perform(command) }
        }
    }

    private func perform(_ command: FaultCommand) {
        switch command {
        case .log(let line):
            logger.notice("chassis: \(line)")
        case .collectState(let slot):
            collectState(slot: slot)
        case .restart(let slots, let reason):
            for slot in slots {
                logger.warning("chassis: FPC \(slot) restarting (\(reason))")
                var closed = 0
                if slot > 0, let engine {
                    let shards = shardRange(slot: slot)
                    for shard in shards {
                        for stage in ShardProgress.Stall.allCases { engine.progress.stall(stage, shard: shard, until: 0) }
                    }
                    closed = engine.resetSPUs(shards)
                } else {
                    engine?.dispatch.stall(until: 0)
                }
                state.withLock { state in
                    emit(state.manager.completeRestart(slot: slot, at: Self.now()), state: state)
                }
                logger.notice("chassis: FPC \(slot) online after restart", metadata: ["sessions.closed": "\(closed)"])
            }
        case .takeOffline(let slot):
            logger.warning("chassis: FPC \(slot) offline")
            setOnline(slot: slot, false)
        case .bringOnline(let slot):
            logger.notice("chassis: FPC \(slot) online")
            setOnline(slot: slot, true)
        }
    }

    private func setOnline(slot: UInt32, _ online: Bool) {
        guard let engine else { return }
        if slot == 0 {
            engine.dispatch.setOnline(online)
        } else {
            engine.setSPUs(shardRange(slot: slot), online: online)
        }
    }

    /// The SPUs (shards) of services card `slot`.
    private func shardRange(slot: UInt32) -> Range<Int> {
        let first = Int(slot - 1) * SPULocation.spusPerCard
        return min(first, spus)..<min(first + SPULocation.spusPerCard, spus)
    }

    /// `get-state`: the FPC's queues, counters, session counts and stage progress, published as
    /// an `FpcStateSnapshot` and written to `fpcN-state-TIME.txt` in the log directory.
    private func collectState(slot: UInt32) {
        let time = Self.now()
        var snapshot = FpcStateSnapshot()
        snapshot.slot = slot
        var items: [(String, UInt64)] = []
        if slot == 0 {
            let statistics = sources.statistics()
            items.append(("capture.packets", statistics.reduce(0) { $0 &+ $1.packets }))
            items.append(("capture.malformed", statistics.reduce(0) { $0 &+ $1.malformed }))
            items.append(("capture.kernel-drops", statistics.reduce(0) { $0 &+ $1.kernelDrops }))
            items.append(("capture.interface-drops", statistics.reduce(0) { $0 &+ $1.interfaceDrops }))
            items.append(("capture.skipped-records", statistics.reduce(0) { $0 &+ $1.skippedRecords }))
            if let engine {
                let received = engine.dispatch.receivedCount
                let dispatched = engine.dispatch.dispatchedCount
                items.append(("dispatch.received", received))
                items.append(("dispatch.completed", dispatched))
                items.append(("dispatch.pending", received &- min(received, dispatched)))
                items.append(("dispatch.dropped-offline", engine.dispatch.droppedCount))
                items.append(("dispatch.undispatched", engine.progress.undispatched))
            }
        } else if let engine {
            let answer = freshAnswer(engine)
            items.append(("control.answer-stale", answer.answered == answer.requested ? 0 : 1))
            for shard in shardRange(slot: slot) {
                let prefix = "pic\(SPULocation(shard: shard).pic)."
                if shard < answer.sessions.count {
                    let statistics = answer.statistics[shard]
                    items.append((prefix + "sessions", UInt64(answer.sessions[shard])))
                    items.append((prefix + "sessions.created", statistics.sessionsCreated))
                    items.append((prefix + "sessions.closed", statistics.sessionsClosed))
                    items.append((prefix + "sessions.denied", statistics.sessionsDenied))
                    items.append((prefix + "sessions.failed", statistics.sessionsFailed))
                    items.append((prefix + "packets.forwarded", statistics.packetsForwarded))
                    for (reason, count) in statistics.packetsDropped.sorted(by: { $0.key < $1.key }) {
                        items.append((prefix + "packets.dropped." + reason.replacingSpaces(), count))
                    }
                }
                for counter in ShardProgress.Counter.allCases {
                    items.append((prefix + "stage." + Self.name(counter), engine.progress.value(counter, shard: shard)))
                }
            }
        }
        let (manager, state) = self.state.withLock { state -> (FpcErrorCounters, FpcState) in
            let slots = state.manager.slots
            return (state.manager.counters(slot: slot), Int(slot) < slots.count ? slots[Int(slot)].state : .present)
        }
        snapshot.fpcType = manager.fpcType
        snapshot.state = state
        for severity in manager.severities {
            items.append(("errors.\(severity.severity).occurred", severity.occurred))
            items.append(("errors.\(severity.severity).cleared", severity.cleared))
        }
        snapshot.items = items.map { StateItem(name: $0.0, value: Int64(clamping: $0.1)) }
        let path = options.logDirectory + "/fpc\(slot)-state-\(Self.fileStamp(time)).txt"
        var text = "FPC \(slot) \(snapshot.fpcType) \(snapshot.state) state at \(time.unixNanos / 1_000_000_000) (unix seconds)\n"
        for item in snapshot.items { text += "\(item.name) \(item.value)\n" }
        do {
            try TraceFileWriter.makeDirectories(options.logDirectory)
            try writeFile(path, contents: text)
            snapshot.file = path
            logger.notice("chassis: FPC \(slot) state written to \(path)")
        } catch {
            logger.error("chassis: FPC \(slot) state not written: \(error)")
        }
        self.state.withLock { state in publish([.fpcStateSnapshot(snapshot)], state: state, time: time) }
    }

    /// The SPUs' answer to a control request sent now, waiting up to a second for it (a
    /// stalled SPU does not answer: then the last answer, marked stale).
    private func freshAnswer(_ engine: FlowEngineSink) -> ControlChannel.Answer {
        let before = engine.controlAnswer
        engine.requestControl()
        let deadline = ShardProgress.monotonicNanos() + 1_000_000_000
        var answer = engine.controlAnswer
        while answer.answered <= before.answered && ShardProgress.monotonicNanos() < deadline {
            usleep(10_000)
            answer = engine.controlAnswer
        }
        return answer
    }

    private static func name(_ counter: ShardProgress.Counter) -> String {
        switch counter {
        case .dispatched: "xm.dispatched"
        case .taken: "xm.taken"
        case .processed: "lu.processed"
        case .agingRequested: "xl.requested"
        case .agingDone: "xl.done"
        case .eventsProduced: "toe.produced"
        case .eventsExported: "toe.exported"
        case .probesSent: "loopback.sent"
        case .probesAnswered: "loopback.answered"
        }
    }

    // MARK: - Operations (RPCs)

    /// `show chassis fpc`.
    public func fpcs() -> [FpcStatus] {
        let answer = engine?.controlAnswer
        let now = Self.now()
        return state.withLock { state in
            state.manager.slots.map { slot in
                var sessions: UInt64 = 0
                if slot.slot > 0, let answer {
                    for shard in shardRange(slot: slot.slot) where shard < answer.sessions.count {
                        sessions += UInt64(answer.sessions[shard])
                    }
                }
                let uptime = slot.state == .online ? (now.unixNanos &- min(now.unixNanos, slot.stateSince.unixNanos)) / 1_000_000_000 : 0
                return FpcStatus(
                    slot: slot.slot, fpcType: slot.type, state: slot.state, uptimeSeconds: uptime, pics: UInt32(slot.pics),
                    sessions: sessions)
            }
        }
    }

    /// `show chassis fpc errors [slot N]`.
    public func errors(slot: UInt32?) throws(FaultError) -> [FpcErrorCounters] {
        try state.withLock { state throws(FaultError) -> [FpcErrorCounters] in
            if let slot {
                guard Int(slot) < state.manager.slots.count else { throw FaultError("no FPC in slot \(slot)") }
                return [state.manager.counters(slot: slot)]
            }
            return state.manager.slots.map { state.manager.counters(slot: $0.slot) }
        }
    }

    /// `show chassis fpc errors [slot N] history`: the occurrences kept, FPC by FPC, oldest first.
    public func errorHistory(slot: UInt32?) -> [FpcErrorRecord] {
        state.withLock { state in
            state.manager.slots.filter { slot == nil || $0.slot == slot }.flatMap { fpc in
                (state.manager.ledger(slot: fpc.slot)?.history ?? []).map {
                    FpcErrorRecord(
                        slot: fpc.slot, pic: $0.pic, errorID: $0.errorID,
                        severity: FpcErrorCatalogue.definition($0.errorID)?.severity ?? .minor, count: $0.count,
                        detail: $0.detail, time: $0.time)
                }
            }
        }
    }

    /// `request chassis fpc slot N offline|online|restart`: returns the message to print.
    public func request(_ kind: FpcRequestKind, slot: UInt32) throws(FaultError) -> String {
        let request: FpcRequest =
            switch kind {
            case .offline: .offline
            case .online: .online
            case .restart: .restart
            }
        let output = try state.withLock { state throws(FaultError) -> FaultOutput in
            let output = try state.manager.request(request, slot: slot, at: Self.now())
            emit(output, state: state)
            return output
        }
        carryOut(output.commands)
        switch kind {
        case .offline: return "Offline initiated, use \"show chassis fpc\" to verify"
        case .online: return "Online initiated, use \"show chassis fpc\" to verify"
        case .restart: return "Restart initiated, use \"show chassis fpc\" to verify"
        }
    }

    /// `show chassis alarms`.
    public func alarms() -> [ActiveAlarm] {
        state.withLock { state in
            state.manager.alarms.map {
                ActiveAlarm(alarmID: $0.id, alarmClass: $0.alarmClass, description: $0.description, time: $0.time, slot: $0.slot)
            }
        }
    }

    /// `clear chassis alarms`: returns how many cleared.
    public func clearAlarms() -> Int {
        state.withLock { state in
            let output = state.manager.clearAlarms()
            emit(output, state: state)
            return output.events.count
        }
    }

    /// `show chassis fpc slot N wedge-detect`.
    public func wedgeDetect(slot: UInt32) throws(FaultError) -> WedgeDetectView {
        try state.withLock { state throws(FaultError) -> WedgeDetectView in
            let manager = state.manager
            guard Int(slot) < manager.slots.count else { throw FaultError("no FPC in slot \(slot)") }
            let wedges = manager.wedges
            let watchdogs = wedges.watchdogs(slot: slot).map { dog in
                WedgeWatchdogStatus(
                    pic: dog.site.pic, stage: dog.site.stage, pending: dog.pending, completed: dog.completed,
                    lastProgress: dog.lastProgress, stalledSince: dog.current?.stalledSince,
                    irreversible: dog.current?.irreversible != nil, detections: dog.detections,
                    irreversibleCount: dog.irreversibleCount)
            }
            let history = wedges.history.filter { $0.site.slot == slot }.map {
                WedgeRecord(
                    pic: $0.site.pic, stage: $0.site.stage, stalledSince: $0.stalledSince, detected: $0.detected,
                    irreversible: $0.irreversible, cleared: $0.cleared)
            }
            return WedgeDetectView(
                slot: slot, fpcType: manager.slots[Int(slot)].type, detectAfterMillis: wedges.detectAfterNanos / 1_000_000,
                irreversibleAfterMillis: wedges.irreversibleAfterNanos / 1_000_000, watchdogs: watchdogs, history: history)
        }
    }

    /// Why fault injection is refused, or nil when `system diagnostics fault-injection` is set.
    public var injectionRefusal: String? {
        state.withLock { $0.faultInjection }
            ? nil : "fault injection is disabled: set 'system diagnostics fault-injection' in the configuration (test systems only)"
    }

    /// `request chassis fpc slot N inject-error ID count K`: counts K occurrences as if the
    /// datapath had detected them. Check ``injectionRefusal`` first.
    public func injectError(_ id: String, slot: UInt32, pic: UInt32, count: UInt64) throws(FaultError) -> String {
        let output = try state.withLock { state throws(FaultError) -> FaultOutput in
            let output = try state.manager.record(id, slot: slot, pic: pic, count: count, at: Self.now(), detail: "injected by request chassis fpc")
            emit(output, state: state)
            return output
        }
        carryOut(output.commands)
        return "Injected \(count) \(id) error\(count == 1 ? "" : "s") on FPC \(slot) PIC \(pic)"
    }

    /// `request chassis fpc slot N inject-wedge STAGE duration S`: stalls the stage for real
    /// (its worker stops taking, processing, aging, exporting or answering probes) for `seconds`.
    /// Check ``injectionRefusal`` first.
    public func injectWedge(_ stage: WedgeStage, slot: UInt32, pic: UInt32, seconds: UInt32) throws(FaultError) -> String {
        guard let engine else { throw FaultError("flowteld runs no flow engine (start it with --config)") }
        let type = try state.withLock { state throws(FaultError) -> FpcType in
            guard Int(slot) < state.manager.slots.count else { throw FaultError("no FPC in slot \(slot)") }
            let card = state.manager.slots[Int(slot)]
            guard Int(pic) < card.pics else { throw FaultError("FPC \(slot) has no PIC \(pic)") }
            return card.type
        }
        guard stage.isWatched(on: type) else { throw FaultError("\(stage) is not watched on an \(type) (FPC \(slot))") }
        let until = ShardProgress.monotonicNanos() + UInt64(seconds) * 1_000_000_000
        if slot == 0 {
            guard stage == .xm else { throw FaultError("the I/O card has no \(stage) stage; it has XM (dispatch)") }
            engine.dispatch.stall(until: until)
        } else {
            let shard = Int(slot - 1) * SPULocation.spusPerCard + Int(pic)
            let hook: ShardProgress.Stall =
                switch stage {
                case .xm: .dispatch
                case .lu: .lookup
                case .xl: .aging
                case .toe: .export
                case .hostLoopback: .loopback
                }
            engine.progress.stall(hook, shard: shard, until: until)
        }
        logger.warning("chassis: injected a \(seconds) s \(stage) wedge on FPC \(slot) PIC \(pic)")
        return "Injected a wedge of \(stage) for \(seconds) s on FPC \(slot) PIC \(pic)"
    }

    // MARK: - Helpers

    private static func now() -> Timestamp {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Timestamp(unixNanos: UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec))
    }

    private static func fileStamp(_ time: Timestamp) -> String {
        var seconds = time_t(time.unixNanos / 1_000_000_000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let millis = (time.unixNanos / 1_000_000) % 1000
        let fraction = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return "\(parts.tm_year + 1900)\(two(parts.tm_mon + 1))\(two(parts.tm_mday))T\(two(parts.tm_hour))\(two(parts.tm_min))\(two(parts.tm_sec)).\(fraction)Z"
    }
}

extension String {
    fileprivate func replacingSpaces() -> String {
        String(map { $0 == " " ? "-" : $0 })
    }
}
