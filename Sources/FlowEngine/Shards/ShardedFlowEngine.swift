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
/// Offline shards (an FPC taken offline): dispatch sends their traffic to the shards still
/// online (a function of the original shard, so both directions of a flow still meet), or
/// drops it, counted in ``ShardProgress/undispatched``, when none is.
///
/// Watchdogs: every stage's progress is counted in ``progress``, readable from any thread.
///
/// Not thread-safe: one caller at a time (the daemon holds a lock around it), except
/// ``progress`` and ``sendProbes()``.
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
    /// Progress counters and stall hooks of every shard's stages.
    public let progress: ShardProgress
    private var config: DeviceConfig
    private let exportAllSessions: Bool
    private var online: [Bool]
    /// Where dispatch sends a packet that hashes to shard `i`: `i` while it is online, else an
    /// online shard, else -1 (dropped).
    private var remap: [Int]
    private var anyOffline = false
    /// Events produced per shard and not yet marked exported.
    private var unexported: [UInt64]

    /// `shards` engines for `config`, sharing `maximumSessions` equally; `accounting: false`
    /// turns the stage counters off (only to measure what they cost).
    public init(
        config: DeviceConfig, shards: Int, maximumSessions: Int = 1 << 20, exportAllSessions: Bool = false,
        accounting: Bool = true
    ) {
        precondition(shards > 0, "at least one shard")
        shardCount = shards
        self.maximumSessions = maximumSessions
        self.config = config
        self.exportAllSessions = exportAllSessions
        online = Array(repeating: true, count: shards)
        remap = Array(0..<shards)
        unexported = Array(repeating: 0, count: shards)
        engines = .allocate(capacity: shards)
        for index in 0..<shards {
            (engines + index).initialize(
                to: FlowEngine(
                    config: config, maximumSessions: max(1, maximumSessions / shards),
                    exportAllSessions: exportAllSessions, shard: ShardPlacement(index: index, count: shards)))
        }
        progress = ShardProgress(shards: shards, enabled: accounting)
        workers = ShardWorkers(count: shards, progress: progress)
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
            for shard in 0..<shardCount where !segment[shard].isEmpty {
                progress.add(.dispatched, shard: shard, UInt64(segment[shard].count))
            }
            outcome.withUnsafeMutableBufferPointer { outcome in
                tagged.withUnsafeMutableBufferPointer { tagged in
                    workers.run { shard in
                        let engine = engines + shard
                        let count = UInt64(segment[shard].count)
                        if count > 0 {
                            progress.waitWhileStalled(.dispatch, shard: shard)
                            progress.add(.taken, shard: shard, count)
                            progress.waitWhileStalled(.lookup, shard: shard)
                        }
                        defer { if count > 0 { progress.add(.processed, shard: shard, count) } }
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
            if anyOffline {
                target = remap[target]
                guard target >= 0 else {
                    progress.countUndispatched()
                    if dispositions { outcome[index] = .dropped("FPC offline") }
                    continue
                }
            }
            segment[target].append(index)
            segmentCount += 1
        }
        flush()
        age(&tagged, to: clock)
        collectRedirects()
        produced(tagged)
        return (Self.merge(tagged), outcome)
    }

    /// Every online shard's aging pass up to `time`, on its worker.
    private func age(_ tagged: inout [[Tagged]], to time: Timestamp) {
        for shard in 0..<shardCount { progress.add(.agingRequested, shard: shard) }
        tagged.withUnsafeMutableBufferPointer { tagged in
            workers.run { shard in
                progress.waitWhileStalled(.aging, shard: shard)
                for event in engines[shard].advance(to: time) { tagged[shard].append(Tagged(timeout: event)) }
                progress.add(.agingDone, shard: shard)
            }
        }
    }

    /// Counts each shard's events of a call as produced (TOE) until ``markExported()``.
    private func produced(_ tagged: [[Tagged]]) {
        for shard in 0..<shardCount where !tagged[shard].isEmpty {
            progress.add(.eventsProduced, shard: shard, UInt64(tagged[shard].count))
            unexported[shard] &+= UInt64(tagged[shard].count)
        }
    }

    /// The caller handed the events returned so far to the event bus (TOE progress). Before
    /// that, ``waitWhileExportStalled()`` honours an export stall hook.
    public func markExported() {
        for shard in 0..<shardCount where unexported[shard] > 0 {
            progress.add(.eventsExported, shard: shard, unexported[shard])
            unexported[shard] = 0
        }
    }

    /// Blocks while a test hook stalls the export of a shard with events waiting.
    public func waitWhileExportStalled() {
        for shard in 0..<shardCount where unexported[shard] > 0 {
            progress.waitWhileStalled(.export, shard: shard)
        }
    }

    // MARK: - Probes

    /// Sends a host-loopback probe to every shard whose last probe was answered, and wakes the
    /// workers to answer. Any thread may call it.
    public func sendProbes() {
        for shard in 0..<shardCount
        where progress.value(.probesSent, shard: shard) == progress.value(.probesAnswered, shard: shard) {
            progress.add(.probesSent, shard: shard)
        }
        workers.probe()
    }

    /// Answers the probes of shard 0, which runs on the caller's thread (the caller's lock
    /// proves it is not stuck in a batch).
    public func answerCallerProbes() {
        workers.answerProbes(shard: 0)
    }

    // MARK: - FPC state

    /// Whether `shard` is in dispatch.
    public func isOnline(_ shard: Int) -> Bool { online[shard] }

    /// Takes `shards` out of dispatch (their sessions close, reason `FPC offline`) or puts them
    /// back. Back online, the sessions other shards carried for them while they were offline
    /// close (reason `FPC reset`): from now on their packets go to their own shard again.
    /// Returns the close events.
    public func setOnline(_ shards: Range<Int>, _ isOnline: Bool, at time: Timestamp) -> [FlowEvent] {
        let shards = shards.clamped(to: 0..<shardCount)
        var events: [FlowEvent] = []
        if !isOnline {
            events = clearSessions(at: time, reason: .fpcOffline, shards: shards, where: { _ in true }).events
        }
        let wereRemapped = remap
        for shard in shards { online[shard] = isOnline }
        let up = (0..<shardCount).filter { online[$0] }
        remap = (0..<shardCount).map { online[$0] ? $0 : (up.isEmpty ? -1 : up[$0 % up.count]) }
        anyOffline = up.count < shardCount
        if isOnline {
            // Sessions of flows that hash to a returning shard, held by the shard that took
            // its traffic.
            let returning = Set(shards.filter { wereRemapped[$0] != $0 })
            let carriers = Set(returning.compactMap { wereRemapped[$0] >= 0 ? wereRemapped[$0] : nil })
            for carrier in carriers.sorted() {
                events += clearSessions(at: time, reason: .fpcReset, shards: carrier..<(carrier + 1)) { session in
                    let info = session.info
                    let home = ShardHash.shard(
                        source: info.sourceAddress, destination: info.destinationAddress, sourcePort: info.sourcePort,
                        destinationPort: info.destinationPort, ipProtocol: info.protocolID, count: shardCount)
                    return returning.contains(home)
                }.events
            }
        }
        return events
    }

    /// Restarts `shards`' workers (`reset` of their FPC): their sessions close (reason `FPC
    /// reset`) and their engines start over, counters and session ids included. Returns how
    /// many sessions closed and their close events.
    public func resetShards(_ shards: Range<Int>, at time: Timestamp) -> (cleared: Int, events: [FlowEvent]) {
        let shards = shards.clamped(to: 0..<shardCount)
        let (cleared, events) = clearSessions(at: time, reason: .fpcReset, shards: shards, where: { _ in true })
        for shard in shards {
            engines[shard] = FlowEngine(
                config: config, maximumSessions: max(1, maximumSessions / shardCount), exportAllSessions: exportAllSessions,
                shard: ShardPlacement(index: shard, count: shardCount))
            _ = engines[shard].advance(to: clock)
        }
        return (cleared, events)
    }

    /// Each shard's own counters, in shard order.
    public var shardStatistics: [FlowEngineStatistics] {
        (0..<shardCount).map { engines[$0].statistics }
    }

    /// Ages every shard's sessions out up to `time` (never back: the clock only moves on).
    public func advance(to time: Timestamp) -> [FlowEvent] {
        if time.unixNanos > clock.unixNanos { clock = time }
        var tagged = [[Tagged]](repeating: [], count: shardCount)
        age(&tagged, to: clock)
        collectRedirects()
        produced(tagged)
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
        self.config = config
        candidates = RedirectCandidates(config: config)
        collectRedirects()
        produced(tagged)
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
        produced(tagged)
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
