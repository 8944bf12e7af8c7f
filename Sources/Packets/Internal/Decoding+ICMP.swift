extension Decoding {
    /// Decodes an ICMP (`isV6` false) or ICMPv6 message, and the packet an error quotes.
    func decodeICMP(_ segment: Segment, isV6: Bool) throws(PacketDecodeError) -> ICMPMessage {
        let start = segment.start
        // Every ICMP and ICMPv6 message starts with type, code, checksum and a 4-byte word.
        guard segment.holds(8) else { throw PacketDecodeError(.truncatedICMP, at: start) }
        let type = bytes.u8(start)
        var message = ICMPMessage(type: type, code: bytes.u8(start + 1), restOfHeader: bytes.u32(start + 4))
        if Self.isEcho(type, isV6: isV6) {
            message.echo = ICMPEcho(identifier: bytes.u16(start + 4), sequenceNumber: bytes.u16(start + 6))
        } else if Self.isError(type, isV6: isV6) {
            message.embedded = decodeEmbedded(at: start + 8, limit: segment.capturedEnd)
        }
        return message
    }

    /// Echo request or reply: ICMP 8 and 0, ICMPv6 128 and 129.
    static func isEcho(_ type: UInt8, isV6: Bool) -> Bool {
        isV6 ? type == 128 || type == 129 : type == 8 || type == 0
    }

    /// Errors that quote the offending packet: ICMP destination unreachable 3, source quench 4,
    /// redirect 5, time exceeded 11, parameter problem 12; ICMPv6 destination unreachable 1,
    /// packet too big 2, time exceeded 3, parameter problem 4.
    static func isError(_ type: UInt8, isV6: Bool) -> Bool {
        isV6 ? (1...4).contains(type) : type == 3 || type == 4 || type == 5 || type == 11 || type == 12
    }

    /// Decodes the packet quoted from `offset` to `limit`, as far as it goes; nil when not even
    /// its IP header is there. Never throws: a short quote is normal.
    private func decodeEmbedded(at offset: Int, limit: Int) -> EmbeddedPacket? {
        guard bytes.fits(1, at: offset, before: limit) else { return nil }
        switch bytes.u8(offset) >> 4 {
        case 4:
            guard bytes.fits(20, at: offset, before: limit) else { return nil }
            let headerLength = Int(bytes.u8(offset) & 0x0F) * 4
            guard headerLength >= 20, bytes.fits(headerLength, at: offset, before: limit) else { return nil }
            let protocolID = bytes.u8(offset + 9)
            let isNonFirstFragment = bytes.u16(offset + 6) & 0x1FFF != 0
            return EmbeddedPacket(
                version: .v4, offset: offset,
                source: bytes.ipv4Address(offset + 12), destination: bytes.ipv4Address(offset + 16),
                protocolID: protocolID,
                transport: isNonFirstFragment
                    ? .absent : embeddedTransport(protocolID, at: offset + headerLength, limit: limit))
        case 6:
            guard bytes.fits(40, at: offset, before: limit) else { return nil }
            let firstNextHeader = bytes.u8(offset + 6)
            var packet = EmbeddedPacket(
                version: .v6, offset: offset,
                source: bytes.ipv6Address(offset + 8), destination: bytes.ipv6Address(offset + 24),
                protocolID: firstNextHeader, transport: .absent)
            // The quoted packet's own extension headers, as far as they were quoted.
            guard let chain = try? walkExtensionHeaders(from: offset + 40, nextHeader: firstNextHeader, limit: limit)
            else { return packet }
            packet.protocolID = chain.nextHeader
            if chain.fragment?.isFirst ?? true {
                packet.transport = embeddedTransport(chain.nextHeader, at: chain.end, limit: limit)
            }
            return packet
        default:
            return nil
        }
    }

    /// What the quote shows of a transport header of `protocolID` at `offset`. Quoted ICMP
    /// errors are not followed further: one level of nesting only.
    private func embeddedTransport(_ protocolID: UInt8, at offset: Int, limit: Int) -> EmbeddedTransport {
        switch protocolID {
        case 6, 17, 132:
            guard bytes.fits(4, at: offset, before: limit) else { return .absent }
            return .ports(source: bytes.u16(offset), destination: bytes.u16(offset + 2))
        case 1, 58:
            guard bytes.fits(2, at: offset, before: limit) else { return .absent }
            let type = bytes.u8(offset)
            var echo: ICMPEcho?
            if Self.isEcho(type, isV6: protocolID == 58), bytes.fits(8, at: offset, before: limit) {
                echo = ICMPEcho(identifier: bytes.u16(offset + 4), sequenceNumber: bytes.u16(offset + 6))
            }
            return .icmp(type: type, code: bytes.u8(offset + 1), echo: echo)
        case 59:
            return .absent
        default:
            return .other
        }
    }
}
