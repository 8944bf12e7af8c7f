import FlowtelCore
import Packets
import Testing

@Suite("IPv6")
struct IPv6Tests {
    @Test("header fields: addresses, hop limit, traffic class, flow label, lengths")
    func fields() throws {
        let frame = Build.ethernet(0x86DD, Build.ipv6(nextHeader: 17, trafficClass: 0xB8, flowLabel: 0xABCDE, hopLimit: 255, Build.udp([1, 2, 3])))
        let header = try #require(try decode(frame).ip)
        #expect(header.source == IPAddress("2001:db8::1"))
        #expect(header.destination == IPAddress("2001:db8::2"))
        #expect(header.ttl == 255)
        #expect(header.dscp == 46)
        #expect(header.ecn == 0)
        #expect(header.flowLabel == 0xABCDE)
        #expect(header.protocolID == 17)
        #expect(header.headerLength == 40)
        #expect(header.totalLength == 51)
        #expect(header.fragment == nil)
        #expect(header.extensionHeaderCount == 0)
    }

    @Test(
        "each options header is walked; a length field of 0 is an 8-byte header",
        arguments: [UInt8(0), 43, 60], [UInt8(0), 2])
    func optionsHeader(type: UInt8, lengthField: UInt8) throws {
        let ext = Build.optionsHeader(next: 6, lengthField: lengthField)
        let packet = try decode(Build.ipv6(nextHeader: type, ext + Build.tcp()), .ipv6)
        let header = try #require(packet.ip)
        #expect(header.extensionHeaderCount == 1)
        #expect(header.headerLength == 40 + 8 + Int(lengthField) * 8)
        #expect(header.protocolID == 6)
        #expect(packet.transport.ports?.destination == 443)
    }

    @Test("AH is walked: length in 4-byte units plus 2")
    func authenticationHeader() throws {
        let ah = Build.authenticationHeader(next: 17, spi: 0x1000)
        let packet = try decode(Build.ipv6(nextHeader: 51, ah + Build.udp()), .ipv6)
        #expect(ah.count == 24)
        #expect(packet.ip?.headerLength == 64)
        #expect(packet.ip?.protocolID == 17)
        #expect(packet.transport.ports?.source == 5353)
    }

    @Test("first fragment: fragment fields kept, transport decoded")
    func firstFragment() throws {
        let frag = Build.fragmentHeader(next: 58, offset: 0, more: true, identification: 0xCAFE_F00D)
        let packet = try decode(Build.ipv6(nextHeader: 44, frag + Build.echo(type: 128, identifier: 9, sequence: 1)), .ipv6)
        let header = try #require(packet.ip)
        #expect(header.fragment == IPFragment(offset: 0, moreFragments: true))
        #expect(header.identification == 0xCAFE_F00D)
        #expect(header.protocolID == 58)
        guard case .icmpv6(let icmp) = packet.transport else { Issue.record("not ICMPv6"); return }
        #expect(icmp.echo == ICMPEcho(identifier: 9, sequenceNumber: 1))
    }

    @Test("non-first fragment: the walk stops, no transport, not an error")
    func laterFragment() throws {
        // What follows the fragment header looks like another extension header; it is not one.
        let frag = Build.fragmentHeader(next: 0, offset: 1448, more: false, identification: 5)
        let packet = try decode(Build.ipv6(nextHeader: 44, frag + [0, 200, 1, 2]), .ipv6)
        let header = try #require(packet.ip)
        #expect(header.fragment == IPFragment(offset: 1448, moreFragments: false))
        #expect(header.isNonFirstFragment)
        #expect(header.protocolID == 0)
        #expect(header.headerLength == 48)
        #expect(packet.transport == .absent)
    }

    @Test("atomic fragment (offset 0, no more fragments) decodes its transport")
    func atomicFragment() throws {
        let frag = Build.fragmentHeader(next: 17, offset: 0, more: false, identification: 1)
        let packet = try decode(Build.ipv6(nextHeader: 44, frag + Build.udp()), .ipv6)
        #expect(packet.ip?.fragment == IPFragment(offset: 0, moreFragments: false))
        #expect(packet.transport.ports?.destination == 53)
    }

    @Test("a chain of every extension header")
    func chain() throws {
        let payload = Build.optionsHeader(next: 60)
            + Build.optionsHeader(next: 43, lengthField: 1)
            + Build.optionsHeader(next: 44)
            + Build.fragmentHeader(next: 51, offset: 0, more: true, identification: 3)
            + Build.authenticationHeader(next: 60, spi: 1, icvWords: 1)
            + Build.optionsHeader(next: 6)
            + Build.tcp(flags: 0x12)
        let packet = try decode(Build.ethernet(0x86DD, Build.ipv6(nextHeader: 0, payload)))
        let header = try #require(packet.ip)
        #expect(header.extensionHeaderCount == 6)
        #expect(header.headerLength == 40 + 8 + 8 + 16 + 8 + 16 + 8)
        #expect(header.protocolID == 6)
        #expect(header.fragment?.moreFragments == true)
        guard case .tcp(let tcp) = packet.transport else { Issue.record("not TCP"); return }
        #expect(tcp.flags == [.syn, .ack])
    }

    @Test("a chain of exactly the maximum length decodes")
    func maximumChain() throws {
        var payload: [UInt8] = []
        for index in 0..<PacketDecoder.maximumIPv6ExtensionHeaders {
            payload += Build.optionsHeader(next: index == PacketDecoder.maximumIPv6ExtensionHeaders - 1 ? 17 : 60)
        }
        let packet = try decode(Build.ipv6(nextHeader: 60, payload + Build.udp()), .ipv6)
        #expect(packet.ip?.extensionHeaderCount == PacketDecoder.maximumIPv6ExtensionHeaders)
        #expect(packet.transport.ports?.destination == 53)
    }

    @Test("no next header (59): no transport")
    func noNextHeader() throws {
        let packet = try decode(Build.ipv6(nextHeader: 60, Build.optionsHeader(next: 59)), .ipv6)
        #expect(packet.ip?.protocolID == 59)
        #expect(packet.transport == .absent)
    }
}
