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
/// One engine (one shard) for now, behind a lock taken once per batch. Time is packet time:
/// each packet's timestamp (the wall clock for packets without one); between packets, and
/// after a capture file ends, it moves on at wall-clock pace from the last packet's time, so
/// that sessions still age out (``tick()``, called about once a second).
public final class FlowEngineSink: PacketSink {
    /// Sees every packet the engine processed and what the engine did with it (flow
    /// monitoring). Called with the engine's lock held: it must be quick and must not call back
    /// into the sink.
    public typealias PacketObserver = @Sendable (_ packet: borrowing CapturedPacket, _ source: PacketSourceID, _ time: Timestamp, _ disposition: PacketDisposition) -> Void

    private struct State: ~Copyable {
        var engine: FlowEngine
        var encoder = EventEncoder()
        /// The last packet time seen, and when (on the monotonic clock) it was seen.
        var lastPacketTime: Timestamp?
        var lastPacketInstant = ContinuousClock.now
        var observer: PacketObserver?
        var config: DeviceConfig
        var maximumSessions: Int
    }

    private let state: Mutex<State>
    private let hub: EventHub

    /// An engine for `config` publishing to `hub` (every session when the configuration says
    /// `services flowtel export all-sessions`).
    public init(config: DeviceConfig, hub: EventHub, maximumSessions: Int = 1 << 20) {
        state = Mutex(
            State(
                engine: FlowEngine(
                    config: config, maximumSessions: maximumSessions,
                    exportAllSessions: config.flowtel.exportAllSessions),
                config: config, maximumSessions: maximumSessions))
        self.hub = hub
    }

    public func receive(_ batch: PacketBatch) {
        // A capture file is replay input: wait for subscribers rather than drop (never live).
        let mode: EventHub.PublishMode = batch.source.kind == .file ? .block : .live
        state.withLock { state in
            var events: [FlowEvent] = []
            let observer = state.observer
            for captured in batch.packets {
                let time = captured.timestamp ?? Self.wallClock()
                events += state.engine.process(captured.packet, at: time)
                state.lastPacketTime = time
                observer?(captured, batch.source, time, state.engine.lastDisposition)
            }
            state.lastPacketInstant = ContinuousClock.now
            publish(events, encoder: state.encoder, mode: mode)
        }
    }

    /// Ages sessions out up to the current engine time.
    public func tick() {
        state.withLock { state in
            publish(state.engine.advance(to: Self.engineTime(state)), encoder: state.encoder, mode: .live)
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
            return (now, [state.engine.sessions(at: now)], state.maximumSessions)
        }
    }

    /// The number of SPU shards.
    public var shardCount: Int { 1 }

    /// Clears (`clear security flow session`) every session `matches` selects; their close
    /// events (reason `CLI`) are published. Returns how many were cleared.
    public func clearSessions(where matches: (SessionSnapshot) -> Bool) -> Int {
        state.withLock { state in
            let (cleared, events) = state.engine.clearSessions(at: Self.engineTime(state), where: matches)
            publish(events, encoder: state.encoder, mode: .live)
            return cleared
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

    private func publish(_ events: [FlowEvent], encoder: EventEncoder, mode: EventHub.PublishMode) {
        guard !events.isEmpty else { return }
        _ = hub.publish(events.map { ($0.time, $0.payload) }, encoder: encoder, mode: mode)
    }

    private static func wallClock() -> Timestamp {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Timestamp(unixNanos: UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec))
    }
}
