public import FlowtelCore
public import JunosConfig

/// The threshold and actions in force for one severity on one FPC, and when they fire.
///
/// Junos semantics: fatal and major act **once**, when the count first reaches the threshold
/// (again only after the FPC's counters restart); minor acts **every time** the count reaches
/// another multiple of the threshold; a minor threshold of 0 never acts.
public struct ThresholdRule: Hashable, Sendable {
    /// Severity.
    public var severity: Severity
    /// Threshold (occurrences); 0 never acts (minor only).
    public var threshold: UInt64
    /// Actions, in configured order.
    public var actions: [FpcAction]

    /// A rule.
    public init(severity: Severity, threshold: UInt64, actions: [FpcAction]) {
        self.severity = severity
        self.threshold = threshold
        self.actions = actions
    }

    /// The rule in force for `severity` on `slot`: the slot's own `chassis fpc N error`
    /// settings, else the chassis-wide `chassis error` ones, else the Junos defaults (fatal 1,
    /// major 1, minor 10), threshold and actions resolved independently.
    public init(config: ChassisConfig, slot: Int, severity: Severity) {
        let (threshold, actions) = config.effectiveSetting(slot: slot, severity: ChassisErrorSeverity(severity))
        var mapped: [FpcAction] = []
        for action in actions {
            let fpcAction = FpcAction(action)
            if !mapped.contains(fpcAction) { mapped.append(fpcAction) }
        }
        self.init(severity: severity, threshold: UInt64(threshold), actions: mapped)
    }

    /// The counts in `(from, to]` at which the rule fires, given whether a once-only rule has
    /// fired already since the counters last restarted.
    public func firings(from: UInt64, to: UInt64, firedOnce: Bool) -> [UInt64] {
        guard threshold > 0, to > from else { return [] }
        switch severity {
        case .fatal, .major:
            return !firedOnce && from < threshold && to >= threshold ? [threshold] : []
        case .minor:
            // Every multiple of the threshold in (from, to]; a burst may cross several.
            var counts: [UInt64] = []
            var multiple = (from / threshold + 1) * threshold
            while multiple <= to {
                counts.append(multiple)
                multiple += threshold
            }
            return counts
        }
    }
}

extension ChassisErrorSeverity {
    /// The configuration's name for `severity`.
    public init(_ severity: Severity) {
        switch severity {
        case .fatal: self = .fatal
        case .major: self = .major
        case .minor: self = .minor
        }
    }
}

extension FpcAction {
    /// What a configured action does in flowtel. An FPC and its PFE are one piece of software
    /// here, so the `-pfe` variants act on the FPC: `disable-pfe` and `offline-pfe` take it
    /// offline, `reset-pfe` resets it.
    public init(_ action: ChassisErrorAction) {
        switch action {
        case .alarm: self = .alarm
        case .log: self = .log
        case .getState: self = .getState
        case .reset, .resetPFE: self = .reset
        case .offline, .offlinePFE, .disablePFE: self = .offline
        case .trap: self = .trap
        }
    }
}
