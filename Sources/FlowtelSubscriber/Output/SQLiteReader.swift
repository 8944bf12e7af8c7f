public import FlowtelCore
import GRDB

/// Which stored events `flowtel query` reads back.
public struct StoredEventQuery: Sendable {
    /// Only these kinds (all when empty).
    public var kinds: [EventKind] = []
    /// Session criteria, with the semantics of a subscription's filter: session events must
    /// match; other events pass.
    public var filter = SessionFilter()
    /// Only events at or after this time.
    public var since: Timestamp? = nil
    /// Only events before this time.
    public var until: Timestamp? = nil
    /// Only events of this node (device host-name).
    public var node: String? = nil
    /// Whether stored gaps are read too (as `Gap` stream-control events).
    public var gaps = true

    /// Everything.
    public init() {}
}

/// Reads a SQLite output back as events, in time order, with the exact payloads that were
/// stored: what `flowtel query` renders in any of the subscriber's formats.
///
/// Opens the database read-only; it may be read while a subscriber writes it (WAL).
public final class SQLiteReader {
    /// The database file.
    public let path: String
    private let database: DatabaseQueue

    /// Opens `path`, which must be a flowtel SQLite output.
    public init(path: String) throws(OutputError) {
        self.path = path
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        let what = "sqlite:\(path)"
        do {
            database = try DatabaseQueue(path: path, configuration: configuration)
            let isFlowtel = try database.read { db in try db.tableExists("subscription_checkpoint") }
            guard isFlowtel else {
                throw OutputError(
                    code: .inconsistent, message: "\(what) is not a flowtel database (no subscription_checkpoint table)")
            }
        } catch {
            throw SQLiteOutput.outputError(error, opening: true, what: what)
        }
    }

    /// Each target's checkpoint, as stored.
    public func checkpoints() throws(OutputError) -> [(target: String, start: OutputCheckpoint.Start)] {
        do {
            return try database.read { db in
                try String.fetchAll(db, sql: "SELECT target FROM subscription_checkpoint ORDER BY target").compactMap {
                    target in
                    try SQLiteOutput.readCheckpoint(db, target: target, what: "sqlite:\(path)").map { (target, $0) }
                }
            }
        } catch {
            throw SQLiteOutput.outputError(error, opening: false, what: "sqlite:\(path)")
        }
    }

    /// Calls `body` with every stored event `query` selects, ordered by time, then boot and seq
    /// (gaps before events of the same time), until it returns false.
    public func events(_ query: StoredEventQuery, _ body: (Event) throws -> Bool) throws {
        let compiled = CompiledSessionFilter(query.filter)
        let tables = SQLiteTableID.allCases.filter { query.kinds.isEmpty || query.kinds.contains($0.kind) }
        do {
            try database.read { db in
                // One cursor per table, merged by (time, boot, seq).
                var sources: [StoredEventSource] = try tables.map { try StoredEventSource(table: $0, query: query, db) }
                if query.gaps { sources.append(try StoredEventSource(gapsOf: query, db)) }
                var heads: [Event?] = try sources.map { try $0.next(db) }
                while true {
                    var best: Int? = nil
                    for (index, head) in heads.enumerated() {
                        guard let head else { continue }
                        if let current = best, let other = heads[current], !Self.precedes(head, other) { continue }
                        best = index
                    }
                    guard let best, let event = heads[best] else { return }
                    heads[best] = try sources[best].next(db)
                    if !compiled.isEmpty, let key = SessionKey(event.payload), !compiled.matches(key) { continue }
                    guard try body(event) else { return }
                }
            }
        } catch let error as DatabaseError {
            throw SQLiteOutput.outputError(error, opening: false, what: "sqlite:\(path)")
        }
    }

    private static func precedes(_ a: Event, _ b: Event) -> Bool {
        if a.time != b.time { return a.time < b.time }
        if a.bootID != b.bootID { return a.bootID.rawValue < b.bootID.rawValue }
        return a.seq < b.seq
    }
}

extension SQLiteTableID {
    /// The selectable kind the table's events have.
    var kind: EventKind {
        switch self {
        case .sessionCreate: .sessionCreate
        case .sessionClose: .sessionClose
        case .sessionDeny: .sessionDeny
        case .fpcError, .fpcErrorCounters, .fpcErrorAction, .fpcStateSnapshot: .fpcError
        case .alarmRaised, .alarmCleared: .alarm
        case .wedgeDetected, .wedgeCleared: .wedge
        case .fpcStateChange: .fpcState
        case .clusterFailover: .cluster
        }
    }
}

/// One table's events, read in order and decoded.
private struct StoredEventSource {
    let table: SQLiteTableID?
    let cursor: RowCursor

    init(table: SQLiteTableID, query: StoredEventQuery, _ db: Database) throws {
        self.table = table
        var conditions: [String] = []
        var arguments: StatementArguments = []
        Self.restrict(query, &conditions, &arguments)
        // Index-assisted narrowing; the full filter is applied to the decoded events.
        if [.sessionCreate, .sessionClose, .sessionDeny].contains(table) {
            for (column, value) in [
                ("policy_name", query.filter.policy), ("source_zone_name", query.filter.sourceZone),
                ("destination_zone_name", query.filter.destinationZone),
            ] where !value.isEmpty {
                conditions.append("\(column) = ?")
                arguments += [value]
            }
        }
        let sql =
            "SELECT id, \(table.table.selectList) FROM \(table.table.name)"
            + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
            + " ORDER BY time, boot_id, seq"
        cursor = try Row.fetchCursor(db, sql: sql, arguments: arguments)
    }

    init(gapsOf query: StoredEventQuery, _ db: Database) throws {
        table = nil
        var conditions: [String] = []
        var arguments: StatementArguments = []
        Self.restrict(query, &conditions, &arguments)
        let sql =
            "SELECT node, boot_id, time, gap_boot_id, first_seq, last_seq, reason, detail FROM gap"
            + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")) + " ORDER BY time, id"
        cursor = try Row.fetchCursor(db, sql: sql, arguments: arguments)
    }

    private static func restrict(_ query: StoredEventQuery, _ conditions: inout [String], _ arguments: inout StatementArguments) {
        if let since = query.since {
            conditions.append("time >= ?")
            arguments += [Int64(bitPattern: since.unixNanos)]
        }
        if let until = query.until {
            conditions.append("time < ?")
            arguments += [Int64(bitPattern: until.unixNanos)]
        }
        if let node = query.node {
            conditions.append("node = ?")
            arguments += [node]
        }
    }

    func next(_ db: Database) throws -> Event? {
        guard let row = try cursor.next() else { return nil }
        var reader = SQLiteRowReader(row)
        guard let table else { return try reader.gap() }
        let id: Int64 = reader.integer()
        return try reader.event(table, id: id, db)
    }
}
