import FlowtelCore
@testable import FlowtelGRPC
import Testing

@Suite("ByteSink short copies")
struct ByteSinkTests {
    @Test("copy moves exactly count bytes for every length and alignment, and nothing beyond")
    func copyLengths() {
        let source = (0..<96).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        for length in 0...48 {
            for shift in 0..<8 {
                var target = [UInt8](repeating: 0xEE, count: 80)
                source.withUnsafeBytes { from in
                    target.withUnsafeMutableBytes { to in
                        ByteSink.copy(from.baseAddress! + shift, to: to.baseAddress! + 3, count: length)
                    }
                }
                #expect(Array(target[3..<(3 + length)]) == Array(source[shift..<(shift + length)]), "length \(length)")
                #expect(target[0..<3].allSatisfy { $0 == 0xEE } && target[(3 + length)...].allSatisfy { $0 == 0xEE })
            }
        }
    }

    @Test("appendString writes tag, length and the UTF-8 of small, large and non-ASCII strings")
    func strings() {
        var texts = (0...40).map { String(repeating: "a", count: $0) }
        texts += ["ge-0/0/1.0", "trust-to-untrust/snat-all", "zone-ü", "名前", "x🙂y", String(repeating: "é", count: 9)]
        for text in texts {
            var sink = ByteSink(capacity: 4)
            defer { sink.deallocate() }
            sink.appendString(6, text)
            let utf8 = Array(text.utf8)
            let expected = utf8.isEmpty ? [] : [0x32] + varint(UInt64(utf8.count)) + utf8
            #expect(Array(sink.bytes) == expected, "\(text)")
        }
    }

    @Test("varintLength agrees with the bytes a varint takes")
    func varintLengths() {
        var values: [UInt64] = [0, 1, 127, 128, 16_383, 16_384, .max, .max >> 1]
        for shift in 0..<64 { values += [1 << UInt64(shift), (1 << UInt64(shift)) - 1] }
        for value in values { #expect(ByteSink.varintLength(value) == varint(value).count, "\(value)") }
    }

    private func varint(_ value: UInt64) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.appendVarint(value)
        return bytes
    }
}
