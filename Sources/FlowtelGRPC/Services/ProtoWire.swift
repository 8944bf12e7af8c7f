/// Builds protobuf wire bytes for the few small messages FlowtelGRPC writes without generated
/// code (server reflection responses). Reading uses `WireReader`.
struct ProtoWriter {
    private(set) var bytes: [UInt8] = []

    mutating func varint(_ value: UInt64) {
        bytes.appendVarint(value)
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

extension [UInt8] {
    /// Appends `value` as a protobuf base-128 varint (the one array-based varint writer;
    /// `ByteSink` has the pointer-based one of the session hot path).
    @inline(__always)
    mutating func appendVarint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        append(UInt8(value))
    }
}
