public import PacketIO

/// One packet source flowteld reads: `capture file PATH` / `--replay`,
/// `capture interface NAME` / `--capture`, or the traffic generator / `--generate`.
public enum CaptureSourceConfiguration: Hashable, Sendable, CustomStringConvertible {
    /// A pcap or pcapng file, read as `replay` says (once, as fast as it decodes, by default).
    case file(path: String, replay: ReplayOptions = ReplayOptions())
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

/// How a capture file is replayed.
public struct ReplayOptions: Hashable, Sendable {
    /// How fast records are handed over.
    public enum Pacing: Hashable, Sendable {
        /// As fast as they decode (`--max`, the default).
        case asFastAsPossible
        /// At this many records per second (`--replay-rate`).
        case packetsPerSecond(Int)
        /// At the pace of the records' own timestamps, multiplied by this factor (`--speed`;
        /// 1 is real time, 10 ten times faster).
        case speed(Double)
    }

    /// The pace.
    public var pacing: Pacing
    /// Start again at the end, forever (`--loop`); each pass's timestamps continue after the
    /// previous pass's, so time keeps moving forward.
    public var loop: Bool

    /// Once, as fast as possible, by default.
    public init(pacing: Pacing = .asFastAsPossible, loop: Bool = false) {
        if case .packetsPerSecond(let rate) = pacing { precondition(rate > 0, "the rate must be positive") }
        if case .speed(let factor) = pacing { precondition(factor > 0 && factor.isFinite, "the speed must be positive") }
        self.pacing = pacing
        self.loop = loop
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
