import FlowtelCore
@testable import FlowtelGRPC
import FlowtelTestSupport
import Testing

/// A protobuf writer for hand-made messages: fields out of order, unknown fields, bytes that are
/// not UTF-8, none of which the encoder produces.
private struct Wire {
    var bytes: [UInt8] = []

    mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    mutating func uint(_ field: Int, _ value: UInt64) {
        varint(UInt64(field << 3))
        varint(value)
    }

    mutating func fixed64(_ field: Int, _ value: UInt64) {
        varint(UInt64(field << 3 | 1))
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func bytes(_ field: Int, _ value: [UInt8]) {
        varint(UInt64(field << 3 | 2))
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func string(_ field: Int, _ value: String) { bytes(field, Array(value.utf8)) }

    mutating func message(_ field: Int, _ value: Wire) { bytes(field, value.bytes) }
}

/// A batch of one event per session-close body, with the sample envelope.
private func batch(closes: [Wire]) -> [UInt8] {
    var batch = Wire()
    for (index, close) in closes.enumerated() {
        var event = Wire()
        event.fixed64(1, 7)
        event.uint(2, UInt64(index + 1))
        event.fixed64(3, 1_795_946_400_000_000_000)
        event.string(4, "srx-lab-1")
        event.message(11, close)
        batch.message(1, event)
    }
    return batch.bytes
}

/// The address of a string's UTF-8 storage: equal for two values sharing one allocation.
private func storage(_ string: String) -> UInt? {
    var string = string
    return string.withUTF8 { $0.baseAddress.map { UInt(bitPattern: $0) } }
}

@Suite("EventDecoder fast path and its string cache")
struct DecoderFastPathTests {
    private func lookUp(
        _ cache: DecodeStringCache, _ bytes: [UInt8], _ slot: DecodeStringSlot = .policyName
    ) -> String {
        bytes.withUnsafeBytes { cache.string($0, slot: slot) }
    }

    @Test("equal bytes give back the cached string, sharing its storage")
    func equalBytesReuse() {
        let cache = DecodeStringCache()
        defer { cache.deallocate() }
        let long = Array("trust-to-untrust-allow-web-(global)".utf8)
        let first = lookUp(cache, long)
        let second = lookUp(cache, long)
        #expect(first == "trust-to-untrust-allow-web-(global)" && second == first)
        #expect(storage(first) != nil && storage(first) == storage(second))
        // A fresh decoding of the same bytes is another allocation: the match above is the cache.
        #expect(storage(String(decoding: long, as: UTF8.self)) != storage(first))
        #expect(lookUp(cache, Array("trust".utf8), .sourceZoneName) == "trust")
        #expect(lookUp(cache, Array("trust".utf8), .sourceZoneName) == "trust")
    }

    @Test("bytes differing in any one position never hit another string's entry")
    func differentBytesSameLength() {
        let cache = DecodeStringCache()
        defer { cache.deallocate() }
        for length in 1...(DecodeStringCache.maxLength + 3) {
            let base = (0..<length).map { UInt8(ascii: "a") + UInt8($0 % 26) }
            for position in 0..<length {
                var changed = base
                changed[position] = UInt8(ascii: "0") + UInt8(position % 10)
                for bytes in [base, changed, base, changed] {
                    #expect(lookUp(cache, bytes) == String(decoding: bytes, as: UTF8.self), "length \(length)")
                }
            }
        }
    }

    @Test("invalid UTF-8 is repaired exactly as String(decoding:as:), on a miss and on a hit")
    func invalidUTF8() {
        let cache = DecodeStringCache()
        defer { cache.deallocate() }
        let samples: [[UInt8]] = [
            [0xFF], [0x61, 0xFF, 0x62], [0xC3], [0xE2, 0x82], [0xC0, 0xAF], [0xED, 0xA0, 0x80],
            [0xF4, 0x90, 0x80, 0x80], Array("zone-".utf8) + [0xC3, 0x28] + Array("-untrust-long".utf8),
            [UInt8](repeating: 0x80, count: 40), [0xEF, 0xBF, 0xBD], Array("zone-ü".utf8),
        ]
        for _ in 0..<2 {
            for bytes in samples {
                let expected = String(decoding: bytes, as: UTF8.self)
                let value = lookUp(cache, bytes)
                #expect(value == expected && Array(value.utf8) == Array(expected.utf8), "\(bytes)")
            }
        }
    }

    @Test("strings longer than a small string, longer than the cache keeps, and empty ones")
    func lengths() {
        let cache = DecodeStringCache()
        defer { cache.deallocate() }
        let texts = [
            "", "a", "ge-0/0/1.0", String(repeating: "x", count: 15), String(repeating: "y", count: 16),
            String(repeating: "名", count: 21), String(repeating: "z", count: DecodeStringCache.maxLength),
            String(repeating: "w", count: DecodeStringCache.maxLength + 1), String(repeating: "v", count: 1000),
        ]
        for _ in 0..<3 {
            for text in texts {
                #expect(lookUp(cache, Array(text.utf8)) == text)
            }
        }
        #expect(cache.string(UnsafeRawBufferPointer(start: nil, count: 0), slot: .node) == "")
    }

    @Test("events alternating their names decode as the encoder wrote them and as protobuf-c does")
    func alternatingValues() throws {
        let zones = ["trust", "untrust", "dmz-servers-with-a-long-name", ""]
        let interfaces = ["ge-0/0/1.0", "ge-0/0/0.0", "ge-0/0/10.0", "reth0.100"]
        let policies = ["allow-web", "allow-dns", String(repeating: "p", count: 90), "zone-ü-policy"]
        let encoder = EventEncoder()
        var events: [Event] = []
        var writer = EventBatchWriter()
        for index in 0..<64 {
            var event = SampleEvents.benchmarkSessionClose(
                index: UInt64(index), bootID: BootID(1), seq: UInt64(index + 1), time: Timestamp(unixNanos: 99))
            guard case .sessionClose(var close) = event.payload else { continue }
            close.session.sourceZoneName = zones[index % zones.count]
            close.session.destinationZoneName = zones[(index / 2) % zones.count]
            close.session.packetIncomingInterface = interfaces[index % interfaces.count]
            close.session.egressInterface = interfaces[(index + 1) % interfaces.count]
            close.session.policyName = policies[(index / 3) % policies.count]
            if index % 5 == 0 { close.hostname = "host-\(index % 2).example.com" }
            event.payload = .sessionClose(close)
            events.append(event)
            writer.append(encodedEvent: encoder.encode(event))
        }
        let decoder = EventDecoder()
        for _ in 0..<3 {
            let fast = try decoder.decodeBatch(writer.bytes)
            let reference = try writer.bytes.withUnsafeBytes { try decoder.decodeBatchWithProtobufC($0) }
            #expect(fast == events)
            #expect(fast == reference)
        }
    }

    @Test("fields out of order, extensions first and unknown fields decode as protobuf-c does")
    func outOfOrderFields() throws {
        var info = Wire()
        info.string(22, "lab\\user01")  // username, an extension, before every core field
        info.uint(21, 77)
        info.bytes(1, [10, 1, 2, 3])
        info.uint(44, 5)  // unknown
        info.string(19, "trust")
        info.uint(2, 40_000)
        info.string(26, "HTTPS")
        info.bytes(3, [198, 51, 100, 7])
        info.string(19, "untrust")  // repeated: the last one wins
        info.uint(31, UInt64(bitPattern: -2))
        info.string(24, "ge-0/0/1.0")
        var close = Wire()
        close.uint(2, 1)
        close.string(15, "www.example.com")  // hostname, an extension, before the session
        close.message(1, info)
        close.uint(3, 12)
        close.bytes(99, [1, 2, 3])  // unknown
        var plain = Wire()
        plain.message(1, Wire())
        plain.uint(3, 5)
        var emptyExtensions = Wire()
        var emptyInfo = Wire()
        emptyInfo.string(22, "")
        emptyInfo.uint(31, 0)
        emptyExtensions.message(1, emptyInfo)
        emptyExtensions.string(15, "")

        let bytes = batch(closes: [close, plain, emptyExtensions])
        let decoder = EventDecoder()
        let fast = try decoder.decodeBatch(bytes)
        let reference = try bytes.withUnsafeBytes { try decoder.decodeBatchWithProtobufC($0) }
        #expect(fast == reference)
        #expect(fast.count == 3)
        guard case .sessionClose(let first) = fast[0].payload, case .sessionClose(let last) = fast[2].payload else {
            Issue.record("not session closes")
            return
        }
        #expect(first.session.username == "lab\\user01" && first.session.application == "HTTPS")
        #expect(first.session.sourceZoneName == "untrust" && first.session.applicationRisk == -2)
        #expect(first.hostname == "www.example.com" && first.packetsFromClient == 12)
        #expect(!last.hasExtensions && !last.session.hasExtensions)
    }

    @Test("string fields that are not UTF-8 decode as String(decoding:as:) does")
    func invalidUTF8Fields() throws {
        let invalid: [[UInt8]] = [[0xFF, 0x74], Array("policy-".utf8) + [0xE2, 0x82] + Array("-long-enough".utf8)]
        var closes: [Wire] = []
        for index in 0..<6 {
            var info = Wire()
            info.bytes(17, invalid[index % 2])
            var close = Wire()
            close.message(1, info)
            closes.append(close)
        }
        let events = try EventDecoder().decodeBatch(batch(closes: closes))
        #expect(events.count == 6)
        for (index, event) in events.enumerated() {
            guard case .sessionClose(let close) = event.payload else {
                Issue.record("not a session close")
                continue
            }
            #expect(close.session.policyName == String(decoding: invalid[index % 2], as: UTF8.self))
        }
    }

    @Test("every truncation of a batch of session events throws or yields a prefix")
    func truncations() throws {
        let encoder = EventEncoder()
        var writer = EventBatchWriter()
        for event in SampleEvents.all().prefix(3) { writer.append(encodedEvent: encoder.encode(event)) }
        writer.append(encodedEvent: encoder.encode(SampleEvents.benchmarkSessionClose(
            index: 3, bootID: BootID(1), seq: 4, time: Timestamp(unixNanos: 5))))
        let decoder = EventDecoder()
        let whole = try decoder.decodeBatch(writer.bytes)
        for length in 0..<writer.bytes.count {
            if let events = try? decoder.decodeBatch(Array(writer.bytes[0..<length])) {
                #expect(events.count <= whole.count && events == Array(whole.prefix(events.count)))
            }
        }
    }

    @Test("randomly corrupted batches of session events throw or decode, never crash")
    func corruptions() {
        let encoder = EventEncoder()
        var writer = EventBatchWriter()
        for event in SampleEvents.all().prefix(3) { writer.append(encodedEvent: encoder.encode(event)) }
        let decoder = EventDecoder()
        var random = SplitMix64(seed: 0x5EED)
        for _ in 0..<3000 {
            var bytes = writer.bytes
            for _ in 0..<(1 + random.next() % 4) {
                let index = Int(random.next() % UInt64(bytes.count))
                bytes[index] = UInt8(truncatingIfNeeded: random.next())
            }
            _ = try? decoder.decodeBatch(bytes)
        }
    }
}

