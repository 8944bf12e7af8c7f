/// Flow monitoring: `monitor security flow filter|file|start|stop`, the basic-datapath trace
/// file under the log directory.
public final class FlowMonitor: Sendable {
    /// The directory trace files are written to (and `show log` reads).
    public let logDirectory: String

    /// Monitoring writing under `logDirectory`, tracing the packets of `engine`.
    public init(logDirectory: String, engine: FlowEngineSink) {
        self.logDirectory = logDirectory
    }
}
