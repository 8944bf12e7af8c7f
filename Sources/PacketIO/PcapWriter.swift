public import FlowtelCore
public import Packets
import Glibc

/// Writes a classic pcap file (native byte order, microsecond or nanosecond timestamps) to a
/// file descriptor through a buffer.
///
/// ```swift
/// let writer = try PcapWriter.create(path: "out.pcap", linkType: .ethernet, precision: .nanoseconds)
/// try writer.append(timestamp: time, bytes: frame)
/// try writer.close()
/// ```
///
/// Records are copied into a buffer and written with `write(2)` when it fills, on ``flush()``
/// and on ``close()``. A writer is used from one thread at a time. Deinitializing a writer that
/// was not closed loses whatever is still buffered and does not close its descriptor.
public final class PcapWriter {
    /// The descriptor written to.
    public let fileDescriptor: Int32
    /// The link type recorded in the file header.
    public let linkType: LinkType
    /// The snapshot length: longer packets are cut to it.
    public let snapLength: Int
    /// How timestamps are recorded.
    public let precision: TimestampPrecision

    private let ownsDescriptor: Bool
    private var buffer: [UInt8]
    private let bufferCapacity: Int
    private var closed = false

    /// Starts a pcap file on `fileDescriptor` (the file header is buffered, not yet written).
    ///
    /// - Parameters:
    ///   - fileDescriptor: a descriptor open for writing, positioned where the file starts.
    ///     The writer does not close it unless it opened it (``create(path:linkType:snapLength:precision:bufferCapacity:)``).
    ///   - linkType: the link type of every record.
    ///   - snapLength: the snapshot length written to the header; longer packets are cut to it.
    ///   - precision: microsecond (magic 0xA1B2C3D4) or nanosecond (0xA1B23C4D) timestamps.
    ///   - bufferCapacity: bytes buffered before a `write(2)`.
    public convenience init(
        fileDescriptor: Int32, linkType: LinkType, snapLength: Int = 262_144,
        precision: TimestampPrecision = .microseconds, bufferCapacity: Int = 64 * 1024
    ) {
        self.init(
            fileDescriptor: fileDescriptor, ownsDescriptor: false, linkType: linkType, snapLength: snapLength,
            precision: precision, bufferCapacity: bufferCapacity)
    }

    private init(
        fileDescriptor: Int32, ownsDescriptor: Bool, linkType: LinkType, snapLength: Int,
        precision: TimestampPrecision, bufferCapacity: Int
    ) {
        precondition(snapLength > 0 && snapLength <= Int(UInt32.max), "snapLength must fit 32 bits")
        precondition(bufferCapacity > 0, "bufferCapacity must be positive")
        self.fileDescriptor = fileDescriptor
        self.ownsDescriptor = ownsDescriptor
        self.linkType = linkType
        self.snapLength = snapLength
        self.precision = precision
        self.bufferCapacity = bufferCapacity
        self.buffer = []
        buffer.reserveCapacity(bufferCapacity)
        appendInteger(UInt32(precision == .microseconds ? 0xA1B2_C3D4 : 0xA1B2_3C4D))
        appendInteger(UInt16(2))
        appendInteger(UInt16(4))
        appendInteger(UInt32(0))  // thiszone
        appendInteger(UInt32(0))  // sigfigs
        appendInteger(UInt32(snapLength))
        appendInteger(linkType.rawValue)
    }

    /// Creates (or truncates) the file at `path` with mode 0644 and starts a pcap file in it;
    /// ``close()`` closes it.
    ///
    /// - Throws: ``CaptureFileError`` of kind ``CaptureFileError/Kind/openFailed``.
    public static func create(
        path: String, linkType: LinkType, snapLength: Int = 262_144, precision: TimestampPrecision = .microseconds,
        bufferCapacity: Int = 64 * 1024
    ) throws(CaptureFileError) -> PcapWriter {
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        // open(2): EACCES, ENOENT, EISDIR, EROFS, ENOSPC, EMFILE, ... are the world's.
        guard fd >= 0 else { throw CaptureFileError(.openFailed, at: 0, systemError: errno) }
        return PcapWriter(
            fileDescriptor: fd, ownsDescriptor: true, linkType: linkType, snapLength: snapLength,
            precision: precision, bufferCapacity: bufferCapacity)
    }

    /// Appends one record.
    ///
    /// - Parameters:
    ///   - timestamp: when the packet was captured; its seconds must fit 32 bits (until 2106).
    ///   - bytes: the packet; only the first ``snapLength`` bytes are written.
    ///   - originalLength: the packet's length on the wire, at least `bytes.count`; nil means
    ///     `bytes.count`.
    /// - Throws: ``CaptureFileError`` of kind ``CaptureFileError/Kind/timestampNotRepresentable``
    ///   (nothing is written) or ``CaptureFileError/Kind/writeFailed``.
    public func append(
        timestamp: Timestamp, bytes: UnsafeRawBufferPointer, originalLength: Int? = nil
    ) throws(CaptureFileError) {
        precondition(!closed, "append after close")
        let original = originalLength ?? bytes.count
        precondition(original >= bytes.count && original <= Int(UInt32.max), "originalLength below the bytes given")
        let seconds = timestamp.unixNanos / 1_000_000_000
        guard seconds <= UInt64(UInt32.max) else { throw CaptureFileError(.timestampNotRepresentable, at: 0) }
        let nanos = timestamp.unixNanos % 1_000_000_000
        let captured = min(bytes.count, snapLength)
        if buffer.count + 16 + captured > bufferCapacity { try flush() }
        appendInteger(UInt32(seconds))
        appendInteger(UInt32(precision == .microseconds ? nanos / 1000 : nanos))
        appendInteger(UInt32(captured))
        appendInteger(UInt32(original))
        if captured > bufferCapacity {
            try flush()
            try write(UnsafeRawBufferPointer(rebasing: bytes[..<captured]))
        } else {
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[..<captured]))
        }
    }

    /// Appends one record held in an array; see ``append(timestamp:bytes:originalLength:)``.
    public func append(timestamp: Timestamp, bytes: [UInt8], originalLength: Int? = nil) throws(CaptureFileError) {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(CaptureFileError) in try append(timestamp: timestamp, bytes: raw, originalLength: originalLength) }
        }
        try result.get()
    }

    /// Writes everything buffered.
    ///
    /// - Throws: ``CaptureFileError`` of kind ``CaptureFileError/Kind/writeFailed``.
    public func flush() throws(CaptureFileError) {
        guard !buffer.isEmpty else { return }
        let result = buffer.withUnsafeBytes { raw in
            Result { () throws(CaptureFileError) in try write(raw) }
        }
        buffer.removeAll(keepingCapacity: true)
        try result.get()
    }

    /// Flushes, and closes the descriptor if the writer opened it. Further appends trap.
    ///
    /// - Throws: ``CaptureFileError`` of kind ``CaptureFileError/Kind/writeFailed``; the
    ///   descriptor is closed even then.
    public func close() throws(CaptureFileError) {
        guard !closed else { return }
        closed = true
        defer {
            // close(2) after write(2): EBADF would be our bug; EIO is ignored, as every
            // write has already been checked.
            if ownsDescriptor { _ = Glibc.close(fileDescriptor) }
        }
        try flush()
    }

    private func write(_ bytes: UnsafeRawBufferPointer) throws(CaptureFileError) {
        var done = 0
        while done < bytes.count {
            let written = Glibc.write(fileDescriptor, bytes.baseAddress! + done, bytes.count - done)
            if written < 0 {
                // write(2): EINTR is retried; EBADF, ENOSPC, EIO, EPIPE, EDQUOT, ... are the
                // world's (a bad descriptor came from the caller).
                if errno == EINTR { continue }
                throw CaptureFileError(.writeFailed, at: 0, systemError: errno)
            }
            done += written
        }
    }

    private func appendInteger<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value) { buffer.append(contentsOf: $0) }
    }
}
