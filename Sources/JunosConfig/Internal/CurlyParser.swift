/// Builds a trie from the curly syntax.
///
/// A statement is `[inactive:|protect:]... WORD... ( ';' | '{' STATEMENT... '}' |
/// '[' VALUE... ']' ';' )`. Its words become a path of nodes below the enclosing block; the
/// prefixes mark the path's last node, which is the node a `deactivate` of the same words
/// marks. A bracketed list adds one child per value to that node. The parser keeps an
/// explicit stack, so no input can exhaust the call stack.
struct CurlyParser {
    private let tokens: [Token]
    private var position = 0
    private let root: ConfigNode

    init(tokens: [Token], root: ConfigNode) {
        // Newlines carry no meaning in the curly syntax.
        self.tokens = tokens.filter { $0.kind != .newline }
        self.root = root
    }

    private struct Block {
        /// The words from the root to the block's statement.
        var path: [(String, SourceLocation)]
        var openedAt: SourceLocation
    }

    mutating func parse() throws(ConfigError) {
        var stack: [Block] = [Block(path: [], openedAt: tokens[0].location)]
        while true {
            let token = tokens[position]
            switch token.kind {
            case .endOfFile:
                let open = stack.count - 1
                guard open == 0 else {
                    let innermost = stack[open].openedAt
                    throw ConfigError(
                        .unexpectedEndOfFile, at: token.location,
                        "unexpected end of file: \(open) block\(open == 1 ? "" : "s") not closed (innermost opened at \(innermost.line):\(innermost.column))"
                    )
                }
                return
            case .closeBrace:
                guard stack.count > 1 else {
                    throw ConfigError(.unbalancedBrace, at: token.location, "unbalanced '}': no block is open")
                }
                stack.removeLast()
                position += 1
            default:
                if let block = try parseStatement(in: stack[stack.count - 1]) { stack.append(block) }
            }
        }
    }

    /// Parses one statement; returns the block it opens, if any.
    private mutating func parseStatement(in block: Block) throws(ConfigError) -> Block? {
        var isInactive = false
        var isProtected = false
        prefixes: while true {
            switch tokens[position].kind {
            case .inactivePrefix: isInactive = true
            case .protectPrefix: isProtected = true
            default: break prefixes
            }
            position += 1
        }
        var path: [(String, SourceLocation)] = []
        while true {
            let token = tokens[position]
            if case .word(let word) = token.kind {
                path.append((word, token.location))
            } else if case .string(let text) = token.kind {
                path.append((text, token.location))
            } else {
                break
            }
            position += 1
        }
        let token = tokens[position]
        guard !path.isEmpty else {
            throw ConfigError(
                token.kind == .endOfFile ? .unexpectedEndOfFile : .unexpectedToken, at: token.location,
                "expected a statement, found \(token.quotedForMessage)")
        }
        guard block.path.count + path.count + 1 <= ConfigParser.maximumDepth else {
            throw ConfigError(
                .nestingTooDeep, at: path[0].1,
                "statement nested deeper than \(ConfigParser.maximumDepth) words")
        }
        // A compact statement (`term t1 protocol tcp destination-port 8080;`) sets several
        // statements; a prefix applies to all of them, a block or list to the last.
        let pieces = SetLineSchema.split(block.path + path)
        for piece in pieces {
            let node = root.insert(piece)
            if isInactive { node.isInactive = true }
            if isProtected { node.isProtected = true }
        }
        let statementPath = pieces[pieces.count - 1]
        position += 1
        switch token.kind {
        case .semicolon:
            return nil
        case .openBrace:
            return Block(path: statementPath, openedAt: token.location)
        case .openBracket:
            while true {
                let value = tokens[position]
                position += 1
                if case .word(let word) = value.kind {
                    _ = SetLineSchema.insert(statementPath + [(word, value.location)], into: root)
                } else if case .string(let text) = value.kind {
                    _ = SetLineSchema.insert(statementPath + [(text, value.location)], into: root)
                } else if value.kind == .closeBracket {
                    break
                } else {
                    throw ConfigError(
                        value.kind == .endOfFile ? .unexpectedEndOfFile : .unexpectedToken, at: value.location,
                        "expected a value or ']' to close the list opened at \(token.location.line):\(token.location.column), found \(value.quotedForMessage)"
                    )
                }
            }
            let end = tokens[position]
            guard end.kind == .semicolon else {
                throw ConfigError(
                    end.kind == .endOfFile ? .unexpectedEndOfFile : .unexpectedToken, at: end.location,
                    "expected ';' after ']', found \(end.quotedForMessage)")
            }
            position += 1
            return nil
        default:
            throw ConfigError(
                token.kind == .endOfFile ? .unexpectedEndOfFile : .unexpectedToken, at: token.location,
                "expected ';' or '{' after '\(Quoting.join(path.map(\.0)))', found \(token.quotedForMessage)")
        }
    }
}
