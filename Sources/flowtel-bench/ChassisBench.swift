import FlowEngine
import FlowtelCore
import JunosConfig
import PacketIO
import Packets
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// `flowtel-bench chassis-overhead CONFIG PCAP [ROUNDS [on|off]]`: what the chassis's fault accounting
/// costs on the packet path, as `flowtel replay` and flowteld run it (a ``ShardedFlowEngine`` of
/// one SPU fed in batches of 256).
///
/// The capture is decoded once into memory (so the figure is the engine's share alone, which
/// makes the overhead look larger than it is against a whole replay), then replayed `ROUNDS`
/// times (default 5) in each of two modes, alternating their order: the stage counters off, and
/// the daemon's setup — counters on, every batch's events marked exported and shard 0's probes
/// answered, a sampler thread reading every counter and sending probes ten times a second.
/// Prints each mode's median packets/s over process CPU time, and the overhead.
enum ChassisBench {
    static func main(_ arguments: [String]) throws {
        guard arguments.count >= 3 else {
            print("usage: flowtel-bench chassis-overhead CONFIG PCAP [ROUNDS [on|off]]")
            exit(2)
        }
        let device = try EngineBench.loadConfig(arguments[1])
        let rounds = arguments.count > 3 ? max(1, Int(arguments[3]) ?? 5) : 5
        var packets: [ShardPacket] = []
        var reader = try CaptureReader.open(path: arguments[2])
        while let entry = try reader.next() {
            guard case .packet(let record) = entry, let time = record.timestamp,
                let packet = try? PacketDecoder(linkType: record.linkType).decode(record.bytes, wireLength: record.originalLength)
            else { continue }
            packets.append(ShardPacket(flow: FlowPacket(packet), vlan: packet.link.vlan?.outer, time: time))
        }
        // `on` or `off` as a fourth argument: that mode only (for instruction counting under
        // valgrind, where the two must be separate processes).
        let only: Bool? = arguments.count > 4 ? arguments[4] == "on" : nil
        var rates: [Bool: [Double]] = [false: [], true: []]
        for round in 0..<rounds {
            for accounting in round % 2 == 0 ? [false, true] : [true, false] where only == nil || only == accounting {
                rates[accounting]!.append(run(device, packets, accounting: accounting))
            }
        }
        func median(_ values: [Double]) -> Double { values.isEmpty ? 0 : values.sorted()[values.count / 2] }
        if let only {
            print("chassis-overhead packets=\(packets.count) mode=\(only ? "on" : "off") packets-per-second=\(Int(median(rates[only]!)))")
            return
        }
        let off = median(rates[false]!)
        let on = median(rates[true]!)
        print(
            "chassis-overhead packets=\(packets.count) rounds=\(rounds) "
                + "off-packets-per-second=\(Int(off)) on-packets-per-second=\(Int(on)) "
                + "overhead-percent=\(percent((off / on - 1) * 100))")
    }

    /// `value` with two decimals, negative ones too (noise can make the counted run faster).
    static func percent(_ value: Double) -> String {
        let hundredths = Int((abs(value) * 100).rounded())
        let fraction = hundredths % 100
        return (value < 0 && hundredths > 0 ? "-" : "") + "\(hundredths / 100)." + (fraction < 10 ? "0" : "") + "\(fraction)"
    }

    private static func run(_ device: DeviceConfig, _ packets: [ShardPacket], accounting: Bool) -> Double {
        let engine = ShardedFlowEngine(
            config: device, shards: 1, maximumSessions: 1 << 22, exportAllSessions: true, accounting: accounting)
        let sampler = Sampler(engine: engine)
        var thread: pthread_t?
        if accounting {
            var started = pthread_t()
            pthread_create(&started, nil, { context in
                let sampler = Unmanaged<Sampler>.fromOpaque(context!).takeRetainedValue()
                sampler.loop()
                return nil
            }, Unmanaged.passRetained(sampler).toOpaque())
            thread = started
        }
        let cpuStart = EngineBench.cpuSeconds()
        var events = 0
        var index = 0
        while index < packets.count {
            let batch = Array(packets[index..<min(index + 256, packets.count)])
            index += batch.count
            events += engine.process(batch).events.count
            if accounting {
                engine.markExported()
                engine.answerCallerProbes()
            }
        }
        let last = packets.last?.time ?? Timestamp(unixNanos: 0)
        events += engine.advance(to: Timestamp(unixNanos: last.unixNanos &+ 100 * 86_400 * 1_000_000_000)).count
        let cpu = EngineBench.cpuSeconds() - cpuStart
        sampler.running.store(false, ordering: .relaxed)
        if let thread { pthread_join(thread, nil) }
        precondition(events > 0, "the capture made no events")
        return Double(packets.count) / max(cpu, 1e-9)
    }

    /// The chassis sampler's reads: every counter of every shard, and probes, every 100 ms.
    private final class Sampler: @unchecked Sendable {
        // @unchecked: `engine`'s counters and probes are thread-safe; `running` is atomic.
        let engine: ShardedFlowEngine
        let running = Atomic<Bool>(true)

        init(engine: ShardedFlowEngine) {
            self.engine = engine
        }

        func loop() {
            var total: UInt64 = 0
            while running.load(ordering: .relaxed) {
                for shard in 0..<engine.shardCount {
                    for counter in ShardProgress.Counter.allCases { total &+= engine.progress.value(counter, shard: shard) }
                }
                engine.sendProbes()
                usleep(100_000)
            }
            if total == 42 { print("") }  // keeps the reads
        }
    }
}
