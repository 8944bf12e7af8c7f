import FlowtelCore
import Foundation
import PacketIO
import Packets
import Testing

@Suite("TrafficGenerator frames")
struct GeneratorTests {
    typealias Fixtures = GeneratorFixtures

    @Test("every frame decodes, is at least 60 bytes, and its IP and transport checksums verify")
    func framesDecodeAndVerify() throws {
        let (packets, _) = try Fixtures.generate()
        #expect(packets.count > 1000)
        for packet in packets {
            #expect(packet.frame.count >= 60)
            #expect(packet.decoded.link.etherType == (packet.ip.version == .v4 ? 0x0800 : 0x86DD))
            #expect(Independent.ipHeaderVerifies(packet), "IPv4 header checksum, session \(packet.info.session)")
            #expect(Independent.transportVerifies(packet), "transport checksum, session \(packet.info.session)")
            #expect(packet.ip.totalLength + packet.ip.offset <= packet.frame.count)
            // Anything past the IP packet is Ethernet padding, and zero.
            #expect(packet.frame[(packet.ip.offset + packet.ip.totalLength)...].allSatisfy { $0 == 0 })
        }
    }

    @Test("timestamps never decrease, start at the start time, and every session is generated")
    func timestampsAndSessionCount() throws {
        let (packets, summary) = try Fixtures.generate(sessions: 300)
        #expect(packets.first?.info.timestamp == Fixtures.start)
        for (earlier, later) in zip(packets, packets.dropFirst()) {
            #expect(earlier.info.timestamp <= later.info.timestamp)
        }
        #expect(Set(packets.map(\.info.session)) == Set(0..<300))
        #expect(summary.sessions == 300)
        #expect(summary.firstTimestamp == packets.first?.info.timestamp)
        #expect(summary.lastTimestamp == packets.last?.info.timestamp)
    }

    @Test("sessions start at about the requested rate and interleave")
    func rate() throws {
        let (packets, _) = try Fixtures.generate(sessions: 1000, rate: 100)
        let starts = Fixtures.sessions(packets).values.map { $0[0].info.timestamp.unixNanos }
        let span = Double(starts.max()! - starts.min()!) / 1e9
        // 999 exponential gaps of mean 10 ms: 9.99 s, standard deviation about 0.32 s.
        #expect(span > 8.5 && span < 11.5)
        // Sessions overlap: some packet of a later session comes before an earlier one ends.
        let interleaved = zip(packets, packets.dropFirst()).contains { $0.info.session > $1.info.session }
        #expect(interleaved)
    }

    @Test("zero sessions generate nothing")
    func zeroSessions() throws {
        let (packets, summary) = try Fixtures.generate(sessions: 0)
        #expect(packets.isEmpty)
        #expect(summary.packets == 0 && summary.sessions == 0)
    }

    @Test("the same seed gives identical bytes and timestamps; another seed differs")
    func determinism() throws {
        func run(_ seed: UInt64) throws -> [GeneratedPacket] {
            Array(try TrafficGenerator(plan: Fixtures.plan, seed: seed, sessions: 200, start: Fixtures.start, sessionsPerSecond: 300))
        }
        let first = try run(99)
        let second = try run(99)
        let other = try run(100)
        #expect(first.count > 500)
        #expect(first == second)
        #expect(first != other)
        // The buffer-reusing path yields the same frames as the sequence.
        var generator = try TrafficGenerator(
            plan: Fixtures.plan, seed: 99, sessions: 200, start: Fixtures.start, sessionsPerSecond: 300)
        var frame = [UInt8](repeating: 0xEE, count: 3000)
        var index = 0
        while let info = generator.next(into: &frame) {
            #expect(info == first[index].info && frame == first[index].frame)
            index += 1
        }
        #expect(index == first.count)
    }

    @Test("a session's content depends on its number, not on the rate")
    func rateIndependence() throws {
        let slow = Fixtures.sessions(try Fixtures.generate(sessions: 50, rate: 10).packets)
        let fast = Fixtures.sessions(try Fixtures.generate(sessions: 50, rate: 10_000).packets)
        for session in 0..<50 {
            let a = slow[session]!
            let b = fast[session]!
            #expect(a.count == b.count)
            // Same hosts, ports and flow; only times (and the TCP timestamp clock) may move.
            #expect(a[0].info.flow == b[0].info.flow)
            #expect(a[0].ip.source == b[0].ip.source && a[0].ip.destination == b[0].ip.destination)
            #expect(a[0].decoded.transport.ports?.source == b[0].decoded.transport.ports?.source)
        }
    }

    @Test("frames carry their endpoint's VLAN tag and MAC addresses, and untagged endpoints send untagged frames")
    func vlanAndMACs() throws {
        let (packets, _) = try Fixtures.generate()
        var vlansSeen: Set<UInt16> = []
        for packet in packets {
            let endpoint = Fixtures.plan.endpoints[packet.info.endpoint]
            if let vlan = endpoint.vlan {
                #expect(packet.decoded.link.vlan == VLANStack(count: 1, outer: vlan, inner: vlan))
                #expect(packet.decoded.link.headerLength == 18)
                vlansSeen.insert(vlan)
            } else {
                #expect(packet.decoded.link.vlan == nil)
                #expect(packet.decoded.link.headerLength == 14)
            }
            #expect(MACAddress(bytes: packet.frame[0..<6]) == endpoint.gatewayMAC)
            #expect(MACAddress(bytes: packet.frame[6..<12]) == endpoint.mac)
            // A client's frames arrive on the client endpoint, a server's on the server's.
            let flow = Fixtures.plan.flows[packet.info.flow]
            #expect(packet.info.endpoint == (packet.fromClient ? flow.client : flow.server.endpoint))
        }
        #expect(vlansSeen == [100, 200])
    }

    @Test("hosts come from their endpoint's pools, ports and TTLs are what hosts use")
    func addressesPortsAndTTL() throws {
        let (packets, _) = try Fixtures.generate()
        for packet in packets {
            let flow = Fixtures.plan.flows[packet.info.flow]
            let (client, server) = packet.fromClient
                ? (packet.ip.source, packet.ip.destination) : (packet.ip.destination, packet.ip.source)
            #expect(Fixtures.plan.endpoints[flow.client].pools.contains { $0.contains(client) })
            switch flow.server {
            case .address(let address, _): #expect(server == address)
            case .endpoint(let index): #expect(Fixtures.plan.endpoints[index].pools.contains { $0.contains(server) })
            }
            #expect(client != server)
            if packet.fromClient { #expect(packet.ip.ttl == 64) } else { #expect(packet.ip.ttl > 32) }
            if packet.ip.version == .v6 { #expect(packet.ip.flowLabel != 0) }
            if packet.ip.version == .v4 && packet.tcp != nil { #expect(packet.ip.dontFragment) }
            if let ports = packet.decoded.transport.ports {
                let (clientPort, serverPort) = packet.fromClient ? ports : (ports.destination, ports.source)
                #expect((32_768...60_999).contains(clientPort))
                switch flow.application {
                case .tcp(let port, _, _, _), .udp(let port, _): #expect(serverPort == port)
                case .icmpEcho: Issue.record("ports on an echo")
                }
            }
            // Never a network or broadcast address of a /28.
            if case .v4(let value) = client, Fixtures.dmz.pools[0].contains(client) {
                #expect(value & 0xF != 0 && value & 0xF != 0xF)
            }
        }
    }

    @Test("flows asking for IPv6 get IPv6, IPv4 flows IPv4, and 'either' both")
    func addressFamilies() throws {
        let (packets, summary) = try Fixtures.generate(sessions: 600)
        var families: [String: Set<IPVersion>] = [:]
        for packet in packets {
            let flow = Fixtures.plan.flows[packet.info.flow]
            families[flow.name, default: []].insert(packet.ip.version)
            if case .icmpEcho = flow.application {
                #expect(packet.ip.protocolID == (packet.ip.version == .v4 ? 1 : 58))
            }
        }
        #expect(families["dns6"] == [.v6])
        #expect(families["ping-denied"] == [.v6])
        #expect(families["dns"] == [.v4])
        #expect(families["ntp"] == [.v4])
        #expect(families["https"] == [.v4, .v6])
        #expect(families["ping"] == [.v4, .v6])
        #expect(families["ssh-denied"] == [.v4, .v6])
        #expect(families["disabled"] == nil)
        #expect(summary.ipv6Sessions > 0 && summary.ipv4Sessions > summary.ipv6Sessions)
        #expect(summary.ipv4Sessions + summary.ipv6Sessions == 600)
    }

    @Test("the summary counts what was generated")
    func summaryCounts() throws {
        let (packets, summary) = try Fixtures.generate(sessions: 500)
        #expect(summary.packets == packets.count)
        #expect(summary.bytes == packets.reduce(0) { $0 + $1.frame.count })
        #expect(summary.clientToServerPackets == packets.filter(\.fromClient).count)
        #expect(summary.serverToClientPackets == packets.count - summary.clientToServerPackets)
        var byKind: [TrafficSessionKind: Int] = [:]
        var byFlow = Array(repeating: 0, count: Fixtures.plan.flows.count)
        for (_, session) in Fixtures.sessions(packets) {
            let flow = Fixtures.plan.flows[session[0].info.flow]
            byKind[TrafficSessionKind(application: flow.application.kind, expectation: flow.expectation), default: 0] += 1
            byFlow[session[0].info.flow] += 1
        }
        #expect(summary.sessionsByKind == byKind)
        #expect(summary.sessionsByFlow == byFlow)
        #expect(summary.sessions(.dns, .answered) == byKind[TrafficSessionKind(application: .dns, expectation: .answered)])
        #expect(summary.sessions(.icmpEcho, .unanswered) > 0)
        #expect(summary.sessions(.tcp, .rejected) > 0)
        #expect(summary.description.contains("sessions 500"))
        #expect(summary.description.contains("tcp unanswered"))
    }

    @Test("flows are chosen in proportion to their weights")
    func weights() throws {
        let plan = TrafficPlan(
            endpoints: Fixtures.plan.endpoints,
            flows: [
                TrafficFlow(client: 0, server: .endpoint(1), application: .udp(port: 53, kind: .dns), weight: 3),
                TrafficFlow(client: 0, server: .endpoint(1), application: .udp(port: 123, kind: .ntp), weight: 1),
                TrafficFlow(client: 0, server: .endpoint(1), application: .icmpEcho(count: 1), weight: 0),
            ])
        let (_, summary) = try Fixtures.generate(plan: plan, sessions: 4000)
        let share = Double(summary.sessionsByFlow[0]) / 4000
        #expect(share > 0.72 && share < 0.78)
        #expect(summary.sessionsByFlow[2] == 0)
    }

    @Test("a pcap written by the generator reads back frame for frame")
    func pcapRoundTrip() throws {
        let path = temporaryPath("generated.pcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try PcapWriter.create(path: path, linkType: .ethernet, precision: .nanoseconds)
        var generator = try TrafficGenerator(
            plan: Fixtures.plan, seed: 5, sessions: 150, start: Fixtures.start, sessionsPerSecond: 100)
        let summary = try generator.write(to: writer)
        try writer.close()
        #expect(generator.isFinished)

        let expected = Array(
            try TrafficGenerator(plan: Fixtures.plan, seed: 5, sessions: 150, start: Fixtures.start, sessionsPerSecond: 100))
        var reader = try CaptureReader.open(path: path)
        var index = 0
        while let entry = try reader.next() {
            guard case .packet(let record) = entry else {
                Issue.record("malformed record \(entry)")
                continue
            }
            try #require(index < expected.count)
            #expect(record.timestamp == expected[index].timestamp)
            #expect(Array(record.bytes) == expected[index].frame)
            #expect(record.linkType == .ethernet)
            index += 1
        }
        #expect(index == expected.count)
        #expect(summary.packets == expected.count)
        #expect(summary.sessions == 150)
    }
}

@Suite("TrafficPlan validation")
struct GeneratorPlanTests {
    static let endpoints = GeneratorFixtures.plan.endpoints
    static let good = TrafficFlow(client: 0, server: .endpoint(1), application: .icmpEcho(count: 1))

    static func plan(_ flow: TrafficFlow, endpoints: [TrafficEndpoint] = endpoints) -> TrafficPlan {
        TrafficPlan(endpoints: endpoints, flows: [flow])
    }

    static var badPlans: [(TrafficPlan, TrafficPlanError.Code)] {
        var tagged = endpoints
        tagged[0].vlan = 4095
        var multicast = endpoints
        multicast[1].gatewayMAC = MACAddress("01:00:5e:00:00:01")!
        var noWeight = good
        noWeight.weight = 0
        var negative = good
        negative.weight = -1
        return [
            (TrafficPlan(endpoints: endpoints, flows: []), .noFlows),
            (plan(noWeight), .invalidWeight),
            (plan(negative), .invalidWeight),
            (plan(TrafficFlow(client: 3, server: .endpoint(1), application: .icmpEcho(count: 1))), .endpointOutOfRange),
            (plan(TrafficFlow(client: 0, server: .endpoint(-1), application: .icmpEcho(count: 1))), .endpointOutOfRange),
            // The DMZ has no IPv6 pool.
            (plan(TrafficFlow(client: 2, server: .endpoint(1), application: .icmpEcho(count: 1), family: .v6)),
             .noAddressFamily),
            (plan(
                TrafficFlow(
                    client: 0, server: .address(IPAddress("2001:db8::53")!, endpoint: 1),
                    application: .udp(port: 53, kind: .dns), family: .v4)), .noAddressFamily),
            (plan(TrafficFlow(client: 0, server: .endpoint(1), application: .tcp(port: 0, requestBytes: 1, responseBytes: 1, close: .fin))),
             .invalidApplication),
            (plan(TrafficFlow(client: 0, server: .endpoint(1), application: .tcp(port: 80, requestBytes: -1, responseBytes: 1, close: .fin))),
             .invalidApplication),
            (plan(TrafficFlow(client: 0, server: .endpoint(1), application: .udp(port: 9, kind: .generic(requestBytes: 1453, responseBytes: 0)))),
             .invalidApplication),
            (plan(TrafficFlow(client: 0, server: .endpoint(1), application: .icmpEcho(count: 0))), .invalidApplication),
            (plan(good, endpoints: tagged), .invalidVLAN),
            (plan(good, endpoints: multicast), .invalidMAC),
        ]
    }

    @Test("an invalid plan is refused with the code that names its problem", arguments: badPlans)
    func invalid(plan: TrafficPlan, code: TrafficPlanError.Code) {
        #expect(throws: TrafficPlanError.self) { try plan.validate() }
        do {
            _ = try TrafficGenerator(plan: plan, seed: 1, sessions: 1, start: GeneratorFixtures.start, sessionsPerSecond: 1)
            Issue.record("accepted")
        } catch {
            #expect(error.code == code)
            #expect(!error.description.isEmpty)
        }
    }

    @Test("the fixture plan is valid")
    func valid() throws {
        try GeneratorFixtures.plan.validate()
    }

    @Test("MAC addresses parse and print in both notations")
    func macAddress() {
        let mac = MACAddress("4C-96-14-00-01-0A")
        #expect(mac == MACAddress(0x4C96_1400_010A))
        #expect(mac?.description == "4c:96:14:00:01:0a")
        #expect(MACAddress("4c:96:14:00:01") == nil)
        #expect(MACAddress("4c:96:14:00:01:zz") == nil)
        #expect(MACAddress(bytes: [1, 2, 3, 4, 5, 6])?.bytes == [1, 2, 3, 4, 5, 6])
        #expect(MACAddress("ff:ff:ff:ff:ff:ff")!.isMulticast)
    }
}
