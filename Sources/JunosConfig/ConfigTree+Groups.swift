extension ConfigTree {
    /// The configuration in effect: every active `apply-groups NAME` expanded where it appears,
    /// then `groups` and the `apply-groups` statements removed.
    ///
    /// Junos semantics reproduced: a group mirrors the full hierarchy, and `apply-groups` at a
    /// level inherits the group's statements at that same level and below. Several groups apply
    /// in the order listed, and the first to set a statement wins; explicit configuration wins
    /// over every group. Inactive groups, group statements and `apply-groups` are ignored.
    ///
    /// Without a schema, "the same statement" is decided on the trie: a statement whose only
    /// child is a leaf (`host-name srx1`) is single-valued, so an explicit `host-name srx1`
    /// keeps a group's `host-name base` out; anything else merges word by word. (So a
    /// container holding a single flag on both sides, e.g. `services { ssh; }`, is treated as
    /// single-valued too; the typed layer, which knows the schema, can refine this.)
    ///
    /// Not supported, with a warning: `<...>` wildcard statements in groups (skipped) and
    /// `apply-groups-except` (left in place).
    public func expandingGroups() -> (tree: ConfigTree, warnings: [ConfigWarning]) {
        let root = ConfigNode.root(of: self)
        var expander = GroupExpander(groups: root.child("groups"))
        root.removeChild("groups")
        expander.expand(root, path: [])
        return (root.tree, expander.warnings)
    }
}

private struct GroupExpander {
    let groups: ConfigNode?
    var warnings: [ConfigWarning] = []

    init(groups: ConfigNode?) {
        self.groups = groups.flatMap { $0.isInactive ? nil : $0 }
    }

    mutating func expand(_ node: ConfigNode, path: [String]) {
        if let apply = node.child("apply-groups") {
            node.removeChild("apply-groups")
            if !apply.isInactive {
                for name in apply.children where !name.isInactive {
                    guard let group = groups?.child(name.keyword) else {
                        warnings.append(
                            ConfigWarning(
                                .unknownGroup, at: name.location,
                                "apply-groups names group '\(name.keyword)', which is not defined (ignored)"))
                        continue
                    }
                    if !group.isInactive, let source = descend(group, path) { merge(source, into: node) }
                }
            }
        }
        for child in node.children where !child.isInactive {
            expand(child, path: path + [child.keyword])
        }
    }

    /// The group's statement at `path`, if the group defines it (and it is active).
    private mutating func descend(_ group: ConfigNode, _ path: [String]) -> ConfigNode? {
        var node = group
        for word in path {
            // A wildcard would match some words at this level; say that it was not applied.
            for candidate in node.children where isWildcard(candidate.keyword) { warnWildcard(candidate) }
            guard let next = node.child(word), !next.isInactive else { return nil }
            node = next
        }
        return node
    }

    private func isWildcard(_ word: String) -> Bool {
        word.hasPrefix("<") && word.hasSuffix(">")
    }

    private mutating func warnWildcard(_ node: ConfigNode) {
        warnings.append(
            ConfigWarning(
                .unsupportedGroupWildcard, at: node.location,
                "group wildcard '\(node.keyword)' is not supported (statements below it ignored)"))
    }

    private static func isSingleValued(_ node: ConfigNode) -> Bool {
        node.children.count == 1 && node.children[0].children.isEmpty
    }

    /// Adds `source`'s active statements below `target` where the explicit configuration has
    /// not set them already.
    private mutating func merge(_ source: ConfigNode, into target: ConfigNode) {
        for statement in source.children where !statement.isInactive {
            if statement.keyword == "apply-groups" { continue }
            if isWildcard(statement.keyword) {
                warnWildcard(statement)
                continue
            }
            if let existing = target.child(statement.keyword),
                GroupExpander.isSingleValued(existing), GroupExpander.isSingleValued(statement)
            {
                continue
            }
            let node = target.childCreating(statement.keyword, at: statement.location)
            merge(statement, into: node)
        }
    }
}
