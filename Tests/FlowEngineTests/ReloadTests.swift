import Foundation
import FlowtelCore
import JunosConfig
import Packets
import Testing

@testable import FlowEngine

/// A new configuration on a running engine, and the session table's limit.
@Suite("Reload and limits")
struct ReloadTests {
    static let base = """
        set interfaces ge-0/0/0 unit 0 family inet address 10.0.0.1/24
        set interfaces ge-0/0/1 unit 0 family inet address 198.51.100.2/24
        set security zones security-zone inside interfaces ge-0/0/0.0
        set security zones security-zone outside interfaces ge-0/0/1.0
        set security nat source rule-set out from zone inside
        set security nat source rule-set out to zone outside
        set security nat source rule-set out rule all match source-address 10.0.0.0/24
        set security nat source rule-set out rule all then source-nat interface
        set security policies from-zone inside to-zone outside policy dns match source-address any destination-address any application junos-dns-udp
        set security policies from-zone inside to-zone outside policy dns then permit
        set security policies from-zone inside to-zone outside policy dns then log session-init session-close
        set security policies from-zone inside to-zone outside policy rest match source-address any destination-address any application any
        set security policies from-zone inside to-zone outside policy rest then permit
        set security policies from-zone inside to-zone outside policy rest then log session-init session-close

        """

    static func config(_ text: String) throws -> DeviceConfig {
        try DeviceConfig.load(text: text, file: "reload.set").config
    }

    static func udp(from host: UInt8, to port: UInt16) -> DecodedPacket {
        let ip = IPHeader(
            version: .v4, offset: 14, headerLength: 20, totalLength: 48, source: IPAddress("10.0.0.\(host)")!,
            destination: IPAddress("198.51.100.9")!, protocolID: 17, ttl: 64)
        let udp = UDPHeader(sourcePort: 5000, destinationPort: port, length: 28, payloadOffset: 42, payloadLength: 20)
        return DecodedPacket(
            link: LinkHeader(linkType: .ethernet, headerLength: 14), network: .ip(ip), transport: .udp(udp),
            capturedLength: 62, wireLength: 62)
    }

    static func at(_ seconds: UInt64) -> Timestamp { Timestamp(unixNanos: 1_767_225_600_000_000_000 + seconds * 1_000_000_000) }

    static func closes(_ events: [FlowEvent]) -> [SessionClose] {
        events.compactMap { event in
            if case .sessionClose(let close) = event.payload { return close }
            return nil
        }
    }

    @Test("a deleted policy closes its sessions with 'policy delete'; the others stay")
    func policyDelete() throws {
        var engine = FlowEngine(config: try Self.config(Self.base))
        _ = engine.process(Self.udp(from: 5, to: 9000), at: Self.at(1))
        _ = engine.process(Self.udp(from: 6, to: 9001), at: Self.at(1))
        let without = Self.base.split(separator: "\n").filter { !$0.contains("policy rest") }.joined(separator: "\n")
        let closed = Self.closes(engine.reload(config: try Self.config(without + "\n"), at: Self.at(3)))
        #expect(closed.count == 2)
        #expect(closed.allSatisfy { $0.reason == .policyDelete && $0.session.policyName == "rest" })
        #expect(closed.allSatisfy { $0.elapsedTime == 2 })
        #expect(engine.sessionCount == 0)
        // The next packet of such a flow finds no policy now: the default policy denies it.
        _ = engine.process(Self.udp(from: 5, to: 9000), at: Self.at(4))
        #expect(engine.sessionCount == 0 && engine.statistics.sessionsDenied == 1)
    }

    @Test("with policy-rematch, a session its policy no longer permits closes; without it, it stays")
    func rematch() throws {
        var engine = FlowEngine(config: try Self.config(Self.base))
        _ = engine.process(Self.udp(from: 5, to: 53), at: Self.at(1))  // policy dns
        // 'rest' now comes first in name only: the dns session still matches 'dns' first.
        let denyDNS = Self.base.replacingOccurrences(of: "policy dns then permit", with: "policy dns then deny")
        #expect(Self.closes(engine.reload(config: try Self.config(denyDNS), at: Self.at(2))).isEmpty)
        #expect(engine.sessionCount == 1)
        let closed = Self.closes(
            engine.reload(config: try Self.config(denyDNS + "set security policies policy-rematch\n"), at: Self.at(3)))
        #expect(closed.map(\.reason) == [.policyDelete])
    }

    @Test("an interface address change closes the sessions translated to the old address; the next packet uses the new one")
    func interfaceAddressChange() throws {
        var engine = FlowEngine(config: try Self.config(Self.base))
        let created = engine.process(Self.udp(from: 5, to: 9000), at: Self.at(1))
        guard case .sessionCreate(let before)? = created.first?.payload else {
            Issue.record("no create: \(created)")
            return
        }
        #expect(before.session.natSourceAddress == IPAddress("198.51.100.2"))
        // The same address again: nothing closes.
        #expect(engine.reload(config: try Self.config(Self.base), at: Self.at(2)).isEmpty)
        let moved = Self.base.replacingOccurrences(of: "198.51.100.2/24", with: "198.51.100.3/24")
        let closed = Self.closes(engine.reload(config: try Self.config(moved), at: Self.at(3)))
        #expect(closed.map(\.reason) == [.interfaceChange])
        #expect(closed.first?.session.natSourceAddress == IPAddress("198.51.100.2"))
        let again = engine.process(Self.udp(from: 5, to: 9000), at: Self.at(4))
        guard case .sessionCreate(let after)? = again.first?.payload else {
            Issue.record("not re-created: \(again)")
            return
        }
        #expect(after.session.natSourceAddress == IPAddress("198.51.100.3"))
        #expect(after.session.sessionID != before.session.sessionID)
    }

    @Test("a full session table fails new sessions and counts them; room frees as sessions end")
    func maximumSessions() throws {
        var engine = FlowEngine(config: try Self.config(Self.base), maximumSessions: 3)
        for host in 1...5 { _ = engine.process(Self.udp(from: UInt8(host), to: 9000), at: Self.at(1)) }
        #expect(engine.sessionCount == 3)
        #expect(engine.statistics.sessionsFailed == 2 && engine.statistics.sessionsCreated == 3)
        #expect(engine.statistics.packetsDropped["session table full"] == 2)
        // UDP ages out after 60 s; then there is room again.
        _ = engine.advance(to: Self.at(62))
        _ = engine.process(Self.udp(from: 9, to: 9000), at: Self.at(63))
        #expect(engine.sessionCount == 1 && engine.statistics.sessionsCreated == 4)
    }

    @Test("the sharded engine reloads every SPU and shares the table's limit between them")
    func sharded() throws {
        let engine = ShardedFlowEngine(config: try Self.config(Self.base), shards: 2, maximumSessions: 1000)
        let packets = (1...40).map { host in
            let packet = Self.udp(from: UInt8(host), to: 9000)
            return ShardPacket(flow: FlowPacket(packet), vlan: nil, time: Self.at(1))
        }
        _ = engine.process(packets)
        #expect(engine.sessionCount == 40)
        #expect(engine.shard(0).sessionCount > 0 && engine.shard(1).sessionCount > 0)
        let moved = Self.base.replacingOccurrences(of: "198.51.100.2/24", with: "198.51.100.3/24")
        let closed = Self.closes(engine.reload(config: try Self.config(moved), at: Self.at(2)))
        #expect(closed.count == 40 && closed.allSatisfy { $0.reason == .interfaceChange })
        #expect(engine.sessionCount == 0)
    }
}
