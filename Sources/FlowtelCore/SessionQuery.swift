/// The criteria of `show security flow session` and `clear security flow session`: the
/// subscription criteria plus the filters that only exist for the session table.
///
/// flowtel has no IDP and no resource manager (ALG gates): with ``idpOnly`` or
/// ``resourceManagerOnly`` set, no session matches, as on an SRX where neither is in use.
public struct SessionQuery: Hashable, Sendable {
    /// The criteria shared with subscriptions.
    public var filter: SessionFilter
    /// `idp`: only sessions inspected by IDP.
    public var idpOnly: Bool
    /// `resource-manager`: only sessions holding resource-manager resources.
    public var resourceManagerOnly: Bool
    /// `tunnel`: only sessions with a wing on a tunnel interface.
    public var tunnelOnly: Bool

    /// A query; with no arguments it matches every session.
    public init(
        filter: SessionFilter = SessionFilter(), idpOnly: Bool = false, resourceManagerOnly: Bool = false,
        tunnelOnly: Bool = false
    ) {
        self.filter = filter
        self.idpOnly = idpOnly
        self.resourceManagerOnly = resourceManagerOnly
        self.tunnelOnly = tunnelOnly
    }

    /// True when no criterion is set.
    public var isEmpty: Bool { self == SessionQuery() }

    /// Whether `interface` is a tunnel interface (`st0.1`, `gr-0/0/0.0`, `ip-0/0/0.0`,
    /// `lt-0/0/0.1`): what the `tunnel` filter looks for on either wing.
    public static func isTunnelInterface(_ interface: String) -> Bool {
        interface.hasPrefix("st0") || interface.hasPrefix("gr-") || interface.hasPrefix("ip-")
            || interface.hasPrefix("lt-")
    }
}

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
    public var query: SessionQuery
    /// The detail the caller will print.
    public var view: SessionView
    /// At most this many sessions over all SPUs; 0 for all (the totals still count every match).
    public var limit: UInt32

    /// Creates a request; by default every session, the default view, no limit.
    public init(query: SessionQuery = SessionQuery(), view: SessionView = .standard, limit: UInt32 = 0) {
        self.query = query
        self.view = view
        self.limit = limit
    }
}
