/// Applies `set`-style commands, one per line, to a trie.
///
/// A line is `COMMAND WORD... [ '[' VALUE... ']' ] [';']` where COMMAND is `set`, `delete`,
/// `deactivate`, `activate`, `protect` or `unprotect`. A bracketed list expands to one path per
/// value, as in the curly syntax.
struct SetParser {
    private let tokens: [Token]
    private var position = 0
    private let root: ConfigNode
    private(set) var warnings: [ConfigWarning] = []

    init(tokens: [Token], root: ConfigNode) {
        self.tokens = tokens
        self.root = root
    }

    private static let commands: Set<String> = ["set", "delete", "deactivate", "activate", "protect", "unprotect"]

    mutating func parse() throws(ConfigError) {
        while true {
            let token = tokens[position]
            switch token.kind {
            case .newline:
                position += 1
            case .endOfFile:
                return
            case .word(let command) where SetParser.commands.contains(command):
                position += 1
                try parseCommand(command, at: token.location)
            default:
                throw ConfigError(
                    .unexpectedToken, at: token.location,
                    "expected 'set', 'delete', 'deactivate' or 'activate' at the start of a line, found \(token.quotedForMessage)"
                )
            }
        }
    }

    private mutating func parseCommand(_ command: String, at commandLocation: SourceLocation) throws(ConfigError) {
        var path: [(String, SourceLocation)] = []
        var values: [(String, SourceLocation)]? = nil
        lineLoop: while true {
            let token = tokens[position]
            if values == nil, let word = token.pathWord {
                path.append((word, token.location))
                position += 1
                continue
            }
            switch token.kind {
            case .openBracket where values == nil:
                position += 1
                values = try parseList(openedAt: token.location)
            case .semicolon:
                position += 1
                let next = tokens[position]
                guard next.kind == .newline || next.kind == .endOfFile else {
                    throw ConfigError(
                        .unexpectedToken, at: next.location,
                        "expected end of line after ';', found \(next.quotedForMessage)")
                }
                break lineLoop
            case .newline, .endOfFile:
                break lineLoop
            default:
                let what = values == nil ? "a word, '[', ';' or end of line" : "';' or end of line after ']'"
                throw ConfigError(
                    .unexpectedToken, at: token.location,
                    "expected \(what) in '\(command)' command, found \(token.quotedForMessage)")
            }
        }
        if path.isEmpty, command != "delete" {
            throw ConfigError(
                .unexpectedToken, at: tokens[position].location,
                "expected a statement path after '\(command)', found \(tokens[position].quotedForMessage)")
        }
        if path.count + (values == nil ? 0 : 1) > ConfigParser.maximumDepth {
            throw ConfigError(
                .nestingTooDeep, at: commandLocation,
                "statement path deeper than \(ConfigParser.maximumDepth) words")
        }
        let paths = values.map { $0.map { path + [$0] } } ?? [path]
        for path in paths { apply(command, path, at: commandLocation) }
    }

    private mutating func parseList(openedAt open: SourceLocation) throws(ConfigError) -> [(String, SourceLocation)] {
        var values: [(String, SourceLocation)] = []
        while true {
            let token = tokens[position]
            position += 1
            if let word = token.pathWord {
                values.append((word, token.location))
            } else if token.kind == .closeBracket {
                return values
            } else {
                throw ConfigError(
                    token.kind == .endOfFile ? .unexpectedEndOfFile : .unexpectedToken, at: token.location,
                    "expected a value or ']' to close the list opened at \(open.line):\(open.column), found \(token.quotedForMessage)"
                )
            }
        }
    }

    private mutating func apply(_ command: String, _ path: [(String, SourceLocation)], at location: SourceLocation) {
        if command == "set" {
            // `set` lines may chain statements after a single-valued one (`aging early-ageout 2
            // high-watermark 90`).
            _ = SetLineSchema.insert(path, into: root)
            return
        }
        let words = path.map(\.0)
        if command == "delete", words.isEmpty {
            // A bare `delete` at the top level deletes the whole configuration, as in Junos.
            root.removeAllChildren()
            return
        }
        guard let node = root.find(words) else {
            warnings.append(
                ConfigWarning(
                    .statementNotFound, at: location,
                    "statement not found: '\(Quoting.join(words))' (\(command) ignored)"))
            return
        }
        switch command {
        case "delete":
            // Deleting the last statement below a container removes the container too: Junos
            // does not show empty containers, and without a schema an empty container would
            // read back as a leaf.
            var parents: [ConfigNode] = [root]
            for word in words.dropLast() { parents.append(parents[parents.count - 1].child(word)!) }
            var removed = words.count - 1
            parents[removed].removeChild(words[removed])
            while removed > 0, parents[removed].children.isEmpty {
                removed -= 1
                parents[removed].removeChild(words[removed])
            }
        case "deactivate": node.isInactive = true
        case "activate": node.isInactive = false
        case "protect": node.isProtected = true
        default: node.isProtected = false
        }
    }
}
