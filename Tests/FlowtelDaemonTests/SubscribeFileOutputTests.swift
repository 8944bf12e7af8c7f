import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `flowtel subscribe --output file:` against the real flowteld: rotation, kill -9, daemon
/// restart, permanent errors and unwritable paths.
@Suite("flowtel subscribe --output file:", .serialized)
struct SubscribeFileOutputTests {
    @Test("rotation keeps files under --rotate-size, names them PATH.1 … PATH.N and stores every event once, in order")
    func rotation() throws {
        let (daemon, port) = try FileOutputHarness.daemon(["--test-publisher", "sessions:3000"])
        defer { FileOutputHarness.stop(daemon) }
        let directory = try FileOutputHarness.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/flows.json"
        let cli = try FileOutputHarness.subscribe(
            port: port, path: path, ["--from-oldest", "--max-events", "3000", "--rotate-size", "64k", "--rotate-count", "100"])
        #expect(Binaries.waitForExit(cli, timeout: 30))
        #expect(cli.terminationStatus == 0)

        let files = FileOutputHarness.chain(path)
        #expect(files.count > 10)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter {
            !$0.hasSuffix(".checkpoint") && !$0.hasSuffix(".lock")
        }
        #expect(Set(names) == Set(["flows.json"] + (1..<files.count).map { "flows.json.\($0)" }))
        for file in files {
            let size = try FileManager.default.attributesOfItem(atPath: file)[.size] as! Int
            #expect(size <= 64 << 10, "\(file) is \(size) bytes")
            // Every rotated file was full: the next record would not have fit.
            if file != path { #expect(size > (64 << 10) - 2048, "\(file) is \(size) bytes") }
        }
        let records = try FileOutputHarness.records(path)
        #expect(records.map(\.seq) == Array(1...3000))
        #expect(Set(records.map(\.boot)).count == 1)
        let checkpoint = try String(contentsOfFile: path + ".checkpoint", encoding: .utf8)
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
        #expect(checkpoint == "\(String(records[0].boot, radix: 16).leftPadded(16)):3000\nbytes=\(size)\n")
    }

    @Test("--rotate-count keeps that many rotated files: the newest events, contiguous")
    func rotationCount() throws {
        let (daemon, port) = try FileOutputHarness.daemon(["--test-publisher", "sessions:3000"])
        defer { FileOutputHarness.stop(daemon) }
        let directory = try FileOutputHarness.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/flows.json"
        let cli = try FileOutputHarness.subscribe(
            port: port, path: path, ["--from-oldest", "--max-events", "3000", "--rotate-size", "64k", "--rotate-count", "3"])
        #expect(Binaries.waitForExit(cli, timeout: 30))
        #expect(cli.terminationStatus == 0)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(
            names == ["flows.json", "flows.json.1", "flows.json.2", "flows.json.3", "flows.json.checkpoint", "flows.json.lock"])
        let seqs = try FileOutputHarness.records(path).map(\.seq)
        #expect(seqs.last == 3000 && seqs.first! > 1)
        #expect(seqs == Array(seqs.first!...3000))
    }

    // Text format: a line a third the size of JSON's and cheaper to render in a debug build,
    // which keeps this test near 20 s. The test publisher's session N is event seq N, so the
    // session id in each RT_FLOW line identifies the event.
    @Test("kill -9 of the subscriber at 5 random points over 200,000 events: 0 lost, 0 duplicates")
    func killNine() throws {
        let total: UInt64 = 200_000
        let (daemon, port) = try FileOutputHarness.daemon(["--test-publisher", "sessions:\(total)"])
        defer { FileOutputHarness.stop(daemon) }
        let directory = try FileOutputHarness.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/flows.json"
        let options = ["--format", "text", "--rotate-size", "8m", "--rotate-count", "100", "--batch-events", "500"]
        let points = try FileOutputHarness.killAndResume(port: port, path: path, total: total, kills: 5, options)

        let seqs = try FileOutputHarness.sessionIDs(path)
        #expect(seqs.count == Int(total), "kill points \(points)")
        #expect(seqs == Array(1...total), "kill points \(points)")
        #expect(FileOutputHarness.chain(path).count > 1, "the run rotated at least once")
    }

    @Test("a daemon restart becomes one boot-changed Gap record between whole, unmixed boots")
    func daemonRestart() throws {
        let (first, port) = try FileOutputHarness.daemon(["--test-publisher", "sessions:1000"])
        let directory = try FileOutputHarness.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/flows.json"
        let stderrPath = directory + "/stderr"
        let cli = try FileOutputHarness.subscribe(port: port, path: path, ["--from-oldest"], stderr: stderrPath)
        defer {
            kill(cli.processIdentifier, SIGKILL)
            cli.waitUntilExit()
        }
        #expect(FileOutputHarness.waitForCheckpoint(path, seq: 1000, timeout: 30))
        FileOutputHarness.stop(first)
        let (second, _) = try FileOutputHarness.daemon(["--test-publisher", "sessions:500"], port: port)
        defer { FileOutputHarness.stop(second) }
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(30)
        var records: [FileOutputHarness.Record] = []
        while clock.now < deadline {
            records = try FileOutputHarness.records(path)
            if records.count >= 1501 && records.last?.seq == 500 { break }
            usleep(50_000)
        }
        #expect(records.count == 1501)
        let boots = records.map(\.boot)
        let gapIndex = try #require(records.firstIndex { $0.isGap })
        #expect(gapIndex == 1000)
        #expect(records.filter(\.isGap).count == 1)
        #expect(records[..<1000].map(\.seq) == Array(1...1000))
        #expect(records[1001...].map(\.seq) == Array(1...500))
        #expect(Set(boots[..<1000]).count == 1 && Set(boots[1001...]).count == 1 && boots[0] != boots[1001])
        #expect(records[gapIndex].gapBoot == boots[0] && records[gapIndex].gapFirst == 1001)
        let stderr = try String(contentsOfFile: stderrPath, encoding: .utf8)
        #expect(stderr.contains("gap: events 1001- of boot"))
        #expect(stderr.contains("reconnecting in"))
    }

    @Test("a permanent error (bad token) exits with its documented status at once, without retrying")
    func permanentError() throws {
        let directory = try FileOutputHarness.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let tokenFile = directory + "/token"
        try "s3cret\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let (daemon, port) = try FileOutputHarness.daemon(["--token-file", tokenFile])
        defer { FileOutputHarness.stop(daemon) }
        let stderrPath = directory + "/stderr"
        let cli = try FileOutputHarness.subscribe(
            port: port, path: directory + "/flows.json", ["--token", "wrong"], stderr: stderrPath)
        #expect(Binaries.waitForExit(cli, timeout: 15))
        #expect(cli.terminationStatus == 6)
        let stderr = try String(contentsOfFile: stderrPath, encoding: .utf8)
        #expect(stderr.contains("UNAUTHENTICATED"))
        #expect(!stderr.contains("reconnecting"))
    }

    @Test(
        "an output path that cannot be written fails at start with exit status 4 and says why",
        arguments: ["missing-directory/flows.json", "."])
    func unwritable(relative: String) throws {
        let directory = try FileOutputHarness.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = relative == "." ? directory : directory + "/" + relative
        let stderrPath = directory + "-stderr"
        defer { try? FileManager.default.removeItem(atPath: stderrPath) }
        // Port 1: the CLI would retry forever if it connected before opening the file.
        let cli = try FileOutputHarness.subscribe(port: 1, path: path, [], stderr: stderrPath)
        #expect(Binaries.waitForExit(cli, timeout: 15))
        #expect(cli.terminationStatus == 4)
        let stderr = try String(contentsOfFile: stderrPath, encoding: .utf8)
        #expect(stderr.contains(path))
        #expect(stderr.contains("No such file or directory") || stderr.contains("Is a directory"))
    }
}

/// Processes and files for `SubscribeFileOutputTests`.
enum FileOutputHarness {
    /// Subscribes into `path` with `options` (the first time `--from-oldest`), kills the
    /// subscriber with SIGKILL `kills` times at random stream positions (and anywhere in the
    /// write/sync/checkpoint cycle), then resumes once more until the checkpoint reaches
    /// `total`. Returns the kill points.
    static func killAndResume(
        port: Int, path: String, total: UInt64, kills: Int, _ options: [String]
    ) throws -> [UInt64] {
        var generator = SystemRandomNumberGenerator()
        let points = (0..<kills).map { _ in UInt64.random(in: 5_000..<(total - 5_000), using: &generator) }.sorted()
        for (index, point) in points.enumerated() {
            let cli = try subscribe(port: port, path: path, (index == 0 ? ["--from-oldest"] : []) + options)
            let reached = waitForCheckpoint(path, seq: point, timeout: 30)
            usleep(UInt32.random(in: 0..<20_000, using: &generator))
            kill(cli.processIdentifier, SIGKILL)
            cli.waitUntilExit()
            #expect(reached, "checkpoint never reached \(point)")
        }
        let cli = try subscribe(port: port, path: path, options)
        #expect(waitForCheckpoint(path, seq: total, timeout: 40))
        kill(cli.processIdentifier, SIGKILL)
        cli.waitUntilExit()
        return points
    }

    /// One line of a JSON output file.
    struct Record {
        var boot: UInt64
        var seq: UInt64
        var isGap: Bool
        var gapBoot: UInt64 = 0
        var gapFirst: UInt64 = 0
    }

    static func scratch() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("flowtel-file-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// flowteld on 127.0.0.1:`port` (0: any free port); returns it and its port.
    static func daemon(_ extra: [String], port: Int = 0) throws -> (Process, Int) {
        let directory = try scratch()
        let portFile = directory + "/port"
        let process = Process()
        process.executableURL = Binaries.url("flowteld")
        process.arguments = ["--listen", "127.0.0.1:\(port)", "--port-file", portFile, "--node", "bin-test"] + extra
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(20)
        while clock.now < deadline {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8),
                let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                return (process, port)
            }
            usleep(20_000)
        }
        process.terminate()
        throw CocoaError(.fileReadNoSuchFile)
    }

    static func stop(_ process: Process) {
        process.terminate()
        if !Binaries.waitForExit(process, timeout: 10) {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    static func subscribe(port: Int, path: String, _ extra: [String], stderr: String? = nil) throws -> Process {
        let process = Process()
        process.executableURL = Binaries.url("flowtel")
        process.arguments = ["subscribe", "--target", "127.0.0.1:\(port)", "--output", "file:\(path)"] + extra
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        if let stderr {
            _ = FileManager.default.createFile(atPath: stderr, contents: nil)
            process.standardError = FileHandle(forWritingAtPath: stderr)
        } else {
            process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        }
        try process.run()
        return process
    }

    /// The checkpoint's seq (0 when there is none yet).
    static func checkpointSeq(_ path: String) -> UInt64 {
        guard let text = try? String(contentsOfFile: path + ".checkpoint", encoding: .utf8),
            let first = text.split(separator: "\n").first, let colon = first.firstIndex(of: ":")
        else { return 0 }
        return UInt64(first[first.index(after: colon)...]) ?? 0
    }

    static func waitForCheckpoint(_ path: String, seq: UInt64, timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if checkpointSeq(path) >= seq { return true }
            usleep(2_000)
        }
        return false
    }

    /// PATH.N … PATH.1, PATH: the files of an output, oldest first.
    static func chain(_ path: String) -> [String] {
        var files = [path]
        var index = 1
        while FileManager.default.fileExists(atPath: "\(path).\(index)") {
            files.insert("\(path).\(index)", at: 0)
            index += 1
        }
        return files
    }

    /// Every record of an output, oldest first. Reads only each line's head (`node`, `boot-id`,
    /// `seq`, `time`, `event` come first) so that 200,000 lines stay quick in a debug build.
    static func records(_ path: String) throws -> [Record] {
        var records: [Record] = []
        for file in chain(path) {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
            var offset = 0
            while offset < bytes.count {
                let end = newline(in: bytes, from: offset)
                let head = String(decoding: bytes[offset..<min(end, offset + 400)], as: UTF8.self)
                var record = Record(
                    boot: UInt64(value(head, "\"boot-id\":\"", length: 16) ?? "", radix: 16) ?? 0,
                    seq: UInt64(value(head, "\"seq\":", length: nil) ?? "") ?? 0,
                    isGap: head.contains("\"event\":\"gap\""))
                if record.isGap {
                    let line = String(decoding: bytes[offset..<end], as: UTF8.self)
                    record.gapBoot = UInt64(value(line, "\"gap-boot-id\":\"", length: 16) ?? "", radix: 16) ?? 0
                    record.gapFirst = UInt64(value(line, "\"first-seq\":", length: nil) ?? "") ?? 0
                }
                records.append(record)
                offset = end + 1
            }
        }
        return records
    }

    /// The session id of every RT_FLOW text line of an output, oldest first (the number after
    /// the test publisher's zones, `trust untrust`).
    static func sessionIDs(_ path: String) throws -> [UInt64] {
        var ids: [UInt64] = []
        for file in chain(path) {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
            var offset = 0
            while offset < bytes.count {
                let end = newline(in: bytes, from: offset)
                let line = String(decoding: bytes[offset..<end], as: UTF8.self)
                ids.append(UInt64(value(line, " trust untrust ", length: nil) ?? "") ?? 0)
                offset = end + 1
            }
        }
        return ids
    }

    /// The index of the next newline at or after `start` (memchr: a debug build's loop is slow).
    private static func newline(in bytes: [UInt8], from start: Int) -> Int {
        bytes.withUnsafeBytes { raw -> Int in
            let base = raw.baseAddress!
            guard let found = memchr(base + start, 0x0A, raw.count - start) else { return raw.count }
            return base.distance(to: UnsafeRawPointer(found))
        }
    }

    /// The text after `key`: `length` characters, or the digits that follow.
    private static func value(_ text: String, _ key: String, length: Int?) -> String? {
        guard let range = text.range(of: key) else { return nil }
        let rest = text[range.upperBound...]
        if let length { return String(rest.prefix(length)) }
        return String(rest.prefix(while: \.isNumber))
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
