import FlowtelCore
import Logging
import PacketIO
import Packets
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Reads one pcap or pcapng file on its own thread -- once or in a loop; as fast as it decodes,
/// at a packet rate, or at the pace of its timestamps -- decodes every frame and hands the
/// packets to the sink in batches. When the file ends (and does not loop) the source is
/// finished; the daemon keeps serving.
final class FileSource: PacketSource {
    let counters: SourceCounters
    private let file: CaptureFile
    private let replay: ReplayOptions
    private let sink: any PacketSink
    private let logger: Logger
    private let stopping = Atomic<Bool>(false)

    /// Maps the file and checks its header, so that a file that cannot be read is a start-up
    /// error rather than a source that fails later.
    init(
        path: String, replay: ReplayOptions = ReplayOptions(), id: PacketSourceID, sink: any PacketSink, logger: Logger
    ) throws(DaemonError) {
        self.replay = replay
        do {
            let file = try CaptureFile.open(path: path)
            _ = try CaptureReader(file: file)
            self.file = file
        } catch {
            throw DaemonError("\(id): \(Self.explain(error))")
        }
        counters = SourceCounters(id: id)
        self.sink = sink
        self.logger = logger
    }

    /// "cannot open the capture file: No such file or directory", "not a pcap or pcapng file
    /// (unknown magic number)", or the structural problem and where it is.
    static func explain(_ error: CaptureFileError) -> String {
        if let code = error.systemError { return "\(error.kind.explanation): \(systemErrorText(code))" }
        if error.kind == .unknownFormat || error.kind == .truncatedFileHeader { return error.kind.explanation }
        return error.description
    }

    func run() {
        let id = counters.id
        var reader: CaptureReader
        do {
            // The header was read once at start-up; reading it again here is cheap and keeps
            // the reader (not Sendable) on this thread.
            reader = try CaptureReader(file: file)
        } catch {
            counters.finish(error: Self.explain(error))
            return
        }
        var batcher = PacketBatcher(sink: sink, counters: counters)

        let clock = ContinuousClock()
        let start = clock.now
        var records: Int64 = 0
        var failure: String? = nil
        /// The first record's time (the pace's origin), the last one's, and how far this pass's
        /// timestamps are moved so that each loop continues after the previous one.
        var firstTime: UInt64?
        var lastTime: UInt64 = 0
        var shift: UInt64 = 0
        do {
            while !stopping.load(ordering: .relaxed) {
                guard let entry = try reader.next() else {
                    guard replay.loop, firstTime != nil else { break }
                    // Next pass: timestamps resume a millisecond after this pass's last one.
                    shift = lastTime &+ 1_000_000 &- (firstTime ?? 0)
                    reader = try CaptureReader(file: file)
                    continue
                }
                var time: UInt64?
                if case .packet(let record) = entry, let timestamp = record.timestamp {
                    time = timestamp.unixNanos &+ shift
                    if firstTime == nil { firstTime = timestamp.unixNanos }
                    lastTime = max(lastTime, timestamp.unixNanos &+ shift)
                }
                // When the record is due; a batch is handed over before waiting, so a slow
                // pace does not hold packets back.
                var due: ContinuousClock.Instant?
                switch replay.pacing {
                case .asFastAsPossible: break
                case .packetsPerSecond(let rate):
                    due = start.advanced(by: .nanoseconds(records * 1_000_000_000 / Int64(rate)))
                case .speed(let factor):
                    if let time, let firstTime, time >= firstTime {
                        due = start.advanced(by: .nanoseconds(Int64(Double(time - firstTime) / factor)))
                    }
                }
                records += 1
                if let due, clock.now < due {
                    batcher.flush()
                    sleep(until: due, on: clock) { stopping.load(ordering: .relaxed) }
                }
                switch entry {
                case .malformed:
                    batcher.delta.packets &+= 1
                    batcher.delta.skippedRecords &+= 1
                case .packet(let record):
                    batcher.delta.frame(wireLength: record.originalLength)
                    do {
                        let packet = try PacketDecoder(linkType: record.linkType)
                            .decode(record.bytes, wireLength: record.originalLength)
                        if packet.ip?.fragment != nil { batcher.delta.fragments &+= 1 }
                        batcher.append(
                            CapturedPacket(
                                timestamp: time.map { Timestamp(unixNanos: $0) }, packet: packet, frame: record.bytes,
                                interfaceIndex: record.interfaceIndex))
                    } catch {
                        batcher.delta.decodeFailed(error.kind)
                    }
                }
                // Publish the counters at least every batch, even while nothing decodes.
                if batcher.delta.packets >= UInt64(PacketBatcher.batchSize) { batcher.flush() }
            }
        } catch {
            failure = Self.explain(error)
        }
        batcher.flush()
        counters.finish(error: failure)
        let statistics = counters.snapshot()
        let metadata: Logger.Metadata = [
            "capture.source": "\(id.name)", "capture.packets": "\(statistics.packets)",
            "capture.malformed": "\(statistics.malformed + statistics.skippedRecords)",
        ]
        if let failure {
            logger.error("capture file stopped: \(failure)", metadata: metadata)
        } else if stopping.load(ordering: .relaxed) {
            logger.info("capture file stopped at shutdown", metadata: metadata)
        } else {
            logger.info("capture file read to its end", metadata: metadata)
        }
    }

    func stop() {
        stopping.store(true, ordering: .relaxed)
    }
}
