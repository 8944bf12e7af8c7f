public import FlowtelCore
import GRDB
import GRDBSQLite

/// Stores events in a SQLite database (WAL), one typed table per payload (see ``SQLiteTable``),
/// exactly once.
///
/// Events are buffered per batch; `submit()` hands them, with the targets' new positions, to the
/// output's writer thread (see ``CommitQueue``), which inserts every batch queued when it wakes
/// and moves the targets' rows of `subscription_checkpoint` in one transaction, so the database
/// never holds an event its checkpoint does not cover, nor a checkpoint past an event it lacks.
/// The owner decodes the next batches meanwhile, and a slow disk means larger transactions. A
/// crash (even `kill -9` in the middle of a commit) leaves the last committed state; the next
/// start resumes after its checkpoint. Inserts are `INSERT OR IGNORE` against
/// `UNIQUE(boot_id, seq)`, so an event received twice (two subscribers of the same target into
/// one database, a checkpoint moved back with `--resume`) is stored once.
///
/// Durability: `synchronous=NORMAL` in WAL mode, so a commit survives any crash of flowtel;
/// power loss may undo the last commits, events *and* checkpoint together, which are then
/// received again from the daemon's ring.
///
/// One writer per database (``OutputLock``); readers such as `flowtel query` may run at any
/// time. Not thread-safe: one owner thread, besides the writer thread it starts. A failed
/// transaction is rolled back and is final (see ``CommitQueue``).
public final class SQLiteOutput {
    /// The database file.
    public let path: String
    /// The keys of this output's rows in `subscription_checkpoint`: the targets subscribed to.
    public let targets: [String]
    /// Each target's checkpoint found at open (absent when there was none).
    public let recovered: [String: OutputCheckpoint.Start]
    /// Where each target's subscription starts: the caller's override, else the recovered
    /// checkpoint, else now.
    public let starts: [String: OutputCheckpoint.Start]

    private let lock: OutputLock
    private let writer: CommitQueue<SQLiteCommit>
    private var pending: [Event] = []
    private var pendingStarts: [String: OutputCheckpoint.Start]
    private var submittedStarts: [String: OutputCheckpoint.Start]

    /// Opens (creating it if needed) the database, takes its lock, creates or checks the schema
    /// and writes the checkpoints, so that an unusable path fails here, before any subscription.
    ///
    /// - Parameters:
    ///   - targets: the checkpoints' keys (one per target subscribed to); one database can store
    ///     any number of targets, each resuming from its own checkpoint.
    ///   - start: where every target starts instead of its checkpoint (`--from-now`,
    ///     `--from-oldest`, `--resume`); nil to resume from the checkpoints, or from now.
    public init(path: String, targets: [String], start override: OutputCheckpoint.Start? = nil) throws(OutputError) {
        precondition(!targets.isEmpty, "at least one target")
        self.path = path
        self.targets = targets
        lock = try OutputLock(outputPath: path, what: "sqlite:\(path)")
        var configuration = Configuration()
        configuration.journalMode = .wal
        // A `flowtel query` checkpointing the WAL holds the write lock for a moment.
        configuration.busyMode = .timeout(10)
        configuration.label = "flowtel-sqlite-output"
        configuration.prepareDatabase { db in
            // The WAL is copied back into the database every 16 MiB rather than every 4 MiB:
            // index pages that many commits touch are copied (and synced) once, not each time.
            // (Pages stay at SQLite's 4 KiB: 32 KiB pages cost a fifth less CPU per insert but
            // make an empty database, with its forty-odd B-trees, weigh 2 MiB.)
            try db.execute(
                sql: "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -131072; PRAGMA temp_store = MEMORY; "
                    + "PRAGMA wal_autocheckpoint = 4096")
        }
        let what = "sqlite:\(path)"
        let database: DatabaseQueue
        do {
            database = try DatabaseQueue(path: path, configuration: configuration)
            try Self.migrate(database, what: what)
            recovered = try database.read { db in
                var found: [String: OutputCheckpoint.Start] = [:]
                for target in targets { found[target] = try Self.readCheckpoint(db, target: target, what: what) }
                return found
            }
        } catch {
            throw Self.outputError(error, opening: true, what: what)
        }
        var starts: [String: OutputCheckpoint.Start] = [:]
        for target in targets { starts[target] = override ?? recovered[target] ?? .now }
        self.starts = starts
        pendingStarts = starts
        submittedStarts = starts
        pending.reserveCapacity(4096)
        let store = SQLiteStore(database: database, what: what)
        try store.write([SQLiteCommit(events: [], starts: starts)])
        writer = try CommitQueue(
            name: "flowtel-sqlite", capacity: 65_536, cost: { $0.events.count },
            process: { jobs throws(OutputError) in try store.write(jobs) })
    }

    deinit {
        writer.stop()
    }

    /// One target's output.
    public convenience init(path: String, target: String, start override: OutputCheckpoint.Start? = nil) throws(OutputError) {
        try self.init(path: path, targets: [target], start: override)
    }

    /// Where `target`'s subscription starts.
    public func start(of target: String) -> OutputCheckpoint.Start { starts[target] ?? .now }

    /// The only target's start (see ``starts``).
    public var start: OutputCheckpoint.Start { start(of: targets[0]) }

    /// The only target's recovered checkpoint (see ``recovered``).
    public var recoveredStart: OutputCheckpoint.Start? { recovered[targets[0]] }

    /// Adds an event of `target`'s stream that takes that target's position to `start` (nil:
    /// it does not move it). Stream control other than gaps is not stored.
    public func append(_ event: Event, target: String, through start: OutputCheckpoint.Start?) {
        switch event.payload {
        case .heartbeat, .syncResponse: break
        default: pending.append(event)
        }
        if let start { pendingStarts[target] = start }
    }

    /// ``append(_:target:through:)`` for the only target.
    public func append(_ event: Event, through start: OutputCheckpoint.Start?) {
        append(event, target: targets[0], through: start)
    }

    /// Hands the buffered events and the moved checkpoints to the writer thread, which stores
    /// them in one transaction (with whatever else is queued by then); returns the commit's
    /// ticket (see ``completions()``), nil when there was nothing to commit. Blocks only while
    /// the writer's queue is full.
    @discardableResult
    public func submit() throws(OutputError) -> UInt64? {
        var moved: [String: OutputCheckpoint.Start] = [:]
        for (target, start) in pendingStarts where submittedStarts[target] != start { moved[target] = start }
        guard !pending.isEmpty || !moved.isEmpty else { return nil }
        var next = writer.reuse()?.events ?? []
        next.removeAll(keepingCapacity: true)
        swap(&pending, &next)
        let ticket = try writer.submit(SQLiteCommit(events: next, starts: moved))
        submittedStarts.merge(moved) { $1 }
        return ticket
    }

    /// The commits that became durable since the last call (their tickets, with when).
    public func completions() throws(OutputError) -> [CommitCompletion] {
        try writer.takeCompletions().map { CommitCompletion(ticket: $0.ticket, time: $0.time) }
    }

    /// Inserts the buffered events and moves the checkpoints, in one transaction, and waits for
    /// it. After it returns, everything appended so far is stored.
    public func commit() throws(OutputError) {
        try submit()
        try writer.waitForAll()
    }

    // MARK: - Schema and checkpoint

    /// The schema's migrations; a database that holds other tables but no flowtel schema is
    /// refused rather than written into.
    static func migrate(_ database: DatabaseQueue, what: String) throws {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("flowtel-v1") { db in
            for table in SQLiteSchema.eventTables {
                for statement in table.createStatements { try db.execute(sql: statement) }
            }
            for statement in SQLiteSchema.otherStatements { try db.execute(sql: statement) }
        }
        migrator.registerMigration("flowtel-v2-session-event-view") { db in
            try db.execute(sql: SQLiteSchema.sessionEventView)
        }
        try database.write { db in
            let tables = try String.fetchAll(
                db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
            if !tables.isEmpty && !tables.contains("grdb_migrations") {
                throw OutputError(
                    code: .inconsistent,
                    message: "\(what) is a SQLite database of something else (tables \(tables.prefix(3).joined(separator: ", ")))"
                        + "; choose another path")
            }
        }
        try migrator.migrate(database)
    }

    static func readCheckpoint(_ db: Database, target: String, what: String) throws -> OutputCheckpoint.Start? {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT start, boot_id, seq FROM subscription_checkpoint WHERE target = ?", arguments: [target])
        else { return nil }
        let start: String = row["start"]
        switch start {
        case "oldest": return .oldest
        case "now": return .now
        case "after":
            let bootText: String? = row["boot_id"]
            let seq: Int64? = row["seq"]
            if let bootText, let boot = BootID(hex: bootText), let seq {
                return .after(ResumePoint(bootID: boot, seq: UInt64(bitPattern: seq)))
            }
        default: break
        }
        throw OutputError(
            code: .checkpoint,
            message: "\(what): the checkpoint of \(target) in subscription_checkpoint is damaged (start '\(start)'); "
                + "delete that row to start the output over")
    }

    static func writeCheckpoint(_ db: Database, target: String, start: OutputCheckpoint.Start) throws {
        let (name, boot, seq): (String, String?, Int64?) =
            switch start {
            case .after(let point): ("after", point.bootID.description, Int64(bitPattern: point.seq))
            case .oldest: ("oldest", nil, nil)
            case .now: ("now", nil, nil)
            }
        try db.execute(
            sql: """
                INSERT INTO subscription_checkpoint (target, start, boot_id, seq, updated) VALUES (?, ?, ?, ?, unixepoch())
                ON CONFLICT (target) DO UPDATE SET
                  start = excluded.start, boot_id = excluded.boot_id, seq = excluded.seq, updated = excluded.updated
                """,
            arguments: [target, name, boot, seq])
    }

    /// What went wrong, in the operator's terms.
    static func outputError(_ error: any Error, opening: Bool, what: String) -> OutputError {
        if let error = error as? OutputError { return error }
        guard let error = error as? DatabaseError else {
            return OutputError(code: opening ? .open : .write, message: "\(what): \(error)")
        }
        let detail = error.message ?? "\(error.resultCode)"
        switch error.resultCode {
        case .SQLITE_FULL:
            return OutputError(
                code: .write, message: "cannot write \(what): the disk is full (\(detail)); nothing after the checkpoint was stored")
        case .SQLITE_CANTOPEN:
            return OutputError(
                code: .open, message: "cannot open \(what): \(detail); check that its directory exists and is writable")
        case .SQLITE_NOTADB:
            return OutputError(code: .inconsistent, message: "\(what) is not a SQLite database; choose another path")
        case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_AUTH:
            return OutputError(code: .open, message: "cannot write \(what): \(detail); check its permissions")
        case .SQLITE_CORRUPT:
            return OutputError(code: .inconsistent, message: "\(what) is damaged: \(detail)")
        default:
            return OutputError(code: opening ? .open : .write, message: "cannot \(opening ? "open" : "write") \(what): \(detail)")
        }
    }
}

/// One commit of a SQLite output: events to insert, and the targets' positions after them.
struct SQLiteCommit: Sendable {
    var events: [Event]
    var starts: [String: OutputCheckpoint.Start]
}

/// The database side of a SQLite output: the connection and its prepared inserts, used by the
/// writer thread only (and by the owner once, at open, before that thread starts).
final class SQLiteStore: @unchecked Sendable {
    // @unchecked: one thread at a time (the owner at open, then the writer thread).
    private let database: DatabaseQueue
    private let what: String
    private var statements: PreparedInserts?
    private var committedStarts: [String: OutputCheckpoint.Start] = [:]

    init(database: DatabaseQueue, what: String) {
        self.database = database
        self.what = what
    }

    /// Stores `jobs` in one transaction: their events, then each target's last position.
    func write(_ jobs: [SQLiteCommit]) throws(OutputError) {
        var moved: [String: OutputCheckpoint.Start] = [:]
        for job in jobs { moved.merge(job.starts) { $1 } }
        do {
            try database.inTransaction(.immediate) { db in
                let statements = try self.preparedStatements(db)
                // Rows a failed transaction left waiting were rolled back with it.
                statements.discardWaitingRows()
                for job in jobs {
                    for event in job.events { try statements.insert(event, db) }
                }
                try statements.flush(db)
                for (target, start) in moved where self.committedStarts[target] != start {
                    try SQLiteOutput.writeCheckpoint(db, target: target, start: start)
                }
                return .commit
            }
        } catch {
            // Rolled back: the checkpoints still cover exactly what the database holds.
            throw SQLiteOutput.outputError(error, opening: committedStarts.isEmpty, what: what)
        }
        committedStarts.merge(moved) { $1 }
    }

    private func preparedStatements(_ db: Database) throws -> PreparedInserts {
        if let statements { return statements }
        let prepared = try PreparedInserts(db)
        statements = prepared
        return prepared
    }
}

/// The output's prepared INSERT statements, bound and stepped through SQLite's C API.
private final class PreparedInserts {
    private let events: [Statement]
    /// The session tables' compact inserts (see ``SQLiteTable/compactInsertSQL``), several
    /// rows per statement.
    private let compactCreate: CompactRows
    private let compactClose: CompactRows
    private let compactDeny: CompactRows
    private let counterSeverity: Statement
    private let counterError: Statement
    private let snapshotItem: Statement
    private let gap: Statement
    /// A row's text, bound in place (see ``SQLiteRowBinder``).
    private let arena = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 64 << 10)

    deinit { arena.deallocate() }

    init(_ db: Database) throws {
        events = try SQLiteSchema.eventTables.map { try db.makeStatement(sql: $0.insertSQL) }
        compactCreate = try CompactRows(SQLiteSchema.sessionCreate, db) { binder, event in
            guard case .sessionCreate(let create) = event.payload else { preconditionFailure("a create row") }
            binder.envelope(event)
            binder.session(create.session)
        }
        compactClose = try CompactRows(SQLiteSchema.sessionClose, db) { binder, event in
            guard case .sessionClose(let close) = event.payload else { preconditionFailure("a close row") }
            binder.envelope(event)
            binder.close(close)
        }
        compactDeny = try CompactRows(SQLiteSchema.sessionDeny, db) { binder, event in
            guard case .sessionDeny(let deny) = event.payload else { preconditionFailure("a deny row") }
            binder.envelope(event)
            binder.deny(deny)
        }
        counterSeverity = try db.makeStatement(
            sql: "INSERT INTO fpc_error_counters_severity (event_id, severity, occurred, cleared, threshold, actions) "
                + "VALUES (?, ?, ?, ?, ?, ?)")
        counterError = try db.makeStatement(
            sql: "INSERT INTO fpc_error_counters_error (event_id, error_id, module, severity, error_type, occurred, "
                + "cleared, last_occurred, last_cleared) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
        snapshotItem = try db.makeStatement(sql: "INSERT INTO fpc_state_snapshot_item (event_id, name, value) VALUES (?, ?, ?)")
        gap = try db.makeStatement(
            sql: "INSERT OR IGNORE INTO gap (node, boot_id, time, gap_boot_id, first_seq, last_seq, reason, detail) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
    }

    func insert(_ event: Event, _ db: Database) throws {
        switch event.payload {
        case .sessionCreate(let create):
            if create.session.hasExtensions {
                try row(.sessionCreate, event, db) { $0.session(create.session) }
            } else {
                try compactCreate.add(event, arena: arena, db)
            }
        case .sessionClose(let close):
            if close.hasExtensions || close.session.hasExtensions {
                try row(.sessionClose, event, db) { $0.close(close) }
            } else {
                try compactClose.add(event, arena: arena, db)
            }
        case .sessionDeny(let deny):
            if deny.hasExtensions {
                try row(.sessionDeny, event, db) { $0.deny(deny) }
            } else {
                try compactDeny.add(event, arena: arena, db)
            }
        case .fpcError(let error):
            try row(.fpcError, event, db) {
                $0.integer(error.slot)
                $0.integer(error.pic)
                $0.text(error.errorID)
                $0.text(error.module)
                $0.text(error.severity)
                $0.text(error.errorType)
                $0.integer(error.count)
                $0.integer(error.severityTotal)
                $0.text(error.description)
            }
        case .fpcErrorCounters(let counters):
            guard
                let id = try row(
                    .fpcErrorCounters, event, db,
                    {
                        $0.integer(counters.slot)
                        $0.text(counters.fpcType)
                    })
            else { return }
            for severity in counters.severities {
                try child(counterSeverity, db) {
                    $0.integer(id)
                    $0.text(severity.severity)
                    $0.integer(severity.occurred)
                    $0.integer(severity.cleared)
                    $0.integer(severity.threshold)
                    $0.text(severity.actions.map(\.description).joined(separator: ","))
                }
            }
            for error in counters.errors {
                try child(counterError, db) {
                    $0.integer(id)
                    $0.text(error.errorID)
                    $0.text(error.module)
                    $0.text(error.severity)
                    $0.text(error.errorType)
                    $0.integer(error.occurred)
                    $0.integer(error.cleared)
                    if let time = error.lastOccurred { $0.integer(time.unixNanos) } else { $0.skip() }
                    if let time = error.lastCleared { $0.integer(time.unixNanos) } else { $0.skip() }
                }
            }
        case .fpcErrorAction(let action):
            try row(.fpcErrorAction, event, db) {
                $0.integer(action.slot)
                $0.text(action.severity)
                $0.text(action.errorType)
                $0.integer(action.threshold)
                $0.integer(action.count)
                $0.text(action.action)
                $0.text(action.detail)
            }
        case .fpcStateSnapshot(let snapshot):
            guard
                let id = try row(
                    .fpcStateSnapshot, event, db,
                    {
                        $0.integer(snapshot.slot)
                        $0.text(snapshot.fpcType)
                        $0.text(snapshot.state)
                        $0.text(snapshot.file)
                    })
            else { return }
            for item in snapshot.items {
                try child(snapshotItem, db) {
                    $0.integer(id)
                    $0.text(item.name)
                    $0.integer(item.value)
                }
            }
        case .alarmRaised(let alarm):
            try row(.alarmRaised, event, db) {
                $0.integer(alarm.alarmID)
                $0.text(alarm.alarmClass)
                $0.text(alarm.description)
                $0.integer(alarm.slot)
                $0.text(alarm.errorID)
            }
        case .alarmCleared(let alarm):
            try row(.alarmCleared, event, db) {
                $0.integer(alarm.alarmID)
                $0.text(alarm.alarmClass)
                $0.text(alarm.description)
                $0.integer(alarm.slot)
                $0.text(alarm.reason)
            }
        case .wedgeDetected(let wedge):
            try row(.wedgeDetected, event, db) {
                $0.integer(wedge.slot)
                $0.integer(wedge.pic)
                $0.text(wedge.stage)
                $0.integer(wedge.stalledMillis)
                $0.integer(wedge.pending)
                $0.integer(wedge.irreversible ? 1 : 0)
            }
        case .wedgeCleared(let wedge):
            try row(.wedgeCleared, event, db) {
                $0.integer(wedge.slot)
                $0.integer(wedge.pic)
                $0.text(wedge.stage)
                $0.integer(wedge.durationMillis)
            }
        case .fpcStateChange(let change):
            try row(.fpcStateChange, event, db) {
                $0.integer(change.slot)
                $0.text(change.fpcType)
                $0.text(change.previousState)
                $0.text(change.state)
                $0.text(change.reason)
            }
        case .clusterFailover(let failover):
            try row(.clusterFailover, event, db) {
                $0.integer(failover.redundancyGroup)
                $0.integer(failover.previousPrimary)
                $0.integer(failover.newPrimary)
                $0.text(failover.reason)
                $0.integer(failover.failoverCount)
            }
        case .gap(let gap):
            try child(self.gap, db) {
                $0.text(event.node)
                $0.text(event.bootID)
                $0.integer(event.time.unixNanos)
                $0.text(gap.bootID)
                $0.integer(gap.firstSeq)
                $0.integer(gap.lastSeq)
                $0.text(gap.reason)
                $0.text(gap.detail)
            }
        case .heartbeat, .syncResponse:
            break
        }
    }

    /// Inserts the compact rows still waiting for a full statement; called before the
    /// transaction commits.
    func flush(_ db: Database) throws {
        for rows in [compactCreate, compactClose, compactDeny] { try rows.flush(arena: arena, db) }
    }

    /// Forgets the rows waiting (those of a transaction that failed, rolled back).
    func discardWaitingRows() {
        for rows in [compactCreate, compactClose, compactDeny] { rows.discard() }
    }

    /// Inserts an event row; returns its rowid, or nil when the event was already stored.
    @discardableResult
    private func row(
        _ table: SQLiteTableID, _ event: Event, _ db: Database, _ bind: (inout SQLiteRowBinder) -> Void
    ) throws -> Int64? {
        try child(events[table.rawValue], db) {
            $0.envelope(event)
            bind(&$0)
        }
        return db.changesCount > 0 ? db.lastInsertedRowID : nil
    }

    /// Binds and runs one insert.
    private func child(_ statement: Statement, _ db: Database, _ bind: (inout SQLiteRowBinder) -> Void) throws {
        let handle = statement.sqliteStatement
        // Reset after every step (below), so ready to bind; the values not bound are NULL.
        sqlite3_clear_bindings(handle)
        var binder = SQLiteRowBinder(handle, arena: arena)
        bind(&binder)
        try Self.step(handle, db)
    }

    /// Runs a bound insert and resets it.
    static func step(_ handle: OpaquePointer, _ db: Database) throws {
        let code = sqlite3_step(handle)
        sqlite3_reset(handle)
        // SQLITE_DONE: inserted (or ignored). Anything else (SQLITE_FULL, SQLITE_IOERR,
        // SQLITE_CORRUPT, SQLITE_BUSY, …) is the world's and rolls the transaction back.
        guard code == SQLITE_DONE else {
            throw DatabaseError(
                resultCode: ResultCode(rawValue: code),
                message: db.sqliteConnection.map { String(cString: sqlite3_errmsg($0)) } ?? "")
        }
    }
}

/// A session table's compact rows, inserted `rowsPerStatement` at a time with one multi-row
/// `INSERT OR IGNORE … VALUES (…), (…), …` (the rest, at the end of a transaction, one by
/// one): each statement execution opens and closes a cursor on the table and each of its
/// indexes, which costs about as much as a row's inserts themselves, so one execution per
/// row doubled the cost of a row. Each row's conflict is still resolved on its own, and rows
/// are inserted in the order they were added.
private final class CompactRows {
    static let rowsPerStatement = 16

    private let single: Statement
    private let multiple: Statement
    private let width: Int32
    private let bind: (inout SQLiteRowBinder, Event) -> Void
    /// Rows added and not yet inserted (fewer than `rowsPerStatement`).
    private var waiting: [Event] = []

    init(_ table: SQLiteTable, _ db: Database, bind: @escaping (inout SQLiteRowBinder, Event) -> Void) throws {
        single = try db.makeStatement(sql: table.compactInsertSQL(rows: 1))
        multiple = try db.makeStatement(sql: table.compactInsertSQL(rows: Self.rowsPerStatement))
        width = Int32(table.compactColumnCount)
        self.bind = bind
        waiting.reserveCapacity(Self.rowsPerStatement)
    }

    /// Adds `event`'s row; inserts the waiting rows once there are enough for a statement.
    func add(_ event: Event, arena: UnsafeMutableBufferPointer<UInt8>, _ db: Database) throws {
        waiting.append(event)
        guard waiting.count == Self.rowsPerStatement else { return }
        defer { waiting.removeAll(keepingCapacity: true) }
        let handle = multiple.sqliteStatement
        // Each row's text in its own part of the arena: all are bound in place until the step.
        let slot = arena.count / Self.rowsPerStatement
        for (index, event) in waiting.enumerated() {
            let part = UnsafeMutableBufferPointer(rebasing: arena[(index * slot)..<((index + 1) * slot)])
            var binder = SQLiteRowBinder(handle, arena: part, firstIndex: Int32(index) * width)
            binder.compact = true
            bind(&binder, event)
        }
        try PreparedInserts.step(handle, db)
    }

    /// Inserts the waiting rows one by one.
    func flush(arena: UnsafeMutableBufferPointer<UInt8>, _ db: Database) throws {
        defer { waiting.removeAll(keepingCapacity: true) }
        let handle = single.sqliteStatement
        for event in waiting {
            var binder = SQLiteRowBinder(handle, arena: arena)
            binder.compact = true
            bind(&binder, event)
            try PreparedInserts.step(handle, db)
        }
    }

    func discard() { waiting.removeAll(keepingCapacity: true) }
}
