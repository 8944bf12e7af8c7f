import FlowtelCore
import PacketIO
import Packets
import Testing

/// Plans, generation and independent checks (checksums, DNS parsing) for the generator tests.
enum GeneratorFixtures {
    static let start = Timestamp(unixNanos: 1_764_000_000_000_000_000)

    static let trust = TrafficEndpoint(
        name: "trust", interfaceName: "ge-0/0/1.100", vlan: 100, mac: MACAddress("00:50:56:01:00:01")!,
        gatewayMAC: MACAddress("4c:96:14:00:01:00")!, pools: [IPPrefix("10.1.0.0/16")!, IPPrefix("2001:db8:1::/64")!])
    static let untrust = TrafficEndpoint(
        name: "untrust", interfaceName: "ge-0/0/0.0", mac: MACAddress("00:00:5e:00:53:01")!,
        gatewayMAC: MACAddress("4c:96:14:00:00:00")!,
        pools: [IPPrefix("198.51.100.0/24")!, IPPrefix("2001:db8:ff::/48")!])
    static let dmz = TrafficEndpoint(
        name: "dmz", interfaceName: "ge-0/0/2.200", vlan: 200, mac: MACAddress("00:50:56:02:00:01")!,
        gatewayMAC: MACAddress("4c:96:14:00:02:00")!, pools: [IPPrefix("172.16.5.0/28")!])

    static let dnsServer = IPAddress("192.0.2.53")!

    /// Every application, both expectations, both families, tagged and untagged endpoints.
    static let plan = TrafficPlan(
        endpoints: [trust, untrust, dmz],
        flows: [
            TrafficFlow(
                name: "https", client: 0, server: .endpoint(1),
                application: .tcp(port: 443, requestBytes: 700, responseBytes: 30_000, close: .fin), family: .either,
                weight: 4),
            TrafficFlow(
                name: "http-abort", client: 0, server: .endpoint(2),
                application: .tcp(port: 80, requestBytes: 3_000, responseBytes: 2_000, close: .rst), weight: 2),
            TrafficFlow(
                name: "dns", client: 0, server: .address(dnsServer, endpoint: 1), application: .udp(port: 53, kind: .dns),
                weight: 3),
            TrafficFlow(
                name: "dns6", client: 0, server: .endpoint(1), application: .udp(port: 53, kind: .dns), family: .v6,
                weight: 2),
            TrafficFlow(name: "ntp", client: 2, server: .endpoint(1), application: .udp(port: 123, kind: .ntp)),
            TrafficFlow(
                name: "syslog", client: 2, server: .endpoint(0),
                application: .udp(port: 514, kind: .generic(requestBytes: 180, responseBytes: 0))),
            TrafficFlow(
                name: "rpc", client: 0, server: .endpoint(2),
                application: .udp(port: 4000, kind: .generic(requestBytes: 1, responseBytes: 1452))),
            TrafficFlow(name: "ping", client: 0, server: .endpoint(1), application: .icmpEcho(count: 3), family: .either),
            TrafficFlow(
                name: "ssh-denied", client: 1, server: .endpoint(0),
                application: .tcp(port: 22, requestBytes: 100, responseBytes: 100, close: .fin), family: .either,
                expectation: .unanswered),
            TrafficFlow(
                name: "dns-denied", client: 2, server: .address(dnsServer, endpoint: 1),
                application: .udp(port: 53, kind: .dns), expectation: .unanswered),
            TrafficFlow(
                name: "ping-denied", client: 1, server: .endpoint(0), application: .icmpEcho(count: 2), family: .v6,
                expectation: .unanswered),
            TrafficFlow(
                name: "ntp-denied", client: 0, server: .endpoint(1), application: .udp(port: 123, kind: .ntp),
                expectation: .unanswered),
            TrafficFlow(
                name: "empty", client: 0, server: .endpoint(2),
                application: .tcp(port: 8080, requestBytes: 0, responseBytes: 0, close: .fin)),
            TrafficFlow(
                name: "upload", client: 2, server: .endpoint(1),
                application: .tcp(port: 21, requestBytes: 9_000, responseBytes: 5, close: .fin), family: .v4),
            TrafficFlow(
                name: "disabled", client: 0, server: .endpoint(1), application: .icmpEcho(count: 1), weight: 0),
            TrafficFlow(
                name: "telnet-rejected", client: 1, server: .endpoint(2),
                application: .tcp(port: 23, requestBytes: 10, responseBytes: 10, close: .fin), expectation: .rejected),
            TrafficFlow(
                name: "dns-rejected", client: 0, server: .endpoint(1), application: .udp(port: 53, kind: .dns),
                family: .either, expectation: .rejected),
            TrafficFlow(
                name: "ping-rejected", client: 0, server: .endpoint(2), application: .icmpEcho(count: 2),
                expectation: .rejected),
        ])

    /// A generated frame, decoded.
    struct Packet {
        var info: GeneratedPacketInfo
        var frame: [UInt8]
        var decoded: DecodedPacket

        var ip: IPHeader { decoded.ip! }
        var tcp: TCPHeader? {
            if case .tcp(let tcp) = decoded.transport { tcp } else { nil }
        }
        var udp: UDPHeader? {
            if case .udp(let udp) = decoded.transport { udp } else { nil }
        }
        var icmp: ICMPMessage? {
            switch decoded.transport {
            case .icmp(let message), .icmpv6(let message): message
            default: nil
            }
        }
        var payload: [UInt8] {
            guard let range = decoded.transport.payloadRange else { return [] }
            return Array(frame[range])
        }
        var fromClient: Bool { info.direction == .clientToServer }
    }

    /// Every packet of a run, decoded (a decode error fails the test), and the final summary.
    static func generate(
        plan: TrafficPlan = plan, seed: UInt64 = 7, sessions: Int = 400, rate: Double = 200
    ) throws -> (packets: [Packet], summary: TrafficSummary) {
        var generator = try TrafficGenerator(
            plan: plan, seed: seed, sessions: sessions, start: start, sessionsPerSecond: rate)
        let decoder = PacketDecoder(linkType: .ethernet)
        var packets: [Packet] = []
        var frame: [UInt8] = []
        while let info = generator.next(into: &frame) {
            packets.append(Packet(info: info, frame: frame, decoded: try decoder.decode(frame)))
        }
        #expect(generator.isFinished)
        return (packets, generator.summary)
    }

    /// Packets grouped by session, in capture order.
    static func sessions(_ packets: [Packet]) -> [Int: [Packet]] {
        Dictionary(grouping: packets, by: \.info.session)
    }
}

// MARK: - Independent checks

enum Independent {
    /// The RFC 1071 sum of `bytes` as 16-bit big-endian words, folded, not complemented.
    static func sum(_ bytes: [UInt8]) -> UInt16 {
        var total: UInt32 = 0
        var index = 0
        while index < bytes.count {
            let high = UInt32(bytes[index])
            let low = index + 1 < bytes.count ? UInt32(bytes[index + 1]) : 0
            total += high << 8 | low
            index += 2
        }
        while total > 0xFFFF { total = (total & 0xFFFF) + (total >> 16) }
        return UInt16(total)
    }

    /// True when the IPv4 header checksum verifies (always true for IPv6, which has none).
    static func ipHeaderVerifies(_ packet: GeneratorFixtures.Packet) -> Bool {
        guard packet.ip.version == .v4 else { return true }
        return sum(Array(packet.frame[packet.ip.offset..<(packet.ip.offset + packet.ip.headerLength)])) == 0xFFFF
    }

    /// True when the TCP, UDP, ICMP or ICMPv6 checksum verifies, with the pseudo-header for all
    /// but ICMP.
    static func transportVerifies(_ packet: GeneratorFixtures.Packet) -> Bool {
        let ip = packet.ip
        let segment = Array(packet.frame[ip.transportOffset..<(ip.offset + ip.totalLength)])
        var pseudo: [UInt8] = []
        if ip.protocolID != 1 {
            pseudo = ip.source.bytes + ip.destination.bytes
            let length = UInt32(segment.count)
            if ip.version == .v4 {
                pseudo += [0, ip.protocolID, UInt8(length >> 8), UInt8(length & 0xFF)]
            } else {
                pseudo += [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
                pseudo += [0, 0, 0, ip.protocolID]
            }
        }
        if ip.protocolID == 17 && segment[6] == 0 && segment[7] == 0 { return false }  // we always set one
        return sum(pseudo + segment) == 0xFFFF
    }

    static func u16(_ bytes: [UInt8], _ offset: Int) -> UInt16 { UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1]) }
    static func u32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        UInt32(u16(bytes, offset)) << 16 | UInt32(u16(bytes, offset + 2))
    }
    static func u64(_ bytes: [UInt8], _ offset: Int) -> UInt64 {
        UInt64(u32(bytes, offset)) << 32 | UInt64(u32(bytes, offset + 4))
    }

    /// TCP options by kind (kind → value bytes), walked from the header in `packet`.
    static func tcpOptions(_ packet: GeneratorFixtures.Packet) -> [UInt8: [UInt8]] {
        let start = packet.ip.transportOffset + 20
        let end = packet.ip.transportOffset + packet.tcp!.headerLength
        var options: [UInt8: [UInt8]] = [:]
        var index = start
        while index < end {
            let kind = packet.frame[index]
            if kind == 0 { break }
            if kind == 1 {
                index += 1
                continue
            }
            let length = Int(packet.frame[index + 1])
            options[kind] = Array(packet.frame[(index + 2)..<(index + length)])
            index += length
        }
        return options
    }
}

/// A DNS message, parsed from RFC 1035's layout.
struct DNSMessage {
    struct Record {
        var name: [String]
        var type: UInt16
        var recordClass: UInt16
        var ttl: UInt32
        var data: [UInt8]
    }

    var id: UInt16
    var flags: UInt16
    var questions: [(name: [String], type: UInt16, questionClass: UInt16)] = []
    var answers: [Record] = []
    var additional: [Record] = []

    init?(_ bytes: [UInt8]) {
        guard bytes.count >= 12 else { return nil }
        id = Independent.u16(bytes, 0)
        flags = Independent.u16(bytes, 2)
        let counts = (1...4).map { Int(Independent.u16(bytes, 2 * $0 + 2)) }
        var offset = 12
        for _ in 0..<counts[0] {
            guard let name = DNSMessage.name(bytes, &offset), offset + 4 <= bytes.count else { return nil }
            questions.append((name, Independent.u16(bytes, offset), Independent.u16(bytes, offset + 2)))
            offset += 4
        }
        for section in 1...3 {
            for _ in 0..<counts[section] {
                guard let name = DNSMessage.name(bytes, &offset), offset + 10 <= bytes.count else { return nil }
                let length = Int(Independent.u16(bytes, offset + 8))
                guard offset + 10 + length <= bytes.count else { return nil }
                let record = Record(
                    name: name, type: Independent.u16(bytes, offset), recordClass: Independent.u16(bytes, offset + 2),
                    ttl: Independent.u32(bytes, offset + 4), data: Array(bytes[(offset + 10)..<(offset + 10 + length)]))
                offset += 10 + length
                if section == 1 { answers.append(record) } else if section == 3 { additional.append(record) }
            }
        }
        guard offset == bytes.count else { return nil }
    }

    /// Reads a possibly compressed name at `offset`, leaving `offset` after it.
    static func name(_ bytes: [UInt8], _ offset: inout Int) -> [String]? {
        var labels: [String] = []
        var cursor = offset
        var jumped = false
        for _ in 0..<64 {
            guard cursor < bytes.count else { return nil }
            let length = Int(bytes[cursor])
            if length == 0 {
                if !jumped { offset = cursor + 1 }
                return labels
            }
            if length & 0xC0 == 0xC0 {
                guard cursor + 1 < bytes.count else { return nil }
                if !jumped { offset = cursor + 2 }
                jumped = true
                cursor = (length & 0x3F) << 8 | Int(bytes[cursor + 1])
                continue
            }
            guard cursor + 1 + length <= bytes.count else { return nil }
            labels.append(String(decoding: bytes[(cursor + 1)..<(cursor + 1 + length)], as: UTF8.self))
            cursor += 1 + length
        }
        return nil
    }
}
