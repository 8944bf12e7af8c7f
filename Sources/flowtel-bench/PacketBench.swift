import FlowtelCore
import FlowtelTestSupport
import PacketIO
import Packets

#if canImport(Glibc)
import Glibc
#endif

/// Packet benchmarks for `make bench`: writing a synthetic capture, and reading it back into
/// decoded packets.
enum PacketBench {
    /// `flowtel-bench make-pcap PATH N`: writes an N-packet Ethernet pcap file with a mix of
    /// IPv4 and IPv6 TCP, UDP (DNS), ICMP echo and 802.1Q-tagged frames, 60 to 1514 bytes,
    /// valid checksums and increasing timestamps. The same N always gives the same file.
    static func makePcap(path: String, count: Int) throws {
        let writer = try PcapWriter.create(path: path, linkType: .ethernet, precision: .microseconds)
        var builder = BenchFrameBuilder(seed: 0x5EED_F10E)
        let frame = UnsafeMutableRawBufferPointer.allocate(
            byteCount: BenchFrameBuilder.maximumFrameLength, alignment: 16)
        defer { frame.deallocate() }
        var unixMicros: UInt64 = 1_795_946_400_000_000
        var bytes = 0
        for _ in 0..<count {
            let length = builder.buildNext(into: frame)
            unixMicros += 1 + builder.random.next() % 200
            try writer.append(
                timestamp: Timestamp(unixNanos: unixMicros * 1000),
                bytes: UnsafeRawBufferPointer(rebasing: frame[..<length]))
            bytes += length
        }
        try writer.close()
        print("make-pcap packets=\(count) frame-bytes=\(bytes) mean-frame-bytes=\(count == 0 ? 0 : bytes / count)")
    }

    /// `flowtel-bench read-decode PATH`: maps the file, reads every record and decodes it,
    /// timed with the monotonic clock from before the file is opened to after the last record.
    /// The CPU times it prints are the process's so far: start-up included, unmapping (at exit)
    /// not; `/usr/bin/time` counts both.
    static func readDecode(path: String) throws {
        let start = CodecBench.now()
        var reader = try CaptureReader.open(path: path)
        var packets = 0
        var malformed = 0
        var decodeErrors = 0
        // Folded from every decoded packet so that no decode can be optimised away.
        var checksum = 0
        while let entry = try reader.next() {
            switch entry {
            case .packet(let record):
                do {
                    let packet = try PacketDecoder(linkType: record.linkType)
                        .decode(record.bytes, wireLength: record.originalLength)
                    packets += 1
                    checksum &+= packet.link.headerLength &+ (packet.ip?.totalLength ?? 0)
                    if let ports = packet.transport.ports { checksum &+= Int(ports.source ^ ports.destination) }
                } catch {
                    decodeErrors += 1
                }
            case .malformed:
                malformed += 1
            }
        }
        let seconds = Double(CodecBench.now() - start) / 1e9
        // The whole process's CPU time so far (start-up included), as /usr/bin/time counts it.
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let userSeconds = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        let systemSeconds = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        let rate = seconds > 0 ? Int((Double(packets + decodeErrors) / seconds).rounded()) : 0
        print(
            "read-decode packets=\(packets) malformed=\(malformed) decode-errors=\(decodeErrors)"
                + " seconds=\(seconds) packets-per-second=\(rate)"
                + " user-seconds=\(userSeconds) system-seconds=\(systemSeconds)"
                + " checksum=\(checksum)")
    }
}

/// Builds the frames of the synthetic capture one at a time: a small, self-contained writer of
/// Ethernet, 802.1Q, IPv4, IPv6, TCP, UDP and ICMP headers with correct checksums (the
/// benchmark must not depend on the code it measures to produce its input).
struct BenchFrameBuilder {
    static let maximumFrameLength = 1514
    /// TCP's maximum segment size on a 1500-byte link: 1460 (IPv4) less 12 bytes of timestamps.
    private static let ipv4DataRoom = 1448
    private static let ipv6DataRoom = 1428

    private static let destinationMAC: [UInt8] = [0x00, 0x1B, 0x17, 0x00, 0x01, 0x10]
    private static let sourceMAC: [UInt8] = [0x02, 0x42, 0xAC, 0x11, 0x00, 0x02]

    var random: SplitMix64
    private var sequence: UInt32 = 1
    private var ipID: UInt16 = 1

    init(seed: UInt64) {
        random = SplitMix64(seed: seed)
    }

    /// Writes the next frame at the start of `frame` and returns its length.
    mutating func buildNext(into frame: UnsafeMutableRawBufferPointer) -> Int {
        let flow = Int(random.next() % 4096)
        let pick = random.next() % 100
        switch pick {
        case 0..<28: return ipv4TCP(frame, flow: flow, vlan: nil, kind: .data)
        case 28..<46: return ipv4TCP(frame, flow: flow, vlan: nil, kind: .ack)
        case 46..<50: return ipv4TCP(frame, flow: flow, vlan: nil, kind: pick & 1 == 0 ? .syn : .synAck)
        case 50..<53: return ipv4TCP(frame, flow: flow, vlan: nil, kind: .fin)
        case 53..<65: return udp(frame, flow: flow, vlan: nil, isV6: false)
        case 65..<69: return icmpEcho(frame, flow: flow, vlan: nil)
        case 69..<75:
            return ipv4TCP(frame, flow: flow, vlan: UInt16(100 + flow % 8), kind: flow & 1 == 0 ? .data : .ack)
        case 75..<80: return udp(frame, flow: flow, vlan: UInt16(200 + flow % 8), isV6: false)
        case 80..<92: return ipv6TCP(frame, flow: flow, kind: flow & 1 == 0 ? .data : .ack)
        default: return udp(frame, flow: flow, vlan: nil, isV6: true)
        }
    }

    enum TCPKind {
        case syn, synAck, ack, data, fin
    }

    // MARK: Packets

    private mutating func ipv4TCP(
        _ frame: UnsafeMutableRawBufferPointer, flow: Int, vlan: UInt16?, kind: TCPKind
    ) -> Int {
        let ip = ethernet(frame, vlan: vlan, etherType: 0x0800)
        let tcp = ip + 20
        let payload = kind == .data ? dataLength(room: Self.ipv4DataRoom) : 0
        let tcpLength = tcpHeader(frame, at: tcp, flow: flow, kind: kind, payload: payload)
        let total = 20 + tcpLength
        ipv4Header(frame, at: ip, totalLength: total, protocolID: 6, flow: flow)
        let sum = pseudoHeaderV4(frame, ip: ip, protocolID: 6, length: tcpLength)
        store16(frame, tcp + 16, checksum(frame, from: tcp, count: tcpLength, initial: sum))
        return pad(frame, end: ip + total)
    }

    private mutating func ipv6TCP(_ frame: UnsafeMutableRawBufferPointer, flow: Int, kind: TCPKind) -> Int {
        let ip = ethernet(frame, vlan: nil, etherType: 0x86DD)
        let tcp = ip + 40
        let payload = kind == .data ? dataLength(room: Self.ipv6DataRoom) : 0
        let tcpLength = tcpHeader(frame, at: tcp, flow: flow, kind: kind, payload: payload)
        ipv6Header(frame, at: ip, payloadLength: tcpLength, nextHeader: 6, flow: flow)
        let sum = pseudoHeaderV6(frame, ip: ip, nextHeader: 6, length: tcpLength)
        store16(frame, tcp + 16, checksum(frame, from: tcp, count: tcpLength, initial: sum))
        return pad(frame, end: tcp + tcpLength)
    }

    /// A DNS datagram: a query or a response (see ``dnsMessage(_:at:isQuery:flow:)``).
    private mutating func udp(_ frame: UnsafeMutableRawBufferPointer, flow: Int, vlan: UInt16?, isV6: Bool) -> Int {
        let ip = ethernet(frame, vlan: vlan, etherType: isV6 ? 0x86DD : 0x0800)
        let udp = ip + (isV6 ? 40 : 20)
        let isQuery = random.next() & 1 == 0
        let payload = dnsMessage(frame, at: udp + 8, isQuery: isQuery, flow: flow)
        let udpLength = 8 + payload
        let (client, server) = (UInt16(49152 + flow % 16000), UInt16(53))
        store16(frame, udp, isQuery ? client : server)
        store16(frame, udp + 2, isQuery ? server : client)
        store16(frame, udp + 4, UInt16(udpLength))
        store16(frame, udp + 6, 0)
        let sum: UInt32
        if isV6 {
            ipv6Header(frame, at: ip, payloadLength: udpLength, nextHeader: 17, flow: flow)
            sum = pseudoHeaderV6(frame, ip: ip, nextHeader: 17, length: udpLength)
        } else {
            ipv4Header(frame, at: ip, totalLength: 20 + udpLength, protocolID: 17, flow: flow)
            sum = pseudoHeaderV4(frame, ip: ip, protocolID: 17, length: udpLength)
        }
        let value = checksum(frame, from: udp, count: udpLength, initial: sum)
        // RFC 768: a computed checksum of 0 is sent as all ones (0 means "none").
        store16(frame, udp + 6, value == 0 ? 0xFFFF : value)
        return pad(frame, end: udp + udpLength)
    }

    /// A DNS query for an A record (a name shaped like `www.<label>.example.com`, in letters
    /// made from the flow number), or its response with 1 to 12 answers: 37 to 246 bytes.
    /// Returns the message's length.
    private mutating func dnsMessage(
        _ frame: UnsafeMutableRawBufferPointer, at start: Int, isQuery: Bool, flow: Int
    ) -> Int {
        let answers = isQuery ? 0 : 1 + Int(random.next() % 12)
        store16(frame, start, UInt16(truncatingIfNeeded: flow &* 40503))
        store16(frame, start + 2, isQuery ? 0x0100 : 0x8180)
        store16(frame, start + 4, 1)
        store16(frame, start + 6, UInt16(answers))
        store32(frame, start + 8, 0)
        var cursor = start + 12
        let labelLength = 3 + flow % 18
        for label in [3, labelLength, 7, 3] {
            frame[cursor] = UInt8(label)
            for index in 0..<label { frame[cursor + 1 + index] = UInt8(97 + (flow + index * 7) % 26) }
            cursor += 1 + label
        }
        frame[cursor] = 0
        store32(frame, cursor + 1, 0x0001_0001)  // type A, class IN
        cursor += 5
        for answer in 0..<answers {
            store16(frame, cursor, 0xC00C)  // the name in the question
            store32(frame, cursor + 2, 0x0001_0001)
            store32(frame, cursor + 6, 300)
            store16(frame, cursor + 10, 4)
            store32(frame, cursor + 12, 0xCB00_7100 | UInt32(answer))  // 203.0.113.x
            cursor += 16
        }
        return cursor - start
    }

    /// An echo request or reply with the 56 bytes of data `ping` sends (98-byte frame).
    private mutating func icmpEcho(_ frame: UnsafeMutableRawBufferPointer, flow: Int, vlan: UInt16?) -> Int {
        let ip = ethernet(frame, vlan: vlan, etherType: 0x0800)
        let icmp = ip + 20
        let length = 8 + 56
        frame[icmp] = random.next() & 1 == 0 ? 8 : 0
        frame[icmp + 1] = 0
        store16(frame, icmp + 2, 0)
        store16(frame, icmp + 4, UInt16(flow))
        store16(frame, icmp + 6, UInt16(truncatingIfNeeded: sequence))
        sequence &+= 1
        fillPayload(frame, at: icmp + 8, count: 56)
        store16(frame, icmp + 2, checksum(frame, from: icmp, count: length, initial: 0))
        ipv4Header(frame, at: ip, totalLength: 20 + length, protocolID: 1, flow: flow)
        return pad(frame, end: icmp + length)
    }

    // MARK: Headers

    /// Writes the Ethernet header (and the 802.1Q tag) and returns where the network layer starts.
    private func ethernet(_ frame: UnsafeMutableRawBufferPointer, vlan: UInt16?, etherType: UInt16) -> Int {
        for index in 0..<6 {
            frame[index] = Self.destinationMAC[index]
            frame[6 + index] = Self.sourceMAC[index]
        }
        guard let vlan else {
            store16(frame, 12, etherType)
            return 14
        }
        store16(frame, 12, 0x8100)
        store16(frame, 14, vlan)
        store16(frame, 16, etherType)
        return 18
    }

    private mutating func ipv4Header(
        _ frame: UnsafeMutableRawBufferPointer, at ip: Int, totalLength: Int, protocolID: UInt8, flow: Int
    ) {
        frame[ip] = 0x45
        frame[ip + 1] = 0
        store16(frame, ip + 2, UInt16(totalLength))
        store16(frame, ip + 4, ipID)
        ipID &+= 1
        store16(frame, ip + 6, 0x4000)  // don't fragment
        frame[ip + 8] = 64
        frame[ip + 9] = protocolID
        store16(frame, ip + 10, 0)
        store32(frame, ip + 12, 0x0A00_0000 | UInt32(flow))  // 10.0.x.y
        store32(frame, ip + 16, 0xC633_6400 | UInt32(flow % 256))  // 198.51.100.z
        store16(frame, ip + 10, checksum(frame, from: ip, count: 20, initial: 0))
    }

    private func ipv6Header(
        _ frame: UnsafeMutableRawBufferPointer, at ip: Int, payloadLength: Int, nextHeader: UInt8, flow: Int
    ) {
        store32(frame, ip, 0x6000_0000 | UInt32(flow))
        store16(frame, ip + 4, UInt16(payloadLength))
        frame[ip + 6] = nextHeader
        frame[ip + 7] = 64
        // 2001:db8::/32 documentation addresses: client 2001:db8:0:1::flow, server 2001:db8:0:2::1.
        store32(frame, ip + 8, 0x2001_0DB8)
        store32(frame, ip + 12, 0x0000_0001)
        store32(frame, ip + 16, 0)
        store32(frame, ip + 20, UInt32(flow))
        store32(frame, ip + 24, 0x2001_0DB8)
        store32(frame, ip + 28, 0x0000_0002)
        store32(frame, ip + 32, 0)
        store32(frame, ip + 36, 1)
    }

    /// Writes a TCP header with options (checksum left 0) and its payload; returns the segment's
    /// length.
    private mutating func tcpHeader(
        _ frame: UnsafeMutableRawBufferPointer, at tcp: Int, flow: Int, kind: TCPKind, payload: Int
    ) -> Int {
        let fromClient = kind == .syn || kind == .data || random.next() & 1 == 0
        let (client, server) = (UInt16(32768 + flow % 28000), UInt16([443, 80, 22, 8443][flow % 4]))
        store16(frame, tcp, fromClient ? client : server)
        store16(frame, tcp + 2, fromClient ? server : client)
        store32(frame, tcp + 4, sequence)
        store32(frame, tcp + 8, kind == .syn ? 0 : sequence &* 7)
        sequence &+= UInt32(max(payload, 1))
        var options = tcp + 20
        let flags: UInt8
        switch kind {
        case .syn, .synAck:
            flags = kind == .syn ? 0x02 : 0x12
            // MSS 1460, SACK permitted, timestamps, NOP, window scale 7: 20 bytes.
            for byte: UInt8 in [2, 4, 0x05, 0xB4, 4, 2, 8, 10] {
                frame[options] = byte
                options += 1
            }
            store32(frame, options, sequence)
            store32(frame, options + 4, kind == .syn ? 0 : sequence &- 1)
            options += 8
            for byte: UInt8 in [1, 3, 3, 7] {
                frame[options] = byte
                options += 1
            }
        case .ack, .data, .fin:
            flags = kind == .data ? 0x18 : (kind == .fin ? 0x11 : 0x10)
            // NOP, NOP, timestamps: 12 bytes.
            for byte: UInt8 in [1, 1, 8, 10] {
                frame[options] = byte
                options += 1
            }
            store32(frame, options, sequence)
            store32(frame, options + 4, sequence &- 1)
            options += 8
        }
        let headerLength = options - tcp
        frame[tcp + 12] = UInt8(headerLength / 4) << 4
        frame[tcp + 13] = flags
        store16(frame, tcp + 14, 64240)
        store16(frame, tcp + 16, 0)
        store16(frame, tcp + 18, 0)
        fillPayload(frame, at: options, count: payload)
        return headerLength + payload
    }

    // MARK: Helpers

    /// Data segments: about half full-sized, the rest spread from 1 byte to the full size.
    private mutating func dataLength(room: Int) -> Int {
        random.next() & 1 == 0 ? room : 1 + Int(random.next() % UInt64(room))
    }

    /// Pads a frame to Ethernet's 60-byte minimum (a trailer the IP length excludes).
    private func pad(_ frame: UnsafeMutableRawBufferPointer, end: Int) -> Int {
        guard end < 60 else { return end }
        for index in end..<60 { frame[index] = 0 }
        return 60
    }

    private mutating func fillPayload(_ frame: UnsafeMutableRawBufferPointer, at offset: Int, count: Int) {
        let seed = UInt8(truncatingIfNeeded: random.next())
        for index in 0..<count { frame[offset + index] = seed &+ UInt8(truncatingIfNeeded: index &* 31) }
    }

    private func pseudoHeaderV4(
        _ frame: UnsafeMutableRawBufferPointer, ip: Int, protocolID: UInt8, length: Int
    ) -> UInt32 {
        var sum: UInt32 = 0
        for word in stride(from: ip + 12, to: ip + 20, by: 2) { sum += UInt32(load16(frame, word)) }
        return sum + UInt32(protocolID) + UInt32(length)
    }

    private func pseudoHeaderV6(
        _ frame: UnsafeMutableRawBufferPointer, ip: Int, nextHeader: UInt8, length: Int
    ) -> UInt32 {
        var sum: UInt32 = 0
        for word in stride(from: ip + 8, to: ip + 40, by: 2) { sum += UInt32(load16(frame, word)) }
        return sum + UInt32(nextHeader) + UInt32(length)
    }

    /// The Internet checksum (RFC 1071) of `count` bytes from `offset`, starting from `initial`.
    private func checksum(
        _ frame: UnsafeMutableRawBufferPointer, from offset: Int, count: Int, initial: UInt32
    ) -> UInt16 {
        var sum = UInt64(initial)
        var index = offset
        while index + 1 < offset + count {
            sum += UInt64(load16(frame, index))
            index += 2
        }
        if index < offset + count { sum += UInt64(frame[index]) << 8 }
        while sum >> 16 != 0 { sum = (sum & 0xFFFF) + (sum >> 16) }
        return ~UInt16(sum)
    }

    private func load16(_ frame: UnsafeMutableRawBufferPointer, _ offset: Int) -> UInt16 {
        UInt16(frame[offset]) << 8 | UInt16(frame[offset + 1])
    }

    private func store16(_ frame: UnsafeMutableRawBufferPointer, _ offset: Int, _ value: UInt16) {
        frame[offset] = UInt8(value >> 8)
        frame[offset + 1] = UInt8(truncatingIfNeeded: value)
    }

    private func store32(_ frame: UnsafeMutableRawBufferPointer, _ offset: Int, _ value: UInt32) {
        store16(frame, offset, UInt16(value >> 16))
        store16(frame, offset + 2, UInt16(truncatingIfNeeded: value))
    }
}

