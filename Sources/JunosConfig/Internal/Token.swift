/// One lexical token of either syntax.
struct Token: Sendable {
    enum Kind: Equatable, Sendable {
        /// An unquoted word: identifier, number, address, prefix, interface name, `<*>`.
        case word(String)
        /// A `"` string, escapes resolved.
        case string(String)
        case openBrace
        case closeBrace
        case semicolon
        case openBracket
        case closeBracket
        /// `inactive:` before a curly statement.
        case inactivePrefix
        /// `protect:` before a curly statement.
        case protectPrefix
        /// End of a line outside strings and comments (only the set syntax cares).
        case newline
        case endOfFile
    }

    var kind: Kind
    var location: SourceLocation

    /// The word this token contributes to a statement path, if it is one. The prefixes count
    /// as words where they are not prefixes (the set syntax).
    var pathWord: String? {
        switch kind {
        case .word(let word), .string(let word): word
        case .inactivePrefix: "inactive:"
        case .protectPrefix: "protect:"
        default: nil
        }
    }

    /// How a message names the token: `'{'`, `'host-name'`, `end of file`.
    var quotedForMessage: String {
        switch kind {
        case .word(let word): "'\(word)'"
        case .string(let text): "\"\(text)\""
        case .openBrace: "'{'"
        case .closeBrace: "'}'"
        case .semicolon: "';'"
        case .openBracket: "'['"
        case .closeBracket: "']'"
        case .inactivePrefix: "'inactive:'"
        case .protectPrefix: "'protect:'"
        case .newline: "end of line"
        case .endOfFile: "end of file"
        }
    }
}
