import FlowtelCore
@testable import FlowtelDaemon
import FlowtelGRPC
import FlowtelTestSupport
import Testing

@Suite("Replay ring")
struct ReplayRingTests {
    /// The bytes of the record for `seq`: its seq (little endian) and then a byte that depends
    /// on the seq, repeated.
    static func record(_ seq: UInt64, length: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: UInt8(truncatingIfNeeded: seq &* 31), count: length)
        for index in 0..<min(8, length) { bytes[index] = UInt8(truncatingIfNeeded: seq >> (8 * index)) }
        return bytes
    }

    static func append(_ ring: inout ReplayRing, _ seq: UInt64, length: Int, offset: UInt64) {
        let bytes = record(seq, length: length)
        ring.append(seq: seq, length: length, kind: .sessionClose, offset: offset) { at in
            bytes.withUnsafeBytes { at.copyMemory(from: $0.baseAddress!, byteCount: length) }
        }
    }

    @Test("records survive appends and evictions across chunks, and spans concatenate them in order")
    func recordsAndSpans() {
        var ring = ReplayRing()
        var generator = SystemRandomNumberGenerator()
        var lengths: [UInt64: Int] = [:]
        var first: UInt64 = 1
        var next: UInt64 = 1
        var offset: UInt64 = 0
        // Mostly event-sized records, some larger than a chunk; a byte bound of 6 MiB evicts.
        var mismatches = 0
        for _ in 0..<20_000 {
            let length = Int.random(in: 0..<1000, using: &generator) == 0
                ? Int.random(in: ReplayRing.chunkBytes..<(ReplayRing.chunkBytes + 4096), using: &generator)
                : Int.random(in: 40..<600, using: &generator)
            Self.append(&ring, next, length: length, offset: offset)
            lengths[next] = length
            offset += UInt64(RingSlot.cost(recordBytes: length))
            next += 1
            while ring.bytes > 6 << 20, ring.count > 1 {
                ring.removeFirst()
                lengths[first] = nil
                first += 1
            }
            if ring.firstSeq != first || ring.count != Int(next - first) { mismatches += 1 }
        }
        #expect(mismatches == 0)
        #expect(first > 1000, "the byte bound evicted")
        // Every retained record reads back; spans over random ranges equal the concatenation.
        for seq in first..<next where Array(ring.record(ring.slot(seq)!)) != Self.record(seq, length: lengths[seq]!) {
            mismatches += 1
        }
        #expect(mismatches == 0)
        #expect(ring.slot(first - 1) == nil)
        #expect(ring.slot(next) == nil)
        for _ in 0..<50 {
            let a = UInt64.random(in: first..<next, using: &generator)
            let b = UInt64.random(in: a..<min(next, a + 300), using: &generator)
            var joined: [UInt8] = []
            var events = 0
            ring.forEachSpan(a, b) { span, count in
                joined += span
                events += count
            }
            #expect(events == Int(b - a + 1))
            #expect(joined == (a...b).flatMap { Self.record($0, length: lengths[$0]!) })
        }
        // Memory stays near the bound: evicted chunks are freed or kept as (at most two) spares.
        #expect(ring.reservedBytes <= (6 << 20) + 4 * ReplayRing.chunkBytes + 2 * (ReplayRing.chunkBytes + 4096))
    }

    @Test("emptying the ring keeps one chunk and starts over at its beginning")
    func emptying() {
        var ring = ReplayRing()
        for seq in UInt64(1)...3000 { Self.append(&ring, seq, length: 1500, offset: 0) }
        #expect(ring.reservedBytes >= 3 * ReplayRing.chunkBytes)
        while ring.count > 0 { ring.removeFirst() }
        #expect(ring.firstSeq == nil)
        #expect(ring.bytes == 0)
        #expect(ring.reservedBytes <= 3 * ReplayRing.chunkBytes)
        Self.append(&ring, 3001, length: 100, offset: 0)
        #expect(ring.firstSeq == 3001)
        #expect(Array(ring.record(ring.slot(3001)!)) == Self.record(3001, length: 100))
    }

    @Test("the hub sends each event as its framed record: boot id, node, seq and body")
    func hubRecordsDecode() throws {
        let hub = EventHub(bootID: BootID(0x1234), node: "srx-a")
        let encoder = EventEncoder()
        let events = EncodedEvents()
        let time = Timestamp(unixNanos: 1_795_946_400_000_000_000)
        for index in 0..<3 {
            encoder.append(time: time, close: SampleEvents.benchmarkClose(index: UInt64(index), time: time), to: events)
        }
        let alarm = try #require(SampleEvents.all().first { $0.payload.kind == .alarm }).payload
        encoder.append(time: time, payload: alarm, to: events)
        #expect(hub.publish(events) == 4)
        var request = SubscriptionRequest()
        request.start = .fromOldest
        let subscription = hub.subscribe(request, peer: "test")
        defer { subscription.close() }
        var batch = EventBatchWriter()
        _ = hub.read(
            subscription.id, maxEvents: 10, latencyNanos: 0, deadline: 0, into: &batch, encoder: encoder)
        let decoded = try EventDecoder().decodeBatch(batch.bytes)
        #expect(decoded.map(\.seq) == [1, 2, 3, 4])
        #expect(decoded.allSatisfy { $0.bootID == BootID(0x1234) && $0.node == "srx-a" && $0.time == time })
        #expect(decoded[1].payload == .sessionClose(SampleEvents.benchmarkClose(index: 1, time: time)))
        #expect(decoded[3].payload == alarm)
    }

    @Test("the test publisher's rewritten event equals the event built from scratch")
    func benchmarkTemplate() {
        let time = Timestamp(unixNanos: 1_795_946_400_000_000_000)
        var close = SampleEvents.benchmarkClose(index: 0, time: time)
        for index: UInt64 in [1, 7, 299, 300, 65_536, 1 << 33] {
            SampleEvents.updateBenchmarkClose(&close, index: index, time: time)
            #expect(close == SampleEvents.benchmarkClose(index: index, time: time))
        }
    }
}
