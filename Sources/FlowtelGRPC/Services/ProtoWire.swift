/// Minimal protobuf wire reading and writing, for the few small messages FlowtelGRPC handles
/// without generated code (server reflection and the descriptor set it serves).
struct ProtoReader {
    private let bytes: [UInt8]
    private var index: Int
    private let end: Int

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        index = 0
        end = bytes.count
    }

    private init(_ bytes: [UInt8], range: Range<Int>) {
        self.bytes = bytes
        index = range.lowerBound
        end = range.upperBound
    }

    /// A field: number, wire type, and (for length-delimited fields) its bytes' range.
    struct Field {
        var number: Int
        var wireType: Int
        var varint: UInt64
        var range: Range<Int>
    }

    var isAtEnd: Bool { index >= end }

    /// The next field, or nil at the end; throws on malformed input.
    mutating func next() throws(DecodeError) -> Field? {
        guard index < end else { return nil }
        let key = try readVarint()
        let number = Int(key >> 3)
        let wireType = Int(key & 7)
        guard number > 0 else { throw DecodeError("field number 0") }
        switch wireType {
        case 0:
            return Field(number: number, wireType: 0, varint: try readVarint(), range: index..<index)
        case 1:
            guard end - index >= 8 else { throw DecodeError("truncated fixed64") }
            index += 8
            return Field(number: number, wireType: 1, varint: 0, range: (index - 8)..<index)
        case 2:
            let length = try readVarint()
            guard length <= UInt64(end - index) else { throw DecodeError("truncated length-delimited field") }
            let start = index
            index += Int(length)
            return Field(number: number, wireType: 2, varint: 0, range: start..<index)
        case 5:
            guard end - index >= 4 else { throw DecodeError("truncated fixed32") }
            index += 4
            return Field(number: number, wireType: 5, varint: 0, range: (index - 4)..<index)
        default:
            throw DecodeError("unsupported wire type \(wireType)")
        }
    }

    func string(_ field: Field) -> String {
        String(decoding: bytes[field.range], as: UTF8.self)
    }

    func data(_ field: Field) -> [UInt8] {
        Array(bytes[field.range])
    }

    func reader(_ field: Field) -> ProtoReader {
        ProtoReader(bytes, range: field.range)
    }

    private mutating func readVarint() throws(DecodeError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while index < end {
            let byte = bytes[index]
            index += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
            if shift >= 64 { throw DecodeError("varint too long") }
        }
        throw DecodeError("truncated varint")
    }
}

/// Builds protobuf wire bytes.
struct ProtoWriter {
    private(set) var bytes: [UInt8] = []

    mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    mutating func field(_ number: Int, varint value: UInt64) {
        varint(UInt64(number << 3))
        varint(value)
    }

    mutating func field(_ number: Int, bytes value: some Collection<UInt8>) {
        varint(UInt64(number << 3 | 2))
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func field(_ number: Int, string value: String) {
        field(number, bytes: Array(value.utf8))
    }
}
