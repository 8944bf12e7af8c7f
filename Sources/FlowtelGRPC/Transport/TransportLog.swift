internal import CGRPC
internal import Synchronization

/// Where the gRPC core's own log lines go (TLS handshake failures, transport errors).
///
/// Until `route` is called the core prints to stderr, filtered by the `GRPC_VERBOSITY`
/// environment variable (errors only by default).
public enum TransportLog {
    /// Severity of a gRPC core log line.
    public enum Severity: Int32, Sendable, Comparable {
        /// Tracing detail.
        case debug = 0
        /// Noteworthy events.
        case info = 1
        /// Failures (e.g. a TLS handshake that failed).
        case error = 2

        /// Orders by severity, `debug` lowest.
        public static func < (lhs: Severity, rhs: Severity) -> Bool {
            lhs.rawValue < rhs.rawValue
        }
    }

    /// Sends core log lines at `minimumSeverity` and above to `handler` (`nil` discards them).
    ///
    /// `handler` runs on gRPC's internal threads: it must be quick and must not call back into
    /// this module. Process-wide; the last call wins.
    public static func route(
        minimumSeverity: Severity = .error, to handler: (@Sendable (Severity, String) -> Void)?
    ) {
        sink.withLock { $0 = handler }
        cgrpc_log_set_handler(handler == nil ? nil : forward, minimumSeverity.rawValue)
    }

    private static let sink = Mutex<(@Sendable (Severity, String) -> Void)?>(nil)

    private static let forward: cgrpc_log_handler = { severity, file, line, message in
        guard let handler = TransportLog.sink.withLock({ $0 }) else {
            return
        }
        let file = String(cString: file)
        let text = String(cString: message)
        handler(Severity(rawValue: severity) ?? .error, "\(text) (\(file):\(line))")
    }
}
