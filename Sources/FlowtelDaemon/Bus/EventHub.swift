public import FlowtelCore
public import FlowtelGRPC

/// Sizes and defaults of the event bus.
public struct EventHubConfiguration: Sendable {
    /// Bytes of encoded events the replay ring keeps (`services flowtel replay-buffer size`).
    public var replayBytes: Int = 256 << 20
    /// How far (in bytes of events) a subscriber may fall behind the head before its
    /// slow-consumer policy applies.
    public var subscriberQueueBytes: Int = 16 << 20
    /// The slow-consumer policy every subscriber gets, whatever its request asks
    /// (`services flowtel drop-policy`); nil lets each request choose.
    public var slowConsumerPolicyOverride: SlowConsumerPolicy? = nil
    /// Events per batch when the subscriber does not ask.
    public var defaultBatchEvents: Int = 1000
    /// Batch latency bound when the subscriber does not ask, milliseconds.
    public var defaultBatchLatencyMillis: Int = 50
    /// Heartbeat interval when the subscriber does not ask, milliseconds.
    public var defaultHeartbeatMillis: Int = 5000
    /// Most bytes of events in one batch, whatever `max_batch_events` asks: batches stay under
    /// the 4 MiB default receive limit of common gRPC clients.
    public var maxBatchBytes: Int = 3 << 20
    /// Most entries examined per read while holding the lock (bounds lock hold time when a
    /// filter skips many events).
    public var maxScanPerRead: Int = 65_536

    /// Defaults.
    public init() {}
}

/// The event bus: assigns `(boot_id, seq)`, keeps a replay ring bounded in bytes, and serves
/// any number of subscribers, each reading from its own cursor with its own filter.
///
/// The ring is shared: a subscriber's "queue" is the span of the ring between its cursor and
/// the head, bounded by `subscriberQueueBytes`, so fan-out copies no event per subscriber.
/// Producers encode outside the lock (`EventEncoder.append(time:payload:to:)`) and append
/// under it, where each event is framed once into the record the ring keeps and subscribers are
/// sent (`ReplayRing`).
/// Subscriber threads block in `read`; nothing here runs on the Swift cooperative pool.
public final class EventHub: @unchecked Sendable {
    // @unchecked: all mutable state is guarded by `lock`.

    /// The boot id of this daemon run.
    public let bootID: BootID
    /// The node name stamped on every event.
    public let node: String
    /// Sizes and defaults.
    public let configuration: EventHubConfiguration
    /// The envelope prefix (boot id, node) shared by every event of this boot.
    let envelopePrefix: [UInt8]

    private let lock = ConditionLock()
    private var ring = ReplayRing()
    /// Decodes retained events for subscribers with session filters (lock held).
    private let filterDecoder = EventDecoder()
    private var nextSeq: UInt64 = 1
    private var totalBytes: UInt64 = 0
    private var subscribers: [UInt64: SubscriberState] = [:]
    private var nextSubscriberID: UInt64 = 1
    private var closed = false
    private var evicted: UInt64 = 0
    private var disconnectedSlow: UInt64 = 0
    /// Producers waiting in `.block` mode; readers wake them when they consume.
    private var blockedPublishers = 0

    /// Creates the bus for a daemon run.
    public init(bootID: BootID, node: String, configuration: EventHubConfiguration = EventHubConfiguration()) {
        self.bootID = bootID
        self.node = node
        self.configuration = configuration
        envelopePrefix = EventBatchWriter.envelopePrefix(bootID: bootID.rawValue, node: node)
    }

    // MARK: - Producing

    /// How a producer behaves when publishing would overrun a subscriber.
    public enum PublishMode: Sendable {
        /// Never wait: evict the oldest events and apply each subscriber's slow-consumer policy.
        case live
        /// Wait until every subscriber has room (replay input only; never live capture).
        case block
    }

    /// Appends encoded events (`EventEncoder.append(time:payload:to:)`) and returns the seq of
    /// the last one; nil when the hub is closed (or `events` is empty).
    ///
    /// Each event is framed once, under the lock, into the record subscribers are sent: the
    /// envelope prefix (boot id, node), its seq, and its body.
    @discardableResult
    public func publish(_ events: EncodedEvents, mode: PublishMode = .live) -> UInt64? {
        guard !events.isEmpty else { return lock.withLock { closed ? nil : 0 } }
        let prefix = envelopePrefix
        return lock.withLock { () -> UInt64? in
            var lastSeq: UInt64 = 0
            for index in 0..<events.count {
                let appended = events.withBody(index) { body -> Bool in
                    let seq = nextSeq
                    let eventLength = prefix.count + 1 + ProtoVarint.length(seq) + body.count
                    let length = 1 + ProtoVarint.length(UInt64(eventLength)) + eventLength
                    let cost = RingSlot.cost(recordBytes: length)
                    if mode == .block {
                        blockedPublishers += 1
                        defer { blockedPublishers -= 1 }
                        while !closed && mustWaitBeforeAppending(cost: cost) {
                            lock.wait(untilNanos: MonotonicClock.nowNanos() + 100_000_000)
                        }
                    }
                    if closed { return false }
                    ring.append(seq: seq, length: length, kind: events.kind(index), offset: totalBytes) { record in
                        var at = record
                        at.storeBytes(of: 0x0A, as: UInt8.self)
                        at = ProtoVarint.write(UInt64(eventLength), at: at + 1)
                        prefix.withUnsafeBytes { at.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
                        at += prefix.count
                        at.storeBytes(of: 0x10, as: UInt8.self)
                        at = ProtoVarint.write(seq, at: at + 1)
                        at.copyMemory(from: body.baseAddress!, byteCount: body.count)
                    }
                    nextSeq += 1
                    totalBytes += UInt64(cost)
                    lastSeq = seq
                    while ring.bytes > configuration.replayBytes, ring.count > 1 {
                        ring.removeFirst()
                        evicted += 1
                    }
                    return true
                }
                if !appended { return nil }
            }
            if mode == .live { applySlowConsumerPolicies() }
            lock.broadcast()
            return lastSeq
        }
    }

    /// Encodes and publishes payloads in one call (control-plane producers).
    @discardableResult
    public func publish(_ items: [(Timestamp, Payload)], encoder: EventEncoder, mode: PublishMode = .live) -> UInt64? {
        let events = EncodedEvents()
        for (time, payload) in items { encoder.append(time: time, payload: payload, to: events) }
        return publish(events, mode: mode)
    }

    /// Ends every subscription (their reads return `.closed`) and refuses further events.
    public func close() {
        lock.withLock {
            closed = true
            lock.broadcast()
        }
    }

    /// Number of subscribers currently registered.
    public var subscriberCount: Int { lock.withLock { subscribers.count } }

    /// Seq of the newest event (0 before the first).
    public var headSeq: UInt64 { lock.withLock { nextSeq - 1 } }

    /// Blocks until at least `count` subscribers are registered or `timeout` passes.
    public func waitForSubscribers(_ count: Int, timeout: Duration) -> Bool {
        let deadline = MonotonicClock.nowNanos() + UInt64(timeout.components.seconds) * 1_000_000_000
            + UInt64(timeout.components.attoseconds / 1_000_000_000)
        return lock.withLock {
            while subscribers.count < count && !closed {
                if MonotonicClock.nowNanos() >= deadline { return false }
                lock.wait(untilNanos: min(deadline, MonotonicClock.nowNanos() + 50_000_000))
            }
            return subscribers.count >= count
        }
    }

    // Lock held. A blocking producer waits while the append would evict an event some
    // subscriber has not read, or while a caught-up subscriber is already a full queue behind.
    private func mustWaitBeforeAppending(cost: Int) -> Bool {
        // The newest seq this append would evict (one append may evict several entries).
        var lastEvicted: UInt64? = nil
        var excess = ring.bytes + cost - configuration.replayBytes
        var seq = ring.firstSeq ?? nextSeq
        while excess > 0, seq < nextSeq, let cost = ring.cost(seq: seq) {
            excess -= cost
            lastEvicted = seq
            seq += 1
        }
        let limit = UInt64(configuration.subscriberQueueBytes)
        for state in subscribers.values where !state.disconnect {
            if let lastEvicted, state.cursor <= lastEvicted { return true }
            let lag = lagBytes(of: state)
            if state.caughtUpOnce && lag > 0 && lag + UInt64(cost) > limit { return true }
        }
        return false
    }

    // Lock held. Bytes between the subscriber's cursor (or the oldest retained event, when
    // the cursor was evicted) and the head.
    private func lagBytes(of state: SubscriberState) -> UInt64 {
        guard state.cursor < nextSeq else { return 0 }
        guard let offset = ring.offset(seq: max(state.cursor, ring.firstSeq ?? nextSeq)) else { return 0 }
        return totalBytes - offset
    }

    // Lock held: caught-up subscribers that fell a queue behind lose their oldest events
    // (drop) or are told to go (disconnect). A subscriber still replaying is bounded by the
    // ring alone: whatever is evicted before it reads it becomes a Gap(EVICTED).
    private func applySlowConsumerPolicies() {
        let limit = UInt64(configuration.subscriberQueueBytes)
        for (id, state) in subscribers where state.caughtUpOnce && !state.disconnect && lagBytes(of: state) > limit {
            switch state.policy {
            case .disconnect:
                subscribers[id]?.disconnect = true
                disconnectedSlow += 1
            case .drop:
                // Advance the cursor to the oldest event that keeps the lag within half the
                // limit, so the subscriber is not dropped again on the very next publish.
                let oldest = ring.firstSeq ?? nextSeq
                var gaps: [Gap] = []
                if state.cursor < oldest {
                    gaps.append(Gap(
                        bootID: bootID, firstSeq: state.cursor, lastSeq: oldest - 1, reason: .evicted,
                        detail: "\(oldest - state.cursor) events left the replay ring before they were read"))
                }
                let first = max(state.cursor, oldest)
                var cursor = first
                while cursor < nextSeq, let offset = ring.offset(seq: cursor), totalBytes - offset > limit / 2 {
                    cursor += 1
                }
                let dropped = cursor - first
                if dropped > 0 {
                    gaps.append(Gap(
                        bootID: bootID, firstSeq: first, lastSeq: cursor - 1, reason: .slowConsumer,
                        detail: "subscriber fell \(limit) bytes behind; \(dropped) events dropped"))
                }
                subscribers[id]?.cursor = cursor
                subscribers[id]?.scanCursor = cursor
                subscribers[id]?.clearPending()
                subscribers[id]?.dropped += dropped
                subscribers[id]?.pendingGaps.append(contentsOf: gaps)
            }
        }
    }

    // MARK: - Subscribing

    /// Registers a subscriber positioned as `request` asks.
    ///
    /// Positioning: `fromNow` starts after the head; `fromOldest` at the oldest retained
    /// event; `resume` after the resume point when it is this boot's and still retained.
    /// Otherwise the first read reports a Gap with the exact missing range (or the boot
    /// change), then continues from the oldest retained event.
    public func subscribe(_ request: SubscriptionRequest, peer: String) -> HubSubscription {
        lock.withLock {
            let id = nextSubscriberID
            nextSubscriberID += 1
            let oldest = ring.firstSeq ?? nextSeq
            let state = SubscriberState(
                id: id, name: request.subscriberName, peer: peer, cursor: nextSeq,
                policy: configuration.slowConsumerPolicyOverride ?? request.slowConsumerPolicy,
                kinds: request.kinds.isEmpty ? nil : Set(request.kinds),
                filter: CompiledSessionFilter(request.filter))
            switch (request.start, request.resume) {
            case (.fromNow, _), (.resume, nil):
                state.cursor = nextSeq
            case (.fromOldest, _):
                state.cursor = oldest
            case (.resume, let point?):
                if point.bootID != bootID {
                    state.pendingGaps.append(Gap(
                        bootID: point.bootID, firstSeq: point.seq == .max ? .max : point.seq + 1, lastSeq: 0,
                        reason: .bootChanged,
                        detail: "daemon restarted: boot \(point.bootID) is gone, current boot is \(bootID)"))
                    state.cursor = oldest
                    if oldest > 1 {
                        state.pendingGaps.append(Gap(
                            bootID: bootID, firstSeq: 1, lastSeq: oldest - 1, reason: .evicted,
                            detail: "events 1...\(oldest - 1) of the current boot left the replay ring"))
                    }
                } else if point.seq >= nextSeq - 1 {
                    state.cursor = nextSeq
                } else {
                    state.cursor = point.seq + 1  // an evicted cursor becomes a Gap on first read
                }
            }
            state.scanCursor = state.cursor
            state.caughtUpOnce = state.cursor == nextSeq && state.pendingGaps.isEmpty
            subscribers[id] = state
            lock.broadcast()
            return HubSubscription(hub: self, id: id)
        }
    }

    func unsubscribe(_ id: UInt64) {
        lock.withLock {
            subscribers[id] = nil
            lock.broadcast()
        }
    }

    /// What one read did.
    enum ReadOutcome {
        /// Appended `events` events (possibly 0 when only gaps were appended) to the batch;
        /// whether the subscriber is now caught up, and the head seq at that moment.
        case delivered(events: Int, caughtUp: Bool, head: UInt64)
        /// Nothing to send before the deadline; whether the subscriber is caught up, and the head.
        case timedOut(caughtUp: Bool, head: UInt64)
        /// The hub closed and nothing is left for the subscriber.
        case closed
        /// The subscriber was disconnected by its slow-consumer policy.
        case disconnected
    }

    /// Blocks until there is something for the subscriber or `deadline` (monotonic ns) passes,
    /// and frames it into `batch`: gaps first (as stream-control events encoded with
    /// `encoder`), then the events, copied from the ring as bytes while the lock is held (no
    /// decoding, no reference counting per event).
    ///
    /// Batching: flushes as soon as `maxEvents` matching events (or `maxBatchBytes` of them)
    /// are available, or when the oldest of them has waited `latencyNanos`. Events are only
    /// consumed (the cursor moves) when they are flushed: a read that times out while a batch
    /// fills loses nothing, and the next read continues the same batch (its scan position and
    /// matches are kept, so a filling batch is scanned once). After `close()`, the events still
    /// ahead of the subscriber are flushed at once; `.closed` comes only when none is left.
    func read(
        _ id: UInt64, maxEvents: Int, latencyNanos: UInt64, deadline: UInt64, into batch: inout EventBatchWriter,
        encoder: EventEncoder
    ) -> ReadOutcome {
        lock.withLock { () -> ReadOutcome in
            while true {
                guard let state = subscribers[id] else { return .closed }
                if state.disconnect { return .disconnected }
                var gaps = state.pendingGaps
                state.pendingGaps.removeAll()
                let oldest = ring.firstSeq ?? nextSeq
                if state.cursor < oldest {
                    gaps.append(Gap(
                        bootID: bootID, firstSeq: state.cursor, lastSeq: oldest - 1, reason: .evicted,
                        detail: "\(oldest - state.cursor) events left the replay ring before they were read"))
                    state.cursor = oldest
                    state.scanCursor = oldest
                    state.clearPending()
                }
                // Continue the batch being filled.
                var scanned = 0
                let acceptsAll = state.acceptsAll
                while state.scanCursor < nextSeq, state.pendingCount < maxEvents,
                    state.pendingBytes < configuration.maxBatchBytes, scanned < configuration.maxScanPerRead,
                    let slot = ring.slot(state.scanCursor)
                {
                    if acceptsAll || accepts(state, slot) {
                        state.addPending(state.scanCursor)
                        state.pendingBytes += Int(slot.length)
                    }
                    state.scanCursor += 1
                    scanned += 1
                }
                let now = MonotonicClock.nowNanos()
                if state.pendingCount == 0 {
                    state.cursor = state.scanCursor  // skip what the filter rejected
                    state.pendingSince = nil
                } else if state.pendingSince == nil {
                    state.pendingSince = now
                }
                let caughtUp = state.scanCursor == nextSeq
                if caughtUp { state.caughtUpOnce = true }
                let flushAt = state.pendingSince.map { $0 + latencyNanos }
                let full = state.pendingCount >= maxEvents || state.pendingBytes >= configuration.maxBatchBytes
                let due = flushAt.map { now >= $0 } ?? false
                let flush = state.pendingCount > 0
                    && (full || due || closed || !caughtUp && scanned >= configuration.maxScanPerRead)
                if flush || !gaps.isEmpty {
                    for gap in gaps {
                        batch.append(prefix: envelopePrefix, seq: 0, body: encoder.encodeBody(time: WallClock.now(), payload: .gap(gap)))
                    }
                    var delivered = 0
                    if flush {
                        for run in state.pendingRuns {
                            ring.forEachSpan(run.first, run.last) { batch.append(records: $0, events: $1) }
                        }
                        delivered = state.pendingCount
                        state.cursor = state.scanCursor
                        state.sent += UInt64(delivered)
                        state.clearPending()
                    }
                    subscribers[id] = state
                    wakeBlockedPublishers(after: state)
                    return .delivered(events: delivered, caughtUp: state.cursor == nextSeq, head: nextSeq - 1)
                }
                subscribers[id] = state
                if state.pendingCount == 0 { wakeBlockedPublishers(after: state) }
                // More to scan (the filter rejected a whole scan budget): go on, do not wait.
                if state.pendingCount == 0 && state.cursor < nextSeq { continue }
                if closed { return .closed }
                if now >= deadline { return .timedOut(caughtUp: state.cursor == nextSeq, head: nextSeq - 1) }
                lock.wait(untilNanos: min(flushAt ?? deadline, deadline))
            }
        }
    }

    // Lock held. Whether a subscriber with kinds or a session filter takes the event in `slot`.
    // Filters read the event itself: decoding costs only subscribers that filter, and the ring
    // keeps nothing per event for them.
    private func accepts(_ state: SubscriberState, _ slot: RingSlot) -> Bool {
        guard let kind = slot.kind else { return true }  // stream control always passes
        if state.kindMask != 0 && state.kindMask & 1 << kind.rawValue == 0 { return false }
        guard state.hasFilter, kind == .sessionCreate || kind == .sessionClose || kind == .sessionDeny else { return true }
        // The ring holds what this daemon encoded: it decodes. Should it not, the subscriber
        // gets the event rather than losing it.
        guard let event = try? filterDecoder.decodeBatch(ring.record(slot)).first, let key = SessionKey(event.payload)
        else { return true }
        return state.filter.matches(key)
    }

    // Lock held. Wakes producers blocked in `.block` mode once this subscriber is at most half
    // a queue behind: waking them on every read made producer and reader ping-pong per batch.
    private func wakeBlockedPublishers(after state: SubscriberState) {
        guard blockedPublishers > 0 else { return }
        if lagBytes(of: state) <= UInt64(configuration.subscriberQueueBytes / 2) { lock.broadcast() }
    }

    // MARK: - Statistics

    /// A consistent snapshot of the counters.
    public func statistics() -> BusStatistics {
        lock.withLock {
            BusStatistics(
                bootID: bootID, headSeq: nextSeq - 1, oldestSeq: ring.firstSeq ?? nextSeq,
                ringBytes: ring.bytes, ringCapacityBytes: configuration.replayBytes, evicted: evicted,
                disconnectedSlow: disconnectedSlow,
                subscribers: subscribers.values.sorted { $0.id < $1.id }.map { state in
                    SubscriberStatistics(
                        id: state.id, name: state.name, peer: state.peer, sent: state.sent, dropped: state.dropped,
                        lag: nextSeq - min(state.cursor, nextSeq), lagBytes: lagBytes(of: state), policy: state.policy)
                })
        }
    }
}

/// A registration in the hub; `close()` unregisters it.
public final class HubSubscription: @unchecked Sendable {
    // @unchecked: immutable after init; the hub guards the subscriber's state.
    let hub: EventHub
    /// Bus-assigned id.
    public let id: UInt64

    init(hub: EventHub, id: UInt64) {
        self.hub = hub
        self.id = id
    }

    /// Unregisters; idempotent.
    public func close() { hub.unsubscribe(id) }
}

/// A subscriber's position and filter (guarded by the hub's lock; a class, so a read updates it
/// in place instead of copying it out of the table and back).
final class SubscriberState {
    var id: UInt64
    var name: String
    var peer: String
    var cursor: UInt64
    var policy: SlowConsumerPolicy
    let filter: CompiledSessionFilter
    var sent: UInt64 = 0
    var dropped: UInt64 = 0
    var disconnect = false
    var pendingGaps: [Gap] = []
    /// When the first event of the batch being filled was seen (monotonic ns).
    var pendingSince: UInt64? = nil
    /// The batch being filled: runs of consecutive seqs of the matching events from `cursor`
    /// up to `scanCursor`.
    var pendingRuns: [(first: UInt64, last: UInt64)] = []
    /// Events in `pendingRuns`.
    var pendingCount = 0
    /// Record bytes in `pendingRuns`.
    var pendingBytes = 0
    /// Next seq to examine for the batch being filled.
    var scanCursor: UInt64 = 0
    /// Whether the subscriber has reached the head once: the queue bound applies from then on
    /// (before, it is replaying and only the ring bounds it).
    var caughtUpOnce = false

    init(
        id: UInt64, name: String, peer: String, cursor: UInt64, policy: SlowConsumerPolicy, kinds: Set<EventKind>?,
        filter: CompiledSessionFilter
    ) {
        self.id = id
        self.name = name
        self.peer = peer
        self.cursor = cursor
        self.policy = policy
        self.filter = filter
        kindMask = kinds.map { $0.reduce(UInt32(0)) { $0 | 1 << $1.rawValue } } ?? 0
        hasFilter = !filter.isEmpty
    }

    /// Bit `kind.rawValue` set for each kind asked for; 0 for every kind.
    let kindMask: UInt32
    /// Whether the session filter has criteria.
    let hasFilter: Bool
    /// True when every event passes (no kinds, no filter): reads skip per-event checks.
    var acceptsAll: Bool { kindMask == 0 && !hasFilter }

    func addPending(_ seq: UInt64) {
        if let last = pendingRuns.last, last.last + 1 == seq {
            pendingRuns[pendingRuns.count - 1].last = seq
        } else {
            pendingRuns.append((seq, seq))
        }
        pendingCount += 1
    }

    func clearPending() {
        pendingRuns.removeAll(keepingCapacity: true)
        pendingCount = 0
        pendingBytes = 0
        pendingSince = nil
    }
}

