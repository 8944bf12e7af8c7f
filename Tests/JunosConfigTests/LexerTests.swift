import Testing

@testable import JunosConfig

@Suite("Lexer")
struct LexerTests {
    private func lex(_ text: String) throws -> [Token] {
        var lexer = Lexer(text: text, file: "t.conf")
        return try lexer.tokenize()
    }

    private func words(_ text: String) throws -> [String] {
        try lex(text).compactMap(\.pathWord)
    }

    @Test("addresses, prefixes, IPv6, interface names and wildcards are single words")
    func wordShapes() throws {
        #expect(
            try words("10.0.0.0/8 2001:db8::1/128 ge-0/0/1.0 <*> <ge-*> junos-http 8080 fe80::1%ge-0/0/0")
                == ["10.0.0.0/8", "2001:db8::1/128", "ge-0/0/1.0", "<*>", "<ge-*>", "junos-http", "8080", "fe80::1%ge-0/0/0"])
    }

    @Test("punctuation ends words and every token has its 1-based line and column")
    func locations() throws {
        let tokens = try lex("a {\n  b c;\n\tapplication [ x y ];\n}")
        let summary = tokens.map { "\($0.quotedForMessage)@\($0.location.line):\($0.location.column)" }
        #expect(
            summary == [
                "'a'@1:1", "'{'@1:3", "end of line@1:4",
                "'b'@2:3", "'c'@2:5", "';'@2:6", "end of line@2:7",
                "'application'@3:2", "'['@3:14", "'x'@3:16", "'y'@3:18", "']'@3:20", "';'@3:21", "end of line@3:22",
                "'}'@4:1", "end of file@4:2",
            ])
    }

    @Test("quoted strings resolve \\\" and \\\\, keep other backslashes, and may hold spaces")
    func strings() throws {
        let tokens = try lex(#"description "uplink \"A\" to ISP"; x "a\\b" "c\nd" """#)
        #expect(tokens[1].kind == .string(#"uplink "A" to ISP"#))
        #expect(tokens[4].kind == .string(#"a\b"#))
        #expect(tokens[5].kind == .string(#"c\nd"#))
        #expect(tokens[6].kind == .string(""))
    }

    @Test("comments: # to end of line and /* */ across lines; # inside a word is part of it")
    func comments() throws {
        let tokens = try lex("a # note { ;\n/* x\n y */ b a#b /* */c")
        #expect(tokens.compactMap(\.pathWord) == ["a", "b", "a#b", "c"])
        #expect(tokens[2].location == SourceLocation(file: "t.conf", line: 3, column: 7))
    }

    @Test("inactive: and protect: are prefixes; quoted they are words")
    func prefixes() throws {
        let tokens = try lex(#"inactive: protect: "inactive:" inactive:x"#)
        #expect(tokens.map(\.kind) == [.inactivePrefix, .protectPrefix, .string("inactive:"), .word("inactive:x"), .endOfFile])
    }

    @Test("columns count Unicode scalars, not bytes")
    func unicodeColumns() throws {
        let tokens = try lex("description \"café ☕\" x")
        #expect(tokens[2].location.column == 22)
    }
}
