public import FlowtelCore
public import JunosConfig
public import Packets

/// The `security flow tcp-session` knobs and the policy's `tcp-options` that apply to one
/// session.
public struct TCPSessionOptions: Hashable, Sendable {
    /// The first packet must be a SYN (off with `no-syn-check`, on again for a policy with
    /// `tcp-options syn-check-required`).
    public var synCheck: Bool
    /// `strict-syn-check`: no data before the handshake completes.
    public var strictSynCheck: Bool
    /// `rst-invalidate-session`: a RST ends the session at once.
    public var rstInvalidatesSession: Bool
    /// `fin-invalidate-session`: the first FIN ends the session at once.
    public var finInvalidatesSession: Bool
    /// `tcp-initial-timeout`, seconds: the timeout until the handshake completes.
    public var initialTimeout: Int
    /// `time-wait-state`: keep a closed session (nil: end it after the invalidation delay).
    public var timeWait: FlowSettings.TimeWaitState?
    /// `time-wait-state apply-to-half-close-state`: a half-closed session already waits.
    public var timeWaitAppliesToHalfClose: Bool

    /// The options of `flow` for a session its policy permitted with `permit`.
    public init(flow: FlowSettings.TCPSession, permit: PermitOptions = PermitOptions()) {
        synCheck = !flow.noSynCheck || permit.synCheckRequired
        strictSynCheck = flow.strictSynCheck
        rstInvalidatesSession = flow.rstInvalidateSession
        finInvalidatesSession = flow.finInvalidateSession
        initialTimeout = flow.tcpInitialTimeout
        timeWait = flow.timeWaitState
        timeWaitAppliesToHalfClose = flow.timeWaitAppliesToHalfClose
    }
}

/// The TCP state of one session, driven by the segments of both wings.
///
/// flowtel's model of the SRX's behaviour: a session opens on a SYN (any first segment with
/// `no-syn-check`, picked up as established); it is established when the client acknowledges
/// the server's SYN-ACK; a FIN from each side, or a RST from either, ends it with `TCP FIN`,
/// `TCP CLIENT RST` or `TCP SERVER RST`. An ended session is kept for ``invalidationDelay``
/// seconds (retransmitted FINs and RSTs still match it) before it is removed, unless
/// `rst-invalidate-session` / `fin-invalidate-session` end it at once or `time-wait-state`
/// keeps it longer. Until the handshake completes the session uses `tcp-initial-timeout`.
public struct TCPTracker: Hashable, Sendable {
    /// Seconds an ended session is kept before it is removed (an SRX shows such sessions
    /// with a 2-second timeout).
    public static let invalidationDelay = 2

    /// Where the connection is.
    public enum State: Hashable, Sendable {
        /// The client's SYN was seen.
        case synSent
        /// The server answered SYN-ACK.
        case synReceived
        /// The handshake completed (or, with `no-syn-check`, a mid-stream first segment).
        case established
        /// One side sent FIN (true: the client).
        case halfClosed(byClient: Bool)
        /// Ended, with its reason; kept until it is removed.
        case ended(CloseReason)
    }

    /// The session's timeout after a segment.
    public enum Timeout: Hashable, Sendable {
        /// The application's or protocol's inactivity timeout.
        case inactivity
        /// This many seconds from now.
        case seconds(Int)
        /// As it was (a late segment of an ended session does not keep it alive).
        case unchanged
    }

    /// When an ended session is removed.
    public enum Removal: Hashable, Sendable {
        /// At once.
        case now
        /// This many seconds from now.
        case after(Int)
        /// When it has been idle for its inactivity timeout (`time-wait-state session-ageout`).
        case onInactivity
    }

    /// What the session does with a segment.
    public enum Verdict: Hashable, Sendable {
        /// Forward it, with the session's new timeout.
        case forward(Timeout)
        /// Drop it and count it; the session stays as it was.
        case drop(DropReason)
        /// Forward it; the session has ended with this reason and is removed as said.
        case end(CloseReason, Removal)
    }

    /// Why a segment is dropped.
    public enum DropReason: String, Hashable, Sendable {
        /// A first segment that is not a SYN (SYN check on).
        case notSYN = "non-SYN first packet"
        /// Data before the handshake completed (`strict-syn-check`).
        case dataBeforeHandshake = "data before handshake"
    }

    /// The state.
    public private(set) var state: State
    /// The options in force.
    public let options: TCPSessionOptions

    /// A tracker for a flow's first segment, or why no session opens (`tracker` nil).
    public static func open(flags: TCPFlags, options: TCPSessionOptions) -> (tracker: TCPTracker?, verdict: Verdict) {
        if flags.contains(.syn), !flags.contains(.ack), !flags.contains(.rst) {
            return (TCPTracker(state: .synSent, options: options), .forward(.seconds(options.initialTimeout)))
        }
        guard !options.synCheck else { return (nil, .drop(.notSYN)) }
        return (TCPTracker(state: .established, options: options), .forward(.inactivity))
    }

    private init(state: State, options: TCPSessionOptions) {
        self.state = state
        self.options = options
    }

    /// Applies a later segment of the session: from the client (`fromClient`) or the server,
    /// carrying `payload` bytes of data.
    public mutating func segment(fromClient: Bool, flags: TCPFlags, payload: Int = 0) -> Verdict {
        if case .ended = state { return .forward(.unchanged) }
        if flags.contains(.rst) {
            let reason: CloseReason = fromClient ? .tcpClientRst : .tcpServerRst
            state = .ended(reason)
            return .end(reason, options.rstInvalidatesSession ? .now : .after(Self.invalidationDelay))
        }
        switch state {
        case .synSent:
            if !fromClient, flags.contains(.syn), flags.contains(.ack) {
                state = .synReceived
                return .forward(.seconds(options.initialTimeout))
            }
            return handshakeSegment(payload: payload)
        case .synReceived:
            if fromClient, flags.contains(.ack), !flags.contains(.syn) {
                // The ACK completing the handshake (data may ride on it).
                state = .established
                return fin(fromClient: fromClient, flags: flags) ?? .forward(.inactivity)
            }
            return handshakeSegment(payload: payload)
        case .established:
            return fin(fromClient: fromClient, flags: flags) ?? .forward(.inactivity)
        case .halfClosed(let byClient):
            if flags.contains(.fin), fromClient != byClient {
                state = .ended(.tcpFin)
                return .end(.tcpFin, closedRemoval)
            }
            return .forward(halfClosedTimeout)
        case .ended:
            return .forward(.unchanged)
        }
    }

    /// A segment before the handshake completed: retransmissions keep the initial timeout;
    /// data is dropped under `strict-syn-check`.
    private func handshakeSegment(payload: Int) -> Verdict {
        if payload > 0, options.strictSynCheck { return .drop(.dataBeforeHandshake) }
        return .forward(.seconds(options.initialTimeout))
    }

    /// A FIN in an established connection, if the segment carries one.
    private mutating func fin(fromClient: Bool, flags: TCPFlags) -> Verdict? {
        guard flags.contains(.fin) else { return nil }
        if options.finInvalidatesSession {
            state = .ended(.tcpFin)
            return .end(.tcpFin, .now)
        }
        state = .halfClosed(byClient: fromClient)
        return .forward(halfClosedTimeout)
    }

    /// When a connection closed by FINs is removed: `time-wait-state session-timeout N` keeps
    /// it N seconds, `session-ageout` until it ages out, otherwise the invalidation delay.
    private var closedRemoval: Removal {
        switch options.timeWait {
        case .sessionTimeout(let seconds): .after(seconds)
        case .sessionAgeout: .onInactivity
        case nil: .after(Self.invalidationDelay)
        }
    }

    /// The timeout while half-closed: the time-wait timeout when it applies to half-closed
    /// connections, else the inactivity timeout.
    private var halfClosedTimeout: Timeout {
        guard options.timeWaitAppliesToHalfClose, case .sessionTimeout(let seconds) = options.timeWait else {
            return .inactivity
        }
        return .seconds(seconds)
    }
}
