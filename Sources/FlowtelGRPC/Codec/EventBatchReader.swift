public import FlowtelCore

/// Reads a `flowtel.v1.EventBatch` message's events as the wire bytes they arrived in, with
/// only their envelope decoded: for outputs that store events as received (`--format proto`)
/// instead of decoding each one and encoding it again.
///
/// The reader borrows the message: every ``WireEvent`` it returns points into it and is valid
/// only while the message is. Malformed framing throws, it never reads outside the message.
public struct EventBatchReader {
    private var reader: WireReader
    private let base: UnsafeRawPointer?

    /// A reader over `message`, an EventBatch's bytes.
    public init(_ message: UnsafeRawBufferPointer) {
        reader = WireReader(message)
        base = message.baseAddress
    }

    /// The next event of the batch; nil after the last one.
    public mutating func next() throws(DecodeError) -> WireEvent? {
        while true {
            let start = reader.offset
            guard let key = try reader.key() else { return nil }
            guard key == 10 else {  // field 1 (events), length-delimited; anything else is skipped
                try reader.skip(key: key)
                continue
            }
            let bytes = try reader.lengthDelimited()
            let entry = UnsafeRawBufferPointer(start: base! + start, count: reader.offset - start)
            return WireEvent(bytes: bytes, entry: entry)
        }
    }
}

/// One `flowtel.v1.Event` of an EventBatch, borrowed from the message (see ``EventBatchReader``).
public struct WireEvent {
    /// The Event message.
    public let bytes: UnsafeRawBufferPointer
    /// The batch entry: its tag, length and the Event message; `EventDecoder.decodeBatch`
    /// decodes it as a batch of this one event.
    public let entry: UnsafeRawBufferPointer
    /// The envelope, when ``isFlowtelSession``: the boot id, seq and time; zero otherwise.
    public private(set) var bootID = BootID(0)
    public private(set) var seq: UInt64 = 0
    public private(set) var time = Timestamp(unixNanos: 0)
    /// Whether the event is a session event (create, close or deny) laid out the way flowtel
    /// encodes one: `boot_id`, `node` (when not empty), `seq` (when not 0), `time_unix_nano`
    /// (when not 0), then the payload, each once (what `EventBatchWriter.append(prefix:seq:body:)`
    /// writes for the event bus). Such an event's bytes are what encoding its decoded form again
    /// gives (the session codec round-trips), so they can be copied as its record.
    ///
    /// False for every other event (stream control, faults, a payload this build does not
    /// know, or fields in another order or repeated): decode those (``entry``).
    public private(set) var isFlowtelSession = false

    init(bytes: UnsafeRawBufferPointer, entry: UnsafeRawBufferPointer) {
        self.bytes = bytes
        self.entry = entry
        readEnvelope()
    }

    /// Sets the envelope and `isFlowtelSession` when the layout is flowtel's; leaves them
    /// unset at the first difference.
    private mutating func readEnvelope() {
        var reader = WireReader(bytes)
        do throws(DecodeError) {
            guard try reader.key() == 9 else { return }
            let bootID = try reader.fixed64()
            guard var key = try reader.key() else { return }
            if key == 34 {  // node, not empty
                guard try reader.lengthDelimited().count > 0, let next = try reader.key() else { return }
                key = next
            }
            var seq: UInt64 = 0
            if key == 16 {
                let before = reader.offset
                seq = try reader.varint()
                // Not 0 and minimal, as the encoder writes it.
                guard seq != 0, reader.offset - before == ProtoVarint.length(seq), let next = try reader.key() else { return }
                key = next
            }
            var time: UInt64 = 0
            if key == 25 {
                time = try reader.fixed64()
                guard time != 0, let next = try reader.key() else { return }
                key = next
            }
            // session_create (10), session_close (11), session_deny (12), ending the message.
            guard key == 82 || key == 90 || key == 98 else { return }
            _ = try reader.lengthDelimited()
            guard reader.isAtEnd else { return }
            self.bootID = BootID(bootID)
            self.seq = seq
            self.time = Timestamp(unixNanos: time)
            isFlowtelSession = true
        } catch {
            // Malformed: left to the decoder, which reports it.
        }
    }
}
