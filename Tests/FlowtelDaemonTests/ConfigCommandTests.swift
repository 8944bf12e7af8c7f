import Foundation
import Testing

/// `flowtel config check` and `flowtel config show`, run as a user runs them.
@Suite("flowtel config")
struct ConfigCommandTests {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String]) throws -> Output {
        let process = Process()
        process.executableURL = Binaries.url("flowtel")
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    static func write(_ text: String, name: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flowtel-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    static let valid = """
        set system host-name fw1
        set system ntp server 192.0.2.1
        set interfaces ge-0/0/0 unit 0 family inet address 192.0.2.2/24
        set interfaces ge-0/0/1 unit 0 family inet address 10.0.0.1/24
        set security zones security-zone untrust interfaces ge-0/0/0.0
        set security zones security-zone trust interfaces ge-0/0/1.0
        set security policies from-zone trust to-zone untrust policy out match source-address any destination-address any application any
        set security policies from-zone trust to-zone untrust policy out then permit
        set security policies from-zone trust to-zone untrust policy out then log session-close

        """

    @Test("check: a valid file prints its warnings and a summary and exits 0")
    func checkValid() throws {
        let path = try Self.write(Self.valid, name: "fw1.set")
        let output = try Self.run(["config", "check", path])
        #expect(output.status == 0)
        let lines = output.stdout.split(separator: "\n").map(String.init)
        #expect(lines[0] == "\(path):2:12: warning: statement 'ntp' under 'system' is not used by flowtel (kept, ignored)")
        #expect(lines[1] == "\(path): set syntax, valid (0 errors, 1 warning)")
        #expect(lines.contains { $0.hasPrefix("  host-name") && $0.hasSuffix("fw1") })
        #expect(lines.contains { $0.hasPrefix("  zones") && $0.hasSuffix("2: untrust, trust") })
        #expect(lines.contains { $0.hasPrefix("  policies") && $0.contains("1 (1 permit, 0 deny, 0 reject) in 1 zone pair") })
    }

    @Test("check: errors name file, line and column, and the exit status is 1")
    func checkInvalid() throws {
        let text = Self.valid + "set security policies from-zone trust to-zone dmz policy x match source-address any destination-address any application any\nset security policies from-zone trust to-zone dmz policy x then deny\n"
        let path = try Self.write(text, name: "bad.set")
        let output = try Self.run(["config", "check", "--quiet", path])
        #expect(output.status == 1)
        #expect(output.stdout == "\(path):10:47: error: zone 'dmz' is not defined\n")
    }

    @Test("check: a syntax error is reported with its location and exit status 1; a missing file exits 2")
    func checkSyntaxAndMissing() throws {
        let path = try Self.write("system {\n    host-name fw1\n}\n", name: "broken.conf")
        let broken = try Self.run(["config", "check", path])
        #expect(broken.status == 1)
        #expect(broken.stdout.hasPrefix("\(path):3:1: error: expected ';' or '{' after 'host-name fw1', found '}'\n"))
        let missing = try Self.run(["config", "check", "/nonexistent/fw.conf"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("cannot read configuration '/nonexistent/fw.conf'"))
    }

    @Test("show: set → curly → set gives back the same set text")
    func showRoundTrip() throws {
        let path = try Self.write(Self.valid, name: "fw1.set")
        let set = try Self.run(["config", "show", path])
        #expect(set.status == 0)
        let curly = try Self.run(["config", "show", "--format", "curly", path])
        #expect(curly.status == 0)
        #expect(curly.stdout.contains("    host-name fw1;\n"))
        let curlyPath = try Self.write(curly.stdout, name: "fw1.conf")
        let back = try Self.run(["config", "show", "--format", "set", curlyPath])
        #expect(back.stdout == set.stdout)
        // The normalised set text splits the chained policy line into one statement per line.
        #expect(set.stdout.contains("set security policies from-zone trust to-zone untrust policy out match destination-address any\n"))
    }
}
