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
