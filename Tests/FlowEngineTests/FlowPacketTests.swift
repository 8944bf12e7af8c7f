import FlowtelCore
import Packets
import Testing

@testable import FlowEngine

/// Decoded packets as the flow engine reads them.
@Suite("Flow packets")
struct FlowPacketTests {
    static let client = IPAddress("10.0.0.5")!
    static let server = IPAddress("192.0.2.10")!

    static func packet(
        _ transport: Transport, protocolID: UInt8, source: IPAddress = client, destination: IPAddress = server,
        totalLength: Int = 60, fragment: IPFragment? = nil
    ) -> DecodedPacket {
        let ip = IPHeader(
            version: source.isV4 ? .v4 : .v6, offset: 14, headerLength: 20, totalLength: totalLength, source: source,
            destination: destination, protocolID: protocolID, ttl: 64, fragment: fragment)
        return DecodedPacket(
            link: LinkHeader(linkType: .ethernet, headerLength: 14), network: .ip(ip), transport: transport,
            capturedLength: totalLength + 14, wireLength: totalLength + 14)
    }

    @Test("TCP and UDP give their ports, flags and payload; the byte count is the IP length")
    func transports() {
        let tcp = TCPHeader(
            sourcePort: 40000, destinationPort: 443, sequenceNumber: 1, acknowledgmentNumber: 0, flags: [.syn],
            window: 64240, headerLength: 40, payloadOffset: 74, payloadLength: 0, windowScale: 7)
        guard case .flow(let key, let details) = FlowPacket(Self.packet(.tcp(tcp), protocolID: 6)) else {
            Issue.record("expected a flow")
            return
        }
        #expect(key == FlowKey(source: Self.client, destination: Self.server, ipProtocol: 6, sourcePort: 40000, destinationPort: 443))
        var expected = FlowPacketDetails(ipBytes: 60, tcpFlags: [.syn], payload: 0)
        expected.tcp = TCPSegment(sequence: 1, acknowledgment: 0, window: 64240, windowScale: 7)
        #expect(details == expected)
        let udp = UDPHeader(sourcePort: 5353, destinationPort: 53, length: 40, payloadOffset: 42, payloadLength: 32)
        guard case .flow(let udpKey, let udpDetails) = FlowPacket(Self.packet(.udp(udp), protocolID: 17)) else {
            Issue.record("expected a flow")
            return
        }
        #expect(udpKey.sourcePort == 5353 && udpKey.destinationPort == 53 && udpDetails.payload == 32)
    }

    @Test("an echo reply's key is the reverse of its request's, with identifier and sequence as ports")
    func echo() {
        let request = ICMPMessage(type: 8, code: 0, echo: ICMPEcho(identifier: 4242, sequenceNumber: 7))
        let reply = ICMPMessage(type: 0, code: 0, echo: ICMPEcho(identifier: 4242, sequenceNumber: 7))
        guard case .flow(let requestKey, let requestDetails) = FlowPacket(Self.packet(.icmp(request), protocolID: 1)),
            case .flow(let replyKey, let replyDetails) = FlowPacket(
                Self.packet(.icmp(reply), protocolID: 1, source: Self.server, destination: Self.client))
        else {
            Issue.record("expected flows")
            return
        }
        #expect(requestKey.sourcePort == 4242 && requestKey.destinationPort == 7 && requestKey.icmpType == 8)
        #expect(WingKey(replyKey) == WingKey(requestKey).reversed)
        #expect(!requestDetails.isEchoReply && replyDetails.isEchoReply)
        // ICMPv6 echo reply (129) likewise.
        let reply6 = ICMPMessage(type: 129, code: 0, echo: ICMPEcho(identifier: 9, sequenceNumber: 1))
        guard case .flow(_, let details6) = FlowPacket(
            Self.packet(.icmpv6(reply6), protocolID: 58, source: IPAddress("2001:db8::1")!, destination: IPAddress("2001:db8::2")!))
        else {
            Issue.record("expected a flow")
            return
        }
        #expect(details6.isEchoReply)
    }

    @Test("an ICMP error names the flow it quotes, in the quoted packet's direction")
    func icmpError() {
        let quoted = EmbeddedPacket(
            version: .v4, offset: 42, source: Self.client, destination: Self.server, protocolID: 17,
            transport: .ports(source: 5353, destination: 53))
        let unreachable = ICMPMessage(type: 3, code: 3, embedded: quoted)
        let router = IPAddress("198.51.100.1")!
        guard case .icmpError(let key, _) = FlowPacket(
            Self.packet(.icmp(unreachable), protocolID: 1, source: router, destination: Self.client))
        else {
            Issue.record("expected an ICMP error")
            return
        }
        #expect(key == WingKey(source: Self.client, destination: Self.server, sourcePort: 5353, destinationPort: 53, ipProtocol: 17))
        // An error whose quote lost its ports is an ordinary ICMP flow.
        let cut = ICMPMessage(
            type: 11, code: 0,
            embedded: EmbeddedPacket(version: .v4, offset: 42, source: Self.client, destination: Self.server, protocolID: 6, transport: .absent))
        guard case .flow(let key11, _) = FlowPacket(Self.packet(.icmp(cut), protocolID: 1, source: router)) else {
            Issue.record("expected a flow")
            return
        }
        #expect(key11.icmpType == 11)
    }

    @Test("later fragments and non-IP frames have no flow")
    func noFlow() {
        let later = Self.packet(.absent, protocolID: 17, fragment: IPFragment(offset: 1480, moreFragments: false))
        #expect(FlowPacket(later) == .laterFragment)
        let arp = DecodedPacket(
            link: LinkHeader(linkType: .ethernet, headerLength: 14, etherType: 0x0806), network: .other(.etherType(0x0806)),
            transport: .absent, capturedLength: 42, wireLength: 42)
        #expect(FlowPacket(arp) == .notIP)
    }
}
