/// A position in a configuration text: the file name the caller gave and a 1-based line and
/// column (columns count Unicode scalars, so a tab or a multi-byte character is one column).
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    /// The file name passed to ``ConfigParser/parse(text:file:)``; only used in messages.
    public var file: String
    /// The line, from 1.
    public var line: Int
    /// The column, from 1.
    public var column: Int

    /// Creates a location.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// "srx1.conf:12:5".
    public var description: String { "\(file):\(line):\(column)" }
}
