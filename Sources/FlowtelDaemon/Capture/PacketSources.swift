public import FlowtelCore
import FlowtelGRPC
public import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A packet source as the daemon runs it: one thread in ``run()``, stopped from another.
protocol PacketSource: Sendable {
    /// Its counters (read by the statistics RPC).
    var counters: SourceCounters { get }
    /// Reads until the source ends, fails or is stopped; on the source's own thread.
    func run()
    /// Makes ``run()`` return soon; callable from any thread.
    func stop()
}

/// flowteld's packet sources: capture files and live interfaces, each read on a thread of its
/// own (reads block, so never on Swift's cooperative pool), each feeding the same sink.
///
/// Lifecycle: ``open(_:sink:logger:)`` opens every source (a source that cannot be opened is a
/// start-up error naming it), ``start()`` starts the threads, ``stop()`` asks them to stop and
/// ``join()`` waits for them.
public final class PacketSources: Sendable {
    private let sources: [any PacketSource]
    private let threads = Mutex<[PThread]>([])

    /// No source.
    public static let none = PacketSources(sources: [])

    private init(sources: [any PacketSource]) {
        self.sources = sources
    }

    /// Opens every source in `configurations`, in order.
    ///
    /// - Throws: ``DaemonError`` naming the first source that cannot be opened (missing or
    ///   unreadable file, not a capture file, no such interface, no permission, bad filter),
    ///   or a source given twice.
    public static func open(
        _ configurations: [CaptureSourceConfiguration], sink: any PacketSink, logger: Logger
    ) throws(DaemonError) -> PacketSources {
        var seen = Set<CaptureSourceConfiguration.Identity>()
        var sources: [any PacketSource] = []
        for (index, configuration) in configurations.enumerated() {
            guard seen.insert(configuration.identity).inserted else {
                throw DaemonError("\(configuration) is configured twice; capture each source once")
            }
            switch configuration {
            case .file(let path, let replay):
                let id = PacketSourceID(index: index, name: path, kind: .file)
                sources.append(try FileSource(path: path, replay: replay, id: id, sink: sink, logger: logger))
            case .interface(let live):
                let id = PacketSourceID(index: index, name: live.interface, kind: .interface)
                sources.append(try LiveSource(configuration: live, id: id, sink: sink, logger: logger))
            case .generator(let generator):
                let id = PacketSourceID(index: index, name: "generator", kind: .generator)
                sources.append(try GeneratorSource(configuration: generator, id: id, sink: sink, logger: logger))
            }
        }
        return PacketSources(sources: sources)
    }

    /// How many sources there are.
    public var count: Int { sources.count }

    /// Starts one thread per source.
    ///
    /// - Throws: ``DaemonError`` when a thread cannot be created; the sources already started
    ///   are stopped and joined.
    public func start() throws(DaemonError) {
        for source in sources {
            let id = source.counters.id
            do {
                let name = id.kind == .file ? "capture-file" : id.kind == .interface ? "capture-if" : "generator"
                let thread = try PThread.start(name: name) {
                    source.run()
                }
                threads.withLock { $0.append(thread) }
            } catch {
                stop()
                join()
                throw DaemonError("\(id): cannot start its thread: \(error.message)")
            }
        }
    }

    /// Asks every source to stop; returns at once. Sources finish the batch in hand.
    public func stop() {
        for source in sources { source.stop() }
    }

    /// Waits for every started source thread to return. Blocks: call it on a thread of its
    /// own, never on the cooperative pool.
    public func join() {
        let started = threads.withLock { threads in
            defer { threads.removeAll() }
            return threads
        }
        for thread in started { thread.join() }
    }

    /// Every source's counters, in configuration order.
    public func statistics() -> [CaptureSourceStatistics] {
        sources.map { $0.counters.snapshot() }
    }
}

extension CaptureSourceConfiguration {
    /// What makes two sources the same: the file or the interface, whatever the options.
    fileprivate enum Identity: Hashable {
        case file(String)
        case interface(String)
        case generator
    }

    fileprivate var identity: Identity {
        switch self {
        case .file(let path, _): .file(path)
        case .interface(let configuration): .interface(configuration.interface)
        case .generator: .generator
        }
    }
}

/// `strerror` for an `errno` value.
/// Sleeps until `deadline` in slices of at most 100 ms, returning early once `stopped` says so
/// (sources pace packets with it and must still stop promptly at shutdown).
func sleep(until deadline: ContinuousClock.Instant, on clock: ContinuousClock, unless stopped: () -> Bool) {
    while !stopped() {
        let left = deadline - clock.now
        guard left > .zero else { return }
        let slice = min(left, .milliseconds(100))
        let (seconds, attoseconds) = slice.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        _ = nanosleep(&request, nil)
    }
}

func systemErrorText(_ code: Int32) -> String {
    String(cString: strerror(code))
}
