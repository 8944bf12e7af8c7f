import FlowtelCore
import Packets
import Testing

@Suite("IPv4")
struct IPv4Tests {
    @Test("header fields: addresses, TTL, DSCP, ECN, identification, DF, lengths")
    func fields() throws {
        let ip = Build.ipv4(
            protocolID: 17, tos: 0xB9, identification: 0xBEEF, dontFragment: true, ttl: 63,
            Build.udp([9, 9, 9]))
        let packet = try decode(Build.ethernet(0x0800, ip))
        let header = try #require(packet.ip)
        #expect(header.source == IPAddress("10.0.0.1"))
        #expect(header.destination == IPAddress("192.0.2.7"))
        #expect(header.ttl == 63)
        #expect(header.protocolID == 17)
        #expect(header.dscp == 46)
        #expect(header.ecn == 1)
        #expect(header.identification == 0xBEEF)
        #expect(header.dontFragment)
        #expect(header.fragment == nil)
        #expect(header.headerLength == 20)
        #expect(header.totalLength == 31)
        #expect(header.transportOffset == 34)
        #expect(header.transportLength == 11)
        #expect(header.flowLabel == 0)
        #expect(header.extensionHeaderCount == 0)
    }

    @Test("options are skipped: the transport header follows IHL x 4")
    func options() throws {
        // Record Route (7) with room for two addresses, then End of Options, padded to 12 bytes.
        let options: [UInt8] = [7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        let packet = try decode(Build.ethernet(0x0800, Build.ipv4(protocolID: 6, options: options, Build.tcp())))
        let header = try #require(packet.ip)
        #expect(header.headerLength == 32)
        #expect(header.transportOffset == 46)
        guard case .tcp(let tcp) = packet.transport else { Issue.record("not TCP"); return }
        #expect(tcp.destinationPort == 443)
    }

    @Test("maximum options (IHL 15)")
    func maximumOptions() throws {
        let options = [UInt8](repeating: 1, count: 40)  // 40 No-Operation options
        let packet = try decode(Build.ipv4(protocolID: 17, options: options, Build.udp()), .raw)
        #expect(packet.ip?.headerLength == 60)
        #expect(packet.transport.ports?.source == 5353)
    }

    @Test("the Ethernet trailer of a short frame is not counted as payload")
    func trailer() throws {
        let frame = Build.ethernet(0x0800, Build.ipv4(protocolID: 17, Build.udp([1, 2])))
        let padded = frame + [UInt8](repeating: 0, count: 60 - frame.count)
        let packet = try decode(padded)
        #expect(packet.ip?.totalLength == 30)
        guard case .udp(let udp) = packet.transport else { Issue.record("not UDP"); return }
        #expect(udp.payloadLength == 2)
        let payload = padded.withUnsafeBytes { Array(packet.payload(in: $0)) }
        #expect(payload == [1, 2])
    }

    @Test("first fragment: flagged, transport decoded, UDP length may exceed the fragment")
    func firstFragment() throws {
        let udp = Build.udp(length: 1480, [UInt8](repeating: 7, count: 16))
        let packet = try decode(Build.ethernet(0x0800, Build.ipv4(protocolID: 17, identification: 77, moreFragments: true, udp)))
        let header = try #require(packet.ip)
        #expect(header.fragment == IPFragment(offset: 0, moreFragments: true))
        #expect(header.fragment?.isFirst == true)
        #expect(!header.isNonFirstFragment)
        #expect(header.identification == 77)
        guard case .udp(let decoded) = packet.transport else { Issue.record("not UDP"); return }
        #expect(decoded.length == 1480)
        #expect(decoded.destinationPort == 53)
    }

    @Test("non-first fragments have no transport header, and that is not an error", arguments: [true, false])
    func laterFragment(more: Bool) throws {
        let body = [UInt8](repeating: 0xFF, count: 3)  // shorter than any TCP header
        let packet = try decode(Build.ethernet(0x0800, Build.ipv4(protocolID: 6, moreFragments: more, fragmentOffset: 1480, body)))
        let header = try #require(packet.ip)
        #expect(header.fragment == IPFragment(offset: 1480, moreFragments: more))
        #expect(header.isNonFirstFragment)
        #expect(header.protocolID == 6)
        #expect(packet.transport == .absent)
    }

    @Test("a snapped capture may end before the total length")
    func snapped() throws {
        let frame = Build.ethernetIPv4TCP(payload: [UInt8](repeating: 0x41, count: 1000))
        let captured = Array(frame.prefix(80))
        let packet = try decode(captured, wireLength: frame.count)
        #expect(packet.ip?.totalLength == frame.count - 14)
        guard case .tcp(let tcp) = packet.transport else { Issue.record("not TCP"); return }
        #expect(tcp.payloadLength == 1000)
        let payload = captured.withUnsafeBytes { packet.payload(in: $0).count }
        #expect(payload == 80 - 14 - 20 - 24)
        // The same bytes claimed to be the whole frame are malformed.
        #expect(decodeError(captured) == PacketDecodeError(.ipv4TotalLengthBeyondFrame, at: 14))
    }
}
