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
