import FlowtelCore
import Logging
import PacketIO
import Packets
import Synchronization

/// Captures on one interface through libpcap, on its own thread (reads block); decodes every
/// packet, copies the decoded ones into a batch buffer reused for the source's life (libpcap's
/// bytes are only valid during its callback) and hands them to the sink once per read. Polls
/// the kernel's counters about once a second.
final class LiveSource: PacketSource {
    /// How often the kernel counters (`pcap_stats`) are read.
    static let statisticsInterval: Duration = .seconds(1)

    let counters: SourceCounters
    private let capture: LiveCapture
    private let sink: any PacketSink
    private let logger: Logger
    private let stopping = Atomic<Bool>(false)

    /// Opens and activates the capture, so that an interface that cannot be captured on is a
    /// start-up error.
    init(
        configuration: LiveCapture.Configuration, id: PacketSourceID, sink: any PacketSink, logger: Logger
    ) throws(DaemonError) {
        do {
            capture = try LiveCapture(configuration)
        } catch {
            throw DaemonError("\(id): \(error.message)")
        }
        counters = SourceCounters(id: id)
        self.sink = sink
        self.logger = logger
        if let warning = capture.activationWarning {
            logger.warning("\(id): \(warning)", metadata: ["capture.source": "\(id.name)"])
        }
    }

    func run() {
        let id = counters.id
        // Frames are copied here until the batch is handed over; a full buffer hands the batch
        // over early. At least one snap length, so that every frame fits.
        let buffer = UnsafeMutableRawBufferPointer.allocate(
            byteCount: max(4 << 20, capture.configuration.snapLength), alignment: 16)
        defer { buffer.deallocate() }
        var used = 0
        var batcher = PacketBatcher(sink: sink, counters: counters)
        func flush() {
            batcher.flush()
            used = 0
        }

        let clock = ContinuousClock()
        var nextPoll = clock.now
        var failure: String? = nil
        while !stopping.load(ordering: .relaxed) {
            do throws(CaptureError) {
                _ = try capture.read(maxPackets: PacketBatcher.batchSize) { packet in
                    batcher.delta.frame(wireLength: packet.wireLength)
                    let decoded: DecodedPacket
                    do throws(PacketDecodeError) {
                        decoded = try PacketDecoder(linkType: packet.linkType)
                            .decode(packet.bytes, wireLength: packet.wireLength)
                    } catch {
                        batcher.delta.decodeFailed(error.kind)
                        return
                    }
                    if decoded.ip?.fragment != nil { batcher.delta.fragments &+= 1 }
                    let count = packet.bytes.count
                    if used + count > buffer.count { flush() }
                    let frame = UnsafeMutableRawBufferPointer(rebasing: buffer[used..<used + count])
                    frame.copyMemory(from: packet.bytes)
                    used += count
                    // The read delivers at most a batch, so appending never hands the batch over
                    // early: frames in `buffer` stay valid until flush() resets it.
                    batcher.append(
                        CapturedPacket(
                            timestamp: packet.timestamp, packet: decoded, frame: UnsafeRawBufferPointer(frame),
                            interfaceIndex: 0))
                }
            } catch {
                failure = error.message
                break
            }
            flush()
            if clock.now >= nextPoll {
                pollKernelCounters()
                nextPoll = clock.now.advanced(by: Self.statisticsInterval)
            }
        }
        flush()
        pollKernelCounters()
        capture.close()
        counters.finish(error: failure)
        if let failure {
            logger.error("capture interface stopped: \(failure)", metadata: ["capture.source": "\(id.name)"])
        }
    }

    private func pollKernelCounters() {
        // A failure here (the socket is gone) shows up as a read failure too; the counters
        // keep their last values.
        guard let statistics = try? capture.statistics() else { return }
        counters.setKernel(
            received: statistics.received, drops: statistics.droppedByKernel,
            interfaceDrops: statistics.droppedByInterface)
    }

    func stop() {
        stopping.store(true, ordering: .relaxed)
        capture.breakLoop()
    }
}
