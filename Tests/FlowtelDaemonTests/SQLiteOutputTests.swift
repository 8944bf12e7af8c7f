import FlowtelCore
import FlowtelSubscriber
import FlowtelTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The SQLite output and its reader, in process: every payload stored and read back exactly,
/// idempotent re-delivery, the transactional checkpoint, the lock, and bad paths.
@Suite("SQLite output")
struct SQLiteOutputTests {
    /// Every payload kind, gaps with seq 0 (as they arrive), without the stream control that is
    /// not stored.
    static func storableSamples() -> [Event] {
        SampleEvents.all().compactMap { event in
            switch event.payload {
            case .heartbeat, .syncResponse: return nil
            case .gap:
                var gap = event
                gap.seq = 0
                return gap
            default: return event
            }
        }
    }

    static func readAll(_ path: String, _ query: StoredEventQuery = StoredEventQuery()) throws -> [Event] {
        var events: [Event] = []
        try SQLiteReader(path: path).events(query) { event in
            events.append(event)
            return true
        }
        return events
    }

    @Test("every payload kind is stored in typed columns and read back equal, in time order")
    func roundTrip() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/events.db"
        let samples = Self.storableSamples()
        var plain = SampleEvents.all()[0]  // flowtel's own events carry no extension fields
        plain.seq = 100
        plain.time = Timestamp(unixNanos: SampleEvents.baseTime.unixNanos + 999_000_000)
        if case .sessionCreate(var create) = plain.payload {
            create.session.extensions = SessionInfoExtensions()
            plain.payload = .sessionCreate(create)
        }
        let v6Close = Self.closeV6(seq: 101)
        do {
            let output = try SQLiteOutput(path: path, target: "127.0.0.1:1")
            for event in samples + [plain, v6Close] {
                output.append(event, through: .after(ResumePoint(bootID: event.bootID, seq: max(event.seq, 1))))
            }
            try output.commit()
        }
        let stored = try Self.readAll(path)
        #expect(stored.count == samples.count + 2)
        #expect(stored == samples + [plain, v6Close])
    }

    @Test("events received again are stored once; the checkpoint is restored on reopen")
    func idempotentAndResumable() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/events.db"
        let boot = BootID(0xABCD)
        let first = (1...50).map { Self.close(boot: boot, seq: $0) }
        do {
            let output = try SQLiteOutput(path: path, target: "a:1", start: .oldest)
            #expect(output.start == .oldest)
            for event in first { output.append(event, through: .after(ResumePoint(bootID: boot, seq: event.seq))) }
            try output.commit()
        }
        do {
            let output = try SQLiteOutput(path: path, target: "a:1")
            #expect(output.recoveredStart == .after(ResumePoint(bootID: boot, seq: 50)))
            #expect(output.start == .after(ResumePoint(bootID: boot, seq: 50)))
            // A re-delivered overlap (41...50) and new events (51...60).
            for seq in UInt64(41)...60 {
                output.append(Self.close(boot: boot, seq: seq), through: .after(ResumePoint(bootID: boot, seq: seq)))
            }
            try output.commit()
        }
        let stored = try Self.readAll(path)
        #expect(stored.map(\.seq) == Array(1...60))
        // Another target in the same database keeps its own checkpoint.
        let other = try SQLiteOutput(path: path, target: "b:2")
        #expect(other.recoveredStart == nil)
        #expect(other.start == .now)
        let checkpoints = try SQLiteReader(path: path).checkpoints()
        #expect(checkpoints.map(\.target) == ["a:1", "b:2"])
        #expect(checkpoints.first?.start == .after(ResumePoint(bootID: boot, seq: 60)))
    }

    @Test("appended but not committed events are not stored, and the checkpoint does not cover them")
    func uncommittedIsNotStored() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/events.db"
        let boot = BootID(7)
        do {
            let output = try SQLiteOutput(path: path, target: "t", start: .oldest)
            output.append(Self.close(boot: boot, seq: 1), through: .after(ResumePoint(bootID: boot, seq: 1)))
            try output.commit()
            output.append(Self.close(boot: boot, seq: 2), through: .after(ResumePoint(bootID: boot, seq: 2)))
        }
        #expect(try Self.readAll(path).map(\.seq) == [1])
        let reopened = try SQLiteOutput(path: path, target: "t")
        #expect(reopened.start == .after(ResumePoint(bootID: boot, seq: 1)))
    }

    @Test("query filters: kinds, session criteria (original or translated), time range, node")
    func queryFilters() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/events.db"
        let samples = Self.storableSamples()
        do {
            let output = try SQLiteOutput(path: path, target: "t")
            for event in samples { output.append(event, through: nil) }
            try output.commit()
        }
        var query = StoredEventQuery()
        query.kinds = [.sessionClose, .alarm]
        #expect(try Self.readAll(path, query).map(\.payload.name) == ["session-close", "alarm-raised", "alarm-cleared", "gap"])
        query.gaps = false
        #expect(try Self.readAll(path, query).count == 3)

        query = StoredEventQuery()
        query.gaps = false
        query.filter.sourcePrefix = "203.0.113.0/24"  // the translated source of create and close
        let translated = try Self.readAll(path, query)
        #expect(translated.filter { $0.payload.kind?.isSession ?? false }.map(\.payload.name) == ["session-create", "session-close"])
        #expect(translated.count == samples.count - 2, "non-session events pass a session filter")

        query = StoredEventQuery()
        query.gaps = false
        query.filter.policy = "no-such-policy"
        #expect(try Self.readAll(path, query).allSatisfy { !($0.payload.kind?.isSession ?? false) })

        query = StoredEventQuery()
        query.since = samples[2].time
        query.until = samples[4].time
        #expect(try Self.readAll(path, query) == Array(samples[2..<4]))
        query = StoredEventQuery()
        query.node = "elsewhere"
        #expect(try Self.readAll(path, query).isEmpty)
    }

    @Test("a second writer of the same database fails with a lock error naming the holder")
    func lock() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/events.db"
        do {
            let first = try SQLiteOutput(path: path, target: "t")
            #expect {
                _ = try SQLiteOutput(path: path, target: "t")
            } throws: { error in
                guard let error = error as? OutputError else { return false }
                return error.code == .locked && error.message.contains("pid \(getpid())")
            }
            withExtendedLifetime(first) {}
        }
        // Released with its owner.
        _ = try SQLiteOutput(path: path, target: "t")
    }

    @Test("bad paths fail at open with a clear message")
    func badPaths() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let notADatabase = directory + "/notes.txt"
        try String(repeating: "not a database\n", count: 100).write(toFile: notADatabase, atomically: true, encoding: .utf8)
        Self.expectOpenError(notADatabase, .inconsistent, "is not a SQLite database")
        Self.expectOpenError(directory + "/missing/events.db", .open, "missing/events.db")

        // Somebody else's database is never written into.
        let otherApp = directory + "/other.db"
        try Self.sqlite(otherApp, "CREATE TABLE players (name TEXT)")
        Self.expectOpenError(otherApp, .inconsistent, "SQLite database of something else (tables players)")
        #expect(throws: OutputError.self) { try SQLiteReader(path: otherApp) }
    }

    // MARK: - Helpers

    static func expectOpenError(_ path: String, _ code: OutputError.Code, _ text: String) {
        #expect {
            _ = try SQLiteOutput(path: path, target: "t")
        } throws: { error in
            guard let error = error as? OutputError else { return false }
            return error.code == code && error.message.contains(text)
        }
    }

    /// Runs one statement on a database through Python's sqlite3 module: another program's
    /// database, made without flowtel's code.
    static func sqlite(_ path: String, _ statement: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()", path, statement]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    static func close(boot: BootID, seq: UInt64) -> Event {
        var close = SampleEvents.sessionClose(id: UInt32(seq))
        close.session.extensions = SessionInfoExtensions()
        close.extensions = SessionCloseExtensions()
        return Event(
            bootID: boot, seq: seq, time: Timestamp(unixNanos: SampleEvents.baseTime.unixNanos + seq * 1_000), node: "n1",
            payload: .sessionClose(close))
    }

    static func closeV6(seq: UInt64) -> Event {
        var close = SampleEvents.sessionClose(id: 77)
        close.session.sourceAddress = IPAddress("2001:db8:0:1::10")!
        close.session.natSourceAddress = IPAddress("2001:db8:0:1::10")!
        close.session.destinationAddress = IPAddress("2001:db8:ffff::1")!
        close.session.natDestinationAddress = IPAddress("2001:db8:ffff::1")!
        close.session.srcNatRuleType = .none
        close.session.srcNatRuleName = ""
        close.session.dstNatRuleType = .none
        close.session.dstNatRuleName = ""
        close.reason = .idleTimeout
        close.bytesFromServer = UInt64.max - 1  // above 2^63: stored as two's complement
        return Event(
            bootID: SampleEvents.bootID, seq: seq, time: Timestamp(unixNanos: SampleEvents.baseTime.unixNanos + 1_000_000_000),
            node: SampleEvents.node, payload: .sessionClose(close))
    }

    static func scratch() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("flowtel-sqlite-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

extension EventKind {
    fileprivate var isSession: Bool { self == .sessionCreate || self == .sessionClose || self == .sessionDeny }
}
