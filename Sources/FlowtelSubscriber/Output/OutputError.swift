#if canImport(Glibc)
import Glibc
#endif

/// An output (file or SQLite) could not open, lock, write, sync, rotate or checkpoint.
///
/// Always the world's doing (permissions, a missing directory, a full disk, a file changed
/// behind flowtel's back, another subscriber writing the same output): the message says which
/// file, what failed and what to do.
public struct OutputError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case open, locked, write, sync, rotate, checkpoint, inconsistent
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The output file, its directory or its checkpoint could not be opened or created.
        public static let open = Code(.open)
        /// Another process writes the same output.
        public static let locked = Code(.locked)
        /// Appending records failed (a full disk, an I/O error).
        public static let write = Code(.write)
        /// `fsync` failed: what was written is not known to be durable.
        public static let sync = Code(.sync)
        /// Renaming files during rotation failed.
        public static let rotate = Code(.rotate)
        /// The checkpoint could not be read, parsed or replaced.
        public static let checkpoint = Code(.checkpoint)
        /// The file and its checkpoint disagree in a way no crash of flowtel can produce.
        public static let inconsistent = Code(.inconsistent)

        public var description: String {
            switch value {
            case .open: "open"
            case .locked: "locked"
            case .write: "write"
            case .sync: "sync"
            case .rotate: "rotate"
            case .checkpoint: "checkpoint"
            case .inconsistent: "inconsistent"
            }
        }
    }

    /// What kind of failure.
    public var code: Code
    /// What failed, where, and what to do.
    public var message: String
    /// The `errno` of the failed system call, when there was one.
    public var errno: Int32?

    /// Creates an error.
    public init(code: Code, message: String, errno: Int32? = nil) {
        self.code = code
        self.message = message
        self.errno = errno
    }

    /// An error for a failed system call: the message gets `strerror(errno)` appended.
    static func system(_ code: Code, _ what: String, errno value: Int32, hint: String = "") -> OutputError {
        let reason = String(cString: strerror(value))
        return OutputError(
            code: code, message: "\(what): \(reason)" + (hint.isEmpty ? "" : "; \(hint)"), errno: value)
    }

    public var description: String { message }
}
