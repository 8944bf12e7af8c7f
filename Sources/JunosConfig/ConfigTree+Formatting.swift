extension ConfigTree {
    /// The configuration printed in `syntax`, ending with a newline (empty for an empty tree).
    ///
    /// - `.set`: one `set` line per leaf, in tree order; after the lines of an inactive
    ///   statement, `deactivate PATH` (and `protect PATH` for a protected one).
    /// - `.curly`: 4-space indentation, leaves end with `;`. A chain of statements that each
    ///   have a single child is printed on one line (`from-zone trust to-zone untrust {`,
    ///   `host-name srx1;`), so the text reads like `show configuration`; a chain stops at an
    ///   `inactive:` or `protect:` statement, which starts the next line's prefix.
    ///
    /// Words are quoted when they contain spaces or characters the lexer treats specially.
    /// Parsing either text gives back an equal tree, so printing is a fixed point.
    public func formatted(as syntax: ConfigSyntax) -> String {
        var output = ""
        switch syntax {
        case .set:
            var path: [String] = []
            for statement in statements { Self.appendSet(statement, path: &path, to: &output) }
        case .curly:
            for statement in statements { Self.appendCurly(statement, indent: "", to: &output) }
        }
        return output
    }

    private static func appendSet(_ statement: Statement, path: inout [String], to output: inout String) {
        path.append(Quoting.quote(statement.keyword))
        if statement.isLeaf {
            output += "set " + path.joined(separator: " ") + "\n"
        } else {
            for child in statement.children { appendSet(child, path: &path, to: &output) }
        }
        if statement.isInactive { output += "deactivate " + path.joined(separator: " ") + "\n" }
        if statement.isProtected { output += "protect " + path.joined(separator: " ") + "\n" }
        path.removeLast()
    }

    // Words that would make a curly text look like a set text when they start it.
    private static let commandWords: Set<String> = ["set", "delete", "deactivate", "activate"]

    private static func appendCurly(_ statement: Statement, indent: String, to output: inout String) {
        var words = [statement.keyword]
        var last = statement
        while !last.isInactive, !last.isProtected, last.children.count == 1 {
            last = last.children[0]
            words.append(last.keyword)
        }
        var line = indent
        if last.isProtected { line += "protect: " }
        if last.isInactive { line += "inactive: " }
        var quoted = words.map(Quoting.quote)
        if indent.isEmpty, commandWords.contains(words[0]) { quoted[0] = "\"\(words[0])\"" }
        line += quoted.joined(separator: " ")
        if last.isLeaf {
            output += line + ";\n"
        } else {
            output += line + " {\n"
            let inner = indent + "    "
            for child in last.children { appendCurly(child, indent: inner, to: &output) }
            output += indent + "}\n"
        }
    }
}
