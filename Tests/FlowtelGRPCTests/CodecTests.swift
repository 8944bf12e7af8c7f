import FlowtelCore
import FlowtelGRPC
import FlowtelTestSupport
import Testing

@Suite("Event codec (protobuf-c)")
struct CodecTests {
    @Test("every sample payload survives encode and decode unchanged")
    func roundTrip() throws {
        let encoder = EventEncoder()
        for event in SampleEvents.all() {
            let decoded = try EventDecoder().decodeEvent(encoder.encode(event))
            #expect(decoded == event, "payload \(event.payload.name)")
        }
    }

    @Test("the Swift session writer emits exactly protobuf-c's bytes")
    func sessionWriterMatchesProtobufC() {
        let encoder = EventEncoder()
        var events = SampleEvents.all()
        for index in 0..<50 {
            events.append(SampleEvents.benchmarkSessionClose(
                index: UInt64(index * 7919), bootID: BootID(1), seq: 0, time: Timestamp(unixNanos: UInt64(index))))
        }
        var minimal = SessionClose()
        minimal.session.sourceAddress = IPAddress("::")!
        events.append(Event(bootID: BootID(1), seq: 0, time: Timestamp(unixNanos: 0), node: "", payload: .sessionClose(minimal)))
        var negativeRisk = SampleEvents.sessionDeny()
        negativeRisk.applicationRisk = -1
        events.append(Event(bootID: BootID(1), seq: 0, time: Timestamp(unixNanos: 9), node: "", payload: .sessionDeny(negativeRisk)))
        for event in events {
            #expect(
                encoder.encodeBody(time: event.time, payload: event.payload)
                    == encoder.encodeBodyWithProtobufC(time: event.time, payload: event.payload),
                "payload \(event.payload.name)")
        }
    }

    @Test("a batch of framed bodies decodes to the same events")
    func framedBatch() throws {
        let encoder = EventEncoder()
        let events = SampleEvents.all()
        var batch = EventBatchWriter()
        let prefix = EventBatchWriter.envelopePrefix(bootID: SampleEvents.bootID.rawValue, node: SampleEvents.node)
        for event in events {
            batch.append(prefix: prefix, seq: event.seq, body: encoder.encodeBody(time: event.time, payload: event.payload))
        }
        #expect(batch.count == events.count)
        #expect(try EventDecoder().decodeBatch(batch.bytes) == events)
    }

    @Test("the Swift fast-path decoder agrees with protobuf-c on every sample")
    func fastDecoderMatchesProtobufC() throws {
        let encoder = EventEncoder()
        var events = SampleEvents.all()
        var minimal = SessionClose()
        minimal.session.sourceAddress = IPAddress("::")!
        events.append(Event(bootID: BootID(1), seq: 0, time: Timestamp(unixNanos: 0), node: "", payload: .sessionClose(minimal)))
        events.append(Event(bootID: BootID(1), seq: 9, time: Timestamp(unixNanos: 0), node: "x", payload: .sessionCreate(SessionCreate(session: SessionInfo()))))
        var batch = EventBatchWriter()
        for event in events { batch.append(encodedEvent: encoder.encode(event)) }
        let decoder = EventDecoder()
        let fast = try batch.bytes.withUnsafeBytes { raw in try decoder.decodeBatch(raw) }
        let reference = try batch.bytes.withUnsafeBytes { raw in try decoder.decodeBatchWithProtobufC(raw) }
        #expect(fast == reference)
        #expect(fast == events)
    }

    @Test("truncating a batch anywhere throws or yields a prefix, never crashes")
    func truncations() throws {
        let encoder = EventEncoder()
        var batch = EventBatchWriter()
        for event in SampleEvents.all() { batch.append(encodedEvent: encoder.encode(event)) }
        let decoder = EventDecoder()
        for length in 0..<batch.bytes.count {
            let prefix = Array(batch.bytes[0..<length])
            if let events = try? decoder.decodeBatch(prefix) {
                #expect(events.count <= SampleEvents.all().count)
            }
        }
    }

    @Test("whole encoded events and framed bodies produce equivalent batches")
    func wholeAndFramed() throws {
        let encoder = EventEncoder()
        let event = SampleEvents.all()[1]
        var whole = EventBatchWriter()
        whole.append(encodedEvent: encoder.encode(event))
        #expect(try EventDecoder().decodeBatch(whole.bytes) == [event])
    }

    @Test("stream-control events carry seq 0 on the wire")
    func controlSeqZero() throws {
        let encoder = EventEncoder()
        var batch = EventBatchWriter()
        let heartbeat = Payload.heartbeat(Heartbeat(bootID: BootID(5), headSeq: 9))
        batch.append(
            prefix: EventBatchWriter.envelopePrefix(bootID: 5, node: "n"), seq: 0,
            body: encoder.encodeBody(time: Timestamp(unixNanos: 1), payload: heartbeat))
        let decoded = try EventDecoder().decodeBatch(batch.bytes)
        #expect(decoded.count == 1 && decoded[0].seq == 0 && decoded[0].payload == heartbeat && decoded[0].node == "n")
    }

    @Test("malformed batches throw instead of crashing", arguments: [[0x0A, 0xFF], [0x0A, 0x05, 0x01], [0xFF, 0xFF, 0xFF]] as [[UInt8]])
    func malformed(bytes: [UInt8]) {
        #expect(throws: DecodeError.self) { try EventDecoder().decodeBatch(bytes) }
    }

    @Test("strings and repeated fields larger than an arena chunk encode and decode")
    func largeFields() throws {
        var raised = AlarmRaised()
        raised.alarmID = 3
        raised.description = String(repeating: "x", count: 200_000)
        var snapshot = FpcStateSnapshot()
        snapshot.items = (0..<10_000).map { StateItem(name: "item.\($0)", value: Int64($0)) }
        let encoder = EventEncoder()
        let decoder = EventDecoder()
        for payload in [Payload.alarmRaised(raised), .fpcStateSnapshot(snapshot)] {
            let event = Event(bootID: BootID(1), seq: 1, time: Timestamp(unixNanos: 1), node: "n", payload: payload)
            #expect(try decoder.decodeEvent(encoder.encode(event)) == event)
        }
    }

    @Test("an empty batch decodes to no events")
    func emptyBatch() throws {
        #expect(try EventDecoder().decodeBatch([UInt8]()).isEmpty)
    }
}

@Suite("SubscribeRequest codec")
struct SubscribeRequestCodecTests {
    @Test("a full request round-trips")
    func roundTrip() throws {
        var request = SubscriptionRequest()
        request.start = .resume
        request.resume = ResumePoint(bootID: BootID(42), seq: 1000)
        request.kinds = [.sessionClose, .alarm]
        request.filter.sourcePrefix = "10.0.0.0/8"
        request.filter.destinationPort = 443
        request.filter.protocol = "tcp"
        request.filter.family = "inet"
        request.filter.natOnly = true
        request.maxBatchEvents = 500
        request.maxBatchLatencyMillis = 20
        request.heartbeatIntervalMillis = 1000
        request.slowConsumerPolicy = .disconnect
        request.subscriberName = "siem-1"
        #expect(try SubscribeRequestCodec.decode(SubscribeRequestCodec.encode(request)) == request)
    }

    @Test(
        "bad fields are INVALID_ARGUMENT naming the field",
        arguments: [
            "heartbeat_interval_ms", "max_batch_events", "max_batch_latency_ms", "source_prefix", "protocol", "family",
            "resume.boot_id", "resume.seq",
        ])
    func invalid(field: String) {
        var request = SubscriptionRequest()
        switch field {
        case "heartbeat_interval_ms": request.heartbeatIntervalMillis = 5
        case "max_batch_events": request.maxBatchEvents = 1_000_000
        case "max_batch_latency_ms": request.maxBatchLatencyMillis = 60_000
        case "source_prefix": request.filter.sourcePrefix = "10.0.0.300/8"
        case "protocol": request.filter.protocol = "bogus"
        case "family": request.filter.family = "ipx"
        case "resume.seq": request.resume = ResumePoint(bootID: BootID(1), seq: .max)
        default: request.resume = ResumePoint(bootID: BootID(0), seq: 1)
        }
        do {
            _ = try SubscribeRequestCodec.decode(SubscribeRequestCodec.encode(request))
            Issue.record("accepted a bad \(field)")
        } catch {
            #expect(error.code == .invalidArgument)
            #expect(error.message.contains(field))
        }
    }

    @Test("garbage is INVALID_ARGUMENT")
    func garbage() {
        #expect(throws: RPCError.self) { try SubscribeRequestCodec.decode([0x08, 0xFF]) }
    }
}
