import FlowtelTestSupport
import Packets
import Testing

/// Valid frames of every link type and protocol, for truncation and mutation.
enum ValidCorpus {
    static let frames: [(name: String, frame: [UInt8], linkType: LinkType)] = [
        ("Ethernet IPv4 TCP", Build.ethernetIPv4TCP(), .ethernet),
        ("Ethernet IPv6 UDP", Build.ethernetIPv6UDP(), .ethernet),
        (
            "QinQ IPv4 options UDP",
            Build.ethernet(
                0x0800, tags: [Tag(tpid: 0x88A8, id: 10), Tag(id: 20)],
                Build.ipv4(protocolID: 17, options: [1, 1, 1, 0], Build.udp([1, 2, 3]))),
            .ethernet
        ),
        (
            "IPv6 extension chain TCP",
            Build.ipv6(
                nextHeader: 0,
                Build.optionsHeader(next: 43) + Build.optionsHeader(next: 44)
                    + Build.fragmentHeader(next: 51, offset: 0, more: true, identification: 1)
                    + Build.authenticationHeader(next: 6, spi: 1) + Build.tcp(options: [1, 1, 1, 1], [5])),
            .ipv6
        ),
        (
            "ICMP unreachable quoting UDP",
            Build.sll(0x0800, Build.ipv4(protocolID: 1, Build.icmp(type: 3, Array(Build.ipv4(protocolID: 17, Build.udp()).prefix(28))))),
            .linuxSLL
        ),
        (
            "ICMPv6 too big quoting TCP",
            Build.sll2(0x86DD, Build.ipv6(nextHeader: 58, Build.icmp(type: 2, rest: 1280, Build.ipv6(nextHeader: 60, Build.optionsHeader(next: 6) + Build.tcp())))),
            .linuxSLL2
        ),
        ("loopback ICMPv6 echo", Build.null(family: 30, Build.ipv6(nextHeader: 58, Build.echo(type: 128, identifier: 1, sequence: 2))), .null),
        ("raw GRE key", Build.ipv4(protocolID: 47, [0xB0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2]), .raw),
        ("IPv4 ESP", Build.ipv4(protocolID: 50, [0, 0, 0, 1, 0, 0, 0, 1, 9, 9]), .ipv4),
        ("IPv4 AH TCP", Build.ipv4(protocolID: 51, Build.authenticationHeader(next: 6, spi: 1) + Build.tcp()), .ipv4),
        ("IPv6 SCTP", Build.ipv6(nextHeader: 132, [UInt8](repeating: 1, count: 16)), .ipv6),
        ("IPv4 later fragment", Build.ipv4(protocolID: 6, fragmentOffset: 8, [1, 2, 3]), .raw),
        ("ARP", Build.ethernet(0x0806, [UInt8](repeating: 0, count: 28)), .ethernet),
    ]
}

@Suite("Robustness (S9)")
struct RobustnessTests {
    @Test("the valid corpus decodes")
    func corpusDecodes() throws {
        for (name, frame, linkType) in ValidCorpus.frames {
            #expect(decodeError(frame, linkType) == nil, "\(name)")
        }
    }

    @Test("every prefix of every valid frame decodes or throws, whole or snapped")
    func everyTruncation() throws {
        for (name, frame, linkType) in ValidCorpus.frames {
            let decoder = PacketDecoder(linkType: linkType)
            for length in 0...frame.count {
                let prefix = Array(frame.prefix(length))
                for wireLength in [length, frame.count] {
                    do {
                        let packet = try decoder.decode(prefix, wireLength: wireLength)
                        checkInvariants(packet, prefix, "\(name) cut at \(length)")
                    } catch {
                        // A typed error, naming a header inside the capture, is the other outcome.
                        #expect(error.offset >= 0 && error.offset <= length, "\(name) cut at \(length)")
                    }
                }
                // Claimed whole, a strict prefix of an IP frame is malformed: its IP lengths point
                // past its end.
                if length < frame.count, name != "ARP" {
                    #expect(decodeError(prefix, linkType) != nil, "\(name) cut at \(length)")
                }
            }
        }
    }

    @Test("20,000 seeded mutations of valid frames never trap and keep the invariants")
    func mutations() throws {
        var generator = SplitMix64(state: 0x5EED_F10E)
        var decoded = 0
        var rejected = 0
        for round in 0..<20_000 {
            let (_, original, linkType) = ValidCorpus.frames[round % ValidCorpus.frames.count]
            var frame = original
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                mutate(&frame, using: &generator)
            }
            let wireLength = Bool.random(using: &generator) ? frame.count : frame.count + Int.random(in: 0...1500, using: &generator)
            do {
                let packet = try PacketDecoder(linkType: linkType).decode(frame, wireLength: wireLength)
                checkInvariants(packet, frame, "round \(round)")
                decoded += 1
            } catch {
                #expect(error.offset >= 0 && error.offset <= frame.count, "round \(round): \(error)")
                rejected += 1
            }
        }
        // Both outcomes are exercised, so the mutations reach past the first header.
        #expect(decoded > 1000)
        #expect(rejected > 1000)
    }

    @Test("random bytes of every link type never trap")
    func randomBytes() {
        var generator = SplitMix64(state: 42)
        let linkTypes = LinkType.supported + [LinkType(rawValue: 9999)]
        for round in 0..<5_000 {
            let count = Int.random(in: 0...128, using: &generator)
            var frame = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            // Steer some frames into IP so the deeper decoders see random headers too.
            if count > 0, round % 2 == 0 { frame[0] = Bool.random(using: &generator) ? 0x45 : 0x60 }
            let linkType = linkTypes[round % linkTypes.count]
            if let packet = try? PacketDecoder(linkType: linkType).decode(frame) {
                checkInvariants(packet, frame, "round \(round)")
            }
        }
    }

    /// One random edit: overwrite a byte with a random or boundary value, cut, or grow.
    private func mutate(_ frame: inout [UInt8], using generator: inout SplitMix64) {
        switch Int.random(in: 0..<10, using: &generator) {
        case 0..<5 where !frame.isEmpty:
            frame[Int.random(in: 0..<frame.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
        case 5..<7 where !frame.isEmpty:
            frame[Int.random(in: 0..<frame.count, using: &generator)] = [0x00, 0x01, 0x05, 0x0F, 0x40, 0x7F, 0x80, 0xFF].randomElement(using: &generator)!
        case 7 where !frame.isEmpty:
            frame.removeLast(Int.random(in: 0...frame.count, using: &generator))
        case 8:
            frame += (0..<Int.random(in: 1...16, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        default:
            if !frame.isEmpty {
                frame[Int.random(in: 0..<frame.count, using: &generator)] ^= 1 << UInt8.random(in: 0..<8, using: &generator)
            }
        }
    }

    /// What every decoded packet promises about its offsets.
    private func checkInvariants(_ packet: DecodedPacket, _ frame: [UInt8], _ context: String) {
        #expect(packet.capturedLength == frame.count, "\(context)")
        #expect(packet.link.headerLength <= frame.count, "\(context)")
        if let ip = packet.ip {
            #expect(ip.offset == packet.link.headerLength, "\(context)")
            #expect(ip.transportOffset <= frame.count, "\(context)")
            #expect(ip.headerLength <= ip.totalLength, "\(context)")
        }
        let payloadCount = frame.withUnsafeBytes { packet.payload(in: $0).count }
        #expect(payloadCount >= 0 && payloadCount <= frame.count, "\(context)")
        if let range = packet.transport.payloadRange, let ip = packet.ip {
            #expect(range.lowerBound >= ip.transportOffset, "\(context)")
        }
    }
}
