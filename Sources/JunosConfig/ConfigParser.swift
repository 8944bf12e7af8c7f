/// Parses Junos configuration text in either syntax into a ``ConfigTree``.
///
/// Pure: no I/O, no clock; callers read files and pass their text. Parsing never traps and
/// always terminates: any input either parses or throws a ``ConfigError``.
public enum ConfigParser {
    /// The deepest hierarchy accepted, in words (the deepest real Junos paths are a few dozen).
    public static let maximumDepth = 256

    /// Parses `text`, detecting its syntax: a text whose first token is `set`, `delete`,
    /// `deactivate` or `activate` is read as set commands, anything else as curly blocks.
    ///
    /// - Parameters:
    ///   - text: the whole configuration.
    ///   - file: the name used in error and warning locations.
    /// - Throws: ``ConfigError`` for the first syntax error.
    public static func parse(text: String, file: String) throws(ConfigError) -> ParsedConfig {
        var lexer = Lexer(text: text, file: file)
        let tokens = try lexer.tokenize()
        let root = ConfigNode(keyword: "", location: SourceLocation(file: file, line: 1, column: 1))
        let syntax = detectSyntax(tokens)
        var warnings: [ConfigWarning] = []
        switch syntax {
        case .set:
            var parser = SetParser(tokens: tokens, root: root)
            try parser.parse()
            warnings = parser.warnings
        case .curly:
            var parser = CurlyParser(tokens: tokens, root: root)
            try parser.parse()
        }
        let tree = root.tree
        guard root.child("groups") != nil || usesGroups(root) else {
            return ParsedConfig(syntax: syntax, tree: tree, effective: tree, warnings: warnings)
        }
        let (effective, groupWarnings) = tree.expandingGroups()
        return ParsedConfig(syntax: syntax, tree: tree, effective: effective, warnings: warnings + groupWarnings)
    }

    private static func detectSyntax(_ tokens: [Token]) -> ConfigSyntax {
        guard let first = tokens.first(where: { $0.kind != .newline }),
            case .word(let word) = first.kind,
            ["set", "delete", "deactivate", "activate"].contains(word)
        else { return .curly }
        return .set
    }

    /// True when an `apply-groups` appears anywhere (depth is bounded by ``maximumDepth``).
    private static func usesGroups(_ node: ConfigNode) -> Bool {
        node.child("apply-groups") != nil || node.children.contains { usesGroups($0) }
    }
}
