/// Counters of the daemon's event bus (`show services flowtel subscribers`).
public struct BusStatistics: Hashable, Sendable {
    /// Boot id.
    public var bootID: BootID
    /// Head seq.
    public var headSeq: UInt64
    /// Oldest seq retained in the replay ring.
    public var oldestSeq: UInt64
    /// Bytes in the ring.
    public var ringBytes: Int
    /// Ring capacity in bytes.
    public var ringCapacityBytes: Int
    /// Events evicted from the ring.
    public var evicted: UInt64
    /// Subscribers disconnected for being slow.
    public var disconnectedSlow: UInt64
    /// Per subscriber.
    public var subscribers: [SubscriberStatistics]

    /// Creates a snapshot.
    public init(
        bootID: BootID, headSeq: UInt64, oldestSeq: UInt64, ringBytes: Int, ringCapacityBytes: Int, evicted: UInt64,
        disconnectedSlow: UInt64, subscribers: [SubscriberStatistics]
    ) {
        self.bootID = bootID
        self.headSeq = headSeq
        self.oldestSeq = oldestSeq
        self.ringBytes = ringBytes
        self.ringCapacityBytes = ringCapacityBytes
        self.evicted = evicted
        self.disconnectedSlow = disconnectedSlow
        self.subscribers = subscribers
    }
}

/// One subscriber's counters.
public struct SubscriberStatistics: Hashable, Sendable {
    /// Bus-assigned id.
    public var id: UInt64
    /// Its name.
    public var name: String
    /// Its peer address.
    public var peer: String
    /// Events handed to it.
    public var sent: UInt64
    /// Events dropped because it was slow.
    public var dropped: UInt64
    /// Events between its cursor and the head.
    public var lag: UInt64
    /// Bytes between its cursor and the head.
    public var lagBytes: UInt64
    /// Its slow-consumer policy.
    public var policy: SlowConsumerPolicy

    /// Creates a record.
    public init(
        id: UInt64, name: String, peer: String, sent: UInt64, dropped: UInt64, lag: UInt64, lagBytes: UInt64,
        policy: SlowConsumerPolicy
    ) {
        self.id = id
        self.name = name
        self.peer = peer
        self.sent = sent
        self.dropped = dropped
        self.lag = lag
        self.lagBytes = lagBytes
        self.policy = policy
    }
}
