import FlowtelCore
import JunosConfig
import PacketIO
import Packets
import Testing

/// Traffic plans derived from device configurations, and what they generate.
@Suite("Traffic plans from a configuration")
struct TrafficPlanConfigTests {
    static let branch = """
        set system host-name branch
        set interfaces ge-0/0/0 unit 0 family inet address 198.51.100.2/30
        set interfaces ge-0/0/0 unit 0 family inet6 address 2001:db8:ffff::2/64
        set interfaces ge-0/0/1 vlan-tagging
        set interfaces ge-0/0/1 unit 10 vlan-id 10
        set interfaces ge-0/0/1 unit 10 family inet address 10.10.10.1/24
        set interfaces ge-0/0/1 unit 10 family inet6 address 2001:db8:10::1/64
        set interfaces ge-0/0/1 unit 20 vlan-id 20
        set interfaces ge-0/0/1 unit 20 family inet address 10.10.20.1/24
        set routing-options static route 0.0.0.0/0 next-hop 198.51.100.1
        set security zones security-zone untrust interfaces ge-0/0/0.0
        set security zones security-zone trust interfaces ge-0/0/1.10
        set security zones security-zone guest interfaces ge-0/0/1.20
        set security address-book global address printer 10.10.10.40/32
        set applications application ipp protocol tcp destination-port 631
        set security policies from-zone trust to-zone untrust policy out match source-address any destination-address any application [ junos-https junos-dns-udp junos-ping ]
        set security policies from-zone trust to-zone untrust policy out then permit
        set security policies from-zone guest to-zone trust policy print match source-address any destination-address printer application ipp
        set security policies from-zone guest to-zone trust policy print then permit
        set security policies from-zone guest to-zone trust policy rest match source-address any destination-address any application junos-ssh
        set security policies from-zone guest to-zone trust policy rest then deny
        set security policies from-zone guest to-zone untrust policy web match source-address any destination-address any application junos-http
        set security policies from-zone guest to-zone untrust policy web then reject

        """

    static func plan(_ text: String) throws -> TrafficPlan {
        let config = try DeviceConfig.load(text: text, file: "t.set").config
        return try TrafficPlan(config: config)
    }

    @Test("zones become endpoints on their units with VLAN ids; the default-route zone gets public pools")
    func endpoints() throws {
        let plan = try Self.plan(Self.branch)
        let trust = try #require(plan.endpoints.first { $0.name == "trust" && $0.pools.count == 2 })
        #expect(trust.interfaceName == "ge-0/0/1.10" && trust.vlan == 10)
        #expect(trust.pools == [IPPrefix("10.10.10.0/24")!, IPPrefix("2001:db8:10::/64")!])
        let untrust = try #require(plan.endpoints.first { $0.name == "untrust" })
        #expect(untrust.vlan == nil)
        // Internet servers: public pools that overlap none of the configured subnets.
        #expect(untrust.pools.count == 2)
        #expect(!untrust.pools.contains { $0.contains(IPAddress("198.51.100.2")!) })
        #expect(!untrust.pools.contains { $0.contains(IPAddress("2001:db8:ffff::2")!) })
        let printer = try #require(plan.endpoints.first { $0.pools == [IPPrefix("10.10.10.40/32")!] })
        #expect(printer.name == "trust" && printer.vlan == 10)
        // Units of one interface share the firewall's MAC; hosts differ.
        let guest = try #require(plan.endpoints.first { $0.name == "guest" })
        #expect(guest.gatewayMAC == trust.gatewayMAC && guest.mac != trust.mac)
        #expect(untrust.gatewayMAC != trust.gatewayMAC)
    }

    @Test("policies become session templates: permit answered, deny unanswered, reject refused")
    func flows() throws {
        let plan = try Self.plan(Self.branch)
        func flows(_ prefix: String) -> [TrafficFlow] { plan.flows.filter { $0.name.hasPrefix(prefix) } }
        let out = flows("trust>untrust out")
        #expect(Set(out.map(\.application.kind)) == [.tcp, .dns, .icmpEcho])
        #expect(out.allSatisfy { $0.expectation == .answered })
        #expect(out.contains { if case .tcp(443, _, _, .fin) = $0.application { true } else { false } })
        #expect(out.contains { if case .tcp(443, _, _, .rst) = $0.application { true } else { false } })
        let print = flows("guest>trust print")
        #expect(print.allSatisfy { if case .tcp(631, _, _, _) = $0.application { true } else { false } })
        #expect(print.allSatisfy { plan.endpoints[$0.server.endpoint].pools == [IPPrefix("10.10.10.40/32")!] })
        #expect(flows("guest>trust rest").allSatisfy { $0.expectation == .unanswered })
        #expect(flows("guest>untrust web").allSatisfy { $0.expectation == .rejected })
        // Zone pairs without a policy get stray connections the default policy denies.
        let unmatched = flows("untrust>trust default-policy deny-all")
        #expect(unmatched.count == 1 && unmatched[0].expectation == .unanswered)
        #expect(plan.flows.allSatisfy { $0.weight > 0 })
    }

    @Test("generated frames carry each zone's VLAN, and refused sessions get no answer")
    func generated() throws {
        let plan = try Self.plan(Self.branch)
        var generator = try TrafficGenerator(
            plan: plan, seed: 7, sessions: 400, start: Timestamp(unixNanos: 1_767_225_600_000_000_000),
            sessionsPerSecond: 200)
        let decoder = PacketDecoder(linkType: .ethernet)
        var frame: [UInt8] = []
        var vlansByInterface: [String: Set<UInt16?>] = [:]
        var repliesToRefused = 0
        while let info = generator.next(into: &frame) {
            let packet = try decoder.decode(frame)
            let endpoint = plan.endpoints[info.endpoint]
            vlansByInterface[endpoint.interfaceName, default: []].insert(packet.link.vlan?.outer)
            let flow = plan.flows[info.flow]
            if flow.expectation != .answered, info.direction == .serverToClient { repliesToRefused += 1 }
        }
        #expect(vlansByInterface["ge-0/0/1.10"] == [10])
        #expect(vlansByInterface["ge-0/0/1.20"] == [20])
        #expect(vlansByInterface["ge-0/0/0.0"] == [nil])
        #expect(repliesToRefused == 0)
        #expect(generator.summary.sessions == 400)
        #expect(generator.summary.ipv6Sessions > 0)
    }

    @Test("a configuration without addressed zones yields a clear error")
    func noFlows() throws {
        let text = "set system host-name empty\nset security zones security-zone trust\n"
        let config = try DeviceConfig.load(text: text, file: "e.set").config
        #expect(throws: TrafficPlanError.self) { try TrafficPlan(config: config) }
    }
}
