// Hand-built frames for the decoder tests, written from the header layouts in the RFCs and the
// pcap link-type registry. Lengths are filled in correctly unless a test overrides them;
// checksums are left zero (the decoder does not verify them).

/// Big-endian byte appends.
struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func u8(_ value: UInt8) { bytes.append(value) }
    mutating func u16(_ value: UInt16) { bytes += [UInt8(value >> 8), UInt8(value & 0xFF)] }
    mutating func u32(_ value: UInt32) {
        u16(UInt16(value >> 16))
        u16(UInt16(value & 0xFFFF))
    }
    mutating func append(_ other: [UInt8]) { bytes += other }
}

/// A VLAN tag: its TPID and VLAN id.
struct Tag {
    var tpid: UInt16 = 0x8100
    var id: UInt16
}

enum Build {
    static let macA: [UInt8] = [0x02, 0, 0, 0, 0, 0x01]
    static let macB: [UInt8] = [0x02, 0, 0, 0, 0, 0x02]
    static let v4Source: [UInt8] = [10, 0, 0, 1]
    static let v4Destination: [UInt8] = [192, 0, 2, 7]
    static let v6Source: [UInt8] = [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1]
    static let v6Destination: [UInt8] = [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [2]

    // MARK: Link layer

    static func ethernet(_ etherType: UInt16, tags: [Tag] = [], _ payload: [UInt8]) -> [UInt8] {
        var w = ByteWriter()
        w.append(macB)
        w.append(macA)
        for tag in tags {
            w.u16(tag.tpid)
            w.u16(0x2000 | tag.id)  // priority 1, to check it is masked off
        }
        w.u16(etherType)
        w.append(payload)
        return w.bytes
    }

    /// Linux cooked v1: packet type, ARPHRD_ETHER, address length 6, address, protocol.
    static func sll(_ protocolType: UInt16, packetType: UInt16 = 0, _ payload: [UInt8]) -> [UInt8] {
        var w = ByteWriter()
        w.u16(packetType)
        w.u16(1)
        w.u16(6)
        w.append(macA + [0, 0])
        w.u16(protocolType)
        w.append(payload)
        return w.bytes
    }

    /// Linux cooked v2: protocol, reserved, interface index, ARPHRD_ETHER, packet type, address.
    static func sll2(_ protocolType: UInt16, interfaceIndex: UInt32 = 3, packetType: UInt8 = 4, _ payload: [UInt8]) -> [UInt8] {
        var w = ByteWriter()
        w.u16(protocolType)
        w.u16(0)
        w.u32(interfaceIndex)
        w.u16(1)
        w.u8(packetType)
        w.u8(6)
        w.append(macA + [0, 0])
        w.append(payload)
        return w.bytes
    }

    /// BSD loopback: the address family in little- or big-endian order.
    static func null(family: UInt32, bigEndian: Bool = false, _ payload: [UInt8]) -> [UInt8] {
        var w = ByteWriter()
        w.u32(bigEndian ? family : family.byteSwapped)
        w.append(payload)
        return w.bytes
    }

    // MARK: IP

    static func ipv4(
        protocolID: UInt8, tos: UInt8 = 0, identification: UInt16 = 0x1234, dontFragment: Bool = false,
        moreFragments: Bool = false, fragmentOffset: Int = 0, ttl: UInt8 = 64, options: [UInt8] = [],
        source: [UInt8] = v4Source, destination: [UInt8] = v4Destination,
        headerWords: Int? = nil, totalLength: Int? = nil, version: UInt8 = 4, _ payload: [UInt8]
    ) -> [UInt8] {
        precondition(options.count % 4 == 0, "IPv4 options are whole words")
        let headerLength = 20 + options.count
        var w = ByteWriter()
        w.u8(version << 4 | UInt8(headerWords ?? headerLength / 4))
        w.u8(tos)
        w.u16(UInt16(totalLength ?? headerLength + payload.count))
        w.u16(identification)
        w.u16((dontFragment ? 0x4000 : 0) | (moreFragments ? 0x2000 : 0) | UInt16(fragmentOffset / 8))
        w.u8(ttl)
        w.u8(protocolID)
        w.u16(0)
        w.append(source)
        w.append(destination)
        w.append(options)
        w.append(payload)
        return w.bytes
    }

    static func ipv6(
        nextHeader: UInt8, trafficClass: UInt8 = 0, flowLabel: UInt32 = 0, hopLimit: UInt8 = 64,
        source: [UInt8] = v6Source, destination: [UInt8] = v6Destination, payloadLength: Int? = nil,
        _ payload: [UInt8]
    ) -> [UInt8] {
        var w = ByteWriter()
        w.u32(6 << 28 | UInt32(trafficClass) << 20 | flowLabel)
        w.u16(UInt16(payloadLength ?? payload.count))
        w.u8(nextHeader)
        w.u8(hopLimit)
        w.append(source)
        w.append(destination)
        w.append(payload)
        return w.bytes
    }

    /// Hop-by-Hop, Routing or Destination Options: `lengthField` 8-byte units after the first 8.
    static func optionsHeader(next: UInt8, lengthField: UInt8 = 0) -> [UInt8] {
        [next, lengthField] + [UInt8](repeating: 0, count: 6 + Int(lengthField) * 8)
    }

    static func fragmentHeader(next: UInt8, offset: Int, more: Bool, identification: UInt32) -> [UInt8] {
        var w = ByteWriter()
        w.u8(next)
        w.u8(0)
        w.u16(UInt16(offset) | (more ? 1 : 0))
        w.u32(identification)
        return w.bytes
    }

    /// An authentication header with `icvWords` words of ICV: length field `1 + icvWords`.
    static func authenticationHeader(next: UInt8, spi: UInt32, sequence: UInt32 = 1, icvWords: Int = 3) -> [UInt8] {
        var w = ByteWriter()
        w.u8(next)
        w.u8(UInt8(1 + icvWords))
        w.u16(0)
        w.u32(spi)
        w.u32(sequence)
        w.append([UInt8](repeating: 0xAA, count: icvWords * 4))
        return w.bytes
    }

    // MARK: Transport

    static func tcp(
        sourcePort: UInt16 = 49152, destinationPort: UInt16 = 443, sequence: UInt32 = 1000,
        acknowledgment: UInt32 = 0, flags: UInt8 = 0x02, window: UInt16 = 65535, options: [UInt8] = [],
        dataOffset: Int? = nil, _ payload: [UInt8] = []
    ) -> [UInt8] {
        precondition(options.count % 4 == 0, "TCP options are whole words")
        var w = ByteWriter()
        w.u16(sourcePort)
        w.u16(destinationPort)
        w.u32(sequence)
        w.u32(acknowledgment)
        w.u8(UInt8(dataOffset ?? (20 + options.count) / 4) << 4)
        w.u8(flags)
        w.u16(window)
        w.u32(0)
        w.append(options)
        w.append(payload)
        return w.bytes
    }

    static func udp(sourcePort: UInt16 = 5353, destinationPort: UInt16 = 53, length: Int? = nil, _ payload: [UInt8] = []) -> [UInt8] {
        var w = ByteWriter()
        w.u16(sourcePort)
        w.u16(destinationPort)
        w.u16(UInt16(length ?? 8 + payload.count))
        w.u16(0)
        w.append(payload)
        return w.bytes
    }

    static func icmp(type: UInt8, code: UInt8 = 0, rest: UInt32 = 0, _ body: [UInt8] = []) -> [UInt8] {
        var w = ByteWriter()
        w.u8(type)
        w.u8(code)
        w.u16(0)
        w.u32(rest)
        w.append(body)
        return w.bytes
    }

    static func echo(type: UInt8, identifier: UInt16, sequence: UInt16, _ payload: [UInt8] = []) -> [UInt8] {
        icmp(type: type, rest: UInt32(identifier) << 16 | UInt32(sequence), payload)
    }

    // MARK: Whole frames

    /// Ethernet, IPv4, TCP with options and a payload: the frame most tests start from.
    static func ethernetIPv4TCP(payload: [UInt8] = Array("hello".utf8)) -> [UInt8] {
        let mss: [UInt8] = [2, 4, 0x05, 0xB4]
        return ethernet(0x0800, ipv4(protocolID: 6, tcp(flags: 0x18, options: mss, payload)))
    }

    static func ethernetIPv6UDP() -> [UInt8] {
        ethernet(0x86DD, ipv6(nextHeader: 17, udp([1, 2, 3, 4])))
    }
}
