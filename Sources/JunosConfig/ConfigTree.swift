/// A parsed Junos configuration: the top-level statements of a trie of words (see
/// ``Statement``). Produced by ``ConfigParser/parse(text:file:)`` from either syntax and
/// printed back by ``formatted(as:)``.
public struct ConfigTree: Sendable, Equatable {
    /// The top-level statements (`system`, `interfaces`, `security`, ...), in order.
    public var statements: [Statement]

    /// Creates a tree.
    public init(statements: [Statement] = []) {
        self.statements = statements
    }

    /// The statement at `path` (one word per level), or nil when absent.
    public func statement(at path: [String]) -> Statement? {
        guard let first = path.first,
            var node = statements.first(where: { $0.keyword == first })
        else { return nil }
        for word in path.dropFirst() {
            guard let next = node.child(word) else { return nil }
            node = next
        }
        return node
    }
}

/// The two ways Junos writes a configuration.
public enum ConfigSyntax: Hashable, Sendable {
    /// `set` commands, one per line, as `show configuration | display set` prints them.
    case set
    /// Nested `{ }` blocks, as `show configuration` prints them.
    case curly
}

/// The result of parsing a configuration text.
public struct ParsedConfig: Sendable {
    /// The syntax the text was written in.
    public var syntax: ConfigSyntax
    /// The configuration as written, `groups` and `apply-groups` included; prints back
    /// to the same statements.
    public var tree: ConfigTree
    /// The configuration in effect: ``tree`` with every `apply-groups` expanded at its level
    /// and `groups` removed (see ``ConfigTree/expandingGroups()``).
    public var effective: ConfigTree
    /// What was accepted but ignored (deleting an absent path, unsupported group wildcards),
    /// in text order, then group expansion's.
    public var warnings: [ConfigWarning]
}
