/// A failure of the environment rather than of an RPC: an address that cannot be bound, unusable
/// TLS material, a thread that cannot be started, an invalid configuration.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure. Extensible: switch with a `default`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: Hashable, Sendable {
            case bindFailed
            case invalidConfiguration
            case fileUnreadable
            case threadStartFailed
            case internalError
        }

        private let wrapped: Wrapped

        private init(_ wrapped: Wrapped) {
            self.wrapped = wrapped
        }

        /// The listen address could not be bound (in use, malformed, not local), or the TLS
        /// certificate or key were rejected while setting up the port.
        public static let bindFailed = Code(.bindFailed)
        /// The configuration is contradictory (e.g. mutual TLS without a client CA).
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// A file named in the configuration (certificate, key, CA bundle) cannot be read.
        public static let fileUnreadable = Code(.fileUnreadable)
        /// The operating system refused to start a thread.
        public static let threadStartFailed = Code(.threadStartFailed)
        /// The gRPC core refused to create an object.
        public static let internalError = Code(.internalError)

        /// A short identifier such as `bindFailed`.
        public var description: String {
            switch wrapped {
            case .bindFailed: "bindFailed"
            case .invalidConfiguration: "invalidConfiguration"
            case .fileUnreadable: "fileUnreadable"
            case .threadStartFailed: "threadStartFailed"
            case .internalError: "internalError"
            }
        }
    }

    /// What went wrong.
    public var code: Code
    /// What was wrong and where, phrased for an operator.
    public var message: String
    /// The underlying error, when there is one.
    public var cause: (any Error)?

    /// Creates an error.
    public init(code: Code, message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// `code: message`, plus the cause when there is one.
    public var description: String {
        if let cause {
            return "\(code): \(message) (\(cause))"
        }
        return "\(code): \(message)"
    }
}
