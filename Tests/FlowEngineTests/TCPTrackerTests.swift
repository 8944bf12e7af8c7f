import FlowtelCore
import JunosConfig
import Packets
import Testing

@testable import FlowEngine

/// The TCP state machine: each state against each kind of segment, and the `tcp-session` knobs.
@Suite("TCP tracker")
struct TCPTrackerTests {
    static let defaults = TCPSessionOptions(flow: FlowSettings.TCPSession())

    static func options(_ edit: (inout FlowSettings.TCPSession) -> Void) -> TCPSessionOptions {
        var flow = FlowSettings.TCPSession()
        edit(&flow)
        return TCPSessionOptions(flow: flow)
    }

    /// A tracker driven to `state` by a normal exchange.
    static func tracker(in state: TCPTracker.State, options: TCPSessionOptions = defaults) -> TCPTracker {
        var tracker = TCPTracker.open(flags: .syn, options: options).tracker!
        if state == .synSent { return tracker }
        _ = tracker.segment(fromClient: false, flags: [.syn, .ack])
        if state == .synReceived { return tracker }
        _ = tracker.segment(fromClient: true, flags: .ack)
        if state == .established { return tracker }
        switch state {
        case .halfClosed(let byClient):
            _ = tracker.segment(fromClient: byClient, flags: [.fin, .ack])
        case .ended(let reason):
            if reason == .tcpFin {
                _ = tracker.segment(fromClient: true, flags: [.fin, .ack])
                _ = tracker.segment(fromClient: false, flags: [.fin, .ack])
            } else {
                _ = tracker.segment(fromClient: reason == .tcpClientRst, flags: .rst)
            }
        default: break
        }
        #expect(tracker.state == state)
        return tracker
    }

    @Test("the first packet: a SYN opens with the initial timeout; anything else is dropped, or picked up mid-stream with no-syn-check")
    func firstPacket() {
        let syn = TCPTracker.open(flags: .syn, options: Self.defaults)
        #expect(syn.tracker?.state == .synSent && syn.verdict == .forward(.seconds(20)))
        for flags: TCPFlags in [.ack, [.syn, .ack], .rst, [.fin, .ack], [.psh, .ack]] {
            let opened = TCPTracker.open(flags: flags, options: Self.defaults)
            #expect(opened.tracker == nil && opened.verdict == .drop(.notSYN))
        }
        let relaxed = Self.options { $0.noSynCheck = true }
        let midStream = TCPTracker.open(flags: [.psh, .ack], options: relaxed)
        #expect(midStream.tracker?.state == .established && midStream.verdict == .forward(.inactivity))
        // A policy's syn-check-required puts the check back.
        var flow = FlowSettings.TCPSession()
        flow.noSynCheck = true
        let required = TCPSessionOptions(flow: flow, permit: PermitOptions(synCheckRequired: true))
        #expect(TCPTracker.open(flags: .ack, options: required).verdict == .drop(.notSYN))
        #expect(TCPTracker.open(flags: .syn, options: Self.options { $0.tcpInitialTimeout = 45 }).verdict == .forward(.seconds(45)))
    }

    @Test("handshake: SYN-ACK, then the client's ACK establishes; retransmissions keep the initial timeout")
    func handshake() {
        var tracker = Self.tracker(in: .synSent)
        #expect(tracker.segment(fromClient: true, flags: .syn) == .forward(.seconds(20)))
        #expect(tracker.state == .synSent)
        #expect(tracker.segment(fromClient: false, flags: [.syn, .ack]) == .forward(.seconds(20)))
        #expect(tracker.state == .synReceived)
        #expect(tracker.segment(fromClient: false, flags: [.syn, .ack]) == .forward(.seconds(20)))
        #expect(tracker.segment(fromClient: true, flags: .ack) == .forward(.inactivity))
        #expect(tracker.state == .established)
        #expect(tracker.segment(fromClient: true, flags: [.psh, .ack], payload: 500) == .forward(.inactivity))
        #expect(tracker.segment(fromClient: false, flags: .ack) == .forward(.inactivity))
    }

    @Test("strict-syn-check drops data before the handshake completes")
    func strict() {
        let strict = Self.options { $0.strictSynCheck = true }
        var sent = Self.tracker(in: .synSent, options: strict)
        #expect(sent.segment(fromClient: true, flags: [.psh, .ack], payload: 10) == .drop(.dataBeforeHandshake))
        #expect(sent.state == .synSent)
        var received = Self.tracker(in: .synReceived, options: strict)
        #expect(received.segment(fromClient: false, flags: [.psh, .ack], payload: 10) == .drop(.dataBeforeHandshake))
        // Without the knob the same segment passes.
        var lenient = Self.tracker(in: .synSent)
        #expect(lenient.segment(fromClient: true, flags: [.psh, .ack], payload: 10) == .forward(.seconds(20)))
    }

    @Test("RST from either side in every open state ends the session with who sent it", arguments: [
        TCPTracker.State.synSent, .synReceived, .established, .halfClosed(byClient: true), .halfClosed(byClient: false),
    ])
    func reset(state: TCPTracker.State) {
        for fromClient in [true, false] {
            var tracker = Self.tracker(in: state)
            let reason: CloseReason = fromClient ? .tcpClientRst : .tcpServerRst
            #expect(tracker.segment(fromClient: fromClient, flags: [.rst, .ack]) == .end(reason, .after(2)))
            #expect(tracker.state == .ended(reason))
            var invalidating = Self.tracker(in: state, options: Self.options { $0.rstInvalidateSession = true })
            #expect(invalidating.segment(fromClient: fromClient, flags: .rst) == .end(reason, .now))
        }
    }

    @Test("FIN from each side ends with TCP FIN, whoever closes first")
    func finishes() {
        for clientFirst in [true, false] {
            var tracker = Self.tracker(in: .established)
            #expect(tracker.segment(fromClient: clientFirst, flags: [.fin, .ack]) == .forward(.inactivity))
            #expect(tracker.state == .halfClosed(byClient: clientFirst))
            // Data and a repeated FIN from the same side keep it half-closed.
            #expect(tracker.segment(fromClient: !clientFirst, flags: [.psh, .ack], payload: 100) == .forward(.inactivity))
            #expect(tracker.segment(fromClient: clientFirst, flags: [.fin, .ack]) == .forward(.inactivity))
            #expect(tracker.segment(fromClient: !clientFirst, flags: [.fin, .ack]) == .end(.tcpFin, .after(2)))
            #expect(tracker.state == .ended(.tcpFin))
        }
    }

    @Test("fin-invalidate-session ends at the first FIN; time-wait-state keeps a closed session")
    func finKnobs() {
        var invalidating = Self.tracker(in: .established, options: Self.options { $0.finInvalidateSession = true })
        #expect(invalidating.segment(fromClient: false, flags: [.fin, .ack]) == .end(.tcpFin, .now))
        var waiting = Self.tracker(in: .halfClosed(byClient: true), options: Self.options { $0.timeWaitState = .sessionTimeout(90) })
        #expect(waiting.segment(fromClient: false, flags: [.fin, .ack]) == .end(.tcpFin, .after(90)))
        var ageing = Self.tracker(in: .halfClosed(byClient: true), options: Self.options { $0.timeWaitState = .sessionAgeout })
        #expect(ageing.segment(fromClient: false, flags: [.fin, .ack]) == .end(.tcpFin, .onInactivity))
        var halfClose = Self.tracker(in: .established, options: Self.options {
            $0.timeWaitState = .sessionTimeout(30)
            $0.timeWaitAppliesToHalfClose = true
        })
        #expect(halfClose.segment(fromClient: true, flags: [.fin, .ack]) == .forward(.seconds(30)))
    }

    @Test("an ended session lets late segments through without keeping itself alive")
    func ended() {
        for reason in [CloseReason.tcpFin, .tcpClientRst, .tcpServerRst] {
            var tracker = Self.tracker(in: .ended(reason))
            #expect(tracker.segment(fromClient: true, flags: .ack) == .forward(.unchanged))
            #expect(tracker.segment(fromClient: false, flags: .rst) == .forward(.unchanged))
            #expect(tracker.state == .ended(reason))
        }
    }

    @Test("inactivity timeouts: term, application, then protocol default; never")
    func timeouts() {
        #expect(InactivityTimeouts.seconds(application: nil, term: nil, ipProtocol: 6) == 1800)
        #expect(InactivityTimeouts.seconds(application: nil, term: nil, ipProtocol: 17) == 60)
        #expect(InactivityTimeouts.seconds(application: nil, term: nil, ipProtocol: 1) == 60)
        #expect(InactivityTimeouts.seconds(application: nil, term: nil, ipProtocol: 47) == 1800)
        let telnet = PredefinedApplications.byName["junos-telnet"]!
        #expect(InactivityTimeouts.seconds(application: telnet, term: telnet.terms[0], ipProtocol: 6) == 28_800)
        let app = Application(
            name: "a", terms: [ApplicationTerm(name: "t", ipProtocol: 6, inactivityTimeout: .seconds(600)), ApplicationTerm(ipProtocol: 17)],
            inactivityTimeout: .never)
        #expect(InactivityTimeouts.seconds(application: app, term: app.terms[0], ipProtocol: 6) == 600)
        #expect(InactivityTimeouts.seconds(application: app, term: app.terms[1], ipProtocol: 17) == nil)
    }
}

/// The sequence check: windows and acknowledgments as both sides advertise them.
@Suite("TCP sequence check")
struct TCPSequenceCheckTests {
    static func options(check: Bool = true) -> TCPSessionOptions {
        var flow = FlowSettings.TCPSession()
        flow.noSequenceCheck = !check
        return TCPSessionOptions(flow: flow)
    }

    /// A handshake: client ISN 1000 (scale 7 offered), server ISN 5000 (scale 2), the client's
    /// ACK, and the server's first scaled window: 512 << 7 = 65,536 bytes for the client,
    /// 1,000 << 2 = 4,000 for the server (the windows of SYNs are never scaled).
    static func established(check: Bool = true) -> TCPTracker {
        let opened = TCPTracker.open(
            flags: [.syn], options: options(check: check),
            segment: TCPSegment(sequence: 1000, acknowledgment: 0, window: 64240, windowScale: 7))
        var tracker = opened.tracker!
        _ = tracker.segment(
            fromClient: false, flags: [.syn, .ack], tcp: TCPSegment(sequence: 5000, acknowledgment: 1001, window: 1000, windowScale: 2))
        _ = tracker.segment(fromClient: true, flags: [.ack], tcp: TCPSegment(sequence: 1001, acknowledgment: 5001, window: 512))
        _ = tracker.segment(fromClient: false, flags: [.ack], tcp: TCPSegment(sequence: 5001, acknowledgment: 1001, window: 1000))
        return tracker
    }

    @Test("data within the receiver's scaled window passes; past it, or acknowledging unsent data, is dropped")
    func windows() {
        var tracker = Self.established()
        // The server advertised 1,000 << 2 = 4,000 bytes: the client may send up to 1001 + 4000.
        #expect(tracker.segment(fromClient: true, flags: [.ack, .psh], payload: 4000, tcp: TCPSegment(sequence: 1001, acknowledgment: 5001, window: 512)) == .forward(.inactivity))
        #expect(tracker.segment(fromClient: true, flags: [.ack, .psh], payload: 100, tcp: TCPSegment(sequence: 5001 + 2, acknowledgment: 5001, window: 512)) == .drop(.outOfWindow))
        // The server acknowledges what the client sent, no more.
        #expect(tracker.segment(fromClient: false, flags: [.ack], tcp: TCPSegment(sequence: 5001, acknowledgment: 5001, window: 1000)) == .forward(.inactivity))
        #expect(tracker.segment(fromClient: false, flags: [.ack], tcp: TCPSegment(sequence: 5001, acknowledgment: 9000, window: 1000)) == .drop(.outOfWindow))
        // The client's window is scaled by 7: the server may send 60,000 bytes at once.
        #expect(tracker.segment(fromClient: false, flags: [.ack, .psh], payload: 60_000, tcp: TCPSegment(sequence: 5001, acknowledgment: 5001, window: 1000)) == .forward(.inactivity))
        // A retransmission of old data passes; data from long before the window does not.
        #expect(tracker.segment(fromClient: true, flags: [.ack], payload: 100, tcp: TCPSegment(sequence: 1001, acknowledgment: 65001, window: 512)) == .forward(.inactivity))
        #expect(tracker.segment(fromClient: true, flags: [.ack], payload: 100, tcp: TCPSegment(sequence: 1001 &- 200_000, acknowledgment: 65001, window: 512)) == .drop(.outOfWindow))
    }

    @Test("a RST outside the window does not end the session; one inside does")
    func blindReset() {
        var tracker = Self.established()
        #expect(tracker.segment(fromClient: false, flags: [.rst], tcp: TCPSegment(sequence: 5001 &+ 1_000_000, acknowledgment: 0, window: 0)) == .drop(.outOfWindow))
        #expect(tracker.state == .established)
        #expect(tracker.segment(fromClient: false, flags: [.rst], tcp: TCPSegment(sequence: 5001, acknowledgment: 0, window: 0)) == .end(.tcpServerRst, .after(TCPTracker.invalidationDelay)))
    }

    @Test("sequence numbers wrap around 2^32")
    func wraparound() {
        let opened = TCPTracker.open(
            flags: [.syn], options: Self.options(), segment: TCPSegment(sequence: UInt32.max - 10, acknowledgment: 0, window: 65535))
        var tracker = opened.tracker!
        _ = tracker.segment(fromClient: false, flags: [.syn, .ack], tcp: TCPSegment(sequence: 7, acknowledgment: UInt32.max - 9, window: 65535))
        #expect(tracker.segment(fromClient: true, flags: [.ack, .psh], payload: 1000, tcp: TCPSegment(sequence: UInt32.max - 9, acknowledgment: 8, window: 65535)) == .forward(.inactivity))
        #expect(tracker.segment(fromClient: false, flags: [.ack], tcp: TCPSegment(sequence: 8, acknowledgment: 990, window: 65535)) == .forward(.inactivity))
    }

    @Test("no-sequence-check lets any sequence through; sequence-check-required turns it back on for a policy")
    func knobs() {
        var tracker = Self.established(check: false)
        #expect(tracker.segment(fromClient: false, flags: [.ack], tcp: TCPSegment(sequence: 1, acknowledgment: 123_456_789, window: 1)) == .forward(.inactivity))
        var flow = FlowSettings.TCPSession()
        flow.noSequenceCheck = true
        #expect(TCPSessionOptions(flow: flow, permit: PermitOptions(sequenceCheckRequired: true)).sequenceCheck)
        #expect(!TCPSessionOptions(flow: flow).sequenceCheck)
    }
}
