/// Why a configuration text could not be parsed.
///
/// Thrown by ``ConfigParser/parse(text:file:)``. The error names the first problem found, where
/// it is (``location``) and what was expected there (``message``).
public struct ConfigError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of problem.
    public var kind: Kind
    /// Where the problem is: the offending token, or the start of the unterminated construct.
    public var location: SourceLocation
    /// What was wrong and what was expected, e.g. "expected ';' or '{' after 'host-name srx1',
    /// found '}'".
    public var message: String

    /// Creates an error.
    public init(_ kind: Kind, at location: SourceLocation, _ message: String) {
        self.kind = kind
        self.location = location
        self.message = message
    }

    /// "srx1.conf:3:5: unterminated string: missing closing '\"'".
    public var description: String { "\(location): \(message)" }
}

extension ConfigError {
    /// A kind of syntax error. Kinds are only added, never removed.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: Hashable, Sendable {
            case unterminatedString
            case unterminatedComment
            case unexpectedToken
            case unbalancedBrace
            case unexpectedEndOfFile
            case nestingTooDeep
        }

        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// A `"` string is not closed before the end of the text.
        public static let unterminatedString = Kind(.unterminatedString)
        /// A `/*` comment is not closed by `*/` before the end of the text.
        public static let unterminatedComment = Kind(.unterminatedComment)
        /// A token that cannot appear where it is (the message says what was expected).
        public static let unexpectedToken = Kind(.unexpectedToken)
        /// A `}` that closes no block.
        public static let unbalancedBrace = Kind(.unbalancedBrace)
        /// The text ends inside a statement or with blocks still open.
        public static let unexpectedEndOfFile = Kind(.unexpectedEndOfFile)
        /// The hierarchy is deeper than ``ConfigParser/maximumDepth`` words.
        public static let nestingTooDeep = Kind(.nestingTooDeep)

        /// The kind's name, e.g. "unterminatedString".
        public var description: String {
            switch wrapped {
            case .unterminatedString: "unterminatedString"
            case .unterminatedComment: "unterminatedComment"
            case .unexpectedToken: "unexpectedToken"
            case .unbalancedBrace: "unbalancedBrace"
            case .unexpectedEndOfFile: "unexpectedEndOfFile"
            case .nestingTooDeep: "nestingTooDeep"
            }
        }
    }
}
