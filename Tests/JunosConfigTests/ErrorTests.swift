import Testing

@testable import JunosConfig

@Suite("Errors")
struct ErrorTests {
    struct Case: Sendable, CustomStringConvertible {
        var text: String
        var kind: ConfigError.Kind
        var line: Int
        var column: Int
        var message: String
        var description: String { message }
    }

    static let cases: [Case] = [
        Case(
            text: "system {\n    host-name srx1\n}", kind: .unexpectedToken, line: 3, column: 1,
            message: "expected ';' or '{' after 'host-name srx1', found '}'"),
        Case(
            text: "system {\n    login message \"hello;\n}\n", kind: .unterminatedString, line: 2, column: 19,
            message: "unterminated string: missing closing '\"'"),
        Case(
            text: "set system host-name srx1\nset a \"b", kind: .unterminatedString, line: 2, column: 7,
            message: "unterminated string: missing closing '\"'"),
        Case(
            text: "system {\n  /* never closed\n host-name x; }", kind: .unterminatedComment, line: 2, column: 3,
            message: "unterminated comment: '/*' is never closed by '*/'"),
        Case(
            text: "system {\n    host-name srx1;\n}\n}\n", kind: .unbalancedBrace, line: 4, column: 1,
            message: "unbalanced '}': no block is open"),
        Case(
            text: "system {\n    services {\n        ssh;\n", kind: .unexpectedEndOfFile, line: 4, column: 1,
            message: "unexpected end of file: 2 blocks not closed (innermost opened at 2:14)"),
        Case(
            text: "system {\n    host-name srx1", kind: .unexpectedEndOfFile, line: 2, column: 19,
            message: "expected ';' or '{' after 'host-name srx1', found end of file"),
        Case(
            text: "system {\n    ;\n}", kind: .unexpectedToken, line: 2, column: 5,
            message: "expected a statement, found ';'"),
        Case(
            text: "a {\n    application [ x { ];\n}", kind: .unexpectedToken, line: 2, column: 21,
            message: "expected a value or ']' to close the list opened at 2:17, found '{'"),
        Case(
            text: "a {\n    application [ x y ]\n}", kind: .unexpectedToken, line: 3, column: 1,
            message: "expected ';' after ']', found '}'"),
        Case(
            text: "set system host-name srx1\nshow system\n", kind: .unexpectedToken, line: 2, column: 1,
            message: "expected 'set', 'delete', 'deactivate' or 'activate' at the start of a line, found 'show'"),
        Case(
            text: "set system host-name srx1\n  set system { x }", kind: .unexpectedToken, line: 2, column: 14,
            message: "expected a word, '[', ';' or end of line in 'set' command, found '{'"),
        Case(
            text: "set a b; c\n", kind: .unexpectedToken, line: 1, column: 10,
            message: "expected end of line after ';', found 'c'"),
        Case(
            text: "set a\nset\n", kind: .unexpectedToken, line: 2, column: 4,
            message: "expected a statement path after 'set', found end of line"),
        Case(
            text: "set a [ b c\nset d", kind: .unexpectedToken, line: 1, column: 12,
            message: "expected a value or ']' to close the list opened at 1:7, found end of line"),
        Case(
            text: "set a [ b ] c", kind: .unexpectedToken, line: 1, column: 13,
            message: "expected ';' or end of line after ']' in 'set' command, found 'c'"),
        Case(
            text: String(repeating: "a {\n", count: 300), kind: .nestingTooDeep, line: 256, column: 1,
            message: "statement nested deeper than 256 words"),
        Case(
            text: "set " + String(repeating: "a ", count: 257), kind: .nestingTooDeep, line: 1, column: 1,
            message: "statement path deeper than 256 words"),
    ]

    @Test("each error names its kind, file:line:column and what was expected", arguments: cases)
    func errors(_ item: Case) {
        do {
            let parsed = try ConfigParser.parse(text: item.text, file: "bad.conf")
            Issue.record("parsed, expected an error: \(parsed.tree.formatted(as: .set))")
        } catch {
            #expect(error.kind == item.kind)
            #expect(error.location == SourceLocation(file: "bad.conf", line: item.line, column: item.column))
            #expect(error.message == item.message)
            #expect(error.description == "bad.conf:\(item.line):\(item.column): \(item.message)")
        }
    }
}
