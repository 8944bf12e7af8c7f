public import FlowtelCore
public import JunosConfig

/// One packet for the sharded engine: the packet as the flow engine reads it, the outer VLAN
/// id of its frame, and its time.
public struct ShardPacket: Sendable {
    /// The packet.
    public var flow: FlowPacket
    /// The frame's outer VLAN id.
    public var vlan: UInt16?
    /// When it was captured.
    public var time: Timestamp

    /// Creates a packet.
    public init(flow: FlowPacket, vlan: UInt16?, time: Timestamp) {
        self.flow = flow
        self.vlan = vlan
        self.time = time
    }
}

/// The flow engine on N SPU shards (worker threads), with the same results as one.
///
/// Dispatch: each packet goes to the shard its ``ShardHash`` names, which is the same for both
/// directions of a flow; each shard translates source ports so that replies hash back to it.
/// The few wings that cannot hash home (replies of destination and static NAT, of `port
/// no-translation` pools) are looked up in a redirect table the shards keep; a packet that
/// may be such a reply and is not found there waits until the packets dispatched before it
/// have been processed, then is looked up again — so a reply never overtakes the packet that
/// creates its session.
///
/// Determinism: every shard's clock is the latest packet time seen so far, whichever shard
/// got that packet, and the events of a call come back in one canonical order — by time, then
/// timeouts before packets, then capture order (timeouts due at the same instant by their In
/// wing). One shard or eight, the same capture gives the same events; what differs is
/// documented in docs/ARCHITECTURE.md (session ids are numbered per shard, translated ports are
/// chosen per shard, the table's capacity and aggressive aging are per shard, as on an SRX's
/// SPUs).
///
/// Not thread-safe: one caller at a time (the daemon holds a lock around it).
public final class ShardedFlowEngine: @unchecked Sendable {
    // @unchecked: the engines are mutated only inside `process`, `advance` and `clear`, each
    // shard by its own worker while the caller waits; callers serialise.
    /// How many shards.
    public let shardCount: Int
    /// The capacity of the whole table (each shard holds its share).
    public let maximumSessions: Int
    private let engines: UnsafeMutablePointer<FlowEngine>
    private let workers: ShardWorkers
    private var candidates: RedirectCandidates
    private var redirects: [WingKey: Int] = [:]
    /// The latest packet time seen.
    private var clock = Timestamp(unixNanos: 0)

    /// `shards` engines for `config`, sharing `maximumSessions` equally.
    public init(config: DeviceConfig, shards: Int, maximumSessions: Int = 1 << 20, exportAllSessions: Bool = false) {
        precondition(shards > 0, "at least one shard")
        shardCount = shards
        self.maximumSessions = maximumSessions
        engines = .allocate(capacity: shards)
        for index in 0..<shards {
            (engines + index).initialize(
                to: FlowEngine(
                    config: config, maximumSessions: max(1, maximumSessions / shards),
                    exportAllSessions: exportAllSessions, shard: ShardPlacement(index: index, count: shards)))
        }
        workers = ShardWorkers(count: shards)
        candidates = RedirectCandidates(config: config)
    }

    deinit {
        engines.deinitialize(count: shardCount)
        engines.deallocate()
    }

    /// Processes `packets` in order; returns their events in canonical order and, when
    /// `dispositions` is set, what happened to each packet (flow monitoring).
    public func process(_ packets: [ShardPacket], dispositions: Bool = false) -> (events: [FlowEvent], dispositions: [PacketDisposition]) {
        var clocks: [Timestamp] = []
        clocks.reserveCapacity(packets.count)
        for packet in packets {
            if packet.time.unixNanos > clock.unixNanos { clock = packet.time }
            clocks.append(clock)
        }
        var outcome = [PacketDisposition](repeating: .dropped("none"), count: dispositions ? packets.count : 0)
        var tagged = [[Tagged]](repeating: [], count: shardCount)
        var segment = [[Int]](repeating: [], count: shardCount)
        var segmentCount = 0

        func flush() {
            guard segmentCount > 0 else { return }
            outcome.withUnsafeMutableBufferPointer { outcome in
                tagged.withUnsafeMutableBufferPointer { tagged in
                    workers.run { shard in
                        let engine = engines + shard
                        for index in segment[shard] {
                            let packet = packets[index]
                            for event in engine.pointee.advance(to: clocks[index]) {
                                tagged[shard].append(Tagged(timeout: event))
                            }
                            for (position, event) in engine.pointee.process(packet.flow, vlan: packet.vlan, at: packet.time).enumerated() {
                                tagged[shard].append(Tagged(event: event, clock: clocks[index], index: index, position: position))
                            }
                            if dispositions { outcome[index] = engine.pointee.lastDisposition }
                        }
                    }
                }
            }
            collectRedirects()
            for shard in 0..<shardCount { segment[shard].removeAll(keepingCapacity: true) }
            segmentCount = 0
        }

        for (index, packet) in packets.enumerated() {
            var target = 0
            if shardCount > 1, let (wing, identifierIsSource) = ShardHash.dispatchWing(of: packet.flow) {
                target = ShardHash.shard(wing, identifierIsSource: identifierIsSource, count: shardCount)
                if !candidates.isEmpty, candidates.mayBeRedirected(wing) {
                    if let owner = owner(of: wing) {
                        target = owner
                    } else if segmentCount > 0 {
                        // The packet that creates its session may be in this segment.
                        flush()
                        if let owner = owner(of: wing) { target = owner }
                    }
                }
            }
            segment[target].append(index)
            segmentCount += 1
        }
        flush()
        let final = clock
        tagged.withUnsafeMutableBufferPointer { tagged in
            workers.run { shard in
                for event in engines[shard].advance(to: final) { tagged[shard].append(Tagged(timeout: event)) }
            }
        }
        collectRedirects()
        return (Self.merge(tagged), outcome)
    }

    /// Ages every shard's sessions out up to `time` (never back: the clock only moves on).
    public func advance(to time: Timestamp) -> [FlowEvent] {
        if time.unixNanos > clock.unixNanos { clock = time }
        let now = clock
        var tagged = [[Tagged]](repeating: [], count: shardCount)
        tagged.withUnsafeMutableBufferPointer { tagged in
            workers.run { shard in
                for event in engines[shard].advance(to: now) { tagged[shard].append(Tagged(timeout: event)) }
            }
        }
        collectRedirects()
        return Self.merge(tagged)
    }

    /// Applies a new configuration on every shard (``FlowEngine/reload(config:at:)``); returns
    /// the close events of the sessions it ends.
    public func reload(config: DeviceConfig, at time: Timestamp) -> [FlowEvent] {
        if time.unixNanos > clock.unixNanos { clock = time }
        let now = clock
        var tagged = [[Tagged]](repeating: [], count: shardCount)
        for shard in 0..<shardCount {
            tagged[shard] = engines[shard].reload(config: config, at: now).map { Tagged(timeout: $0) }
        }
        candidates = RedirectCandidates(config: config)
        collectRedirects()
        return Self.merge(tagged)
    }

    /// Every shard's sessions at `now`, one list per shard in shard order.
    public func sessions(at now: Timestamp) -> [[SessionSnapshot]] {
        (0..<shardCount).map { engines[$0].sessions(at: now) }
    }

    /// Clears the sessions `matches` selects on `shards` (every shard by default) with close
    /// reason `reason` (`CLI` for `clear security flow session`, `FPC reset` when a card's
    /// workers restart); returns how many and their close events.
    public func clearSessions(
        at time: Timestamp, reason: CloseReason = .cli, shards: Range<Int>? = nil, where matches: (SessionSnapshot) -> Bool
    ) -> (cleared: Int, events: [FlowEvent]) {
        if time.unixNanos > clock.unixNanos { clock = time }
        var cleared = 0
        var tagged = [[Tagged]](repeating: [], count: shardCount)
        for shard in (shards ?? 0..<shardCount).clamped(to: 0..<shardCount) {
            let (count, events) = engines[shard].clearSessions(at: clock, reason: reason, where: matches)
            cleared += count
            tagged[shard] = events.map { Tagged(timeout: $0) }
        }
        collectRedirects()
        return (cleared, Self.merge(tagged))
    }

    /// Sessions in every shard's table.
    public var sessionCount: Int {
        (0..<shardCount).reduce(0) { $0 + engines[$1].sessionCount }
    }

    /// Sessions not yet ended, over every shard.
    public var activeSessionCount: Int {
        (0..<shardCount).reduce(0) { $0 + engines[$1].activeSessionCount }
    }

    /// The shards' counters, summed.
    public var statistics: FlowEngineStatistics {
        var total = FlowEngineStatistics()
        for shard in 0..<shardCount {
            let statistics = engines[shard].statistics
            total.sessionsCreated &+= statistics.sessionsCreated
            total.sessionsClosed &+= statistics.sessionsClosed
            total.sessionsDenied &+= statistics.sessionsDenied
            total.sessionsFailed &+= statistics.sessionsFailed
            total.packetsForwarded &+= statistics.packetsForwarded
            total.packetsDropped.merge(statistics.packetsDropped, uniquingKeysWith: &+)
        }
        return total
    }

    /// One shard's engine (read-only).
    public func shard(_ index: Int) -> FlowEngine {
        engines[index]
    }

    // MARK: - Redirects

    private func owner(of wing: WingKey) -> Int? {
        redirects[wing] ?? redirects[wing.reversed]
    }

    private func collectRedirects() {
        guard shardCount > 1 else { return }
        for shard in 0..<shardCount {
            for (wing, added) in engines[shard].takeRedirects() {
                if added {
                    redirects[wing] = shard
                } else if redirects[wing] == shard {
                    redirects[wing] = nil
                }
            }
        }
    }

    // MARK: - Canonical order

    /// An event with its place in the canonical order.
    private struct Tagged {
        var event: FlowEvent
        /// The latest packet time when it happened (the expiry time for timeouts).
        var clock: UInt64
        /// 0: a timeout; 1: caused by a packet.
        var rank: UInt8
        /// The packet's index in the call, then the event's position among its events.
        var index: Int
        var position: Int
        /// For timeouts at the same instant: the session's In wing.
        var tie: (UInt64, UInt64, UInt64, UInt64, UInt64)

        init(event: FlowEvent, clock: Timestamp, index: Int, position: Int) {
            self.event = event
            self.clock = clock.unixNanos
            rank = 1
            self.index = index
            self.position = position
            tie = (0, 0, 0, 0, 0)
        }

        init(timeout event: FlowEvent) {
            self.event = event
            clock = event.time.unixNanos
            rank = 0
            index = 0
            position = 0
            tie = Self.tie(event)
        }

        static func tie(_ event: FlowEvent) -> (UInt64, UInt64, UInt64, UInt64, UInt64) {
            guard case .sessionClose(let close) = event.payload else { return (0, 0, 0, 0, 0) }
            let info = close.session
            let (a, b) = words(info.sourceAddress)
            let (c, d) = words(info.destinationAddress)
            return (a, b, c, d, UInt64(info.sourcePort) << 24 | UInt64(info.destinationPort) << 8 | UInt64(info.protocolID))
        }

        static func words(_ address: IPAddress) -> (UInt64, UInt64) {
            switch address {
            case .v4(let value): (0, UInt64(value))
            case .v6(let high, let low): (high, low)
            }
        }

        static func < (lhs: Tagged, rhs: Tagged) -> Bool {
            if lhs.clock != rhs.clock { return lhs.clock < rhs.clock }
            if lhs.rank != rhs.rank { return lhs.rank < rhs.rank }
            if lhs.rank == 0 { return lhs.tie < rhs.tie }
            return (lhs.index, lhs.position) < (rhs.index, rhs.position)
        }
    }

    private static func merge(_ tagged: [[Tagged]]) -> [FlowEvent] {
        let all = tagged.count == 1 ? tagged[0] : tagged.flatMap { $0 }
        guard all.count > 1 else { return all.map(\.event) }
        return all.sorted(by: <).map(\.event)
    }
}
