/// A mutable trie node used while building a tree; frozen into ``Statement`` values at the end.
/// Children are kept in first-seen order with an index by word, so inserting under a node with
/// many children (a 50,000-entry address book) stays O(1).
final class ConfigNode {
    let keyword: String
    let location: SourceLocation
    var isInactive = false
    var isProtected = false
    private(set) var children: [ConfigNode] = []
    private var index: [String: Int] = [:]

    init(keyword: String, location: SourceLocation) {
        self.keyword = keyword
        self.location = location
    }

    convenience init(_ statement: Statement) {
        self.init(keyword: statement.keyword, location: statement.location)
        isInactive = statement.isInactive
        isProtected = statement.isProtected
        for child in statement.children { append(ConfigNode(child)) }
    }

    func child(_ keyword: String) -> ConfigNode? {
        index[keyword].map { children[$0] }
    }

    /// The child named `keyword`, created (at `location`) when absent.
    func childCreating(_ keyword: String, at location: SourceLocation) -> ConfigNode {
        if let existing = child(keyword) { return existing }
        let node = ConfigNode(keyword: keyword, location: location)
        append(node)
        return node
    }

    private func append(_ node: ConfigNode) {
        index[node.keyword] = children.count
        children.append(node)
    }

    func removeChild(_ keyword: String) {
        guard let position = index[keyword] else { return }
        children.remove(at: position)
        index.removeAll(keepingCapacity: true)
        for (offset, node) in children.enumerated() { index[node.keyword] = offset }
    }

    func removeAllChildren() {
        children.removeAll()
        index.removeAll()
    }

    /// Creates the nodes of `path` below this one; returns the last.
    func insert(_ path: some Sequence<(String, SourceLocation)>) -> ConfigNode {
        var node = self
        for (word, location) in path { node = node.childCreating(word, at: location) }
        return node
    }

    /// The node at `path` below this one, if present.
    func find(_ path: some Sequence<String>) -> ConfigNode? {
        var node = self
        for word in path {
            guard let next = node.child(word) else { return nil }
            node = next
        }
        return node
    }

    var statement: Statement {
        Statement(
            keyword: keyword,
            children: children.map(\.statement),
            isInactive: isInactive,
            isProtected: isProtected,
            location: location
        )
    }

    static func root(of tree: ConfigTree) -> ConfigNode {
        let root = ConfigNode(keyword: "", location: SourceLocation(file: "", line: 0, column: 0))
        for statement in tree.statements { root.append(ConfigNode(statement)) }
        return root
    }

    var tree: ConfigTree { ConfigTree(statements: children.map(\.statement)) }
}
