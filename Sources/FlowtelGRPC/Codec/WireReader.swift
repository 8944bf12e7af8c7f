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
        // One or two bytes is the common case (keys, lengths, ports, small numbers): no loop.
        if end &- offset >= 2 {
            let first = base[offset]
            if first < 0x80 {
                offset &+= 1
                return UInt64(first)
            }
            let second = base[offset &+ 1]
            if second < 0x80 {
                offset &+= 2
                return UInt64(first & 0x7F) | UInt64(second) << 7
            }
        }
        let (value, next) = try Self.varint(base, offset, end)
        offset = next
        return value
    }

    // The out-of-line paths take the reader's parts by value, never `&self`: a reader whose
    // address no call takes stays in registers in the decoding loops.

    /// A varint of any length at `offset`, and the offset after it.
    private static func varint(
        _ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int
    ) throws(DecodeError) -> (UInt64, Int) {
        var offset = start
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while offset < end {
            let byte = base[offset]
            offset &+= 1
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return (value, offset) }
            shift &+= 7
            if shift > 63 { throw DecodeError("varint longer than 10 bytes") }
        }
        throw DecodeError("truncated varint")
    }

    @inline(__always)
    mutating func fixed64() throws(DecodeError) -> UInt64 {
        guard end - offset >= 8 else { throw DecodeError("truncated fixed64") }
        let value = UnsafeRawPointer(base + offset).loadUnaligned(as: UInt64.self)
        offset &+= 8
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

    /// The next field's key, `field << 3 | wireType` (at least 8), for one integer `switch` over
    /// the known fields; nil at the end.
    @inline(__always)
    mutating func key() throws(DecodeError) -> Int? {
        guard offset < end else { return nil }
        let key = Int(truncatingIfNeeded: try varint())
        guard key >> 3 != 0 else { throw DecodeError("field number 0") }
        return key
    }

    /// Skips the field of `key` (an unknown field: forward compatibility).
    @inline(__always)
    mutating func skip(key: Int) throws(DecodeError) {
        offset = try Self.skip(wireType: key & 7, base, offset, end)
    }

    /// A length-delimited field's bytes.
    @inline(__always)
    mutating func lengthDelimited() throws(DecodeError) -> UnsafeRawBufferPointer {
        let length = try varint()
        guard length <= UInt64(end - offset) else { throw DecodeError("length-delimited field past the end") }
        let slice = UnsafeRawBufferPointer(start: base + offset, count: Int(length))
        offset &+= Int(length)
        return slice
    }

    /// A sub-reader over a length-delimited field.
    @inline(__always)
    mutating func message() throws(DecodeError) -> WireReader {
        let length = try varint()
        guard length <= UInt64(end - offset) else { throw DecodeError("embedded message past the end") }
        let reader = WireReader(base: base, offset: offset, end: offset &+ Int(length))
        offset &+= Int(length)
        return reader
    }

    @inline(__always)
    mutating func string() throws(DecodeError) -> String {
        let bytes = try lengthDelimited()
        return String(decoding: bytes, as: UTF8.self)
    }

    /// An address field: 4 or 16 bytes in network order; nil for any other length (as
    /// `IPAddress(bytes:)`, decoded here so that it inlines).
    @inline(__always)
    mutating func address() throws(DecodeError) -> IPAddress? {
        let bytes = try lengthDelimited()
        switch bytes.count {
        case 4:
            return .v4(UInt32(bigEndian: bytes.loadUnaligned(as: UInt32.self)))
        case 16:
            return .v6(
                high: UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self)),
                low: UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        default:
            return nil
        }
    }

    @inline(__always)
    mutating func uint32() throws(DecodeError) -> UInt32 { UInt32(truncatingIfNeeded: try varint()) }

    @inline(__always)
    mutating func port() throws(DecodeError) -> UInt16 { UInt16(truncatingIfNeeded: try varint()) }

    /// Skips a field of an unknown number (forward compatibility).
    mutating func skip(wireType: Int) throws(DecodeError) {
        offset = try Self.skip(wireType: wireType, base, offset, end)
    }

    /// The offset after a field of `wireType` whose value starts at `offset`.
    private static func skip(
        wireType: Int, _ base: UnsafePointer<UInt8>, _ offset: Int, _ end: Int
    ) throws(DecodeError) -> Int {
        switch wireType {
        case 0:
            return try varint(base, offset, end).1
        case 1:
            guard end - offset >= 8 else { throw DecodeError("truncated fixed64") }
            return offset + 8
        case 2:
            let (length, start) = try varint(base, offset, end)
            guard length <= UInt64(end - start) else { throw DecodeError("length-delimited field past the end") }
            return start + Int(length)
        case 5:
            guard end - offset >= 4 else { throw DecodeError("truncated fixed32") }
            return offset + 4
        default: throw DecodeError("unsupported wire type \(wireType)")
        }
    }
}
