import FlowtelCore
import FlowtelSubscriber
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A slow subscriber beside normal ones, end to end with the real flowteld and flowtel CLI.
@Suite("Slow subscriber beside normal ones", .serialized)
struct SlowSubscriberTests {
    @Test("a tenth-rate reader gets exact gaps; two normal ones lose none, p99 under 1 s; daemon memory bounded")
    func slowBesideNormal() throws {
        // Five seconds of live traffic: enough that the slow reader falls behind by more than
        // loopback TCP and HTTP/2 flow-control windows hold (several MB) plus its queue.
        let rate = 20_000
        let total = 100_000
        let ringBytes = 16 << 20
        let queueBytes = 2 << 20
        let (daemon, port) = try FileOutputHarness.daemon([
            "--test-publisher", "sessions:\(total),rate=\(rate),subscribers=3",
            "--replay-buffer-size", "\(ringBytes)", "--subscriber-queue-size", "\(queueBytes)",
        ])
        defer { FileOutputHarness.stop(daemon) }
        let directory = try FileOutputHarness.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let normal = try (0..<2).map { index in
            try Self.countingSubscriber(port: port, total: total, stderr: "\(directory)/normal-\(index).err")
        }

        // The slow one, in this process: at most a tenth of the rate, for the publication time
        // and a little more.
        var configuration = SubscriptionConfiguration(target: "127.0.0.1:\(port)")
        configuration.request.start = .fromNow
        configuration.request.heartbeatIntervalMillis = 200
        configuration.request.maxBatchEvents = 100
        configuration.request.subscriberName = "slow"
        // Keep HTTP/2's window at its initial 64 KiB, so that the lag shows in the daemon
        // rather than in transport buffers.
        configuration.channel.bdpProbe = false
        let client = try SubscriptionClient(configuration: configuration)
        defer { client.close() }
        var received = 0
        var gaps: [Gap] = []
        var lastSeq: UInt64 = 0
        var outOfOrder = 0
        let deadline = ContinuousClock.now + .seconds(Double(total) / Double(rate) + 3)
        try client.run { events, _ in
            for event in events {
                if case .gap(let gap) = event.payload { gaps.append(gap) }
                guard !event.payload.isStreamControl else { continue }
                received += 1
                if event.seq <= lastSeq { outOfOrder += 1 }
                lastSeq = event.seq
            }
            usleep(UInt32(events.count) * 1_000_000 / UInt32(rate / 10))  // a tenth of the rate
            return ContinuousClock.now < deadline
        }

        for (index, process) in normal.enumerated() {
            let exited = Binaries.waitForExit(process, timeout: 30)
            if !exited {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
            #expect(exited && process.terminationStatus == 0, "normal subscriber \(index)")
            let stats = try String(contentsOfFile: "\(directory)/normal-\(index).err", encoding: .utf8)
            #expect(stats.contains("events=\(total) "), "normal subscriber \(index): \(stats)")
            #expect(stats.contains(" gaps=0 missing=0 "), "normal subscriber \(index): \(stats)")
            let p99 = Self.field("latency-p99-ms", in: stats)
            #expect(p99 != nil && p99! < 1000, "normal subscriber \(index): \(stats)")
        }

        // The slow one was told exactly what it lost: what it received plus the gaps' ranges
        // account for every event up to the last it saw, with no duplicates or reordering.
        #expect(!gaps.isEmpty, "received \(received), last seq \(lastSeq)")
        #expect(gaps.allSatisfy { $0.reason == .slowConsumer && $0.lastSeq >= $0.firstSeq })
        let missing = gaps.filter { $0.lastSeq <= lastSeq }.reduce(0) { $0 + Int($1.lastSeq - $1.firstSeq + 1) }
        #expect(outOfOrder == 0)
        #expect(received < total / 2, "it was slow")
        #expect(received + missing == Int(lastSeq), "received \(received) + missing \(missing) vs last seq \(lastSeq)")

        // The daemon's peak memory: its ring and queues are bounded in bytes, so it stays far
        // below what 100,000 unread events would pin.
        let peak = try Self.peakResidentBytes(daemon.processIdentifier)
        #expect(peak < 200 << 20, "flowteld peak RSS \(peak >> 20) MiB")
    }

    // MARK: - Helpers

    /// `flowtel subscribe --format count --stats --max-events total`.
    static func countingSubscriber(port: Int, total: Int, stderr: String) throws -> Process {
        _ = FileManager.default.createFile(atPath: stderr, contents: nil)
        let process = Process()
        process.executableURL = Binaries.url("flowtel")
        process.arguments = [
            "subscribe", "--target", "127.0.0.1:\(port)", "--from-now", "--format", "count", "--max-events", "\(total)",
            "--stats", "--name", "normal",
        ]
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: stderr)
        try process.run()
        return process
    }

    static func field(_ name: String, in text: String) -> Double? {
        guard let range = text.range(of: name + "=") else { return nil }
        return Double(text[range.upperBound...].prefix { $0.isNumber || $0 == "." })
    }

    static func peakResidentBytes(_ pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
    }
}
