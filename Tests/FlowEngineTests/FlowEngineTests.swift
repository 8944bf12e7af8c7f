import FlowtelCore
import JunosConfig
import PacketIO
import Packets
import Testing

@testable import FlowEngine

/// The engine end to end on generated traffic: sessions, NAT, TCP and ICMP closes, denials,
/// timeouts and the RT_FLOW events.
@Suite("Flow engine")
struct FlowEngineTests {
    static let config = """
        set system host-name fw
        set interfaces ge-0/0/0 unit 0 family inet address 198.51.100.2/30
        set interfaces ge-0/0/1 vlan-tagging
        set interfaces ge-0/0/1 unit 10 vlan-id 10
        set interfaces ge-0/0/1 unit 10 family inet address 10.10.10.1/24
        set interfaces ge-0/0/1 unit 20 vlan-id 20
        set interfaces ge-0/0/1 unit 20 family inet address 10.10.20.1/24
        set routing-options static route 0.0.0.0/0 next-hop 198.51.100.1
        set security zones security-zone untrust interfaces ge-0/0/0.0
        set security zones security-zone trust interfaces ge-0/0/1.10
        set security zones security-zone guest interfaces ge-0/0/1.20
        set security policies from-zone trust to-zone untrust policy out match source-address any destination-address any application [ junos-https junos-dns-udp junos-ping ]
        set security policies from-zone trust to-zone untrust policy out then permit
        set security policies from-zone trust to-zone untrust policy out then log session-init session-close
        set security policies from-zone guest to-zone trust policy block match source-address any destination-address any application junos-ssh
        set security policies from-zone guest to-zone trust policy block then deny
        set security policies from-zone guest to-zone trust policy block then log session-init
        set security nat source rule-set out from zone trust
        set security nat source rule-set out to zone untrust
        set security nat source rule-set out rule all match source-address 10.10.0.0/16
        set security nat source rule-set out rule all then source-nat interface

        """

    static let device = try! DeviceConfig.load(text: config, file: "engine.set").config
    static let start = Timestamp(unixNanos: 1_767_225_600_000_000_000)

    /// Every packet of `sessions` generated sessions through a fresh engine, then time moved
    /// two hours on so every session ages out.
    static func run(sessions: Int, seed: UInt64) throws -> (events: [FlowEvent], engine: FlowEngine, summary: TrafficSummary) {
        let plan = try TrafficPlan(config: device)
        var generator = try TrafficGenerator(plan: plan, seed: seed, sessions: sessions, start: start, sessionsPerSecond: 50)
        var engine = FlowEngine(config: device)
        let decoder = PacketDecoder(linkType: .ethernet)
        var events: [FlowEvent] = []
        var frame: [UInt8] = []
        var last = start
        while let info = generator.next(into: &frame) {
            events += engine.process(try decoder.decode(frame), at: info.timestamp)
            last = info.timestamp
        }
        events += engine.advance(to: Timestamp(unixNanos: last.unixNanos + 7200 * 1_000_000_000))
        return (events, engine, generator.summary)
    }

    @Test("generated traffic: one session per permitted exchange, each closed once with its counters")
    func generated() throws {
        let (events, engine, summary) = try Self.run(sessions: 300, seed: 21)
        var creates: [UInt32: SessionInfo] = [:]
        var closes: [UInt32: SessionClose] = [:]
        var denies: [SessionDeny] = []
        for event in events {
            switch event.payload {
            case .sessionCreate(let create): creates[create.session.sessionID] = create.session
            case .sessionClose(let close):
                #expect(closes[close.session.sessionID] == nil, "closed twice")
                closes[close.session.sessionID] = close
            case .sessionDeny(let deny): denies.append(deny)
            default: Issue.record("unexpected event")
            }
        }
        // Every answered session of the permitted policy is a session (each echo its own).
        let pings = summary.sessions(.icmpEcho, .answered)
        let expected = summary.sessions(.tcp, .answered) + summary.sessions(.dns, .answered) + 3 * pings
        #expect(engine.statistics.sessionsCreated == UInt64(expected))
        #expect(creates.count == expected && closes.count == expected)
        #expect(engine.sessionCount == 0)
        for (id, close) in closes {
            let create = try #require(creates[id])
            #expect(close.session == create)
            #expect(close.packetsFromClient > 0 && close.packetsFromServer > 0, "\(close.reason) \(create.serviceName)")
            switch create.serviceName {
            case "junos-https": #expect([.tcpFin, .tcpClientRst].contains(close.reason))
            case "junos-dns-udp":
                // Closed by the DNS ALG's short timeout after the answer, not the UDP minute.
                #expect(close.reason == .idleTimeout && close.elapsedTime < 10)
            case "junos-ping": #expect(close.reason == .responseReceived)  // the policy names junos-ping
            default: Issue.record("unexpected service \(create.serviceName) \(create.protocolID) \(create.destinationPort) \(close.reason)")
            }
            // Interface NAT to the uplink address, the client's port kept.
            #expect(create.natSourceAddress == IPAddress("198.51.100.2")!)
            #expect(create.natSourcePort == create.sourcePort)
            #expect(create.srcNatRuleType == .source && create.srcNatRuleName == "all")
            #expect(create.sourceZoneName == "trust" && create.destinationZoneName == "untrust")
            #expect(create.packetIncomingInterface == "ge-0/0/1.10" && create.egressInterface == "ge-0/0/0.0")
            #expect(create.policyName == "out")
        }
        // Denied SSH from guest: a DENY per first packet (the client retransmits its SYN).
        #expect(!denies.isEmpty)
        #expect(denies.allSatisfy { $0.policyName == "block" && $0.serviceName == "junos-ssh" && $0.action == .deny })
        #expect(engine.statistics.sessionsDenied >= UInt64(denies.count))
    }

    @Test("the same traffic gives the same events")
    func deterministic() throws {
        let first = try Self.run(sessions: 60, seed: 5).events
        let second = try Self.run(sessions: 60, seed: 5).events
        #expect(first == second)
    }
}
