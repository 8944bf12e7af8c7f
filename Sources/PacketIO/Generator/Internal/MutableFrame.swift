import FlowtelCore

/// Big-endian stores into a frame being written; the caller has sized the buffer.
struct MutableFrame {
    let base: UnsafeMutableRawPointer

    init(_ base: UnsafeMutableRawPointer) { self.base = base }

    func put8(_ value: UInt8, at offset: Int) { base.storeBytes(of: value, toByteOffset: offset, as: UInt8.self) }
    func put16(_ value: UInt16, at offset: Int) {
        base.storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt16.self)
    }
    func put32(_ value: UInt32, at offset: Int) {
        base.storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt32.self)
    }
    func put64(_ value: UInt64, at offset: Int) {
        base.storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt64.self)
    }
    func put64(littleEndian value: UInt64, at offset: Int) {
        base.storeBytes(of: value.littleEndian, toByteOffset: offset, as: UInt64.self)
    }
    func put48(_ value: UInt64, at offset: Int) {
        put16(UInt16(truncatingIfNeeded: value >> 32), at: offset)
        put32(UInt32(truncatingIfNeeded: value), at: offset + 2)
    }
    func putAddress(_ address: IPAddress, at offset: Int) {
        switch address {
        case .v4(let value):
            put32(value, at: offset)
        case .v6(let high, let low):
            put64(high, at: offset)
            put64(low, at: offset + 8)
        }
    }
}
