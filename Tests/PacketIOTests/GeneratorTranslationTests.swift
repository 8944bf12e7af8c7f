import FlowtelCore
import PacketIO
import Packets
import Testing

/// Address translation: each side's frames carry the addresses that side sees.
@Suite("Generator address translation")
struct GeneratorTranslationTests {
    static let vip = IPAddress("203.0.113.10")!
    static let natAddress = IPAddress("198.51.100.2")!

    static let plan = TrafficPlan(
        endpoints: [GeneratorFixtures.trust, GeneratorFixtures.untrust, GeneratorFixtures.dmz],
        flows: [
            // Outbound with source NAT: the server answers the NAT address.
            TrafficFlow(
                name: "snat", client: 0, server: .endpoint(1),
                application: .tcp(port: 443, requestBytes: 500, responseBytes: 9_000, close: .fin), family: .either,
                translation: TrafficFlow.Translation(clientAddress: natAddress)),
            // Inbound through destination NAT to another port.
            TrafficFlow(
                name: "dnat", client: 1, server: .endpoint(2),
                application: .tcp(port: 8080, requestBytes: 300, responseBytes: 2_000, close: .rst),
                translation: TrafficFlow.Translation(serverAddress: vip, serverPort: 443)),
            TrafficFlow(
                name: "dnat-ping", client: 1, server: .endpoint(2), application: .icmpEcho(count: 2),
                translation: TrafficFlow.Translation(serverAddress: vip)),
        ])

    @Test("client frames address the translated server, server frames the translated client; checksums hold")
    func translatedFrames() throws {
        let (packets, _) = try GeneratorFixtures.generate(plan: Self.plan, sessions: 300)
        var checked = [0, 0, 0]
        var ipv6Untranslated = 0
        for packet in packets {
            #expect(Independent.ipHeaderVerifies(packet))
            #expect(Independent.transportVerifies(packet))
            let ip = packet.ip
            let ports = packet.decoded.transport.ports
            switch Self.plan.flows[packet.info.flow].name {
            case "snat":
                guard ip.version == .v4 else {
                    // Translation is per family: an IPv4 NAT address leaves IPv6 sessions alone.
                    if !packet.fromClient { #expect(ip.destination != Self.natAddress) }
                    ipv6Untranslated += 1
                    continue
                }
                if packet.fromClient {
                    #expect(GeneratorFixtures.trust.pools[0].contains(ip.source))
                } else {
                    #expect(ip.destination == Self.natAddress)
                }
                checked[0] += 1
            case "dnat":
                if packet.fromClient {
                    #expect(ip.destination == Self.vip && ports?.destination == 443)
                } else {
                    #expect(GeneratorFixtures.dmz.pools[0].contains(ip.source) && ports?.source == 8080)
                }
                checked[1] += 1
            default:
                if packet.fromClient { #expect(ip.destination == Self.vip) } else {
                    #expect(GeneratorFixtures.dmz.pools[0].contains(ip.source))
                }
                checked[2] += 1
            }
        }
        #expect(checked.allSatisfy { $0 > 0 })
        #expect(ipv6Untranslated > 0)
    }

    @Test("captured on the client's link before NAT, replies come from the firewall with the client's addresses")
    func clientLink() throws {
        var plan = Self.plan
        plan.capturePoint = .clientLink
        let (packets, _) = try GeneratorFixtures.generate(plan: plan, sessions: 200)
        let sessions = GeneratorFixtures.sessions(packets)
        var checked = 0
        for (_, session) in sessions {
            guard let first = session.first else { continue }
            let flow = plan.flows[first.info.flow]
            let client = plan.endpoints[flow.client]
            for packet in session {
                #expect(Independent.ipHeaderVerifies(packet) && Independent.transportVerifies(packet))
                // Every frame is on the client's link, either way.
                #expect(packet.info.endpoint == flow.client)
                #expect(packet.decoded.link.vlan?.outer == client.vlan)
                let ip = packet.ip
                if !packet.fromClient {
                    #expect(ip.destination == first.ip.source)
                    #expect(ip.source == first.ip.destination)
                    #expect(packet.decoded.transport.ports?.source == first.decoded.transport.ports?.destination)
                    checked += 1
                }
            }
        }
        #expect(checked > 0)
    }

    @Test("a translated port needs a translated address and a transport")
    func invalid() {
        var plan = Self.plan
        plan.flows[1].translation = TrafficFlow.Translation(serverPort: 443)
        #expect(throws: TrafficPlanError.self) { try plan.validate() }
        plan.flows[1].translation = nil
        plan.flows[2].translation = TrafficFlow.Translation(serverAddress: Self.vip, serverPort: 80)
        #expect(throws: TrafficPlanError.self) { try plan.validate() }
    }
}
