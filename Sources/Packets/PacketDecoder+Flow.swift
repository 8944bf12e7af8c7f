import FlowtelCore

extension PacketDecoder {
    /// Decodes the common case of a flow table's input, an unfragmented TCP or UDP packet over
    /// IPv4 or IPv6, into ``FlowHeaders`` only; nil for every other frame, well formed or not.
    ///
    /// The same header decoders as ``decode(_:wireLength:)``, run on the same bounds checks, so
    /// a frame this returns headers for is one `decode` accepts, with the same values; what it
    /// saves is building the whole ``DecodedPacket``. On nil, call `decode`: it decodes the
    /// other protocols (ICMP, fragments, non-IP frames) and says what a malformed frame got
    /// wrong.
    ///
    /// ```swift
    /// if let headers = decoder.decodeFlow(bytes, wireLength: length) {
    ///     engine.process(headers, at: time, into: &events)
    /// } else if let packet = try? decoder.decode(bytes, wireLength: length) {
    ///     engine.process(packet, at: time, into: &events)
    /// }
    /// ```
    public func decodeFlow(_ frame: UnsafeRawBufferPointer, wireLength: Int? = nil) -> FlowHeaders? {
        let wireLength = wireLength ?? frame.count
        guard frame.count <= wireLength else { return nil }
        if linkType.rawValue == LinkType.Number.ethernet, frame.count == wireLength,
            let headers = Self.decodeEthernetIPv4(frame)
        {
            return headers
        }
        let decoding = Decoding(bytes: FrameBytes(frame), isComplete: frame.count == wireLength)
        do {
            let (link, kind) = try decoding.decodeLink(linkType)
            let header: IPHeader
            let segment: Segment
            switch kind {
            case .ipv4: (header, segment) = try decoding.decodeIPv4(at: link.headerLength)
            case .ipv6: (header, segment) = try decoding.decodeIPv6(at: link.headerLength)
            case .other: return nil
            }
            // Fragments (first ones included) take the full decoder's path.
            guard header.fragment == nil else { return nil }
            switch header.protocolID {
            case 6:
                let tcp = try decoding.decodeTCP(segment)
                return FlowHeaders(
                    vlan: link.vlan?.outer, source: header.source, destination: header.destination, protocolID: 6,
                    ipTotalLength: header.totalLength, sourcePort: tcp.sourcePort, destinationPort: tcp.destinationPort,
                    payloadLength: tcp.payloadLength, tcpFlags: tcp.flags, sequenceNumber: tcp.sequenceNumber,
                    acknowledgmentNumber: tcp.acknowledgmentNumber, window: tcp.window, windowScale: tcp.windowScale)
            case 17:
                let udp = try decoding.decodeUDP(segment, isFirstOfSeveral: false)
                return FlowHeaders(
                    vlan: link.vlan?.outer, source: header.source, destination: header.destination, protocolID: 17,
                    ipTotalLength: header.totalLength, sourcePort: udp.sourcePort, destinationPort: udp.destinationPort,
                    payloadLength: udp.payloadLength)
            default:
                return nil
            }
        } catch {
            return nil
        }
    }

    /// The commonest frame of all, straight through: Ethernet with at most one VLAN tag, IPv4,
    /// unfragmented, TCP or UDP, wholly captured. Each length is checked once against the frame
    /// and the fields are then read without a check per read. Nil for anything else, and for
    /// anything the checks of the general path would reject, which then decides.
    ///
    /// The checks are those of `decodeLink`, `decodeIPv4`, `decodeTCP` and `decodeUDP` for this
    /// case (the tests compare the two paths on mutated and random frames).
    @inline(__always)
    private static func decodeEthernetIPv4(_ frame: UnsafeRawBufferPointer) -> FlowHeaders? {
        let count = frame.count
        // Ethernet header, one VLAN tag, IPv4 header: 38 bytes; the first 14 at least.
        guard count >= 14, let base = frame.baseAddress else { return nil }
        @inline(__always) func u8(_ offset: Int) -> UInt8 { base.load(fromByteOffset: offset, as: UInt8.self) }
        @inline(__always) func u16(_ offset: Int) -> UInt16 {
            UInt16(bigEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
        }
        @inline(__always) func u32(_ offset: Int) -> UInt32 {
            UInt32(bigEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
        }
        var etherType = u16(12)
        var offset = 14
        var vlan: UInt16?
        if etherType == 0x8100 || etherType == 0x88A8 || etherType == 0x9100 {
            guard count >= 18 else { return nil }
            vlan = u16(14) & 0x0FFF
            etherType = u16(16)
            offset = 18
        }
        // IPv4 (a second tag, IPv6 and the rest: the general path).
        guard etherType == 0x0800, count - offset >= 20 else { return nil }
        let versionAndLength = u8(offset)
        let headerLength = Int(versionAndLength & 0x0F) * 4
        let totalLength = Int(u16(offset + 2))
        guard versionAndLength >> 4 == 4, headerLength >= 20, totalLength >= headerLength,
            totalLength <= count - offset,
            // Not a fragment: neither more-fragments nor an offset.
            u16(offset + 6) & 0x3FFF == 0
        else { return nil }
        let start = offset + headerLength
        // The transport bytes the IP header declares, all captured (checked above).
        let declaredLength = totalLength - headerLength
        let source = IPAddress.v4(u32(offset + 12))
        let destination = IPAddress.v4(u32(offset + 16))
        let vlanID = vlan
        switch u8(offset + 9) {
        case 6:
            guard declaredLength >= 20 else { return nil }
            let tcpHeaderLength = Int(u8(start + 12) >> 4) * 4
            guard tcpHeaderLength >= 20, tcpHeaderLength <= declaredLength else { return nil }
            let flags = TCPFlags(rawValue: u8(start + 13))
            var windowScale: UInt8?
            if flags.contains(.syn), tcpHeaderLength > 20 {
                let decoding = Decoding(bytes: FrameBytes(frame), isComplete: true)
                let end = offset + totalLength
                windowScale = decoding.windowScale(
                    Segment(start: start, declaredEnd: end, capturedEnd: end), headerLength: tcpHeaderLength)
            }
            return FlowHeaders(
                vlan: vlanID, source: source, destination: destination, protocolID: 6, ipTotalLength: totalLength,
                sourcePort: u16(start), destinationPort: u16(start + 2), payloadLength: declaredLength - tcpHeaderLength,
                tcpFlags: flags, sequenceNumber: u32(start + 4), acknowledgmentNumber: u32(start + 8),
                window: u16(start + 14), windowScale: windowScale)
        case 17:
            guard declaredLength >= 8 else { return nil }
            let length = Int(u16(start + 4))
            guard length >= 8, length <= declaredLength else { return nil }
            return FlowHeaders(
                vlan: vlanID, source: source, destination: destination, protocolID: 17, ipTotalLength: totalLength,
                sourcePort: u16(start), destinationPort: u16(start + 2), payloadLength: length - 8)
        default:
            return nil
        }
    }
}
