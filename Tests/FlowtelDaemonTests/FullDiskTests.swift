import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A full disk under a stored output, on a real (small) tmpfs: the subscriber stops with exit
/// status 4 and a clear message, the checkpoint still covers exactly what is stored, and once
/// there is room again a restart stores everything else, exactly once.
@Suite(
    "Full disk under file and SQLite outputs", .serialized,
    .enabled(if: getuid() == 0, "mounting a tmpfs needs root"))
struct FullDiskTests {
    static let total = 20_000

    @Test("file output: ENOSPC stops the subscriber; after room is made, a restart completes the chain exactly once")
    func file() throws {
        try Self.withSmallDisk { directory in
            let (daemon, port) = try FileOutputHarness.daemon(["--test-publisher", "sessions:\(Self.total)"])
            defer { FileOutputHarness.stop(daemon) }
            let path = directory + "/flows.json"
            let first = try Self.run(port: port, output: "file:\(path)", ["--from-oldest", "--format", "json"])
            #expect(first.status == 4)
            #expect(first.stderr.contains("No space left on device"), "\(first.stderr)")
            // What the checkpoint covers is whole and contiguous; anything after it (a write
            // cut short) is cut off at the next start.
            let covered = Int(FileOutputHarness.checkpointSeq(path))
            let written = try FileOutputHarness.records(path).map(\.seq)
            #expect(covered < Self.total, "the disk filled up")
            #expect(Array(written.prefix(covered)) == (0..<covered).map { UInt64($0 + 1) })

            try Self.grow(directory)
            let second = try Self.run(port: port, output: "file:\(path)", ["--format", "json"], events: Self.total - covered)
            #expect(second.status == 0, "\(second.stderr)")
            #expect(try FileOutputHarness.records(path).map(\.seq) == Array(1...UInt64(Self.total)))
        }
    }

    @Test("SQLite output: SQLITE_FULL stops the subscriber; after room is made, a restart stores the rest exactly once")
    func sqlite() throws {
        try Self.withSmallDisk { directory in
            let (daemon, port) = try FileOutputHarness.daemon(["--test-publisher", "sessions:\(Self.total)"])
            defer { FileOutputHarness.stop(daemon) }
            let path = directory + "/events.db"
            let first = try Self.run(port: port, output: "sqlite:\(path)", ["--from-oldest"])
            #expect(first.status == 4)
            #expect(first.stderr.contains("the disk is full"), "\(first.stderr)")
            let partial = try SubscribeSQLiteOutputTests.python(
                path,
                "print(*c.execute('SELECT count(*), coalesce(max(seq), 0) FROM session_close').fetchone(), "
                    + "c.execute('SELECT coalesce(seq, 0) FROM subscription_checkpoint').fetchone()[0])")
            // Rows, their highest seq, the checkpoint's seq (0 while it is still "oldest": the
            // very first commit may be the one that found the disk full).
            let numbers = partial.split(separator: " ").compactMap { Int($0) }
            #expect(numbers.count == 3 && numbers[0] == numbers[1] && numbers[1] == numbers[2], "\(partial)")
            #expect((numbers.first ?? Self.total) < Self.total, "the disk filled up: \(partial)")

            try Self.grow(directory)
            let second = try Self.run(port: port, output: "sqlite:\(path)", [], events: Self.total - (numbers.first ?? 0))
            #expect(second.status == 0, "\(second.stderr)")
            let final = try SubscribeSQLiteOutputTests.python(
                path, "print(*c.execute('SELECT count(*), count(DISTINCT seq), min(seq), max(seq) FROM session_close').fetchone())")
            #expect(final == "\(Self.total) \(Self.total) 1 \(Self.total)")
        }
    }

    // MARK: - Helpers

    /// Runs `body` with a fresh 1 MiB tmpfs mounted on a scratch directory.
    static func withSmallDisk(_ body: (String) throws -> Void) throws {
        let directory = try FileOutputHarness.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try command("/bin/mount", "-t", "tmpfs", "-o", "size=1m", "flowtel-full-disk", directory)
        defer { try? command("/bin/umount", "-l", directory) }
        try body(directory)
    }

    /// Makes room: the tmpfs grows to 256 MiB.
    static func grow(_ directory: String) throws {
        try command("/bin/mount", "-o", "remount,size=256m", directory)
    }

    static func command(_ arguments: String...) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    /// `flowtel subscribe` into `output` for `events` events (or until a failure).
    static func run(port: Int, output: String, _ extra: [String], events: Int = total) throws -> (status: Int32, stderr: String) {
        let result = try SubscribeSQLiteOutputTests.run(
            ["subscribe", "--target", "127.0.0.1:\(port)", "--output", output, "--max-events", "\(events)",
             "--no-reconnect"] + extra)
        return (result.status, result.stderr)
    }
}
