/// Integer reads from a capture file in a given byte order. Callers check bounds first; every
/// read also goes through `UnsafeRawBufferPointer`'s own check in debug builds.
struct FileBytes {
    let bytes: UnsafeRawBufferPointer
    var order: ByteOrder

    var count: Int { bytes.count }

    func u16(_ offset: Int) -> UInt16 {
        let raw = bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self)
        return order == .bigEndian ? UInt16(bigEndian: raw) : UInt16(littleEndian: raw)
    }

    func u32(_ offset: Int) -> UInt32 {
        let raw = bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
        return order == .bigEndian ? UInt32(bigEndian: raw) : UInt32(littleEndian: raw)
    }

    func u64(_ offset: Int) -> UInt64 {
        let raw = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        return order == .bigEndian ? UInt64(bigEndian: raw) : UInt64(littleEndian: raw)
    }

    /// `count` bytes from `offset`, borrowed.
    func slice(_ offset: Int, _ count: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count])
    }

    /// Starts loading the `lines` cache lines from `offset` (see ``prefetch(_:)``), as far as
    /// the file goes.
    @inline(__always)
    func prefetch(_ offset: Int, lines: Int) {
        guard let base = bytes.baseAddress else { return }
        var line = 0
        while line < lines && offset + line * 64 < count {
            PacketIO.prefetch(base + offset + line * 64)
            line += 1
        }
    }

    /// Starts loading one cache line in every ``streamStride`` bytes from `cursor` up to `end`
    /// (as far as the file goes), and moves `cursor` past them.
    ///
    /// Called with an `end` a little ahead of a reader, this runs ahead of the chain of
    /// records: it starts each page's address translation and the CPU's stream prefetcher
    /// before the reader gets there. One line in four is enough for that; every line would
    /// spend memory bandwidth on payload bytes no reader looks at.
    @inline(__always)
    func prefetchStream(from cursor: inout Int, to end: Int) {
        guard let base = bytes.baseAddress else { return }
        let end = min(end, count)
        while cursor < end {
            PacketIO.prefetch(base + cursor)
            cursor += Self.streamStride
        }
    }

    /// The spacing of ``prefetchStream(from:to:)``'s lines.
    static let streamStride = 256
    /// How far ahead of a reader ``prefetchStream(from:to:)`` is asked to run.
    static let streamDistance = 4096

    /// The first 4 bytes as a big-endian number (how magic numbers are compared), or nil.
    var leadingMagic: UInt32? {
        guard count >= 4 else { return nil }
        return UInt32(bigEndian: bytes.loadUnaligned(as: UInt32.self))
    }
}
