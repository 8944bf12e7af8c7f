import ArgumentParser
import FlowtelCore
import FlowtelSubscriber

/// `flowtel query sqlite:PATH …`: stored events back out, in the subscriber's formats.
struct Query: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read events stored by 'flowtel subscribe --output sqlite:PATH', in time order.",
        discussion: """
            Takes the same kinds and session criteria as subscribe, with the same meaning (session \
            events must match every criterion; other events pass), and prints in the same formats. \
            Stored gaps are printed as records (a text line in sd-syslog and syslog) unless --no-gaps. \
            The database may be read while a subscriber writes it.

            Exit status: 0 done; 4 the database cannot be read; 64 bad command line.
            """)

    @Argument(help: "The database: sqlite:PATH.")
    var source: String

    @OptionGroup var selection: EventSelectionOptions

    @Option(help: "Only events at or after this time: RFC 3339 (2026-11-29T10:00:00Z) or Unix seconds.")
    var since: String?

    @Option(help: "Only events before this time: RFC 3339 or Unix seconds.")
    var until: String?

    @Option(help: "Only events of this node (device host-name).")
    var node: String?

    @Option(help: "Output format: json, sd-syslog, syslog, text, proto or count (as for subscribe).")
    var format = "json"

    @Option(help: "sd-syslog: the SRX model number in the SD-ID junos@2636.1.1.1.2.N.")
    var model = 129

    @Option(help: "Stop after this many events (gaps not counted).")
    var limit: Int?

    @Flag(help: "Leave stored gaps out.")
    var noGaps = false

    @Flag(help: "Print each target's checkpoint (BOOT-ID:SEQ, oldest or now) instead of events.")
    var checkpoints = false

    var path: String? { source.hasPrefix("sqlite:") ? String(source.dropFirst(7)) : nil }

    func validate() throws {
        guard let path, !path.isEmpty else { throw ValidationError("expected sqlite:PATH (got '\(source)')") }
        guard ["json", "sd-syslog", "syslog", "text", "proto", "count"].contains(format) else {
            throw ValidationError("--format: expected json, sd-syslog, syslog, text, proto or count")
        }
        if let limit, limit <= 0 { throw ValidationError("--limit must be positive") }
        _ = try storedQuery()
    }

    func storedQuery() throws -> StoredEventQuery {
        var query = StoredEventQuery()
        query.kinds = try selection.eventKinds()
        query.filter = try selection.validatedFilter()
        query.since = try since.map { try Self.time($0, option: "--since") }
        query.until = try until.map { try Self.time($0, option: "--until") }
        query.node = node
        query.gaps = !noGaps
        return query
    }

    func run() throws {
        let query = try storedQuery()
        let reader: SQLiteReader
        do {
            reader = try SQLiteReader(path: path!)
            if checkpoints {
                for (target, start) in try reader.checkpoints() { print("\(target) \(start.text)") }
                return
            }
        } catch {
            printError("flowtel query: \(error.message)")
            throw ExitCode(Subscribe.Exit.outputFailed)
        }
        let render = Subscribe.renderer(format: format, model: model, control: false, gapsAsRecords: true)
        let stdout = OutputBuffer()
        var events = 0
        var gaps = 0
        let limit = limit ?? .max
        do {
            try reader.events(query) { event in
                if event.payload.isStreamControl { gaps += 1 } else { events += 1 }
                if let line = render?(event) {
                    stdout.write(line)
                    if format != "proto" { stdout.write([0x0A]) }
                }
                return events < limit
            }
        } catch let error as OutputError {
            stdout.flush()
            printError("flowtel query: \(error.message)")
            throw ExitCode(Subscribe.Exit.outputFailed)
        }
        if format == "count" { stdout.write(Array("events=\(events) gaps=\(gaps)\n".utf8)) }
        stdout.flush()
    }

    /// RFC 3339 (`2026-11-29T10:00:00Z`, `2026-11-29T10:00:00.250+01:00`) or Unix seconds
    /// (`1796032800`, `1796032800.25`).
    static func time(_ text: String, option: String) throws -> Timestamp {
        if let seconds = Double(text), seconds >= 0, seconds < 1e11 {
            return Timestamp(unixNanos: UInt64((seconds * 1e9).rounded()))
        }
        guard let time = RFC3339.parse(text) else {
            throw ValidationError("\(option): expected RFC 3339 time (2026-11-29T10:00:00Z) or Unix seconds (got '\(text)')")
        }
        return time
    }
}

/// Parses RFC 3339 date-times.
enum RFC3339 {
    static func parse(_ text: String) -> Timestamp? {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ digits: Int) -> Int? {
            guard index + digits <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<index + digits] {
                guard (0x30...0x39).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            index += digits
            return value
        }
        func expect(_ characters: String) -> Bool {
            guard index < bytes.count, characters.utf8.contains(bytes[index]) else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2),
            expect("Tt "), let hour = number(2), expect(":"), let minute = number(2), expect(":"), let second = number(2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var nanos = 0
        if expect(".") {
            var digits = 0
            while index < bytes.count, (0x30...0x39).contains(bytes[index]) {
                if digits < 9 { nanos = nanos * 10 + Int(bytes[index] - 0x30) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 9) { nanos *= 10 }
        }
        var offset = 0
        if !expect("Zz") {
            guard index < bytes.count else { return nil }
            let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            guard expect("+-"), let hours = number(2), expect(":"), let minutes = number(2) else { return nil }
            offset = sign * (hours * 3600 + minutes * 60)
        }
        guard index == bytes.count else { return nil }
        let seconds = days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second - offset
        guard seconds >= 0 else { return nil }
        return Timestamp(unixNanos: UInt64(seconds) * 1_000_000_000 + UInt64(nanos))
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (March-based years, so the leap day
    /// ends a year).
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
