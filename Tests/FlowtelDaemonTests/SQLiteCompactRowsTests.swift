import FlowtelCore
import FlowtelSubscriber
import FlowtelTestSupport
import Foundation
import Testing

/// The SQLite output's multi-row inserts of flowtel's own session events: whatever the mix of
/// kinds and the commit sizes, every event is stored once, as it was, and a commit stores all
/// of its rows (the ones still waiting for a full statement included).
@Suite("SQLite output, multi-row inserts")
struct SQLiteCompactRowsTests {
    static let boot = BootID(0x5151)

    /// Session create, close and deny in turn (flowtel's own: no peer fields), and every 29th a
    /// close with a peer field (the one-row insert of every column).
    static func event(_ seq: UInt64) -> Event {
        let time = Timestamp(unixNanos: SampleEvents.baseTime.unixNanos + seq * 1_000)
        var info = SampleEvents.sessionInfo(id: UInt32(seq))
        info.extensions = SessionInfoExtensions()
        let payload: Payload
        switch seq % 3 {
        case 0:
            payload = .sessionCreate(SessionCreate(session: info))
        case 1:
            var close = SampleEvents.sessionClose(id: UInt32(seq))
            close.session = info
            close.extensions = SessionCloseExtensions()
            if seq % 29 == 0 { close.extensions.hostname = "peer.example.com" }
            payload = .sessionClose(close)
        default:
            var deny = SampleEvents.sessionDeny()
            deny.sessionID = UInt32(seq)
            deny.extensions = SessionDenyExtensions()
            payload = .sessionDeny(deny)
        }
        return Event(bootID: boot, seq: seq, time: time, node: "n1", payload: payload)
    }

    @Test("mixed kinds in uneven commits, with a re-delivered overlap: every event once, equal", arguments: [1, 7, 16, 17, 100])
    func mixedCommits(chunk: Int) throws {
        let directory = try SQLiteOutputTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/events.db"
        let events = (UInt64(1)...150).map(Self.event)
        do {
            let output = try SQLiteOutput(path: path, target: "t", start: .oldest)
            for (index, event) in events.enumerated() {
                output.append(event, through: .after(ResumePoint(bootID: Self.boot, seq: event.seq)))
                if (index + 1) % chunk == 0 { try output.submit() }
            }
            // Received again: stored once.
            for event in events[40..<90] {
                output.append(event, through: .after(ResumePoint(bootID: Self.boot, seq: 150)))
            }
            try output.commit()
        }
        let stored = try SQLiteOutputTests.readAll(path)
        #expect(stored.count == events.count)
        #expect(stored == events)
        let reopened = try SQLiteOutput(path: path, target: "t")
        #expect(reopened.start == .after(ResumePoint(bootID: Self.boot, seq: 150)))
    }

    @Test("a text longer than a row's share of the arena is stored whole")
    func longText() throws {
        let directory = try SQLiteOutputTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/events.db"
        var events = (UInt64(1)...40).map(Self.event)
        for index in [3, 21] {
            guard case .sessionCreate(var create) = events[index - 1].payload else { continue }
            create.session.policyName = String(repeating: "p", count: 5_000 * index)
            events[index - 1].payload = .sessionCreate(create)
        }
        do {
            let output = try SQLiteOutput(path: path, target: "t", start: .oldest)
            for event in events { output.append(event, through: .after(ResumePoint(bootID: Self.boot, seq: event.seq))) }
            try output.commit()
        }
        #expect(try SQLiteOutputTests.readAll(path) == events)
    }
}
