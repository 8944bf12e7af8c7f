/// What the parsers know of the Junos schema: which statements take a single value, so that a
/// `set` line or a curly statement may continue with further statements after it.
///
/// Junos reads `set security flow aging early-ageout 2 high-watermark 90` as two statements
/// of `aging`, because it knows `early-ageout` takes one value. Without that knowledge the
/// words would nest (`high-watermark` under the value `2`). The curly form has the same
/// compact statements (`term t1 protocol tcp destination-port 8080;`). The table covers the
/// hierarchies flowtel interprets; elsewhere words nest as written, which prints back
/// unchanged.
enum SetLineSchema {
    /// The top-level hierarchies the table applies to.
    private static let hierarchies: Set<String> = [
        "system", "interfaces", "routing-options", "security", "applications", "chassis", "services",
    ]

    /// Statements that take exactly one value word (or one list word) wherever they appear
    /// in ``hierarchies``.
    private static let valueStatements: Set<String> = [
        "host-name", "domain-name", "time-zone", "description", "vlan-id", "mtu", "redundant-parent",
        "802.3ad", "next-hop", "preference", "router-id", "source-address", "destination-address",
        "source-address-name", "destination-address-name", "scheduler-name", "protocol", "source-port",
        "destination-port", "icmp-type", "icmp-code", "icmp6-type", "icmp6-code", "inactivity-timeout",
        "application-protocol", "alg", "early-ageout", "high-watermark", "low-watermark", "tcp-initial-timeout",
        "route-change-timeout", "syn-flood-protection-mode", "pending-sess-queue-length", "mss", "session-timeout",
        "mode", "format", "category", "severity", "source-interface", "tcp-connections", "tls-profile",
        "event-rate", "rate-cap", "threshold", "action", "priority", "weight", "reth-count",
        "heartbeat-interval", "heartbeat-threshold", "gratuitous-arp-count", "hold-down-interval",
        "overflow-pool", "host-address-base", "snaplen", "buffer-size", "replay-buffer-size", "maximum-sessions", "spus",
        "subscriber-queue-size", "drop-policy", "authentication-token-file", "certificate", "key", "client-ca",
        "mapped-port", "initial-tcp-mss", "reverse-tcp-mss", "maximum-window", "detect-after", "irreversible-after",
    ]

    /// Statements that never take a value or children: a line may continue after them at
    /// their own level (`match source-address a source-address-excluded application any`).
    private static let flagStatements: Set<String> = [
        "source-address-excluded", "destination-address-excluded", "vlan-tagging", "flexible-vlan-tagging",
        "tcp-rst", "preempt", "allow-dns-reply", "allow-embedded-icmp", "force-ip-reassembly",
        "no-syn-check", "no-syn-check-in-tunnel", "no-sequence-check", "strict-syn-check",
        "rst-invalidate-session", "rst-sequence-check", "fin-invalidate-session", "syn-check-required",
        "sequence-check-required", "control-link-recovery", "utc-timestamp", "no-promiscuous", "fault-injection",
    ]

    /// True when `keyword`, following `path` on a set line, is a flag after which the line
    /// continues at `keyword`'s own level.
    static func isFlag(_ keyword: String, after path: ArraySlice<String>) -> Bool {
        var hierarchy = path
        if hierarchy.first == "groups" { hierarchy = hierarchy.dropFirst(2) }
        guard let top = hierarchy.first, hierarchies.contains(top) else { return false }
        // Words that are also plausible names are flags only where Junos has them as flags.
        switch keyword {
        case "session-init", "session-close": return path.last == "log"
        case "primary", "preferred": return path.contains("family")
        case "no-translation": return path.last == "port"
        default: return flagStatements.contains(keyword)
        }
    }

    /// Statements whose value may be a range written `LOW to HIGH`.
    private static let rangeStatements: Set<String> = ["source-port", "destination-port", "mapped-port"]

    /// True when `keyword`, following `path` on a set line, takes one value after which the
    /// line continues at `keyword`'s own level.
    static func takesValue(_ keyword: String, after path: ArraySlice<String>) -> Bool {
        var hierarchy = path
        if hierarchy.first == "groups" { hierarchy = hierarchy.dropFirst(2) }
        guard let top = hierarchy.first, hierarchies.contains(top) else { return false }
        switch keyword {
        case "application": return path.contains("match") || path.contains("application-set")
        case "from-zone", "to-zone": return path.contains("match")
        case "redundancy-group": return path.contains("redundant-ether-options")
        case "filter": return path.contains("capture")
        case "screen": return path.contains("security-zone")
        case "size": return path.contains("traceoptions") || path.contains("replay-buffer")
        case "files": return path.contains("traceoptions")
        default: return valueStatements.contains(keyword)
        }
    }

    /// True when `keyword`'s value may be followed by `to HIGH`.
    static func takesRange(_ keyword: String) -> Bool { rangeStatements.contains(keyword) }

    /// Splits the words of one statement into the statements they set: the first path, then
    /// one path per continuation, each below the container of the value statement before it.
    /// A statement without continuation gives back its own path.
    ///
    /// - Parameters:
    ///   - words: the statement's words: a whole `set` line's path, or a curly statement's.
    ///   - context: the words of the blocks enclosing a curly statement (empty for `set`).
    static func split(_ words: [(String, SourceLocation)], context: [String] = []) -> [[(String, SourceLocation)]] {
        let keywords = context + words.map(\.0)
        var index = 0
        while index + 1 < words.count {
            // A flag followed by more words: they start a sibling statement.
            if isFlag(keywords[context.count + index], after: keywords[..<(context.count + index)]) {
                return [Array(words[...index])] + split(Array(words[..<index]) + Array(words[(index + 1)...]), context: context)
            }
            // A continuation needs the value statement, its value and at least one more word.
            guard index + 2 < words.count else { break }
            if takesValue(keywords[context.count + index], after: keywords[..<(context.count + index)]) {
                var end = index + 2
                if takesRange(keywords[context.count + index]), end + 1 < words.count,
                    keywords[context.count + end] == "to"
                {
                    end += 2
                }
                guard end < words.count else { return [words] }
                // Each step removes words (one for a flag, two or more here), so the recursion ends.
                return [Array(words[..<end])] + split(Array(words[..<index]) + Array(words[end...]), context: context)
            }
            index += 1
        }
        return [words]
    }

    /// Inserts a statement's full path (from the root) into the trie, split as ``split(_:context:)``
    /// says, so that the trie never holds words below a single-valued statement's value:
    /// every tree the parsers build prints back to text that parses to the same tree.
    ///
    /// - Returns: the path of the last statement and its last node (where a block or a
    ///   bracketed list continues).
    static func insert(_ path: [(String, SourceLocation)], into root: ConfigNode) -> (path: [(String, SourceLocation)], node: ConfigNode) {
        var pieces = split(path)
        let last = pieces.removeLast()
        for piece in pieces { _ = root.insert(piece) }
        return (last, root.insert(last))
    }
}
