/// How much `show security flow session` prints.
public enum SessionView: Int, Hashable, Sendable, CaseIterable {
    /// One header line and the two wing lines per session.
    case standard = 0
    /// `brief`: the same as the default view, as on current Junos releases.
    case brief = 1
    /// `extensive`: timeouts, start time, duration, NAT pool and application too.
    case extensive = 2
}

/// A `ListSessions` request: criteria, view and an optional cap on the sessions returned.
public struct SessionListRequest: Hashable, Sendable {
    /// Which sessions.
    public var query: SessionFilter
    /// The detail the caller will print.
    public var view: SessionView
    /// At most this many sessions over all SPUs; 0 for all (the totals still count every match).
    public var limit: UInt32

    /// Creates a request; by default every session, the default view, no limit.
    public init(query: SessionFilter = SessionFilter(), view: SessionView = .standard, limit: UInt32 = 0) {
        self.query = query
        self.view = view
        self.limit = limit
    }
}
