public import FlowEngine
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// FPC 0's dispatch stage (XM on the I/O card): packets the sources handed to the flow engine
/// and packets the engine finished with, its offline switch, and its stall hook.
public final class DispatchProgress: Sendable {
    private let receivedPackets = Atomic<UInt64>(0)
    private let dispatchedPackets = Atomic<UInt64>(0)
    private let droppedPackets = Atomic<UInt64>(0)
    private let stalledUntil = Atomic<UInt64>(0)
    private let offline = Atomic<Bool>(false)

    /// Nothing counted, online.
    public init() {}

    /// Packets received from the sources.
    public var receivedCount: UInt64 { receivedPackets.load(ordering: .relaxed) }
    /// Packets the flow engine finished with.
    public var dispatchedCount: UInt64 { dispatchedPackets.load(ordering: .relaxed) }
    /// Packets dropped because FPC 0 was offline.
    public var droppedCount: UInt64 { droppedPackets.load(ordering: .relaxed) }

    func received(_ count: UInt64) { receivedPackets.wrappingAdd(count, ordering: .relaxed) }
    func dispatched(_ count: UInt64) { dispatchedPackets.wrappingAdd(count, ordering: .relaxed) }
    func dropped(_ count: UInt64) { droppedPackets.wrappingAdd(count, ordering: .relaxed) }

    /// Whether FPC 0 passes packets to the SPUs.
    public var isOnline: Bool { !offline.load(ordering: .relaxed) }

    /// Takes FPC 0 out of service (every packet is dropped and counted) or back.
    public func setOnline(_ online: Bool) { offline.store(!online, ordering: .relaxed) }

    /// Stalls dispatch until `until` on the monotonic clock (test hook).
    public func stall(until: UInt64) { stalledUntil.store(until, ordering: .relaxed) }

    /// Whether dispatch is stalled now.
    public var isStalled: Bool {
        let until = stalledUntil.load(ordering: .relaxed)
        return until != 0 && ShardProgress.monotonicNanos() < until
    }

    func waitWhileStalled() {
        guard stalledUntil.load(ordering: .relaxed) != 0 else { return }
        while isStalled { usleep(10_000) }
    }
}

/// The routing engine's control path to the SPUs: a request for their counters, answered by
/// whoever holds the flow engine next (at once when it is free). One request is outstanding at
/// a time; an SPU that does not answer in time is a control-path error.
public final class ControlChannel: Sendable {
    /// The latest reply.
    public struct Answer: Sendable {
        /// Requests sent.
        public var requested: UInt64 = 0
        /// Requests answered (equal to `requested` when none waits).
        public var answered: UInt64 = 0
        /// When the outstanding request was sent (monotonic nanoseconds).
        public var requestedAt: UInt64 = 0
        /// Each SPU's counters at the last answer.
        public var statistics: [FlowEngineStatistics] = []
        /// Each SPU's sessions not yet ended at the last answer.
        public var sessions: [Int] = []
    }

    private let state = Mutex(Answer())
    private let pending = Atomic<Bool>(false)

    /// No request yet.
    public init() {}

    /// Sends a request unless one is outstanding.
    func request() {
        state.withLock { answer in
            guard answer.answered == answer.requested else { return }
            answer.requested += 1
            answer.requestedAt = ShardProgress.monotonicNanos()
            pending.store(true, ordering: .releasing)
        }
    }

    /// Whether a request waits (one atomic load).
    var isPending: Bool { pending.load(ordering: .acquiring) }

    /// Answers the outstanding request.
    func answer(statistics: [FlowEngineStatistics], sessions: [Int]) {
        state.withLock { answer in
            answer.answered = answer.requested
            answer.statistics = statistics
            answer.sessions = sessions
            pending.store(false, ordering: .releasing)
        }
    }

    /// The latest reply.
    public var latest: Answer { state.withLock { $0 } }
}
