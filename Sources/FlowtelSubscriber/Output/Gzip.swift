import CZlib

#if canImport(Glibc)
import Glibc
#endif

/// Compresses a rotated output file to `NAME.gz`, crash-safely: the compressed data goes to
/// `NAME.gz.tmp`, is synced and renamed into place (the directory synced), and only then is
/// `NAME` deleted. Whatever the crash, one of `NAME` and `NAME.gz` is whole; a leftover
/// `.tmp` is garbage (``FileOutput`` deletes it at open and compresses `NAME` again).
enum Gzip {
    /// Level 1: rotated files are compressed while events keep arriving, so speed matters more
    /// than the last few percent (JSON lines shrink about 8 times even so).
    static let level = "wb1"

    static func compress(_ path: String, directory: Int32) throws(OutputError) {
        let temporary = path + ".gz.tmp"
        let source = open(path, O_RDONLY | O_CLOEXEC)
        guard source >= 0 else { throw .system(.rotate, "cannot open \(path) to compress it", errno: errno) }
        defer { _ = close(source) }
        let target = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard target >= 0 else { throw .system(.rotate, "cannot create \(temporary)", errno: errno) }
        defer { _ = close(target) }
        // gzclose closes the descriptor it was given: give it a duplicate, keep ours to fsync.
        let duplicate = dup(target)
        guard duplicate >= 0, let stream = gzdopen(duplicate, level) else {
            if duplicate >= 0 { _ = close(duplicate) }
            throw .system(.rotate, "cannot start compressing \(path)", errno: errno)
        }
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var failure: OutputError? = nil
        while failure == nil {
            let count = chunk.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                failure = .system(.rotate, "cannot read \(path) to compress it", errno: errno)
            } else if count == 0 {
                break
            } else if chunk.withUnsafeBytes({ gzwrite(stream, $0.baseAddress, UInt32(count)) }) != Int32(count) {
                failure = OutputError(code: .write, message: "cannot write \(temporary) (a full disk?)")
            }
        }
        let closed = gzclose(stream)
        if failure == nil && closed != Z_OK {
            failure = OutputError(code: .write, message: "cannot finish \(temporary) (a full disk?)")
        }
        if failure == nil && fsync(target) != 0 { failure = .system(.sync, "cannot sync \(temporary)", errno: errno) }
        if let failure {
            _ = unlink(temporary)
            throw failure
        }
        guard rename(temporary, path + ".gz") == 0 else {
            throw .system(.rotate, "cannot rename \(temporary) to \(path).gz", errno: errno)
        }
        guard fsync(directory) == 0 else { throw .system(.sync, "cannot sync the directory of \(path)", errno: errno) }
        guard unlink(path) == 0 || errno == ENOENT else {
            throw .system(.rotate, "cannot delete \(path) after compressing it", errno: errno)
        }
    }
}
