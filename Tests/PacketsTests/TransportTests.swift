import FlowtelCore
import Packets
import Testing

@Suite("Transport headers")
struct TransportTests {
    @Test("TCP: ports, numbers, window, options skipped, payload")
    func tcp() throws {
        let frame = Build.ethernetIPv4TCP(payload: Array("hello".utf8))
        let packet = try decode(frame)
        guard case .tcp(let tcp) = packet.transport else { Issue.record("not TCP"); return }
        #expect(tcp.sourcePort == 49152)
        #expect(tcp.destinationPort == 443)
        #expect(tcp.sequenceNumber == 1000)
        #expect(tcp.acknowledgmentNumber == 0)
        #expect(tcp.window == 65535)
        #expect(tcp.headerLength == 24)
        #expect(tcp.payloadOffset == 14 + 20 + 24)
        #expect(tcp.payloadLength == 5)
        #expect(tcp.flags == [.psh, .ack])
        let payload = frame.withUnsafeBytes { Array(packet.payload(in: $0)) }
        #expect(payload == Array("hello".utf8))
        #expect(packet.transport.payloadRange == 58..<63)
    }

    @Test(
        "TCP: each flag bit",
        arguments: [
            (UInt8(0x01), TCPFlags.fin), (0x02, .syn), (0x04, .rst), (0x08, .psh),
            (0x10, .ack), (0x20, .urg), (0x40, .ece), (0x80, .cwr),
        ])
    func tcpFlag(bit: UInt8, flag: TCPFlags) throws {
        let packet = try decode(Build.ipv4(protocolID: 6, Build.tcp(flags: bit)), .raw)
        guard case .tcp(let tcp) = packet.transport else { Issue.record("not TCP"); return }
        #expect(tcp.flags == flag)
        #expect(tcp.flags.rawValue == bit)
    }

    @Test("TCP: a SYN's window-scale option is read; other segments' options are not, nor a truncated option")
    func windowScale() throws {
        // MSS, SACK permitted, timestamps, NOP, window scale 7: Linux's SYN options.
        let linux: [UInt8] = [2, 4, 0x05, 0xB4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7]
        let syn = try decode(Build.ipv4(protocolID: 6, Build.tcp(flags: 0x02, options: linux)), .raw)
        guard case .tcp(let tcp) = syn.transport else { Issue.record("not TCP"); return }
        #expect(tcp.windowScale == 7)
        let ack = try decode(Build.ipv4(protocolID: 6, Build.tcp(flags: 0x10, options: linux)), .raw)
        guard case .tcp(let plain) = ack.transport else { Issue.record("not TCP"); return }
        #expect(plain.windowScale == nil)
        // An option claiming more bytes than the header has stops the walk.
        let broken: [UInt8] = [1, 1, 3, 9, 7, 0, 0, 0]
        let bad = try decode(Build.ipv4(protocolID: 6, Build.tcp(flags: 0x02, options: broken)), .raw)
        guard case .tcp(let badTCP) = bad.transport else { Issue.record("not TCP"); return }
        #expect(badTCP.windowScale == nil)
    }

    @Test("TCP flags print by name")
    func tcpFlagNames() {
        #expect(TCPFlags([.syn, .ack]).description == "SYN|ACK")
        #expect(TCPFlags([.fin, .ece, .cwr]).description == "FIN|ECE|CWR")
        #expect(TCPFlags().description == "none")
    }

    @Test("TCP: maximum options (data offset 15)")
    func tcpMaximumOptions() throws {
        let options = [UInt8](repeating: 1, count: 40)
        let packet = try decode(Build.ipv4(protocolID: 6, Build.tcp(options: options, [0xAB])), .raw)
        guard case .tcp(let tcp) = packet.transport else { Issue.record("not TCP"); return }
        #expect(tcp.headerLength == 60)
        #expect(tcp.payloadLength == 1)
    }

    @Test("TCP in IPv6")
    func tcpIPv6() throws {
        let packet = try decode(Build.ipv6(nextHeader: 6, Build.tcp(sourcePort: 22, destinationPort: 50000, flags: 0x11, [1, 2])), .ipv6)
        guard case .tcp(let tcp) = packet.transport else { Issue.record("not TCP"); return }
        #expect(tcp.flags == [.fin, .ack])
        #expect(tcp.payloadLength == 2)
        #expect(packet.transport.ports! == (22, 50000))
    }

    @Test("UDP: ports, length, payload")
    func udp() throws {
        let frame = Build.ethernetIPv6UDP()
        let packet = try decode(frame)
        guard case .udp(let udp) = packet.transport else { Issue.record("not UDP"); return }
        #expect(udp.sourcePort == 5353)
        #expect(udp.destinationPort == 53)
        #expect(udp.length == 12)
        #expect(udp.payloadOffset == 14 + 40 + 8)
        #expect(udp.payloadLength == 4)
        let payload = frame.withUnsafeBytes { Array(packet.payload(in: $0)) }
        #expect(payload == [1, 2, 3, 4])
    }

    @Test("UDP: a length shorter than the IP payload bounds the UDP payload")
    func udpShorterThanIP() throws {
        let packet = try decode(Build.ipv4(protocolID: 17, Build.udp(length: 10, [1, 2, 3, 4])), .raw)
        guard case .udp(let udp) = packet.transport else { Issue.record("not UDP"); return }
        #expect(udp.payloadLength == 2)
    }

    @Test("GRE: version, protocol type, no key")
    func gre() throws {
        let packet = try decode(Build.ipv4(protocolID: 47, [0x00, 0x00, 0x08, 0x00] + Build.ipv4(protocolID: 17, Build.udp())), .raw)
        #expect(packet.transport == .gre(GREHeader(version: 0, protocolType: 0x0800)))
    }

    @Test("GRE: key after the checksum word; PPTP's enhanced GRE")
    func greKey() throws {
        let withChecksum: [UInt8] = [0xA0, 0x00, 0x88, 0xBE, 0, 0, 0, 0, 0x00, 0x00, 0x01, 0x00]
        #expect(try decode(Build.ipv4(protocolID: 47, withChecksum), .raw).transport
            == .gre(GREHeader(version: 0, protocolType: 0x88BE, key: 256)))
        let pptp: [UInt8] = [0x30, 0x01, 0x88, 0x0B, 0x00, 0x10, 0x12, 0x34, 0, 0, 0, 1]
        #expect(try decode(Build.ipv4(protocolID: 47, pptp), .raw).transport
            == .gre(GREHeader(version: 1, protocolType: 0x880B, key: 0x0010_1234)))
    }

    @Test("ESP: SPI and sequence number")
    func esp() throws {
        let packet = try decode(Build.ipv4(protocolID: 50, [0, 0, 0x10, 0x01, 0, 0, 0, 9, 0xEE, 0xEE]), .raw)
        #expect(packet.transport == .esp(ESPHeader(spi: 0x1001, sequenceNumber: 9)))
    }

    @Test("AH over IPv4: next header, SPI, sequence number")
    func ah() throws {
        let packet = try decode(Build.ipv4(protocolID: 51, Build.authenticationHeader(next: 6, spi: 77, sequence: 3) + Build.tcp()), .raw)
        #expect(packet.transport == .ah(AHHeader(nextHeader: 6, spi: 77, sequenceNumber: 3)))
    }

    @Test("SCTP: ports and verification tag")
    func sctp() throws {
        let sctp: [UInt8] = [0x0B, 0x59, 0x0B, 0x59, 0xDE, 0xAD, 0xBE, 0xEF, 0, 0, 0, 0]
        let packet = try decode(Build.ipv6(nextHeader: 132, sctp), .ipv6)
        #expect(packet.transport == .sctp(SCTPHeader(sourcePort: 2905, destinationPort: 2905, verificationTag: 0xDEAD_BEEF)))
        #expect(packet.transport.ports! == (2905, 2905))
    }

    @Test("other protocols are recognised by number only", arguments: [UInt8(89), 2, 103, 4])
    func otherProtocol(protocolID: UInt8) throws {
        let packet = try decode(Build.ipv4(protocolID: protocolID, [1, 2, 3]), .raw)
        #expect(packet.ip?.protocolID == protocolID)
        #expect(packet.transport == .other)
        #expect(packet.transport.ports == nil)
        #expect(packet.transport.payloadRange == nil)
    }
}
