extension Decoding {
    /// Decodes the IPv4 header at `offset`, options skipped.
    @inline(__always)
    func decodeIPv4(at offset: Int) throws(PacketDecodeError) -> (IPHeader, Segment) {
        let available = bytes.count - offset
        guard available >= 20 else { throw PacketDecodeError(.truncatedIPv4, at: offset) }
        let versionAndLength = bytes.u8(offset)
        guard versionAndLength >> 4 == 4 else { throw PacketDecodeError(.ipVersionMismatch, at: offset) }
        let headerLength = Int(versionAndLength & 0x0F) * 4
        guard headerLength >= 20 else { throw PacketDecodeError(.ipv4HeaderLengthTooSmall, at: offset) }
        guard headerLength <= available else { throw PacketDecodeError(.ipv4HeaderBeyondCapture, at: offset) }
        let totalLength = Int(bytes.u16(offset + 2))
        guard totalLength >= headerLength else { throw PacketDecodeError(.ipv4TotalLengthTooSmall, at: offset) }
        guard totalLength <= available || !isComplete else {
            throw PacketDecodeError(.ipv4TotalLengthBeyondFrame, at: offset)
        }

        let typeOfService = bytes.u8(offset + 1)
        let flagsAndOffset = bytes.u16(offset + 6)
        let fragmentOffset = Int(flagsAndOffset & 0x1FFF) * 8
        let moreFragments = flagsAndOffset & 0x2000 != 0
        let header = IPHeader(
            version: .v4, offset: offset, headerLength: headerLength, totalLength: totalLength,
            source: bytes.ipv4Address(offset + 12), destination: bytes.ipv4Address(offset + 16),
            protocolID: bytes.u8(offset + 9), ttl: bytes.u8(offset + 8),
            dscp: typeOfService >> 2, ecn: typeOfService & 0x03,
            identification: UInt32(bytes.u16(offset + 4)),
            dontFragment: flagsAndOffset & 0x4000 != 0,
            fragment: moreFragments || fragmentOffset != 0
                ? IPFragment(offset: fragmentOffset, moreFragments: moreFragments) : nil)
        let end = offset + totalLength
        return (header, Segment(start: offset + headerLength, declaredEnd: end, capturedEnd: min(end, bytes.count)))
    }

    /// Decodes the IPv6 header at `offset` and walks its extension headers.
    @inline(__always)
    func decodeIPv6(at offset: Int) throws(PacketDecodeError) -> (IPHeader, Segment) {
        let available = bytes.count - offset
        guard available >= 40 else { throw PacketDecodeError(.truncatedIPv6, at: offset) }
        let firstWord = bytes.u32(offset)
        guard firstWord >> 28 == 6 else { throw PacketDecodeError(.ipVersionMismatch, at: offset) }
        // Jumbograms (payload length 0 with a Jumbo Payload option) never cross an Ethernet
        // link; their length is taken as 0 and their extension headers read as truncated.
        let totalLength = 40 + Int(bytes.u16(offset + 4))
        guard totalLength <= available || !isComplete else {
            throw PacketDecodeError(.ipv6PayloadLengthBeyondFrame, at: offset)
        }
        let end = offset + totalLength
        let chain = try walkExtensionHeaders(
            from: offset + 40, nextHeader: bytes.u8(offset + 6), limit: min(end, bytes.count))

        let trafficClass = UInt8(truncatingIfNeeded: firstWord >> 20)
        let header = IPHeader(
            version: .v6, offset: offset, headerLength: chain.end - offset, totalLength: totalLength,
            source: bytes.ipv6Address(offset + 8), destination: bytes.ipv6Address(offset + 24),
            protocolID: chain.nextHeader, ttl: bytes.u8(offset + 7),
            dscp: trafficClass >> 2, ecn: trafficClass & 0x03, flowLabel: firstWord & 0x000F_FFFF,
            identification: chain.identification, fragment: chain.fragment,
            extensionHeaderCount: chain.count)
        return (header, Segment(start: chain.end, declaredEnd: end, capturedEnd: min(end, bytes.count)))
    }

    /// The end of an IPv6 extension header chain.
    struct ExtensionChain {
        /// The next header after the last extension header walked.
        var nextHeader: UInt8
        /// Where the last extension header walked ends.
        var end: Int
        /// How many extension headers were walked.
        var count = 0
        /// The fragment header's fields, if there was one.
        var fragment: IPFragment?
        /// The fragment header's identification, or 0.
        var identification: UInt32 = 0
    }

    /// Walks the extension headers from `offset`, where a header of type `nextHeader` starts,
    /// up to `limit` (the declared payload's end or the capture's, whichever comes first).
    ///
    /// Stops at the first header that is not an extension header, or after a fragment header
    /// with a nonzero offset (what follows it is the middle of another packet's payload).
    /// Every header walked is at least 8 bytes and the walk is bounded by
    /// ``PacketDecoder/maximumIPv6ExtensionHeaders``, so it always ends.
    func walkExtensionHeaders(
        from offset: Int, nextHeader: UInt8, limit: Int
    ) throws(PacketDecodeError) -> ExtensionChain {
        var chain = ExtensionChain(nextHeader: nextHeader, end: offset)
        while true {
            let cursor = chain.end
            let type = chain.nextHeader
            // Hop-by-Hop 0, Routing 43, Fragment 44, Destination Options 60, AH 51.
            guard type == 0 || type == 43 || type == 44 || type == 60 || type == 51 else { return chain }
            // RFC 8200 §4.1: Hop-by-Hop Options only ever follows the IPv6 header directly.
            guard type != 0 || chain.count == 0 else {
                throw PacketDecodeError(.ipv6HopByHopNotFirst, at: cursor)
            }
            guard chain.count < PacketDecoder.maximumIPv6ExtensionHeaders else {
                throw PacketDecodeError(.ipv6ExtensionChainTooLong, at: cursor)
            }
            // Every extension header is at least 8 bytes, so each step moves forward.
            guard bytes.fits(8, at: cursor, before: limit) else {
                throw PacketDecodeError(.ipv6ExtensionTruncated, at: cursor)
            }
            let length: Int
            switch type {
            case 44:
                length = 8
            case 51:
                // AH: length in 4-byte units, not counting the first 8; its fixed part (next
                // header, length, reserved, SPI, sequence number) is 12 bytes.
                length = (Int(bytes.u8(cursor + 1)) + 2) * 4
                guard length >= 12 else { throw PacketDecodeError(.ipv6ExtensionLengthInvalid, at: cursor) }
            default:
                // Length in 8-byte units, not counting the first 8: a length field of 0 is an
                // 8-byte header.
                length = (Int(bytes.u8(cursor + 1)) + 1) * 8
            }
            guard bytes.fits(length, at: cursor, before: limit) else {
                throw PacketDecodeError(.ipv6ExtensionTruncated, at: cursor)
            }
            chain.nextHeader = bytes.u8(cursor)
            chain.end = cursor + length
            chain.count += 1
            if type == 44 {
                let offsetAndFlags = bytes.u16(cursor + 2)
                let fragment = IPFragment(offset: Int(offsetAndFlags & 0xFFF8), moreFragments: offsetAndFlags & 1 != 0)
                chain.fragment = fragment
                chain.identification = bytes.u32(cursor + 4)
                if !fragment.isFirst { return chain }
            }
        }
    }
}
