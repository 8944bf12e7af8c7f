import Packets
import Testing

/// One malformed frame and the error it must produce.
struct MalformedCase: Sendable, CustomTestStringConvertible {
    var name: String
    var frame: [UInt8]
    var linkType: LinkType = .ethernet
    var wireLength: Int?
    var expected: PacketDecodeError

    var testDescription: String { name }
}

/// The S9 malformed-packet corpus: one case per error kind at least, each written by hand.
enum MalformedCorpus {
    static let udp = Build.ipv4(protocolID: 17, Build.udp())
    static let v6UDP = Build.ipv6(nextHeader: 17, Build.udp())

    static func v4(_ protocolID: UInt8, _ transport: [UInt8]) -> [UInt8] {
        Build.ipv4(protocolID: protocolID, transport)
    }

    static let cases: [MalformedCase] = [
        // Link layer.
        MalformedCase(
            name: "caplen > len", frame: Build.ethernet(0x0800, udp), wireLength: 41,
            expected: PacketDecodeError(.capturedLongerThanWire, at: 0)),
        MalformedCase(
            name: "Ethernet header of 13 bytes", frame: Array(Build.ethernet(0x0800, []).prefix(13)),
            expected: PacketDecodeError(.truncatedEthernet, at: 0)),
        MalformedCase(
            name: "VLAN tag cut after its TCI", frame: Build.ethernet(0x8100, [0x00, 0x64]),
            expected: PacketDecodeError(.truncatedEthernet, at: 14)),
        MalformedCase(
            name: "five stacked VLAN tags",
            frame: Build.ethernet(0x0800, tags: (1...5).map { Tag(tpid: 0x88A8, id: UInt16($0)) }, udp),
            expected: PacketDecodeError(.vlanStackTooDeep, at: 30)),
        MalformedCase(
            name: "SLL header of 15 bytes", frame: Array(Build.sll(0x0800, []).prefix(15)), linkType: .linuxSLL,
            expected: PacketDecodeError(.truncatedLinkHeader, at: 0)),
        MalformedCase(
            name: "SLL2 header of 19 bytes", frame: Array(Build.sll2(0x0800, []).prefix(19)), linkType: .linuxSLL2,
            expected: PacketDecodeError(.truncatedLinkHeader, at: 0)),
        MalformedCase(
            name: "loopback header of 3 bytes", frame: [2, 0, 0], linkType: .null,
            expected: PacketDecodeError(.truncatedLinkHeader, at: 0)),
        MalformedCase(
            name: "link type 147 (user 0)", frame: udp, linkType: LinkType(rawValue: 147),
            expected: PacketDecodeError(.unsupportedLinkType, at: 0)),
        MalformedCase(
            name: "raw IP, version 5", frame: Build.ipv4(protocolID: 17, version: 5, Build.udp()), linkType: .raw,
            expected: PacketDecodeError(.ipVersionMismatch, at: 0)),
        MalformedCase(
            name: "raw IP, empty", frame: [], linkType: .raw,
            expected: PacketDecodeError(.truncatedIPv4, at: 0)),

        // IPv4.
        MalformedCase(
            name: "IPv4 header of 19 bytes", frame: Build.ethernet(0x0800, Array(udp.prefix(19))),
            expected: PacketDecodeError(.truncatedIPv4, at: 14)),
        MalformedCase(
            name: "IHL 4", frame: Build.ethernet(0x0800, Build.ipv4(protocolID: 17, headerWords: 4, Build.udp())),
            expected: PacketDecodeError(.ipv4HeaderLengthTooSmall, at: 14)),
        MalformedCase(
            name: "IHL 0", frame: Build.ipv4(protocolID: 17, headerWords: 0, Build.udp()), linkType: .ipv4,
            expected: PacketDecodeError(.ipv4HeaderLengthTooSmall, at: 0)),
        MalformedCase(
            name: "IHL x 4 > caplen", frame: Build.ethernet(0x0800, Build.ipv4(protocolID: 17, headerWords: 15, Build.udp())),
            expected: PacketDecodeError(.ipv4HeaderBeyondCapture, at: 14)),
        MalformedCase(
            name: "total length < IHL x 4", frame: Build.ipv4(protocolID: 17, totalLength: 19, Build.udp()), linkType: .raw,
            expected: PacketDecodeError(.ipv4TotalLengthTooSmall, at: 0)),
        MalformedCase(
            name: "total length < IHL x 4 with options",
            frame: Build.ipv4(protocolID: 17, options: [1, 1, 1, 1], totalLength: 20, Build.udp()), linkType: .raw,
            expected: PacketDecodeError(.ipv4TotalLengthTooSmall, at: 0)),
        MalformedCase(
            name: "total length > caplen of a whole frame",
            frame: Build.ethernet(0x0800, Build.ipv4(protocolID: 17, totalLength: 29, Build.udp())),
            expected: PacketDecodeError(.ipv4TotalLengthBeyondFrame, at: 14)),

        // IPv6.
        MalformedCase(
            name: "IPv6 header of 39 bytes", frame: Build.ethernet(0x86DD, Array(v6UDP.prefix(39))),
            expected: PacketDecodeError(.truncatedIPv6, at: 14)),
        MalformedCase(
            name: "payload length > caplen of a whole frame",
            frame: Build.ipv6(nextHeader: 17, payloadLength: 9, Build.udp()), linkType: .ipv6,
            expected: PacketDecodeError(.ipv6PayloadLengthBeyondFrame, at: 0)),
        MalformedCase(
            name: "255-long chain of destination options",
            frame: Build.ipv6(nextHeader: 60, (0..<255).flatMap { _ in Build.optionsHeader(next: 60) }), linkType: .ipv6,
            expected: PacketDecodeError(.ipv6ExtensionChainTooLong, at: 40 + 8 * 8)),
        MalformedCase(
            name: "routing headers pointing at routing headers",
            frame: Build.ipv6(nextHeader: 43, (0..<20).flatMap { _ in Build.optionsHeader(next: 43) }), linkType: .ipv6,
            expected: PacketDecodeError(.ipv6ExtensionChainTooLong, at: 40 + 8 * 8)),
        MalformedCase(
            name: "looping Hop-by-Hop chain",
            frame: Build.ipv6(nextHeader: 0, (0..<20).flatMap { _ in Build.optionsHeader(next: 0) }), linkType: .ipv6,
            expected: PacketDecodeError(.ipv6HopByHopNotFirst, at: 48)),
        MalformedCase(
            name: "AH with length 0 (8 bytes, below its fixed 12)",
            frame: Build.ipv6(nextHeader: 51, [17, 0] + [UInt8](repeating: 0, count: 14)), linkType: .ipv6,
            expected: PacketDecodeError(.ipv6ExtensionLengthInvalid, at: 40)),
        MalformedCase(
            name: "extension header longer than the payload",
            frame: Build.ipv6(nextHeader: 60, Array(Build.optionsHeader(next: 17, lengthField: 2).prefix(16))), linkType: .ipv6,
            expected: PacketDecodeError(.ipv6ExtensionTruncated, at: 40)),
        MalformedCase(
            name: "extension header of 4 bytes",
            frame: Build.ipv6(nextHeader: 44, [17, 0, 0, 0]), linkType: .ipv6,
            expected: PacketDecodeError(.ipv6ExtensionTruncated, at: 40)),
        MalformedCase(
            name: "extension header cut by the snapshot length",
            frame: Array(Build.ipv6(nextHeader: 60, Build.optionsHeader(next: 17, lengthField: 2) + Build.udp()).prefix(60)),
            linkType: .ipv6, wireLength: 40 + 24 + 8,
            expected: PacketDecodeError(.ipv6ExtensionTruncated, at: 40)),

        // TCP.
        MalformedCase(
            name: "TCP header of 19 bytes", frame: Build.ethernet(0x0800, v4(6, Array(Build.tcp().prefix(19)))),
            expected: PacketDecodeError(.truncatedTCP, at: 34)),
        MalformedCase(
            name: "TCP data offset 4", frame: v4(6, Build.tcp(dataOffset: 4)), linkType: .raw,
            expected: PacketDecodeError(.tcpDataOffsetTooSmall, at: 20)),
        MalformedCase(
            name: "TCP data offset 0", frame: Build.ipv6(nextHeader: 6, Build.tcp(dataOffset: 0)), linkType: .ipv6,
            expected: PacketDecodeError(.tcpDataOffsetTooSmall, at: 40)),
        MalformedCase(
            name: "TCP data offset beyond the segment", frame: v4(6, Build.tcp(dataOffset: 15, [1, 2, 3])), linkType: .raw,
            expected: PacketDecodeError(.tcpDataOffsetBeyondSegment, at: 20)),

        // UDP.
        MalformedCase(
            name: "UDP header of 7 bytes", frame: v4(17, Array(Build.udp().prefix(7))), linkType: .raw,
            expected: PacketDecodeError(.truncatedUDP, at: 20)),
        MalformedCase(
            name: "UDP length 7", frame: v4(17, Build.udp(length: 7)), linkType: .raw,
            expected: PacketDecodeError(.udpLengthInvalid, at: 20)),
        MalformedCase(
            name: "UDP length beyond the IP payload", frame: v4(17, Build.udp(length: 13, [1, 2, 3, 4])), linkType: .raw,
            expected: PacketDecodeError(.udpLengthInvalid, at: 20)),

        // ICMP and the rest.
        MalformedCase(
            name: "ICMP message of 7 bytes", frame: v4(1, Array(Build.echo(type: 8, identifier: 1, sequence: 1).prefix(7))),
            linkType: .raw, expected: PacketDecodeError(.truncatedICMP, at: 20)),
        MalformedCase(
            name: "ICMPv6 message of 4 bytes", frame: Build.ipv6(nextHeader: 58, [128, 0, 0, 0]), linkType: .ipv6,
            expected: PacketDecodeError(.truncatedICMP, at: 40)),
        MalformedCase(
            name: "GRE header of 3 bytes", frame: v4(47, [0, 0, 8]), linkType: .raw,
            expected: PacketDecodeError(.truncatedGRE, at: 20)),
        MalformedCase(
            name: "GRE key flag without a key", frame: v4(47, [0x20, 0, 8, 0, 0, 0]), linkType: .raw,
            expected: PacketDecodeError(.truncatedGRE, at: 20)),
        MalformedCase(
            name: "ESP header of 7 bytes", frame: v4(50, [0, 0, 1, 0, 0, 0, 1]), linkType: .raw,
            expected: PacketDecodeError(.truncatedESP, at: 20)),
        MalformedCase(
            name: "AH of 11 bytes", frame: v4(51, Array(Build.authenticationHeader(next: 6, spi: 1).prefix(11))),
            linkType: .raw, expected: PacketDecodeError(.truncatedAH, at: 20)),
        MalformedCase(
            name: "AH with length 0", frame: v4(51, [6, 0] + [UInt8](repeating: 0, count: 14)), linkType: .raw,
            expected: PacketDecodeError(.truncatedAH, at: 20)),
        MalformedCase(
            name: "AH longer than the packet", frame: v4(51, [6, 9] + [UInt8](repeating: 0, count: 14)), linkType: .raw,
            expected: PacketDecodeError(.truncatedAH, at: 20)),
        MalformedCase(
            name: "SCTP header of 11 bytes", frame: v4(132, [UInt8](repeating: 1, count: 11)), linkType: .raw,
            expected: PacketDecodeError(.truncatedSCTP, at: 20)),
    ]
}

@Suite("Malformed frames (S9)")
struct MalformedTests {
    @Test("each malformed frame throws its exact kind at its header", arguments: MalformedCorpus.cases)
    func malformed(testCase: MalformedCase) {
        let error = decodeError(testCase.frame, testCase.linkType, wireLength: testCase.wireLength)
        #expect(error == testCase.expected)
    }

    @Test("the corpus covers every error kind")
    func coversEveryKind() {
        let covered = Set(MalformedCorpus.cases.map(\.expected.kind))
        let missing = PacketDecodeError.Kind.allCases.filter { !covered.contains($0) }
        #expect(missing.isEmpty, "no malformed case for \(missing)")
    }

    @Test("kinds have distinct names and explanations; errors say where")
    func descriptions() {
        let kinds = PacketDecodeError.Kind.allCases
        #expect(Set(kinds.map(\.name)).count == kinds.count)
        #expect(Set(kinds.map(\.explanation)).count == kinds.count)
        #expect(PacketDecodeError.Kind.truncatedIPv4.description == "truncatedIPv4")
        let error = PacketDecodeError(.ipv4HeaderLengthTooSmall, at: 14)
        #expect(error.description == "IPv4 header length below 20 bytes (IHL < 5) (header at byte 14)")
    }

    @Test("fragments reusing one IP ID decode independently (reassembly is the flow engine's)")
    func reusedIdentification() throws {
        let first = Build.ipv4(protocolID: 17, identification: 9, moreFragments: true, Build.udp(length: 100, [1, 2, 3, 4, 5, 6, 7, 8]))
        let overlapping = Build.ipv4(protocolID: 17, identification: 9, moreFragments: true, fragmentOffset: 8, [1, 2, 3, 4, 5, 6, 7, 8])
        let again = Build.ipv4(protocolID: 17, identification: 9, fragmentOffset: 8, [9, 9, 9, 9, 9, 9, 9, 9])
        for frame in [first, overlapping, again] {
            let packet = try decode(frame, .raw)
            #expect(packet.ip?.identification == 9)
            #expect(packet.ip?.fragment != nil)
        }
    }
}
