internal import CGRPC

/// A gRPC status code, as carried in the `grpc-status` trailer.
///
/// A struct rather than an enum so that codes this library does not know (a newer peer) still
/// round-trip: `StatusCode(rawValue: 42)` is valid and prints as `CODE_42`.
public struct StatusCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The numeric code on the wire.
    public var rawValue: Int32

    /// Wraps any numeric code.
    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    private init(_ mirrored: Int) {
        self.rawValue = Int32(mirrored)
    }

    /// Not an error; returned on success.
    public static let ok = StatusCode(CGRPC_STATUS_OK)
    /// The operation was cancelled, typically by the caller.
    public static let cancelled = StatusCode(CGRPC_STATUS_CANCELLED)
    /// Unknown error.
    public static let unknown = StatusCode(CGRPC_STATUS_UNKNOWN)
    /// The client specified an invalid argument.
    public static let invalidArgument = StatusCode(CGRPC_STATUS_INVALID_ARGUMENT)
    /// The deadline expired before the operation could complete.
    public static let deadlineExceeded = StatusCode(CGRPC_STATUS_DEADLINE_EXCEEDED)
    /// Some requested entity was not found.
    public static let notFound = StatusCode(CGRPC_STATUS_NOT_FOUND)
    /// The entity that a client attempted to create already exists.
    public static let alreadyExists = StatusCode(CGRPC_STATUS_ALREADY_EXISTS)
    /// The caller does not have permission to execute the operation.
    public static let permissionDenied = StatusCode(CGRPC_STATUS_PERMISSION_DENIED)
    /// Some resource has been exhausted (also: a message over the size limit).
    public static let resourceExhausted = StatusCode(CGRPC_STATUS_RESOURCE_EXHAUSTED)
    /// The system is not in a state required for the operation's execution.
    public static let failedPrecondition = StatusCode(CGRPC_STATUS_FAILED_PRECONDITION)
    /// The operation was aborted.
    public static let aborted = StatusCode(CGRPC_STATUS_ABORTED)
    /// The operation was attempted past the valid range.
    public static let outOfRange = StatusCode(CGRPC_STATUS_OUT_OF_RANGE)
    /// The operation is not implemented or not supported by this server.
    public static let unimplemented = StatusCode(CGRPC_STATUS_UNIMPLEMENTED)
    /// Internal error.
    public static let internalError = StatusCode(CGRPC_STATUS_INTERNAL)
    /// The service is currently unavailable (also: connection or TLS handshake failed).
    public static let unavailable = StatusCode(CGRPC_STATUS_UNAVAILABLE)
    /// Unrecoverable data loss or corruption.
    public static let dataLoss = StatusCode(CGRPC_STATUS_DATA_LOSS)
    /// The request does not have valid authentication credentials.
    public static let unauthenticated = StatusCode(CGRPC_STATUS_UNAUTHENTICATED)

    /// The canonical upper-case name, e.g. `UNAVAILABLE`.
    public var description: String {
        switch self {
        case .ok: "OK"
        case .cancelled: "CANCELLED"
        case .unknown: "UNKNOWN"
        case .invalidArgument: "INVALID_ARGUMENT"
        case .deadlineExceeded: "DEADLINE_EXCEEDED"
        case .notFound: "NOT_FOUND"
        case .alreadyExists: "ALREADY_EXISTS"
        case .permissionDenied: "PERMISSION_DENIED"
        case .resourceExhausted: "RESOURCE_EXHAUSTED"
        case .failedPrecondition: "FAILED_PRECONDITION"
        case .aborted: "ABORTED"
        case .outOfRange: "OUT_OF_RANGE"
        case .unimplemented: "UNIMPLEMENTED"
        case .internalError: "INTERNAL"
        case .unavailable: "UNAVAILABLE"
        case .dataLoss: "DATA_LOSS"
        case .unauthenticated: "UNAUTHENTICATED"
        default: "CODE_\(rawValue)"
        }
    }
}

/// A call ended with a non-OK status: what a client sees, and what a server handler reports.
public struct RPCError: Error, Sendable, CustomStringConvertible {
    /// The status code.
    public var code: StatusCode
    /// The status message (may be empty).
    public var message: String

    /// Creates an error with a status code and message.
    public init(code: StatusCode, message: String) {
        self.code = code
        self.message = message
    }

    /// `CODE: message`, or just `CODE` without a message.
    public var description: String {
        message.isEmpty ? code.description : "\(code): \(message)"
    }
}
