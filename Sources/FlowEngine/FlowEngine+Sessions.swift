public import FlowtelCore

/// What the engine did with one packet.
public enum PacketDisposition: Hashable, Sendable {
    /// It belonged to session `id`, from the client (true) or from the server.
    case session(id: UInt32, fromClient: Bool)
    /// It created session `id`, permitted by `policy` from `fromZone` to `toZone`.
    case created(id: UInt32, policy: String, fromZone: String, toZone: String)
    /// A deny or reject policy refused it.
    case denied(policy: String, fromZone: String, toZone: String)
    /// It was dropped for `reason` (the key of ``FlowEngineStatistics/packetsDropped``).
    case dropped(String)
}

/// One session as `show security flow session` shows it.
public struct SessionSnapshot: Hashable, Sendable {
    /// Where the session is in its life.
    public enum State: Hashable, Sendable {
        /// Established (or not TCP).
        case valid
        /// A TCP session whose handshake has not completed.
        case pending
        /// Ended; kept a moment for late packets before it is freed.
        case invalidated
    }

    /// The RT_FLOW fields: addresses, ports, NAT, policy, zones, interfaces, id.
    public var info: SessionInfo
    /// The In wing's (client to server) counters.
    public var client: WingCounters
    /// The Out wing's (server to client) counters.
    public var server: WingCounters
    /// When it was created.
    public var start: Timestamp
    /// Its state.
    public var state: State
    /// Seconds until it times out (nil: never).
    public var timeoutRemaining: Int?
    /// Its inactivity timeout in seconds (nil: never).
    public var inactivityTimeout: Int?
    /// The source NAT pool that translated it.
    public var sourceNATPool: String?

    /// Creates a snapshot.
    public init(
        info: SessionInfo, client: WingCounters = WingCounters(), server: WingCounters = WingCounters(),
        start: Timestamp, state: State = .valid, timeoutRemaining: Int? = nil, inactivityTimeout: Int? = nil,
        sourceNATPool: String? = nil
    ) {
        self.info = info
        self.client = client
        self.server = server
        self.start = start
        self.state = state
        self.timeoutRemaining = timeoutRemaining
        self.inactivityTimeout = inactivityTimeout
        self.sourceNATPool = sourceNATPool
    }

    /// Whole seconds from its start to `now`.
    public func duration(at now: Timestamp) -> Int {
        now.unixNanos > start.unixNanos ? Int((now.unixNanos - start.unixNanos) / 1_000_000_000) : 0
    }
}

extension FlowEngine {
    /// Every session in the table at `now`, in session-id order.
    public func sessions(at now: Timestamp) -> [SessionSnapshot] {
        var snapshots: [SessionSnapshot] = []
        snapshots.reserveCapacity(table.count)
        for handle in table.handles {
            guard let session = table[handle] else { continue }
            snapshots.append(snapshot(session, handle: handle, at: now))
        }
        snapshots.sort { $0.info.sessionID < $1.info.sessionID }
        return snapshots
    }

    /// Ends every live session `matches` selects, as `clear security flow session` does: each
    /// closes with reason `CLI` and leaves the table at once. Returns how many were cleared and
    /// their close events.
    public mutating func clearSessions(
        at time: Timestamp, reason: CloseReason = .cli, where matches: (SessionSnapshot) -> Bool
    ) -> (cleared: Int, events: [FlowEvent]) {
        var events = advance(to: time)
        var cleared = 0
        for handle in table.handles {
            guard let session = table[handle], session.ended == nil,
                matches(snapshot(session, handle: handle, at: time))
            else { continue }
            end(handle, reason: reason, removal: .now, at: time, events: &events)
            cleared += 1
        }
        return (cleared, events)
    }

    private func snapshot(_ session: Session, handle: SessionHandle, at now: Timestamp) -> SessionSnapshot {
        let state: SessionSnapshot.State
        if session.ended != nil {
            state = .invalidated
        } else if session.tracker != 0 {
            switch trackers[Int(session.tracker) - 1].state {
            case .synSent, .synReceived: state = .pending
            case .ended: state = .invalidated
            case .established, .halfClosed: state = .valid
            }
        } else {
            state = .valid
        }
        let remaining = table.expiry(handle).map { expiry in
            expiry.unixNanos > now.unixNanos ? Int((expiry.unixNanos - now.unixNanos + 999_999_999) / 1_000_000_000) : 0
        }
        return SessionSnapshot(
            info: names.info(of: session.record), client: session.client, server: session.server, start: session.start, state: state,
            timeoutRemaining: remaining, inactivityTimeout: session.inactivity,
            sourceNATPool: session.sourceNATPool.map { names[$0] })
    }
}
