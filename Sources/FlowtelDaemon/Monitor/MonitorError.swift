/// Why a flow-monitoring request was refused or failed.
///
/// The message is what the operator sees; for the refusals Junos words itself (`error: Please
/// specify …`) it is the Junos text.
public struct MonitorError: Error, Sendable, CustomStringConvertible {
    fileprivate enum Kind: Sendable {
        case invalidArgument, notFound, failedPrecondition, resourceExhausted, io
    }

    /// The class of failure, for the status code of the RPC.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate let kind: Kind

        /// A request field is malformed or out of range.
        public static let invalidArgument = Code(kind: .invalidArgument)
        /// A named filter or log file does not exist.
        public static let notFound = Code(kind: .notFound)
        /// The monitor's state forbids the request (no file, no filter, traceoptions configured).
        public static let failedPrecondition = Code(kind: .failedPrecondition)
        /// Too many filters.
        public static let resourceExhausted = Code(kind: .resourceExhausted)
        /// The log directory or a file in it could not be created, written or read.
        public static let io = Code(kind: .io)

        public var description: String {
            switch kind {
            case .invalidArgument: "invalid argument"
            case .notFound: "not found"
            case .failedPrecondition: "failed precondition"
            case .resourceExhausted: "resource exhausted"
            case .io: "I/O error"
            }
        }
    }

    /// What kind of failure.
    public var code: Code
    /// What was wrong, where, and what to do.
    public var message: String
    /// The `errno` behind an ``Code/io`` failure.
    public var underlyingErrno: Int32?

    /// An error.
    public init(_ code: Code, _ message: String, errno: Int32? = nil) {
        self.code = code
        self.message = message
        underlyingErrno = errno
    }

    public var description: String { message }
}
