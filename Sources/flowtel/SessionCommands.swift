import ArgumentParser
import FlowtelCore
import FlowtelSubscriber

/// `flowtel clear security …`.
struct ClearSecurity: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "security", abstract: "The security datapath.", subcommands: [ClearSecurityFlow.self])
}

/// `flowtel clear security flow …`.
struct ClearSecurityFlow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flow", abstract: "The flow engine.", subcommands: [ClearFlowSession.self])
}

/// `flowtel clear security flow session [filters|all]`: ends the matching sessions (each
/// closes with reason `CLI`) and prints `N active sessions cleared`.
struct ClearFlowSession: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "session", abstract: "clear security flow session [filters|all]",
        discussion: """
            Junos words, several filters at once: \(SessionWords.filterSummary). \
            'all' clears every session. Each cleared session closes with reason CLI.
            Example: flowtel clear security flow session source-prefix 10.0.0.0/8 destination-port 443
            """)

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: ArgumentHelp("Filters, or all.", valueName: "word"))
    var words: [String] = []

    func validate() throws {
        _ = try SessionWords(words, command: .clear)
    }

    func run() throws {
        let parsed = try SessionWords(words, command: .clear)
        let cleared = try connection.call { try $0.clearSessions(parsed.all ? nil : parsed.query) }
        print("\(cleared) active sessions cleared")
    }
}

/// The Junos words after `show security flow session` or `clear security flow session`:
/// filters (each keyword followed by its value, or a bare keyword for `idp`, `nat`,
/// `resource-manager` and `tunnel`), then for `show` a view (`brief`, `extensive`, `summary`),
/// for `clear` possibly `all`. Words may come in any order.
///
/// Numbers, families and the shape of the command are checked here; prefixes and protocol
/// names are checked by the daemon, which names the field in its INVALID_ARGUMENT.
struct SessionWords {
    /// Which command the words follow.
    enum Command {
        case show
        case clear
    }

    /// The filters given.
    var query = SessionFilter()
    /// `brief` or `extensive` (show).
    var view = SessionView.standard
    /// `summary` (show).
    var summary = false
    /// `all` (clear).
    var all = false

    /// Filter keywords followed by a value, alphabetically as Junos lists them.
    static let valueFilters = [
        "application", "destination-port", "destination-prefix", "family", "interface", "protocol",
        "session-identifier", "source-port", "source-prefix",
    ]
    /// Filter keywords that stand alone.
    static let flagFilters = ["idp", "nat", "resource-manager", "tunnel"]
    /// Every filter keyword, for help texts.
    static let filterSummary =
        (valueFilters.map { "\($0) VALUE" } + flagFilters).sorted().joined(separator: ", ")

    init(_ words: [String], command: Command) throws {
        var seen: Set<String> = []
        var index = 0
        while index < words.count {
            let word = words[index]
            index += 1
            guard seen.insert(word).inserted else { throw ValidationError("'\(word)' is given twice") }
            if Self.valueFilters.contains(word) {
                guard index < words.count else { throw ValidationError("'\(word)' needs a value") }
                try setFilter(word, words[index])
                index += 1
                continue
            }
            switch (word, command) {
            case ("idp", _): query.idpOnly = true
            case ("nat", _): query.natOnly = true
            case ("resource-manager", _): query.resourceManagerOnly = true
            case ("tunnel", _): query.tunnelOnly = true
            case ("brief", .show), ("extensive", .show):
                guard view == .standard else { throw ValidationError("'brief' and 'extensive' exclude each other") }
                view = word == "brief" ? .brief : .extensive
            case ("summary", .show): summary = true
            case ("all", .clear): all = true
            default:
                let others = command == .show ? "brief, extensive or summary" : "all"
                throw ValidationError(
                    "unknown word '\(word)': expected a filter (\(Self.filterSummary)) or \(others)")
            }
        }
        if summary {
            guard view == .standard else { throw ValidationError("'summary' excludes 'brief' and 'extensive'") }
            var filters = query
            filters.family = ""
            guard filters.isEmpty else { throw ValidationError("'summary' takes no filter but 'family'") }
        }
        if command == .clear {
            guard !(all && !query.isEmpty) else { throw ValidationError("'all' excludes filters") }
            guard all || !query.isEmpty else {
                throw ValidationError("give filters (\(Self.filterSummary)) or 'all' to clear every session")
            }
        }
    }

    private mutating func setFilter(_ keyword: String, _ value: String) throws {
        func number<N: FixedWidthInteger>(_: N.Type, _ what: String) throws -> N {
            guard let number = N(value), number > 0 else {
                throw ValidationError("\(keyword): '\(value)' is not \(what) (1-\(N.max))")
            }
            return number
        }
        switch keyword {
        case "application": query.application = value
        case "destination-port": query.destinationPort = try number(UInt16.self, "a port")
        case "destination-prefix": query.destinationPrefix = value
        case "family":
            guard value == "inet" || value == "inet6" else {
                throw ValidationError("family: '\(value)' is not inet or inet6")
            }
            query.family = value
        case "interface": query.interface = value
        case "protocol": query.protocol = value
        case "session-identifier": query.sessionID = try number(UInt32.self, "a session identifier")
        case "source-port": query.sourcePort = try number(UInt16.self, "a port")
        case "source-prefix": query.sourcePrefix = value
        default: preconditionFailure("setFilter: '\(keyword)' is not in valueFilters")
        }
    }
}
