import FlowtelCore
import Logging
import PacketIO
import Packets
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Reads one pcap or pcapng file once, as fast as it decodes or at a given packet rate, on its
/// own thread; decodes every frame and hands the packets to the sink in batches. When the file
/// ends the source is finished; the daemon keeps serving.
final class FileSource: PacketSource {
    let counters: SourceCounters
    private let file: CaptureFile
    /// The pace, or nil for as fast as possible.
    private let packetsPerSecond: Int?
    private let sink: any PacketSink
    private let logger: Logger
    private let stopping = Atomic<Bool>(false)

    /// Maps the file and checks its header, so that a file that cannot be read is a start-up
    /// error rather than a source that fails later.
    init(
        path: String, packetsPerSecond: Int? = nil, id: PacketSourceID, sink: any PacketSink, logger: Logger
    ) throws(DaemonError) {
        if let packetsPerSecond { precondition(packetsPerSecond > 0, "packetsPerSecond must be positive") }
        self.packetsPerSecond = packetsPerSecond
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
        do {
            while !stopping.load(ordering: .relaxed), let entry = try reader.next() {
                if let packetsPerSecond {
                    // Record n is due n/rate seconds after the start; a batch is handed over
                    // before waiting, so a slow pace does not hold packets back.
                    let due = start.advanced(by: .nanoseconds(records * 1_000_000_000 / Int64(packetsPerSecond)))
                    if clock.now < due {
                        batcher.flush()
                        sleep(until: due, on: clock) { stopping.load(ordering: .relaxed) }
                    }
                    records += 1
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
                                timestamp: record.timestamp, packet: packet, frame: record.bytes,
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
