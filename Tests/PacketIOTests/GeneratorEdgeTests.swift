import FlowtelCore
import Foundation
import PacketIO
import Packets
import Testing

@Suite("TrafficGenerator edge cases")
struct GeneratorEdgeTests {
    typealias Fixtures = GeneratorFixtures

    @Test("host prefixes and /31 and /127 pools give exactly their hosts")
    func smallPools() throws {
        let a = TrafficEndpoint(
            name: "a", interfaceName: "xe-0/0/0.0", mac: MACAddress(0x0200_0000_0001), gatewayMAC: MACAddress(0x0200_0000_00FE),
            pools: [IPPrefix("10.0.0.1/32")!, IPPrefix("2001:db8::1/128")!])
        let b = TrafficEndpoint(
            name: "b", interfaceName: "xe-0/0/1.0", mac: MACAddress(0x0200_0000_0002), gatewayMAC: MACAddress(0x0200_0000_00FD),
            pools: [IPPrefix("192.0.2.0/31")!, IPPrefix("2001:db8:2::/127")!])
        let plan = TrafficPlan(
            endpoints: [a, b],
            flows: [
                TrafficFlow(
                    client: 0, server: .endpoint(1),
                    application: .tcp(port: 443, requestBytes: 10, responseBytes: 10, close: .fin), family: .either)
            ])
        let (packets, _) = try Fixtures.generate(plan: plan, sessions: 200)
        var servers: Set<IPAddress> = []
        for packet in packets where packet.fromClient {
            #expect([IPAddress("10.0.0.1")!, IPAddress("2001:db8::1")!].contains(packet.ip.source))
            servers.insert(packet.ip.destination)
        }
        let expected = ["192.0.2.0", "192.0.2.1", "2001:db8:2::", "2001:db8:2::1"].map { IPAddress($0)! }
        // A /127's all-zeros address is the subnet-router anycast address, never a host.
        #expect(servers == Set(expected.filter { $0 != IPAddress("2001:db8:2::")! }))
    }

    @Test("excluded addresses (the firewall's own) are never drawn, and a pool of nothing else is unusable")
    func excludedAddresses() throws {
        let lan = TrafficEndpoint(
            name: "lan", interfaceName: "ge-0/0/3.0", mac: MACAddress(0x0200_0000_0003), gatewayMAC: MACAddress(0x0200_0000_00FC),
            pools: [IPPrefix("10.9.0.0/30")!, IPPrefix("2001:db8:9::/126")!],
            excludedAddresses: [IPAddress("10.9.0.1")!, IPAddress("2001:db8:9::1")!, IPAddress("2001:db8:9::2")!])
        let plan = TrafficPlan(
            endpoints: [lan, Fixtures.untrust],
            flows: [TrafficFlow(client: 0, server: .endpoint(1), application: .icmpEcho(count: 1), family: .either)])
        let (packets, summary) = try Fixtures.generate(plan: plan, sessions: 100)
        let clients = Set(packets.filter(\.fromClient).map(\.ip.source))
        #expect(clients == [IPAddress("10.9.0.2")!, IPAddress("2001:db8:9::3")!])
        #expect(summary.ipv6Sessions > 0)

        var onlyFirewall = lan
        onlyFirewall.pools = [IPPrefix("10.9.0.1/32")!]
        let unusable = TrafficPlan(
            endpoints: [onlyFirewall, Fixtures.untrust],
            flows: [TrafficFlow(client: 0, server: .endpoint(1), application: .icmpEcho(count: 1))])
        #expect(!onlyFirewall.hasPool(v4: true))
        #expect(throws: TrafficPlanError.self) { try unusable.validate() }
    }

    @Test("'either' uses the one family both sides have")
    func eitherFallsBack() throws {
        let plan = TrafficPlan(
            endpoints: Fixtures.plan.endpoints,
            flows: [TrafficFlow(client: 0, server: .endpoint(2), application: .icmpEcho(count: 1), family: .either)])
        let (packets, summary) = try Fixtures.generate(plan: plan, sessions: 50)
        #expect(packets.allSatisfy { $0.ip.version == .v4 })
        #expect(summary.ipv6Sessions == 0)
    }

    @Test("a large response is cut into MSS-sized segments, acknowledged every second segment")
    func largeTransfer() throws {
        let plan = TrafficPlan(
            endpoints: Fixtures.plan.endpoints,
            flows: [
                TrafficFlow(
                    client: 0, server: .endpoint(1),
                    application: .tcp(port: 443, requestBytes: 300, responseBytes: 1_000_000, close: .fin))
            ])
        let (packets, _) = try Fixtures.generate(plan: plan, sessions: 3)
        for session in Fixtures.sessions(packets).values {
            let data = session.filter { !$0.fromClient && $0.tcp!.payloadLength > 0 }
            let pureAcks = session.filter { $0.fromClient && $0.tcp!.flags == .ack && $0.tcp!.payloadLength == 0 }
            #expect(data.reduce(0) { $0 + $1.tcp!.payloadLength } == 1_000_000)
            // 1448 (or 1368 behind a clamping tunnel) bytes a segment.
            #expect(data.count >= 1_000_000 / 1448 && data.count <= 1_000_000 / 1368 + 1)
            // One ACK per two segments, plus the handshake's and the close's.
            #expect(abs(pureAcks.count - data.count / 2) <= 3)
            // Segments leave back to back: the transfer takes far less than a second per MB.
            let span = data.last!.info.timestamp.unixNanos - data.first!.info.timestamp.unixNanos
            #expect(span < 1_000_000_000)
        }
    }

    @Test("an unbounded generator keeps producing, with sessions ending as new ones start")
    func unbounded() throws {
        var generator = try TrafficGenerator(
            plan: Fixtures.plan, seed: 3, sessions: .max, start: Fixtures.start, sessionsPerSecond: 5_000)
        var frame: [UInt8] = []
        var last = Fixtures.start
        var ordered = true
        for _ in 0..<20_000 {
            guard let info = generator.next(into: &frame) else {
                Issue.record("an unbounded generator ended")
                return
            }
            ordered = ordered && info.timestamp >= last
            last = info.timestamp
        }
        #expect(ordered)
        #expect(!generator.isFinished)
        #expect(generator.sessionsStarted > 500)
        // Finished sessions free their place: far fewer are active than have started.
        #expect(generator.activeSessions < generator.sessionsStarted)
        #expect(generator.summary.packets == 20_000)
    }

    @Test("a start past 2106 cannot be written to pcap, and the error says so")
    func timestampNotRepresentable() throws {
        let path = temporaryPath("late.pcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try PcapWriter.create(path: path, linkType: .ethernet)
        var generator = try TrafficGenerator(
            plan: Fixtures.plan, seed: 3, sessions: 1, start: Timestamp(unixNanos: 5_000_000_000_000_000_000),
            sessionsPerSecond: 1)
        #expect(throws: CaptureFileError.self) { try generator.write(to: writer) }
        try writer.close()
    }
}
