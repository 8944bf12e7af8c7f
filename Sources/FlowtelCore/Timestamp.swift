/// A point in time: nanoseconds since the Unix epoch, UTC.
///
/// The flow engine never reads a clock; timestamps come from packets or from the daemon.
public struct Timestamp: Hashable, Comparable, Sendable {
    /// Nanoseconds since 1970-01-01T00:00:00Z.
    public var unixNanos: UInt64

    /// Creates a timestamp.
    public init(unixNanos: UInt64) { self.unixNanos = unixNanos }

    /// Whole seconds since the epoch.
    public var seconds: UInt64 { unixNanos / 1_000_000_000 }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.unixNanos < rhs.unixNanos }

    /// RFC 3339 / RFC 5424 text in UTC with millisecond precision: `2026-11-29T10:08:23.123Z`.
    public var rfc3339: String {
        let secs = Int64(unixNanos / 1_000_000_000)
        let millis = Int((unixNanos / 1_000_000) % 1000)
        let days = secs >= 0 ? secs / 86_400 : (secs - 86_399) / 86_400
        let secOfDay = Int(secs - days * 86_400)
        let (year, month, day) = Timestamp.civil(fromDays: days)
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secOfDay / 3600, 2)):"
            + "\(pad(secOfDay / 60 % 60, 2)):\(pad(secOfDay % 60, 2)).\(pad(millis, 3))Z"
    }

    /// Proleptic Gregorian date from days since 1970-01-01 (Howard Hinnant's algorithm).
    static func civil(fromDays days: Int64) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = Int(doy - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        let year = Int(yoe + era * 400) + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }
}
