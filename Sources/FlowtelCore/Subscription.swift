/// Where a subscription starts.
public enum StartPosition: Int, Sendable, CaseIterable {
    /// After the resume point, or from now without one.
    case resume = 0
    /// Live events only.
    case fromNow = 1
    /// The oldest event in the replay ring.
    case fromOldest = 2
}

/// The last event a subscriber handled durably.
public struct ResumePoint: Hashable, Sendable {
    /// Its boot.
    public var bootID: BootID
    /// Its seq.
    public var seq: UInt64
    /// Creates a resume point.
    public init(bootID: BootID, seq: UInt64) {
        self.bootID = bootID
        self.seq = seq
    }
}

/// The criteria of `show security flow session`; empty fields match anything.
public struct SessionFilter: Hashable, Sendable {
    /// source-prefix.
    public var sourcePrefix: String = ""
    /// destination-prefix.
    public var destinationPrefix: String = ""
    /// source-port (0 any).
    public var sourcePort: UInt16 = 0
    /// destination-port (0 any).
    public var destinationPort: UInt16 = 0
    /// protocol name or number.
    public var `protocol`: String = ""
    /// application.
    public var application: String = ""
    /// interface.
    public var interface: String = ""
    /// session-identifier (0 any).
    public var sessionID: UInt32 = 0
    /// family: inet, inet6 or empty.
    public var family: String = ""
    /// Source zone.
    public var sourceZone: String = ""
    /// Destination zone.
    public var destinationZone: String = ""
    /// Policy.
    public var policy: String = ""
    /// Only NATed sessions.
    public var natOnly: Bool = false
    /// conn-tag (0 any).
    public var connectionTag: UInt32 = 0
    /// `idp`: only sessions inspected by IDP. flowtel has no IDP: set, nothing matches.
    public var idpOnly: Bool = false
    /// `resource-manager`: only sessions holding resource-manager resources (ALG gates).
    /// flowtel has no resource manager: set, nothing matches.
    public var resourceManagerOnly: Bool = false
    /// `tunnel`: only sessions with a wing on a tunnel interface (``isTunnelInterface(_:)``).
    public var tunnelOnly: Bool = false

    /// A filter matching everything.
    public init() {}

    /// Whether `interface` is a tunnel interface (`st0.1`, `gr-0/0/0.0`, `ip-0/0/0.0`,
    /// `lt-0/0/0.1`): what the `tunnel` filter looks for on either wing.
    public static func isTunnelInterface(_ interface: String) -> Bool {
        interface.hasPrefix("st0") || interface.hasPrefix("gr-") || interface.hasPrefix("ip-")
            || interface.hasPrefix("lt-")
    }

    /// True when no criterion is set.
    public var isEmpty: Bool { self == SessionFilter() }
}

/// What the daemon does when a subscriber's queue is full.
public enum SlowConsumerPolicy: Int, Sendable, CaseIterable {
    /// Drop oldest, send a Gap, count.
    case drop = 0
    /// End the stream with RESOURCE_EXHAUSTED.
    case disconnect = 1
}

/// A subscription request (the wire's SubscribeRequest).
public struct SubscriptionRequest: Hashable, Sendable {
    /// Start.
    public var start: StartPosition = .resume
    /// Resume point.
    public var resume: ResumePoint? = nil
    /// Kinds; empty = all.
    public var kinds: [EventKind] = []
    /// Session criteria.
    public var filter: SessionFilter = SessionFilter()
    /// Maximum events per batch; 0 = default.
    public var maxBatchEvents: UInt32 = 0
    /// Batch latency bound, ms; 0 = default.
    public var maxBatchLatencyMillis: UInt32 = 0
    /// Heartbeat interval, ms; 0 = default.
    public var heartbeatIntervalMillis: UInt32 = 0
    /// Slow-consumer policy.
    public var slowConsumerPolicy: SlowConsumerPolicy = .drop
    /// Name shown by `show services flowtel subscribers`.
    public var subscriberName: String = ""

    /// Defaults: resume from now, all kinds, no filter.
    public init() {}
}
