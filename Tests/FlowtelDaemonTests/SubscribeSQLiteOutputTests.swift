import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `flowtel subscribe --output sqlite:` and `flowtel query` against the real flowteld. The
/// database is checked with Python's sqlite3 module, not with flowtel's own reader.
@Suite("flowtel subscribe --output sqlite: and flowtel query", .serialized)
struct SubscribeSQLiteOutputTests {
    @Test("kill -9 of the subscriber at 20 random points over 1,000,000 events: 0 lost, 0 duplicates")
    func killNine() throws {
        let total = 1_000_000
        // A ring that holds them all: while no subscriber is connected, the publisher runs ahead.
        let (daemon, port) = try FileOutputHarness.daemon([
            "--test-publisher", "sessions:\(total)", "--replay-buffer-size", "\(1 << 30)",
        ])
        defer { FileOutputHarness.stop(daemon) }
        let directory = try FileOutputHarness.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/events.db"
        var generator = SystemRandomNumberGenerator()
        let points = (0..<20).map { _ in Int.random(in: 10_000..<(total - 10_000), using: &generator) }.sorted()
        for (index, point) in points.enumerated() {
            let cli = try Self.subscribe(port: port, path: path, index == 0 ? ["--from-oldest"] : [])
            let reached = Self.waitForCheckpoint(path, seq: point, timeout: 180)
            usleep(UInt32.random(in: 0..<50_000, using: &generator))  // anywhere in the insert/commit cycle
            kill(cli.processIdentifier, SIGKILL)
            cli.waitUntilExit()
            #expect(reached, "checkpoint never reached \(point)")
        }
        let cli = try Self.subscribe(port: port, path: path, [])
        #expect(Self.waitForCheckpoint(path, seq: total, timeout: 300))
        kill(cli.processIdentifier, SIGKILL)
        cli.waitUntilExit()

        let summary = try Self.python(
            path,
            "r = c.execute('SELECT count(*), count(DISTINCT seq), min(seq), max(seq), count(DISTINCT boot_id) FROM session_close').fetchone(); "
                + "print(*r, c.execute('SELECT count(*) FROM gap').fetchone()[0])")
        #expect(summary == "\(total) \(total) 1 \(total) 1 0", "kill points \(points)")
    }

    @Test("two targets into one database: after kill -9 each resumes from its own checkpoint; 0 lost, 0 duplicates")
    func twoTargets() throws {
        let (first, firstPort) = try FileOutputHarness.daemon(["--test-publisher", "sessions:60000"])
        defer { FileOutputHarness.stop(first) }
        let (second, secondPort) = try FileOutputHarness.daemon(["--test-publisher", "sessions:40000"])
        defer { FileOutputHarness.stop(second) }
        let directory = try FileOutputHarness.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/events.db"
        func start(_ extra: [String]) throws -> Process {
            let process = Process()
            process.executableURL = Binaries.url("flowtel")
            process.arguments =
                ["subscribe", "--target", "127.0.0.1:\(firstPort)", "--target", "127.0.0.1:\(secondPort)",
                 "--output", "sqlite:\(path)", "--heartbeat-ms", "200"] + extra
            process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
            process.standardError = FileHandle(forWritingAtPath: "/dev/null")
            try process.run()
            return process
        }
        let cli = try start(["--from-oldest"])
        #expect(Self.waitForCheckpoint(path, seq: 10_000, timeout: 60))
        kill(cli.processIdentifier, SIGKILL)
        cli.waitUntilExit()
        let resumed = try start([])
        defer {
            kill(resumed.processIdentifier, SIGKILL)
            resumed.waitUntilExit()
        }
        let query = "print(*sorted(c.execute('SELECT count(*), count(DISTINCT seq), min(seq), max(seq) FROM session_close "
            + "GROUP BY boot_id').fetchall()), sep='|')"
        let expected = "(40000, 40000, 1, 40000)|(60000, 60000, 1, 60000)"
        let deadline = Date().addingTimeInterval(90)
        var rows = ""
        while Date() < deadline {
            rows = try Self.python(path, query)
            if rows == expected { break }
            usleep(200_000)
        }
        #expect(rows == expected)
        let checkpoints = try Self.run(["query", "sqlite:\(path)", "--checkpoints"]).stdout
        #expect(checkpoints.contains("127.0.0.1:\(firstPort) ") && checkpoints.contains(":60000\n"))
        #expect(checkpoints.contains("127.0.0.1:\(secondPort) ") && checkpoints.contains(":40000\n"))
    }

    @Test("flowtel query prints exactly what subscribe printed, in every format, with filters")
    func queryMatchesSubscribe() throws {
        let directory = try FileOutputHarness.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/events.db"
        let (daemon, port) = try FileOutputHarness.daemon(["--test-publisher", "samples"])
        defer { FileOutputHarness.stop(daemon) }
        let target = ["--target", "127.0.0.1:\(port)"]
        let count = 13  // every non-stream-control sample
        let stored = try Self.run(
            ["subscribe"] + target + ["--output", "sqlite:\(path)", "--from-oldest", "--max-events", "\(count)"])
        #expect(stored.status == 0, "\(stored.stderr)")
        for format in ["json", "text", "sd-syslog", "syslog"] {
            let live = try Self.run(["subscribe"] + target + ["--from-oldest", "--max-events", "\(count)", "--format", format])
            let queried = try Self.run(["query", "sqlite:\(path)", "--format", format])
            #expect(live.status == 0 && queried.status == 0)
            #expect(!queried.stdout.isEmpty)
            #expect(queried.stdout == live.stdout, "format \(format)")
        }
        let filtered = try Self.run(["query", "sqlite:\(path)", "--kinds", "session-close,session-deny", "--format", "text"])
        #expect(filtered.stdout.split(separator: "\n").count == 2)
        let byPolicy = try Self.run(["query", "sqlite:\(path)", "--policy", "allow-web", "--kinds", "session-create,session-close"])
        #expect(byPolicy.stdout.split(separator: "\n").count == 2)
        let counted = try Self.run(["query", "sqlite:\(path)", "--format", "count"])
        #expect(counted.stdout == "events=\(count) gaps=0\n")
        let checkpoints = try Self.run(["query", "sqlite:\(path)", "--checkpoints"])
        #expect(checkpoints.stdout.hasPrefix("127.0.0.1:\(port) ") && checkpoints.stdout.hasSuffix(":\(count)\n"))
        // The session_event view, as a plain SQL client sees it.
        let view = try Self.python(
            path,
            "print(*c.execute('SELECT kind, source_address, reason, action, nat_source_address FROM session_event "
                + "ORDER BY time').fetchall(), sep='|')")
        #expect(
            view == "('session-create', '10.1.0.25', None, None, '203.0.113.5')|"
                + "('session-close', '10.1.0.25', 'TCP SERVER RST', None, '203.0.113.5')|"
                + "('session-deny', 'fd00:0:0:1::25', None, 'reject', None)", "\(view)")
    }

    @Test("a daemon restart stores one boot-changed gap row and both boots' events, never mixed")
    func daemonRestart() throws {
        let (first, port) = try FileOutputHarness.daemon(["--test-publisher", "sessions:1000"])
        let directory = try FileOutputHarness.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/events.db"
        let cli = try Self.subscribe(port: port, path: path, ["--from-oldest"])
        defer {
            kill(cli.processIdentifier, SIGKILL)
            cli.waitUntilExit()
        }
        #expect(Self.waitForCheckpoint(path, seq: 1000, timeout: 30))
        FileOutputHarness.stop(first)
        let (second, _) = try FileOutputHarness.daemon(["--test-publisher", "sessions:500"], port: port)
        defer { FileOutputHarness.stop(second) }
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(30)
        var rows = ""
        while clock.now < deadline {
            rows = try Self.python(
                path,
                "print(*c.execute('SELECT boot_id, count(*), min(seq), max(seq) FROM session_close GROUP BY boot_id ORDER BY min(id)').fetchall(), "
                    + "*c.execute('SELECT reason, first_seq, last_seq FROM gap').fetchall(), sep='|')")
            if rows.contains("500, 1, 500") { break }
            usleep(100_000)
        }
        let parts = rows.split(separator: "|")
        #expect(parts.count == 3, "\(rows)")
        #expect(parts.first?.contains("1000, 1, 1000") ?? false, "\(rows)")
        #expect(parts.dropFirst().first?.contains("500, 1, 500") ?? false, "\(rows)")
        #expect(parts.last == "('boot-changed', 1001, 0)", "\(rows)")
    }

    @Test("a second subscriber of the same database, or an unusable path, fails at start with exit status 4")
    func unusable() throws {
        let directory = try FileOutputHarness.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/events.db"
        let (daemon, port) = try FileOutputHarness.daemon(["--test-publisher", "sessions:10"])
        defer { FileOutputHarness.stop(daemon) }
        let holder = try Self.subscribe(port: port, path: path, [])
        defer {
            kill(holder.processIdentifier, SIGKILL)
            holder.waitUntilExit()
        }
        #expect(Self.waitForCheckpoint(path, seq: 0, timeout: 20))
        let second = try Self.run(["subscribe", "--target", "127.0.0.1:\(port)", "--output", "sqlite:\(path)"])
        #expect(second.status == 4)
        #expect(second.stderr.contains("is being written by another subscriber (pid \(holder.processIdentifier))"))
        let missing = try Self.run(["subscribe", "--target", "127.0.0.1:\(port)", "--output", "sqlite:\(directory)/no/such.db"])
        #expect(missing.status == 4)
        #expect(missing.stderr.contains("no/such.db"))
        let query = try Self.run(["query", "sqlite:\(directory)/nothing.db"])
        #expect(query.status == 4)
        #expect(try Self.run(["query", "\(path)"]).status == 64)
        #expect(try Self.run(["query", "sqlite:\(path)", "--since", "yesterday"]).status == 64)
        #expect(try Self.run(["query", "sqlite:\(path)", "--source-prefix", "10.0.0.300/8"]).status == 64)
    }

    @Test("SIGINT stops the subscriber at the next heartbeat: what arrived is committed, --stats printed, exit 0")
    func interrupt() throws {
        let directory = try FileOutputHarness.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/events.db"
        // 2,000 events, then silence: only a heartbeat can carry the request to stop.
        let (daemon, port) = try FileOutputHarness.daemon(["--test-publisher", "sessions:2000,rate=20000"])
        defer { FileOutputHarness.stop(daemon) }
        let stderrPath = directory + "/stderr"
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        let process = Process()
        process.executableURL = Binaries.url("flowtel")
        process.arguments = [
            "subscribe", "--target", "127.0.0.1:\(port)", "--output", "sqlite:\(path)", "--from-oldest", "--stats",
            "--heartbeat-ms", "200",
        ]
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        try process.run()
        #expect(Self.waitForCheckpoint(path, seq: 2000, timeout: 30))
        kill(process.processIdentifier, SIGINT)
        let exited = Binaries.waitForExit(process, timeout: 10)
        if !exited {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        #expect(exited)
        #expect(process.terminationStatus == 0)
        let stderr = try String(contentsOfFile: stderrPath, encoding: .utf8)
        #expect(stderr.contains("events=2000 "), "\(stderr)")
        #expect(stderr.contains("gaps=0 missing=0 latency-p50-ms="), "\(stderr)")
        let p99 = stderr.split(separator: " ").first { $0.hasPrefix("latency-p99-ms=") }.map { $0.dropFirst(15) }
        #expect(p99.flatMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) } != nil, "\(stderr)")
    }

    // MARK: - Helpers

    static func subscribe(port: Int, path: String, _ extra: [String]) throws -> Process {
        let process = Process()
        process.executableURL = Binaries.url("flowtel")
        process.arguments = ["subscribe", "--target", "127.0.0.1:\(port)", "--output", "sqlite:\(path)", "--batch-events", "2000"] + extra
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        return process
    }

    /// Runs the flowtel CLI to its end.
    static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = Binaries.url("flowtel")
        process.arguments = arguments
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    /// Runs Python code with `c`, a sqlite3 connection to `path`; returns its output, trimmed.
    static func python(_ path: String, _ code: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); " + code, path]
        let stdout = Pipe()
        process.standardOutput = stdout
        try process.run()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The checkpoint's seq in the database (-1 before there is one).
    static func checkpointSeq(_ path: String) -> Int {
        guard FileManager.default.fileExists(atPath: path),
            let text = try? python(
                path, "r = c.execute('SELECT coalesce(max(seq), 0) FROM subscription_checkpoint').fetchone(); print(r[0])")
        else { return -1 }
        return Int(text) ?? -1
    }

    static func waitForCheckpoint(_ path: String, seq: Int, timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if checkpointSeq(path) >= seq { return true }
            usleep(100_000)  // each poll starts a Python: keep the cores for the subscriber and daemon
        }
        return false
    }
}
