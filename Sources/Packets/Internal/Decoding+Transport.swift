extension Decoding {
    /// Decodes the transport header of `ip`, whose bytes are `segment`.
    @inline(__always)
    func decodeTransport(of ip: IPHeader, in segment: Segment) throws(PacketDecodeError) -> Transport {
        // A non-first fragment starts in the middle of the original payload.
        if ip.isNonFirstFragment { return .absent }
        // TCP and UDP, nearly every packet, inline; the rest out of line.
        switch ip.protocolID {
        case 6: return .tcp(try decodeTCP(segment))
        case 17: return .udp(try decodeUDP(segment, isFirstOfSeveral: ip.fragment?.moreFragments ?? false))
        default: return try decodeOtherTransport(of: ip, in: segment)
        }
    }

    /// Decodes a transport header other than TCP and UDP.
    @inline(never)
    private func decodeOtherTransport(of ip: IPHeader, in segment: Segment) throws(PacketDecodeError) -> Transport {
        switch ip.protocolID {
        case 1: return .icmp(try decodeICMP(segment, isV6: false))
        case 58: return .icmpv6(try decodeICMP(segment, isV6: true))
        case 47: return .gre(try decodeGRE(segment))
        case 50: return .esp(try decodeESP(segment))
        case 51: return .ah(try decodeAH(segment))
        case 132: return .sctp(try decodeSCTP(segment))
        case 59: return .absent  // IPv6 "no next header"
        default: return .other
        }
    }

    @inline(__always)
    func decodeTCP(_ segment: Segment) throws(PacketDecodeError) -> TCPHeader {
        let start = segment.start
        guard segment.holds(20) else { throw PacketDecodeError(.truncatedTCP, at: start) }
        let headerLength = Int(bytes.u8(start + 12) >> 4) * 4
        guard headerLength >= 20 else { throw PacketDecodeError(.tcpDataOffsetTooSmall, at: start) }
        // Options need not be captured: a short snapshot length still shows the fixed header.
        guard headerLength <= segment.declaredLength else {
            throw PacketDecodeError(.tcpDataOffsetBeyondSegment, at: start)
        }
        let flags = TCPFlags(rawValue: bytes.u8(start + 13))
        return TCPHeader(
            sourcePort: bytes.u16(start), destinationPort: bytes.u16(start + 2),
            sequenceNumber: bytes.u32(start + 4), acknowledgmentNumber: bytes.u32(start + 8),
            flags: flags, window: bytes.u16(start + 14),
            headerLength: headerLength, payloadOffset: start + headerLength,
            payloadLength: segment.declaredLength - headerLength,
            windowScale: flags.contains(.syn) && headerLength > 20 ? windowScale(segment, headerLength: headerLength) : nil)
    }

    /// The window-scale option of a SYN's options, if captured (kind 3, length 3).
    @inline(never)
    func windowScale(_ segment: Segment, headerLength: Int) -> UInt8? {
        var offset = 20
        while offset < headerLength, segment.holds(offset + 1) {
            let kind = bytes.u8(segment.start + offset)
            switch kind {
            case 0: return nil  // end of options
            case 1: offset += 1  // no-operation
            default:
                guard segment.holds(offset + 2) else { return nil }
                let length = Int(bytes.u8(segment.start + offset + 1))
                guard length >= 2, offset + length <= headerLength else { return nil }
                if kind == 3, length == 3, segment.holds(offset + 3) { return bytes.u8(segment.start + offset + 2) }
                offset += length
            }
        }
        return nil
    }

    @inline(__always)
    func decodeUDP(_ segment: Segment, isFirstOfSeveral: Bool) throws(PacketDecodeError) -> UDPHeader {
        let start = segment.start
        guard segment.holds(8) else { throw PacketDecodeError(.truncatedUDP, at: start) }
        let length = Int(bytes.u16(start + 4))
        // The first fragment of a datagram holds only part of what the UDP length counts.
        guard length >= 8, length <= segment.declaredLength || isFirstOfSeveral else {
            throw PacketDecodeError(.udpLengthInvalid, at: start)
        }
        return UDPHeader(
            sourcePort: bytes.u16(start), destinationPort: bytes.u16(start + 2), length: length,
            payloadOffset: start + 8, payloadLength: length - 8)
    }

    private func decodeGRE(_ segment: Segment) throws(PacketDecodeError) -> GREHeader {
        let start = segment.start
        guard segment.holds(4) else { throw PacketDecodeError(.truncatedGRE, at: start) }
        let flags = bytes.u16(start)
        var header = GREHeader(version: UInt8(flags & 0x0007), protocolType: bytes.u16(start + 2))
        guard flags & 0x2000 != 0 else { return header }
        // The key follows the checksum and offset words, present when C or (RFC 1701) R is set.
        let keyOffset = flags & 0xC000 != 0 ? 8 : 4
        guard segment.holds(keyOffset + 4) else { throw PacketDecodeError(.truncatedGRE, at: start) }
        header.key = bytes.u32(start + keyOffset)
        return header
    }

    private func decodeESP(_ segment: Segment) throws(PacketDecodeError) -> ESPHeader {
        let start = segment.start
        guard segment.holds(8) else { throw PacketDecodeError(.truncatedESP, at: start) }
        return ESPHeader(spi: bytes.u32(start), sequenceNumber: bytes.u32(start + 4))
    }

    private func decodeAH(_ segment: Segment) throws(PacketDecodeError) -> AHHeader {
        let start = segment.start
        guard segment.holds(12) else { throw PacketDecodeError(.truncatedAH, at: start) }
        // Length in 4-byte units, not counting the first 8.
        let length = (Int(bytes.u8(start + 1)) + 2) * 4
        guard length >= 12, length <= segment.declaredLength else {
            throw PacketDecodeError(.truncatedAH, at: start)
        }
        return AHHeader(nextHeader: bytes.u8(start), spi: bytes.u32(start + 4), sequenceNumber: bytes.u32(start + 8))
    }

    private func decodeSCTP(_ segment: Segment) throws(PacketDecodeError) -> SCTPHeader {
        let start = segment.start
        guard segment.holds(12) else { throw PacketDecodeError(.truncatedSCTP, at: start) }
        return SCTPHeader(
            sourcePort: bytes.u16(start), destinationPort: bytes.u16(start + 2),
            verificationTag: bytes.u32(start + 4))
    }
}
