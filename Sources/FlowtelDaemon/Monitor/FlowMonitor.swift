public import FlowtelCore
import FlowEngine
import FlowtelGRPC
import Packets
import Synchronization

/// Flow monitoring: `monitor security flow filter|file|start|stop`, the basic-datapath trace
/// file under the log directory, `show monitor security flow` and `show log`.
///
/// Filters and the file setting live in memory only: like Junos's, they are operational state
/// and vanish when the daemon restarts. While monitoring runs, a packet observer on the flow
/// engine tests each packet against the filters (no lock, no allocation for packets no filter
/// matches) and writes the trace of the ones that match through a buffered ``TraceFileWriter``.
///
/// Thread-safe. Lock order: this monitor's state, then the engine's lock (installing the
/// observer), then the trace file's lock (the observer, under the engine's lock).
public final class FlowMonitor: Sendable {
    /// The directory trace files are written to (and `show log` reads).
    public let logDirectory: String
    /// At most this many filters (bounds the work done per packet).
    public static let maximumFilters = 64

    /// The Junos refusal of `start` without a trace file.
    public static let noFileError = "error: Please specify the monitor flow trace file."
    /// The Junos refusal of `start` without a filter.
    public static let noFilterError = "error: Please specify monitor security flow filter."
    /// The refusal of `start` while `security flow traceoptions` is configured.
    public static let traceoptionsConfiguredError =
        "error: monitor security flow cannot start while security flow traceoptions is configured; "
        + "delete security flow traceoptions and commit first."
    /// The refusal of a commit adding `security flow traceoptions` while monitoring runs.
    public static let commitWhileMonitoringError =
        "error: security flow traceoptions cannot be configured while monitor security flow is running; "
        + "run 'monitor security flow stop' first."

    private struct State {
        /// Filters in the order they were first defined.
        var filters: [CompiledMonitorFilter] = []
        var file: MonitorFile?
        /// The open trace file while monitoring runs.
        var writer: TraceFileWriter?
        /// The `basic-datapath` flag `start` sets and `stop` clears.
        var basicDatapath = false
        /// Writes buffered lines out about once a second while monitoring runs, so that the
        /// file is current even when traffic stops.
        var flusher: Flusher?
    }

    /// The thread behind ``State/flusher``, and its stop flag.
    private final class Flusher: Sendable {
        private final class StopFlag: Sendable {
            let running = Atomic<Bool>(true)
        }

        private let flag: StopFlag
        private let thread: PThread

        /// Starts the thread; it holds `monitor` weakly, so it never keeps a dropped monitor alive.
        init(monitor: FlowMonitor) throws(TransportError) {
            let flag = StopFlag()
            self.flag = flag
            thread = try PThread.start(name: "flow-monitor") { [weak monitor] in
                while flag.running.load(ordering: .relaxed) {
                    sleep(until: ContinuousClock.now.advanced(by: .seconds(1)), on: ContinuousClock()) {
                        !flag.running.load(ordering: .relaxed)
                    }
                    monitor?.flush()
                }
            }
        }

        /// Ends the thread; with `join`, waits for it (never from the thread itself).
        func stop(join: Bool) {
            flag.running.store(false, ordering: .relaxed)
            if join { thread.join() }
        }
    }

    private let engine: FlowEngineSink
    private let state = Mutex(State())

    /// Monitoring writing under `logDirectory`, tracing the packets of `engine`. Nothing is
    /// created on disk until monitoring starts.
    public init(logDirectory: String, engine: FlowEngineSink) {
        self.logDirectory = logDirectory
        self.engine = engine
    }

    deinit {
        state.withLock { state in
            // Not joined: this may run on the flusher thread itself (its weak reference was the
            // last); the thread sees the flag within 100 ms and ends.
            state.flusher?.stop(join: false)
            state.writer?.close()
        }
    }

    /// True while monitoring runs (between `start` and `stop`).
    public var isRunning: Bool { state.withLock { $0.writer != nil } }

    /// The error a commit must fail with, or nil when it may go ahead: a configuration that
    /// adds `security flow traceoptions` is refused while monitoring runs.
    ///
    /// A check only: monitoring may start right after it. To exclude that, commit through
    /// ``commit(addingTraceoptions:apply:)``.
    ///
    /// - Parameter addingTraceoptions: the new configuration has `security flow traceoptions`.
    public func refuseCommit(addingTraceoptions: Bool) -> String? {
        addingTraceoptions && isRunning ? Self.commitWhileMonitoringError : nil
    }

    /// Commits a configuration: returns ``commitWhileMonitoringError`` without calling `apply`
    /// when the configuration adds `security flow traceoptions` while monitoring runs;
    /// otherwise calls `apply` (which installs the configuration in the engine) and returns nil.
    ///
    /// `start` waits while `apply` runs, so the two cannot interleave; after `apply`, a running
    /// monitor re-reads the engine's configuration (interfaces, routes and zones for interface
    /// filters and trace lines). `apply` may take the engine's lock but must not call this
    /// monitor; the caller must not hold the engine's lock (lock order: monitor, then engine).
    public func commit<Failure: Error>(
        addingTraceoptions: Bool, apply: () throws(Failure) -> Void
    ) throws(Failure) -> String? {
        try state.withLock { state throws(Failure) -> String? in
            if addingTraceoptions, state.writer != nil { return Self.commitWhileMonitoringError }
            try apply()
            if let writer = state.writer { installObserver(filters: state.filters, writer: writer) }
            return nil
        }
    }

    // MARK: - Commands

    /// `monitor security flow filter NAME …`: defines `filter`, or replaces the one with its
    /// name (keeping its place). Takes effect at once when monitoring runs.
    @discardableResult
    public func setFilter(_ filter: MonitorFilter) throws(MonitorError) -> MonitorStatus {
        let compiled = try CompiledMonitorFilter(filter)
        return try state.withLock { state throws(MonitorError) in
            if let index = state.filters.firstIndex(where: { $0.filter.name == compiled.filter.name }) {
                state.filters[index] = compiled
            } else {
                guard state.filters.count < Self.maximumFilters else {
                    throw MonitorError(
                        .resourceExhausted,
                        "at most \(Self.maximumFilters) monitor security flow filters; clear one first")
                }
                state.filters.append(compiled)
            }
            if let writer = state.writer { installObserver(filters: state.filters, writer: writer) }
            return status(state)
        }
    }

    /// `clear monitor security flow filter [NAME]`: removes the filter `name`, or every
    /// filter when `name` is empty. An unknown name is ``MonitorError/Code/notFound``.
    @discardableResult
    public func clearFilter(named name: String) throws(MonitorError) -> MonitorStatus {
        try state.withLock { state throws(MonitorError) in
            if name.isEmpty {
                state.filters.removeAll()
            } else {
                guard let index = state.filters.firstIndex(where: { $0.filter.name == name }) else {
                    throw MonitorError(.notFound, "monitor security flow filter '\(name)' does not exist")
                }
                state.filters.remove(at: index)
            }
            if let writer = state.writer { installObserver(filters: state.filters, writer: writer) }
            return status(state)
        }
    }

    /// `monitor security flow file NAME [size S] [files N] [match REGEX]`: sets the trace file
    /// (0 size or files take the defaults). While monitoring runs, tracing moves to the new
    /// file at once.
    @discardableResult
    public func setFile(_ file: MonitorFile) throws(MonitorError) -> MonitorStatus {
        var file = file
        try Self.checkFileName(file.name, what: "file")
        if file.size == 0 { file.size = MonitorFile.defaultSize }
        if file.files == 0 { file.files = MonitorFile.defaultFiles }
        guard MonitorFile.sizeRange.contains(file.size) else {
            throw MonitorError(
                .invalidArgument,
                "size \(file.size) is out of range (\(Self.describe(MonitorFile.sizeRange)) bytes)")
        }
        guard MonitorFile.filesRange.contains(file.files) else {
            throw MonitorError(
                .invalidArgument,
                "files \(file.files) is out of range (\(Self.describe(MonitorFile.filesRange)))")
        }
        let match = file.match.isEmpty ? nil : try POSIXRegex.compile(file.match)
        let resolved = file
        return try state.withLock { state throws(MonitorError) in
            if let old = state.writer {
                let writer = try TraceFileWriter.open(directory: logDirectory, file: resolved, match: match)
                installObserver(filters: state.filters, writer: writer)
                old.close()
                state.writer = writer
            }
            state.file = resolved
            return status(state)
        }
    }

    /// `monitor security flow start`: opens the trace file (creating the log directory) and
    /// starts tracing. Refused with the Junos texts without a file or a filter, and while
    /// `security flow traceoptions` is configured. Starting a running monitor does nothing.
    @discardableResult
    public func start() throws(MonitorError) -> MonitorStatus {
        try state.withLock { state throws(MonitorError) in
            guard state.writer == nil else { return status(state) }
            guard let file = state.file else { throw MonitorError(.failedPrecondition, Self.noFileError) }
            guard !state.filters.isEmpty else { throw MonitorError(.failedPrecondition, Self.noFilterError) }
            guard engine.config.flow.traceOptions == nil else {
                throw MonitorError(.failedPrecondition, Self.traceoptionsConfiguredError)
            }
            let match = file.match.isEmpty ? nil : try POSIXRegex.compile(file.match)
            let writer = try TraceFileWriter.open(directory: logDirectory, file: file, match: match)
            do {
                state.flusher = try Flusher(monitor: self)
            } catch {
                writer.close()
                throw MonitorError(.io, "cannot start the trace-file flusher thread: \(error)")
            }
            installObserver(filters: state.filters, writer: writer)
            state.writer = writer
            state.basicDatapath = true
            return status(state)
        }
    }

    /// `monitor security flow stop`: stops tracing and writes out and closes the trace file.
    /// Filters and the file setting stay. Stopping a stopped monitor does nothing.
    @discardableResult
    public func stop() -> MonitorStatus {
        let (result, flusher) = state.withLock { state -> (MonitorStatus, Flusher?) in
            if let writer = state.writer {
                // Once setObserver returns, no packet is being traced (the observer runs under
                // the engine's lock), so closing cannot lose a line in flight.
                engine.setObserver(nil)
                writer.close()
                state.writer = nil
            }
            state.basicDatapath = false
            let flusher = state.flusher
            state.flusher = nil
            return (status(state), flusher)
        }
        // Joined outside the lock: the flusher takes it to find the writer.
        flusher?.stop(join: true)
        return result
    }

    /// `show monitor security flow`.
    public func status() -> MonitorStatus {
        state.withLock { status($0) }
    }

    /// Writes out the buffered trace lines (before a file is read, and at shutdown).
    public func flush() {
        let writer = state.withLock { $0.writer }
        writer?.flush()
    }

    /// The full path of the log file `name` for `show log`, after writing out buffered trace
    /// lines. `name` must be a plain file name in the log directory: a `/`, `..`, an empty
    /// name or a NUL is ``MonitorError/Code/invalidArgument``.
    public func logFilePath(_ name: String) throws(MonitorError) -> String {
        try Self.checkFileName(name, what: "log file")
        flush()
        return logDirectory.hasSuffix("/") ? logDirectory + name : logDirectory + "/" + name
    }

    /// Counters of the current trace file (nil when monitoring is stopped).
    var writerStatistics: TraceFileWriter.Statistics? {
        state.withLock { $0.writer?.statistics }
    }

    // MARK: - Internals

    private func status(_ state: borrowing State) -> MonitorStatus {
        var path = ""
        if let file = state.file {
            path = logDirectory.hasSuffix("/") ? logDirectory + file.name : logDirectory + "/" + file.name
        }
        return MonitorStatus(
            active: state.writer != nil, traceFile: path, basicDatapath: state.basicDatapath, file: state.file,
            filters: state.filters.map(\.filter))
    }

    /// Installs the observer tracing packets `filters` match into `writer`.
    private func installObserver(filters: [CompiledMonitorFilter], writer: TraceFileWriter) {
        let zones = ZoneMap(config: engine.config)
        let tracer = PacketTracer(filters: filters, zones: zones, writer: writer)
        engine.setObserver { captured, _, time, disposition in
            tracer.trace(captured.packet, time: time, disposition: disposition)
        }
    }

    private static func describe<Bound>(_ range: ClosedRange<Bound>) -> String {
        "\(range.lowerBound)..\(range.upperBound)"
    }

    /// A plain file name: not empty, no `/` or NUL, no `..`, not `.`.
    static func checkFileName(_ name: String, what: String) throws(MonitorError) {
        guard !name.isEmpty, name != ".", !name.contains(".."), !name.contains("/"), !name.contains("\0"),
            name.utf8.count <= 255
        else {
            throw MonitorError(
                .invalidArgument,
                "\(what) '\(name)': give a plain file name in the log directory (no '/' or '..')")
        }
    }
}

/// What the engine observer runs per packet: the filters, then, for a match, the trace.
///
/// Allocation-free for packets no filter matches; the interfaces (two route lookups) are found
/// per packet only when a filter names one, else only for the packets traced.
struct PacketTracer: Sendable {
    let filters: [CompiledMonitorFilter]
    let zones: ZoneMap
    let writer: TraceFileWriter
    private let needsInterfaces: Bool

    init(filters: [CompiledMonitorFilter], zones: ZoneMap, writer: TraceFileWriter) {
        self.filters = filters
        self.zones = zones
        self.writer = writer
        needsInterfaces = filters.contains { $0.needsInterfaces }
    }

    func trace(_ decoded: DecodedPacket, time: Timestamp, disposition: PacketDisposition) {
        guard !filters.isEmpty, let packet = TracedPacket(decoded) else { return }
        let interfaces = needsInterfaces ? PacketInterfaces(packet, zones: zones) : nil
        for filter in filters where filter.matches(packet, interfaces: interfaces) {
            writer.write(
                TraceFormatter.lines(
                    filter: filter.filter.name, packet: packet, time: time, disposition: disposition,
                    interfaces: interfaces ?? PacketInterfaces(packet, zones: zones)))
            return
        }
    }
}
