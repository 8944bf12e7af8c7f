import FlowtelCore
import Logging
import PacketIO
import Packets
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The traffic generator as a live packet source, on its own thread: sessions start at the
/// configured mean rate from the moment the source starts, and each packet is handed over when
/// its timestamp comes due on the wall clock, decoded, in batches. The generator is the same
/// one `flowtel generate` writes to a file, so a run's traffic is reproducible by seed.
final class GeneratorSource: PacketSource {
    /// The largest generated frame (1500-byte MTU, Ethernet header and a VLAN tag).
    private static let frameCapacity = 1536

    let counters: SourceCounters
    private let configuration: GeneratorSourceConfiguration
    private let sink: any PacketSink
    private let logger: Logger
    private let stopping = Atomic<Bool>(false)

    /// Checks the plan, so that an unplayable configuration is a start-up error.
    init(
        configuration: GeneratorSourceConfiguration, id: PacketSourceID, sink: any PacketSink, logger: Logger
    ) throws(DaemonError) {
        do {
            try configuration.plan.validate()
        } catch {
            throw DaemonError("\(id): \(error)")
        }
        self.configuration = configuration
        counters = SourceCounters(id: id)
        self.sink = sink
        self.logger = logger
    }

    func run() {
        let wallStart = Self.wallClock()
        var generator: TrafficGenerator
        do {
            generator = try TrafficGenerator(
                plan: configuration.plan, seed: configuration.seed, sessions: configuration.sessions ?? .max,
                start: wallStart, sessionsPerSecond: configuration.sessionsPerSecond)
        } catch {
            counters.finish(error: "\(error)")
            return
        }
        let clock = ContinuousClock()
        let start = clock.now
        let decoder = PacketDecoder(linkType: .ethernet)
        // Frames live in one buffer of batchSize slots while their batch is handed over.
        let slots = UnsafeMutableRawBufferPointer.allocate(
            byteCount: PacketBatcher.batchSize * Self.frameCapacity, alignment: 16)
        defer { slots.deallocate() }
        var frame: [UInt8] = []
        frame.reserveCapacity(Self.frameCapacity)
        var batcher = PacketBatcher(sink: sink, counters: counters)

        while !stopping.load(ordering: .relaxed), let info = generator.next(into: &frame) {
            let due = start.advanced(by: .nanoseconds(Int64(info.timestamp.unixNanos &- wallStart.unixNanos)))
            if clock.now < due {
                // Hand over what is ready before waiting, so a slow rate holds nothing back.
                batcher.flush()
                sleep(until: due, on: clock) { stopping.load(ordering: .relaxed) }
                if stopping.load(ordering: .relaxed) { break }
            }
            batcher.delta.frame(wireLength: frame.count)
            let offset = batcher.count * Self.frameCapacity
            let slot = UnsafeMutableRawBufferPointer(rebasing: slots[offset..<(offset + frame.count)])
            frame.withUnsafeBytes { slot.copyMemory(from: $0) }
            let bytes = UnsafeRawBufferPointer(slot)
            do {
                let packet = try decoder.decode(bytes)
                if packet.ip?.fragment != nil { batcher.delta.fragments &+= 1 }
                // The interface index is the plan endpoint the frame arrives from.
                batcher.append(
                    CapturedPacket(timestamp: info.timestamp, packet: packet, frame: bytes, interfaceIndex: info.endpoint))
            } catch {
                batcher.delta.decodeFailed(error.kind)
            }
        }
        batcher.flush()
        counters.finish(error: nil)
        let summary = generator.summary
        logger.info(
            stopping.load(ordering: .relaxed) ? "traffic generator stopped" : "traffic generator finished",
            metadata: [
                "generator.sessions": "\(summary.sessions)", "generator.packets": "\(summary.packets)",
                "generator.seed": "\(configuration.seed)",
            ])
    }

    func stop() {
        stopping.store(true, ordering: .relaxed)
    }

    /// Now, on the realtime clock (generated packets carry wall-clock timestamps).
    private static func wallClock() -> Timestamp {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Timestamp(unixNanos: UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec))
    }
}
