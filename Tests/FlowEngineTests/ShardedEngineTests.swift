import FlowtelCore
import JunosConfig
import PacketIO
import Packets
import Testing

@testable import FlowEngine

/// The sharded engine: N SPUs give what one gives.
@Suite("Sharded flow engine")
struct ShardedEngineTests {
    /// Interface NAT, a port-range pool, a `port no-translation` pool, destination NAT and
    /// static NAT: every way a reply can come back.
    static let config = """
        set system host-name fw
        set interfaces ge-0/0/0 unit 0 family inet address 203.0.113.2/24
        set interfaces ge-0/0/1 unit 0 family inet address 10.1.0.1/16
        set interfaces ge-0/0/2 unit 0 family inet address 172.16.100.1/24
        set interfaces ge-0/0/3 unit 0 family inet address 10.2.0.1/16
        set interfaces ge-0/0/4 unit 0 family inet address 10.3.0.1/16
        set routing-options static route 0.0.0.0/0 next-hop 203.0.113.1
        set security zones security-zone internet interfaces ge-0/0/0.0
        set security zones security-zone office interfaces ge-0/0/1.0
        set security zones security-zone dmz interfaces ge-0/0/2.0
        set security zones security-zone lab interfaces ge-0/0/3.0
        set security zones security-zone guest interfaces ge-0/0/4.0
        set security address-book global address vip 203.0.113.10/32
        set security nat static rule-set st from zone internet
        set security nat static rule-set st rule mx match destination-address 203.0.113.24/30
        set security nat static rule-set st rule mx then static-nat prefix 172.16.100.24/30
        set security nat destination pool web-pool address 172.16.100.11/32 port 8080
        set security nat destination rule-set in from zone internet
        set security nat destination rule-set in rule vip match destination-address-name vip destination-port 443 protocol tcp
        set security nat destination rule-set in rule vip then destination-nat pool web-pool
        set security nat source pool out-pool address 203.0.113.20/32 to 203.0.113.21/32
        set security nat source pool out-pool port range 20000 to 29999
        set security nat source pool keep-pool address 203.0.113.30/32 to 203.0.113.33/32
        set security nat source pool keep-pool port no-translation
        set security nat source rule-set office-out from zone office
        set security nat source rule-set office-out to zone internet
        set security nat source rule-set office-out rule all match source-address 10.1.0.0/16
        set security nat source rule-set office-out rule all then source-nat pool out-pool
        set security nat source rule-set lab-out from zone lab
        set security nat source rule-set lab-out to zone internet
        set security nat source rule-set lab-out rule all match source-address 10.2.0.0/16
        set security nat source rule-set lab-out rule all then source-nat pool keep-pool
        set security nat source rule-set guest-out from zone guest
        set security nat source rule-set guest-out to zone internet
        set security nat source rule-set guest-out rule all match source-address 10.3.0.0/16
        set security nat source rule-set guest-out rule all then source-nat interface
        set security policies from-zone office to-zone internet policy out match source-address any destination-address any application any
        set security policies from-zone office to-zone internet policy out then permit
        set security policies from-zone office to-zone internet policy out then log session-init session-close
        set security policies from-zone lab to-zone internet policy out match source-address any destination-address any application any
        set security policies from-zone lab to-zone internet policy out then permit
        set security policies from-zone lab to-zone internet policy out then log session-init session-close
        set security policies from-zone guest to-zone internet policy out match source-address any destination-address any application [ junos-http junos-https junos-dns-udp junos-ping ]
        set security policies from-zone guest to-zone internet policy out then permit
        set security policies from-zone guest to-zone internet policy out then log session-init session-close
        set security policies from-zone internet to-zone dmz policy in match source-address any destination-address any application any
        set security policies from-zone internet to-zone dmz policy in then permit
        set security policies from-zone internet to-zone dmz policy in then log session-init session-close
        set security policies default-policy deny-all

        """

    static let device = try! DeviceConfig.load(text: config, file: "shards.set").config
    static let start = Timestamp(unixNanos: 1_767_225_600_000_000_000)

    /// Generated traffic (captured as `capturePoint` for an engine of `captureSPUs`) through a
    /// sharded engine of `shards`, in batches of `batch` packets, then aged out.
    static func run(
        shards: Int, capturePoint: TrafficPlan.CapturePoint, captureSPUs: Int = 1, batch: Int = 64, sessions: Int = 600
    ) throws -> (events: [FlowEvent], statistics: FlowEngineStatistics, open: Int) {
        var plan = try TrafficPlan(config: device)
        plan.capturePoint = capturePoint
        plan.spus = captureSPUs
        var generator = try TrafficGenerator(plan: plan, seed: 5, sessions: sessions, start: start, sessionsPerSecond: 400)
        let engine = ShardedFlowEngine(config: device, shards: shards)
        let decoder = PacketDecoder(linkType: .ethernet)
        var events: [FlowEvent] = []
        var pending: [ShardPacket] = []
        var frame: [UInt8] = []
        var last = start
        while let info = generator.next(into: &frame) {
            let packet = try decoder.decode(frame)
            pending.append(ShardPacket(flow: FlowPacket(packet), vlan: packet.link.vlan?.outer, time: info.timestamp))
            last = info.timestamp
            if pending.count == batch {
                events += engine.process(pending).events
                pending.removeAll()
            }
        }
        events += engine.process(pending).events
        events += engine.advance(to: Timestamp(unixNanos: last.unixNanos + 7200 * 1_000_000_000))
        return (events, engine.statistics, engine.sessionCount)
    }

    @Test("clearing the sessions of some shards closes only theirs, with the reason given")
    func clearShards() throws {
        var plan = try TrafficPlan(config: Self.device)
        plan.capturePoint = .clientLink
        // Long sessions, so many are open when the traffic stops.
        var generator = try TrafficGenerator(plan: plan, seed: 9, sessions: 400, start: Self.start, sessionsPerSecond: 400)
        let engine = ShardedFlowEngine(config: Self.device, shards: 4)
        let decoder = PacketDecoder(linkType: .ethernet)
        var frame: [UInt8] = []
        var packets: [ShardPacket] = []
        var last = Self.start
        for _ in 0..<3000 {
            guard let info = generator.next(into: &frame) else { break }
            let packet = try decoder.decode(frame)
            packets.append(ShardPacket(flow: FlowPacket(packet), vlan: packet.link.vlan?.outer, time: info.timestamp))
            last = info.timestamp
        }
        _ = engine.process(packets)
        let before = engine.sessions(at: last).map { $0.filter { $0.state != .invalidated }.count }
        #expect(before[1] > 0 && before[2] > 0 && before[0] > 0)
        let (cleared, events) = engine.clearSessions(at: last, reason: .fpcReset, shards: 1..<3) { _ in true }
        #expect(cleared == before[1] + before[2])
        let closes = events.compactMap { if case .sessionClose(let close) = $0.payload { close } else { nil } }
        #expect(!closes.isEmpty && closes.allSatisfy { $0.reason == .fpcReset })
        let after = engine.sessions(at: last).map { $0.filter { $0.state != .invalidated }.count }
        #expect(after[0] == before[0] && after[3] == before[3])
        #expect(after[1] == 0 && after[2] == 0)
    }

    /// The events with session ids renumbered by first appearance and, for sessions a
    /// port-translating source NAT rule translated, the translated port blanked: what may
    /// differ between SPU counts.
    static let keepPool = Set((30...33).map { IPAddress("203.0.113.\($0)")! })

    static func normalized(_ events: [FlowEvent]) -> [FlowEvent] {
        var ids: [UInt32: UInt32] = [:]
        func normalize(_ info: inout SessionInfo) {
            let id = ids[info.sessionID] ?? UInt32(ids.count + 1)
            ids[info.sessionID] = id
            info.sessionID = id
            // keep-pool (203.0.113.30-33) keeps ports; the others translate them.
            if info.srcNatRuleType == .source, !keepPool.contains(info.natSourceAddress) { info.natSourcePort = 0 }
        }
        return events.map { event in
            var event = event
            switch event.payload {
            case .sessionCreate(var create):
                normalize(&create.session)
                event.payload = .sessionCreate(create)
            case .sessionClose(var close):
                normalize(&close.session)
                event.payload = .sessionClose(close)
            default:
                break
            }
            return event
        }
    }

    @Test("a capture taken before NAT gives the same events on 1, 2, 3 and 4 SPUs", arguments: [2, 3, 4])
    func clientLinkCapture(shards: Int) throws {
        let one = try Self.run(shards: 1, capturePoint: .clientLink)
        let many = try Self.run(shards: shards, capturePoint: .clientLink)
        #expect(one.events.count > 500)
        #expect(one.statistics.sessionsFailed == 0 && one.open == 0 && many.open == 0)
        #expect(many.statistics == one.statistics)
        let expected = Self.normalized(one.events)
        let actual = Self.normalized(many.events)
        #expect(actual.count == expected.count)
        for (index, (a, e)) in zip(actual, expected).enumerated() where a != e {
            Issue.record("event \(index) differs:\n\(a)\nexpected\n\(e)")
            break
        }
    }

    @Test("a capture of every interface, made for N SPUs, has every reply in its session on N SPUs", arguments: [1, 2, 4])
    func everyInterfaceCapture(shards: Int) throws {
        // 300 sessions of this seed: no two concurrent sessions want the same translated port
        // (the generator predicts each SPU's first choice; a collision moves the later session
        // to the next port, which no capture can foresee — with one SPU as with several).
        let one = try Self.run(shards: 1, capturePoint: .everyInterface, sessions: 300)
        let many = try Self.run(shards: shards, capturePoint: .everyInterface, captureSPUs: shards, sessions: 300)
        // The plan's flows the default policy denies are the only drops.
        #expect(Set(one.statistics.packetsDropped.keys) == ["denied by policy"], "\(one.statistics.packetsDropped)")
        #expect(many.statistics == one.statistics, "\(many.statistics.packetsDropped)")
        let expected = Self.normalized(one.events)
        let actual = Self.normalized(many.events)
        #expect(actual.count == expected.count)
        for (index, (a, e)) in zip(actual, expected).enumerated() where a != e {
            Issue.record("event \(index) differs:\n\(a)\nexpected\n\(e)")
            break
        }
    }

    @Test("session ids are unique over the SPUs: shard i numbers i+1, i+1+N, …")
    func sessionIDs() throws {
        let run = try Self.run(shards: 3, capturePoint: .clientLink, sessions: 200)
        var seen: Set<UInt32> = []
        for event in run.events {
            guard case .sessionCreate(let create) = event.payload else { continue }
            #expect(seen.insert(create.session.sessionID).inserted)
        }
        #expect(seen.count > 100)
        #expect(Set(seen.map { ($0 - 1) % 3 }) == [0, 1, 2])
    }

    @Test("the dispatch hash is the same both ways and stable across runs")
    func hash() {
        let a = IPAddress.v4(0x0A01_0203)
        let b = IPAddress.v4(0xCB00_710A)
        let forward = WingKey(source: a, destination: b, sourcePort: 40000, destinationPort: 443, ipProtocol: 6)
        #expect(ShardHash.shard(forward, count: 7) == ShardHash.shard(forward.reversed, count: 7))
        // Pinned: a change of the hash changes which SPU owns a session in every replay.
        #expect(ShardHash.value(source: a, destination: b, sourcePort: 40000, destinationPort: 443, ipProtocol: 6) == ShardHash.value(source: b, destination: a, sourcePort: 443, destinationPort: 40000, ipProtocol: 6))
        // Echoes of one ping: same identifier, any sequence, same shard.
        let echo1 = WingKey(source: a, destination: b, sourcePort: 77, destinationPort: 1, ipProtocol: 1)
        let echo2 = WingKey(source: a, destination: b, sourcePort: 77, destinationPort: 2, ipProtocol: 1)
        #expect(ShardHash.value(echo1.reversed, identifierIsSource: false) == ShardHash.value(echo2))
    }
}

extension ShardHash {
    static func value(_ wing: WingKey, identifierIsSource: Bool = true) -> UInt64 {
        value(
            source: wing.source, destination: wing.destination, sourcePort: wing.sourcePort,
            destinationPort: wing.destinationPort, ipProtocol: wing.ipProtocol, identifierIsSource: identifierIsSource)
    }
}

