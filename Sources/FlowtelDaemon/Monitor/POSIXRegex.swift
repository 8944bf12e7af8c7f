#if canImport(Glibc)
import Glibc
#endif

/// A compiled POSIX extended regular expression (`regcomp`), the dialect Junos `match` uses.
///
/// `regexec` on a compiled `regex_t` is thread-safe (POSIX), so one instance may be shared.
final class POSIXRegex: @unchecked Sendable {
    // @unchecked: `pattern` is written once by regcomp before init and only read by regexec,
    // which POSIX makes safe to call concurrently; regfree runs in deinit, after the last use.
    private let pattern: UnsafeMutablePointer<regex_t>
    /// The expression as given.
    let source: String

    private init(pattern: UnsafeMutablePointer<regex_t>, source: String) {
        self.pattern = pattern
        self.source = source
    }

    /// Compiles `source`; throws ``MonitorError`` (invalid argument) with regcomp's own
    /// explanation when it is not a valid extended regular expression.
    static func compile(_ source: String) throws(MonitorError) -> POSIXRegex {
        let pattern = UnsafeMutablePointer<regex_t>.allocate(capacity: 1)
        pattern.initialize(to: regex_t())
        // regcomp returns 0, or an error code (REG_BADPAT, REG_EBRACK, REG_ESPACE, ...): all are
        // the operator's (or, for REG_ESPACE, the world's): report them, never trap.
        let result = regcomp(pattern, source, REG_EXTENDED | REG_NOSUB)
        guard result == 0 else {
            var text = [CChar](repeating: 0, count: 256)
            regerror(result, pattern, &text, text.count)
            pattern.deallocate()
            let reason = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw MonitorError(.invalidArgument, "match: '\(source)' is not a valid regular expression: \(reason)")
        }
        return POSIXRegex(pattern: pattern, source: source)
    }

    deinit {
        regfree(pattern)
        pattern.deallocate()
    }

    /// True when `line` (without its newline) contains a match.
    func matches(_ line: String) -> Bool {
        // regexec returns 0 on a match and REG_NOMATCH otherwise (no other code with REG_NOSUB).
        regexec(pattern, line, 0, nil, 0) == 0
    }
}
