public import FlowtelCore

/// Watchdogs over the progress counters of the datapath stages (wedge detection).
///
/// The daemon samples, for every stage of every FPC/PIC, how much work is waiting (`pending`)
/// and how much has been done so far (`completed`, a counter that only grows):
/// - XM: the dispatch ring into an SPU (packets queued / packets taken);
/// - LU and XL: session and policy lookup in an SPU (packets handed to the engine / processed);
/// - TOE: event export (events produced / events taken by the bus) — services cards only;
/// - host loopback: a probe sent through each SPU (probes sent / probes back) — services cards
///   only.
/// A stage with pending work whose `completed` has not moved for `detectAfter` is wedged: a
/// `WedgeDetected` is reported at once (transient). If it is still wedged `irreversibleAfter`
/// after it stopped, a second `WedgeDetected` says it is irreversible, and the caller raises an
/// alarm. When `completed` moves again, `WedgeCleared` reports how long it lasted.
public struct WedgeDetector: Sendable {
    /// Where a watchdog looks.
    public struct Site: Hashable, Sendable, Comparable {
        /// FPC.
        public var slot: UInt32
        /// PIC.
        public var pic: UInt32
        /// Stage.
        public var stage: WedgeStage

        /// A site.
        public init(slot: UInt32, pic: UInt32, stage: WedgeStage) {
            self.slot = slot
            self.pic = pic
            self.stage = stage
        }

        public static func < (a: Site, b: Site) -> Bool {
            (a.slot, a.pic, a.stage.rawValue) < (b.slot, b.pic, b.stage.rawValue)
        }
    }

    /// One wedge, from detection to recovery.
    public struct Wedge: Hashable, Sendable {
        /// Where.
        public var site: Site
        /// When progress stopped (the last sample that moved).
        public var stalledSince: Timestamp
        /// When it was detected.
        public var detected: Timestamp
        /// When it was declared irreversible, if it was.
        public var irreversible: Timestamp?
        /// When it recovered, if it has.
        public var cleared: Timestamp?
    }

    /// A watchdog's state, as `show chassis fpc slot N wedge-detect` prints it.
    public struct Watchdog: Hashable, Sendable {
        /// Where.
        public var site: Site
        /// The last sample's pending work.
        public var pending: UInt64 = 0
        /// The last sample's completed count.
        public var completed: UInt64 = 0
        /// When `completed` last moved (or work was last absent).
        public var lastProgress: Timestamp
        /// When the last sample was taken.
        public var lastSample: Timestamp
        /// The wedge in progress, if any.
        public var current: Wedge?
        /// Wedges detected, transient and irreversible.
        public var detections: UInt64 = 0
        /// Of those, declared irreversible.
        public var irreversibleCount: UInt64 = 0
    }

    /// Stall time after which a stage with pending work is wedged, nanoseconds.
    public var detectAfterNanos: UInt64
    /// Stall time after which a wedge is irreversible, nanoseconds.
    public var irreversibleAfterNanos: UInt64
    /// Wedges kept in `history`.
    public static let historyLimit = 256

    /// The watchdogs, by site.
    public private(set) var watchdogs: [Site: Watchdog] = [:]
    /// Finished and ongoing wedges, oldest first (at most `historyLimit`; ongoing ones are
    /// updated in place when they clear).
    public private(set) var history: [Wedge] = []

    /// Watchdogs that call a stall of `detectAfter` a wedge and one of `irreversibleAfter` an
    /// irreversible one.
    public init(detectAfter: Duration = .seconds(1), irreversibleAfter: Duration = .seconds(5)) {
        detectAfterNanos = Self.nanos(detectAfter)
        irreversibleAfterNanos = max(Self.nanos(irreversibleAfter), detectAfterNanos)
    }

    private static func nanos(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        return UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000)
    }

    /// Takes one sample of a stage and returns what to report: nothing, `WedgeDetected`
    /// (transient, then once more irreversible), or `WedgeCleared`.
    public mutating func observe(_ site: Site, pending: UInt64, completed: UInt64, at time: Timestamp) -> [Payload] {
        guard var dog = watchdogs[site] else {
            watchdogs[site] = Watchdog(site: site, pending: pending, completed: completed, lastProgress: time, lastSample: time)
            return []
        }
        var reports: [Payload] = []
        let moved = completed != dog.completed
        dog.pending = pending
        dog.completed = completed
        dog.lastSample = time
        if moved || pending == 0 {
            dog.lastProgress = time
            if var wedge = dog.current {
                wedge.cleared = time
                record(wedge)
                dog.current = nil
                var cleared = WedgeCleared()
                cleared.slot = site.slot
                cleared.pic = site.pic
                cleared.stage = site.stage
                cleared.durationMillis = (time.unixNanos &- wedge.stalledSince.unixNanos) / 1_000_000
                reports.append(.wedgeCleared(cleared))
            }
            watchdogs[site] = dog
            return reports
        }
        let stalled = time.unixNanos &- dog.lastProgress.unixNanos
        if dog.current == nil && stalled >= detectAfterNanos {
            let wedge = Wedge(site: site, stalledSince: dog.lastProgress, detected: time)
            dog.current = wedge
            dog.detections += 1
            record(wedge)
            reports.append(.wedgeDetected(detected(site, stalled: stalled, pending: pending, irreversible: false)))
        }
        if var wedge = dog.current, wedge.irreversible == nil, stalled >= irreversibleAfterNanos {
            wedge.irreversible = time
            dog.current = wedge
            dog.irreversibleCount += 1
            record(wedge)
            reports.append(.wedgeDetected(detected(site, stalled: stalled, pending: pending, irreversible: true)))
        }
        watchdogs[site] = dog
        return reports
    }

    /// Forgets the watchdogs of `slot` (its workers restarted: their counters start over);
    /// ongoing wedges there end without a clear.
    public mutating func restart(slot: UInt32) {
        watchdogs = watchdogs.filter { $0.key.slot != slot }
    }

    /// The watchdogs of `slot`, in stage order.
    public func watchdogs(slot: UInt32) -> [Watchdog] {
        watchdogs.values.filter { $0.site.slot == slot }.sorted { $0.site < $1.site }
    }

    private func detected(_ site: Site, stalled: UInt64, pending: UInt64, irreversible: Bool) -> WedgeDetected {
        var detected = WedgeDetected()
        detected.slot = site.slot
        detected.pic = site.pic
        detected.stage = site.stage
        detected.stalledMillis = stalled / 1_000_000
        detected.pending = pending
        detected.irreversible = irreversible
        return detected
    }

    // Adds or updates (same site and stall start) a wedge in the history.
    private mutating func record(_ wedge: Wedge) {
        if let index = history.lastIndex(where: { $0.site == wedge.site && $0.stalledSince == wedge.stalledSince }) {
            history[index] = wedge
        } else {
            history.append(wedge)
            if history.count > Self.historyLimit { history.removeFirst(history.count - Self.historyLimit) }
        }
    }
}

extension WedgeStage {
    /// Whether the stage is watched on `card`: TOE and the host-loopback probe only on
    /// services cards, as on the SRX.
    public func isWatched(on card: FpcType) -> Bool {
        switch self {
        case .toe, .hostLoopback: card == .spc2
        case .xm, .lu, .xl: true
        }
    }
}
