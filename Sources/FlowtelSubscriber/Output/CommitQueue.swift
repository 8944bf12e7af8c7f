import FlowtelCore
import FlowtelGRPC

/// The thread a stored output writes on, and the bounded queue of commits that feeds it.
///
/// The owner (the subscribe loop) keeps rendering or decoding while the writer writes, syncs
/// and checkpoints what was handed to it: each `submit` queues one job (a batch's records or
/// rows, with the checkpoint that covers them) and returns at once. The writer takes every job
/// queued when it wakes and makes them durable together (group commit): the slower the disk,
/// the larger each sync, so a burst costs fewer syncs and live traffic waits for at most the
/// sync in progress and its own.
///
/// Bounded by `capacity` in the jobs' cost (bytes for a file, events for a database): `submit`
/// blocks while the queue is full (overflow policy: the owner waits, so the stream slows down
/// to the disk's pace; nothing is dropped). Completed jobs are reported with the time they
/// became durable, for the delivery latency; their memory comes back through `reuse()`.
///
/// A failure is final: the writer stops, every later call throws it, and the checkpoint on
/// disk still covers exactly what was made durable before it. Reopening the output recovers
/// (the next start cuts or ignores what the checkpoint does not cover).
final class CommitQueue<Job: Sendable>: @unchecked Sendable {
    // @unchecked: every mutable member is used under `lock` only; `process` runs on the writer
    // thread only.
    private let lock = ConditionLock()
    private var queue: [Job] = []
    private var queuedCost = 0
    private var spares: [Job] = []
    /// Jobs submitted so far, and jobs durable so far: a job's ticket is its submission index.
    private var submitted: UInt64 = 0
    private var durable: UInt64 = 0
    private var completions: [Completion] = []
    private var failure: OutputError? = nil
    private var stopping = false
    private var thread: PThread? = nil
    private let capacity: Int
    private let cost: @Sendable (Job) -> Int
    private let process: @Sendable ([Job]) throws(OutputError) -> Void
    private let name: String

    /// A job that became durable.
    struct Completion: Sendable {
        /// Its ticket, as `submit` returned it.
        var ticket: UInt64
        /// When it became durable.
        var time: Timestamp
    }

    /// Starts the writer thread.
    /// - Parameters:
    ///   - capacity: the bound of the queued jobs' total cost.
    ///   - process: makes a group of jobs durable, in order; called on the writer thread.
    init(
        name: String, capacity: Int, cost: @escaping @Sendable (Job) -> Int,
        process: @escaping @Sendable ([Job]) throws(OutputError) -> Void
    ) throws(OutputError) {
        self.name = name
        self.capacity = capacity
        self.cost = cost
        self.process = process
        do {
            thread = try PThread.start(name: name) { [self] in run() }
        } catch {
            throw OutputError(code: .open, message: "cannot start the output's writer thread: \(error)")
        }
    }

    /// Stops the writer after the group it is writing (queued jobs are dropped: they were
    /// never reported durable, so they are received again) and waits for it. Idempotent.
    func stop() {
        lock.withLock {
            stopping = true
            lock.broadcast()
        }
        thread?.join()
        thread = nil
    }

    /// Queues `job` for the writer; returns its ticket. Blocks while the queue is full.
    /// - Throws: the writer's failure, if it failed (the job is not queued then).
    @discardableResult
    func submit(_ job: Job) throws(OutputError) -> UInt64 {
        let jobCost = cost(job)
        let outcome: Result<UInt64, OutputError> = lock.withLock {
            while failure == nil && !queue.isEmpty && queuedCost + jobCost > capacity {
                lock.wait(untilNanos: MonotonicClock.nowNanos() + 1_000_000_000)
            }
            if let failure { return .failure(failure) }
            queue.append(job)
            queuedCost += jobCost
            submitted += 1
            lock.broadcast()
            return .success(submitted)
        }
        return try outcome.get()
    }

    /// Waits until every job submitted so far is durable.
    /// - Throws: the writer's failure.
    func waitForAll() throws(OutputError) {
        let failed: OutputError? = lock.withLock {
            while failure == nil && durable < submitted {
                lock.wait(untilNanos: MonotonicClock.nowNanos() + 1_000_000_000)
            }
            return failure
        }
        if let failed { throw failed }
    }

    /// The jobs that became durable since the last call, oldest first.
    /// - Throws: the writer's failure.
    func takeCompletions() throws(OutputError) -> [Completion] {
        let outcome: Result<[Completion], OutputError> = lock.withLock {
            if let failure { return .failure(failure) }
            defer { completions.removeAll(keepingCapacity: true) }
            return .success(completions)
        }
        return try outcome.get()
    }

    /// A completed job, to reuse its memory (nil when there is none).
    func reuse() -> Job? {
        lock.withLock { spares.popLast() }
    }

    private func run() {
        while true {
            let group: [Job]? = lock.withLock {
                while queue.isEmpty && !stopping { lock.wait(untilNanos: MonotonicClock.nowNanos() + 1_000_000_000) }
                if stopping { return nil }
                let group = queue
                queue.removeAll(keepingCapacity: true)
                queuedCost = 0
                lock.broadcast()
                return group
            }
            guard let group else { return }
            do throws(OutputError) {
                try process(group)
            } catch {
                lock.withLock {
                    failure = error
                    lock.broadcast()
                }
                return
            }
            let now = WallClock.now()
            lock.withLock {
                durable += UInt64(group.count)
                completions.append(Completion(ticket: durable, time: now))
                for job in group.suffix(max(0, 4 - spares.count)) { spares.append(job) }
                lock.broadcast()
            }
        }
    }
}
