import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Progress counters of every shard's datapath stages, for the chassis watchdogs (wedge
/// detection), and the test hooks that stall a stage on purpose (`inject-wedge`).
///
/// Written by the sharded engine's caller and its workers, read by any thread at any time — in
/// particular while a stalled stage holds the engine's lock. Each counter only grows; a sample
/// of several counters need not be consistent with each other (relaxed atomics), which the
/// watchdogs tolerate: they look for a counter that stops moving while work waits.
///
/// Stages of one shard (an SPU, `FPC n PIC p`):
/// - XM, dispatch: packets assigned to the shard (`dispatched`) and taken by its worker (`taken`);
/// - LU, lookup: packets taken and processed (`processed`): session lookup, and the first-packet
///   path's policy lookup;
/// - XL, aging: aging passes requested (`agingRequested`) and finished (`agingDone`);
/// - TOE, export: events produced by the shard (`eventsProduced`) and handed to the event bus
///   (`eventsExported`);
/// - host loopback: probes sent to the shard's worker (`probesSent`) and answered by it
///   (`probesAnswered`).
public final class ShardProgress: @unchecked Sendable {
    // @unchecked: `counters` is allocated once and only accessed through atomics.

    /// One counter of one shard.
    public enum Counter: Int, CaseIterable, Sendable {
        /// XM: packets assigned to the shard.
        case dispatched
        /// XM: packets the shard's worker took.
        case taken
        /// LU: packets processed.
        case processed
        /// XL: aging passes requested.
        case agingRequested
        /// XL: aging passes finished.
        case agingDone
        /// TOE: events produced.
        case eventsProduced
        /// TOE: events handed to the event bus.
        case eventsExported
        /// Host loopback: probes sent.
        case probesSent
        /// Host loopback: probes answered.
        case probesAnswered
    }

    /// A stage that a test hook can stall.
    public enum Stall: Int, CaseIterable, Sendable {
        /// The worker does not take its packets.
        case dispatch
        /// The worker takes its packets but does not process them.
        case lookup
        /// The worker does not run its aging pass.
        case aging
        /// The shard's events are not handed to the event bus (the caller checks it).
        case export
        /// The worker does not answer probes.
        case loopback
    }

    /// Shards.
    public let shardCount: Int
    /// Whether the counters count (off only to measure what counting costs).
    public let isEnabled: Bool
    private static let stride = 16  // 128 bytes per shard: no false sharing between workers.
    private let counters: UnsafeMutablePointer<Atomic<UInt64>>
    private let undispatchedPackets = Atomic<UInt64>(0)

    /// Packets dispatch could not place because no shard was online.
    public var undispatched: UInt64 { undispatchedPackets.load(ordering: .relaxed) }

    /// Counts a packet dispatch could not place.
    func countUndispatched() { undispatchedPackets.wrappingAdd(1, ordering: .relaxed) }

    /// Counters for `shards` shards, all zero; `enabled: false` makes ``add(_:shard:_:)`` and
    /// the stall hooks do nothing (the overhead benchmark's baseline).
    public init(shards: Int, enabled: Bool = true) {
        shardCount = shards
        isEnabled = enabled
        counters = .allocate(capacity: shards * Self.stride)
        for index in 0..<(shards * Self.stride) { (counters + index).initialize(to: Atomic(0)) }
    }

    deinit {
        counters.deinitialize(count: shardCount * Self.stride)
        counters.deallocate()
    }

    @inline(__always)
    private func slot(_ shard: Int, _ index: Int) -> UnsafeMutablePointer<Atomic<UInt64>> {
        counters + shard * Self.stride + index
    }

    /// The value of `counter` for `shard`.
    public func value(_ counter: Counter, shard: Int) -> UInt64 {
        slot(shard, counter.rawValue).pointee.load(ordering: .relaxed)
    }

    /// Adds `amount` to `counter` of `shard`.
    @inline(__always)
    public func add(_ counter: Counter, shard: Int, _ amount: UInt64 = 1) {
        guard isEnabled else { return }
        slot(shard, counter.rawValue).pointee.wrappingAdd(amount, ordering: .relaxed)
    }

    // MARK: - Test hooks

    private func stallSlot(_ stage: Stall, _ shard: Int) -> UnsafeMutablePointer<Atomic<UInt64>> {
        slot(shard, Counter.allCases.count + stage.rawValue)
    }

    /// Stalls `stage` of `shard` until `until` on the monotonic clock (``monotonicNanos()``).
    public func stall(_ stage: Stall, shard: Int, until: UInt64) {
        stallSlot(stage, shard).pointee.store(until, ordering: .relaxed)
    }

    /// Ends every stall now.
    public func cancelStalls() {
        for shard in 0..<shardCount {
            for stage in Stall.allCases { stallSlot(stage, shard).pointee.store(0, ordering: .relaxed) }
        }
    }

    /// Whether `stage` of `shard` is stalled now.
    public func isStalled(_ stage: Stall, shard: Int) -> Bool {
        let until = stallSlot(stage, shard).pointee.load(ordering: .relaxed)
        return until != 0 && Self.monotonicNanos() < until
    }

    /// Blocks while `stage` of `shard` is stalled (one relaxed load when it is not).
    @inline(__always)
    public func waitWhileStalled(_ stage: Stall, shard: Int) {
        guard isEnabled, stallSlot(stage, shard).pointee.load(ordering: .relaxed) != 0 else { return }
        waitStalled(stage, shard: shard)
    }

    @inline(never)
    private func waitStalled(_ stage: Stall, shard: Int) {
        while true {
            let until = stallSlot(stage, shard).pointee.load(ordering: .relaxed)
            let now = Self.monotonicNanos()
            guard until != 0, now < until else { return }
            usleep(UInt32(min(until - now, 10_000_000) / 1000))
        }
    }

    /// Nanoseconds on the monotonic clock.
    public static func monotonicNanos() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }
}
