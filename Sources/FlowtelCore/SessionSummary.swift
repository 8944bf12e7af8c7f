/// The counters of `show security flow session summary`, named after the Junos XML tags.
///
/// Sessions-in-use is the sum of the four state counts; invalidated sessions still count until
/// they are freed.
public struct SessionSummary: Hashable, Sendable {
    /// `Unicast-sessions`: live (valid or pending) sessions to a unicast destination.
    public var unicastSessions: UInt64
    /// `Multicast-sessions`: live sessions to a multicast destination.
    public var multicastSessions: UInt64
    /// `Services-offload-sessions` (always 0: flowtel offloads nothing).
    public var servicesOffloadSessions: UInt64
    /// `Failed-sessions`: first packets for which no session could be created.
    public var failedSessions: UInt64
    /// `Sessions-in-drop-flow` (always 0: flowtel keeps no drop-flow entries).
    public var dropFlowSessions: UInt64
    /// `Valid sessions`.
    public var validSessions: UInt64
    /// `Pending sessions`.
    public var pendingSessions: UInt64
    /// `Invalidated sessions`.
    public var invalidatedSessions: UInt64
    /// `Sessions in other states`.
    public var otherSessions: UInt64
    /// `Maximum-sessions`: the session-table capacity.
    public var maximumSessions: UInt64

    /// Creates a summary; every counter defaults to 0.
    public init(
        unicastSessions: UInt64 = 0, multicastSessions: UInt64 = 0, servicesOffloadSessions: UInt64 = 0,
        failedSessions: UInt64 = 0, dropFlowSessions: UInt64 = 0, validSessions: UInt64 = 0,
        pendingSessions: UInt64 = 0, invalidatedSessions: UInt64 = 0, otherSessions: UInt64 = 0,
        maximumSessions: UInt64 = 0
    ) {
        self.unicastSessions = unicastSessions
        self.multicastSessions = multicastSessions
        self.servicesOffloadSessions = servicesOffloadSessions
        self.failedSessions = failedSessions
        self.dropFlowSessions = dropFlowSessions
        self.validSessions = validSessions
        self.pendingSessions = pendingSessions
        self.invalidatedSessions = invalidatedSessions
        self.otherSessions = otherSessions
        self.maximumSessions = maximumSessions
    }

    /// `Sessions-in-use`: every session in the table, whatever its state.
    public var sessionsInUse: UInt64 { validSessions + pendingSessions + invalidatedSessions + otherSessions }
}
