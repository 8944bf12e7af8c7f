public import FlowEngine
public import FlowtelCore
public import JunosConfig
import FlowtelGRPC
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The flow engine behind the packet sources: every decoded batch goes through it and the
/// RT_FLOW events it emits are published on the event hub, in order.
///
/// A ``ShardedFlowEngine`` of `shards` SPUs behind a lock taken once per batch (the shards
/// work on the batch in parallel; its events come back in capture order). Time is packet time:
/// each packet's timestamp (the wall clock for packets without one); between packets, and
/// after a capture file ends, it moves on at wall-clock pace from the last packet's time, so
/// that sessions still age out (``tick()``, called about once a second).
public final class FlowEngineSink: PacketSink {
    /// Sees every packet the engine processed and what the engine did with it (flow
    /// monitoring). Called with the engine's lock held: it must be quick and must not call back
    /// into the sink.
    public typealias PacketObserver = @Sendable (_ packet: borrowing CapturedPacket, _ source: PacketSourceID, _ time: Timestamp, _ disposition: PacketDisposition) -> Void

    private struct State: ~Copyable {
        var engine: ShardedFlowEngine
        var encoder = EventEncoder()
        /// Reused for every publish: encoding allocates nothing per batch.
        let encoded = EncodedEvents()
        /// The last packet time seen, and when (on the monotonic clock) it was seen.
        var lastPacketTime: Timestamp?
        var lastPacketInstant = ContinuousClock.now
        var observer: PacketObserver?
        var config: DeviceConfig
        var maximumSessions: Int
    }

    private let state: Mutex<State>
    private let hub: EventHub
    /// The SPUs' stage counters and stall hooks (readable while a batch holds the lock).
    public let progress: ShardProgress
    /// FPC 0's dispatch stage: packets received from the sources and handed to the SPUs.
    public let dispatch = DispatchProgress()
    private let control = ControlChannel()
    /// The engine, for the calls that are safe from any thread (``sendProbes()``).
    private let probes: ShardedFlowEngine

    /// An engine for `config` publishing to `hub` (every session when the configuration says
    /// `services flowtel export all-sessions`).
    public init(config: DeviceConfig, hub: EventHub, shards: Int = 1, maximumSessions: Int = 1 << 20) {
        let engine = ShardedFlowEngine(
            config: config, shards: shards, maximumSessions: maximumSessions, exportAllSessions: config.flowtel.exportAllSessions)
        progress = engine.progress
        probes = engine
        state = Mutex(State(engine: engine, config: config, maximumSessions: maximumSessions))
        self.hub = hub
        shardCount = shards
    }

    public func receive(_ batch: PacketBatch) {
        // A capture file is replay input: wait for subscribers rather than drop (never live).
        let mode: EventHub.PublishMode = batch.source.kind == .file ? .block : .live
        let count = UInt64(batch.packets.count)
        // FPC 0 offline: nothing reaches the SPUs.
        guard dispatch.isOnline else {
            dispatch.dropped(count)
            return
        }
        dispatch.received(count)
        defer { dispatch.dispatched(count) }
        state.withLock { state in
            dispatch.waitWhileStalled()
            let observer = state.observer
            var packets: [ShardPacket] = []
            packets.reserveCapacity(batch.packets.count)
            var wallClock: Timestamp?
            for captured in batch.packets {
                let time = captured.timestamp ?? wallClock ?? {
                    let now = Self.wallClock()
                    wallClock = now
                    return now
                }()
                packets.append(ShardPacket(flow: FlowPacket(captured.packet), vlan: captured.packet.link.vlan?.outer, time: time))
            }
            guard !packets.isEmpty else { return }
            let (events, dispositions) = state.engine.process(packets, dispositions: observer != nil)
            if let observer {
                for (index, captured) in batch.packets.enumerated() {
                    observer(captured, batch.source, packets[index].time, dispositions[index])
                }
            }
            if let last = packets.last?.time, last.unixNanos >= (state.lastPacketTime?.unixNanos ?? 0) {
                state.lastPacketTime = last
            }
            state.lastPacketInstant = ContinuousClock.now
            publish(events, state: &state, mode: mode)
        }
    }

    /// Ages sessions out up to the current engine time. Nothing happens before the first
    /// packet: a capture's old timestamps must not find the clock already at today.
    public func tick() {
        state.withLock { state in
            guard state.lastPacketTime != nil else {
                answerControl(&state)
                return
            }
            let events = state.engine.advance(to: Self.engineTime(state))
            publish(events, state: &state, mode: .live)
        }
    }

    /// The engine's clock now: the last packet's time plus the wall-clock time since it came.
    private static func engineTime(_ state: borrowing State) -> Timestamp {
        guard let last = state.lastPacketTime else { return wallClock() }
        let (seconds, attoseconds) = (ContinuousClock.now - state.lastPacketInstant).components
        return Timestamp(
            unixNanos: last.unixNanos &+ UInt64(max(0, seconds)) * 1_000_000_000
                &+ UInt64(max(0, attoseconds / 1_000_000_000)))
    }

    /// Sessions in the engine and its counters.
    public func statistics() -> (sessions: Int, engine: FlowEngineStatistics) {
        state.withLock { ($0.engine.sessionCount, $0.engine.statistics) }
    }

    /// The sessions at the engine's current time, one list per SPU shard (in shard order),
    /// with that time and the capacity of the whole table.
    public func sessions() -> (time: Timestamp, shards: [[SessionSnapshot]], maximumSessions: Int) {
        state.withLock { state in
            let now = Self.engineTime(state)
            return (now, state.engine.sessions(at: now), state.maximumSessions)
        }
    }

    /// The session table's capacity over all SPUs.
    public var maximumSessions: Int {
        state.withLock { $0.maximumSessions }
    }

    /// The number of SPU shards.
    public let shardCount: Int

    /// Clears (`clear security flow session`) every session `matches` selects; their close
    /// events (reason `CLI`) are published. Returns how many were cleared.
    public func clearSessions(where matches: (SessionSnapshot) -> Bool) -> Int {
        state.withLock { state in
            let (cleared, events) = state.engine.clearSessions(at: Self.engineTime(state), where: matches)
            publish(events, state: &state, mode: .live)
            return cleared
        }
    }

    /// Applies a new configuration (flowteld's SIGHUP): the sessions it removes close (`policy
    /// delete`, `interface address change`) and their events are published. Returns how many
    /// closed.
    public func reload(config: DeviceConfig) -> Int {
        state.withLock { state in
            let events = state.engine.reload(config: config, at: Self.engineTime(state))
            state.config = config
            publish(events, state: &state, mode: .live)
            return events.count
        }
    }

    /// The configuration the engine runs.
    public var config: DeviceConfig {
        state.withLock { $0.config }
    }

    /// Installs (or, with nil, removes) the packet observer.
    public func setObserver(_ observer: PacketObserver?) {
        state.withLock { $0.observer = observer }
    }

    /// Publishes `events` (TOE: after any export stall hook, then counted exported), then
    /// answers the chassis's probes and control requests while the lock proves the datapath is
    /// not stuck.
    private func publish(_ events: [FlowEvent], state: inout State, mode: EventHub.PublishMode) {
        if !events.isEmpty {
            state.engine.waitWhileExportStalled()
            state.encoded.removeAll()
            for event in events { state.encoder.append(time: event.time, payload: event.payload, to: state.encoded) }
            _ = hub.publish(state.encoded, mode: mode)
        }
        state.engine.markExported()
        answerControl(&state)
    }

    private func answerControl(_ state: inout State) {
        state.engine.answerCallerProbes()
        if control.isPending {
            control.answer(
                statistics: state.engine.shardStatistics,
                sessions: (0..<state.engine.shardCount).map { state.engine.shard($0).activeSessionCount })
        }
    }

    // MARK: - Chassis

    /// The routing engine's request for every SPU's counters: answered at once when no batch
    /// holds the engine, else by the batch when it ends. ``controlAnswer`` has the reply.
    public func requestControl() {
        control.request()
        state.withLockIfAvailable { state in answerControl(&state) }
    }

    /// The latest answer to ``requestControl()`` and whether a newer request waits.
    public var controlAnswer: ControlChannel.Answer { control.latest }

    /// Sends host-loopback probes to every SPU (see ``ShardProgress``); shard 0's is answered
    /// when the engine is free.
    public func sendProbes() {
        probes.sendProbes()
        state.withLockIfAvailable { state in state.engine.answerCallerProbes() }
    }

    /// Takes SPUs `shards` out of dispatch, or puts them back (``ShardedFlowEngine/setOnline``),
    /// publishing the close events.
    public func setSPUs(_ shards: Range<Int>, online: Bool) {
        state.withLock { state in
            let events = state.engine.setOnline(shards, online, at: Self.engineTime(state))
            publish(events, state: &state, mode: .live)
        }
    }

    /// Restarts SPUs `shards` (``ShardedFlowEngine/resetShards``), publishing the close events;
    /// returns how many sessions closed.
    public func resetSPUs(_ shards: Range<Int>) -> Int {
        state.withLock { state in
            let (cleared, events) = state.engine.resetShards(shards, at: Self.engineTime(state))
            publish(events, state: &state, mode: .live)
            return cleared
        }
    }

    private static func wallClock() -> Timestamp {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Timestamp(unixNanos: UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec))
    }
}
