import FlowtelCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The flow-monitoring trace file: buffered appends, `match` filtering, and Junos-style
/// rotation by size and count.
///
/// Rotation: when a line would take the file past `size` bytes, `NAME` becomes `NAME.0`,
/// `NAME.0` becomes `NAME.1`, and so on, keeping `files` files in all (`NAME` and `NAME.0` …
/// `NAME.<files-2>`; the oldest is deleted). Junos compresses the rotated files (`NAME.0.gz`);
/// flowtel keeps them plain so that `show log NAME.0` and any tool can read them.
///
/// Buffering: lines collect in a buffer of at most ``bufferCapacity`` bytes, written out when
/// it is full, when a second has passed since the last write, before a rotation, and on
/// ``flush()`` / ``close()``. Overflow policy: none is needed — a full buffer is written at
/// once (one `write(2)` of at most 64 KiB to a local file). Failed writes (disk full) drop the
/// buffered bytes and count them in ``Statistics/bytesDropped``; tracing goes on.
///
/// Thread-safe: one lock, taken once per traced packet (never for packets no filter matches).
final class TraceFileWriter: Sendable {
    /// Bytes buffered before a write.
    static let bufferCapacity = 64 * 1024

    /// Counters since the file was opened.
    struct Statistics: Hashable, Sendable {
        /// Lines written (buffered) to the file.
        var linesWritten: UInt64 = 0
        /// Lines `match` left out.
        var linesSkipped: UInt64 = 0
        /// Rotations done.
        var rotations: UInt64 = 0
        /// Bytes lost to failed writes.
        var bytesDropped: UInt64 = 0
        /// The last write, rename or open error, if any.
        var lastError: String?
    }

    private struct State {
        var descriptor: Int32
        /// Bytes in the current file on disk.
        var fileSize: UInt64
        var buffer: [UInt8] = []
        var lastWrite = ContinuousClock.now
        var statistics = Statistics()
    }

    /// The current file's full path.
    let path: String
    private let size: UInt64
    private let files: Int
    private let mode: mode_t
    private let match: POSIXRegex?
    private let state: Mutex<State>

    private init(
        path: String, size: UInt64, files: Int, mode: mode_t, match: POSIXRegex?, descriptor: Int32, fileSize: UInt64
    ) {
        self.path = path
        self.size = size
        self.files = files
        self.mode = mode
        self.match = match
        var initial = State(descriptor: descriptor, fileSize: fileSize)
        initial.buffer.reserveCapacity(Self.bufferCapacity)
        state = Mutex(initial)
    }

    deinit {
        state.withLock { Self.flush(&$0) }
        state.withLock { state in
            if state.descriptor >= 0 { _ = Glibc.close(state.descriptor) }
        }
    }

    /// Opens (appending to) `file` in `directory`, creating the directory and its parents.
    /// Throws ``MonitorError`` (`io`) naming the directory or file and the system's reason.
    static func open(directory: String, file: MonitorFile, match: POSIXRegex?) throws(MonitorError) -> TraceFileWriter {
        try makeDirectories(directory)
        let path = directory.hasSuffix("/") ? directory + file.name : directory + "/" + file.name
        let mode: mode_t = file.worldReadable ? 0o644 : 0o640
        let (descriptor, size) = try openFile(path, mode: mode)
        return TraceFileWriter(
            path: path, size: file.size, files: Int(file.files), mode: mode, match: match, descriptor: descriptor,
            fileSize: size)
    }

    /// Appends the lines `match` accepts.
    func write(_ lines: [String]) {
        state.withLock { state in
            for line in lines {
                if let match, !match.matches(line) {
                    state.statistics.linesSkipped &+= 1
                    continue
                }
                var line = line
                line.append("\n")
                let count = UInt64(line.utf8.count)
                if state.fileSize + UInt64(state.buffer.count) + count > size,
                    state.fileSize + UInt64(state.buffer.count) > 0
                {
                    Self.flush(&state)
                    rotate(&state)
                }
                state.buffer.append(contentsOf: line.utf8)
                state.statistics.linesWritten &+= 1
            }
            if state.buffer.count >= Self.bufferCapacity || ContinuousClock.now - state.lastWrite > .seconds(1) {
                Self.flush(&state)
            }
        }
    }

    /// Writes out what is buffered.
    func flush() {
        state.withLock { Self.flush(&$0) }
    }

    /// Writes out what is buffered and closes the file; later writes are dropped.
    func close() {
        state.withLock { state in
            Self.flush(&state)
            if state.descriptor >= 0 { _ = Glibc.close(state.descriptor) }
            state.descriptor = -1
        }
    }

    /// The counters.
    var statistics: Statistics { state.withLock { $0.statistics } }

    private static func flush(_ state: inout State) {
        state.lastWrite = ContinuousClock.now
        guard !state.buffer.isEmpty else { return }
        defer { state.buffer.removeAll(keepingCapacity: true) }
        guard state.descriptor >= 0 else {
            state.statistics.bytesDropped &+= UInt64(state.buffer.count)
            return
        }
        let descriptor = state.descriptor
        let (written, error) = state.buffer.withUnsafeBytes { raw -> (Int, Int32) in
            var offset = 0
            while offset < raw.count {
                // write(2): EINTR is retried; EAGAIN cannot happen on a regular file; ENOSPC,
                // EDQUOT, EIO, EFBIG are the world's: the rest of the buffer is dropped.
                let n = Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return (offset, errno)
                }
                offset += n
            }
            return (offset, 0)
        }
        state.fileSize += UInt64(written)
        if error != 0 {
            state.statistics.bytesDropped &+= UInt64(state.buffer.count - written)
            state.statistics.lastError = "write \(systemErrorText(error))"
        }
    }

    /// Shifts `NAME.k` to `NAME.k+1` (dropping the oldest), `NAME` to `NAME.0`, and starts an
    /// empty `NAME`.
    private func rotate(_ state: inout State) {
        if state.descriptor >= 0 { _ = Glibc.close(state.descriptor) }
        state.descriptor = -1
        let kept = files - 1  // rotated files: NAME.0 ... NAME.(files-2)
        // unlink/rename: ENOENT (a file not there yet) is expected; other errors are recorded.
        if unlink("\(path).\(kept - 1)") != 0, errno != ENOENT {
            state.statistics.lastError = "unlink \(path).\(kept - 1): \(systemErrorText(errno))"
        }
        if kept >= 2 {
            for index in stride(from: kept - 2, through: 0, by: -1) {
                if rename("\(path).\(index)", "\(path).\(index + 1)") != 0, errno != ENOENT {
                    state.statistics.lastError = "rename \(path).\(index): \(systemErrorText(errno))"
                }
            }
        }
        if rename(path, "\(path).0") != 0, errno != ENOENT {
            state.statistics.lastError = "rename \(path): \(systemErrorText(errno))"
        }
        state.statistics.rotations &+= 1
        do {
            let (descriptor, size) = try Self.openFile(path, mode: mode)
            state.descriptor = descriptor
            state.fileSize = size
        } catch {
            state.statistics.lastError = error.message
            state.fileSize = 0
        }
    }

    private static func openFile(_ path: String, mode: mode_t) throws(MonitorError) -> (Int32, UInt64) {
        // open(2): ENOENT/EACCES/EROFS/ENOSPC/EISDIR/ELOOP and the like are the world's.
        let descriptor = Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, mode)
        guard descriptor >= 0 else {
            let code = errno
            throw MonitorError(.io, "cannot open trace file \(path): \(systemErrorText(code))", errno: code)
        }
        // The mode applies to a file that already existed too (world-readable or not), whatever
        // the umask. fchmod fails only for a file we do not own (EPERM): it keeps its mode.
        _ = fchmod(descriptor, mode)
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let code = errno
            _ = Glibc.close(descriptor)
            throw MonitorError(.io, "cannot stat trace file \(path): \(systemErrorText(code))", errno: code)
        }
        return (descriptor, UInt64(max(0, info.st_size)))
    }

    /// `mkdir -p`: creates `directory` and its missing parents (mode 0755).
    static func makeDirectories(_ directory: String) throws(MonitorError) {
        var partial = directory.hasPrefix("/") ? "" : "."
        for component in directory.split(separator: "/") {
            partial += "/" + component
            // mkdir(2): EEXIST is fine when it is a directory; anything else is the world's.
            if mkdir(partial, 0o755) != 0 {
                let code = errno
                var info = stat()
                if code == EEXIST, stat(partial, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR { continue }
                throw MonitorError(
                    .io,
                    "cannot create log directory \(directory) (at \(partial)): \(systemErrorText(code)); "
                        + "give flowteld a writable --log-dir", errno: code)
            }
        }
    }
}
