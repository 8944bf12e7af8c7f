import FlowtelCore
import FlowtelGRPC
import FlowtelSubscriber
import FlowtelTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The stored outputs' writer threads and the records rendered straight into their buffers:
/// submitted commits become durable in order, a failed write keeps the checkpoint where the
/// synced data ends, proto records decode to the events, and an existing database upgrades.
@Suite("Output writer threads, in-place records and the v3 schema", .serialized)
struct OutputWriterTests {
    static let boot = BootID(0x0123_4567_89ab_cdef)

    static func line(_ seq: Int) -> [UInt8] {
        Array("record \(seq) ".utf8) + Array(repeating: UInt8(ascii: "x"), count: 100)
    }

    @Test("submitted commits become durable in order; completions report the last ticket and commit() waits for all")
    func submitAndComplete() throws {
        let directory = try FileOutputHarness.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/flows.txt"
        var configuration = FileOutputConfiguration(path: path)
        configuration.rotateBytes = 16 << 10
        configuration.rotateCount = 1000
        let output = try FileOutput(configuration: configuration, start: .oldest)
        var tickets: [UInt64] = []
        for seq in 1...2000 {
            try output.append(Self.line(seq), through: .after(ResumePoint(bootID: Self.boot, seq: UInt64(seq))))
            if seq % 50 == 0, let ticket = try output.submit() { tickets.append(ticket) }
        }
        // Rotations take tickets of their own: increasing, not contiguous.
        #expect(tickets == tickets.sorted() && Set(tickets).count == tickets.count)
        try output.commit()
        var completed: [UInt64] = []
        for completion in try output.completions() { completed.append(completion.ticket) }
        #expect(completed == completed.sorted())
        #expect((completed.last ?? 0) >= tickets.last ?? 1)
        #expect(FileOutputHarness.checkpointSeq(path) == 2000)
        // Every record once, in order, across the rotated files; none over the size.
        var text = ""
        for file in FileOutputHarness.chain(path) {
            text += try String(contentsOfFile: file, encoding: .utf8)
            let size = try FileManager.default.attributesOfItem(atPath: file)[.size] as! Int
            #expect(size <= 16 << 10)
        }
        #expect(text == (1...2000).map { String(decoding: Self.line($0), as: UTF8.self) + "\n" }.joined())
    }

    @Test(
        "a write failure on the writer thread keeps the checkpoint at the synced data: after reopening, nothing is lost or duplicated",
        .enabled(if: getuid() == 0, "mounting a tmpfs needs root"))
    func writeFailureKeepsCheckpoint() throws {
        try FullDiskTests.withSmallDisk { directory in
            let path = directory + "/flows.txt"
            var configuration = FileOutputConfiguration(path: path)
            configuration.rotateBytes = 64 << 20
            let total = 20_000  // about 2.2 MB: more than the 1 MiB disk holds
            var failure: OutputError? = nil
            do {
                let output = try FileOutput(configuration: configuration, start: .oldest)
                do throws(OutputError) {
                    for seq in 1...total {
                        try output.append(Self.line(seq), through: .after(ResumePoint(bootID: Self.boot, seq: UInt64(seq))))
                        if seq % 100 == 0 { try output.submit() }
                    }
                    try output.commit()
                } catch {
                    failure = error
                }
                // The failure is final: later calls report it again.
                #expect(throws: OutputError.self) { try output.commit() }
            }
            #expect(failure?.errno == ENOSPC, "\(String(describing: failure))")
            let covered = Int(FileOutputHarness.checkpointSeq(path))
            #expect(covered > 0 && covered < total)

            try FullDiskTests.grow(directory)
            let reopened = try FileOutput(configuration: configuration)
            #expect(reopened.start == .after(ResumePoint(bootID: Self.boot, seq: UInt64(covered))))
            for seq in (covered + 1)...total {
                try reopened.append(Self.line(seq), through: .after(ResumePoint(bootID: Self.boot, seq: UInt64(seq))))
            }
            try reopened.commit()
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text == (1...total).map { String(decoding: Self.line($0), as: UTF8.self) + "\n" }.joined())
        }
    }

    @Test(
        "a SQLite write failure on the writer thread rolls back: the checkpoint covers exactly the stored rows",
        .enabled(if: getuid() == 0, "mounting a tmpfs needs root"))
    func sqliteFailureKeepsCheckpoint() throws {
        try FullDiskTests.withSmallDisk { directory in
            let path = directory + "/events.db"
            let boot = BootID(0xABCD)
            var failure: OutputError? = nil
            do {
                let output = try SQLiteOutput(path: path, target: "t", start: .oldest)
                do throws(OutputError) {
                    for seq in UInt64(1)...20_000 {
                        output.append(SQLiteOutputTests.close(boot: boot, seq: seq), through: .after(ResumePoint(bootID: boot, seq: seq)))
                        if seq % 500 == 0 { try output.submit() }
                    }
                    try output.commit()
                } catch {
                    failure = error
                }
            }
            #expect(failure?.message.contains("the disk is full") ?? false, "\(String(describing: failure))")
            try FullDiskTests.grow(directory)
            let reopened = try SQLiteOutput(path: path, target: "t")
            let stored = try SQLiteOutputTests.readAll(path).map(\.seq)
            #expect(stored == Array(1...UInt64(stored.count)))
            if stored.isEmpty {
                #expect(reopened.start == .oldest)
            } else {
                #expect(reopened.start == .after(ResumePoint(bootID: boot, seq: UInt64(stored.count))))
            }
        }
    }

    @Test("proto records are length-delimited Events that decode to the events", arguments: [false, true])
    func protoRecords(control: Bool) throws {
        let renderer = try #require(RecordRenderer(format: "proto", model: 129, control: control, gapsAsRecords: true))
        #expect(!renderer.newlines)
        let events = SampleEvents.all()
        var buffer: [UInt8] = []
        var expected: [Event] = []
        for event in events where renderer.append(event, to: &buffer) { expected.append(event) }
        #expect(expected == events.filter { !$0.payload.isStreamControl || control || Self.isGap($0) })
        let decoder = EventDecoder()
        var decoded: [Event] = []
        var offset = 0
        while offset < buffer.count {
            var length = 0
            var shift = 0
            while true {
                let byte = buffer[offset]
                offset += 1
                length |= Int(byte & 0x7F) << shift
                shift += 7
                if byte < 0x80 { break }
            }
            decoded.append(try decoder.decodeEvent(Array(buffer[offset..<(offset + length)])))
            offset += length
        }
        #expect(decoded == expected)
    }

    static func isGap(_ event: Event) -> Bool {
        if case .gap = event.payload { return true }
        return false
    }

    @Test("text records rendered into the buffer are the renderers' lines with a newline", arguments: ["json", "text", "sd-syslog", "syslog"])
    func textRecords(format: String) throws {
        let renderer = try #require(RecordRenderer(format: format, model: 129, control: false, gapsAsRecords: true))
        #expect(renderer.newlines)
        for event in SampleEvents.all() {
            var buffer: [UInt8] = Array("previous\n".utf8)
            let appended = renderer.append(event, to: &buffer)
            let line: [UInt8]? =
                switch format {
                case "json": event.payload.isStreamControl && !Self.isGap(event) ? nil : JSONRenderer().render(event)
                case "text": event.payload.isStreamControl && !Self.isGap(event) ? nil : TextRenderer().render(event)
                case "sd-syslog": Self.isGap(event) ? TextRenderer().render(event) : SyslogRenderer(model: 129).render(event)
                default: Self.isGap(event) ? TextRenderer().render(event) : PlainSyslogRenderer().render(event)
                }
            #expect(appended == (line != nil))
            #expect(buffer == Array("previous\n".utf8) + (line.map { $0 + [0x0A] } ?? []), "\(event.payload.name)")
        }
    }

    @Test("the session tables are indexed on time, addresses, policy and zones; reopening keeps rows and checkpoint")
    func sessionIndexes() throws {
        let directory = try SQLiteOutputTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/events.db"
        let boot = BootID(7)
        do {
            let output = try SQLiteOutput(path: path, target: "t", start: .oldest)
            for seq in UInt64(1)...10 {
                output.append(SQLiteOutputTests.close(boot: boot, seq: seq), through: .after(ResumePoint(bootID: boot, seq: seq)))
            }
            try output.commit()
        }
        let reopened = try SQLiteOutput(path: path, target: "t")
        #expect(reopened.start == .after(ResumePoint(bootID: boot, seq: 10)))
        for table in ["session_create", "session_close", "session_deny"] {
            let indexes = try SubscribeSQLiteOutputTests.python(
                path,
                "print(*[r[0] for r in c.execute(\"SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = '\(table)' "
                    + "AND name NOT LIKE 'sqlite_%' ORDER BY name\")], sep=',')")
            #expect(
                indexes == "\(table)_destination_address,\(table)_policy_name,\(table)_source_address,"
                    + "\(table)_source_zone_name_destination_zone_name,\(table)_time")
        }
        #expect(try SQLiteOutputTests.readAll(path).map(\.seq) == Array(1...10))
    }
}
