extension Decoding {
    /// Decodes the link-layer header: its summary and what follows it.
    @inline(__always)
    func decodeLink(_ linkType: LinkType) throws(PacketDecodeError) -> (LinkHeader, NetworkKind) {
        // On the numbers rather than the `LinkType` constants, once per frame: a switch on
        // integer constants compiles to a search the compiler arranges, where matching the
        // constants would compare them one at a time with `==`.
        switch linkType.rawValue {
        case LinkType.Number.ethernet:
            guard bytes.count >= 14 else { throw PacketDecodeError(.truncatedEthernet, at: 0) }
            return try decodeEtherType(bytes.u16(12), at: 14, link: LinkHeader(linkType: linkType, headerLength: 14))

        case LinkType.Number.linuxSLL:
            // packet type (2), ARPHRD type (2), address length (2), address (8), protocol (2).
            guard bytes.count >= 16 else { throw PacketDecodeError(.truncatedLinkHeader, at: 0) }
            let link = LinkHeader(linkType: linkType, headerLength: 16, linuxPacketType: bytes.u16(0))
            return try decodeEtherType(bytes.u16(14), at: 16, link: link)

        case LinkType.Number.linuxSLL2:
            // protocol (2), reserved (2), interface index (4), ARPHRD type (2), packet type (1),
            // address length (1), address (8).
            guard bytes.count >= 20 else { throw PacketDecodeError(.truncatedLinkHeader, at: 0) }
            let link = LinkHeader(
                linkType: linkType, headerLength: 20, linuxPacketType: UInt16(bytes.u8(10)),
                interfaceIndex: bytes.u32(4))
            return try decodeEtherType(bytes.u16(0), at: 20, link: link)

        case LinkType.Number.null, LinkType.Number.loop:
            guard bytes.count >= 4 else { throw PacketDecodeError(.truncatedLinkHeader, at: 0) }
            // NULL records the family in the capturing host's byte order, LOOP in network order.
            // Families are small numbers, so a value with bits in the high half was written
            // little-endian.
            var family = bytes.u32(0)
            if family & 0xFFFF_0000 != 0 { family = family.byteSwapped }
            let link = LinkHeader(linkType: linkType, headerLength: 4)
            switch family {
            case 2: return (link, .ipv4)
            // AF_INET6 differs per system: Linux 10, OpenBSD and NetBSD 24, FreeBSD 28, Darwin 30.
            case 10, 24, 28, 30: return (link, .ipv6)
            default: return (link, .other(.addressFamily(family)))
            }

        case LinkType.Number.raw, LinkType.Number.rawDLT12, LinkType.Number.rawDLT14:
            guard bytes.count >= 1 else { throw PacketDecodeError(.truncatedIPv4, at: 0) }
            let link = LinkHeader(linkType: linkType, headerLength: 0)
            switch bytes.u8(0) >> 4 {
            case 4: return (link, .ipv4)
            case 6: return (link, .ipv6)
            default: throw PacketDecodeError(.ipVersionMismatch, at: 0)
            }

        case LinkType.Number.ipv4:
            return (LinkHeader(linkType: linkType, headerLength: 0), .ipv4)

        case LinkType.Number.ipv6:
            return (LinkHeader(linkType: linkType, headerLength: 0), .ipv6)

        default:
            throw PacketDecodeError(.unsupportedLinkType, at: 0)
        }
    }

    /// Walks the VLAN tags starting at `offset`, whose type is `etherType`, and classifies the
    /// EtherType behind them.
    @inline(__always)
    private func decodeEtherType(
        _ etherType: UInt16, at offset: Int, link: LinkHeader
    ) throws(PacketDecodeError) -> (LinkHeader, NetworkKind) {
        var link = link
        var etherType = etherType
        var offset = offset
        var vlan = VLANStack(count: 0, outer: 0, inner: 0)
        // 0x8100 802.1Q, 0x88A8 802.1ad, 0x9100 the pre-standard QinQ outer tag.
        while etherType == 0x8100 || etherType == 0x88A8 || etherType == 0x9100 {
            guard vlan.count < PacketDecoder.maximumVLANTags else {
                throw PacketDecodeError(.vlanStackTooDeep, at: offset)
            }
            guard bytes.fits(4, at: offset, before: bytes.count) else {
                throw PacketDecodeError(.truncatedEthernet, at: offset)
            }
            let id = bytes.u16(offset) & 0x0FFF
            if vlan.count == 0 { vlan.outer = id }
            vlan.inner = id
            vlan.count += 1
            etherType = bytes.u16(offset + 2)
            offset += 4
        }
        link.headerLength = offset
        link.etherType = etherType
        link.vlan = vlan.count == 0 ? nil : vlan
        switch etherType {
        case 0x0800: return (link, .ipv4)
        case 0x86DD: return (link, .ipv6)
        default: return (link, .other(.etherType(etherType)))
        }
    }
}
