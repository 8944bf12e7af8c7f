/// Identifies one run of the daemon: random, new on every start.
public struct BootID: Hashable, Sendable, CustomStringConvertible {
    /// The 64-bit value carried on the wire.
    public var rawValue: UInt64

    /// Wraps a value.
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// A fresh random boot id (never 0, which means "none").
    public static func random() -> BootID {
        var generator = SystemRandomNumberGenerator()
        return BootID(generator.next(upperBound: UInt64.max - 1) + 1)
    }

    /// Parses 16 hex digits.
    public init?(hex: some StringProtocol) {
        guard hex.count == 16, let value = UInt64(hex, radix: 16) else { return nil }
        rawValue = value
    }

    /// 16 lower-case hex digits, as JSON and SQLite records print it.
    public var description: String {
        let digits = String(rawValue, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

/// The kinds of event a subscriber can select.
public enum EventKind: Int, Sendable, CaseIterable, CustomStringConvertible {
    /// RT_FLOW_SESSION_CREATE.
    case sessionCreate = 1
    /// RT_FLOW_SESSION_CLOSE.
    case sessionClose = 2
    /// RT_FLOW_SESSION_DENY.
    case sessionDeny = 3
    /// FPC errors, counters, actions and state snapshots.
    case fpcError = 4
    /// Chassis alarms.
    case alarm = 5
    /// Wedges.
    case wedge = 6
    /// FPC state changes.
    case fpcState = 7
    /// Cluster failovers.
    case cluster = 8

    /// The name used by `--kinds` and in JSON records.
    public var description: String {
        switch self {
        case .sessionCreate: "session-create"
        case .sessionClose: "session-close"
        case .sessionDeny: "session-deny"
        case .fpcError: "fpc-error"
        case .alarm: "alarm"
        case .wedge: "wedge"
        case .fpcState: "fpc-state"
        case .cluster: "cluster"
        }
    }

    /// Parses a `--kinds` name.
    public init?(name: String) {
        guard let kind = EventKind.allCases.first(where: { $0.description == name }) else { return nil }
        self = kind
    }
}

/// An event's content.
///
/// `indirect`: session payloads are large structs of strings; boxing them makes every copy of
/// an event (into arrays, through the bus) one reference-count operation.
public indirect enum Payload: Hashable, Sendable {
    /// Session created.
    case sessionCreate(SessionCreate)
    /// Session closed.
    case sessionClose(SessionClose)
    /// First packet denied.
    case sessionDeny(SessionDeny)
    /// FPC error occurrence.
    case fpcError(FpcErrorOccurred)
    /// FPC error counter snapshot.
    case fpcErrorCounters(FpcErrorCounters)
    /// Alarm raised.
    case alarmRaised(AlarmRaised)
    /// Alarm cleared.
    case alarmCleared(AlarmCleared)
    /// Wedge detected.
    case wedgeDetected(WedgeDetected)
    /// Wedge cleared.
    case wedgeCleared(WedgeCleared)
    /// FPC state change.
    case fpcStateChange(FpcStateChange)
    /// Cluster failover.
    case clusterFailover(ClusterFailover)
    /// Threshold action ran.
    case fpcErrorAction(FpcErrorAction)
    /// get-state snapshot.
    case fpcStateSnapshot(FpcStateSnapshot)
    /// Stream control: missing events.
    case gap(Gap)
    /// Stream control: liveness.
    case heartbeat(Heartbeat)
    /// Stream control: replay finished.
    case syncResponse(SyncResponse)

    /// The selectable kind, nil for stream control.
    public var kind: EventKind? {
        switch self {
        case .sessionCreate: .sessionCreate
        case .sessionClose: .sessionClose
        case .sessionDeny: .sessionDeny
        case .fpcError, .fpcErrorCounters, .fpcErrorAction, .fpcStateSnapshot: .fpcError
        case .alarmRaised, .alarmCleared: .alarm
        case .wedgeDetected, .wedgeCleared: .wedge
        case .fpcStateChange: .fpcState
        case .clusterFailover: .cluster
        case .gap, .heartbeat, .syncResponse: nil
        }
    }

    /// True for Gap, Heartbeat and SyncResponse.
    public var isStreamControl: Bool { kind == nil }

    /// The payload's name in JSON records (`session-close`, `alarm-raised`, `gap`, ...).
    public var name: String {
        switch self {
        case .sessionCreate: "session-create"
        case .sessionClose: "session-close"
        case .sessionDeny: "session-deny"
        case .fpcError: "fpc-error"
        case .fpcErrorCounters: "fpc-error-counters"
        case .alarmRaised: "alarm-raised"
        case .alarmCleared: "alarm-cleared"
        case .wedgeDetected: "wedge-detected"
        case .wedgeCleared: "wedge-cleared"
        case .fpcStateChange: "fpc-state-change"
        case .clusterFailover: "cluster-failover"
        case .fpcErrorAction: "fpc-error-action"
        case .fpcStateSnapshot: "fpc-state-snapshot"
        case .gap: "gap"
        case .heartbeat: "heartbeat"
        case .syncResponse: "sync-response"
        }
    }
}

/// One event: the envelope and its payload.
public struct Event: Hashable, Sendable {
    /// The producing daemon run.
    public var bootID: BootID
    /// Position in the boot's sequence (0 for stream control).
    public var seq: UInt64
    /// When it happened.
    public var time: Timestamp
    /// The device host-name.
    public var node: String
    /// The content.
    public var payload: Payload

    /// Creates an event.
    public init(bootID: BootID, seq: UInt64, time: Timestamp, node: String, payload: Payload) {
        self.bootID = bootID
        self.seq = seq
        self.time = time
        self.node = node
        self.payload = payload
    }
}
