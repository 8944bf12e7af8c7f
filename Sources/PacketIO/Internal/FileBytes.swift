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

    /// The first 4 bytes as a big-endian number (how magic numbers are compared), or nil.
    var leadingMagic: UInt32? {
        guard count >= 4 else { return nil }
        return UInt32(bigEndian: bytes.loadUnaligned(as: UInt32.self))
    }
}
