import FlowtelCore
import FlowtelSubscriber
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Every renderer's output, byte for byte, for the events of ``RendererGoldenEvents``.
///
/// `Tests/Fixtures/renderer-golden.txt` was written by the `String`-based renderers that the
/// byte writers replaced, before they were replaced: these tests prove the rewrite prints
/// exactly what they printed. It holds, per event, a `# event N: name` line and one
/// `format line` per format (``RendererGoldenEvents/escaped(_:)`` spelling).
@Suite("Renderer output pinned to the golden file")
struct RendererEquivalenceTests {
    static let golden: [String] = {
        // Tests/FlowtelDaemonTests/RendererEquivalenceTests.swift → Tests/Fixtures.
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(2)
        let path = parts.joined(separator: "/") + "/Fixtures/renderer-golden.txt"
        guard let file = fopen(path, "r") else { return [] }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count == 0 { break }
            bytes += chunk[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").filter { !$0.hasPrefix("# ") }.map(String.init)
    }()

    /// The golden lines of one event.
    static func expected(_ index: Int) -> ArraySlice<String> { golden.dropFirst(index * 4).prefix(4) }

    @Test("the golden file covers every event")
    func coverage() {
        #expect(Self.golden.count == RendererGoldenEvents.all().count * 4)
    }

    @Test("render(_:) prints what the String renderers printed", arguments: RendererGoldenEvents.all().indices)
    func rendered(index: Int) {
        let event = RendererGoldenEvents.all()[index]
        let lines = RendererGoldenEvents.goldenLines([
            ("json", JSONRenderer().render(event)),
            ("sd-syslog", SyslogRenderer().render(event)),
            ("syslog", PlainSyslogRenderer().render(event)),
            ("text", TextRenderer().render(event)),
        ])
        #expect(lines == Array(Self.expected(index)), "event \(index): \(event.payload.name)")
    }

    @Test("render(_:into:) appends the same bytes after what the buffer holds")
    func appended() {
        let prefix = Array("previous line\n".utf8)
        for (index, event) in RendererGoldenEvents.all().enumerated() {
            var json = prefix
            JSONRenderer().render(event, into: &json)
            var sd = prefix
            let sdWritten = SyslogRenderer().render(event, into: &sd)
            var plain = prefix
            let plainWritten = PlainSyslogRenderer().render(event, into: &plain)
            var text = prefix
            TextRenderer().render(event, into: &text)
            #expect(sdWritten == (sd != prefix) && plainWritten == (plain != prefix))
            let lines = RendererGoldenEvents.goldenLines([
                ("json", Array(json.dropFirst(prefix.count))),
                ("sd-syslog", sdWritten ? Array(sd.dropFirst(prefix.count)) : nil),
                ("syslog", plainWritten ? Array(plain.dropFirst(prefix.count)) : nil),
                ("text", Array(text.dropFirst(prefix.count))),
            ])
            #expect(json.starts(with: prefix) && sd.starts(with: prefix) && plain.starts(with: prefix) && text.starts(with: prefix))
            #expect(lines == Array(Self.expected(index)), "event \(index): \(event.payload.name)")
        }
    }
}
