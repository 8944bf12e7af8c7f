import FlowtelCore
import FlowtelGRPC
import FlowtelSubscriber
import Synchronization

/// What every stream of one `flowtel subscribe` shares: the output, the counters and the
/// commit policy. Each target's stream runs on a thread of its own (the first on the main
/// thread) and hands its batches to `handle`, one at a time under `lock`, so records from
/// several daemons interleave whole and the output sees one writer.
final class SubscribeSink: @unchecked Sendable {
    // @unchecked: every mutable member is used under `lock` only.
    private let lock = ConditionLock()
    private let stored: (any CheckpointedOutput)?
    private let render: ((Event) -> [UInt8]?)?
    private let newlines: Bool
    private let stdout = OutputBuffer()
    private let limit: Int
    private let fullBatch: Int
    /// How many targets feed the sink.
    let targetCount: Int
    let status: StatusLine?

    private(set) var events = 0
    private(set) var wireBytes = 0
    private(set) var firstMessage: UInt64? = nil
    private(set) var statistics = DeliveryStatistics()
    private var lastCommit = monotonicNanos()
    private var uncommittedTimes: [Timestamp] = []
    /// Set when --max-events is reached, a signal asks to stop, or a stream failed for good:
    /// every stream ends at its next batch or heartbeat.
    private let stopping = Atomic<Bool>(false)

    /// Stored outputs commit (write, sync, checkpoint) at most this often while full batches
    /// keep coming, so that a burst is synced in large pieces; a batch smaller than the daemon's
    /// maximum means its stream is caught up, and is committed at once. Events not yet
    /// committed are not covered by the checkpoint: a crash only means receiving them again.
    static let commitInterval: UInt64 = 25_000_000
    /// The interval once the oldest uncommitted event is older than `lateAge`.
    static let backlogCommitInterval: UInt64 = 250_000_000
    static let lateAge: UInt64 = 200_000_000

    init(
        stored: (any CheckpointedOutput)?, render: ((Event) -> [UInt8]?)?, newlines: Bool, limit: Int, fullBatch: Int,
        targetCount: Int
    ) {
        self.targetCount = targetCount
        self.stored = stored
        self.render = render
        self.newlines = newlines
        self.limit = limit
        self.fullBatch = fullBatch
        status = StatusLine.make(recordsOnTerminal: stored == nil && render != nil)
    }

    var isStopping: Bool { stopping.load(ordering: .relaxed) }

    func stop() { stopping.store(true, ordering: .relaxed) }

    /// Takes one batch of `target`'s stream, which moves `position`; false when the streams
    /// should end.
    func handle(_ batch: [Event], size: Int, target: String, position: inout StreamPosition, interrupted: Bool)
        throws -> Bool
    {
        try lock.withLock {
            if firstMessage == nil { firstMessage = monotonicNanos() }
            wireBytes += size
            for event in batch {
                statistics.received(event)
                if !event.payload.isStreamControl {
                    events += 1
                    uncommittedTimes.append(event.time)
                }
                if case .gap(let gap) = event.payload {
                    status?.clear()
                    Subscribe.report(gap, target: targetCount > 1 ? target : nil)
                }
                let line = render?(event)
                let moved = position.advance(over: event)
                if let stored {
                    try stored.append(
                        event, target: target, line: line, through: moved ? position.point.map { .after($0) } : nil)
                } else if let line {
                    stdout.write(line)
                    if newlines { stdout.write([0x0A]) }
                }
                if events >= limit { break }
            }
            if events >= limit || interrupted { stop() }
            if stored == nil || isStopping || batch.count < fullBatch
                || monotonicNanos() - lastCommit >= commitInterval()
            {
                try commitLocked()
            }
            return !isStopping
        }
    }

    /// How long uncommitted events may wait while full batches keep coming: short while they
    /// are fresh (live traffic, where latency matters), long once the oldest is already late
    /// (a backlog, a replayed capture), where fewer syncs mean more events per second.
    private func commitInterval() -> UInt64 {
        guard let oldest = uncommittedTimes.first else { return Self.commitInterval }
        let age = WallClock.now().unixNanos &- oldest.unixNanos
        return age > Self.lateAge && age < 1 << 63 ? Self.backlogCommitInterval : Self.commitInterval
    }

    /// Commits what was received (at the end, and before exiting on an error).
    func commit() throws {
        try lock.withLock { try commitLocked() }
    }

    func countReconnect() {
        lock.withLock {
            statistics.reconnects += 1
            status?.clear()
        }
    }

    private func commitLocked() throws {
        try stored?.commit()
        stdout.flush()
        let now = WallClock.now()
        for time in uncommittedTimes { statistics.delivered(eventTime: time, at: now) }
        uncommittedTimes.removeAll(keepingCapacity: true)
        lastCommit = monotonicNanos()
        status?.update(statistics)
    }

    /// The summary line of `--format count` and `--stats`.
    func summary() -> String {
        lock.withLock {
            let seconds = Double(monotonicNanos() - (firstMessage ?? monotonicNanos())) / 1e9
            // Latency: from each event's time to its line being written or stored, milliseconds.
            let p50 = statistics.latencyMillis(percentile: 0.5).map { "\($0)" } ?? "-"
            let p99 = statistics.latencyMillis(percentile: 0.99).map { "\($0)" } ?? "-"
            return "events=\(events) bytes=\(wireBytes) seconds=\(seconds) gaps=\(statistics.gaps) "
                + "missing=\(statistics.missing) latency-p50-ms=\(p50) latency-p99-ms=\(p99)"
        }
    }

    func writeToStdout(_ text: String) {
        lock.withLock {
            stdout.write(Array(text.utf8))
            stdout.flush()
        }
    }
}

/// One target's subscription: its client, request and position.
struct TargetStream: Sendable {
    let target: String
    let client: SubscriptionClient
    let request: SubscriptionRequest
    let reconnect: Bool

    /// Runs the stream into `sink` until it ends, the sink stops, or it fails for good.
    func run(into sink: SubscribeSink, stopRequested: @escaping @Sendable () -> Bool) throws {
        var position = StreamPosition(request.resume)
        let prefix = "flowtel subscribe: " + (sink.targetCount > 1 ? "\(target): " : "")
        func handle(_ batch: [Event], _ size: Int) throws -> Bool {
            guard !sink.isStopping else { return false }
            return try sink.handle(batch, size: size, target: target, position: &position, interrupted: stopRequested())
        }
        if reconnect {
            try client.runReconnecting(
                resumePoint: { position.point },
                willRetry: { error, delay in
                    sink.countReconnect()
                    let seconds = Double(delay.components.attoseconds / 1_000_000_000_000_000) / 1000
                        + Double(delay.components.seconds)
                    printError("\(prefix)stream ended: \(error.code): \(error.message); reconnecting in \(seconds) s")
                }, handle)
        } else {
            try client.run(request: request, handle)
        }
    }
}

/// The first failures of the streams, from whichever thread they happen on.
final class StreamFailures: Sendable {
    private let failures = Mutex<[(target: String, error: any Error)]>([])

    func record(_ target: String, _ error: any Error) { failures.withLock { $0.append((target, error)) } }

    var all: [(target: String, error: any Error)] { failures.withLock { $0 } }
}
