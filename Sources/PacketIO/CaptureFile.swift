import Glibc

/// The bytes of a capture file: a read-only memory mapping of the file, or a private copy of
/// bytes already in memory.
///
/// Readers borrow packet bytes straight from ``bytes``, so a record's
/// ``CaptureRecord/bytes`` stays valid as long as this object (or a reader holding it) lives.
/// The mapping is released when the last reference goes.
///
/// A mapped file must not be truncated by another process while it is mapped: reading a page
/// past the new end raises `SIGBUS`. Capture files are written once and then read, so this is
/// documented rather than guarded.
public final class CaptureFile: @unchecked Sendable {
    // @unchecked: `bytes` never changes after init and points at read-only memory (a PROT_READ
    // mapping or a private copy never written again), released only in deinit.

    /// Every byte of the file. Valid for the lifetime of this object.
    public let bytes: UnsafeRawBufferPointer

    private enum Storage {
        case mapped
        case allocated
        case empty
    }

    private let storage: Storage

    private init(bytes: UnsafeRawBufferPointer, storage: Storage) {
        self.bytes = bytes
        self.storage = storage
    }

    /// Maps the file at `path` read-only.
    ///
    /// - Throws: ``CaptureFileError`` of kind ``CaptureFileError/Kind/openFailed`` or
    ///   ``CaptureFileError/Kind/mapFailed``, with the `errno`.
    public static func open(path: String) throws(CaptureFileError) -> CaptureFile {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        // open(2): ENOENT, EACCES, EISDIR, ELOOP, EMFILE, ... are all the world's doing.
        guard fd >= 0 else { throw CaptureFileError(.openFailed, at: 0, systemError: errno) }
        defer { _ = Glibc.close(fd) }
        var status = stat()
        // fstat(2) on a descriptor we just opened fails only on EIO/EOVERFLOW: the world's.
        guard fstat(fd, &status) == 0 else { throw CaptureFileError(.mapFailed, at: 0, systemError: errno) }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw CaptureFileError(.mapFailed, at: 0, systemError: ENODEV)
        }
        let size = Int(status.st_size)
        // mmap(2) rejects a zero length (EINVAL); an empty file is simply no bytes.
        guard size > 0 else { return CaptureFile(bytes: UnsafeRawBufferPointer(start: nil, count: 0), storage: .empty) }
        let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
        // mmap(2): ENOMEM, ENODEV, EACCES are the world's; MAP_FAILED is (void *)-1.
        guard let address, address != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw CaptureFileError(.mapFailed, at: 0, systemError: errno)
        }
        // Advice only; failure changes nothing.
        _ = madvise(address, size, MADV_SEQUENTIAL)
        return CaptureFile(bytes: UnsafeRawBufferPointer(start: address, count: size), storage: .mapped)
    }

    /// Holds a private copy of `bytes` (for captures received in memory, and for tests).
    public convenience init(copying bytes: [UInt8]) {
        guard !bytes.isEmpty else {
            self.init(bytes: UnsafeRawBufferPointer(start: nil, count: 0), storage: .empty)
            return
        }
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 16)
        copy.copyBytes(from: bytes)
        self.init(bytes: UnsafeRawBufferPointer(copy), storage: .allocated)
    }

    /// Asks the kernel to map the file's pages from `offset` (a multiple of the page size) for
    /// `count` bytes now, in one call, rather than one page fault per few pages as a reader
    /// first touches them. Advice only: returns false when the kernel does not take it
    /// (`MADV_POPULATE_READ` is Linux 5.14 and later), and nothing else changes either way.
    func mapAhead(from offset: Int, count: Int) -> Bool {
        guard storage == .mapped, let base = bytes.baseAddress, offset >= 0, offset < bytes.count else {
            return false
        }
        let length = min(count, bytes.count - offset)
        // madvise(2): EINVAL (an older kernel), ENOMEM, EFAULT, EIO, EINTR: all mean "read on
        // and fault the pages in as they come".
        return madvise(UnsafeMutableRawPointer(mutating: base + offset), length, MADV_POPULATE_READ) == 0
    }

    deinit {
        switch storage {
        case .mapped:
            // munmap(2) fails only with EINVAL for a range we did not map: our bug.
            let result = munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count)
            precondition(result == 0, "munmap of a capture file mapping failed")
        case .allocated:
            UnsafeMutableRawPointer(mutating: bytes.baseAddress!).deallocate()
        case .empty:
            break
        }
    }
}
