/// Length-delimited protobuf framing: a message preceded by its length as a base-128 varint,
/// the stream format of Java's `writeDelimitedTo`/`parseDelimitedFrom`, C++'s
/// `SerializeDelimitedToOstream` and Python's `_VarintBytes` idiom.
public enum LengthDelimited {
    /// `message` with its varint length prefix.
    public static func record(_ message: [UInt8]) -> [UInt8] {
        var record: [UInt8] = []
        record.reserveCapacity(message.count + 5)
        var length = UInt64(message.count)
        while length >= 0x80 {
            record.append(UInt8(truncatingIfNeeded: length) | 0x80)
            length >>= 7
        }
        record.append(UInt8(length))
        record.append(contentsOf: message)
        return record
    }
}
