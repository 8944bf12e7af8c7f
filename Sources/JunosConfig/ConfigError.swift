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
    /// A kind of error: syntax (thrown by the parser) or meaning (found by the typed layer). Kinds are only added, never removed.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: Hashable, Sendable {
            case unterminatedString
            case unterminatedComment
            case unexpectedToken
            case unbalancedBrace
            case unexpectedEndOfFile
            case nestingTooDeep
            case missingValue
            case invalidValue
            case undefinedReference
            case duplicateDefinition
            case conflictingStatements
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
        /// A statement that needs a value has none (`vlan-id;`).
        public static let missingValue = Kind(.missingValue)
        /// A value of the wrong form or out of range (`vlan-id 5000`, `address 10.0.0.300/24`).
        public static let invalidValue = Kind(.invalidValue)
        /// A reference to a zone, address, application, pool or interface that is not defined.
        public static let undefinedReference = Kind(.undefinedReference)
        /// The same name defined twice where names must be unique (an address and an address
        /// set of one book, an interface in two zones).
        public static let duplicateDefinition = Kind(.duplicateDefinition)
        /// Statements that cannot be configured together (`strict-syn-check` with `no-syn-check`).
        public static let conflictingStatements = Kind(.conflictingStatements)

        /// The kind's name, e.g. "unterminatedString".
        public var description: String {
            switch wrapped {
            case .unterminatedString: "unterminatedString"
            case .unterminatedComment: "unterminatedComment"
            case .unexpectedToken: "unexpectedToken"
            case .unbalancedBrace: "unbalancedBrace"
            case .unexpectedEndOfFile: "unexpectedEndOfFile"
            case .nestingTooDeep: "nestingTooDeep"
            case .missingValue: "missingValue"
            case .invalidValue: "invalidValue"
            case .undefinedReference: "undefinedReference"
            case .duplicateDefinition: "duplicateDefinition"
            case .conflictingStatements: "conflictingStatements"
            }
        }
    }
}
