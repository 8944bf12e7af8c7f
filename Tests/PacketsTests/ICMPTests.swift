import FlowtelCore
import Packets
import Testing

@Suite("ICMP and ICMPv6")
struct ICMPTests {
    @Test("ICMP echo request and reply: identifier and sequence", arguments: [UInt8(8), 0])
    func echo(type: UInt8) throws {
        let packet = try decode(Build.ethernet(0x0800, Build.ipv4(protocolID: 1, Build.echo(type: type, identifier: 0x1234, sequence: 7, [0, 1, 2]))))
        guard case .icmp(let icmp) = packet.transport else { Issue.record("not ICMP"); return }
        #expect(icmp.type == type)
        #expect(icmp.code == 0)
        #expect(icmp.echo == ICMPEcho(identifier: 0x1234, sequenceNumber: 7))
        #expect(icmp.embedded == nil)
    }

    @Test("ICMP destination unreachable quoting a UDP packet: inner addresses and ports")
    func unreachableUDP() throws {
        let quoted = Build.ipv4(
            protocolID: 17, source: [192, 0, 2, 7], destination: [198, 51, 100, 9],
            Build.udp(sourcePort: 40000, destinationPort: 161, [UInt8](repeating: 0, count: 40)))
        // RFC 792: the IP header and the first 8 bytes of the datagram.
        let message = Build.icmp(type: 3, code: 3, Array(quoted.prefix(28)))
        let packet = try decode(Build.ethernet(0x0800, Build.ipv4(protocolID: 1, message)))
        guard case .icmp(let icmp) = packet.transport else { Issue.record("not ICMP"); return }
        #expect(icmp.type == 3)
        #expect(icmp.code == 3)
        #expect(icmp.echo == nil)
        let inner = try #require(icmp.embedded)
        #expect(inner.version == .v4)
        #expect(inner.offset == 14 + 20 + 8)
        #expect(inner.source == IPAddress("192.0.2.7"))
        #expect(inner.destination == IPAddress("198.51.100.9"))
        #expect(inner.protocolID == 17)
        #expect(inner.transport == .ports(source: 40000, destination: 161))
    }

    @Test("ICMP time exceeded quoting TCP with IP options", arguments: [UInt8(11), 12, 5, 4])
    func errorQuotingTCP(type: UInt8) throws {
        let quoted = Build.ipv4(protocolID: 6, options: [1, 1, 1, 0], Build.tcp(sourcePort: 1234, destinationPort: 80))
        let packet = try decode(Build.ipv4(protocolID: 1, Build.icmp(type: type, Array(quoted.prefix(32)))), .raw)
        guard case .icmp(let icmp) = packet.transport else { Issue.record("not ICMP"); return }
        #expect(icmp.embedded?.transport == .ports(source: 1234, destination: 80))
    }

    @Test("an error quoting an echo request shows its identifier; one level only")
    func errorQuotingEcho() throws {
        let echo = Build.ipv4(protocolID: 1, Build.echo(type: 8, identifier: 99, sequence: 2))
        let packet = try decode(Build.ipv4(protocolID: 1, Build.icmp(type: 11, echo)), .raw)
        guard case .icmp(let icmp) = packet.transport else { Issue.record("not ICMP"); return }
        #expect(icmp.embedded?.transport == .icmp(type: 8, code: 0, echo: ICMPEcho(identifier: 99, sequenceNumber: 2)))

        // An error quoting an error: the inner type and code, nothing deeper.
        let innerError = Build.ipv4(protocolID: 1, Build.icmp(type: 3, code: 1, echo))
        let nested = try decode(Build.ipv4(protocolID: 1, Build.icmp(type: 11, innerError)), .raw)
        guard case .icmp(let outer) = nested.transport else { Issue.record("not ICMP"); return }
        #expect(outer.embedded?.transport == .icmp(type: 3, code: 1, echo: nil))
    }

    @Test("a quote too short for its transport or its IP header")
    func shortQuote() throws {
        let quoted = Build.ipv4(protocolID: 17, Build.udp())
        let short = try decode(Build.ipv4(protocolID: 1, Build.icmp(type: 3, Array(quoted.prefix(22)))), .raw)
        guard case .icmp(let icmp) = short.transport else { Issue.record("not ICMP"); return }
        #expect(icmp.embedded?.transport == .absent)
        #expect(icmp.embedded?.protocolID == 17)

        let tiny = try decode(Build.ipv4(protocolID: 1, Build.icmp(type: 3, Array(quoted.prefix(12)))), .raw)
        guard case .icmp(let tinyICMP) = tiny.transport else { Issue.record("not ICMP"); return }
        #expect(tinyICMP.embedded == nil)
    }

    @Test("a quoted non-first fragment has no transport")
    func quotedFragment() throws {
        let quoted = Build.ipv4(protocolID: 17, fragmentOffset: 1480, [1, 2, 3, 4, 5, 6, 7, 8])
        let packet = try decode(Build.ipv4(protocolID: 1, Build.icmp(type: 11, code: 1, quoted)), .raw)
        guard case .icmp(let icmp) = packet.transport else { Issue.record("not ICMP"); return }
        #expect(icmp.embedded?.transport == .absent)
    }

    @Test("ICMPv6 echo request and reply", arguments: [UInt8(128), 129])
    func echoV6(type: UInt8) throws {
        let packet = try decode(Build.ethernet(0x86DD, Build.ipv6(nextHeader: 58, Build.echo(type: type, identifier: 3, sequence: 4))))
        guard case .icmpv6(let icmp) = packet.transport else { Issue.record("not ICMPv6"); return }
        #expect(icmp.echo == ICMPEcho(identifier: 3, sequenceNumber: 4))
        #expect(icmp.embedded == nil)
    }

    @Test("ICMPv6 packet too big quoting UDP: MTU and inner ports")
    func packetTooBig() throws {
        let quoted = Build.ipv6(
            nextHeader: 17, source: Build.v6Destination, destination: Build.v6Source,
            Build.udp(sourcePort: 4500, destinationPort: 4501, [UInt8](repeating: 0, count: 1400)))
        let message = Build.icmp(type: 2, rest: 1280, Array(quoted.prefix(1232)))
        let packet = try decode(Build.ethernet(0x86DD, Build.ipv6(nextHeader: 58, message)))
        guard case .icmpv6(let icmp) = packet.transport else { Issue.record("not ICMPv6"); return }
        #expect(icmp.type == 2)
        #expect(icmp.restOfHeader == 1280)
        let inner = try #require(icmp.embedded)
        #expect(inner.version == .v6)
        #expect(inner.source == IPAddress("2001:db8::2"))
        #expect(inner.destination == IPAddress("2001:db8::1"))
        #expect(inner.protocolID == 17)
        #expect(inner.transport == .ports(source: 4500, destination: 4501))
    }

    @Test("ICMPv6 errors walk the quoted packet's extension headers", arguments: [UInt8(1), 3, 4])
    func quotedExtensions(type: UInt8) throws {
        let quoted = Build.ipv6(nextHeader: 60, Build.optionsHeader(next: 6) + Build.tcp(sourcePort: 8, destinationPort: 9))
        let packet = try decode(Build.ipv6(nextHeader: 58, Build.icmp(type: type, quoted)), .ipv6)
        guard case .icmpv6(let icmp) = packet.transport else { Issue.record("not ICMPv6"); return }
        #expect(icmp.embedded?.protocolID == 6)
        #expect(icmp.embedded?.transport == .ports(source: 8, destination: 9))
    }

    @Test("ICMPv6 informational messages other than echo carry no quote")
    func neighbourSolicitation() throws {
        let packet = try decode(Build.ipv6(nextHeader: 58, Build.icmp(type: 135, [UInt8](repeating: 0, count: 16))), .ipv6)
        guard case .icmpv6(let icmp) = packet.transport else { Issue.record("not ICMPv6"); return }
        #expect(icmp.type == 135)
        #expect(icmp.echo == nil)
        #expect(icmp.embedded == nil)
    }
}
