import FlowtelCore

/// Big-endian reads from a frame, each one bounds-checked.
///
/// The decoder checks every header's length against the captured bytes before reading its
/// fields, so these preconditions never fire; they are the second line of defence, turning a
/// decoder bug into a trap instead of a read outside the caller's buffer (S9: never read out
/// of bounds). Offsets are absolute, from the start of the frame.
struct FrameBytes {
    let buffer: UnsafeRawBufferPointer

    init(_ buffer: UnsafeRawBufferPointer) {
        self.buffer = buffer
    }

    /// The number of captured bytes.
    var count: Int { buffer.count }

    /// True when `length` bytes starting at `offset` end at or before `limit`, itself inside
    /// the frame.
    @inline(__always)
    func fits(_ length: Int, at offset: Int, before limit: Int) -> Bool {
        offset >= 0 && length >= 0 && limit <= count && offset <= limit && length <= limit - offset
    }

    @inline(__always)
    func u8(_ offset: Int) -> UInt8 {
        precondition(offset >= 0 && offset < buffer.count, "Packets: read outside the frame")
        return buffer.load(fromByteOffset: offset, as: UInt8.self)
    }

    @inline(__always)
    func u16(_ offset: Int) -> UInt16 {
        precondition(offset >= 0 && offset <= buffer.count - 2, "Packets: read outside the frame")
        return UInt16(bigEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    @inline(__always)
    func u32(_ offset: Int) -> UInt32 {
        precondition(offset >= 0 && offset <= buffer.count - 4, "Packets: read outside the frame")
        return UInt32(bigEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    @inline(__always)
    func u64(_ offset: Int) -> UInt64 {
        precondition(offset >= 0 && offset <= buffer.count - 8, "Packets: read outside the frame")
        return UInt64(bigEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// The IPv4 address in the 4 bytes at `offset`.
    @inline(__always)
    func ipv4Address(_ offset: Int) -> IPAddress {
        .v4(u32(offset))
    }

    /// The IPv6 address in the 16 bytes at `offset`.
    @inline(__always)
    func ipv6Address(_ offset: Int) -> IPAddress {
        .v6(high: u64(offset), low: u64(offset + 8))
    }
}
