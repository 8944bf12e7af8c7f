/// How words are written back: quoted when the lexer would not read them back as one word.
enum Quoting {
    /// `word` as it must be written to read back as the same single word.
    static func quote(_ word: String) -> String {
        guard needsQuotes(word) else { return word }
        var quoted = "\""
        for character in word.unicodeScalars {
            if character == "\"" || character == "\\" { quoted.append("\\") }
            quoted.unicodeScalars.append(character)
        }
        quoted.append("\"")
        return quoted
    }

    /// Words quoted as needed and joined by spaces.
    static func join(_ words: some Sequence<String>) -> String {
        words.map(quote).joined(separator: " ")
    }

    private static func needsQuotes(_ word: String) -> Bool {
        if word.isEmpty || word == "inactive:" || word == "protect:" { return true }
        let bytes = word.utf8
        if bytes.first == UInt8(ascii: "#") || word.hasPrefix("/*") { return true }
        return bytes.contains(where: Lexer.endsWord) || bytes.contains(UInt8(ascii: "\\"))
    }
}
