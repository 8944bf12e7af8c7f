public import FlowtelCore

/// The text of the chassis operational commands: `show chassis fpc`, `show chassis fpc errors`,
/// `show chassis alarms` and `show chassis fpc slot N wedge-detect`.
///
/// Pure functions of the views the daemon returns: every function returns the whole output,
/// each line ending in a newline. Times are printed in UTC as `2021-08-28 16:31:19 UTC`, as
/// `show chassis alarms` prints them; an absent time is `-`.
///
/// Only `show chassis alarms` reproduces a published Junos layout. The other tables are
/// flowtel's own: columns are as wide as their widest cell, two spaces apart, text left-aligned
/// and numbers right-aligned.
public enum ChassisText {
    // MARK: - show chassis fpc

    /// `show chassis fpc`: one line per slot.
    ///
    /// flowtel's layout: Junos's table (`Slot State Temp CPU Utilization(%) Memory …`) reports
    /// temperatures and CPU, which flowtel does not have, so this one shows the card type, the
    /// state, the PICs (SPUs), the sessions the card's SPUs hold, and the uptime last, in the
    /// words of Junos's `Uptime` lines (`1 hour, 2 minutes, 3 seconds`; `-` when not online).
    ///
    ///     Slot  Type  State    PICs  Sessions  Uptime
    ///        0  IOC3  Online      1         0  1 hour, 2 minutes, 3 seconds
    ///        1  SPC2  Offline     4         0  -
    public static func fpcs(_ fpcs: [FpcStatus]) -> String {
        var table = Table([
            ("Slot", .right), ("Type", .left), ("State", .left), ("PICs", .right), ("Sessions", .right),
            ("Uptime", .left),
        ])
        for fpc in fpcs {
            let uptime = fpc.state == .online ? self.uptime(seconds: fpc.uptimeSeconds) : "-"
            table.add(["\(fpc.slot)", "\(fpc.fpcType)", "\(fpc.state)", "\(fpc.pics)", "\(fpc.sessions)", uptime])
        }
        return table.text
    }

    /// `seconds` in the words of Junos's `Uptime` lines: `2 days, 3 hours, 4 minutes, 5 seconds`,
    /// units that are zero left out, `1 hour` singular; `0 seconds` for 0.
    public static func uptime(seconds: UInt64) -> String {
        let units: [(UInt64, String)] = [(86_400, "day"), (3600, "hour"), (60, "minute"), (1, "second")]
        var remaining = seconds
        var parts: [String] = []
        for (size, name) in units {
            let count = remaining / size
            remaining %= size
            if count > 0 { parts.append(plural(count, name)) }
        }
        return parts.isEmpty ? "0 seconds" : parts.joined(separator: ", ")
    }

    // MARK: - show chassis fpc errors

    /// `show chassis fpc errors [slot N]`: per FPC a header `FPC N (SPC2)`, the counters of each
    /// severity with the threshold and actions in force, then each catalogued error's counters.
    /// FPCs are separated by a blank line.
    ///
    /// flowtel's layout (Junos never published this command's output):
    ///
    ///     FPC 1 (SPC2)
    ///       Severity  Occurred  Cleared  Threshold  Actions
    ///       major            5        2          1  alarm, get-state
    ///
    ///       Error                   Module  Severity  Type      Count  Cleared  Last occurrence
    ///       spc-session-table-full  flow    major     resource      5        2  2026-11-29 10:00:00 UTC
    public static func fpcErrors(_ fpcs: [FpcErrorCounters]) -> String {
        var blocks: [String] = []
        for fpc in fpcs {
            var text = "FPC \(fpc.slot) (\(fpc.fpcType))\n"
            var severities = Table(
                [("Severity", .left), ("Occurred", .right), ("Cleared", .right), ("Threshold", .right), ("Actions", .left)],
                indent: 2)
            for counters in fpc.severities {
                let actions = counters.actions.isEmpty ? "-" : counters.actions.map(\.description).joined(separator: ", ")
                severities.add([
                    "\(counters.severity)", "\(counters.occurred)", "\(counters.cleared)", "\(counters.threshold)", actions,
                ])
            }
            if !fpc.severities.isEmpty { text += severities.text + "\n" }
            if fpc.errors.isEmpty {
                text += "  No errors catalogued\n"
            } else {
                var errors = Table(
                    [
                        ("Error", .left), ("Module", .left), ("Severity", .left), ("Type", .left), ("Count", .right),
                        ("Cleared", .right), ("Last occurrence", .left),
                    ], indent: 2)
                for error in fpc.errors {
                    errors.add([
                        error.errorID, error.module.isEmpty ? "-" : error.module, "\(error.severity)",
                        error.errorType.isEmpty ? "-" : error.errorType, "\(error.occurred)", "\(error.cleared)",
                        time(error.lastOccurred),
                    ])
                }
                text += errors.text
            }
            blocks.append(text)
        }
        return blocks.joined(separator: "\n")
    }

    // MARK: - show chassis fpc errors history

    /// `show chassis fpc errors [slot N] history`: the occurrences kept in memory, oldest
    /// first (flowtel's own layout), or `No errors recorded`.
    ///
    ///     Time                     FPC  PIC  Error                 Severity  Count  Detail
    ///     2026-11-29 10:00:00 UTC    0    0  ioc-malformed-packet  minor         3  frame failed decoding …
    public static func fpcErrorHistory(_ entries: [FpcErrorRecord]) -> String {
        guard !entries.isEmpty else { return "No errors recorded\n" }
        var table = Table([
            ("Time", .left), ("FPC", .right), ("PIC", .right), ("Error", .left), ("Severity", .left), ("Count", .right),
            ("Detail", .left),
        ])
        for entry in entries {
            table.add([
                time(entry.time), "\(entry.slot)", "\(entry.pic)", entry.errorID, "\(entry.severity)", "\(entry.count)",
                entry.detail.isEmpty ? "-" : entry.detail,
            ])
        }
        return table.text
    }

    // MARK: - show chassis alarms

    /// `show chassis alarms`, in Junos's layout: `N alarms currently active` (`1 alarm …`,
    /// `No alarms currently active`), then a header and one line per alarm: the time in a
    /// 25-column field, the class in a 7-column field, the description.
    ///
    ///     1 alarm currently active
    ///     Alarm time               Class  Description
    ///     2021-08-28 16:31:19 UTC  Major  FPC 1 Major Errors - session table full
    public static func alarms(_ alarms: [ActiveAlarm]) -> String {
        guard !alarms.isEmpty else { return "No alarms currently active\n" }
        var text = alarms.count == 1 ? "1 alarm currently active\n" : "\(alarms.count) alarms currently active\n"
        text += pad("Alarm time", 25) + pad("Class", 7) + "Description\n"
        for alarm in alarms {
            text += pad(time(alarm.time), 25) + pad("\(alarm.alarmClass)", 7) + alarm.description + "\n"
        }
        return text
    }

    // MARK: - show chassis fpc slot N wedge-detect

    /// `show chassis fpc slot N wedge-detect`: the detector's settings, one line per watchdog (a
    /// stage of a PIC) with its state, and the FPC's wedges, oldest first. A wedge's duration
    /// runs from its stalled-since time to when it cleared.
    ///
    /// flowtel's layout (Junos has no such command):
    ///
    ///     FPC 1 (SPC2) wedge detection
    ///     Detect after: 2 s, irreversible after: 10 s
    ///
    ///     PIC  Stage  State   Pending  Completed  Last progress            Detections  Irreversible
    ///       0  XM     Normal        0        120  2026-11-29 10:00:00 UTC           0             0
    ///
    ///     Wedge history:
    ///     PIC  Stage  Stalled since            Detected                 Irreversible  Cleared                  Duration
    ///       0  LU     2026-11-29 10:00:00 UTC  2026-11-29 10:00:02 UTC  -             2026-11-29 10:00:03 UTC       3 s
    public static func wedgeDetect(_ view: WedgeDetectView) -> String {
        var text = "FPC \(view.slot) (\(view.fpcType)) wedge detection\n"
        text += "Detect after: \(seconds(millis: view.detectAfterMillis)), "
            + "irreversible after: \(seconds(millis: view.irreversibleAfterMillis))\n\n"
        if view.watchdogs.isEmpty {
            text += "No watchdogs running\n"
        } else {
            var watchdogs = Table([
                ("PIC", .right), ("Stage", .left), ("State", .left), ("Pending", .right), ("Completed", .right),
                ("Last progress", .left), ("Detections", .right), ("Irreversible", .right),
            ])
            for watchdog in view.watchdogs {
                let state =
                    watchdog.stalledSince == nil ? "Normal" : watchdog.irreversible ? "Wedged (irreversible)" : "Wedged"
                watchdogs.add([
                    "\(watchdog.pic)", "\(watchdog.stage)", state, "\(watchdog.pending)", "\(watchdog.completed)",
                    time(watchdog.lastProgress), "\(watchdog.detections)", "\(watchdog.irreversibleCount)",
                ])
            }
            text += watchdogs.text
        }
        text += "\n"
        guard !view.history.isEmpty else { return text + "No wedges detected\n" }
        text += "Wedge history:\n"
        var history = Table([
            ("PIC", .right), ("Stage", .left), ("Stalled since", .left), ("Detected", .left), ("Irreversible", .left),
            ("Cleared", .left), ("Duration", .right),
        ])
        for record in view.history {
            let duration = record.cleared.map { cleared in
                seconds(millis: cleared.unixNanos >= record.stalledSince.unixNanos
                    ? (cleared.unixNanos - record.stalledSince.unixNanos) / 1_000_000 : 0)
            }
            history.add([
                "\(record.pic)", "\(record.stage)", time(record.stalledSince), time(record.detected),
                time(record.irreversible), time(record.cleared), duration ?? "-",
            ])
        }
        return text + history.text
    }

    /// `millis` as seconds with up to three decimals, trailing zeros dropped: `2 s`, `1.5 s`,
    /// `0.25 s`.
    public static func seconds(millis: UInt64) -> String {
        let whole = millis / 1000
        let fraction = millis % 1000
        guard fraction > 0 else { return "\(whole) s" }
        var digits = String(fraction)
        digits = String(repeating: "0", count: 3 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(whole).\(digits) s"
    }

    // MARK: - Helpers

    /// `2021-08-28 16:31:19 UTC`; `-` for nil and for the epoch (a time never set).
    public static func time(_ time: Timestamp?) -> String {
        guard let time, time.unixNanos != 0 else { return "-" }
        // rfc3339 is `2021-08-28T16:31:19.123Z`: keep the date and the whole seconds.
        return String(time.rfc3339.prefix(19).map { $0 == "T" ? " " : $0 }) + " UTC"
    }

    private static func plural(_ count: UInt64, _ unit: String) -> String {
        count == 1 ? "1 \(unit)" : "\(count) \(unit)s"
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}

/// A text table: columns as wide as their widest cell, two spaces apart, no trailing spaces.
private struct Table {
    enum Alignment {
        case left
        case right
    }

    private let alignments: [Alignment]
    private let indent: String
    private var rows: [[String]]

    init(_ columns: [(String, Alignment)], indent: Int = 0) {
        alignments = columns.map(\.1)
        self.indent = String(repeating: " ", count: indent)
        rows = [columns.map(\.0)]
    }

    mutating func add(_ cells: [String]) {
        precondition(cells.count == alignments.count, "Table.add: \(cells.count) cells for \(alignments.count) columns")
        rows.append(cells)
    }

    var text: String {
        let widths = alignments.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        var text = ""
        for row in rows {
            var line = indent
            for (column, cell) in row.enumerated() {
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                if column > 0 { line += "  " }
                line += alignments[column] == .left ? cell + padding : padding + cell
            }
            while line.hasSuffix(" ") { line.removeLast() }
            text += line + "\n"
        }
        return text
    }
}
