/// Error severity of `chassis fpc N error (fatal|major|minor)`; fixed per error by the catalogue.
public enum Severity: Int, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    /// minor.
    case minor = 1
    /// major.
    case major = 2
    /// fatal.
    case fatal = 3

    public var description: String {
        switch self {
        case .minor: "minor"
        case .major: "major"
        case .fatal: "fatal"
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The kind of card in a slot.
public enum FpcType: Int, Sendable, CaseIterable, CustomStringConvertible {
    /// I/O card: capture, decode, dispatch.
    case ioc3 = 1
    /// Services card whose SPUs are flow-engine shards.
    case spc2 = 2

    public var description: String { self == .ioc3 ? "IOC3" : "SPC2" }
}

/// State of an FPC.
public enum FpcState: Int, Sendable, CaseIterable, CustomStringConvertible {
    /// In service.
    case online = 1
    /// Out of dispatch.
    case offline = 2
    /// Workers restarting.
    case resetting = 3
    /// Configured, not yet started.
    case present = 4

    public var description: String {
        switch self {
        case .online: "Online"
        case .offline: "Offline"
        case .resetting: "Resetting"
        case .present: "Present"
        }
    }
}

/// An action of `chassis ... error ... action`.
public enum FpcAction: Int, Sendable, CaseIterable, CustomStringConvertible {
    /// alarm.
    case alarm = 1
    /// log (synonym report).
    case log = 2
    /// get-state.
    case getState = 3
    /// reset.
    case reset = 4
    /// offline.
    case offline = 5
    /// trap (accepted; flowtel has no SNMP).
    case trap = 6

    public var description: String {
        switch self {
        case .alarm: "alarm"
        case .log: "log"
        case .getState: "get-state"
        case .reset: "reset"
        case .offline: "offline"
        case .trap: "trap"
        }
    }
}

/// One occurrence (or `count` aggregated occurrences) of a catalogued FPC error.
public struct FpcErrorOccurred: Hashable, Sendable {
    /// FPC slot.
    public var slot: UInt32 = 0
    /// PIC.
    public var pic: UInt32 = 0
    /// Catalogue id.
    public var errorID: String = ""
    /// Detecting module.
    public var module: String = ""
    /// Severity.
    public var severity: Severity = .minor
    /// Error type.
    public var errorType: String = ""
    /// Occurrences reported.
    public var count: UInt64 = 0
    /// Cumulative count of the severity on the FPC.
    public var severityTotal: UInt64 = 0
    /// Detail.
    public var description: String = ""
    /// An empty record.
    public init() {}
}

/// Counters of one severity on one FPC.
public struct SeverityCounters: Hashable, Sendable {
    /// Severity.
    public var severity: Severity = .minor
    /// Occurrences.
    public var occurred: UInt64 = 0
    /// Cleared occurrences.
    public var cleared: UInt64 = 0
    /// Threshold in force.
    public var threshold: UInt32 = 0
    /// Configured actions.
    public var actions: [FpcAction] = []
    /// An empty record.
    public init() {}
}

/// Counters of one error id on one FPC.
public struct ErrorCounters: Hashable, Sendable {
    /// Catalogue id.
    public var errorID: String = ""
    /// Module.
    public var module: String = ""
    /// Severity.
    public var severity: Severity = .minor
    /// Error type.
    public var errorType: String = ""
    /// Occurrences.
    public var occurred: UInt64 = 0
    /// Cleared.
    public var cleared: UInt64 = 0
    /// Last occurrence.
    public var lastOccurred: Timestamp? = nil
    /// Last clear.
    public var lastCleared: Timestamp? = nil
    /// An empty record.
    public init() {}
}

/// A snapshot of one FPC's error counters.
public struct FpcErrorCounters: Hashable, Sendable {
    /// Slot.
    public var slot: UInt32 = 0
    /// Card type.
    public var fpcType: FpcType = .spc2
    /// Per severity.
    public var severities: [SeverityCounters] = []
    /// Per error id.
    public var errors: [ErrorCounters] = []
    /// An empty record.
    public init() {}
}

/// Class of a chassis alarm.
public enum AlarmClass: Int, Sendable, CaseIterable, CustomStringConvertible {
    /// Minor.
    case minor = 1
    /// Major.
    case major = 2

    public var description: String { self == .minor ? "Minor" : "Major" }
}

/// A chassis alarm was raised.
public struct AlarmRaised: Hashable, Sendable {
    /// Alarm id.
    public var alarmID: UInt64 = 0
    /// Class.
    public var alarmClass: AlarmClass = .minor
    /// Description.
    public var description: String = ""
    /// FPC slot.
    public var slot: UInt32 = 0
    /// Triggering error id.
    public var errorID: String = ""
    /// An empty record.
    public init() {}
}

/// A chassis alarm was cleared.
public struct AlarmCleared: Hashable, Sendable {
    /// Alarm id.
    public var alarmID: UInt64 = 0
    /// Class.
    public var alarmClass: AlarmClass = .minor
    /// Description.
    public var description: String = ""
    /// FPC slot.
    public var slot: UInt32 = 0
    /// Why it was cleared.
    public var reason: String = ""
    /// An empty record.
    public init() {}
}

/// A datapath stage watched for wedges.
public enum WedgeStage: Int, Sendable, CaseIterable, CustomStringConvertible {
    /// Dispatch: packets handed to an SPU (FPC 0: to the engine) and not yet taken.
    case xm = 1
    /// Lookup: packets taken and not yet processed (session lookup, first-packet policy lookup).
    case lu = 2
    /// The SPU's aging pass (the timer lookups that expire sessions).
    case xl = 3
    /// Event export: events produced and not yet handed to the event bus.
    case toe = 4
    /// Host-loopback probe through the SPU's worker.
    case hostLoopback = 5

    public var description: String {
        switch self {
        case .xm: "XM"
        case .lu: "LU"
        case .xl: "XL"
        case .toe: "TOE"
        case .hostLoopback: "Host Loopback"
        }
    }
}

/// A stage stopped making progress.
public struct WedgeDetected: Hashable, Sendable {
    /// Slot.
    public var slot: UInt32 = 0
    /// PIC.
    public var pic: UInt32 = 0
    /// Stage.
    public var stage: WedgeStage = .xm
    /// Stall duration, ms.
    public var stalledMillis: UInt64 = 0
    /// Pending work.
    public var pending: UInt64 = 0
    /// Declared irreversible.
    public var irreversible: Bool = false
    /// An empty record.
    public init() {}
}

/// A wedged stage recovered.
public struct WedgeCleared: Hashable, Sendable {
    /// Slot.
    public var slot: UInt32 = 0
    /// PIC.
    public var pic: UInt32 = 0
    /// Stage.
    public var stage: WedgeStage = .xm
    /// Wedge duration, ms.
    public var durationMillis: UInt64 = 0
    /// An empty record.
    public init() {}
}

/// An FPC changed state.
public struct FpcStateChange: Hashable, Sendable {
    /// Slot.
    public var slot: UInt32 = 0
    /// Card type.
    public var fpcType: FpcType = .spc2
    /// Previous state.
    public var previousState: FpcState = .present
    /// New state.
    public var state: FpcState = .online
    /// Why.
    public var reason: String = ""
    /// An empty record.
    public init() {}
}

/// Redundancy group 1 failed over.
public struct ClusterFailover: Hashable, Sendable {
    /// Redundancy group.
    public var redundancyGroup: UInt32 = 1
    /// Previous primary node.
    public var previousPrimary: UInt32 = 0
    /// New primary node.
    public var newPrimary: UInt32 = 1
    /// Trigger.
    public var reason: String = ""
    /// Failover count after this one.
    public var failoverCount: UInt32 = 0
    /// An empty record.
    public init() {}
}

/// A threshold was reached and its action ran.
public struct FpcErrorAction: Hashable, Sendable {
    /// Slot.
    public var slot: UInt32 = 0
    /// Severity.
    public var severity: Severity = .minor
    /// Error type for per-type thresholds; empty for the severity level.
    public var errorType: String = ""
    /// Threshold.
    public var threshold: UInt32 = 0
    /// Count at which it fired.
    public var count: UInt64 = 0
    /// Action.
    public var action: FpcAction = .log
    /// What it did.
    public var detail: String = ""
    /// An empty record.
    public init() {}
}

/// One named value of a state snapshot.
public struct StateItem: Hashable, Sendable {
    /// Name.
    public var name: String
    /// Value.
    public var value: Int64
    /// Creates an item.
    public init(name: String, value: Int64) {
        self.name = name
        self.value = value
    }
}

/// The state of an FPC collected by `get-state`.
public struct FpcStateSnapshot: Hashable, Sendable {
    /// Slot.
    public var slot: UInt32 = 0
    /// Card type.
    public var fpcType: FpcType = .spc2
    /// State.
    public var state: FpcState = .online
    /// Values.
    public var items: [StateItem] = []
    /// File written.
    public var file: String = ""
    /// An empty record.
    public init() {}
}

/// Where flow-engine shard (SPU) `shard` sits in flowtel's chassis: FPC 0 is the I/O card,
/// FPC 1 and up are services cards of ``spusPerCard`` SPUs each, one per PIC.
public struct SPULocation: Hashable, Sendable, CustomStringConvertible {
    /// SPUs (PICs) on one services card.
    public static let spusPerCard = 4

    /// FPC slot.
    public var fpc: UInt32
    /// PIC.
    public var pic: UInt32

    /// The location of shard `shard` (0-based).
    public init(shard: Int) {
        fpc = UInt32(1 + shard / Self.spusPerCard)
        pic = UInt32(shard % Self.spusPerCard)
    }

    /// `FPC1 PIC0`, as the per-SPU headers of `show security flow session` print it.
    public var description: String { "FPC\(fpc) PIC\(pic)" }
}
