public import FlowEngine
import FlowtelCore
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
    private struct State: ~Copyable {
        var engine: FlowEngine
        var encoder = EventEncoder()
        /// The last packet time seen, and when (on the monotonic clock) it was seen.
        var lastPacketTime: Timestamp?
        var lastPacketInstant = ContinuousClock.now
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
                    exportAllSessions: config.flowtel.exportAllSessions)))
        self.hub = hub
    }

    public func receive(_ batch: PacketBatch) {
        // A capture file is replay input: wait for subscribers rather than drop (never live).
        let mode: EventHub.PublishMode = batch.source.kind == .file ? .block : .live
        state.withLock { state in
            var events: [FlowEvent] = []
            for captured in batch.packets {
                let time = captured.timestamp ?? Self.wallClock()
                events += state.engine.process(captured.packet, at: time)
                state.lastPacketTime = time
            }
            state.lastPacketInstant = ContinuousClock.now
            publish(events, encoder: state.encoder, mode: mode)
        }
    }

    /// Ages sessions out up to the current engine time.
    public func tick() {
        state.withLock { state in
            let elapsed = ContinuousClock.now - state.lastPacketInstant
            let now: Timestamp
            if let last = state.lastPacketTime {
                let (seconds, attoseconds) = elapsed.components
                now = Timestamp(unixNanos: last.unixNanos &+ UInt64(max(0, seconds)) * 1_000_000_000 &+ UInt64(max(0, attoseconds / 1_000_000_000)))
            } else {
                now = Self.wallClock()
            }
            publish(state.engine.advance(to: now), encoder: state.encoder, mode: .live)
        }
    }

    /// Sessions in the engine and its counters.
    public func statistics() -> (sessions: Int, engine: FlowEngineStatistics) {
        state.withLock { ($0.engine.sessionCount, $0.engine.statistics) }
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
