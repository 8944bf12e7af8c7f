#if canImport(Glibc)
import Glibc
#endif

/// Threads that run one job per shard at a time: ``run(_:)`` hands `job(i)` to worker `i`
/// (shard 0 on the calling thread) and returns when every shard has finished.
///
/// Between jobs, an idle worker answers host-loopback probes (``probe()``): the watchdogs'
/// proof that the worker thread itself is alive, independent of the engine's caller.
///
/// Threading: ``run(_:)`` is called by one thread at a time (the sharded engine's caller);
/// ``probe()`` by any thread.
final class ShardWorkers: @unchecked Sendable {
    // @unchecked: every field below `count` is read and written only with `mutex` held, except
    // `job`, which workers read after seeing a new generation under the mutex.
    let count: Int
    private var mutex = pthread_mutex_t()
    private var wake = pthread_cond_t()
    private var done = pthread_cond_t()
    private var generation: UInt64 = 0
    private var pending = 0
    private var stopping = false
    private var job: ((Int) -> Void)?
    private var threads: [pthread_t] = []
    private var probeGeneration: UInt64 = 0
    private let progress: ShardProgress

    /// `count` shards: `count - 1` worker threads, answering probes into `progress`.
    init(count: Int, progress: ShardProgress) {
        self.count = count
        self.progress = progress
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&wake, nil)
        pthread_cond_init(&done, nil)
        for index in 1..<max(count, 1) {
            let context = Unmanaged.passRetained(Start(workers: self, index: index))
            var thread = pthread_t()
            let error = pthread_create(&thread, nil, { context in
                let start = Unmanaged<Start>.fromOpaque(context!).takeRetainedValue()
                start.workers.loop(index: start.index)
                return nil
            }, context.toOpaque())
            precondition(error == 0, "cannot start SPU worker thread: pthread_create returned \(error)")
            threads.append(thread)
        }
    }

    deinit {
        pthread_mutex_lock(&mutex)
        stopping = true
        pthread_cond_broadcast(&wake)
        pthread_mutex_unlock(&mutex)
        for thread in threads { pthread_join(thread, nil) }
        pthread_cond_destroy(&done)
        pthread_cond_destroy(&wake)
        pthread_mutex_destroy(&mutex)
    }

    /// Runs `job(0)` … `job(count - 1)` concurrently and waits for all of them.
    func run(_ job: (Int) -> Void) {
        guard count > 1 else {
            job(0)
            return
        }
        withoutActuallyEscaping(job) { job in
            pthread_mutex_lock(&mutex)
            self.job = job
            generation &+= 1
            pending = count - 1
            pthread_cond_broadcast(&wake)
            pthread_mutex_unlock(&mutex)
            job(0)
            pthread_mutex_lock(&mutex)
            while pending > 0 { pthread_cond_wait(&done, &mutex) }
            self.job = nil
            pthread_mutex_unlock(&mutex)
        }
    }

    /// Wakes every idle worker to answer the probes sent to it (see ``ShardProgress``).
    func probe() {
        guard count > 1 else { return }
        pthread_mutex_lock(&mutex)
        probeGeneration &+= 1
        pthread_cond_broadcast(&wake)
        pthread_mutex_unlock(&mutex)
    }

    /// Answers the probes sent to `shard`, unless a test hook stalls its loopback.
    func answerProbes(shard: Int) {
        guard !progress.isStalled(.loopback, shard: shard) else { return }
        let sent = progress.value(.probesSent, shard: shard)
        let answered = progress.value(.probesAnswered, shard: shard)
        if sent > answered { progress.add(.probesAnswered, shard: shard, sent - answered) }
    }

    private func loop(index: Int) {
        var seen: UInt64 = 0
        var probesSeen: UInt64 = 0
        while true {
            pthread_mutex_lock(&mutex)
            while generation == seen, probeGeneration == probesSeen, !stopping { pthread_cond_wait(&wake, &mutex) }
            if stopping {
                pthread_mutex_unlock(&mutex)
                return
            }
            if generation == seen {
                probesSeen = probeGeneration
                pthread_mutex_unlock(&mutex)
                answerProbes(shard: index)
                continue
            }
            seen = generation
            pthread_mutex_unlock(&mutex)
            perform(index: index)
            answerProbes(shard: index)
            pthread_mutex_lock(&mutex)
            pending -= 1
            if pending == 0 { pthread_cond_signal(&done) }
            pthread_mutex_unlock(&mutex)
        }
    }

    /// Runs the current job for `index`; the reference to it is gone when this returns (``run``
    /// checks that the job it lent out did not escape).
    @inline(never)
    private func perform(index: Int) {
        pthread_mutex_lock(&mutex)
        let job = self.job
        pthread_mutex_unlock(&mutex)
        job?(index)
    }

    private final class Start {
        unowned(unsafe) let workers: ShardWorkers
        let index: Int

        init(workers: ShardWorkers, index: Int) {
            self.workers = workers
            self.index = index
        }
    }
}
