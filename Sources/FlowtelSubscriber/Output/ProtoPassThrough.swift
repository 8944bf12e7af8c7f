public import FlowtelGRPC

/// `--format proto` records copied from the wire: a session event's record is its `Event`
/// message exactly as the daemon sent it, length-delimited (see `LengthDelimited`), with no
/// decoding or encoding in between.
///
/// Only events whose ``WireEvent/isFlowtelSession`` holds are copied: for them the record is
/// byte for byte what `RecordRenderer(format: "proto")` appends for the decoded event (the
/// session codec round-trips and the layout is the encoder's). Every other event is decoded
/// and rendered as before.
public enum ProtoPassThrough {
    /// Appends `event`'s record to `buffer`.
    @inline(__always)
    public static func append(_ event: WireEvent, to buffer: inout [UInt8]) {
        let message = event.bytes
        var length = UInt64(message.count)
        while length >= 0x80 {
            buffer.append(UInt8(truncatingIfNeeded: length) | 0x80)
            length >>= 7
        }
        buffer.append(UInt8(length))
        buffer.append(contentsOf: message)
    }
}
