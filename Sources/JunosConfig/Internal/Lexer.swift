/// Splits a configuration text into tokens, tracking the line and column of each.
///
/// Works on UTF-8 bytes; every byte that is not whitespace or one of `{ } ; [ ] "` belongs to
/// a word, so addresses (`2001:db8::1`), prefixes (`10.0.0.0/8`), interface names
/// (`ge-0/0/1.0`) and wildcards (`<*>`) are single words. `#` and `/*` start a comment only
/// at the start of a token, as in Junos, so `a#b` is one word.
struct Lexer {
    private let bytes: [UInt8]
    private let file: String
    private var offset = 0
    private var line = 1
    private var column = 1

    init(text: String, file: String) {
        self.bytes = Array(text.utf8)
        self.file = file
    }

    private var location: SourceLocation { SourceLocation(file: file, line: line, column: column) }

    private mutating func advance() {
        let byte = bytes[offset]
        offset += 1
        if byte == UInt8(ascii: "\n") {
            line += 1
            column = 1
        } else if byte & 0xC0 != 0x80 {
            // UTF-8 continuation bytes belong to the scalar already counted.
            column += 1
        }
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0B || byte == 0x0C
    }

    /// True for the bytes that end an unquoted word.
    static func endsWord(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x20, 0x09, 0x0A, 0x0D, 0x0B, 0x0C,
            UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: ";"),
            UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "\""):
            true
        default:
            false
        }
    }

    /// Every token of the text, ending with `.endOfFile`.
    mutating func tokenize() throws(ConfigError) -> [Token] {
        var tokens: [Token] = []
        while offset < bytes.count {
            let byte = bytes[offset]
            let start = location
            switch byte {
            case UInt8(ascii: "\n"):
                tokens.append(Token(kind: .newline, location: start))
                advance()
            case _ where Lexer.isSpace(byte):
                advance()
            case UInt8(ascii: "#"):
                while offset < bytes.count, bytes[offset] != UInt8(ascii: "\n") { advance() }
            case UInt8(ascii: "/") where offset + 1 < bytes.count && bytes[offset + 1] == UInt8(ascii: "*"):
                try skipBlockComment(from: start)
            case UInt8(ascii: "\""):
                tokens.append(Token(kind: .string(try readString(from: start)), location: start))
            case UInt8(ascii: "{"):
                tokens.append(Token(kind: .openBrace, location: start))
                advance()
            case UInt8(ascii: "}"):
                tokens.append(Token(kind: .closeBrace, location: start))
                advance()
            case UInt8(ascii: ";"):
                tokens.append(Token(kind: .semicolon, location: start))
                advance()
            case UInt8(ascii: "["):
                tokens.append(Token(kind: .openBracket, location: start))
                advance()
            case UInt8(ascii: "]"):
                tokens.append(Token(kind: .closeBracket, location: start))
                advance()
            default:
                let first = offset
                while offset < bytes.count, !Lexer.endsWord(bytes[offset]) { advance() }
                let word = String(decoding: bytes[first..<offset], as: UTF8.self)
                switch word {
                case "inactive:": tokens.append(Token(kind: .inactivePrefix, location: start))
                case "protect:": tokens.append(Token(kind: .protectPrefix, location: start))
                default: tokens.append(Token(kind: .word(word), location: start))
                }
            }
        }
        tokens.append(Token(kind: .endOfFile, location: location))
        return tokens
    }

    private mutating func skipBlockComment(from start: SourceLocation) throws(ConfigError) {
        advance()
        advance()
        while offset + 1 < bytes.count {
            if bytes[offset] == UInt8(ascii: "*"), bytes[offset + 1] == UInt8(ascii: "/") {
                advance()
                advance()
                return
            }
            advance()
        }
        throw ConfigError(.unterminatedComment, at: start, "unterminated comment: '/*' is never closed by '*/'")
    }

    /// Reads a `"` string. `\"` and `\\` stand for themselves; any other backslash is kept
    /// with the character after it, so the text survives a round trip unchanged.
    private mutating func readString(from start: SourceLocation) throws(ConfigError) -> String {
        advance()
        var text: [UInt8] = []
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                advance()
                return String(decoding: text, as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") {
                advance()
                guard offset < bytes.count else { break }
                let escaped = bytes[offset]
                if escaped != UInt8(ascii: "\""), escaped != UInt8(ascii: "\\") {
                    text.append(byte)
                }
                text.append(escaped)
                advance()
                continue
            }
            text.append(byte)
            advance()
        }
        throw ConfigError(.unterminatedString, at: start, "unterminated string: missing closing '\"'")
    }
}
