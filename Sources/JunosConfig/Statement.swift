/// One word of the configuration hierarchy and everything below it.
///
/// Without a schema the tree is a trie of words: `set system host-name srx1` is the path
/// `system` → `host-name` → `srx1`, and the last word is a statement with no children (a leaf).
/// The curly statement `host-name srx1;` and the set line produce the same nodes, so the same
/// configuration in either syntax gives equal trees. Interpreting which words are keywords and
/// which are values is the typed layer's job.
public struct Statement: Sendable, Equatable, CustomStringConvertible {
    /// The word (unquoted; a quoted Junos string is one word).
    public var keyword: String
    /// The statements below this one, in the order they first appeared.
    public var children: [Statement]
    /// True for a statement marked `inactive:` (curly) or `deactivate`d (set): Junos keeps it
    /// in the configuration but ignores it, with everything below it.
    public var isInactive: Bool
    /// True for a statement marked `protect:` or `protect`ed.
    public var isProtected: Bool
    /// Where the word first appeared.
    public var location: SourceLocation

    /// Creates a statement.
    public init(
        keyword: String,
        children: [Statement] = [],
        isInactive: Bool = false,
        isProtected: Bool = false,
        location: SourceLocation
    ) {
        self.keyword = keyword
        self.children = children
        self.isInactive = isInactive
        self.isProtected = isProtected
        self.location = location
    }

    /// True when nothing is below this statement.
    public var isLeaf: Bool { children.isEmpty }

    /// The child whose word is `keyword`, if any.
    public func child(_ keyword: String) -> Statement? {
        children.first { $0.keyword == keyword }
    }

    /// The words of the children, e.g. the values of a leaf-list statement.
    public var childKeywords: [String] { children.map(\.keyword) }

    /// Equality compares words, flags and children, never locations: the same configuration
    /// read from two files (or two syntaxes) is equal.
    public static func == (lhs: Statement, rhs: Statement) -> Bool {
        lhs.keyword == rhs.keyword && lhs.isInactive == rhs.isInactive
            && lhs.isProtected == rhs.isProtected && lhs.children == rhs.children
    }

    /// The keyword, e.g. "host-name".
    public var description: String { keyword }
}
