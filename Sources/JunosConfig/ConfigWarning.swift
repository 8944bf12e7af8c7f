/// Something the parser accepted but ignored, as Junos does with a warning.
public struct ConfigWarning: Hashable, Sendable, CustomStringConvertible {
    /// The kind of warning.
    public var kind: Kind
    /// The statement the warning is about.
    public var location: SourceLocation
    /// What was ignored and why.
    public var message: String

    /// Creates a warning.
    public init(_ kind: Kind, at location: SourceLocation, _ message: String) {
        self.kind = kind
        self.location = location
        self.message = message
    }

    /// "srx1.set:7:1: warning: statement not found: 'system ntp' (delete ignored)".
    public var description: String { "\(location): warning: \(message)" }
}

extension ConfigWarning {
    /// A kind of warning. Kinds are only added, never removed.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: Hashable, Sendable {
            case statementNotFound
            case unknownGroup
            case unsupportedGroupWildcard
            case unknownStatement
            case unconfiguredInterface
            case noEffect
        }

        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// `delete`, `deactivate`, `activate`, `protect` or `unprotect` named an absent path.
        public static let statementNotFound = Kind(.statementNotFound)
        /// `apply-groups` names a group that `groups` does not define.
        public static let unknownGroup = Kind(.unknownGroup)
        /// A group statement uses a `<...>` wildcard, which this parser does not expand.
        public static let unsupportedGroupWildcard = Kind(.unsupportedGroupWildcard)
        /// A statement flowtel does not interpret (kept in the tree, printed back, ignored).
        public static let unknownStatement = Kind(.unknownStatement)
        /// A zone, NAT rule or route names an interface unit that `interfaces` does not define.
        public static let unconfiguredInterface = Kind(.unconfiguredInterface)
        /// A statement flowtel accepts but cannot act on (e.g. `action trap`: no SNMP).
        public static let noEffect = Kind(.noEffect)

        /// The kind's name, e.g. "statementNotFound".
        public var description: String {
            switch wrapped {
            case .statementNotFound: "statementNotFound"
            case .unknownGroup: "unknownGroup"
            case .unsupportedGroupWildcard: "unsupportedGroupWildcard"
            case .unknownStatement: "unknownStatement"
            case .unconfiguredInterface: "unconfiguredInterface"
            case .noEffect: "noEffect"
            }
        }
    }
}
