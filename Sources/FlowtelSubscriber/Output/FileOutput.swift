import FlowtelGRPC
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Where a file output writes and how it rotates.
public struct FileOutputConfiguration: Hashable, Sendable {
    /// The current file; rotated files are `PATH.1` (newest) … `PATH.<rotateCount>`, the
    /// checkpoint is `PATH.checkpoint`.
    public var path: String
    /// Rotate before a record would take the current file past this many bytes (a single
    /// larger record gets a file of its own).
    public var rotateBytes: Int = 64 << 20
    /// Rotated files kept besides the current one; the oldest is deleted (at least 1).
    public var rotateCount: Int = 10
    /// Whether each record is followed by a newline (text formats); binary records
    /// (length-delimited protobuf) carry their own framing.
    public var newlines = true
    /// Whether rotated files are gzipped (`PATH.1.gz` …), on a thread of their own, so the
    /// stream is not held up; see ``Gzip``.
    public var gzip = false

    /// A configuration with the default rotation (64 MiB, 10 files).
    public init(path: String) {
        self.path = path
    }
}

/// Appends rendered records to a file with size/count rotation, crash-safe and exactly once.
///
/// Records are buffered per batch; `commit()` appends them with `write`, `fsync`s the file,
/// then replaces the checkpoint (temp file, `fsync`, `rename`, `fsync` of the directory). The
/// checkpoint names the resume point *and* the file length it covers, so on the next start
/// anything written after it (a torn record, a batch whose checkpoint never landed) is cut
/// off with `ftruncate` and received again from the daemon: every record ends up in the files
/// exactly once whatever the format, and a record is never torn.
///
/// Rotation happens only between commits, when everything in the current file is covered by
/// the checkpoint: shift `PATH.k` to `PATH.k+1` (oldest first, deleting the one past the
/// count), rename `PATH` to `PATH.1`, `fsync` the directory, then checkpoint `bytes=0`. A
/// crash at any step leaves whole files under whole names; a missing or empty `PATH` with a
/// non-zero checkpoint length is such an interrupted rotation and is continued as empty.
///
/// One writer per output: `PATH.lock` (see ``OutputLock``) makes a second subscriber fail at
/// start. Not thread-safe: one owner thread (the subscribe loop). Memory is bounded by one batch of
/// records plus `rotateBytes` never being buffered: the buffer is committed before rotating.
public final class FileOutput {
    /// The configuration.
    public let configuration: FileOutputConfiguration
    /// The checkpoint found at open (nil when there was none).
    public let recovered: OutputCheckpoint?
    /// Bytes found after the recovered checkpoint and cut off at open (they will be received
    /// again).
    public let discardedBytes: UInt64
    /// Where the subscription starts: the caller's override or the recovered checkpoint's.
    public let start: OutputCheckpoint.Start

    private let lock: OutputLock
    private let checkpointPath: String
    private let temporaryCheckpointPath: String
    private var directory: Int32
    private var file: Int32
    /// Bytes of the current file that are written and synced.
    private var size: UInt64
    private var buffer: [UInt8] = []
    /// The thread gzipping `PATH.1`, and what it reports; joined before the next rotation.
    private var compressor: PThread? = nil
    private let compression = CompressionOutcome()
    /// A write failed after appending an unknown part of the buffer.
    private var writeFailed = false
    private var pending: OutputCheckpoint.Start
    private var committed: OutputCheckpoint

    /// Opens (creating it if needed) the output, recovers from its checkpoint and writes a
    /// fresh checkpoint, so that an unwritable path fails here, before any subscription.
    ///
    /// - Parameter start: where to start instead of the checkpoint's position (the user's
    ///   `--from-now`, `--from-oldest` or `--resume`); nil to resume from the checkpoint, or
    ///   from now when there is none.
    public init(configuration: FileOutputConfiguration, start override: OutputCheckpoint.Start? = nil)
        throws(OutputError)
    {
        precondition(configuration.rotateBytes > 0 && configuration.rotateCount >= 1, "validated by the caller")
        self.configuration = configuration
        let path = configuration.path
        checkpointPath = path + ".checkpoint"
        temporaryCheckpointPath = path + ".checkpoint.tmp"
        let directoryPath = Self.directoryName(of: path)

        // open(2): ENOENT, EACCES, ENOTDIR, ELOOP, … are the world's; EFAULT/EINVAL would be ours.
        directory = open(directoryPath, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directory >= 0 else {
            throw .system(
                .open, "cannot open the directory \(directoryPath) of output file:\(path)", errno: errno,
                hint: "create it or choose another --output")
        }
        var closeOnFailure: [Int32] = [directory]
        defer { for fd in closeOnFailure { _ = close(fd) } }
        lock = try OutputLock(outputPath: path, what: "file:\(path)")
        try Self.recoverRotatedFiles(configuration, directory: directory)

        let recovered = try Self.readCheckpoint(checkpointPath)
        file = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard file >= 0 else {
            throw .system(.open, "cannot open output file:\(path)", errno: errno, hint: "check that it is writable")
        }
        closeOnFailure.append(file)
        var status = stat()
        guard fstat(file, &status) == 0 else { throw .system(.open, "cannot stat \(path)", errno: errno) }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw OutputError(code: .open, message: "output file:\(path) is not a regular file; choose another path")
        }
        var size = UInt64(status.st_size)
        var discarded: UInt64 = 0
        if let recovered {
            if size > recovered.bytes {
                // Written after the last checkpoint: possibly torn, certainly not acknowledged.
                discarded = size - recovered.bytes
                guard ftruncate(file, off_t(recovered.bytes)) == 0 else {
                    throw .system(.write, "cannot cut \(path) back to its checkpoint", errno: errno)
                }
                guard fsync(file) == 0 else { throw .system(.sync, "cannot sync \(path)", errno: errno) }
                size = recovered.bytes
            } else if size < recovered.bytes && size > 0 {
                throw OutputError(
                    code: .inconsistent,
                    message: "output file:\(path) holds \(size) bytes but \(checkpointPath) covers \(recovered.bytes): "
                        + "the file was changed outside flowtel; move it away or delete the checkpoint")
            }
            // size == 0 < bytes: a rotation was interrupted after PATH became PATH.1.
        }
        self.recovered = recovered
        self.discardedBytes = discarded
        self.size = size
        let start = override ?? recovered?.start ?? .now
        self.start = start
        pending = start
        committed = OutputCheckpoint(start: start, bytes: size)
        buffer.reserveCapacity(1 << 20)
        guard fsync(directory) == 0 else { throw .system(.sync, "cannot sync \(directoryPath)", errno: errno) }
        try writeCheckpoint(committed)
        closeOnFailure = []
    }

    deinit {
        compressor?.join()
        _ = close(file)
        _ = close(directory)
    }

    /// Adds one record (a rendered line, without its newline) that takes the position to
    /// `start`; a nil record only moves the position (an event the format does not print).
    /// Rotates first when the record would overflow the current file.
    public func append(_ line: [UInt8]?, through start: OutputCheckpoint.Start?) throws(OutputError) {
        if let line {
            let used = size + UInt64(buffer.count)
            let size = line.count + (configuration.newlines ? 1 : 0)
            if used > 0 && used + UInt64(size) > UInt64(configuration.rotateBytes) {
                try commit()
                try rotate()
            }
            buffer.append(contentsOf: line)
            if configuration.newlines { buffer.append(0x0A) }
        }
        if let start { pending = start }
    }

    /// Appends and syncs the buffered records, then checkpoints them (see the type's
    /// documentation). After it returns, everything appended so far is durable.
    public func commit() throws(OutputError) {
        if writeFailed {
            // A failed write may have appended part of the buffer: cut it before writing again.
            guard ftruncate(file, off_t(size)) == 0 else {
                throw .system(.write, "cannot cut output file:\(configuration.path) back to its checkpoint", errno: errno)
            }
            writeFailed = false
        }
        if !buffer.isEmpty {
            let failure: Int32? = buffer.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = write(file, raw.baseAddress! + offset, raw.count - offset)
                    if n < 0 {
                        // EINTR: retry; ENOSPC, EIO, EDQUOT, EFBIG: the world's. Whatever was
                        // written is beyond the checkpoint and is cut off on the next start.
                        if errno == EINTR { continue }
                        return errno
                    }
                    offset += n
                }
                return nil
            }
            if let failure {
                writeFailed = true
                throw .system(.write, "cannot write output file:\(configuration.path)", errno: failure)
            }
            guard fsync(file) == 0 else {
                let error = errno
                writeFailed = true
                throw .system(.sync, "cannot sync output file:\(configuration.path)", errno: error)
            }
            size += UInt64(buffer.count)
            buffer.removeAll(keepingCapacity: true)
        }
        let next = OutputCheckpoint(start: pending, bytes: size)
        if next != committed { try writeCheckpoint(next) }
    }

    // Called with an empty buffer and a checkpoint covering the whole current file.
    private func rotate() throws(OutputError) {
        try finishCompression()
        let path = configuration.path
        let count = configuration.rotateCount
        // unlink/rename: ENOENT is a file the chain does not have (fine); others are the world's.
        // Both spellings move, so a chain survives turning gzip on or off between runs.
        for name in ["\(path).\(count)", "\(path).\(count).gz"] where unlink(name) != 0 && errno != ENOENT {
            throw .system(.rotate, "cannot delete \(name)", errno: errno)
        }
        var index = count - 1
        while index >= 1 {
            for suffix in ["", ".gz"]
            where rename("\(path).\(index)\(suffix)", "\(path).\(index + 1)\(suffix)") != 0 && errno != ENOENT {
                throw .system(.rotate, "cannot rename \(path).\(index)\(suffix) to \(path).\(index + 1)\(suffix)", errno: errno)
            }
            index -= 1
        }
        guard rename(path, "\(path).1") == 0 else {
            throw .system(.rotate, "cannot rename \(path) to \(path).1", errno: errno)
        }
        guard fsync(directory) == 0 else { throw .system(.sync, "cannot sync the directory of \(path)", errno: errno) }
        _ = close(file)
        file = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard file >= 0 else { throw .system(.open, "cannot create output file:\(path)", errno: errno) }
        guard fsync(directory) == 0 else { throw .system(.sync, "cannot sync the directory of \(path)", errno: errno) }
        size = 0
        try writeCheckpoint(OutputCheckpoint(start: committed.start, bytes: 0))
        if configuration.gzip { try startCompression("\(path).1") }
    }

    private func startCompression(_ rotated: String) throws(OutputError) {
        let directory = directory
        let outcome = compression
        do {
            compressor = try PThread.start(name: "flowtel-gzip") {
                do throws(OutputError) {
                    try Gzip.compress(rotated, directory: directory)
                } catch {
                    outcome.error.withLock { $0 = error }
                }
            }
        } catch {
            // No thread: compress here instead.
            try Gzip.compress(rotated, directory: directory)
        }
    }

    /// Waits for the rotated file being compressed; throws what went wrong with it.
    private func finishCompression() throws(OutputError) {
        compressor?.join()
        compressor = nil
        if let error = compression.error.withLock({ $0.take() }) { throw error }
    }

    /// With gzip, finishes what a crash interrupted: deletes partial `.gz.tmp` files, and
    /// compresses every rotated file left uncompressed (unless its `.gz` is already whole).
    private static func recoverRotatedFiles(_ configuration: FileOutputConfiguration, directory: Int32) throws(OutputError) {
        guard configuration.gzip else { return }
        let path = configuration.path
        for index in 1...configuration.rotateCount {
            let rotated = "\(path).\(index)"
            if unlink(rotated + ".gz.tmp") != 0 && errno != ENOENT {
                throw .system(.rotate, "cannot delete \(rotated).gz.tmp", errno: errno)
            }
            guard access(rotated, F_OK) == 0 else { continue }
            if access(rotated + ".gz", F_OK) == 0 {
                // Renamed into place before the crash: the uncompressed copy is the spare one.
                guard unlink(rotated) == 0 else { throw .system(.rotate, "cannot delete \(rotated)", errno: errno) }
            } else {
                try Gzip.compress(rotated, directory: directory)
            }
        }
    }

    private func writeCheckpoint(_ checkpoint: OutputCheckpoint) throws(OutputError) {
        let bytes = Array(checkpoint.text.utf8)
        let fd = open(temporaryCheckpointPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw .system(
                .checkpoint, "cannot create \(temporaryCheckpointPath)", errno: errno,
                hint: "the output's directory must be writable")
        }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let writeErrno = errno
        guard written == bytes.count else {
            _ = close(fd)
            throw .system(.checkpoint, "cannot write \(temporaryCheckpointPath)", errno: written < 0 ? writeErrno : EIO)
        }
        guard fsync(fd) == 0 else {
            let error = errno
            _ = close(fd)
            throw .system(.sync, "cannot sync \(temporaryCheckpointPath)", errno: error)
        }
        _ = close(fd)
        guard rename(temporaryCheckpointPath, checkpointPath) == 0 else {
            throw .system(.checkpoint, "cannot rename \(temporaryCheckpointPath) to \(checkpointPath)", errno: errno)
        }
        guard fsync(directory) == 0 else {
            throw .system(.sync, "cannot sync the directory of \(checkpointPath)", errno: errno)
        }
        committed = checkpoint
    }

    private static func readCheckpoint(_ path: String) throws(OutputError) -> OutputCheckpoint? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw .system(.checkpoint, "cannot open \(path)", errno: errno)
        }
        defer { _ = close(fd) }
        var bytes = [UInt8](repeating: 0, count: 256)
        let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n >= 0 else { throw .system(.checkpoint, "cannot read \(path)", errno: errno) }
        guard let checkpoint = OutputCheckpoint(text: String(decoding: bytes[0..<n], as: UTF8.self)) else {
            throw OutputError(
                code: .checkpoint,
                message: "\(path) is not a flowtel checkpoint (expected BOOT-ID:SEQ and bytes=N lines); "
                    + "delete it to start the output over")
        }
        return checkpoint
    }

    static func directoryName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

/// What the compression thread reports back.
private final class CompressionOutcome: Sendable {
    let error = Mutex<OutputError?>(nil)
}
