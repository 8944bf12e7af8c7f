import FlowtelCore
import FlowtelDaemon
import FlowtelGRPC
import FlowtelTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Codec micro-benchmark for `make bench`: nanoseconds per event to build, encode and decode
/// session-close events with the protobuf-c codec, on one core.
@main
struct CodecBench {
    static func now() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    static func main() throws {
        let arguments = CommandLine.arguments
        switch arguments.count > 1 ? arguments[1] : "" {
        case "make-pcap" where arguments.count == 4:
            return try PacketBench.makePcap(path: arguments[2], count: Int(arguments[3]) ?? 1_000_000)
        case "read-decode" where arguments.count == 3:
            return try PacketBench.readDecode(path: arguments[2])
        case "config-parse" where arguments.count == 3:
            return try ConfigBench.parse(lines: Int(arguments[2]) ?? 50_000)
        case "engine-pcap", "engine", "engine-memory":
            return try EngineBench.main(Array(arguments.dropFirst()))
        case "render":
            return RenderBench.main(Array(arguments.dropFirst()))
        case "chassis-overhead":
            return try ChassisBench.main(Array(arguments.dropFirst()))
        default:
            break
        }
        if CommandLine.arguments.count > 2 {
            // `flowtel-bench encode|decode N`: one phase only, for instruction counting
            // (valgrind --tool=callgrind) where wall-clock timing is too noisy.
            try phase(CommandLine.arguments[1], count: Int(CommandLine.arguments[2]) ?? 100_000)
            return
        }
        let count = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 1_000_000 : 1_000_000
        let boot = BootID(1)
        let time = Timestamp(unixNanos: 1_795_946_400_000_000_000)

        var start = now()
        var events: [Event] = []
        events.reserveCapacity(count)
        for index in 0..<count {
            events.append(SampleEvents.benchmarkSessionClose(index: UInt64(index), bootID: boot, seq: 0, time: time))
        }
        let build = now() - start

        let encoder = EventEncoder()
        var bodies: [[UInt8]] = []
        bodies.reserveCapacity(count)
        start = now()
        for event in events { bodies.append(encoder.encodeBody(time: event.time, payload: event.payload)) }
        let encode = now() - start

        let prefix = EventBatchWriter.envelopePrefix(bootID: boot.rawValue, node: SampleEvents.node)
        var batches: [[UInt8]] = []
        var writer = EventBatchWriter()
        start = now()
        for (index, body) in bodies.enumerated() {
            writer.append(prefix: prefix, seq: UInt64(index + 1), body: body)
            if writer.count == 1000 {
                batches.append(writer.bytes)
                writer.removeAll()
            }
        }
        if writer.count > 0 { batches.append(writer.bytes) }
        let frame = now() - start

        let decoder = EventDecoder()
        var decoded = 0
        start = now()
        for batch in batches { decoded += try decoder.decodeBatch(batch).count }
        let decode = now() - start
        precondition(decoded == count)

        // The same event over and over: the codec's own cost, without memory growth.
        let hotEvent = events[events.count / 2]
        var sink = 0
        start = now()
        for _ in 0..<count { sink &+= encoder.encodeBody(time: hotEvent.time, payload: hotEvent.payload).count }
        let encodeHot = now() - start
        var hotBatch = EventBatchWriter()
        for _ in 0..<1000 { hotBatch.append(prefix: prefix, seq: 1, body: bodies[count / 2]) }
        start = now()
        for _ in 0..<(count / 1000) { sink &+= try decoder.decodeBatch(hotBatch.bytes).count }
        let decodeHot = now() - start
        precondition(sink != 0)

        let bytes = bodies.reduce(0) { $0 + $1.count }
        func ns(_ total: UInt64) -> String { String(Double(total) / Double(count)) }
        print("events=\(count) body-bytes-per-event=\(bytes / count)")
        print("build-ns=\(ns(build)) encode-ns=\(ns(encode)) frame-ns=\(ns(frame)) decode-ns=\(ns(decode))")
        print("encode-same-event-ns=\(ns(encodeHot)) decode-same-batch-ns=\(ns(decodeHot))")
    }

    static func phase(_ name: String, count: Int) throws {
        let event = SampleEvents.benchmarkSessionClose(
            index: 12_345, bootID: BootID(1), seq: 0, time: Timestamp(unixNanos: 1_795_946_400_000_000_000))
        let encoder = EventEncoder()
        let body = encoder.encodeBody(time: event.time, payload: event.payload)
        var sink = 0
        switch name {
        case "encode":
            for _ in 0..<count { sink &+= encoder.encodeBody(time: event.time, payload: event.payload).count }
        case "decode":
            var batch = EventBatchWriter()
            for _ in 0..<100 { batch.append(prefix: [0x09, 1, 0, 0, 0, 0, 0, 0, 0], seq: 1, body: body) }
            let decoder = EventDecoder()
            for _ in 0..<(count / 100) { sink &+= try decoder.decodeBatch(batch.bytes).count }
        case "produce":
            // What a producer does per event: build, encode, publish into the hub.
            var configuration = EventHubConfiguration()
            configuration.replayBytes = 8 << 20
            let hub = EventHub(bootID: BootID(1), node: "n", configuration: configuration)
            let events = EncodedEvents()
            var close = SampleEvents.benchmarkClose(index: 0, time: event.time)
            for index in 0..<count {
                SampleEvents.updateBenchmarkClose(&close, index: UInt64(index), time: event.time)
                encoder.append(time: event.time, close: close, to: events)
                if events.count == 1000 {
                    hub.publish(events)
                    events.removeAll()
                }
            }
            sink = Int(hub.headSeq)
        default:
            print("phases: encode, decode, produce N; make-pcap PATH N; read-decode PATH; config-parse N")
        }
        print("\(name) \(count) events, checksum \(sink)")
    }
}
