public import PacketIO

/// One packet source flowteld reads: `capture file PATH` / `--replay`,
/// `capture interface NAME` / `--capture`, or the traffic generator / `--generate`.
public enum CaptureSourceConfiguration: Hashable, Sendable, CustomStringConvertible {
    /// A pcap or pcapng file, read once: as fast as it decodes, or at `packetsPerSecond`.
    case file(path: String, packetsPerSecond: Int? = nil)
    /// A live interface through libpcap.
    case interface(LiveCapture.Configuration)
    /// Generated traffic, in real time.
    case generator(GeneratorSourceConfiguration)

    /// The file path or the interface name.
    public var name: String {
        switch self {
        case .file(let path, _): path
        case .interface(let configuration): configuration.interface
        case .generator: "generator"
        }
    }

    /// "capture file PATH" or "capture interface NAME", as in the configuration.
    public var description: String {
        switch self {
        case .file(let path, _): "capture file \(path)"
        case .interface(let configuration): "capture interface \(configuration.interface)"
        case .generator(let configuration):
            "traffic generator (\(configuration.sessionsPerSecond) sessions/s, seed \(configuration.seed))"
        }
    }
}

/// The traffic generator as a live source: sessions following a plan, started at a mean rate,
/// their packets delivered when their timestamps come due on the wall clock.
public struct GeneratorSourceConfiguration: Hashable, Sendable {
    /// What to generate (usually `TrafficPlan(config:)` of the daemon's configuration).
    public var plan: TrafficPlan
    /// Mean new sessions per second.
    public var sessionsPerSecond: Double
    /// Seed of every random choice.
    public var seed: UInt64
    /// How many sessions in all; nil for no end.
    public var sessions: Int?

    /// Creates a configuration.
    public init(plan: TrafficPlan, sessionsPerSecond: Double, seed: UInt64 = 1, sessions: Int? = nil) {
        precondition(sessionsPerSecond > 0 && sessionsPerSecond.isFinite, "the session rate must be positive")
        self.plan = plan
        self.sessionsPerSecond = sessionsPerSecond
        self.seed = seed
        self.sessions = sessions
    }
}
