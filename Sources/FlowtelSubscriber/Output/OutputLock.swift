#if canImport(Glibc)
import Glibc
#endif

/// An exclusive lock on an output (`PATH.lock`), so that two subscribers never write the same
/// file chain or database: the second fails at start instead of interleaving records and
/// overwriting the first one's checkpoint.
///
/// `flock(2)` on a lock file of its own: the output file itself is renamed by rotation and the
/// database is opened by SQLite, so neither can carry the lock. The kernel drops the lock when
/// the process dies however it dies, so a `kill -9` never leaves a stale lock behind; the file
/// stays and holds the last owner's pid, for the error message only.
final class OutputLock {
    let path: String
    private let descriptor: Int32

    /// Takes the lock of the output at `outputPath` (`what` names it in messages, e.g.
    /// `file:/var/log/flows.json`), or throws `.locked` naming the process holding it.
    init(outputPath: String, what: String) throws(OutputError) {
        path = outputPath + ".lock"
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw .system(.open, "cannot create \(path), the lock of output \(what)", errno: errno)
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let error = errno
            let holder = Self.readPid(descriptor)
            _ = close(descriptor)
            if error == EWOULDBLOCK {
                throw OutputError(
                    code: .locked,
                    message: "output \(what) is being written by another subscriber"
                        + (holder.map { " (pid \($0))" } ?? "") + "; stop it or choose another --output")
            }
            throw .system(.open, "cannot lock \(path)", errno: error)
        }
        // The pid is a courtesy for the message above; failing to record it changes nothing.
        let pid = Array("\(getpid())\n".utf8)
        if ftruncate(descriptor, 0) == 0 {
            _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        }
    }

    deinit {
        _ = close(descriptor)
    }

    private static func readPid(_ descriptor: Int32) -> Int? {
        var bytes = [UInt8](repeating: 0, count: 32)
        let count = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return String(decoding: bytes[0..<count], as: UTF8.self).split(whereSeparator: \.isWhitespace).first
            .flatMap { Int($0) }
    }
}
