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
            create, close and deny event its policies log, in order, as JSON lines or RFC 5424 \
            RT_FLOW syslog (--format sd-syslog). With \
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

    @Option(help: "Output format: json (one JSON object per line) or sd-syslog (RFC 5424 RT_FLOW lines).")
    var format = "json"

    @Option(help: "sd-syslog: the SRX model number in the SD-ID junos@2636.1.1.1.2.N.")
    var model = 129

    func validate() throws {
        guard ["json", "sd-syslog"].contains(format) else { throw ValidationError("--format: expected json or sd-syslog") }
    }

    func run() throws {
        let text: String
        do {
            text = try readSmallTextFile(config, what: "configuration", limit: 512 << 20)
        } catch {
            printError("flowtel: \(error.message)")
            throw ExitCode(2)
        }
        let device: DeviceConfig
        do {
            device = try DeviceConfig.load(text: text, file: config).config
        } catch {
            printError("\(error.location): error: \(error.message)")
            throw ExitCode(1)
        }
        var reader: CaptureReader
        do {
            reader = try CaptureReader.open(path: pcap)
        } catch {
            printError("flowtel: \(pcap): \(error)")
            throw ExitCode(1)
        }
        var engine = FlowEngine(config: device, exportAllSessions: allSessions || device.flowtel.exportAllSessions)
        let renderer = JSONRenderer()
        let syslog = SyslogRenderer(model: model)
        let node = device.hostName ?? "flowtel"
        var seq: UInt64 = 0
        var packets = 0
        var malformed = 0
        var last: Timestamp?
        func emit(_ events: [FlowEvent]) {
            for event in events {
                seq += 1
                let envelope = Event(bootID: BootID(0), seq: seq, time: event.time, node: node, payload: event.payload)
                var line = format == "sd-syslog" ? syslog.render(envelope) ?? [] : renderer.render(envelope)
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
                do {
                    let packet = try PacketDecoder(linkType: record.linkType)
                        .decode(record.bytes, wireLength: record.originalLength)
                    // Records without a time (none in pcap) keep the previous packet's.
                    let time = record.timestamp ?? last ?? Timestamp(unixNanos: 0)
                    last = time
                    emit(engine.process(packet, at: time))
                } catch {
                    malformed += 1
                }
            }
        } catch {
            printError("flowtel: \(pcap): \(error)")
            throw ExitCode(1)
        }
        if ageOut, let last {
            // Far enough for any finite timeout (`inactivity-timeout never` sessions stay).
            emit(engine.advance(to: Timestamp(unixNanos: last.unixNanos &+ 100 * 86_400 * 1_000_000_000)))
        }
        fflush(stdout)
        let statistics = engine.statistics
        var summary =
            "\(pcap): \(packets) packets (\(malformed) malformed), \(statistics.sessionsCreated) sessions created, "
            + "\(statistics.sessionsClosed) closed, \(engine.sessionCount) open, \(statistics.sessionsDenied) denied, "
            + "\(statistics.sessionsFailed) failed, \(seq) events"
        let drops = statistics.packetsDropped.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        if !drops.isEmpty { summary += "; dropped: " + drops.joined(separator: ", ") }
        printError(summary)
    }
}
