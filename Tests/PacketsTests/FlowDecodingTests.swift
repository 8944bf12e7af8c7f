import FlowtelCore
import FlowtelTestSupport
import Packets
import Testing

/// Frames of the flow decoder's own cases (the straight Ethernet/IPv4 path and the general one)
/// beside those it leaves to ``PacketDecoder/decode(_:wireLength:)``.
enum FlowCorpus {
    static let windowScaleSYN: [UInt8] = [2, 4, 0x05, 0xB4, 1, 3, 3, 7, 4, 2, 0, 0]

    static let frames: [(name: String, frame: [UInt8], linkType: LinkType)] = ValidCorpus.frames + [
        ("Ethernet IPv4 UDP", Build.ethernet(0x0800, Build.ipv4(protocolID: 17, Build.udp([1, 2, 3]))), .ethernet),
        (
            "Ethernet IPv4 TCP SYN with window scale",
            Build.ethernet(0x0800, Build.ipv4(protocolID: 6, Build.tcp(flags: 0x02, options: windowScaleSYN))), .ethernet
        ),
        (
            "VLAN IPv4 TCP ACK",
            Build.ethernet(0x0800, tags: [Tag(id: 100)], Build.ipv4(protocolID: 6, Build.tcp(acknowledgment: 7, flags: 0x10, [9]))),
            .ethernet
        ),
        (
            "802.1ad IPv4 UDP",
            Build.ethernet(0x0800, tags: [Tag(tpid: 0x88A8, id: 4000)], Build.ipv4(protocolID: 17, Build.udp())), .ethernet
        ),
        (
            "IPv4 options TCP SYN-ACK",
            Build.ethernet(0x0800, Build.ipv4(protocolID: 6, options: [1, 1, 1, 0], Build.tcp(flags: 0x12, options: windowScaleSYN))),
            .ethernet
        ),
        (
            "IPv4 first fragment UDP",
            Build.ethernet(0x0800, Build.ipv4(protocolID: 17, moreFragments: true, Build.udp(length: 1000, [1, 2]))), .ethernet
        ),
        ("IPv4 DF UDP", Build.ethernet(0x0800, Build.ipv4(protocolID: 17, dontFragment: true, Build.udp([5]))), .ethernet),
        (
            "Ethernet trailer after IPv4 TCP",
            Build.ethernet(0x0800, Build.ipv4(protocolID: 6, Build.tcp(flags: 0x11)) + [0, 0, 0, 0, 0, 0]), .ethernet
        ),
        ("Ethernet IPv4 ICMP echo", Build.ethernet(0x0800, Build.ipv4(protocolID: 1, Build.echo(type: 8, identifier: 7, sequence: 1))), .ethernet),
        ("VLAN IPv6 TCP", Build.ethernet(0x86DD, tags: [Tag(id: 5)], Build.ipv6(nextHeader: 6, Build.tcp(flags: 0x10))), .ethernet),
        (
            "IPv6 destination options UDP",
            Build.ethernet(0x86DD, Build.ipv6(nextHeader: 60, Build.optionsHeader(next: 17) + Build.udp([1]))), .ethernet
        ),
        ("raw IPv4 TCP", Build.ipv4(protocolID: 6, Build.tcp(flags: 0x18, [1, 2])), .raw),
        ("Linux cooked IPv4 UDP", Build.sll(0x0800, Build.ipv4(protocolID: 17, Build.udp())), .linuxSLL),
    ]
}

@Suite("Flow decoding")
struct FlowDecodingTests {
    /// What `decodeFlow` must return for `frame`: the fields of `decode`'s packet when that is
    /// an unfragmented TCP or UDP packet, else nil.
    private func expected(_ frame: [UInt8], _ linkType: LinkType, wireLength: Int?) -> FlowHeaders? {
        guard let packet = try? decode(frame, linkType, wireLength: wireLength), let ip = packet.ip, ip.fragment == nil
        else { return nil }
        let vlan = packet.link.vlan?.outer
        switch packet.transport {
        case .tcp(let tcp):
            return FlowHeaders(
                vlan: vlan, source: ip.source, destination: ip.destination, protocolID: ip.protocolID,
                ipTotalLength: ip.totalLength, sourcePort: tcp.sourcePort, destinationPort: tcp.destinationPort,
                payloadLength: tcp.payloadLength, tcpFlags: tcp.flags, sequenceNumber: tcp.sequenceNumber,
                acknowledgmentNumber: tcp.acknowledgmentNumber, window: tcp.window, windowScale: tcp.windowScale)
        case .udp(let udp):
            return FlowHeaders(
                vlan: vlan, source: ip.source, destination: ip.destination, protocolID: ip.protocolID,
                ipTotalLength: ip.totalLength, sourcePort: udp.sourcePort, destinationPort: udp.destinationPort,
                payloadLength: udp.payloadLength)
        default:
            return nil
        }
    }

    private func flow(_ frame: [UInt8], _ linkType: LinkType, wireLength: Int?) -> FlowHeaders? {
        frame.withUnsafeBytes { PacketDecoder(linkType: linkType).decodeFlow($0, wireLength: wireLength) }
    }

    @Test("an untagged IPv4 TCP segment's flow headers")
    func ipv4TCP() throws {
        let frame = Build.ethernet(
            0x0800, Build.ipv4(protocolID: 6, Build.tcp(sequence: 5, acknowledgment: 9, flags: 0x12, window: 512, options: FlowCorpus.windowScaleSYN, [1, 2, 3])))
        let headers = try #require(flow(frame, .ethernet, wireLength: nil))
        #expect(headers.vlan == nil)
        #expect(headers.source == IPAddress.v4(0x0A00_0001))
        #expect(headers.destination == IPAddress.v4(0xC000_0207))
        #expect(headers.protocolID == 6)
        #expect(headers.ipTotalLength == 20 + 32 + 3)
        #expect(headers.sourcePort == 49152 && headers.destinationPort == 443)
        #expect(headers.payloadLength == 3)
        #expect(headers.tcpFlags == TCPFlags(rawValue: 0x12))
        #expect(headers.sequenceNumber == 5 && headers.acknowledgmentNumber == 9 && headers.window == 512)
        #expect(headers.windowScale == 7)
    }

    @Test("a tagged UDP datagram's flow headers carry the VLAN id")
    func vlanUDP() throws {
        let frame = Build.ethernet(0x0800, tags: [Tag(id: 100)], Build.ipv4(protocolID: 17, Build.udp([1, 2])))
        let headers = try #require(flow(frame, .ethernet, wireLength: nil))
        #expect(headers.vlan == 100)
        #expect(headers.protocolID == 17)
        #expect(headers.payloadLength == 2)
        #expect(headers.tcpFlags == nil && headers.windowScale == nil)
    }

    @Test("ICMP, fragments, non-IP and malformed frames are left to decode")
    func leftToDecode() {
        let frames: [[UInt8]] = [
            Build.ethernet(0x0800, Build.ipv4(protocolID: 1, Build.echo(type: 8, identifier: 1, sequence: 2))),
            Build.ethernet(0x0800, Build.ipv4(protocolID: 17, moreFragments: true, Build.udp([1]))),
            Build.ethernet(0x0800, Build.ipv4(protocolID: 6, fragmentOffset: 8, [1, 2, 3])),
            Build.ethernet(0x0806, [UInt8](repeating: 0, count: 28)),
            Build.ethernet(0x0800, Build.ipv4(protocolID: 6, headerWords: 4, Build.tcp())),
            Build.ethernet(0x0800, Build.ipv4(protocolID: 17, Build.udp(length: 7))),
            Build.ethernet(0x0800, Build.ipv4(protocolID: 6, Build.tcp(dataOffset: 4))),
            Array(Build.ethernetIPv4TCP().dropLast()),
        ]
        for (index, frame) in frames.enumerated() {
            #expect(flow(frame, .ethernet, wireLength: nil) == nil, "frame \(index)")
        }
    }

    @Test("the flow headers of every corpus frame and each of its prefixes are decode's")
    func corpusAgrees() {
        for (name, frame, linkType) in FlowCorpus.frames {
            for length in 0...frame.count {
                let prefix = Array(frame.prefix(length))
                for wireLength in [nil, length, frame.count, frame.count + 100] {
                    #expect(
                        flow(prefix, linkType, wireLength: wireLength) == expected(prefix, linkType, wireLength: wireLength),
                        "\(name) cut at \(length), wire length \(wireLength.map(String.init) ?? "nil")")
                }
            }
        }
    }

    @Test("50,000 seeded mutations: the flow headers are decode's, or both reject")
    func mutationsAgree() {
        var generator = SplitMix64(state: 0xF10E_DECD)
        var flows = 0
        var others = 0
        for round in 0..<50_000 {
            let (_, original, linkType) = FlowCorpus.frames[round % FlowCorpus.frames.count]
            var frame = original
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                mutate(&frame, using: &generator)
            }
            let wireLength: Int? =
                switch Int.random(in: 0..<4, using: &generator) {
                case 0: nil
                case 1: frame.count
                case 2: max(0, frame.count - 1)
                default: frame.count + Int.random(in: 1...1500, using: &generator)
                }
            let headers = flow(frame, linkType, wireLength: wireLength)
            #expect(headers == expected(frame, linkType, wireLength: wireLength), "round \(round)")
            if headers != nil { flows += 1 } else { others += 1 }
        }
        // Both outcomes are exercised.
        #expect(flows > 5_000)
        #expect(others > 5_000)
    }

    @Test("random bytes steered into Ethernet IPv4: the flow headers are decode's")
    func randomAgree() {
        var generator = SplitMix64(state: 7)
        for round in 0..<20_000 {
            let count = Int.random(in: 24...96, using: &generator)
            var frame = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            frame[12] = 0x08
            frame[13] = 0x00
            frame[14] = 0x45
            frame[23] = Bool.random(using: &generator) ? 6 : 17
            if round % 3 == 0 { frame[20] = 0 }
            if round % 3 == 1 {
                frame[16] = 0
                frame[17] = UInt8(count - 14)
            }
            let wireLength: Int? = round % 5 == 0 ? count + 10 : nil
            #expect(flow(frame, .ethernet, wireLength: wireLength) == expected(frame, .ethernet, wireLength: wireLength), "round \(round)")
        }
    }

    /// One random edit, biased to the bytes the flow decoder reads.
    private func mutate(_ frame: inout [UInt8], using generator: inout SplitMix64) {
        guard !frame.isEmpty else { return }
        let index = Int.random(in: 0..<min(frame.count, 64), using: &generator)
        switch Int.random(in: 0..<8, using: &generator) {
        case 0..<3: frame[index] = UInt8.random(in: 0...255, using: &generator)
        case 3..<5: frame[index] = [0x00, 0x01, 0x05, 0x08, 0x0F, 0x11, 0x40, 0x45, 0x50, 0x81, 0xFF].randomElement(using: &generator)!
        case 5: frame.removeLast(Int.random(in: 0...min(frame.count, 24), using: &generator))
        case 6: frame += (0..<Int.random(in: 1...8, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        default: frame[index] ^= 1 << UInt8.random(in: 0..<8, using: &generator)
        }
    }
}
