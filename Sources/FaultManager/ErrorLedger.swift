public import FlowtelCore

/// The error counters of one FPC: a cumulative counter per severity, and counters per error id
/// and per error type, each with occurrence and cleared counts and times; plus a bounded
/// history of occurrences and the once-only rules that already fired.
public struct ErrorLedger: Sendable {
    /// Occurrence and clear counts with their last times.
    public struct Tally: Hashable, Sendable {
        /// Occurrences.
        public var occurred: UInt64 = 0
        /// Occurrences cleared (the condition went away, or `clear`).
        public var cleared: UInt64 = 0
        /// Last occurrence.
        public var lastOccurred: Timestamp? = nil
        /// Last clear.
        public var lastCleared: Timestamp? = nil

        /// Occurrences not cleared.
        public var active: UInt64 { occurred - cleared }
    }

    /// One recorded occurrence (or burst of `count` occurrences).
    public struct Occurrence: Hashable, Sendable {
        /// When.
        public var time: Timestamp
        /// Catalogue id.
        public var errorID: String
        /// PIC (SPU) that detected it.
        public var pic: UInt32
        /// Occurrences in the burst.
        public var count: UInt64
        /// Detail given by the detector.
        public var detail: String
    }

    /// Occurrences kept in `history`.
    public static let historyLimit = 1024

    /// Per severity.
    public private(set) var severities: [Severity: Tally] = [:]
    /// Per catalogue id.
    public private(set) var errors: [String: Tally] = [:]
    /// Per error type.
    public private(set) var types: [String: Tally] = [:]
    /// The newest occurrences, oldest first (at most `historyLimit`).
    public private(set) var history: [Occurrence] = []
    /// When the counters (re)started: at start and when the FPC restarts.
    public private(set) var since: Timestamp
    /// Once-only (fatal, major) rules that fired: per severity, and per severity and type.
    var firedSeverities: Set<Severity> = []
    var firedTypes: Set<String> = []

    /// Empty counters started at `since`.
    public init(since: Timestamp) {
        self.since = since
    }

    /// Counts `count` occurrences of `definition`; returns the severity and type counts before
    /// and after.
    mutating func record(
        _ definition: FpcErrorDefinition, pic: UInt32, count: UInt64, at time: Timestamp, detail: String
    ) -> (severity: (UInt64, UInt64), type: (UInt64, UInt64)) {
        let severityBefore = severities[definition.severity, default: Tally()].occurred
        let typeBefore = types[definition.type, default: Tally()].occurred
        severities[definition.severity, default: Tally()].add(count, at: time)
        errors[definition.id, default: Tally()].add(count, at: time)
        types[definition.type, default: Tally()].add(count, at: time)
        history.append(Occurrence(time: time, errorID: definition.id, pic: pic, count: count, detail: detail))
        if history.count > Self.historyLimit { history.removeFirst(history.count - Self.historyLimit) }
        return ((severityBefore, severityBefore + count), (typeBefore, typeBefore + count))
    }

    /// Marks every active occurrence of `definition` cleared; returns how many were.
    mutating func clear(_ definition: FpcErrorDefinition, at time: Timestamp) -> UInt64 {
        let active = errors[definition.id]?.active ?? 0
        guard active > 0 else { return 0 }
        errors[definition.id]?.clear(active, at: time)
        severities[definition.severity]?.clear(active, at: time)
        types[definition.type]?.clear(active, at: time)
        return active
    }

    /// Starts the counters over (the FPC restarted); the history is kept.
    mutating func restart(at time: Timestamp) {
        severities = [:]
        errors = [:]
        types = [:]
        firedSeverities = []
        firedTypes = []
        since = time
    }
}

extension ErrorLedger.Tally {
    mutating func add(_ count: UInt64, at time: Timestamp) {
        occurred += count
        lastOccurred = time
    }

    mutating func clear(_ count: UInt64, at time: Timestamp) {
        cleared = min(occurred, cleared + count)
        lastCleared = time
    }
}
