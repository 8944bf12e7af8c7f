import FlowtelCore
import JunosConfig
import Packets
import Testing

@testable import FlowEngine

/// `security flow aging`: early-ageout between the watermarks.
@Suite("Aggressive aging")
struct AggressiveAgingTests {
    static let config = """
        set interfaces ge-0/0/0 unit 0 family inet address 10.0.0.1/24
        set interfaces ge-0/0/1 unit 0 family inet address 10.1.0.1/24
        set security zones security-zone a interfaces ge-0/0/0.0
        set security zones security-zone b interfaces ge-0/0/1.0
        set security policies from-zone a to-zone b policy all match source-address any destination-address any application any
        set security policies from-zone a to-zone b policy all then permit
        set security policies from-zone a to-zone b policy all then log session-close
        set security flow aging early-ageout 5
        set security flow aging high-watermark 80
        set security flow aging low-watermark 50

        """

    static func udp(from host: UInt8) -> DecodedPacket {
        let ip = IPHeader(
            version: .v4, offset: 14, headerLength: 20, totalLength: 48, source: IPAddress("10.0.0.\(host)")!,
            destination: IPAddress("10.1.0.9")!, protocolID: 17, ttl: 64)
        let udp = UDPHeader(sourcePort: 5000, destinationPort: 9999, length: 28, payloadOffset: 42, payloadLength: 20)
        return DecodedPacket(
            link: LinkHeader(linkType: .ethernet, headerLength: 14), network: .ip(ip), transport: .udp(udp),
            capturedLength: 62, wireLength: 62)
    }

    static func at(_ seconds: UInt64) -> Timestamp { Timestamp(unixNanos: 1_767_225_600_000_000_000 + seconds * 1_000_000_000) }

    @Test("past the high watermark sessions age out after early-ageout ('aged out'); under the low one aging is normal again")
    func watermarks() throws {
        var engine = FlowEngine(config: try DeviceConfig.load(text: Self.config, file: "aging.set").config, maximumSessions: 10)
        // Seven sessions (70 %): normal 60-second UDP timeouts.
        for host in 1...7 { _ = engine.process(Self.udp(from: UInt8(host)), at: Self.at(UInt64(host))) }
        #expect(!engine.aggressiveAging)
        // The eighth (80 %) turns aggressive aging on: every session now ages 5 s after its last packet.
        _ = engine.process(Self.udp(from: 8), at: Self.at(8))
        #expect(engine.aggressiveAging)
        // Host 1..3 were idle more than 5 s already: they go at once; 4..8 at last-packet + 5.
        let early = engine.advance(to: Self.at(9))
        #expect(early.count == 4)  // hosts 1-4 (host 4 idle exactly 5 s)
        let closes = early.compactMap { event -> SessionClose? in
            if case .sessionClose(let close) = event.payload { return close }
            return nil
        }
        #expect(closes.allSatisfy { $0.reason == .agedOut })
        // 4 of 10 left: under the low watermark, aging is normal again.
        #expect(engine.sessionCount == 4 && !engine.aggressiveAging)
        // Those four keep their early timeouts (host 5 goes as the next packet arrives at 10);
        // a new session gets the normal one.
        let atTen = engine.process(Self.udp(from: 20), at: Self.at(10))
        let later = engine.advance(to: Self.at(14))
        #expect(atTen.count == 1 && later.count == 3)
        #expect(engine.sessionCount == 1)
        #expect(engine.advance(to: Self.at(69)).isEmpty)
        let normal = engine.advance(to: Self.at(70))
        #expect(normal.count == 1)
        if case .sessionClose(let close) = normal.first?.payload { #expect(close.reason == .idleTimeout) }
    }
}
