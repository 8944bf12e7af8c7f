import FlowtelCore

/// A bounds-checked protobuf wire reader over borrowed bytes, for the session-event fast path
/// of `EventDecoder`. Every read checks the remaining length: malformed input throws, it never
/// reads outside the buffer.
struct WireReader {
    private let base: UnsafePointer<UInt8>
    private(set) var offset: Int
    let end: Int

    init(_ bytes: UnsafeRawBufferPointer) {
        base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(bitPattern: 1)!
        offset = 0
        end = bytes.count
    }

    private init(base: UnsafePointer<UInt8>, offset: Int, end: Int) {
        self.base = base
        self.offset = offset
        self.end = end
    }

    var isAtEnd: Bool { offset >= end }

    @inline(__always)
    mutating func varint() throws(DecodeError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while offset < end {
            let byte = base[offset]
            offset += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
            if shift > 63 { throw DecodeError("varint longer than 10 bytes") }
        }
        throw DecodeError("truncated varint")
    }

    @inline(__always)
    mutating func fixed64() throws(DecodeError) -> UInt64 {
        guard end - offset >= 8 else { throw DecodeError("truncated fixed64") }
        let value = UnsafeRawPointer(base + offset).loadUnaligned(as: UInt64.self)
        offset += 8
        return UInt64(littleEndian: value)
    }

    /// The next field's number and wire type; nil at the end.
    @inline(__always)
    mutating func tag() throws(DecodeError) -> (field: Int, wireType: Int)? {
        guard offset < end else { return nil }
        let key = try varint()
        let field = Int(truncatingIfNeeded: key >> 3)
        guard field > 0 else { throw DecodeError("field number 0") }
        return (field, Int(key & 7))
    }

    /// A length-delimited field's bytes.
    @inline(__always)
    mutating func lengthDelimited() throws(DecodeError) -> UnsafeRawBufferPointer {
        let length = try varint()
        guard length <= UInt64(end - offset) else { throw DecodeError("length-delimited field past the end") }
        let slice = UnsafeRawBufferPointer(start: base + offset, count: Int(length))
        offset += Int(length)
        return slice
    }

    /// A sub-reader over a length-delimited field.
    @inline(__always)
    mutating func message() throws(DecodeError) -> WireReader {
        let length = try varint()
        guard length <= UInt64(end - offset) else { throw DecodeError("embedded message past the end") }
        let reader = WireReader(base: base, offset: offset, end: offset + Int(length))
        offset += Int(length)
        return reader
    }

    @inline(__always)
    mutating func string() throws(DecodeError) -> String {
        let bytes = try lengthDelimited()
        return String(decoding: bytes, as: UTF8.self)
    }

    @inline(__always)
    mutating func address() throws(DecodeError) -> IPAddress? {
        IPAddress(bytes: try lengthDelimited())
    }

    @inline(__always)
    mutating func uint32() throws(DecodeError) -> UInt32 { UInt32(truncatingIfNeeded: try varint()) }

    @inline(__always)
    mutating func port() throws(DecodeError) -> UInt16 { UInt16(truncatingIfNeeded: try varint()) }

    /// Skips a field of an unknown number (forward compatibility).
    mutating func skip(wireType: Int) throws(DecodeError) {
        switch wireType {
        case 0: _ = try varint()
        case 1:
            guard end - offset >= 8 else { throw DecodeError("truncated fixed64") }
            offset += 8
        case 2: _ = try lengthDelimited()
        case 5:
            guard end - offset >= 4 else { throw DecodeError("truncated fixed32") }
            offset += 4
        default: throw DecodeError("unsupported wire type \(wireType)")
        }
    }
}
