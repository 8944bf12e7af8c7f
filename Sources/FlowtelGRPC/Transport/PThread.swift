#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif
internal import CGRPC
internal import Synchronization

/// A named operating-system thread running one `@Sendable` closure.
///
/// Blocking gRPC work must stay off Swift's cooperative pool (two threads on a two-core box), so
/// every accept loop, call handler and client receive pump runs on one of these.
///
/// Threading: `join()` may be called from any thread other than the started one, at most once.
public final class PThread: @unchecked Sendable {
    // @unchecked: `thread` is immutable after init (pthread_t is a pointer type on Darwin, hence
    // not Sendable there), and `pthread_join` is guarded by `joined`.
    private let thread: pthread_t
    private let joined = Atomic<Bool>(false)

    private init(thread: pthread_t) {
        self.thread = thread
    }

    /// Starts a joinable thread named `name` (truncated to the 15 bytes Linux allows).
    /// - Throws: `TransportError` with code `.threadStartFailed` when the OS refuses.
    public static func start(name: String, _ body: @escaping @Sendable () -> Void) throws(TransportError) -> PThread {
        PThread(thread: try spawn(name: name, detached: false, body))
    }

    /// Starts a detached thread: it cannot be joined and releases its resources when `body`
    /// returns. Use a counter or condition to learn when it is done.
    /// - Throws: `TransportError` with code `.threadStartFailed` when the OS refuses.
    public static func detach(name: String, _ body: @escaping @Sendable () -> Void) throws(TransportError) {
        _ = try spawn(name: name, detached: true, body)
    }

    /// Blocks until the thread's closure has returned. Must not be called from the thread itself
    /// or twice.
    public func join() {
        precondition(
            joined.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged,
            "PThread.join() called twice")
        precondition(pthread_equal(thread, pthread_self()) == 0, "PThread.join() called on its own thread")
        let error = pthread_join(thread, nil)
        // EDEADLK, EINVAL, ESRCH: all mean the handle is wrong, which the checks above rule out.
        precondition(error == 0, "pthread_join failed: \(error)")
    }

    private final class Start {
        let name: String
        let body: @Sendable () -> Void

        init(name: String, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }
    }

    private static func spawn(
        name: String, detached: Bool, _ body: @escaping @Sendable () -> Void
    ) throws(TransportError) -> pthread_t {
        let start = Unmanaged.passRetained(Start(name: name, body: body))
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        if detached {
            pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        }
        var thread = pthread_t()
        let error = pthread_create(&thread, &attributes, { context in
            let start = Unmanaged<Start>.fromOpaque(context!).takeRetainedValue()
            cgrpc_thread_set_name(start.name)
            start.body()
            return nil
        }, start.toOpaque())
        // EAGAIN (thread limit or memory) is the world's; EINVAL/EPERM would be ours.
        guard error == 0 else {
            start.release()
            throw TransportError(
                code: .threadStartFailed,
                message: "cannot start thread '\(name)': pthread_create returned \(error)")
        }
        return thread
    }
}

/// State guarded by a pthread mutex with a condition variable, for threads that must block until
/// the state changes (a server waiting for its handler threads, a pump waiting for credit).
///
/// Unlike `Synchronization.Mutex` this can wait. Only ever used from dedicated threads, never from
/// the cooperative pool.
final class ThreadCondition<State: Sendable>: @unchecked Sendable {
    // @unchecked: `state` is only read or written with `mutex` held.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var state: State

    init(_ initial: State) {
        state = initial
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Runs `body` with the lock held; wakes all waiters afterwards if `body` may have changed
    /// what they wait for.
    func withLock<R>(_ body: (inout State) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer {
            pthread_cond_broadcast(condition)
            pthread_mutex_unlock(mutex)
        }
        return try body(&state)
    }

    /// Blocks until `ready` holds, then runs `body` with the lock still held.
    func wait<R>(until ready: (State) -> Bool, then body: (inout State) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer {
            pthread_cond_broadcast(condition)
            pthread_mutex_unlock(mutex)
        }
        while !ready(state) {
            pthread_cond_wait(condition, mutex)
        }
        return try body(&state)
    }

    /// Blocks until `ready` holds.
    func wait(until ready: (State) -> Bool) {
        wait(until: ready) { _ in }
    }
}
