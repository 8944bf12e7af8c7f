import FlowtelCore
import Packets

/// Builds a session's packets as a time-ordered script of ``Step``s.
///
/// Times model the firewall's point of view: a client packet is followed by the server's
/// answer one server-side round trip later, and a server packet by the client's answer one
/// client-side round trip later. Each side's own packets are at least ``minimumGap`` apart.
struct SessionScript {
    /// The least time between two packets from the same side (1 µs).
    static let minimumGap: UInt64 = 1_000
    static let millisecond: UInt64 = 1_000_000
    static let second: UInt64 = 1_000_000_000

    var steps: [Step]
    let start: UInt64
    /// Round trip from the firewall to the client and back.
    let clientRTT: UInt64
    /// Round trip from the firewall to the server and back.
    let serverRTT: UInt64
    /// How long the server takes to answer a request.
    let serverThink: UInt64
    /// Serialisation time per byte on the slower link (20 Mbit/s to 1 Gbit/s).
    let nanosPerByte: Double

    private var lastClient: UInt64 = 0
    private var lastServer: UInt64 = 0
    private var clientSent = false
    private var serverSent = false
    private let clientTimestampBase: UInt32
    private let serverTimestampBase: UInt32
    /// Each side's TCP segments so far (time at the firewall, TSval), in time order.
    var clientTimestamps: [SentTimestamp] = []
    var serverTimestamps: [SentTimestamp] = []

    init(start: UInt64, _ random: inout GeneratorRandom) {
        steps = []
        self.start = start
        clientRTT = SessionScript.nanos(random.logUniform(0.000_1, 0.002))
        serverRTT = SessionScript.nanos(random.logUniform(0.000_2, 0.040))
        serverThink = SessionScript.nanos(random.logUniform(0.000_05, 0.005))
        nanosPerByte = 8 / random.logUniform(0.02, 1.0)
        clientTimestampBase = random.next32()
        serverTimestampBase = random.next32()
    }

    static func nanos(_ seconds: Double) -> UInt64 { UInt64(seconds * 1e9) }

    /// `base` scaled by 1 ± `spread` at random: per-packet jitter.
    static func jitter(_ base: UInt64, _ spread: Double, _ random: inout GeneratorRandom) -> UInt64 {
        UInt64(Double(base) * (1 + spread * (2 * random.unit() - 1)))
    }

    /// How long a segment of `payload` bytes takes to serialise (headers counted roughly).
    func spacing(_ payload: Int) -> UInt64 { UInt64(Double(payload + 66) * nanosPerByte) }

    var lastTime: UInt64 { max(lastClient, lastServer) }

    /// Appends `step`, moved later if needed so its side's packets stay ``minimumGap`` apart;
    /// returns its time.
    @discardableResult
    mutating func add(_ step: Step) -> UInt64 {
        var step = step
        step.time = slot(step.time, fromClient: step.fromClient)
        steps.append(step)
        return step.time
    }

    private mutating func slot(_ time: UInt64, fromClient: Bool) -> UInt64 {
        if fromClient {
            let time = clientSent ? max(time, lastClient + SessionScript.minimumGap) : time
            lastClient = time
            clientSent = true
            return time
        } else {
            let time = serverSent ? max(time, lastServer + SessionScript.minimumGap) : time
            lastServer = time
            serverSent = true
            return time
        }
    }

    /// Appends a TCP segment with the timestamps option filled in (RFC 7323: TSval from a 1 ms
    /// clock; once an ACK is set, TSecr is the latest TSval of the peer's that has reached the
    /// sender, half the sender's round trip after it passed the firewall); returns its time.
    @discardableResult
    mutating func tcp(
        fromClient: Bool, at time: UInt64, flags: TCPFlags, sequence: UInt32, acknowledgment: UInt32,
        window: UInt16, length: Int = 0, offset: Int = 0, synOptions: Bool = false
    ) -> UInt64 {
        var step = Step(time: slot(time, fromClient: fromClient), kind: .tcp, fromClient: fromClient)
        step.tcpFlags = flags.rawValue
        step.synOptions = synOptions
        step.window = window
        step.sequence = sequence
        step.acknowledgment = flags.contains(.ack) ? acknowledgment : 0
        step.payloadLength = Int32(length)
        step.streamOffset = UInt32(truncatingIfNeeded: offset)
        let clock = UInt32(truncatingIfNeeded: (step.time - start) / SessionScript.millisecond)
        if fromClient {
            step.timestampValue = clientTimestampBase &+ clock
            if flags.contains(.ack) {
                step.timestampEcho = SessionScript.latest(serverTimestamps, reaching: step.time, after: clientRTT / 2)
            }
            clientTimestamps.append(SentTimestamp(time: step.time, value: step.timestampValue))
        } else {
            step.timestampValue = serverTimestampBase &+ clock
            if flags.contains(.ack) {
                step.timestampEcho = SessionScript.latest(clientTimestamps, reaching: step.time, after: serverRTT / 2)
            }
            serverTimestamps.append(SentTimestamp(time: step.time, value: step.timestampValue))
        }
        steps.append(step)
        return step.time
    }

    /// The TSval of the last of `sent` to have arrived `delay` after passing the firewall by
    /// `time`; the first one if none has (a segment that acknowledges anything follows one).
    private static func latest(_ sent: [SentTimestamp], reaching time: UInt64, after delay: UInt64) -> UInt32 {
        guard let first = sent.first else { return 0 }
        // Binary search for the first entry that has not arrived yet.
        var low = 0
        var high = sent.count
        while low < high {
            let middle = (low + high) / 2
            if sent[middle].time + delay <= time { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? first.value : sent[low - 1].value
    }

    /// Orders the steps by time, client first on a tie; each side's steps are already in
    /// order and distinct in time, so this order is total and the result deterministic.
    mutating func finish() {
        steps.sort { $0.time != $1.time ? $0.time < $1.time : $0.fromClient && !$1.fromClient }
    }
}

// MARK: - TCP

extension SessionScript {
    /// A TCP connection: handshake, request, response and close; or, unanswered, a SYN and its
    /// retransmissions after 1, 2 and 4 seconds (Linux's initial RTO of 1 s, doubling); or,
    /// rejected, the SYN alone.
    mutating func tcpConnection(
        _ session: SessionState, requestBytes: Int, responseBytes: Int, close: TrafficFlow.TCPClose,
        _ random: inout GeneratorRandom
    ) {
        let clientISN = random.next32()
        var t = start
        let synWindow: UInt16 = 64_240
        tcp(
            fromClient: true, at: t, flags: .syn, sequence: clientISN, acknowledgment: 0, window: synWindow,
            synOptions: true)
        guard session.expectation == .answered else {
            guard session.expectation == .unanswered else { return }
            var backoff = SessionScript.second
            for _ in 0..<3 {
                t += backoff + UInt64(random.below(5 * SessionScript.millisecond))
                tcp(
                    fromClient: true, at: t, flags: .syn, sequence: clientISN, acknowledgment: 0, window: synWindow,
                    synOptions: true)
                backoff *= 2
            }
            return
        }

        let serverISN = random.next32()
        let clientWindow = UInt16(random.int(500...520))
        let serverWindow = UInt16(random.int(500...1100))
        // The usable payload per segment: the smaller MSS, less the 12-byte timestamps option.
        let segmentSize = Int(min(session.client.mss, session.server.mss)) - 12
        var clientNext = clientISN &+ 1
        var serverNext = serverISN &+ 1

        t = tcp(
            fromClient: false, at: t + SessionScript.jitter(serverRTT, 0.05, &random), flags: [.syn, .ack],
            sequence: serverISN, acknowledgment: clientNext, window: session.server.windowScale == 7 ? 65_160 : 65_535,
            synOptions: true)
        t = tcp(
            fromClient: true, at: t + SessionScript.jitter(clientRTT, 0.05, &random), flags: .ack,
            sequence: clientNext, acknowledgment: serverNext, window: clientWindow)

        // The request, in segments; the server acknowledges every second one (delayed ACK).
        var requestEnd = t
        if requestBytes > 0 {
            t += SessionScript.nanos(random.logUniform(0.000_02, 0.000_5))
            var offset = 0
            var count = 0
            while offset < requestBytes {
                let length = min(segmentSize, requestBytes - offset)
                let last = offset + length == requestBytes
                t = tcp(
                    fromClient: true, at: t, flags: last ? [.psh, .ack] : .ack, sequence: clientNext,
                    acknowledgment: serverNext, window: clientWindow, length: length, offset: offset)
                requestEnd = t
                clientNext &+= UInt32(length)
                offset += length
                count += 1
                if count % 2 == 0 && !last {
                    tcp(
                        fromClient: false, at: t + serverRTT, flags: .ack, sequence: serverNext,
                        acknowledgment: clientNext, window: serverWindow)
                }
                t += spacing(length)
            }
            // A server that thinks longer than a millisecond acknowledges the request first;
            // a quicker one lets its response carry the acknowledgment.
            if serverThink > SessionScript.millisecond || responseBytes == 0 {
                tcp(
                    fromClient: false, at: requestEnd + serverRTT, flags: .ack, sequence: serverNext,
                    acknowledgment: clientNext, window: serverWindow)
            }
        }

        // The response; the client acknowledges every second segment and the last.
        if responseBytes > 0 {
            t = requestEnd + serverRTT + serverThink
            var offset = 0
            var count = 0
            while offset < responseBytes {
                let length = min(segmentSize, responseBytes - offset)
                let last = offset + length == responseBytes
                t = tcp(
                    fromClient: false, at: t, flags: last ? [.psh, .ack] : .ack, sequence: serverNext,
                    acknowledgment: clientNext, window: serverWindow, length: length, offset: offset)
                serverNext &+= UInt32(length)
                offset += length
                count += 1
                if count % 2 == 0 || last {
                    tcp(
                        fromClient: true, at: t + clientRTT, flags: .ack, sequence: clientNext,
                        acknowledgment: serverNext, window: clientWindow)
                }
                t += spacing(length)
            }
        }

        t = lastTime + SessionScript.nanos(random.logUniform(0.000_1, 0.5))
        switch close {
        case .rst:
            tcp(
                fromClient: true, at: t, flags: [.rst, .ack], sequence: clientNext, acknowledgment: serverNext,
                window: 0)
        case .fin where random.chance(0.5):
            t = tcp(
                fromClient: true, at: t, flags: [.fin, .ack], sequence: clientNext, acknowledgment: serverNext,
                window: clientWindow)
            clientNext &+= 1
            t = tcp(
                fromClient: false, at: t + serverRTT, flags: [.fin, .ack], sequence: serverNext,
                acknowledgment: clientNext, window: serverWindow)
            serverNext &+= 1
            tcp(
                fromClient: true, at: t + clientRTT, flags: .ack, sequence: clientNext, acknowledgment: serverNext,
                window: clientWindow)
        case .fin:
            t = tcp(
                fromClient: false, at: t, flags: [.fin, .ack], sequence: serverNext, acknowledgment: clientNext,
                window: serverWindow)
            serverNext &+= 1
            t = tcp(
                fromClient: true, at: t + clientRTT, flags: [.fin, .ack], sequence: clientNext,
                acknowledgment: serverNext, window: clientWindow)
            clientNext &+= 1
            tcp(
                fromClient: false, at: t + serverRTT, flags: .ack, sequence: serverNext, acknowledgment: clientNext,
                window: serverWindow)
        }
    }
}

// MARK: - UDP and ICMP

extension SessionScript {
    /// One UDP request and its response; or, unanswered, the request and one or two retries
    /// after 1 and 2 more seconds; or, rejected, the request alone.
    mutating func udpExchange(
        _ session: SessionState, request: StepKind, response: StepKind, requestBytes: Int, responseBytes: Int,
        _ random: inout GeneratorRandom
    ) {
        var requestStep = Step(time: start, kind: request, fromClient: true)
        requestStep.payloadLength = Int32(requestBytes)
        let sent = add(requestStep)
        guard session.expectation == .answered else {
            guard session.expectation == .unanswered else { return }
            var t = start
            var backoff = SessionScript.second
            for _ in 0..<random.int(1...2) {
                t += backoff + UInt64(random.below(10 * SessionScript.millisecond))
                var retry = requestStep
                retry.time = t
                t = add(retry)
                backoff *= 2
            }
            return
        }
        // A DNS answer may need the server's own recursion: up to 50 ms more.
        let think = request == .dnsQuery && random.chance(0.3) ? SessionScript.nanos(random.logUniform(0.001, 0.05)) : serverThink
        var responseStep = Step(time: sent + serverRTT + think, kind: response, fromClient: false)
        responseStep.payloadLength = Int32(responseBytes)
        responseStep.requestTime = sent
        add(responseStep)
    }

    /// `count` echo requests a second apart, each answered one server round trip later unless
    /// the session is unanswered or rejected.
    mutating func echo(_ session: SessionState, count: Int, _ random: inout GeneratorRandom) {
        var t = start
        for index in 0..<count {
            var request = Step(time: t, kind: .echoRequest, fromClient: true)
            request.sequence = UInt32(index + 1)
            let sent = add(request)
            if session.expectation == .answered {
                var reply = Step(time: sent + SessionScript.jitter(serverRTT, 0.1, &random), kind: .echoReply, fromClient: false)
                reply.sequence = request.sequence
                reply.requestTime = sent
                add(reply)
            }
            // ping's 1 s interval, with a few tens of microseconds of scheduling drift.
            t = sent + SessionScript.second + UInt64(random.below(100_000))
        }
    }
}
