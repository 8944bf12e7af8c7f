import FlowtelCore

/// Payload content for TCP and generic UDP: 8 KiB of fixed pseudo-random bytes (they look like
/// encrypted traffic), of which a payload copies up to 4 KiB from a per-session offset.
private let contentTable: [UInt8] = {
    var random = GeneratorRandom(seed: 0x666C_6F77_7465_6C21)
    return (0..<8192).map { _ in UInt8(truncatingIfNeeded: random.next() >> 56) }
}()

/// Bytes to grow a frame buffer with (a contiguous copy, fast in debug builds too).
private let zeros = [UInt8](repeating: 0, count: 2048)

/// Turns a session's step into Ethernet frame bytes: VLAN tag, IPv4 or IPv6, TCP, UDP, ICMP or
/// ICMPv6 with every checksum computed, and the application payload.
enum FrameWriter {
    /// Frames shorter than this (the Ethernet minimum without FCS) are padded with zeros, as
    /// they arrive on the wire.
    static let minimumFrameLength = 60

    /// Writes `step` of `session` into `buffer`, replacing its contents (its capacity is
    /// reused), and advances the sender's IPv4 identification. Returns the frame length.
    static func write(_ step: Step, of session: inout SessionState, into buffer: inout [UInt8]) -> Int {
        let sender = step.fromClient ? session.client : session.server
        let receiver = step.fromClient ? session.server : session.client
        let isV4 = session.isV4
        let linkLength = sender.vlan != 0 ? 18 : 14
        let ipLength = isV4 ? 20 : 40
        let transportLength: Int
        let payloadLength: Int
        let protocolID: UInt8
        switch step.kind {
        case .tcp:
            protocolID = 6
            transportLength = step.synOptions ? 40 : 32
            payloadLength = Int(step.payloadLength)
        case .dnsQuery, .dnsResponse:
            protocolID = 17
            transportLength = 8
            payloadLength = dnsLength(session, response: step.kind == .dnsResponse)
        case .ntpRequest, .ntpResponse:
            protocolID = 17
            transportLength = 8
            payloadLength = 48
        case .udpRequest, .udpResponse:
            protocolID = 17
            transportLength = 8
            payloadLength = Int(step.payloadLength)
        case .echoRequest, .echoReply:
            protocolID = isV4 ? 1 : 58
            transportLength = 8
            payloadLength = echoPayloadLength
        }
        let segmentLength = transportLength + payloadLength
        let packetLength = ipLength + segmentLength
        let frameLength = max(minimumFrameLength, linkLength + packetLength)
        precondition(frameLength <= zeros.count, "frames fit a 1500-byte MTU")
        if buffer.count > frameLength {
            buffer.removeLast(buffer.count - frameLength)
        } else if buffer.count < frameLength {
            buffer.append(contentsOf: zeros[..<(frameLength - buffer.count)])
        }

        let ipID = sender.ipID
        if step.fromClient { session.client.ipID &+= 1 } else { session.server.ipID &+= 1 }

        buffer.withUnsafeMutableBytes { raw in
            let frame = MutableFrame(raw.baseAddress!)
            // Ethernet, with an 802.1Q tag (priority 0) for a VLAN.
            frame.put48(sender.destinationMAC, at: 0)
            frame.put48(sender.sourceMAC, at: 6)
            if sender.vlan != 0 {
                frame.put16(0x8100, at: 12)
                frame.put16(sender.vlan, at: 14)
            }
            frame.put16(isV4 ? 0x0800 : 0x86DD, at: linkLength - 2)

            // IP.
            let ip = linkLength
            if isV4 {
                frame.put8(0x45, at: ip)
                frame.put8(0, at: ip + 1)
                frame.put16(UInt16(packetLength), at: ip + 2)
                frame.put16(ipID, at: ip + 4)
                frame.put16(sender.dontFragment ? 0x4000 : 0, at: ip + 6)
                frame.put8(sender.ttl, at: ip + 8)
                frame.put8(protocolID, at: ip + 9)
                frame.put16(0, at: ip + 10)
                frame.putAddress(sender.address, at: ip + 12)
                frame.putAddress(receiver.seenAddress, at: ip + 16)
                frame.put16(InternetChecksum.finish(InternetChecksum.add(frame, from: ip, count: 20)), at: ip + 10)
            } else {
                frame.put32(6 << 28 | sender.flowLabel & 0xF_FFFF, at: ip)
                frame.put16(UInt16(segmentLength), at: ip + 4)
                frame.put8(protocolID, at: ip + 6)
                frame.put8(sender.ttl, at: ip + 7)
                frame.putAddress(sender.address, at: ip + 8)
                frame.putAddress(receiver.seenAddress, at: ip + 24)
            }

            // Transport and payload.
            let l4 = ip + ipLength
            let payload = l4 + transportLength
            let checksumOffset: Int
            switch step.kind {
            case .tcp:
                writeTCP(step, sender: sender, receiver: receiver, frame, at: l4)
                if payloadLength > 0 {
                    copyContent(
                        frame, at: payload, count: payloadLength,
                        seed: session.contentSeed &+ step.streamOffset &+ (step.fromClient ? 0 : 2048))
                }
                checksumOffset = l4 + 16
            case .echoRequest, .echoReply:
                let isRequest = step.kind == .echoRequest
                frame.put8(isV4 ? (isRequest ? 8 : 0) : (isRequest ? 128 : 129), at: l4)
                frame.put8(0, at: l4 + 1)
                frame.put16(0, at: l4 + 2)
                frame.put16(step.fromClient ? session.echoIdentifier : session.serverEchoIdentifier, at: l4 + 4)
                frame.put16(UInt16(truncatingIfNeeded: step.sequence), at: l4 + 6)
                writeEchoPayload(frame, at: payload, sent: isRequest ? step.time : step.requestTime)
                checksumOffset = l4 + 2
            default:
                frame.put16(sender.port, at: l4)
                frame.put16(receiver.seenPort, at: l4 + 2)
                frame.put16(UInt16(segmentLength), at: l4 + 4)
                frame.put16(0, at: l4 + 6)
                switch step.kind {
                case .dnsQuery, .dnsResponse:
                    writeDNS(session, response: step.kind == .dnsResponse, frame, at: payload)
                case .ntpRequest, .ntpResponse:
                    writeNTP(session, step, frame, at: payload)
                default:
                    copyContent(frame, at: payload, count: payloadLength, seed: session.contentSeed ^ UInt32(step.kind.rawValue))
                }
                checksumOffset = l4 + 6
            }

            // Checksums: ICMPv4 covers its message only; the others add the pseudo-header.
            var sum = InternetChecksum.add(frame, from: l4, count: segmentLength)
            if protocolID != 1 {
                sum = InternetChecksum.addPseudoHeader(
                    sum, source: sender.address, destination: receiver.seenAddress, protocolID: protocolID,
                    length: segmentLength)
            }
            var checksum = InternetChecksum.finish(sum)
            // RFC 768: a computed UDP checksum of 0 is sent as all ones (0 means "none").
            if protocolID == 17 && checksum == 0 { checksum = 0xFFFF }
            frame.put16(checksum, at: checksumOffset)

            // Padding up to the Ethernet minimum.
            let end = linkLength + packetLength
            if end < frameLength { (raw.baseAddress! + end).initializeMemory(as: UInt8.self, repeating: 0, count: frameLength - end) }
        }
        return frameLength
    }

    private static func writeTCP(_ step: Step, sender: Peer, receiver: Peer, _ frame: MutableFrame, at offset: Int) {
        frame.put16(sender.port, at: offset)
        frame.put16(receiver.seenPort, at: offset + 2)
        frame.put32(step.sequence, at: offset + 4)
        frame.put32(step.acknowledgment, at: offset + 8)
        let headerLength = step.synOptions ? 40 : 32
        frame.put8(UInt8(headerLength / 4) << 4, at: offset + 12)
        frame.put8(step.tcpFlags, at: offset + 13)
        frame.put16(step.window, at: offset + 14)
        frame.put32(0, at: offset + 16)  // checksum, urgent pointer
        let options = offset + 20
        if step.synOptions {
            // Linux's SYN and SYN-ACK options: MSS, SACK permitted, timestamps, NOP, window scale.
            frame.put8(2, at: options)
            frame.put8(4, at: options + 1)
            frame.put16(sender.mss, at: options + 2)
            frame.put8(4, at: options + 4)
            frame.put8(2, at: options + 5)
            frame.put8(8, at: options + 6)
            frame.put8(10, at: options + 7)
            frame.put32(step.timestampValue, at: options + 8)
            frame.put32(step.timestampEcho, at: options + 12)
            frame.put8(1, at: options + 16)
            frame.put8(3, at: options + 17)
            frame.put8(3, at: options + 18)
            frame.put8(sender.windowScale, at: options + 19)
        } else {
            // NOP, NOP, timestamps.
            frame.put16(0x0101, at: options)
            frame.put8(8, at: options + 2)
            frame.put8(10, at: options + 3)
            frame.put32(step.timestampValue, at: options + 4)
            frame.put32(step.timestampEcho, at: options + 8)
        }
    }

    private static func copyContent(_ frame: MutableFrame, at offset: Int, count: Int, seed: UInt32) {
        precondition(count <= 4096, "payloads are at most one segment")
        let start = Int(seed & 4095)
        contentTable.withUnsafeBytes { table in
            (frame.base + offset).copyMemory(from: table.baseAddress! + start, byteCount: count)
        }
    }

    // MARK: ICMP echo

    /// Linux ping's 56 bytes: the send time as a `struct timeval` (64-bit seconds and
    /// microseconds, little-endian as x86-64 stores them), then bytes 0x10, 0x11, ...
    static let echoPayloadLength = 56

    private static func writeEchoPayload(_ frame: MutableFrame, at offset: Int, sent: UInt64) {
        frame.put64(littleEndian: sent / 1_000_000_000, at: offset)
        frame.put64(littleEndian: sent % 1_000_000_000 / 1000, at: offset + 8)
        for index in 16..<echoPayloadLength { frame.put8(UInt8(index), at: offset + index) }
    }

    // MARK: DNS

    private static func dnsLength(_ session: SessionState, response: Bool) -> Int {
        // Header, question (name, type, class), OPT (11); the answer is a name pointer, type,
        // class, TTL, length and the address.
        let query = 12 + session.dnsName.count + 4 + 11
        return response ? query + 12 + (session.dnsType == 1 ? 4 : 16) : query
    }

    private static func writeDNS(_ session: SessionState, response: Bool, _ frame: MutableFrame, at offset: Int) {
        frame.put16(session.dnsID, at: offset)
        // Query: RD. Response: QR, RD, RA, NOERROR.
        frame.put16(response ? 0x8180 : 0x0100, at: offset + 2)
        frame.put16(1, at: offset + 4)
        frame.put16(response ? 1 : 0, at: offset + 6)
        frame.put16(0, at: offset + 8)
        frame.put16(1, at: offset + 10)
        var cursor = offset + 12
        session.dnsName.withUnsafeBytes { name in
            (frame.base + cursor).copyMemory(from: name.baseAddress!, byteCount: name.count)
        }
        cursor += session.dnsName.count
        frame.put16(session.dnsType, at: cursor)
        frame.put16(1, at: cursor + 2)  // IN
        cursor += 4
        if response {
            frame.put16(0xC00C, at: cursor)  // the question's name
            frame.put16(session.dnsType, at: cursor + 2)
            frame.put16(1, at: cursor + 4)
            frame.put32(session.dnsTTL, at: cursor + 6)
            let length = session.dnsType == 1 ? 4 : 16
            frame.put16(UInt16(length), at: cursor + 10)
            frame.putAddress(session.dnsAnswer, at: cursor + 12)
            cursor += 12 + length
        }
        // EDNS0 OPT: root name, type 41, UDP payload size 1232, no extended flags.
        frame.put8(0, at: cursor)
        frame.put16(41, at: cursor + 1)
        frame.put16(1232, at: cursor + 3)
        frame.put32(0, at: cursor + 5)
        frame.put16(0, at: cursor + 9)
    }

    // MARK: NTP

    /// Seconds from 1900 (NTP's era 0) to 1970.
    private static let ntpEpochOffset: UInt64 = 2_208_988_800

    /// An NTP timestamp: 32-bit seconds since 1900 and a 32-bit binary fraction.
    static func ntpTimestamp(_ nanos: UInt64) -> UInt64 {
        let seconds = nanos / 1_000_000_000 + ntpEpochOffset
        let fraction = (nanos % 1_000_000_000) << 32 / 1_000_000_000
        return (seconds & 0xFFFF_FFFF) << 32 | fraction
    }

    private static func writeNTP(_ session: SessionState, _ step: Step, _ frame: MutableFrame, at offset: Int) {
        if step.kind == .ntpRequest {
            // LI 0, version 4, mode 3 (client); only the transmit timestamp is set.
            frame.put8(0x23, at: offset)
            frame.put8(0, at: offset + 1)
            frame.put8(6, at: offset + 2)  // poll 2^6 s
            frame.put8(0xE9, at: offset + 3)  // precision 2^-23 s
            for word in stride(from: 4, to: 40, by: 4) { frame.put32(0, at: offset + word) }
            frame.put64(ntpTimestamp(step.time), at: offset + 40)
        } else {
            // LI 0, version 4, mode 4 (server); origin echoes the request's transmit timestamp,
            // receive and transmit fall inside the round trip.
            let received = step.requestTime + (step.time - step.requestTime) / 2 - min(10_000, (step.time - step.requestTime) / 4)
            frame.put8(0x24, at: offset)
            frame.put8(session.ntpStratum, at: offset + 1)
            frame.put8(6, at: offset + 2)
            frame.put8(0xE9, at: offset + 3)
            frame.put32(session.ntpRootDelay, at: offset + 4)
            frame.put32(session.ntpRootDispersion, at: offset + 8)
            frame.put32(session.ntpReference, at: offset + 12)
            frame.put64(ntpTimestamp(received - 17 * 1_000_000_000), at: offset + 16)
            frame.put64(ntpTimestamp(step.requestTime), at: offset + 24)
            frame.put64(ntpTimestamp(received), at: offset + 32)
            frame.put64(ntpTimestamp(received + 15_000), at: offset + 40)
        }
    }
}
