import FlowtelCore
import Foundation
import JunosConfig
import PacketIO
import Packets
import Testing

@testable import FlowEngine

/// What the chassis needs of the sharded engine: stage progress counters, stall hooks,
/// host-loopback probes, SPUs taken offline and back, and SPUs reset.
@Suite("Sharded flow engine under the chassis", .serialized)
struct ShardChassisTests {
    static let device = ShardedEngineTests.device
    static let start = ShardedEngineTests.start

    /// `count` packets of generated traffic (long sessions from the client side, no NAT
    /// replies needed), and the time of the last.
    static func packets(_ count: Int, seed: UInt64 = 9) throws -> (packets: [ShardPacket], last: Timestamp) {
        var plan = try TrafficPlan(config: device)
        plan.capturePoint = .clientLink
        var generator = try TrafficGenerator(plan: plan, seed: seed, sessions: 400, start: start, sessionsPerSecond: 400)
        let decoder = PacketDecoder(linkType: .ethernet)
        var frame: [UInt8] = []
        var packets: [ShardPacket] = []
        var last = start
        while packets.count < count, let info = generator.next(into: &frame) {
            let packet = try decoder.decode(frame)
            packets.append(ShardPacket(flow: FlowPacket(packet), vlan: packet.link.vlan?.outer, time: info.timestamp))
            last = info.timestamp
        }
        return (packets, last)
    }

    static func open(_ engine: ShardedFlowEngine, at time: Timestamp) -> [Int] {
        engine.sessions(at: time).map { $0.filter { $0.state != .invalidated }.count }
    }

    @Test("every stage's counters account for the packets, aging passes and events of a call")
    func progressCounters() throws {
        let (packets, _) = try Self.packets(2000)
        let engine = ShardedFlowEngine(config: Self.device, shards: 3)
        let events = engine.process(packets).events
        let progress = engine.progress
        var dispatched: UInt64 = 0
        var produced: UInt64 = 0
        for shard in 0..<3 {
            let taken = progress.value(.taken, shard: shard)
            #expect(progress.value(.dispatched, shard: shard) == taken)
            #expect(progress.value(.processed, shard: shard) == taken)
            #expect(progress.value(.agingRequested, shard: shard) == 1)
            #expect(progress.value(.agingDone, shard: shard) == 1)
            #expect(progress.value(.eventsExported, shard: shard) == 0)
            dispatched += taken
            produced += progress.value(.eventsProduced, shard: shard)
        }
        // Every packet here is IP, so every one is dispatched.
        #expect(dispatched == UInt64(packets.count))
        #expect(produced == UInt64(events.count))
        engine.markExported()
        for shard in 0..<3 {
            #expect(progress.value(.eventsExported, shard: shard) == progress.value(.eventsProduced, shard: shard))
        }
        #expect(progress.undispatched == 0)
    }

    @Test("a stalled lookup stage takes its packets but processes none until the stall ends")
    func lookupStall() throws {
        let (packets, _) = try Self.packets(600)
        let engine = ShardedFlowEngine(config: Self.device, shards: 2)
        let progress = engine.progress
        progress.stall(.lookup, shard: 1, until: ShardProgress.monotonicNanos() + 10_000_000_000)
        #expect(progress.isStalled(.lookup, shard: 1))
        let finished = ManagedAtomicFlag()
        let thread = Thread {
            _ = engine.process(packets)
            finished.set()
        }
        thread.start()
        // While stalled: shard 1 took its packets and processes none; shard 0 finishes its own
        // (polled: a slow build, ASan's, may take a while).
        var sawStall = false
        for _ in 0..<500 where !finished.isSet {
            usleep(10_000)
            let taken0 = progress.value(.taken, shard: 0)
            if progress.value(.taken, shard: 1) > 0, progress.value(.processed, shard: 1) == 0, taken0 > 0,
                progress.value(.processed, shard: 0) == taken0
            {
                sawStall = true
                break
            }
        }
        #expect(sawStall)
        #expect(!finished.isSet)
        // Ending the stall (as a reset does) lets the batch finish.
        progress.cancelStalls()
        while !finished.isSet { usleep(10_000) }
        #expect(progress.value(.processed, shard: 1) == progress.value(.taken, shard: 1))
        #expect(!progress.isStalled(.lookup, shard: 1))
    }

    @Test("idle workers answer host-loopback probes; a stalled loopback does not; shard 0 answers on the caller's thread")
    func probes() throws {
        let engine = ShardedFlowEngine(config: Self.device, shards: 3)
        let progress = engine.progress
        progress.stall(.loopback, shard: 2, until: ShardProgress.monotonicNanos() + 60_000_000_000)
        engine.sendProbes()
        for shard in 0..<3 { #expect(progress.value(.probesSent, shard: shard) == 1) }
        var waited = 0
        while progress.value(.probesAnswered, shard: 1) < 1 && waited < 200 {
            usleep(5_000)
            waited += 1
        }
        #expect(progress.value(.probesAnswered, shard: 1) == 1)
        #expect(progress.value(.probesAnswered, shard: 2) == 0)
        #expect(progress.value(.probesAnswered, shard: 0) == 0)
        engine.answerCallerProbes()
        #expect(progress.value(.probesAnswered, shard: 0) == 1)
        // One probe outstanding per shard: the stalled one is not sent another.
        engine.sendProbes()
        #expect(progress.value(.probesSent, shard: 2) == 1)
        #expect(progress.value(.probesSent, shard: 1) == 2)
        progress.cancelStalls()
        engine.sendProbes()
        waited = 0
        while progress.value(.probesAnswered, shard: 2) < 1 && waited < 200 {
            usleep(5_000)
            waited += 1
        }
        #expect(progress.value(.probesAnswered, shard: 2) == 1)
    }

    @Test("an SPU taken offline: its sessions close (FPC offline), its traffic goes to the others; back online, the carried sessions close (FPC reset)")
    func offlineAndBack() throws {
        let (packets, last) = try Self.packets(3000)
        let half = packets.count / 2
        let engine = ShardedFlowEngine(config: Self.device, shards: 2)
        _ = engine.process(Array(packets[..<half]))
        let before = Self.open(engine, at: last)
        #expect(before[0] > 0 && before[1] > 0)

        let offline = engine.setOnline(1..<2, false, at: packets[half - 1].time)
        let closes = offline.compactMap { if case .sessionClose(let close) = $0.payload { close } else { nil } }
        #expect(closes.count == before[1])
        #expect(closes.allSatisfy { $0.reason == .fpcOffline })
        #expect(!engine.isOnline(1) && engine.isOnline(0))

        // Shard 1's share of the rest goes to shard 0: sessions created there, replies find them.
        let taken1 = engine.progress.value(.taken, shard: 1)
        let result = engine.process(Array(packets[half...]))
        #expect(engine.progress.value(.taken, shard: 1) == taken1)
        #expect(engine.progress.undispatched == 0)
        let creates = result.events.filter { if case .sessionCreate = $0.payload { true } else { false } }
        #expect(!creates.isEmpty)
        let during = Self.open(engine, at: last)
        #expect(during[1] == 0 && during[0] > 0)
        // A reply of a carried session is its packet, not a new session: no create is the
        // reverse of another.
        let flows = creates.compactMap { event -> [String]? in
            guard case .sessionCreate(let create) = event.payload else { return nil }
            let info = create.session
            return ["\(info.sourceAddress)", "\(info.sourcePort)", "\(info.destinationAddress)", "\(info.destinationPort)", "\(info.protocolID)"]
        }
        let known = Set(flows)
        #expect(!flows.contains { known.contains([$0[2], $0[3], $0[0], $0[1], $0[4]]) })

        // Back online: the sessions shard 0 carried for shard 1 close; its own stay.
        let online = engine.setOnline(1..<2, true, at: last)
        let handedBack = online.compactMap { if case .sessionClose(let close) = $0.payload { close } else { nil } }
        #expect(!handedBack.isEmpty && handedBack.allSatisfy { $0.reason == .fpcReset })
        let after = Self.open(engine, at: last)
        #expect(after[0] == during[0] - handedBack.count)
        #expect(engine.isOnline(1))
    }

    @Test("with every SPU offline, dispatch drops the packets and counts them")
    func allOffline() throws {
        let (packets, last) = try Self.packets(500)
        let engine = ShardedFlowEngine(config: Self.device, shards: 1)
        _ = engine.setOnline(0..<1, false, at: Self.start)
        let result = engine.process(packets, dispositions: true)
        #expect(result.events.isEmpty)
        #expect(engine.progress.undispatched == UInt64(packets.count))
        #expect(result.dispositions.allSatisfy { $0 == .dropped("FPC offline") })
        #expect(engine.sessionCount == 0)
        _ = engine.setOnline(0..<1, true, at: last)
        #expect(!engine.process(packets).events.isEmpty)
    }

    @Test("resetting SPUs closes their sessions (FPC reset) and starts their engines over; the others keep theirs")
    func reset() throws {
        let (packets, last) = try Self.packets(3000)
        let engine = ShardedFlowEngine(config: Self.device, shards: 3)
        _ = engine.process(packets)
        let before = Self.open(engine, at: last)
        let created = engine.shardStatistics.map(\.sessionsCreated)
        #expect(before.allSatisfy { $0 > 0 })
        let (cleared, events) = engine.resetShards(1..<2, at: last)
        #expect(cleared == before[1])
        let closes = events.compactMap { if case .sessionClose(let close) = $0.payload { close } else { nil } }
        #expect(closes.count == before[1])
        #expect(closes.allSatisfy { $0.reason == .fpcReset })
        let after = Self.open(engine, at: last)
        #expect(after[0] == before[0] && after[2] == before[2] && after[1] == 0)
        let statistics = engine.shardStatistics
        #expect(statistics[1].sessionsCreated == 0)
        #expect(statistics[0].sessionsCreated == created[0] && statistics[2].sessionsCreated == created[2])
    }
}

/// A flag set by one thread and read by another.
private final class ManagedAtomicFlag: @unchecked Sendable {
    // @unchecked: `value` is only accessed under `lock`.
    private let lock = NSLock()
    private var value = false

    var isSet: Bool { lock.withLock { value } }

    func set() { lock.withLock { value = true } }
}
