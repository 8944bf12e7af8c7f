import FlowtelCore
import JunosConfig
import PacketIO
import Packets
import Testing

@testable import FlowEngine

/// The replay's common path, ``PacketDecoder/decodeFlow(_:wireLength:)`` into
/// ``FlowEngine/process(_:at:into:)-(FlowHeaders,_,_)``, against decoding every frame whole.
@Suite("Flow headers path")
struct FlowHeadersTests {
    /// Every packet of `sessions` generated sessions for `device` through two engines, one fed
    /// decoded packets and one flow headers where the frame has them; both then age out.
    /// Returns the events of each, and checks the dispositions agree packet by packet.
    static func runBoth(
        device: DeviceConfig, sessions: Int, seed: UInt64
    ) throws -> (decoded: [FlowEvent], headers: [FlowEvent], engines: (FlowEngine, FlowEngine), flows: Int) {
        let plan = try TrafficPlan(config: device)
        var generator = try TrafficGenerator(
            plan: plan, seed: seed, sessions: sessions, start: FlowEngineTests.start, sessionsPerSecond: 200)
        var decodedEngine = FlowEngine(config: device, exportAllSessions: true)
        var headersEngine = FlowEngine(config: device, exportAllSessions: true)
        let decoder = PacketDecoder(linkType: .ethernet)
        var decodedEvents: [FlowEvent] = []
        var headersEvents: [FlowEvent] = []
        var frame: [UInt8] = []
        var last = FlowEngineTests.start
        var flows = 0
        while let info = generator.next(into: &frame) {
            let packet = try decoder.decode(frame)
            decodedEngine.process(packet, at: info.timestamp, into: &decodedEvents)
            if let headers = frame.withUnsafeBytes({ decoder.decodeFlow($0) }) {
                #expect(FlowPacket(headers) == FlowPacket(packet))
                #expect(headers.vlan == packet.link.vlan?.outer)
                headersEngine.process(headers, at: info.timestamp, into: &headersEvents)
                flows += 1
            } else {
                headersEngine.process(packet, at: info.timestamp, into: &headersEvents)
            }
            #expect(decodedEngine.lastDisposition == headersEngine.lastDisposition)
            last = info.timestamp
        }
        let end = Timestamp(unixNanos: last.unixNanos + 7200 * 1_000_000_000)
        decodedEngine.advance(to: end, into: &decodedEvents)
        headersEngine.advance(to: end, into: &headersEvents)
        return (decodedEvents, headersEvents, (decodedEngine, headersEngine), flows)
    }

    @Test("generated traffic: the same events, counters and dispositions either way", arguments: [UInt64(11), 12])
    func sameOutcome(seed: UInt64) throws {
        let (decoded, headers, engines, flows) = try Self.runBoth(device: FlowEngineTests.device, sessions: 400, seed: seed)
        #expect(!decoded.isEmpty)
        #expect(flows > 0)
        #expect(decoded == headers)
        #expect(engines.0.statistics == engines.1.statistics)
        #expect(engines.0.sessionCount == engines.1.sessionCount)
    }

    @Test("a TCP segment's flow packet from its headers equals the decoded packet's")
    func tcpFlowPacket() throws {
        let headers = FlowHeaders(
            vlan: 10, source: IPAddress("10.10.10.5")!, destination: IPAddress("192.0.2.1")!, protocolID: 6,
            ipTotalLength: 60, sourcePort: 40000, destinationPort: 443, payloadLength: 8,
            tcpFlags: TCPFlags(rawValue: 0x02), sequenceNumber: 7, acknowledgmentNumber: 0, window: 1024, windowScale: 3)
        guard case .flow(let key, let details) = FlowPacket(headers) else {
            Issue.record("not a flow")
            return
        }
        #expect(key == FlowKey(source: headers.source, destination: headers.destination, ipProtocol: 6, sourcePort: 40000, destinationPort: 443))
        #expect(details.ipBytes == 60 && details.payload == 8 && details.tcpFlags == TCPFlags(rawValue: 0x02))
        #expect(details.tcp == TCPSegment(sequence: 7, acknowledgment: 0, window: 1024, windowScale: 3))
        #expect(!details.isEchoReply)
    }

    @Test("a UDP datagram's flow packet carries no TCP fields")
    func udpFlowPacket() {
        let headers = FlowHeaders(
            vlan: nil, source: IPAddress("10.10.10.5")!, destination: IPAddress("192.0.2.53")!, protocolID: 17,
            ipTotalLength: 40, sourcePort: 5353, destinationPort: 53, payloadLength: 12)
        guard case .flow(let key, let details) = FlowPacket(headers) else {
            Issue.record("not a flow")
            return
        }
        #expect(key.sourcePort == 5353 && key.destinationPort == 53 && key.icmpType == nil)
        #expect(details.tcpFlags == nil && details.tcp == nil && details.payload == 12)
    }
}
