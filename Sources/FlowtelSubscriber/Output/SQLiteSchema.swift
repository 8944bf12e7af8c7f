/// The tables of a SQLite output: one per payload, with typed columns.
///
/// Every event table starts with the envelope (`node`, `boot_id` as 16 hex digits, `seq`,
/// `time` as nanoseconds since the Unix epoch) and carries `UNIQUE(boot_id, seq)`, so storing
/// an event twice (a batch received again after a crash) changes nothing. Addresses are text
/// (`10.0.0.1`, `2001:db8::1`), enumerations their RT_FLOW spelling (`TCP FIN`, `source rule`),
/// 64-bit counters INTEGER (two's complement above 2^63). The RT_FLOW fields flowtel does not
/// compute (AppID, user firewall, VRF, …) are NULL unless a peer set them.
///
/// Nested lists (an FPC's counters, a get-state snapshot's items) go into child tables keyed
/// by the event's rowid. `subscription_checkpoint` holds each target's resume point (and when it
/// last moved, seconds since the epoch) and is updated in the same transaction as the events it
/// covers.
struct SQLiteTable: Sendable {
    /// The table's name.
    let name: String
    /// Column definitions after the envelope, `name TYPE`, in binding order.
    let columns: [String]
    /// Column lists to index, besides `UNIQUE(boot_id, seq)`.
    let indexes: [[String]]

    /// The columns' names, in binding order.
    var columnNames: [String] { columns.map { String($0.prefix { $0 != " " }) } }

    /// `CREATE TABLE` and `CREATE INDEX` statements.
    var createStatements: [String] {
        let definitions = ["id INTEGER PRIMARY KEY", "node TEXT NOT NULL", "boot_id TEXT NOT NULL", "seq INTEGER NOT NULL",
            "time INTEGER NOT NULL"] + columns + ["UNIQUE(boot_id, seq)"]
        var statements = ["CREATE TABLE \(name) (\n  " + definitions.joined(separator: ",\n  ") + "\n)"]
        for columns in [["time"]] + indexes {
            statements.append("CREATE INDEX \(name)_\(columns.joined(separator: "_")) ON \(name) (\(columns.joined(separator: ", ")))")
        }
        return statements
    }

    /// The insert, ignoring an event already stored.
    var insertSQL: String {
        let names = ["node", "boot_id", "seq", "time"] + columnNames
        return "INSERT OR IGNORE INTO \(name) (\(names.joined(separator: ", "))) VALUES ("
            + Array(repeating: "?", count: names.count).joined(separator: ", ") + ")"
    }

    /// The insert of the envelope and the `NOT NULL` columns only, for an event without the
    /// RT_FLOW fields flowtel does not compute (all of flowtel's own): the nullable columns are
    /// left to their default, NULL, rather than bound one by one.
    var compactInsertSQL: String { compactInsertSQL(rows: 1) }

    /// The compact insert of `rows` rows at once (their parameters one row after the other).
    func compactInsertSQL(rows: Int) -> String {
        let row = "(" + Array(repeating: "?", count: compactColumnCount).joined(separator: ", ") + ")"
        return "INSERT OR IGNORE INTO \(name) (\(compactColumnNames.joined(separator: ", "))) VALUES "
            + Array(repeating: row, count: rows).joined(separator: ", ")
    }

    /// The parameters of a compact insert's row.
    var compactColumnCount: Int { compactColumnNames.count }

    private var compactColumnNames: [String] {
        ["node", "boot_id", "seq", "time"] + columns.filter { $0.hasSuffix("NOT NULL") }.map { String($0.prefix { $0 != " " }) }
    }

    /// The envelope and the columns, for reading events back.
    var selectList: String { (["node", "boot_id", "seq", "time"] + columnNames).joined(separator: ", ") }
}

enum SQLiteSchema {
    /// The session fields shared by create and close, in ``SQLiteRowBinder/bind(_:)-SessionInfo``'s order.
    static let sessionColumns = [
        "source_address TEXT NOT NULL", "source_port INTEGER NOT NULL",
        "destination_address TEXT NOT NULL", "destination_port INTEGER NOT NULL",
        "connection_tag INTEGER NOT NULL", "service_name TEXT NOT NULL",
        "nat_source_address TEXT NOT NULL", "nat_source_port INTEGER NOT NULL",
        "nat_destination_address TEXT NOT NULL", "nat_destination_port INTEGER NOT NULL",
        "nat_connection_tag INTEGER NOT NULL",
        "src_nat_rule_type TEXT NOT NULL", "src_nat_rule_name TEXT NOT NULL",
        "dst_nat_rule_type TEXT NOT NULL", "dst_nat_rule_name TEXT NOT NULL",
        "protocol_id INTEGER NOT NULL", "policy_name TEXT NOT NULL", "policy_index INTEGER NOT NULL",
        "source_zone_name TEXT NOT NULL", "destination_zone_name TEXT NOT NULL",
        "session_id INTEGER NOT NULL", "packet_incoming_interface TEXT NOT NULL", "egress_interface TEXT NOT NULL",
        "fpc INTEGER NOT NULL", "pic INTEGER NOT NULL", "timeout INTEGER NOT NULL",
        // Not computed by flowtel: NULL unless a peer set them.
        "username TEXT", "roles TEXT", "application TEXT", "nested_application TEXT", "encrypted TEXT",
        "application_category TEXT", "application_sub_category TEXT", "application_risk INTEGER",
        "application_characteristics TEXT", "src_vrf_group TEXT", "dst_vrf_group TEXT", "tunnel_inspection TEXT",
        "tunnel_inspection_policy_set TEXT", "source_tenant TEXT", "destination_service TEXT",
        "dst_identity_context_name TEXT", "dst_identity_context_roles TEXT",
    ]

    /// Indexes every session table has: addresses, policy, zones (time has its own, on every
    /// event table). Operators look sessions up by address most of all; the two address indexes
    /// cost about a third of an insert (addresses are the one random key of a row).
    static let sessionIndexes = [
        ["source_address"], ["destination_address"], ["policy_name"], ["source_zone_name", "destination_zone_name"],
    ]

    static let sessionCreate = SQLiteTable(name: "session_create", columns: sessionColumns, indexes: sessionIndexes)

    static let sessionClose = SQLiteTable(
        name: "session_close",
        columns: sessionColumns + [
            "reason TEXT NOT NULL", "packets_from_client INTEGER NOT NULL", "bytes_from_client INTEGER NOT NULL",
            "packets_from_server INTEGER NOT NULL", "bytes_from_server INTEGER NOT NULL",
            "elapsed_time INTEGER NOT NULL", "start_time INTEGER NOT NULL",
            // Not computed by flowtel: NULL unless a peer set them.
            "secure_web_proxy_session_type TEXT", "peer_session_id INTEGER", "peer_source_address TEXT",
            "peer_source_port INTEGER", "peer_destination_address TEXT", "peer_destination_port INTEGER",
            "hostname TEXT", "session_flag INTEGER", "user_type TEXT", "url_host TEXT", "url_category TEXT",
            "url_risk INTEGER", "src_vrf TEXT", "dst_vrf TEXT", "forwarded_for TEXT",
        ],
        indexes: sessionIndexes)

    static let sessionDeny = SQLiteTable(
        name: "session_deny",
        columns: [
            "source_address TEXT NOT NULL", "source_port INTEGER NOT NULL",
            "destination_address TEXT NOT NULL", "destination_port INTEGER NOT NULL",
            "connection_tag INTEGER NOT NULL", "service_name TEXT NOT NULL", "protocol_id INTEGER NOT NULL",
            "icmp_type INTEGER NOT NULL", "policy_name TEXT NOT NULL", "policy_index INTEGER NOT NULL",
            "source_zone_name TEXT NOT NULL", "destination_zone_name TEXT NOT NULL",
            "packet_incoming_interface TEXT NOT NULL", "action TEXT NOT NULL", "session_id INTEGER NOT NULL",
            "fpc INTEGER NOT NULL", "pic INTEGER NOT NULL",
            // Not computed by flowtel: NULL unless a peer set them.
            "application TEXT", "nested_application TEXT", "username TEXT", "roles TEXT", "encrypted TEXT",
            "application_category TEXT", "application_sub_category TEXT", "application_risk INTEGER",
            "application_characteristics TEXT", "src_vrf_group TEXT", "dst_vrf_group TEXT", "source_tenant TEXT",
            "destination_service TEXT",
        ],
        indexes: sessionIndexes)

    static let fpcError = SQLiteTable(
        name: "fpc_error",
        columns: [
            "slot INTEGER NOT NULL", "pic INTEGER NOT NULL", "error_id TEXT NOT NULL", "module TEXT NOT NULL",
            "severity TEXT NOT NULL", "error_type TEXT NOT NULL", "count INTEGER NOT NULL",
            "severity_total INTEGER NOT NULL", "description TEXT NOT NULL",
        ],
        indexes: [["slot"]])

    /// Its lists are in `fpc_error_counters_severity` and `fpc_error_counters_error`.
    static let fpcErrorCounters = SQLiteTable(
        name: "fpc_error_counters", columns: ["slot INTEGER NOT NULL", "fpc_type TEXT NOT NULL"], indexes: [["slot"]])

    static let fpcErrorAction = SQLiteTable(
        name: "fpc_error_action",
        columns: [
            "slot INTEGER NOT NULL", "severity TEXT NOT NULL", "error_type TEXT NOT NULL", "threshold INTEGER NOT NULL",
            "count INTEGER NOT NULL", "action TEXT NOT NULL", "detail TEXT NOT NULL",
        ],
        indexes: [["slot"]])

    /// Its items are in `fpc_state_snapshot_item`.
    static let fpcStateSnapshot = SQLiteTable(
        name: "fpc_state_snapshot",
        columns: ["slot INTEGER NOT NULL", "fpc_type TEXT NOT NULL", "state TEXT NOT NULL", "file TEXT NOT NULL"],
        indexes: [["slot"]])

    static let alarmRaised = SQLiteTable(
        name: "alarm_raised",
        columns: [
            "alarm_id INTEGER NOT NULL", "alarm_class TEXT NOT NULL", "description TEXT NOT NULL",
            "slot INTEGER NOT NULL", "error_id TEXT NOT NULL",
        ],
        indexes: [["alarm_id"]])

    static let alarmCleared = SQLiteTable(
        name: "alarm_cleared",
        columns: [
            "alarm_id INTEGER NOT NULL", "alarm_class TEXT NOT NULL", "description TEXT NOT NULL",
            "slot INTEGER NOT NULL", "reason TEXT NOT NULL",
        ],
        indexes: [["alarm_id"]])

    static let wedgeDetected = SQLiteTable(
        name: "wedge_detected",
        columns: [
            "slot INTEGER NOT NULL", "pic INTEGER NOT NULL", "stage TEXT NOT NULL", "stalled_ms INTEGER NOT NULL",
            "pending INTEGER NOT NULL", "irreversible INTEGER NOT NULL",
        ],
        indexes: [["slot"]])

    static let wedgeCleared = SQLiteTable(
        name: "wedge_cleared",
        columns: ["slot INTEGER NOT NULL", "pic INTEGER NOT NULL", "stage TEXT NOT NULL", "duration_ms INTEGER NOT NULL"],
        indexes: [["slot"]])

    static let fpcStateChange = SQLiteTable(
        name: "fpc_state_change",
        columns: [
            "slot INTEGER NOT NULL", "fpc_type TEXT NOT NULL", "previous_state TEXT NOT NULL", "state TEXT NOT NULL",
            "reason TEXT NOT NULL",
        ],
        indexes: [["slot"]])

    static let clusterFailover = SQLiteTable(
        name: "cluster_failover",
        columns: [
            "redundancy_group INTEGER NOT NULL", "previous_primary INTEGER NOT NULL", "new_primary INTEGER NOT NULL",
            "reason TEXT NOT NULL", "failover_count INTEGER NOT NULL",
        ],
        indexes: [])

    /// Every event table, in ``SQLiteTableID`` order.
    static let eventTables = [
        sessionCreate, sessionClose, sessionDeny, fpcError, fpcErrorCounters, fpcErrorAction, fpcStateSnapshot,
        alarmRaised, alarmCleared, wedgeDetected, wedgeCleared, fpcStateChange, clusterFailover,
    ]

    /// Everything else: child tables, gaps, checkpoints.
    static let otherStatements = [
        """
        CREATE TABLE fpc_error_counters_severity (
          event_id INTEGER NOT NULL REFERENCES fpc_error_counters(id) ON DELETE CASCADE,
          severity TEXT NOT NULL, occurred INTEGER NOT NULL, cleared INTEGER NOT NULL,
          threshold INTEGER NOT NULL, actions TEXT NOT NULL
        )
        """,
        "CREATE INDEX fpc_error_counters_severity_event ON fpc_error_counters_severity (event_id)",
        """
        CREATE TABLE fpc_error_counters_error (
          event_id INTEGER NOT NULL REFERENCES fpc_error_counters(id) ON DELETE CASCADE,
          error_id TEXT NOT NULL, module TEXT NOT NULL, severity TEXT NOT NULL, error_type TEXT NOT NULL,
          occurred INTEGER NOT NULL, cleared INTEGER NOT NULL, last_occurred INTEGER, last_cleared INTEGER
        )
        """,
        "CREATE INDEX fpc_error_counters_error_event ON fpc_error_counters_error (event_id)",
        """
        CREATE TABLE fpc_state_snapshot_item (
          event_id INTEGER NOT NULL REFERENCES fpc_state_snapshot(id) ON DELETE CASCADE,
          name TEXT NOT NULL, value INTEGER NOT NULL
        )
        """,
        "CREATE INDEX fpc_state_snapshot_item_event ON fpc_state_snapshot_item (event_id)",
        // A gap is stored once however often it is received again: its range is its identity.
        """
        CREATE TABLE gap (
          id INTEGER PRIMARY KEY, node TEXT NOT NULL, boot_id TEXT NOT NULL, time INTEGER NOT NULL,
          gap_boot_id TEXT NOT NULL, first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL,
          reason TEXT NOT NULL, detail TEXT NOT NULL,
          UNIQUE(boot_id, gap_boot_id, first_seq, last_seq, reason)
        )
        """,
        "CREATE INDEX gap_time ON gap (time)",
        """
        CREATE TABLE subscription_checkpoint (
          target TEXT PRIMARY KEY, start TEXT NOT NULL, boot_id TEXT, seq INTEGER, updated INTEGER NOT NULL
        )
        """,
    ]
}

extension SQLiteSchema {
    /// `session_event`: every session event of the three session tables in one view with their
    /// common columns and `kind` (`session-create`, `session-close`, `session-deny`), so a plain
    /// SQL client can ask across them (`… WHERE source_address = ? ORDER BY time`). Columns a
    /// kind does not have are NULL (`reason` and the counters outside closes, NAT outside
    /// creates and closes; `action` only for denies).
    static let sessionEventView: String = {
        let common = [
            "id", "node", "boot_id", "seq", "time", "source_address", "source_port", "destination_address",
            "destination_port", "protocol_id", "service_name", "policy_name", "source_zone_name",
            "destination_zone_name", "packet_incoming_interface", "session_id",
        ]
        let nat = ["nat_source_address", "nat_source_port", "nat_destination_address", "nat_destination_port"]
        let close = ["reason", "packets_from_client", "bytes_from_client", "packets_from_server", "bytes_from_server", "elapsed_time"]
        func select(_ kind: String, _ table: String, nat hasNAT: Bool, close hasClose: Bool, action: Bool) -> String {
            let columns =
                ["'\(kind)' AS kind"] + common + nat.map { hasNAT ? $0 : "NULL AS \($0)" }
                + close.map { hasClose ? $0 : "NULL AS \($0)" } + [action ? "action" : "NULL AS action"]
            return "SELECT " + columns.joined(separator: ", ") + " FROM \(table)"
        }
        return "CREATE VIEW session_event AS\n"
            + [
                select("session-create", "session_create", nat: true, close: false, action: false),
                select("session-close", "session_close", nat: true, close: true, action: false),
                select("session-deny", "session_deny", nat: false, close: false, action: true),
            ].joined(separator: "\nUNION ALL\n")
    }()
}

/// Indexes into ``SQLiteSchema/eventTables``.
enum SQLiteTableID: Int, CaseIterable {
    case sessionCreate, sessionClose, sessionDeny, fpcError, fpcErrorCounters, fpcErrorAction, fpcStateSnapshot
    case alarmRaised, alarmCleared, wedgeDetected, wedgeCleared, fpcStateChange, clusterFailover

    var table: SQLiteTable { SQLiteSchema.eventTables[rawValue] }
}
