import FlowtelCore
import FlowtelGRPC
import FlowtelSubscriber
import FlowtelTestSupport
import Testing

/// `--format proto` records copied from the wire: a session event's copied record is byte for
/// byte the record rendered from its decoded form, and every other event is left to the decoder.
@Suite("Proto records copied from the wire")
struct ProtoPassThroughTests {
    /// `events` framed as the event bus frames them: envelope prefix, seq, body.
    static func busBatch(_ events: [Event]) -> [UInt8] {
        let encoder = EventEncoder()
        var writer = EventBatchWriter()
        for event in events {
            let prefix = EventBatchWriter.envelopePrefix(bootID: event.bootID.rawValue, node: event.node)
            writer.append(prefix: prefix, seq: event.seq, body: encoder.encodeBody(time: event.time, payload: event.payload))
        }
        return writer.bytes
    }

    static func isSession(_ event: Event) -> Bool {
        switch event.payload {
        case .sessionCreate, .sessionClose, .sessionDeny: true
        default: false
        }
    }

    /// Every sample, plus session events with a seq of 0, an empty node and a zero time (the
    /// fields the encoder omits), and peer-only fields (extensions).
    static func samples() -> [Event] {
        var events = SampleEvents.all()
        var close = SampleEvents.benchmarkSessionClose(
            index: 7, bootID: SampleEvents.bootID, seq: 0, time: Timestamp(unixNanos: 0))
        events.append(close)
        close.node = ""
        close.seq = 300
        events.append(close)
        var peer = SampleEvents.sessionClose(id: 9)
        peer.extensions.hostname = "www.example.com"
        peer.session.extensions.username = "alice"
        events.append(Event(bootID: BootID(7), seq: 1 << 40, time: SampleEvents.baseTime, node: "n", payload: .sessionClose(peer)))
        return events
    }

    @Test("a session event's copied record equals the proto record rendered from the decoded event")
    func copiedEqualsRendered() throws {
        let events = Self.samples()
        let batch = Self.busBatch(events)
        let renderer = try #require(RecordRenderer(format: "proto", model: 129, control: true, gapsAsRecords: true))
        let decoder = EventDecoder()
        let decodedBatch = try decoder.decodeBatch(batch)
        #expect(decodedBatch == events)
        var copied = 0
        try batch.withUnsafeBytes { raw in
            var reader = EventBatchReader(raw)
            var index = 0
            while let wire = try reader.next() {
                let event = events[index]
                // The entry decodes as a batch of the one event.
                #expect(try decoder.decodeBatch(wire.entry) == [event])
                #expect(wire.isFlowtelSession == Self.isSession(event), "event \(index)")
                if wire.isFlowtelSession {
                    #expect(wire.bootID == event.bootID && wire.seq == event.seq && wire.time == event.time)
                    var rendered: [UInt8] = [0xAA]
                    #expect(renderer.append(event, to: &rendered))
                    var record: [UInt8] = [0xAA]
                    ProtoPassThrough.append(wire, to: &record)
                    #expect(record == rendered, "event \(index)")
                    copied += 1
                }
                index += 1
            }
            #expect(index == events.count)
        }
        #expect(copied == events.filter(Self.isSession).count && copied >= 5)
    }

    @Test("a session event in another field order (protobuf-c's) is left to the decoder")
    func otherLayoutIsDecoded() throws {
        let event = SampleEvents.all().first(where: Self.isSession)!
        var writer = EventBatchWriter()
        writer.append(encodedEvent: EventEncoder().encode(event))  // boot_id, seq, time, node, payload
        try writer.bytes.withUnsafeBytes { raw in
            var reader = EventBatchReader(raw)
            let wire = try #require(try reader.next())
            #expect(!wire.isFlowtelSession)
            #expect(try EventDecoder().decodeBatch(wire.entry) == [event])
            #expect(try reader.next() == nil)
        }
    }

    @Test("a truncated batch throws instead of reading past its end")
    func truncated() throws {
        let batch = Self.busBatch([SampleEvents.all().first(where: Self.isSession)!])
        let cut = Array(batch.dropLast(3))
        #expect(throws: DecodeError.self) {
            try cut.withUnsafeBytes { raw in
                var reader = EventBatchReader(raw)
                while try reader.next() != nil {}
            }
        }
    }
}
