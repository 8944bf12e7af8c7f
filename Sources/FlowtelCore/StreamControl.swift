/// Why events are missing from a subscriber's stream.
public enum GapReason: Int, Sendable, CaseIterable, CustomStringConvertible {
    /// Overwritten in the replay ring.
    case evicted = 1
    /// The daemon restarted.
    case bootChanged = 2
    /// Dropped from a slow subscriber's queue.
    case slowConsumer = 3

    public var description: String {
        switch self {
        case .evicted: "evicted"
        case .bootChanged: "boot-changed"
        case .slowConsumer: "slow-consumer"
        }
    }
}

/// Events `firstSeq...lastSeq` of `bootID` will never be delivered (`lastSeq` 0: unknown end).
public struct Gap: Hashable, Sendable {
    /// Boot of the missing events.
    public var bootID: BootID
    /// First missing seq.
    public var firstSeq: UInt64
    /// Last missing seq, inclusive; 0 when unknown.
    public var lastSeq: UInt64
    /// Why.
    public var reason: GapReason
    /// Detail.
    public var detail: String
    /// Creates a gap record.
    public init(bootID: BootID, firstSeq: UInt64, lastSeq: UInt64, reason: GapReason, detail: String = "") {
        self.bootID = bootID
        self.firstSeq = firstSeq
        self.lastSeq = lastSeq
        self.reason = reason
        self.detail = detail
    }
}

/// Liveness: the daemon's head seq.
public struct Heartbeat: Hashable, Sendable {
    /// Current boot.
    public var bootID: BootID
    /// Head seq.
    public var headSeq: UInt64
    /// Creates a heartbeat.
    public init(bootID: BootID, headSeq: UInt64) {
        self.bootID = bootID
        self.headSeq = headSeq
    }
}

/// Replay caught up; live from here on.
public struct SyncResponse: Hashable, Sendable {
    /// Current boot.
    public var bootID: BootID
    /// Head seq at the switch.
    public var headSeq: UInt64
    /// Creates the marker.
    public init(bootID: BootID, headSeq: UInt64) {
        self.bootID = bootID
        self.headSeq = headSeq
    }
}
