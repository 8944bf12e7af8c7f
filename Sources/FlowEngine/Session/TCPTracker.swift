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
    /// Sequence check (off with `no-sequence-check`, on again for a policy with `tcp-options
    /// sequence-check-required`): segments outside the receiver's window are dropped.
    public var sequenceCheck: Bool
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
        sequenceCheck = !flow.noSequenceCheck || permit.sequenceCheckRequired
        rstInvalidatesSession = flow.rstInvalidateSession
        finInvalidatesSession = flow.finInvalidateSession
        initialTimeout = flow.tcpInitialTimeout
        timeWait = flow.timeWaitState
        timeWaitAppliesToHalfClose = flow.timeWaitAppliesToHalfClose
    }
}

/// What a segment's header says about sequence space.
public struct TCPSegment: Hashable, Sendable {
    /// Sequence number.
    public var sequence: UInt32
    /// Acknowledgment number (meaningful with ACK).
    public var acknowledgment: UInt32
    /// Advertised window, unscaled.
    public var window: UInt16
    /// The window-scale option of a SYN.
    public var windowScale: UInt8?

    /// Creates a segment description.
    public init(sequence: UInt32, acknowledgment: UInt32, window: UInt16, windowScale: UInt8? = nil) {
        self.sequence = sequence
        self.acknowledgment = acknowledgment
        self.window = window
        self.windowScale = windowScale
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
        /// A segment outside the receiver's window, or acknowledging data never sent (sequence
        /// check).
        case outOfWindow = "TCP sequence number out of window"
    }

    /// One side of the connection, as its segments show it (sequence numbers wrap: compared
    /// modulo 2^32).
    private struct Edge: Hashable, Sendable {
        /// Seen a segment from this side.
        var known = false
        /// The sequence number after the last byte (SYN and FIN count one) it sent.
        var end: UInt32 = 0
        /// The highest sequence number it may send: the other side's ack plus its window.
        var maxEnd: UInt32 = 0
        /// True once the other side acknowledged something (``maxEnd`` is meaningful).
        var bounded = false
        /// The largest window it advertised, scaled.
        var maxWindow: UInt32 = 0
        /// Its window-scale shift (0 unless both SYNs carried the option).
        var scale: UInt8 = 0
        /// The shift its SYN offered.
        var offeredScale: UInt8?
    }

    private var client = Edge()
    private var server = Edge()
    /// True when the session was picked up mid-stream (`no-syn-check`): windows unknown, no
    /// sequence check.
    private var pickedUp = false

    /// The state.
    public private(set) var state: State
    /// The options in force.
    public let options: TCPSessionOptions

    /// A tracker for a flow's first segment, or why no session opens (`tracker` nil).
    public static func open(
        flags: TCPFlags, options: TCPSessionOptions, segment: TCPSegment? = nil, payload: Int = 0
    ) -> (tracker: TCPTracker?, verdict: Verdict) {
        if flags.contains(.syn), !flags.contains(.ack), !flags.contains(.rst) {
            var tracker = TCPTracker(state: .synSent, options: options)
            if let segment { tracker.record(segment, flags: flags, payload: payload, fromClient: true) }
            return (tracker, .forward(.seconds(options.initialTimeout)))
        }
        guard !options.synCheck else { return (nil, .drop(.notSYN)) }
        var tracker = TCPTracker(state: .established, options: options)
        tracker.pickedUp = true
        return (tracker, .forward(.inactivity))
    }

    private init(state: State, options: TCPSessionOptions) {
        self.state = state
        self.options = options
    }

    /// Applies a later segment of the session: from the client (`fromClient`) or the server,
    /// carrying `payload` bytes of data.
    public mutating func segment(fromClient: Bool, flags: TCPFlags, payload: Int = 0, tcp: TCPSegment? = nil) -> Verdict {
        if case .ended = state { return .forward(.unchanged) }
        if let tcp, options.sequenceCheck, !pickedUp {
            guard inWindow(tcp, flags: flags, payload: payload, fromClient: fromClient) else { return .drop(.outOfWindow) }
            record(tcp, flags: flags, payload: payload, fromClient: fromClient)
        }
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

    // MARK: - Sequence check

    /// The window checks of a segment (after Rooij's "Real stateful TCP packet filtering",
    /// as stateful firewalls apply them): its data must end within what the receiver's
    /// acknowledgments and windows allow, must not start more than a window before what the
    /// sender already sent, and its acknowledgment must not cover data the receiver never sent
    /// nor lag more than a window behind.
    private func inWindow(_ tcp: TCPSegment, flags: TCPFlags, payload: Int, fromClient: Bool) -> Bool {
        let sender = fromClient ? client : server
        let receiver = fromClient ? server : client
        guard sender.known, receiver.known else { return true }
        let end = Self.end(of: tcp, flags: flags, payload: payload)
        // A zero-window probe may send one byte past the window.
        if sender.bounded, Self.after(end, sender.maxEnd &+ 1) { return false }
        let oldest = sender.end &- max(receiver.maxWindow, 1) &- 1
        if Self.after(oldest, end) { return false }
        if flags.contains(.ack) {
            if Self.after(tcp.acknowledgment, receiver.end) { return false }
            let lag = max(sender.maxWindow, receiver.maxWindow, 66_000)
            if Self.after(receiver.end &- lag, tcp.acknowledgment) { return false }
        }
        return true
    }

    /// Updates the sides' edges with an accepted segment.
    private mutating func record(_ tcp: TCPSegment, flags: TCPFlags, payload: Int, fromClient: Bool) {
        // The edges changed where they lie, not copied out and back.
        if fromClient {
            Self.record(tcp, flags: flags, payload: payload, sender: &client, receiver: &server)
        } else {
            Self.record(tcp, flags: flags, payload: payload, sender: &server, receiver: &client)
        }
    }

    @inline(__always)
    private static func record(
        _ tcp: TCPSegment, flags: TCPFlags, payload: Int, sender: inout Edge, receiver: inout Edge
    ) {
        let end = Self.end(of: tcp, flags: flags, payload: payload)
        if !sender.known {
            sender.known = true
            sender.end = end
            sender.offeredScale = flags.contains(.syn) ? tcp.windowScale : nil
            if flags.contains(.syn), flags.contains(.ack), let offered = receiver.offeredScale, let own = tcp.windowScale {
                // Scaling is on when both SYNs offered it (RFC 7323).
                sender.scale = min(own, 14)
                receiver.scale = min(offered, 14)
            }
        } else if Self.after(end, sender.end) {
            sender.end = end
        }
        // Windows in SYN segments are never scaled.
        let window = UInt32(tcp.window) << (flags.contains(.syn) ? 0 : UInt32(sender.scale))
        sender.maxWindow = max(sender.maxWindow, window)
        if flags.contains(.ack) {
            let limit = tcp.acknowledgment &+ max(window, 1)
            if !receiver.bounded || Self.after(limit, receiver.maxEnd) { receiver.maxEnd = limit }
            receiver.bounded = true
        }
    }

    private static func end(of tcp: TCPSegment, flags: TCPFlags, payload: Int) -> UInt32 {
        var end = tcp.sequence &+ UInt32(truncatingIfNeeded: max(0, payload))
        if flags.contains(.syn) { end &+= 1 }
        if flags.contains(.fin) { end &+= 1 }
        return end
    }

    /// `a` comes after `b` in sequence space.
    private static func after(_ a: UInt32, _ b: UInt32) -> Bool {
        Int32(bitPattern: a &- b) > 0
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
