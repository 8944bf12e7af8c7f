import Foundation
import FlowtelCore
import FlowtelSubscriber
import Testing

/// The file output's pieces without a daemon: checkpoint text, recovery, resume positions,
/// backoff.
@Suite("File output, checkpoint, stream position and backoff")
struct FileOutputTests {
    static let boot = BootID(0x0123_4567_89ab_cdef)

    @Test("a checkpoint's text round-trips and starts with a --resume argument")
    func checkpointText() {
        let checkpoint = OutputCheckpoint(start: .after(ResumePoint(bootID: Self.boot, seq: 42)), bytes: 1234)
        #expect(checkpoint.text == "0123456789abcdef:42\nbytes=1234\n")
        #expect(OutputCheckpoint(text: checkpoint.text) == checkpoint)
        #expect(OutputCheckpoint(text: "oldest\nbytes=0\n") == OutputCheckpoint(start: .oldest, bytes: 0))
        #expect(OutputCheckpoint(text: "garbage") == nil)
    }

    @Test("reopening cuts what was written after the checkpoint and resumes after it")
    func recoveryCutsTail() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("out-\(UUID().uuidString)").path
        let point = ResumePoint(bootID: Self.boot, seq: 1)
        do {
            let output = try FileOutput(configuration: FileOutputConfiguration(path: path), start: .oldest)
            try output.append(Array("one".utf8), through: .after(point))
            try output.commit()
        }
        // A crash mid-batch: bytes beyond the checkpoint, the last record torn.
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("two\nthr".utf8))
        try handle.close()
        let reopened = try FileOutput(configuration: FileOutputConfiguration(path: path))
        #expect(reopened.discardedBytes == 7)
        #expect(reopened.start == .after(point))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "one\n")
    }

    @Test("an interrupted rotation (PATH already renamed to PATH.1) continues with an empty PATH")
    func interruptedRotation() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("out-\(UUID().uuidString)").path
        do {
            let output = try FileOutput(configuration: FileOutputConfiguration(path: path), start: .oldest)
            try output.append(Array("one".utf8), through: .after(ResumePoint(bootID: Self.boot, seq: 1)))
            try output.commit()
        }
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        let reopened = try FileOutput(configuration: FileOutputConfiguration(path: path))
        #expect(reopened.discardedBytes == 0)
        #expect(try String(contentsOfFile: path + ".checkpoint", encoding: .utf8) == "0123456789abcdef:1\nbytes=0\n")
    }

    @Test("a second writer of the same file fails with a lock error; the lock goes with its owner")
    func lock() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("out-\(UUID().uuidString)").path
        do {
            let first = try FileOutput(configuration: FileOutputConfiguration(path: path))
            #expect {
                _ = try FileOutput(configuration: FileOutputConfiguration(path: path))
            } throws: { error in
                guard let error = error as? OutputError else { return false }
                return error.code == .locked && error.message.contains("is being written by another subscriber")
            }
            withExtendedLifetime(first) {}
        }
        _ = try FileOutput(configuration: FileOutputConfiguration(path: path))
    }

    @Test("with gzip, rotated files become PATH.N.gz holding exactly the rotated records")
    func gzipRotation() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gz-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/flows.txt"
        var configuration = FileOutputConfiguration(path: path)
        configuration.rotateBytes = 4096
        configuration.rotateCount = 50
        configuration.gzip = true
        let lines = (1...2000).map { "record \($0) " + String(repeating: "x", count: 40) }
        do {
            let output = try FileOutput(configuration: configuration, start: .oldest)
            for (index, line) in lines.enumerated() {
                try output.append(Array(line.utf8), through: .after(ResumePoint(bootID: Self.boot, seq: UInt64(index + 1))))
                if index % 100 == 99 { try output.commit() }
            }
            try output.commit()
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
        #expect(!names.contains { $0.hasSuffix(".tmp") })
        #expect(!names.contains { $0.range(of: #"^flows\.txt\.[0-9]+$"#, options: .regularExpression) != nil })
        let rotated = names.filter { $0.hasSuffix(".gz") }.count
        #expect(rotated > 10 && rotated <= 50)
        var text = ""
        for index in stride(from: rotated, through: 1, by: -1) {
            text += try Self.gunzip("\(path).\(index).gz")
        }
        text += try String(contentsOfFile: path, encoding: .utf8)
        let stored = text.split(separator: "\n").map(String.init)
        #expect(stored == Array(lines.suffix(stored.count)))
        #expect(stored.count > 1500, "the oldest files went past --rotate-count only")
    }

    @Test("with gzip, reopening finishes a compression a crash interrupted")
    func gzipRecovery() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gz-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/flows.txt"
        // PATH.1 never compressed (crash before), PATH.2 compressed but not yet deleted (crash
        // between the rename and the unlink), a partial PATH.3.gz.tmp.
        try "one\n".write(toFile: path + ".1", atomically: true, encoding: .utf8)
        try "two\n".write(toFile: path + ".2", atomically: true, encoding: .utf8)
        try Self.gzipFile(path + ".2")
        try "two\n".write(toFile: path + ".2", atomically: true, encoding: .utf8)
        try "garbage".write(toFile: path + ".3.gz.tmp", atomically: true, encoding: .utf8)
        var configuration = FileOutputConfiguration(path: path)
        configuration.gzip = true
        _ = try FileOutput(configuration: configuration)
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: directory))
        #expect(names.isSuperset(of: ["flows.txt.1.gz", "flows.txt.2.gz"]))
        #expect(names.isDisjoint(with: ["flows.txt.1", "flows.txt.2", "flows.txt.3.gz.tmp"]))
        #expect(try Self.gunzip(path + ".1.gz") == "one\n")
        #expect(try Self.gunzip(path + ".2.gz") == "two\n")
    }

    /// Decompresses with the system's gzip, not flowtel's code.
    static func gunzip(_ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-dc", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "gzip -dc \(path)")
        return String(decoding: data, as: UTF8.self)
    }

    static func gzipFile(_ path: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-k", path]
        try process.run()
        process.waitUntilExit()
    }

    @Test("gaps move the resume point past what they account for; heartbeats do not")
    func streamPosition() {
        let current = BootID(7)
        func event(_ seq: UInt64, _ payload: Payload) -> Event {
            Event(bootID: current, seq: seq, time: Timestamp(unixNanos: 0), node: "n", payload: payload)
        }
        var position = StreamPosition(ResumePoint(bootID: Self.boot, seq: 10))
        let heartbeat = position.advance(over: event(0, .heartbeat(Heartbeat(bootID: current, headSeq: 5))))
        #expect(!heartbeat)
        let rebooted = position.advance(
            over: event(0, .gap(Gap(bootID: Self.boot, firstSeq: 11, lastSeq: 0, reason: .bootChanged))))
        #expect(rebooted && position.point == ResumePoint(bootID: current, seq: 0))
        let evicted = position.advance(over: event(0, .gap(Gap(bootID: current, firstSeq: 1, lastSeq: 99, reason: .evicted))))
        #expect(evicted && position.point == ResumePoint(bootID: current, seq: 99))
        let next = position.advance(over: event(100, .heartbeat(Heartbeat(bootID: current, headSeq: 100))))
        #expect(next && position.point == ResumePoint(bootID: current, seq: 100))
    }

    @Test("backoff bounds double from 100 ms to 10 s, with jitter below the bound, and reset")
    func backoff() {
        var backoff = ReconnectBackoff()
        var bounds: [Duration] = []
        for _ in 0..<10 {
            let bound = backoff.bound
            bounds.append(bound)
            #expect(backoff.nextDelay() <= bound)
        }
        #expect(bounds.prefix(4) == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800)])
        #expect(bounds.last == .seconds(10))
        backoff.reset()
        #expect(backoff.bound == .milliseconds(100))
    }
}
