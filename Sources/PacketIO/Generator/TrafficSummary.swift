public import FlowtelCore

/// A kind of session, as statistics count them: the application and whether it is answered.
public struct TrafficSessionKind: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The application.
    public var application: TrafficFlow.ApplicationKind
    /// Answered, or dropped by the firewall.
    public var expectation: TrafficFlow.Expectation

    /// Creates a session kind.
    public init(application: TrafficFlow.ApplicationKind, expectation: TrafficFlow.Expectation) {
        self.application = application
        self.expectation = expectation
    }

    /// By application, then expectation, for reports.
    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.application, lhs.expectation) < (rhs.application, rhs.expectation)
    }

    /// `dns answered`.
    public var description: String { "\(application.rawValue) \(expectation.rawValue)" }
}

/// What a ``TrafficGenerator`` has generated: sessions by kind, family and flow, packets and
/// bytes by direction, and the time span.
public struct TrafficSummary: Hashable, Sendable, CustomStringConvertible {
    /// Sessions started.
    public var sessions = 0
    /// Sessions started, by kind; kinds with none are absent.
    public var sessionsByKind: [TrafficSessionKind: Int] = [:]
    /// Sessions started, by index in ``TrafficPlan/flows``.
    public var sessionsByFlow: [Int]
    /// Sessions over IPv4.
    public var ipv4Sessions = 0
    /// Sessions over IPv6.
    public var ipv6Sessions = 0
    /// Frames generated.
    public var packets = 0
    /// Frames from clients to servers.
    public var clientToServerPackets = 0
    /// Frames from servers to clients.
    public var serverToClientPackets = 0
    /// Frame bytes generated (Ethernet headers and padding included, no FCS).
    public var bytes = 0
    /// The first frame's timestamp; nil before any.
    public var firstTimestamp: Timestamp?
    /// The last frame's timestamp; nil before any.
    public var lastTimestamp: Timestamp?

    /// An empty summary for a plan of `flowCount` flows.
    public init(flowCount: Int) {
        sessionsByFlow = Array(repeating: 0, count: flowCount)
    }

    /// Sessions of one application and expectation.
    public func sessions(_ application: TrafficFlow.ApplicationKind, _ expectation: TrafficFlow.Expectation) -> Int {
        sessionsByKind[TrafficSessionKind(application: application, expectation: expectation)] ?? 0
    }

    mutating func count(session kind: TrafficSessionKind, flow: Int, isV4: Bool) {
        sessions += 1
        sessionsByKind[kind, default: 0] += 1
        sessionsByFlow[flow] += 1
        if isV4 { ipv4Sessions += 1 } else { ipv6Sessions += 1 }
    }

    mutating func count(packetOfLength length: Int, fromClient: Bool, at time: Timestamp) {
        packets += 1
        bytes += length
        if fromClient { clientToServerPackets += 1 } else { serverToClientPackets += 1 }
        if firstTimestamp == nil { firstTimestamp = time }
        lastTimestamp = time
    }

    /// Lines for a person:
    ///
    /// ```
    /// sessions 1000 (IPv4 812, IPv6 188)
    ///   tcp answered 520
    ///   dns unanswered 31
    /// packets 14210 (client to server 7810, server to client 6400), bytes 5120394
    /// ```
    public var description: String {
        var lines = ["sessions \(sessions) (IPv4 \(ipv4Sessions), IPv6 \(ipv6Sessions))"]
        for kind in sessionsByKind.keys.sorted() { lines.append("  \(kind) \(sessionsByKind[kind]!)") }
        lines.append(
            "packets \(packets) (client to server \(clientToServerPackets), server to client "
                + "\(serverToClientPackets)), bytes \(bytes)")
        return lines.joined(separator: "\n")
    }
}
