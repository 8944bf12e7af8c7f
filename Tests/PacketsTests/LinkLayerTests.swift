import FlowtelCore
import Packets
import Testing

@Suite("Link layer")
struct LinkLayerTests {
    let ipv4UDP = Build.ipv4(protocolID: 17, Build.udp())
    let ipv6UDP = Build.ipv6(nextHeader: 17, Build.udp())

    @Test("Ethernet: header length, EtherType, no VLAN")
    func ethernet() throws {
        let packet = try decode(Build.ethernet(0x0800, ipv4UDP))
        #expect(packet.link == LinkHeader(linkType: .ethernet, headerLength: 14, etherType: 0x0800))
        #expect(packet.ip?.offset == 14)
        #expect(packet.ip?.version == .v4)
        #expect(packet.transport.ports?.destination == 53)
    }

    @Test("Ethernet carries IPv6")
    func ethernetIPv6() throws {
        let packet = try decode(Build.ethernet(0x86DD, ipv6UDP))
        #expect(packet.ip?.version == .v6)
        #expect(packet.link.etherType == 0x86DD)
    }

    @Test("one 802.1Q tag: outer and inner are the same id, priority masked off")
    func singleTag() throws {
        let packet = try decode(Build.ethernet(0x0800, tags: [Tag(id: 100)], ipv4UDP))
        #expect(packet.link.vlan == VLANStack(count: 1, outer: 100, inner: 100))
        #expect(packet.link.headerLength == 18)
        #expect(packet.ip?.offset == 18)
    }

    @Test("802.1ad over 802.1Q: outermost and innermost ids", arguments: [UInt16(0x88A8), 0x9100, 0x8100])
    func doubleTag(outerTPID: UInt16) throws {
        let frame = Build.ethernet(0x86DD, tags: [Tag(tpid: outerTPID, id: 300), Tag(id: 42)], ipv6UDP)
        let packet = try decode(frame)
        #expect(packet.link.vlan == VLANStack(count: 2, outer: 300, inner: 42))
        #expect(packet.link.headerLength == 22)
        #expect(packet.link.etherType == 0x86DD)
        #expect(packet.ip?.version == .v6)
    }

    @Test("a stack of exactly the maximum depth decodes")
    func maximumDepth() throws {
        let tags = (1...PacketDecoder.maximumVLANTags).map { Tag(tpid: 0x88A8, id: UInt16($0)) }
        let packet = try decode(Build.ethernet(0x0800, tags: tags, ipv4UDP))
        #expect(packet.link.vlan == VLANStack(count: 4, outer: 1, inner: 4))
    }

    @Test("one tag more than the maximum is vlanStackTooDeep at the extra tag")
    func tooDeep() {
        let tags = (0...PacketDecoder.maximumVLANTags).map { Tag(id: UInt16($0)) }
        let error = decodeError(Build.ethernet(0x0800, tags: tags, ipv4UDP))
        #expect(error == PacketDecodeError(.vlanStackTooDeep, at: 14 + 4 * PacketDecoder.maximumVLANTags))
    }

    @Test("ARP, LLDP, MPLS and 802.3/LLC frames are skipped as non-IP, not errors", arguments: [UInt16(0x0806), 0x88CC, 0x8847, 0x0026])
    func nonIP(etherType: UInt16) throws {
        let packet = try decode(Build.ethernet(etherType, [UInt8](repeating: 0, count: 28)))
        #expect(packet.network == .other(.etherType(etherType)))
        #expect(packet.transport == .absent)
        #expect(packet.ip == nil)
    }

    @Test("ARP behind a VLAN tag keeps the tag")
    func taggedARP() throws {
        let packet = try decode(Build.ethernet(0x0806, tags: [Tag(id: 7)], [UInt8](repeating: 0, count: 28)))
        #expect(packet.network == .other(.etherType(0x0806)))
        #expect(packet.link.vlan?.inner == 7)
    }

    @Test("Linux cooked v1: packet type, VLAN tags after the header")
    func linuxSLL() throws {
        let packet = try decode(Build.sll(0x0800, packetType: 4, ipv4UDP), .linuxSLL)
        #expect(packet.link.headerLength == 16)
        #expect(packet.link.linuxPacketType == 4)
        #expect(packet.ip?.offset == 16)
        #expect(packet.transport.ports?.source == 5353)

        var tagged = ByteWriter()
        tagged.u16(0x0064)
        tagged.u16(0x86DD)
        let vlanPacket = try decode(Build.sll(0x8100, tagged.bytes + ipv6UDP), .linuxSLL)
        #expect(vlanPacket.link.vlan == VLANStack(count: 1, outer: 100, inner: 100))
        #expect(vlanPacket.ip?.offset == 20)
    }

    @Test("Linux cooked v2: interface index and packet type")
    func linuxSLL2() throws {
        let packet = try decode(Build.sll2(0x86DD, interfaceIndex: 7, packetType: 0, ipv6UDP), .linuxSLL2)
        #expect(packet.link.headerLength == 20)
        #expect(packet.link.interfaceIndex == 7)
        #expect(packet.link.linuxPacketType == 0)
        #expect(packet.ip?.version == .v6)
        #expect(packet.ip?.offset == 20)
    }

    @Test("raw IP link types read the version nibble", arguments: [LinkType.raw, .rawDLT12, .rawDLT14])
    func raw(linkType: LinkType) throws {
        let v4 = try decode(ipv4UDP, linkType)
        #expect(v4.ip?.version == .v4)
        #expect(v4.ip?.offset == 0)
        #expect(v4.link == LinkHeader(linkType: linkType, headerLength: 0))
        let v6 = try decode(ipv6UDP, linkType)
        #expect(v6.ip?.version == .v6)
        #expect(decodeError([0x50] + ipv4UDP.dropFirst(), linkType) == PacketDecodeError(.ipVersionMismatch, at: 0))
    }

    @Test("LINKTYPE_IPV4 and LINKTYPE_IPV6 insist on their version")
    func fixedVersion() throws {
        #expect(try decode(ipv4UDP, .ipv4).ip?.version == .v4)
        #expect(try decode(ipv6UDP, .ipv6).ip?.version == .v6)
        #expect(decodeError(ipv6UDP, .ipv4) == PacketDecodeError(.ipVersionMismatch, at: 0))
        #expect(decodeError(ipv4UDP + [UInt8](repeating: 0, count: 20), .ipv6) == PacketDecodeError(.ipVersionMismatch, at: 0))
    }

    @Test("Ethernet EtherType and IP version must agree")
    func etherTypeVersionMismatch() {
        #expect(decodeError(Build.ethernet(0x0800, ipv6UDP)) == PacketDecodeError(.ipVersionMismatch, at: 14))
        #expect(decodeError(Build.ethernet(0x86DD, ipv4UDP + [UInt8](repeating: 0, count: 20)))
            == PacketDecodeError(.ipVersionMismatch, at: 14))
    }

    @Test(
        "BSD loopback: every AF_INET6 value, in either byte order",
        arguments: [UInt32(10), 24, 28, 30], [false, true])
    func nullIPv6(family: UInt32, bigEndian: Bool) throws {
        let packet = try decode(Build.null(family: family, bigEndian: bigEndian, ipv6UDP), .null)
        #expect(packet.ip?.version == .v6)
        #expect(packet.link.headerLength == 4)
    }

    @Test("BSD loopback: AF_INET in either byte order", arguments: [false, true])
    func nullIPv4(bigEndian: Bool) throws {
        let packet = try decode(Build.null(family: 2, bigEndian: bigEndian, ipv4UDP), .null)
        #expect(packet.ip?.version == .v4)
        #expect(packet.ip?.offset == 4)
    }

    @Test("OpenBSD LOOP: family in network order")
    func loop() throws {
        let packet = try decode(Build.null(family: 24, bigEndian: true, ipv6UDP), .loop)
        #expect(packet.ip?.version == .v6)
    }

    @Test("BSD loopback: another family is skipped as non-IP")
    func nullOther() throws {
        let packet = try decode(Build.null(family: 7, [1, 2, 3]), .null)
        #expect(packet.network == .other(.addressFamily(7)))
    }

    @Test("an unsupported link type is an error", arguments: [UInt32(105), 127, 147])
    func unsupported(rawValue: UInt32) {
        let linkType = LinkType(rawValue: rawValue)
        #expect(!linkType.isSupported)
        #expect(decodeError(ipv4UDP, linkType) == PacketDecodeError(.unsupportedLinkType, at: 0))
    }

    @Test("supported link types agree with isSupported and have names")
    func supportedList() {
        for linkType in LinkType.supported {
            #expect(linkType.isSupported)
            #expect(!linkType.description.hasPrefix("LINKTYPE"))
        }
        #expect(LinkType(rawValue: 9).description == "LINKTYPE 9")
    }

    @Test("captured and wire lengths are reported")
    func lengths() throws {
        let frame = Build.ethernet(0x0800, ipv4UDP)
        let whole = try decode(frame)
        #expect(whole.capturedLength == frame.count)
        #expect(whole.wireLength == frame.count)
        #expect(!whole.isTruncatedByCapture)
        let snapped = try decode(frame, wireLength: frame.count + 100)
        #expect(snapped.wireLength == frame.count + 100)
        #expect(snapped.isTruncatedByCapture)
    }
}
