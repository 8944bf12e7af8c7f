import Foundation
import Testing

/// Runs the real flowteld and flowtel executables built next to the test bundle.
enum Binaries {
    static var directory: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    }

    static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    /// Starts flowteld on a free port; returns the process and the port.
    static func startDaemon(_ extra: [String] = []) throws -> (Process, Int, URL) {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("flowteld-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let portFile = scratch.appendingPathComponent("port")
        let process = Process()
        process.executableURL = url("flowteld")
        process.arguments = ["--listen", "127.0.0.1:0", "--port-file", portFile.path, "--node", "bin-test"] + extra
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if let text = try? String(contentsOf: portFile, encoding: .utf8),
                let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                return (process, port, scratch)
            }
            usleep(20_000)
        }
        process.terminate()
        throw CocoaError(.fileReadNoSuchFile)
    }

    static func waitForExit(_ process: Process, timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        return !process.isRunning
    }
}

@Suite("flowteld and flowtel executables", .serialized)
struct BinaryTests {
    @Test("flowteld stops gracefully with exit status 0 on SIGTERM and SIGINT", arguments: [SIGTERM, SIGINT])
    func gracefulSignal(signal: Int32) throws {
        let (process, _, _) = try Binaries.startDaemon()
        kill(process.processIdentifier, signal)
        #expect(Binaries.waitForExit(process, timeout: 15))
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
    }

    @Test("flowteld refuses an address it cannot bind, with a clear error and exit status 1")
    func bindFailure() throws {
        let (first, port, _) = try Binaries.startDaemon()
        defer {
            first.terminate()
            _ = Binaries.waitForExit(first, timeout: 10)
        }
        let second = Process()
        second.executableURL = Binaries.url("flowteld")
        second.arguments = ["--listen", "127.0.0.1:\(port)"]
        let stderr = Pipe()
        second.standardError = stderr
        try second.run()
        let exited = Binaries.waitForExit(second, timeout: 15)
        if !exited { second.terminate() }
        #expect(exited)
        #expect(second.terminationStatus == 1)
        let message = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(message.contains("127.0.0.1:\(port)"))
    }

    @Test("flowtel subscribe prints every sample event as a JSON line, then exits")
    func subscribeJSON() throws {
        let (daemon, port, _) = try Binaries.startDaemon(["--test-publisher", "samples"])
        defer {
            daemon.terminate()
            _ = Binaries.waitForExit(daemon, timeout: 10)
        }
        let cli = Process()
        cli.executableURL = Binaries.url("flowtel")
        cli.arguments = ["subscribe", "--target", "127.0.0.1:\(port)", "--from-oldest", "--max-events", "13"]
        let stdout = Pipe()
        cli.standardOutput = stdout
        try cli.run()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        #expect(Binaries.waitForExit(cli, timeout: 15))
        #expect(cli.terminationStatus == 0)
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 13)
        let records = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(records.map { $0["seq"] as? Int } == Array(1...13))
        #expect(records.allSatisfy { $0["node"] as? String == "bin-test" && ($0["boot-id"] as? String)?.count == 16 })
        #expect(records[1]["event"] as? String == "RT_FLOW_SESSION_CLOSE")
        #expect(records[1]["reason"] as? String == "TCP SERVER RST")
        #expect(records[1]["nat-source-address"] as? String == "203.0.113.5")
        #expect(records[2]["source-address"] as? String == "fd00:0:0:1::25")
        #expect(records[2]["reason"] as? String == "Rejected by policy")
    }

    @Test("flowtel subscribe reports an unreachable daemon with exit status 3")
    func unreachable() throws {
        let cli = Process()
        cli.executableURL = Binaries.url("flowtel")
        cli.arguments = ["subscribe", "--target", "127.0.0.1:1", "--max-events", "1"]
        let stderr = Pipe()
        cli.standardError = stderr
        try cli.run()
        #expect(Binaries.waitForExit(cli, timeout: 30))
        #expect(cli.terminationStatus == 3)
        let message = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(message.contains("UNAVAILABLE"))
    }
}
