public import FlowtelCore

/// Generates realistic, deterministic firewall traffic from a ``TrafficPlan``: Ethernet frames
/// with timestamps, in time order, of many concurrent sessions interleaved.
///
/// Sessions start as a Poisson process at ``sessionsPerSecond`` (the first exactly at
/// ``start``); each follows a ``TrafficFlow`` chosen by weight and plays out as real hosts do,
/// seen from the firewall: TCP handshakes with MSS, SACK-permitted, timestamps and window scale
/// options, requests and responses in MSS-sized segments with delayed ACKs, FIN or RST teardown;
/// DNS and NTP exchanges with real messages; ICMP and ICMPv6 echo; and, for flows a policy
/// denies or rejects, what the client sends when no answer (retries) or a refusal comes.
/// Round-trip times (0.1-2 ms to the client, 0.2-40 ms to the server), server think times and
/// link speeds vary per session. Every checksum is correct; frames carry their endpoint's VLAN
/// tag and MAC addresses.
///
/// The output depends only on the plan, ``seed``, ``sessionCount``, ``start`` and
/// ``sessionsPerSecond``: the same inputs give the same bytes on every run and platform (the
/// generator has its own random number generator and computes its own logarithms). A
/// session's content depends only on the plan, the seed and its number, so changing the rate
/// moves sessions in time without changing them.
///
/// ```swift
/// var generator = try TrafficGenerator(
///     plan: plan, seed: 42, sessions: 10_000, start: Timestamp(unixNanos: 1_764_000_000_000_000_000),
///     sessionsPerSecond: 500)
/// var frame: [UInt8] = []
/// while let info = generator.next(into: &frame) { try writer.append(timestamp: info.timestamp, bytes: frame) }
/// print(generator.summary)
/// ```
///
/// A generator is a value used from one thread at a time; copies continue independently.
/// ``next(into:)`` allocates nothing once the number of concurrent sessions stops growing.
public struct TrafficGenerator: Sendable {
    /// The seed every random choice derives from.
    public let seed: UInt64
    /// How many sessions are generated in all.
    public let sessionCount: Int
    /// When the first session starts.
    public let start: Timestamp
    /// The mean rate at which sessions start.
    public let sessionsPerSecond: Double
    /// What has been generated so far: sessions (counted when they start), packets and bytes.
    public private(set) var summary: TrafficSummary

    private let prepared: PreparedPlan
    private var arrivals: GeneratorRandom
    private var nextArrival: UInt64
    private var started = 0
    private var slots: [SessionState] = []
    private var freeSlots: [Int] = []
    /// A binary min-heap of each active session's next packet, ordered by time, then session.
    private var heap: [HeapEntry] = []

    private struct HeapEntry: Sendable {
        var time: UInt64
        var serial: Int
        var slot: Int

        static func < (lhs: HeapEntry, rhs: HeapEntry) -> Bool {
            lhs.time != rhs.time ? lhs.time < rhs.time : lhs.serial < rhs.serial
        }
    }

    /// Creates a generator.
    ///
    /// - Parameters:
    ///   - plan: the endpoints and session templates; checked with ``TrafficPlan/validate()``.
    ///   - seed: selects one of the possible outputs.
    ///   - sessions: how many sessions to generate (0 or more; `Int.max` for a source that
    ///     never ends).
    ///   - start: when the first session starts.
    ///   - sessionsPerSecond: the mean rate at which sessions start (positive, finite).
    /// - Throws: ``TrafficPlanError`` when the plan is invalid.
    public init(
        plan: TrafficPlan, seed: UInt64, sessions: Int, start: Timestamp, sessionsPerSecond: Double
    ) throws(TrafficPlanError) {
        precondition(sessions >= 0, "the session count must not be negative")
        precondition(sessionsPerSecond > 0 && sessionsPerSecond.isFinite, "the session rate must be positive")
        prepared = try PreparedPlan(plan)
        self.seed = seed
        sessionCount = sessions
        self.start = start
        self.sessionsPerSecond = sessionsPerSecond
        arrivals = GeneratorRandom(seed: seed, stream: UInt64.max)
        nextArrival = start.unixNanos
        summary = TrafficSummary(flowCount: plan.flows.count)
    }

    /// The plan sessions follow.
    public var plan: TrafficPlan { prepared.plan }

    /// How many sessions have started.
    public var sessionsStarted: Int { started }

    /// How many sessions have started and not yet sent their last packet.
    public var activeSessions: Int { heap.count }

    /// True once every session has sent its last packet.
    public var isFinished: Bool { started == sessionCount && heap.isEmpty }

    /// Writes the next frame (in timestamp order) into `frame`, replacing its contents and
    /// reusing its capacity; returns when and where it passes, or nil when every session has
    /// ended.
    ///
    /// Frames are Ethernet (``Packets/LinkType/ethernet``) without FCS, at least 60 bytes.
    public mutating func next(into frame: inout [UInt8]) -> GeneratedPacketInfo? {
        while started < sessionCount && (heap.isEmpty || nextArrival <= heap[0].time) {
            startSession()
        }
        guard let top = heap.first else { return nil }

        let slot = top.slot
        let step = slots[slot].steps[slots[slot].cursor]
        let length = FrameWriter.write(step, of: &slots[slot], into: &frame)
        let info = GeneratedPacketInfo(
            timestamp: Timestamp(unixNanos: step.time),
            direction: step.fromClient ? .clientToServer : .serverToClient,
            endpoint: step.fromClient ? slots[slot].client.endpoint : slots[slot].server.endpoint,
            session: top.serial, flow: slots[slot].flow)
        summary.count(packetOfLength: length, fromClient: step.fromClient, at: info.timestamp)

        slots[slot].cursor += 1
        let cursor = slots[slot].cursor
        if cursor < slots[slot].steps.count {
            heap[0].time = slots[slot].steps[cursor].time
            siftDown(0)
        } else {
            freeSlots.append(slot)
            let last = heap.removeLast()
            if !heap.isEmpty {
                heap[0] = last
                siftDown(0)
            }
        }
        return info
    }

    private mutating func startSession() {
        let serial = started
        started += 1
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
        } else {
            slot = slots.count
            slots.append(SessionState())
        }
        slots[slot].begin(serial: serial, start: nextArrival, seed: seed, plan: prepared)
        summary.count(
            session: TrafficSessionKind(application: slots[slot].application, expectation: slots[slot].expectation),
            flow: slots[slot].flow, isV4: slots[slot].isV4)
        push(HeapEntry(time: slots[slot].steps[0].time, serial: serial, slot: slot))
        let gap = arrivals.exponential(mean: 1 / sessionsPerSecond)
        nextArrival += UInt64(Swift.min(gap * 1e9, 1e15))
    }

    private mutating func push(_ entry: HeapEntry) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child] < heap[parent] else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ index: Int) {
        var parent = index
        let count = heap.count
        while true {
            let left = 2 * parent + 1
            guard left < count else { return }
            let right = left + 1
            let smaller = right < count && heap[right] < heap[left] ? right : left
            guard heap[smaller] < heap[parent] else { return }
            heap.swapAt(smaller, parent)
            parent = smaller
        }
    }
}

extension TrafficGenerator: Sequence, IteratorProtocol {
    /// The next packet with its own copy of the frame bytes; see ``next(into:)``, which reuses
    /// one buffer and is the one to use at high rates.
    public mutating func next() -> GeneratedPacket? {
        var frame: [UInt8] = []
        guard let info = next(into: &frame) else { return nil }
        return GeneratedPacket(info: info, frame: frame)
    }
}

/// Where a generated frame belongs: when it passes the firewall, in which direction, on which
/// endpoint, and the session and flow it is part of.
public struct GeneratedPacketInfo: Hashable, Sendable {
    /// When the frame passes the firewall.
    public var timestamp: Timestamp
    /// Which way it travels.
    public var direction: TrafficDirection
    /// The index in ``TrafficPlan/endpoints`` of the endpoint it arrives from (its ingress
    /// interface).
    public var endpoint: Int
    /// The session's number, from 0 in the order sessions start.
    public var session: Int
    /// The index in ``TrafficPlan/flows`` of the template the session follows.
    public var flow: Int

    /// Creates packet information.
    public init(timestamp: Timestamp, direction: TrafficDirection, endpoint: Int, session: Int, flow: Int) {
        self.timestamp = timestamp
        self.direction = direction
        self.endpoint = endpoint
        self.session = session
        self.flow = flow
    }
}

/// Which way a generated packet travels.
public enum TrafficDirection: Hashable, Sendable {
    /// From the session's client (initiator) to its server.
    case clientToServer
    /// From the server back to the client.
    case serverToClient
}

/// A generated frame and where it belongs.
public struct GeneratedPacket: Hashable, Sendable {
    /// When, where and which session.
    public var info: GeneratedPacketInfo
    /// The Ethernet frame, without FCS.
    public var frame: [UInt8]

    /// Creates a generated packet.
    public init(info: GeneratedPacketInfo, frame: [UInt8]) {
        self.info = info
        self.frame = frame
    }

    /// When the frame passes the firewall.
    public var timestamp: Timestamp { info.timestamp }
}
