import ArgumentParser
import FlowtelCore
import FlowtelGRPC
import FlowtelSubscriber
import Synchronization

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// flowtel: the command-line client of flowteld.
@main
struct Flowtel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flowtel",
        abstract: "Tail, show and store flowtel telemetry; run Junos-style operational commands.",
        subcommands: [
            Subscribe.self, Query.self, Show.self, Clear.self, Request.self, Monitor.self, Config.self, Generate.self,
            Replay.self,
        ])
}

/// Connection options shared by every command.
struct ConnectionOptions: ParsableArguments {
    /// The daemon when neither `--target` nor `FLOWTEL_TARGET` names one.
    static let defaultTarget = "127.0.0.1:50051"

    @Option(
        name: .customLong("target"),
        help: """
            flowteld address, HOST:PORT (default: $FLOWTEL_TARGET, else \(Self.defaultTarget)); subscribe \
            takes several, one stream each.
            """)
    var targetOptions: [String] = []

    /// Every `--target`, else the `FLOWTEL_TARGET` environment variable, else the default.
    var targets: [String] {
        if !targetOptions.isEmpty { return targetOptions }
        if let value = getenv("FLOWTEL_TARGET"), let text = String(validatingCString: value), !text.isEmpty {
            return [text]
        }
        return [Self.defaultTarget]
    }

    /// The one daemon of a command that talks to one (see `validate()`).
    var target: String { targets[0] }

    /// Operational commands talk to one daemon; `Subscribe` checks its own list.
    func validateSingleTarget() throws {
        guard targetOptions.count <= 1 else { throw ValidationError("--target: this command talks to one daemon") }
    }

    @Option(help: "Bearer token for the daemon.")
    var token: String?

    @Option(help: "File holding the bearer token.")
    var tokenFile: String?

    @Option(help: "PEM CA bundle to verify the daemon's certificate: connect with TLS.")
    var tlsCA: String?

    @Option(help: "PEM client certificate (mutual TLS).")
    var tlsCert: String?

    @Option(help: "PEM private key of --tls-cert.")
    var tlsKey: String?

    @Option(help: "Expected name in the daemon's certificate, when it differs from the target host.")
    var tlsServerName: String?

    func channelConfiguration(target: String? = nil) throws -> ChannelConfiguration {
        var configuration = ChannelConfiguration(target: target ?? self.target)
        guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
        if tlsCA != nil || tlsCert != nil {
            do {
                configuration.tls = try ChannelTLS.load(
                    rootCAFile: tlsCA, certificateChainFile: tlsCert, privateKeyFile: tlsKey,
                    serverNameOverride: tlsServerName)
            } catch {
                throw ValidationError(error.message)
            }
        }
        return configuration
    }

    /// A client for the daemon these options name.
    func client() throws -> SubscriptionClient {
        try validateSingleTarget()
        var configuration = SubscriptionConfiguration(target: target)
        configuration.channel = try channelConfiguration()
        configuration.token = try resolvedToken()
        return try SubscriptionClient(configuration: configuration)
    }

    /// Runs one operational call: an RPC failure prints `flowtel: CODE: message` and exits 2.
    func call<Result>(_ body: (SubscriptionClient) throws -> Result) throws -> Result {
        let client = try client()
        defer { client.close() }
        do {
            return try body(client)
        } catch let error as RPCError {
            printError("flowtel: \(error.code): \(error.message)")
            throw ExitCode(2)
        }
    }

    func resolvedToken() throws -> String? {
        if let token { return token }
        guard let tokenFile else { return nil }
        do {
            let text = try readSmallTextFile(tokenFile, what: "--token-file", limit: 4096)
            return text.split(whereSeparator: \.isWhitespace).first.map(String.init) ?? ""
        } catch {
            throw ValidationError(error.message)
        }
    }
}

struct Subscribe: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Subscribe to flowteld's event stream and print or store what arrives.",
        discussion: """
            --output file:PATH appends records to PATH, rotating it to PATH.1 … PATH.N, and keeps \
            PATH.checkpoint: the BOOT-ID:SEQ of the last event durably written and the bytes of PATH it \
            covers. A restart resumes after the checkpoint (unless --from-now, --from-oldest or --resume \
            is given) and cuts off whatever was written after it, so every event is stored exactly once \
            even after kill -9. Gaps are always written as records (json, text; in sd-syslog and syslog \
            files as a text line) and reported on stderr.

            --output sqlite:PATH stores events in a SQLite database (WAL), one table per payload with typed \
            columns (session_create, session_close, session_deny, fpc_error, alarm_raised, …, gap), each \
            UNIQUE(boot_id, seq); the checkpoint (table subscription_checkpoint, one row per --target) is \
            committed in the same transaction as the events, so kill -9 loses and duplicates nothing. \
            --format does not apply; read it back with 'flowtel query sqlite:PATH'. Either output takes \
            PATH.lock: a second subscriber writing the same output fails at start (exit 4).

            Reconnecting: on by default with --output file: or sqlite:, opt-in (--reconnect) for stdout. Transient \
            codes (UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, INTERNAL, UNKNOWN, ABORTED, CANCELLED) are \
            retried after 100 ms doubling to 10 s, with full jitter, resuming after the last event handled.

            Ctrl-C (SIGINT) or SIGTERM stops at the next batch or heartbeat, after storing what \
            was received; a second one stops at once.

            Exit status: 0 done (--max-events reached, the stream ended, or stopped by a signal); 2 stream failed (another \
            code, without reconnecting); 3 daemon unreachable (UNAVAILABLE, without reconnecting); 4 the \
            output cannot be written; 5 INVALID_ARGUMENT; 6 UNAUTHENTICATED; 7 PERMISSION_DENIED; \
            8 UNIMPLEMENTED; 9 FAILED_PRECONDITION; 10 NOT_FOUND; 64 bad command line.
            """)

    @OptionGroup var connection: ConnectionOptions

    @Flag(help: "Start with events produced from now on.")
    var fromNow = false

    @Flag(help: "Start with the oldest event the daemon still has.")
    var fromOldest = false

    @Option(help: "Resume after BOOT-ID:SEQ (16 hex digits, a colon, a decimal seq).")
    var resume: String?

    @Option(
        help: """
            Output format: json (one JSON object per line), sd-syslog (RFC 5424 RT_FLOW lines as an SRX \
            streams them with format sd-syslog), syslog (plain RFC 3164 RT_FLOW lines, format syslog), \
            text (the lines of a Junos log file, for every event kind), proto (each event as a \
            flowtel.v1.Event message with a varint length prefix: length-delimited protobuf, as \
            writeDelimitedTo/parseDelimitedFrom read it) or count (a summary line at the end). sd-syslog \
            and syslog print session events only.
            """)
    var format = "json"

    @Option(
        help: """
            Where records go: stdout, file:PATH (rotated, checkpointed, resumed on restart) or sqlite:PATH \
            (a database, checkpointed and resumed likewise).
            """)
    var output = "stdout"

    @Option(help: "file: rotate PATH before it would exceed this size, bytes with an optional k, m or g suffix.")
    var rotateSize = "64m"

    @Option(help: "file: rotated files to keep (PATH.1 newest … PATH.N oldest).")
    var rotateCount = 10

    @Flag(help: "file: gzip rotated files (PATH.1.gz …), in the background.")
    var gzip = false

    @Flag(
        inversion: .prefixedNo,
        help: "Resubscribe after transient failures (default: on for --output file:, off for stdout).")
    var reconnect: Bool?

    @Option(help: "sd-syslog: the SRX model number in the SD-ID junos@2636.1.1.1.2.N (129 vSRX, 137 SRX1500, ...).")
    var model = 129

    @Option(help: "Stop after this many events (stream-control events not counted).")
    var maxEvents: Int?

    @Option(help: "Maximum events per batch the daemon sends (1-65536).")
    var batchEvents: UInt32?

    @Option(help: "Maximum time an event waits for its batch, milliseconds.")
    var batchLatencyMs: UInt32?

    @Option(help: "Heartbeat interval, milliseconds.")
    var heartbeatMs: UInt32?

    @Flag(help: "Print stream-control events (gap, heartbeat, sync-response) too (json and text).")
    var control = false

    @Flag(
        help: """
            At the end, print a summary line on standard error: events, bytes, seconds, gaps, missing \
            events and delivery latency percentiles (as --format count prints on standard output).
            """)
    var stats = false

    @OptionGroup var selection: EventSelectionOptions

    @Option(help: "Name shown in 'flowtel show services flowtel subscribers'.")
    var name = "flowtel-cli"

    /// Exit statuses; documented in the discussion above.
    enum Exit {
        static let streamFailed: Int32 = 2
        static let unreachable: Int32 = 3
        static let outputFailed: Int32 = 4

        /// The status for a stream that ended with `code` and is not retried.
        static func status(for code: StatusCode) -> Int32 {
            switch code {
            case .invalidArgument: 5
            case .unauthenticated: 6
            case .permissionDenied: 7
            case .unimplemented: 8
            case .failedPrecondition: 9
            case .notFound: 10
            case .unavailable: unreachable
            default: streamFailed
            }
        }
    }

    /// `--output file:PATH`'s path; nil otherwise.
    var outputPath: String? {
        output.hasPrefix("file:") ? String(output.dropFirst(5)) : nil
    }

    /// `--output sqlite:PATH`'s path; nil otherwise.
    var databasePath: String? {
        output.hasPrefix("sqlite:") ? String(output.dropFirst(7)) : nil
    }

    /// `--rotate-size` in bytes; nil when malformed.
    var rotateBytes: Int? {
        let multipliers: [Character: Int] = ["k": 1 << 10, "m": 1 << 20, "g": 1 << 30]
        guard let last = rotateSize.lowercased().last else { return nil }
        let (digits, multiplier) = multipliers[last].map { (rotateSize.dropLast(), $0) } ?? (Substring(rotateSize), 1)
        guard let value = Int(digits), value > 0 else { return nil }
        let (bytes, overflow) = value.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : bytes
    }

    func validate() throws {
        guard ["json", "sd-syslog", "syslog", "text", "proto", "count"].contains(format) else {
            throw ValidationError("--format: expected json, sd-syslog, syslog, text, proto or count")
        }
        guard [fromNow, fromOldest, resume != nil].filter({ $0 }).count <= 1 else {
            throw ValidationError("--from-now, --from-oldest and --resume exclude each other")
        }
        if let maxEvents, maxEvents <= 0 { throw ValidationError("--max-events must be positive") }
        guard output == "stdout" || !(outputPath ?? databasePath ?? "").isEmpty else {
            throw ValidationError("--output: expected stdout, file:PATH or sqlite:PATH")
        }
        if outputPath != nil && connection.targetOptions.count > 1 {
            throw ValidationError("--output file: stores one target's stream; use sqlite:PATH or stdout for several")
        }
        if Set(connection.targetOptions).count != connection.targetOptions.count {
            throw ValidationError("--target: the same target twice")
        }
        if outputPath != nil && format == "count" {
            throw ValidationError("--format count writes no records; use it with --output stdout")
        }
        guard rotateBytes != nil else {
            throw ValidationError("--rotate-size: expected a positive number of bytes, e.g. 65536, 512k, 64m or 1g")
        }
        guard rotateCount >= 1 else { throw ValidationError("--rotate-count must be at least 1") }
    }

    func request() throws -> SubscriptionRequest {
        var request = SubscriptionRequest()
        request.start = fromOldest ? .fromOldest : fromNow ? .fromNow : .resume
        if let resume {
            let parts = resume.split(separator: ":")
            guard parts.count == 2, let boot = BootID(hex: parts[0]), let seq = UInt64(parts[1]) else {
                throw ValidationError("--resume: expected BOOT-ID:SEQ, e.g. 0123456789abcdef:42")
            }
            request.resume = ResumePoint(bootID: boot, seq: seq)
        }
        request.kinds = try selection.eventKinds()
        request.filter = selection.filter
        request.maxBatchEvents = batchEvents ?? 0
        request.maxBatchLatencyMillis = batchLatencyMs ?? 0
        request.heartbeatIntervalMillis = heartbeatMs ?? 0
        request.subscriberName = name
        return request
    }

    func run() throws {
        let request = try request()
        Self.stopOnInterrupt()
        let targets = connection.targets
        // The output opens (and recovers) before any connection: an unwritable path fails here.
        let stored: (any CheckpointedOutput)?
        do {
            stored = try openOutput(resume: request.resume, targets: targets)
        } catch {
            printError("flowtel subscribe: \(error.message)")
            throw ExitCode(Exit.outputFailed)
        }
        let token = try connection.resolvedToken()
        var streams: [TargetStream] = []
        defer { for stream in streams { stream.client.close() } }
        for target in targets {
            var request = request
            if let stored {
                switch stored.start(of: target) {
                case .after(let point): (request.start, request.resume) = (.resume, point)
                case .oldest: (request.start, request.resume) = (.fromOldest, nil)
                case .now: (request.start, request.resume) = (.fromNow, nil)
                }
            }
            var configuration = SubscriptionConfiguration(target: target)
            configuration.channel = try connection.channelConfiguration(target: target)
            configuration.token = token
            configuration.request = request
            streams.append(
                TargetStream(
                    target: target, client: try SubscriptionClient(configuration: configuration), request: request,
                    reconnect: reconnect ?? (stored != nil)))
        }

        let records =
            databasePath == nil
            ? RecordRenderer(format: format, model: model, control: control, gapsAsRecords: stored != nil) : nil
        let sink = SubscribeSink(stored: stored, records: records, limit: maxEvents ?? .max, targetCount: targets.count)
        defer { sink.status?.clear() }

        // The first target's stream runs here, the others on threads of their own; the first
        // to fail for good (or --max-events, or a signal) stops them all.
        let failures = StreamFailures()
        let interrupted: @Sendable () -> Bool = { stopRequested.load(ordering: .relaxed) }
        var threads: [PThread] = []
        for stream in streams.dropFirst() {
            threads.append(
                try PThread.start(name: "flowtel-sub") {
                    do {
                        try stream.run(into: sink, stopRequested: interrupted)
                    } catch {
                        failures.record(stream.target, error)
                        sink.stop()
                    }
                })
        }
        do {
            try streams[0].run(into: sink, stopRequested: interrupted)
        } catch {
            failures.record(streams[0].target, error)
            sink.stop()
        }
        for thread in threads { thread.join() }

        if let failure = failures.all.first {
            if let error = failure.error as? OutputError {
                printError("flowtel subscribe: \(error.message); events after the checkpoint are received again on restart")
                throw ExitCode(Exit.outputFailed)
            }
            // What was received is kept (and covered by the checkpoint) before exiting.
            do { try sink.commit() } catch {}
            for (target, error) in failures.all {
                let prefix = targets.count > 1 ? "\(target): " : ""
                if let error = error as? RPCError {
                    printError("flowtel subscribe: \(prefix)stream ended: \(error.code): \(error.message)")
                } else {
                    printError("flowtel subscribe: \(prefix)\(error)")
                }
            }
            guard let error = failure.error as? RPCError else { throw ExitCode(Exit.streamFailed) }
            throw ExitCode(Exit.status(for: error.code))
        }
        do {
            try sink.commit()
        } catch let error as OutputError {
            printError("flowtel subscribe: \(error.message); events after the checkpoint are received again on restart")
            throw ExitCode(Exit.outputFailed)
        }
        let summary = sink.summary()
        if format == "count" && stored == nil { sink.writeToStdout(summary + "\n") }
        if stats {
            sink.status?.clear()
            printError(summary)
        }
    }

    /// The renderer of `format`, chosen once, not per event; nil for count. sd-syslog and
    /// syslog have no line for other events; json and text print stream control only with
    /// `control`. With `gapsAsRecords` (files, query), gaps are always records, as a text line
    /// where the format has none.
    static func renderer(format: String, model: Int, control: Bool, gapsAsRecords: Bool) -> ((Event) -> [UInt8]?)? {
        switch format {
        case "json":
            { !$0.payload.isStreamControl || control || (gapsAsRecords && $0.payload.isGap) ? JSONRenderer().render($0) : nil }
        case "text":
            { !$0.payload.isStreamControl || control || (gapsAsRecords && $0.payload.isGap) ? TextRenderer().render($0) : nil }
        case "sd-syslog":
            { gapsAsRecords && $0.payload.isGap ? TextRenderer().render($0) : SyslogRenderer(model: model).render($0) }
        case "syslog":
            { gapsAsRecords && $0.payload.isGap ? TextRenderer().render($0) : PlainSyslogRenderer().render($0) }
        case "proto":
            { [encoder = EventEncoder()] in
                !$0.payload.isStreamControl || control || (gapsAsRecords && $0.payload.isGap)
                    ? LengthDelimited.record(encoder.encode($0)) : nil
            }
        default: nil
        }
    }

    /// Opens `--output`'s file or database, recovering from its checkpoint; nil for stdout.
    func openOutput(resume: ResumePoint?, targets: [String]) throws(OutputError) -> (any CheckpointedOutput)? {
        let override: OutputCheckpoint.Start? =
            if let point = resume { .after(point) } else if fromOldest { .oldest } else if fromNow {
                .now
            } else { nil }
        if let outputPath {
            var configuration = FileOutputConfiguration(path: outputPath)
            configuration.rotateBytes = rotateBytes!
            configuration.rotateCount = rotateCount
            configuration.newlines = format != "proto"
            configuration.gzip = gzip
            let opened = try FileOutput(configuration: configuration, start: override)
            if opened.discardedBytes > 0 {
                printError(
                    "flowtel subscribe: cut \(opened.discardedBytes) bytes written after the last checkpoint "
                        + "from \(outputPath); they are received again")
            }
            return opened
        }
        if let databasePath {
            return try SQLiteOutput(path: databasePath, targets: targets, start: override)
        }
        return nil
    }

    /// The first SIGINT or SIGTERM asks the loop to stop at the next batch or heartbeat: what
    /// was received is committed (and --stats printed) before exiting with status 0. A second
    /// one kills as usual.
    static func stopOnInterrupt() {
        var signals = sigset_t()
        sigemptyset(&signals)
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber) { number in
                stopRequested.store(true, ordering: .relaxed)
                signal(number, SIG_DFL)
            }
            sigaddset(&signals, signalNumber)
        }
        // A parent may have started us with them blocked (the mask is inherited).
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
    }

    /// Gaps go to stderr whatever the output: the operator learns of them at once.
    static func report(_ gap: Gap, target: String?) {
        let range = gap.lastSeq == 0 ? "\(gap.firstSeq)-" : "\(gap.firstSeq)-\(gap.lastSeq)"
        printError(
            "flowtel subscribe: \(target.map { "\($0): " } ?? "")gap: events \(range) of boot \(gap.bootID) will not arrive (\(gap.reason))"
                + (gap.detail.isEmpty ? "" : ": \(gap.detail)"))
    }
}

/// Set by SIGINT/SIGTERM; see `Subscribe.stopOnInterrupt()`.
private let stopRequested = Atomic<Bool>(false)

extension Payload {
    fileprivate var isGap: Bool {
        if case .gap = self { true } else { false }
    }
}

/// `flowtel clear …`.
struct Clear: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Junos-style clear commands.",
        subcommands: [ClearSecurity.self, ClearMonitor.self, ClearChassis.self])
}

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Junos-style operational views.",
        subcommands: [ShowSecurity.self, ShowServices.self, ShowMonitor.self, ShowLog.self, ShowChassis.self])
}

struct ShowServices: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "services", abstract: "flowtel's own services.", subcommands: [ShowServicesFlowtel.self])
}

struct ShowServicesFlowtel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flowtel", abstract: "The event bus.", subcommands: [ShowSubscribers.self])
}

struct ShowSubscribers: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subscribers", abstract: "show services flowtel subscribers")

    @OptionGroup var connection: ConnectionOptions

    func run() throws {
        let stats = try connection.call { try $0.busStatistics() }
        print(Self.render(stats), terminator: "")
    }

    /// The bus's counters: what was produced and retained, then per subscriber what it was
    /// sent, what it lost as a slow consumer and how far behind it is.
    static func render(_ stats: BusStatistics) -> String {
        var text = "Boot ID: \(stats.bootID)\n"
        text += "Events produced: \(stats.headSeq), oldest retained seq: \(stats.oldestSeq)\n"
        text += "Replay buffer: \(stats.ringBytes) of \(stats.ringCapacityBytes) bytes, events evicted: \(stats.evicted)\n"
        text += "Subscribers: \(stats.subscribers.count), disconnected as slow consumers: \(stats.disconnectedSlow)\n"
        guard !stats.subscribers.isEmpty else { return text }
        let rows = [["ID", "Name", "Peer", "Policy", "Sent", "Dropped (slow)", "Lag (events)", "Lag (bytes)"]]
            + stats.subscribers.map { subscriber in
                [
                    "\(subscriber.id)", subscriber.name.isEmpty ? "-" : subscriber.name, subscriber.peer,
                    subscriber.policy == .drop ? "drop" : "disconnect", "\(subscriber.sent)", "\(subscriber.dropped)",
                    "\(subscriber.lag)", "\(subscriber.lagBytes)",
                ]
            }
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            let cells = row.enumerated().map { column, cell in
                cell + String(repeating: " ", count: widths[column] - cell.count)
            }
            text += cells.joined(separator: "  ").trimmingSuffixSpaces() + "\n"
        }
        return text
    }
}

extension String {
    fileprivate func trimmingSuffixSpaces() -> String {
        var end = endIndex
        while end > startIndex, self[index(before: end)] == " " { end = index(before: end) }
        return String(self[..<end])
    }
}

/// Buffered standard output (one write per batch, not per line).
final class OutputBuffer {
    private var buffer: [UInt8] = []

    init() { buffer.reserveCapacity(1 << 20) }

    func write(_ bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 20 { flush() }
    }

    func flush() {
        guard !buffer.isEmpty else { return }
        buffer.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(1, raw.baseAddress! + offset, raw.count - offset)
                if n <= 0 { break }
                offset += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

func printError(_ message: String) {
    let line = Array((message + "\n").utf8)
    line.withUnsafeBytes { _ = Glibc.write(2, $0.baseAddress, $0.count) }
}

func monotonicNanos() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
}
