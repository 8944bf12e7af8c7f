/// What the chassis does when an FPC's error count reaches the threshold of its severity
/// (`chassis fpc N error SEVERITY action`).
public enum ChassisErrorAction: String, Hashable, Sendable, CaseIterable {
    /// `alarm`: raise a chassis alarm of the severity's class.
    case alarm
    /// `disable-pfe`.
    case disablePFE = "disable-pfe"
    /// `get-state`: collect the FPC's state for diagnosis.
    case getState = "get-state"
    /// `log`: write a syslog message.
    case log
    /// `offline`: take the FPC offline.
    case offline
    /// `offline-pfe`.
    case offlinePFE = "offline-pfe"
    /// `reset`: restart the FPC.
    case reset
    /// `reset-pfe`.
    case resetPFE = "reset-pfe"
    /// `trap`: send an SNMP trap.
    case trap
}

/// The threshold and actions configured for one error severity.
public struct ChassisErrorSetting: Hashable, Sendable {
    /// `threshold`: occurrences that trigger the actions; nil uses the default
    /// (``ChassisConfig/defaultThreshold(_:)``).
    public var threshold: Int?
    /// `action`s, in order; empty uses the default (``ChassisConfig/defaultActions(_:)``).
    public var actions: [ChassisErrorAction]
    /// Where the setting is written.
    @NotCompared public var location: SourceLocation?

    /// Creates a setting.
    public init(threshold: Int? = nil, actions: [ChassisErrorAction] = [], location: SourceLocation? = nil) {
        self.threshold = threshold
        self.actions = actions
        self.location = location
    }
}

/// FPC error severities as written in the configuration.
public enum ChassisErrorSeverity: String, Hashable, Sendable, CaseIterable {
    /// `fatal`.
    case fatal
    /// `major`.
    case major
    /// `minor`.
    case minor
}

/// A `chassis cluster redundancy-group N`.
public struct RedundancyGroup: Hashable, Sendable {
    /// The group number (0 = control plane, 1+ = data plane).
    public var number: Int
    /// `node 0 priority` / `node 1 priority`.
    public var nodePriorities: [Int: Int]
    /// `preempt`.
    public var preempt: Bool
    /// `gratuitous-arp-count`.
    public var gratuitousARPCount: Int?
    /// `hold-down-interval`, seconds.
    public var holdDownInterval: Int?
    /// `interface-monitor IF weight W`.
    public var interfaceMonitors: [String: Int]
    /// Where the group is defined.
    @NotCompared public var location: SourceLocation

    /// Creates a group.
    public init(
        number: Int, nodePriorities: [Int: Int] = [:], preempt: Bool = false, gratuitousARPCount: Int? = nil,
        holdDownInterval: Int? = nil, interfaceMonitors: [String: Int] = [:], location: SourceLocation
    ) {
        self.number = number
        self.nodePriorities = nodePriorities
        self.preempt = preempt
        self.gratuitousARPCount = gratuitousARPCount
        self.holdDownInterval = holdDownInterval
        self.interfaceMonitors = interfaceMonitors
        self.location = location
    }
}

/// `chassis cluster`.
public struct ChassisCluster: Hashable, Sendable {
    /// `reth-count`.
    public var rethCount: Int?
    /// `heartbeat-interval`, milliseconds.
    public var heartbeatInterval: Int?
    /// `heartbeat-threshold`.
    public var heartbeatThreshold: Int?
    /// `control-link-recovery`.
    public var controlLinkRecovery = false
    /// The redundancy groups, in order.
    public var redundancyGroups: [RedundancyGroup] = []

    /// Nothing configured.
    public init() {}
}

/// `chassis`: FPC error management and clustering.
public struct ChassisConfig: Hashable, Sendable {
    /// `chassis fpc N error …`, by slot and severity.
    public var fpcErrors: [Int: [ChassisErrorSeverity: ChassisErrorSetting]] = [:]
    /// `chassis error …`: the chassis-wide settings, which slots without their own inherit.
    public var chassisErrors: [ChassisErrorSeverity: ChassisErrorSetting] = [:]
    /// `chassis cluster`, when configured.
    public var cluster: ChassisCluster?

    /// Nothing configured.
    public init() {}

    /// The Junos default thresholds: fatal 1, major 1, minor 10.
    public static func defaultThreshold(_ severity: ChassisErrorSeverity) -> Int {
        severity == .minor ? 10 : 1
    }

    /// The default actions on an SRX: fatal raises an alarm and resets the FPC; major raises
    /// an alarm; minor logs.
    public static func defaultActions(_ severity: ChassisErrorSeverity) -> [ChassisErrorAction] {
        switch severity {
        case .fatal: [.alarm, .reset]
        case .major: [.alarm]
        case .minor: [.log]
        }
    }

    /// The threshold and actions in effect for `slot`: the slot's own, else the chassis-wide
    /// ones, else the defaults (threshold and actions resolve independently).
    public func effectiveSetting(slot: Int, severity: ChassisErrorSeverity) -> (threshold: Int, actions: [ChassisErrorAction]) {
        let own = fpcErrors[slot]?[severity]
        let chassis = chassisErrors[severity]
        let threshold = own?.threshold ?? chassis?.threshold ?? ChassisConfig.defaultThreshold(severity)
        let ownActions = own?.actions ?? []
        let chassisActions = chassis?.actions ?? []
        let actions =
            !ownActions.isEmpty ? ownActions : !chassisActions.isEmpty ? chassisActions : ChassisConfig.defaultActions(severity)
        return (threshold, actions)
    }
}
