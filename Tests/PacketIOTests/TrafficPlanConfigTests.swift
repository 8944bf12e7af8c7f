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
        set routing-options rib inet6.0 static route ::/0 next-hop 2001:db8:ffff::1
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

/// NAT in the configuration shows in the plan's translations.
@Suite("Traffic plans with NAT")
struct TrafficPlanNATTests {
    static let edge = """
        set interfaces ge-0/0/0 unit 0 family inet address 203.0.113.2/27
        set interfaces ge-0/0/1 unit 0 family inet address 172.16.100.1/24
        set interfaces ge-0/0/2 unit 0 family inet address 10.1.0.1/16
        set routing-options static route 0.0.0.0/0 next-hop 203.0.113.1
        set security zones security-zone internet interfaces ge-0/0/0.0
        set security zones security-zone web interfaces ge-0/0/1.0
        set security zones security-zone office interfaces ge-0/0/2.0
        set security address-book global address web1 172.16.100.11/32
        set security address-book global address mx 172.16.100.25/32
        set applications application web-alt protocol tcp destination-port 8080
        set security nat destination pool web-pool address 172.16.100.11/32 port 8080
        set security nat destination rule-set in from zone internet
        set security nat destination rule-set in rule vip match destination-address 203.0.113.10/32 destination-port 443 protocol tcp
        set security nat destination rule-set in rule vip then destination-nat pool web-pool
        set security nat static rule-set st from zone internet
        set security nat static rule-set st rule mx match destination-address 203.0.113.25/32
        set security nat static rule-set st rule mx then static-nat prefix 172.16.100.25/32
        set security nat source pool out-pool address 203.0.113.20/32 to 203.0.113.23/32
        set security nat source rule-set out from zone office
        set security nat source rule-set out to zone internet
        set security nat source rule-set out rule keep match source-address 10.1.5.0/24
        set security nat source rule-set out rule keep then source-nat off
        set security nat source rule-set out rule all match source-address 10.1.0.0/16
        set security nat source rule-set out rule all then source-nat pool out-pool
        set security nat source rule-set web-out from zone web
        set security nat source rule-set web-out to zone internet
        set security nat source rule-set web-out rule all match source-address 0.0.0.0/0
        set security nat source rule-set web-out rule all then source-nat interface
        set security policies from-zone internet to-zone web policy in match source-address any destination-address web1 application web-alt
        set security policies from-zone internet to-zone web policy in then permit
        set security policies from-zone internet to-zone web policy smtp match source-address any destination-address mx application junos-smtp
        set security policies from-zone internet to-zone web policy smtp then permit
        set security policies from-zone office to-zone internet policy out match source-address any destination-address any application junos-https
        set security policies from-zone office to-zone internet policy out then permit
        set security policies from-zone web to-zone internet policy updates match source-address web1 destination-address any application junos-https
        set security policies from-zone web to-zone internet policy updates then permit

        """

    static func flow(_ plan: TrafficPlan, _ prefix: String) throws -> TrafficFlow {
        try #require(plan.flows.first { $0.name.hasPrefix(prefix) })
    }

    @Test("destination NAT with a port, static NAT, pool and interface source NAT")
    func translations() throws {
        let plan = try TrafficPlanConfigTests.plan(Self.edge)
        let inbound = try Self.flow(plan, "internet>web in web-alt")
        #expect(inbound.translation == TrafficFlow.Translation(serverAddress: IPAddress("203.0.113.10")!, serverPort: 443))
        #expect(plan.endpoints[inbound.server.endpoint].pools == [IPPrefix("172.16.100.11/32")!])
        let smtp = try Self.flow(plan, "internet>web smtp junos-smtp")
        #expect(smtp.translation == TrafficFlow.Translation(serverAddress: IPAddress("203.0.113.25")!))
        let office = try Self.flow(plan, "office>internet out junos-https")
        // Pool NAT with port translation over the default range.
        #expect(office.translation == TrafficFlow.Translation(clientAddress: IPAddress("203.0.113.20")!, clientPorts: 1024...65535))
        // web1 leaves through interface NAT (the rule set from its zone comes first).
        let updates = try Self.flow(plan, "web>internet updates junos-https")
        #expect(updates.translation == TrafficFlow.Translation(clientAddress: IPAddress("203.0.113.2")!, clientPorts: 1024...65535))
    }

    @Test("generated inbound sessions reach the VIP and come back from the real server")
    func generatedNAT() throws {
        let plan = try TrafficPlanConfigTests.plan(Self.edge)
        var generator = try TrafficGenerator(
            plan: plan, seed: 3, sessions: 300, start: Timestamp(unixNanos: 1_767_225_600_000_000_000), sessionsPerSecond: 100)
        let decoder = PacketDecoder(linkType: .ethernet)
        var frame: [UInt8] = []
        var seen = 0
        while let info = generator.next(into: &frame) {
            guard plan.flows[info.flow].name.hasPrefix("internet>web in ") else { continue }
            let packet = try decoder.decode(frame)
            let ip = try #require(packet.ip)
            if info.direction == .clientToServer {
                #expect(ip.destination == IPAddress("203.0.113.10")! && packet.transport.ports?.destination == 443)
            } else {
                #expect(ip.source == IPAddress("172.16.100.11")! && packet.transport.ports?.source == 8080)
            }
            seen += 1
        }
        #expect(seen > 0)
    }
}

extension TrafficPlanConfigTests {
    @Test("hosts never take the firewall's own addresses or its next hops")
    func excludesDeviceAddresses() throws {
        let plan = try Self.plan(Self.branch)
        let trust = try #require(plan.endpoints.first { $0.name == "trust" && $0.pools.count == 2 })
        #expect(Set(trust.excludedAddresses) == [IPAddress("10.10.10.1")!, IPAddress("2001:db8:10::1")!])
        var generator = try TrafficGenerator(
            plan: plan, seed: 11, sessions: 2000, start: Timestamp(unixNanos: 1_767_225_600_000_000_000),
            sessionsPerSecond: 500)
        let decoder = PacketDecoder(linkType: .ethernet)
        let device = Set(["10.10.10.1", "2001:db8:10::1", "10.10.20.1", "198.51.100.1", "198.51.100.2"].map { IPAddress($0)! })
        var frame: [UInt8] = []
        while generator.next(into: &frame) != nil {
            // Every frame comes from a host, never from the device itself.
            let ip = try #require(try decoder.decode(frame).ip)
            #expect(!device.contains(ip.source))
        }
    }
}

extension TrafficPlanNATTests {
    @Test("a pool with a port range: replies carry the client's port where the range puts it")
    func portRangeReplies() throws {
        let text = Self.edge + "set security nat source pool out-pool port range 20000 to 20099\n"
        let plan = try TrafficPlanConfigTests.plan(text)
        let office = try Self.flow(plan, "office>internet out junos-https")
        #expect(office.translation?.clientPorts == 20000...20099)
        var generator = try TrafficGenerator(
            plan: plan, seed: 4, sessions: 200, start: Timestamp(unixNanos: 1_767_225_600_000_000_000), sessionsPerSecond: 100)
        let decoder = PacketDecoder(linkType: .ethernet)
        var frame: [UInt8] = []
        var clientPorts: [Int: UInt16] = [:]
        var checked = 0
        while let info = generator.next(into: &frame) {
            guard plan.flows[info.flow].name.hasPrefix("office>internet") else { continue }
            let packet = try decoder.decode(frame)
            guard let ports = packet.transport.ports else { continue }
            if info.direction == .clientToServer {
                clientPorts[info.session] = ports.source
            } else if let client = clientPorts[info.session] {
                let expected = (20000...20099).contains(client) ? client : UInt16(20000 + Int(client) % 100)
                #expect(ports.destination == expected)
                checked += 1
            }
        }
        #expect(checked > 0)
    }
}
