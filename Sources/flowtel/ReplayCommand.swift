import ArgumentParser
import FlowEngine
import FlowtelCore
import FlowtelGRPC
import FlowtelSubscriber
import JunosConfig
import PacketIO
import Packets

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// `flowtel replay`: what an SRX with this configuration would log for this capture, offline.
struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the flow engine over a capture file and print the RT_FLOW events, offline.",
        discussion: """
            No daemon: the engine reads the capture in packet time and prints every session \
            create, close and deny event its policies log, in order, as JSON lines, RFC 5424 \
            RT_FLOW syslog (--format sd-syslog), plain RFC 3164 RT_FLOW syslog (--format syslog) or \
            the lines of the device's log file (--format text). With \
            --age-out, time runs on after the last packet until every session has closed. A \
            summary goes to standard error. Exit status: 0, 1 for a bad configuration or \
            capture, 2 for an unreadable file.
            """)

    @Option(help: "The Junos configuration (set or curly syntax).")
    var config: String

    @Option(help: "The pcap or pcapng capture.")
    var pcap: String

    @Flag(help: "After the last packet, run the timers until every session has closed.")
    var ageOut = false

    @Flag(help: "Log every session, whatever its policy's log statements say.")
    var allSessions = false

    @Option(
        help: """
            Output format: json (one JSON object per line), sd-syslog (RFC 5424 RT_FLOW lines), syslog \
            (plain RFC 3164 RT_FLOW lines) or text (the lines of a Junos log file).
            """)
    var format = "json"

    @Option(help: "sd-syslog: the SRX model number in the SD-ID junos@2636.1.1.1.2.N.")
    var model = 129

    @Option(help: "Flow-engine SPUs (worker threads), 1-64: the events are the same, SPU-numbered session ids and translated ports apart.")
    var spus = 1

    func validate() throws {
        guard (1...64).contains(spus) else { throw ValidationError("--spus must be 1 to 64") }
        guard ["json", "sd-syslog", "syslog", "text"].contains(format) else {
            throw ValidationError("--format: expected json, sd-syslog, syslog or text")
        }
    }

    func run() throws {
        let device = try loadDeviceConfig(config)
        var reader: CaptureReader
        do {
            reader = try CaptureReader.open(path: pcap)
        } catch {
            printError("flowtel: \(pcap): \(error)")
            throw ExitCode(1)
        }
        let engine = ShardedFlowEngine(
            config: device, shards: spus, exportAllSessions: allSessions || device.flowtel.exportAllSessions)
        var batch: [ShardPacket] = []
        batch.reserveCapacity(Self.batchSize)
        let renderer = JSONRenderer()
        let syslog = SyslogRenderer(model: model)
        let plainSyslog = PlainSyslogRenderer()
        let textRenderer = TextRenderer()
        let node = device.hostName ?? "flowtel"
        var seq: UInt64 = 0
        var packets = 0
        var malformed = 0
        var last: Timestamp?
        func emit(_ events: [FlowEvent]) {
            for event in events {
                seq += 1
                let envelope = Event(bootID: BootID(0), seq: seq, time: event.time, node: node, payload: event.payload)
                // The engine emits session events only: every format has a line for each.
                var line =
                    switch format {
                    case "sd-syslog": syslog.render(envelope) ?? []
                    case "syslog": plainSyslog.render(envelope) ?? []
                    case "text": textRenderer.render(envelope)
                    default: renderer.render(envelope)
                    }
                line.append(UInt8(ascii: "\n"))
                line.withUnsafeBytes { _ = fwrite($0.baseAddress, 1, $0.count, stdout) }
            }
        }
        do {
            while let entry = try reader.next() {
                guard case .packet(let record) = entry else {
                    malformed += 1
                    continue
                }
                packets += 1
                // Records without a time (none in pcap) keep the previous packet's.
                let time = record.timestamp ?? last ?? Timestamp(unixNanos: 0)
                let decoder = PacketDecoder(linkType: record.linkType)
                // Unfragmented TCP and UDP take the straight-line decoder; everything else
                // (and anything it does not accept) is decoded in full.
                if let headers = decoder.decodeFlow(record.bytes, wireLength: record.originalLength) {
                    batch.append(ShardPacket(flow: FlowPacket(headers), vlan: headers.vlan, time: time))
                } else {
                    do {
                        let packet = try decoder.decode(record.bytes, wireLength: record.originalLength)
                        batch.append(ShardPacket(flow: FlowPacket(packet), vlan: packet.link.vlan?.outer, time: time))
                    } catch {
                        malformed += 1
                        continue
                    }
                }
                last = time
                if batch.count == Self.batchSize {
                    emit(engine.process(batch).events)
                    batch.removeAll(keepingCapacity: true)
                }
            }
        } catch {
            printError("flowtel: \(pcap): \(error)")
            throw ExitCode(1)
        }
        emit(engine.process(batch).events)
        if ageOut, let last {
            // Far enough for any finite timeout (`inactivity-timeout never` sessions stay).
            emit(engine.advance(to: Timestamp(unixNanos: last.unixNanos &+ 100 * 86_400 * 1_000_000_000)))
        }
        fflush(stdout)
        let statistics = engine.statistics
        var summary =
            "\(pcap): \(packets) packets (\(malformed) malformed), \(statistics.sessionsCreated) sessions created, "
            + "\(statistics.sessionsClosed) closed, \(engine.activeSessionCount) open, \(statistics.sessionsDenied) denied, "
            + "\(statistics.sessionsFailed) failed, \(seq) events"
        let drops = statistics.packetsDropped.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        if !drops.isEmpty { summary += "; dropped: " + drops.joined(separator: ", ") }
        printError(summary)
    }

    /// Packets handed to the engine at a time (the SPUs share each batch).
    static let batchSize = 256
}
