/// One FPC as `show chassis fpc` lists it.
public struct FpcStatus: Hashable, Sendable {
    /// Slot.
    public var slot: UInt32
    /// Card type.
    public var fpcType: FpcType
    /// State.
    public var state: FpcState
    /// Seconds since the FPC last came online (0 when it is not online).
    public var uptimeSeconds: UInt64
    /// PICs (SPUs) on the card.
    public var pics: UInt32
    /// Sessions held by the card's SPUs.
    public var sessions: UInt64

    /// A status line.
    public init(slot: UInt32, fpcType: FpcType, state: FpcState, uptimeSeconds: UInt64, pics: UInt32, sessions: UInt64) {
        self.slot = slot
        self.fpcType = fpcType
        self.state = state
        self.uptimeSeconds = uptimeSeconds
        self.pics = pics
        self.sessions = sessions
    }
}

/// An active chassis alarm as `show chassis alarms` lists it.
public struct ActiveAlarm: Hashable, Sendable {
    /// Identifier.
    public var alarmID: UInt64
    /// Class.
    public var alarmClass: AlarmClass
    /// Description.
    public var description: String
    /// When it was raised.
    public var time: Timestamp
    /// FPC slot.
    public var slot: UInt32

    /// An alarm.
    public init(alarmID: UInt64, alarmClass: AlarmClass, description: String, time: Timestamp, slot: UInt32) {
        self.alarmID = alarmID
        self.alarmClass = alarmClass
        self.description = description
        self.time = time
        self.slot = slot
    }
}

/// `request chassis fpc slot N offline|online|restart`.
public enum FpcRequestKind: Int, Sendable, CaseIterable, CustomStringConvertible {
    /// `offline`.
    case offline = 1
    /// `online`.
    case online = 2
    /// `restart`.
    case restart = 3

    public var description: String {
        switch self {
        case .offline: "offline"
        case .online: "online"
        case .restart: "restart"
        }
    }
}

/// One watchdog of `show chassis fpc slot N wedge-detect`: a datapath stage of one PIC.
public struct WedgeWatchdogStatus: Hashable, Sendable {
    /// PIC (0 on the I/O card).
    public var pic: UInt32
    /// Stage.
    public var stage: WedgeStage
    /// Work waiting in the stage at the last sample.
    public var pending: UInt64
    /// Work the stage has completed (its progress counter) at the last sample.
    public var completed: UInt64
    /// When the stage last made progress (or had nothing pending).
    public var lastProgress: Timestamp
    /// Wedged now: since when it made no progress; nil when it is not wedged.
    public var stalledSince: Timestamp?
    /// The current wedge was declared irreversible.
    public var irreversible: Bool
    /// Wedges detected since the FPC last restarted.
    public var detections: UInt64
    /// Of which irreversible.
    public var irreversibleCount: UInt64

    /// A watchdog.
    public init(
        pic: UInt32, stage: WedgeStage, pending: UInt64, completed: UInt64, lastProgress: Timestamp,
        stalledSince: Timestamp?, irreversible: Bool, detections: UInt64, irreversibleCount: UInt64
    ) {
        self.pic = pic
        self.stage = stage
        self.pending = pending
        self.completed = completed
        self.lastProgress = lastProgress
        self.stalledSince = stalledSince
        self.irreversible = irreversible
        self.detections = detections
        self.irreversibleCount = irreversibleCount
    }
}

/// One wedge in the detector's history.
public struct WedgeRecord: Hashable, Sendable {
    /// PIC.
    public var pic: UInt32
    /// Stage.
    public var stage: WedgeStage
    /// Last progress before the stall.
    public var stalledSince: Timestamp
    /// When it was detected (transient).
    public var detected: Timestamp
    /// When it was declared irreversible; nil if it never was.
    public var irreversible: Timestamp?
    /// When it cleared; nil while it lasts (or when the FPC restarted first).
    public var cleared: Timestamp?

    /// A record.
    public init(pic: UInt32, stage: WedgeStage, stalledSince: Timestamp, detected: Timestamp, irreversible: Timestamp?, cleared: Timestamp?) {
        self.pic = pic
        self.stage = stage
        self.stalledSince = stalledSince
        self.detected = detected
        self.irreversible = irreversible
        self.cleared = cleared
    }
}

/// `show chassis fpc slot N wedge-detect`: the FPC's watchdogs and wedge history.
public struct WedgeDetectView: Hashable, Sendable {
    /// Slot.
    public var slot: UInt32
    /// Card type.
    public var fpcType: FpcType
    /// A stall this long is a (transient) wedge, in milliseconds.
    public var detectAfterMillis: UInt64
    /// A wedge this long is irreversible, in milliseconds.
    public var irreversibleAfterMillis: UInt64
    /// Watchdogs, by PIC then stage.
    public var watchdogs: [WedgeWatchdogStatus]
    /// The FPC's wedges, oldest first.
    public var history: [WedgeRecord]

    /// A view.
    public init(
        slot: UInt32, fpcType: FpcType, detectAfterMillis: UInt64, irreversibleAfterMillis: UInt64,
        watchdogs: [WedgeWatchdogStatus], history: [WedgeRecord]
    ) {
        self.slot = slot
        self.fpcType = fpcType
        self.detectAfterMillis = detectAfterMillis
        self.irreversibleAfterMillis = irreversibleAfterMillis
        self.watchdogs = watchdogs
        self.history = history
    }
}

/// One entry of an FPC's error history (`show chassis fpc errors history`).
public struct FpcErrorRecord: Hashable, Sendable {
    /// FPC slot.
    public var slot: UInt32
    /// PIC.
    public var pic: UInt32
    /// Catalogue id.
    public var errorID: String
    /// Severity.
    public var severity: Severity
    /// Occurrences (a sample counts all it found at once).
    public var count: UInt64
    /// Detail.
    public var detail: String
    /// When.
    public var time: Timestamp

    /// An entry.
    public init(slot: UInt32, pic: UInt32, errorID: String, severity: Severity, count: UInt64, detail: String, time: Timestamp) {
        self.slot = slot
        self.pic = pic
        self.errorID = errorID
        self.severity = severity
        self.count = count
        self.detail = detail
        self.time = time
    }
}
