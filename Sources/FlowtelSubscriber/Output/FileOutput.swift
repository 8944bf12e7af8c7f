public import FlowtelCore
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
/// Records are rendered straight into a buffer (``appendRecord(through:_:)``); `submit()` hands
/// the buffer, with the position it takes the subscription to, to the output's writer thread
/// (see ``CommitQueue``) and the owner goes on rendering into another. The writer appends
/// every buffer queued when it wakes with one `writev`, `fdatasync`s the file, then replaces
/// the checkpoint (temp file, `fsync`, `rename`). The checkpoint names the resume point *and*
/// the file length it covers, so on the next start anything written after it (a torn record,
/// a batch whose checkpoint never landed) is cut off with `ftruncate` and received again from
/// the daemon: every record ends up in the files exactly once whatever the format, and a
/// record is never torn. The directory is not synced per commit: a rename that a power loss
/// undoes leaves the previous checkpoint, which covers synced data too (rotation, which needs
/// its renames, syncs the directory).
///
/// Rotation happens between commits, on the writer, when everything in the current file is
/// covered by the checkpoint: shift `PATH.k` to `PATH.k+1` (oldest first, deleting the one past
/// the count), rename `PATH` to `PATH.1`, `fsync` the directory, then checkpoint `bytes=0`. A
/// crash at any step leaves whole files under whole names; a missing or empty `PATH` with a
/// non-zero checkpoint length is such an interrupted rotation and is continued as empty.
///
/// One writer per output: `PATH.lock` (see ``OutputLock``) makes a second subscriber fail at
/// start. Not thread-safe: one owner thread (the subscribe loop), besides the writer thread it
/// starts. Memory: the buffer being filled, plus the queue's bound (32 MiB), plus the buffers
/// being written; a buffer never spans a rotation. A write or sync failure is final (see
/// ``CommitQueue``): the checkpoint keeps covering exactly what was synced before it.
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
    private let writer: CommitQueue<FileCommit>
    /// The records not yet submitted.
    private var buffer: [UInt8] = []
    /// Bytes of the current file once everything submitted is written (rotation's measure).
    private var fileBytes: UInt64
    /// The position the buffer's records take the subscription to, and the last one submitted.
    private var pending: OutputCheckpoint.Start
    private var submittedStart: OutputCheckpoint.Start

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
        lock = try OutputLock(outputPath: configuration.path, what: "file:\(configuration.path)")
        let chain = try FileChain(configuration: configuration, start: override)
        recovered = chain.recovered
        discardedBytes = chain.discardedBytes
        start = chain.committed.start
        fileBytes = chain.size
        pending = start
        submittedStart = start
        buffer.reserveCapacity(1 << 20)
        writer = try CommitQueue(
            name: "flowtel-file", capacity: 32 << 20, cost: { $0.bytes.count },
            process: { jobs throws(OutputError) in try chain.write(jobs) })
    }

    deinit {
        writer.stop()
    }

    /// Adds one record (a rendered line, without its newline) that takes the position to
    /// `start`; a nil record only moves the position (an event the format does not print).
    /// Rotates first when the record would overflow the current file.
    public func append(_ line: [UInt8]?, through start: OutputCheckpoint.Start?) throws(OutputError) {
        if let line {
            let newline = configuration.newlines
            try appendRecord(through: start) { buffer in
                buffer.append(contentsOf: line)
                if newline { buffer.append(0x0A) }
                return true
            }
        } else if let start {
            pending = start
        }
    }

    /// Adds the record `render` appends to the buffer (whole, with its newline if the format
    /// has one; it returns false when it appended nothing), which takes the position to
    /// `start` (nil: unchanged). A record that takes the current file past its size goes to
    /// the next file: what precedes it is submitted, with a rotation after it.
    @inline(__always)
    public func appendRecord(through start: OutputCheckpoint.Start?, _ render: (inout [UInt8]) -> Bool)
        throws(OutputError)
    {
        let before = buffer.count
        if render(&buffer) {
            let size = UInt64(buffer.count - before)
            let used = fileBytes + UInt64(before)
            if used > 0 && used + size > UInt64(configuration.rotateBytes) { try rotate(keeping: before) }
        }
        if let start { pending = start }
    }

    /// Submits the buffer before `offset` with a rotation after it; the record from `offset`
    /// on starts the next file.
    @inline(never)
    private func rotate(keeping offset: Int) throws(OutputError) {
        var next = writer.reuse()?.bytes ?? []
        next.removeAll(keepingCapacity: true)
        next.append(contentsOf: buffer[offset...])
        buffer.removeSubrange(offset...)
        swap(&buffer, &next)
        try writer.submit(FileCommit(bytes: next, start: pending, rotate: true))
        submittedStart = pending
        fileBytes = 0
    }

    /// Hands the buffered records and the position to the writer thread, which writes, syncs
    /// and checkpoints them; returns the commit's ticket (see ``completions()``), nil when
    /// there was nothing to commit. Blocks only while the writer's queue is full.
    @discardableResult
    public func submit() throws(OutputError) -> UInt64? {
        guard !buffer.isEmpty || pending != submittedStart else { return nil }
        var next = writer.reuse()?.bytes ?? []
        next.removeAll(keepingCapacity: true)
        if next.capacity < 1 << 20 { next.reserveCapacity(1 << 20) }
        swap(&buffer, &next)
        let ticket = try writer.submit(FileCommit(bytes: next, start: pending, rotate: false))
        fileBytes += UInt64(next.count)
        submittedStart = pending
        return ticket
    }

    /// The commits that became durable since the last call (their tickets, with when).
    public func completions() throws(OutputError) -> [CommitCompletion] {
        try writer.takeCompletions().map { CommitCompletion(ticket: $0.ticket, time: $0.time) }
    }

    /// Appends and syncs the buffered records, then checkpoints them (see the type's
    /// documentation), and waits for it. After it returns, everything appended so far is
    /// durable.
    public func commit() throws(OutputError) {
        try submit()
        try writer.waitForAll()
    }
}

/// One commit of a file output: records to append, then the checkpoint that covers them.
struct FileCommit: Sendable {
    var bytes: [UInt8]
    var start: OutputCheckpoint.Start
    /// Rotate once they are checkpointed.
    var rotate: Bool
}

/// The files of a file output: the current file, the rotated ones and the checkpoint. Opened
/// and recovered by the owner, then used by the writer thread only.
final class FileChain: @unchecked Sendable {
    // @unchecked: after `init` on the owner's thread, only the writer thread touches it (the
    // owner joins that thread before it is released).
    let configuration: FileOutputConfiguration
    let recovered: OutputCheckpoint?
    let discardedBytes: UInt64
    private let checkpointPath: String
    private let temporaryCheckpointPath: String
    private var directory: Int32
    private var file: Int32
    /// Bytes of the current file that are written and synced.
    private(set) var size: UInt64
    /// The thread gzipping `PATH.1`, and what it reports; joined before the next rotation.
    private var compressor: PThread? = nil
    private let compression = CompressionOutcome()
    private(set) var committed: OutputCheckpoint
    private var vectors: [iovec] = []

    init(configuration: FileOutputConfiguration, start override: OutputCheckpoint.Start?) throws(OutputError) {
        self.configuration = configuration
        let path = configuration.path
        checkpointPath = path + ".checkpoint"
        temporaryCheckpointPath = path + ".checkpoint.tmp"
        let directoryPath = FileOutput.directoryName(of: path)

        // open(2): ENOENT, EACCES, ENOTDIR, ELOOP, … are the world's; EFAULT/EINVAL would be ours.
        directory = open(directoryPath, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directory >= 0 else {
            throw .system(
                .open, "cannot open the directory \(directoryPath) of output file:\(path)", errno: errno,
                hint: "create it or choose another --output")
        }
        var closeOnFailure: [Int32] = [directory]
        defer { for fd in closeOnFailure { _ = close(fd) } }
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
        committed = OutputCheckpoint(start: override ?? recovered?.start ?? .now, bytes: size)
        guard fsync(directory) == 0 else { throw .system(.sync, "cannot sync \(directoryPath)", errno: errno) }
        try writeCheckpoint(committed, syncDirectory: true)
        closeOnFailure = []
    }

    deinit {
        compressor?.join()
        _ = close(file)
        _ = close(directory)
    }

    /// Makes `jobs` durable, in order: appends their records (one `writev` per run up to a
    /// rotation), syncs, checkpoints the last one's position, rotates where a job asks.
    func write(_ jobs: [FileCommit]) throws(OutputError) {
        var first = 0
        while first < jobs.count {
            var last = first
            while last < jobs.count - 1 && !jobs[last].rotate { last += 1 }
            try append(jobs[first...last])
            let next = OutputCheckpoint(start: jobs[last].start, bytes: size)
            if next != committed { try writeCheckpoint(next, syncDirectory: false) }
            if jobs[last].rotate { try rotate() }
            first = last + 1
        }
    }

    /// Appends the jobs' bytes and syncs them.
    private func append(_ jobs: ArraySlice<FileCommit>) throws(OutputError) {
        let total = jobs.reduce(0) { $0 + $1.bytes.count }
        guard total > 0 else { return }
        // The arrays outlive the calls: `jobs` holds them, unchanged, until this returns.
        vectors.removeAll(keepingCapacity: true)
        for job in jobs where !job.bytes.isEmpty {
            job.bytes.withUnsafeBytes { vectors.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: $0.baseAddress), iov_len: $0.count)) }
        }
        var done = 0
        var index = 0
        while done < total {
            let count = Int32(min(vectors.count - index, 1024))  // IOV_MAX
            let n = vectors.withUnsafeBufferPointer { writev(file, $0.baseAddress! + index, count) }
            if n < 0 {
                // EINTR: retry; ENOSPC, EIO, EDQUOT, EFBIG: the world's. Whatever was written
                // is beyond the checkpoint and is cut off on the next start.
                if errno == EINTR { continue }
                throw .system(.write, "cannot write output file:\(configuration.path)", errno: errno)
            }
            done += n
            // Skip the vectors written in full, shorten a partly written one.
            var left = n
            while left > 0 && left >= vectors[index].iov_len {
                left -= vectors[index].iov_len
                index += 1
            }
            if left > 0 {
                vectors[index].iov_base += left
                vectors[index].iov_len -= left
            }
        }
        // fdatasync: the length (metadata the data needs) is synced, the times are not.
        guard fdatasync(file) == 0 else {
            throw .system(.sync, "cannot sync output file:\(configuration.path)", errno: errno)
        }
        size += UInt64(total)
    }

    // Called with a checkpoint covering the whole current file.
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
        try writeCheckpoint(OutputCheckpoint(start: committed.start, bytes: 0), syncDirectory: true)
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

    private func writeCheckpoint(_ checkpoint: OutputCheckpoint, syncDirectory: Bool) throws(OutputError) {
        let bytes = Array(checkpoint.text.utf8)
        let fd = open(temporaryCheckpointPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw .system(
                .checkpoint, "cannot create \(temporaryCheckpointPath)", errno: errno,
                hint: "the output's directory must be writable")
        }
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        let writeErrno = errno
        guard written == bytes.count else {
            _ = close(fd)
            throw .system(.checkpoint, "cannot write \(temporaryCheckpointPath)", errno: written < 0 ? writeErrno : EIO)
        }
        guard fdatasync(fd) == 0 else {
            let error = errno
            _ = close(fd)
            throw .system(.sync, "cannot sync \(temporaryCheckpointPath)", errno: error)
        }
        _ = close(fd)
        guard rename(temporaryCheckpointPath, checkpointPath) == 0 else {
            throw .system(.checkpoint, "cannot rename \(temporaryCheckpointPath) to \(checkpointPath)", errno: errno)
        }
        if syncDirectory {
            guard fsync(directory) == 0 else {
                throw .system(.sync, "cannot sync the directory of \(checkpointPath)", errno: errno)
            }
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
}

extension FileOutput {
    static func directoryName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

/// A commit that became durable: the ticket `submit()` returned for it (and every earlier
/// one), and when.
public struct CommitCompletion: Sendable {
    /// The last ticket it covers.
    public var ticket: UInt64
    /// When it became durable.
    public var time: Timestamp
}

/// What the compression thread reports back.
private final class CompressionOutcome: Sendable {
    let error = Mutex<OutputError?>(nil)
}
