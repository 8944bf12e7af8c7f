import FlowtelCore
import FlowtelGRPC
import FlowtelSubscriber
import Synchronization

/// What every stream of one `flowtel subscribe` shares: the output, the counters and the
/// commit policy. Each target's stream runs on a thread of its own (the first on the main
/// thread) and hands its batches to `handle`, one at a time under `lock`, so records from
/// several daemons interleave whole and the output sees one writer.
///
/// A stored output gets each batch rendered into its buffer, then submitted to its writer
/// thread, which writes, syncs and checkpoints while the next batches are decoded and rendered
/// here; events count as delivered (latency) when the commit that covers them is durable.
final class SubscribeSink: @unchecked Sendable {
    // @unchecked: every mutable member is used under `lock` only.
    private let lock = ConditionLock()
    private let stored: (any CheckpointedOutput)?
    private let records: RecordRenderer?
    /// The file output, when records are copied from the wire (see ``passesThrough``).
    private let file: FileOutput?
    /// Whether batches come as wire bytes whose session events are copied as their records
    /// (``ProtoPassThrough``): proto records into a file or stdout. Set once, at init.
    let passesThrough: Bool
    private let stdout = OutputBuffer()
    private var line: [UInt8] = []
    private let limit: Int
    /// How many targets feed the sink.
    let targetCount: Int
    let status: StatusLine?

    private(set) var events = 0
    private(set) var wireBytes = 0
    private(set) var firstMessage: UInt64? = nil
    private(set) var statistics = DeliveryStatistics()
    private var uncommittedTimes: [Timestamp] = []
    /// Submitted commits not yet durable: each one's ticket and its events' times.
    private var inFlight: [(ticket: UInt64, times: [Timestamp])] = []
    private var spareTimes: [[Timestamp]] = []
    /// Set when --max-events is reached, a signal asks to stop, or a stream failed for good:
    /// every stream ends at its next batch or heartbeat.
    private let stopping = Atomic<Bool>(false)

    init(stored: (any CheckpointedOutput)?, records: RecordRenderer?, limit: Int, targetCount: Int) {
        self.targetCount = targetCount
        self.stored = stored
        self.records = records
        self.limit = limit
        file = stored as? FileOutput
        // proto is the one format whose records carry no newline.
        passesThrough = records.map { !$0.newlines } == true && (stored == nil || file != nil)
        status = StatusLine.make(recordsOnTerminal: stored == nil && records != nil)
        line.reserveCapacity(4096)
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
                try handleLocked(event, target: target, position: &position)
                if events >= limit { break }
            }
            return try finishLocked(interrupted: interrupted)
        }
    }

    /// Takes one batch of `target`'s stream as its `EventBatch` message (when
    /// ``passesThrough``): session events are copied to the output as received, the others are
    /// decoded with `decoder` and handled as `handle(_:size:target:position:interrupted:)` does.
    func handle(
        message: UnsafeRawBufferPointer, decoder: EventDecoder, target: String, position: inout StreamPosition,
        interrupted: Bool
    ) throws -> Bool {
        precondition(passesThrough, "only for outputs that copy records")
        return try lock.withLock {
            if firstMessage == nil { firstMessage = monotonicNanos() }
            wireBytes += message.count
            var reader = EventBatchReader(message)
            while let event = try reader.next() {
                if event.isFlowtelSession {
                    statistics.receivedPayloadEvent()
                    events += 1
                    uncommittedTimes.append(event.time)
                    let moved = position.advance(bootID: event.bootID, seq: event.seq)
                    if let file {
                        let through: OutputCheckpoint.Start? = moved ? position.point.map { .after($0) } : nil
                        try file.appendRecord(through: through) { buffer in
                            ProtoPassThrough.append(event, to: &buffer)
                            return true
                        }
                    } else {
                        line.removeAll(keepingCapacity: true)
                        ProtoPassThrough.append(event, to: &line)
                        stdout.write(line)
                    }
                } else {
                    for decoded in try decoder.decodeBatch(event.entry) {
                        try handleLocked(decoded, target: target, position: &position)
                    }
                }
                if events >= limit { break }
            }
            return try finishLocked(interrupted: interrupted)
        }
    }

    private func handleLocked(_ event: Event, target: String, position: inout StreamPosition) throws {
        statistics.received(event)
        if !event.payload.isStreamControl {
            events += 1
            uncommittedTimes.append(event.time)
        }
        if case .gap(let gap) = event.payload {
            status?.clear()
            Subscribe.report(gap, target: targetCount > 1 ? target : nil)
        }
        let moved = position.advance(over: event)
        if let stored {
            let through: OutputCheckpoint.Start? = moved ? position.point.map { .after($0) } : nil
            if let records {
                try stored.append(event, target: target, through: through) { records.append(event, to: &$0) }
            } else {
                try stored.append(event, target: target, through: through) { _ in false }
            }
        } else if let records {
            line.removeAll(keepingCapacity: true)
            if records.append(event, to: &line) { stdout.write(line) }
        }
    }

    /// After a batch: stops at the limit or on a signal, then commits (stdout, or stopping) or
    /// submits (stored outputs); false when the streams should end.
    private func finishLocked(interrupted: Bool) throws -> Bool {
        if events >= limit || interrupted { stop() }
        if stored == nil || isStopping {
            try commitLocked()
        } else {
            try submitLocked()
        }
        return !isStopping
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

    /// Hands the batch to the output's writer, and counts what it has made durable since.
    private func submitLocked() throws {
        guard let stored else { return }
        if let ticket = try stored.submit() {
            var times = spareTimes.popLast() ?? []
            swap(&times, &uncommittedTimes)
            inFlight.append((ticket, times))
        }
        let completions = try stored.completions()
        guard !completions.isEmpty else { return }
        var index = 0
        for completion in completions {
            while index < inFlight.count && inFlight[index].ticket <= completion.ticket {
                var times: [Timestamp] = []
                swap(&times, &inFlight[index].times)
                for time in times { statistics.delivered(eventTime: time, at: completion.time) }
                times.removeAll(keepingCapacity: true)
                if spareTimes.count < 4 { spareTimes.append(times) }
                index += 1
            }
        }
        inFlight.removeFirst(index)
        status?.update(statistics)
    }

    private func commitLocked() throws {
        if let stored {
            try stored.commit()
            try submitLocked()
        }
        stdout.flush()
        let now = WallClock.now()
        for time in uncommittedTimes { statistics.delivered(eventTime: time, at: now) }
        uncommittedTimes.removeAll(keepingCapacity: true)
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
        func willRetry(_ error: RPCError, _ delay: Duration) {
            sink.countReconnect()
            let seconds = Double(delay.components.attoseconds / 1_000_000_000_000_000) / 1000
                + Double(delay.components.seconds)
            printError("\(prefix)stream ended: \(error.code): \(error.message); reconnecting in \(seconds) s")
        }
        func handle(_ batch: [Event], _ size: Int) throws -> Bool {
            guard !sink.isStopping else { return false }
            return try sink.handle(batch, size: size, target: target, position: &position, interrupted: stopRequested())
        }
        if sink.passesThrough {
            let decoder = EventDecoder()
            func handleMessage(_ message: UnsafeRawBufferPointer) throws -> Bool {
                guard !sink.isStopping else { return false }
                return try sink.handle(
                    message: message, decoder: decoder, target: target, position: &position, interrupted: stopRequested())
            }
            if reconnect {
                try client.runMessagesReconnecting(
                    resumePoint: { position.point }, willRetry: willRetry, handleMessage)
            } else {
                try client.runMessages(request: request, handleMessage)
            }
            return
        }
        if reconnect {
            try client.runReconnecting(resumePoint: { position.point }, willRetry: willRetry, handle)
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
