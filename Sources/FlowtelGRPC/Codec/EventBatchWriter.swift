/// Assembles `flowtel.v1.EventBatch` messages from already-encoded events, without re-encoding.
///
/// An EventBatch is `repeated Event events = 1`, so its wire form is, for each event, the tag
/// byte 0x0A, the event's length as a varint and the event's bytes. Events are encoded once by
/// their producer and copied into every subscriber's batch as bytes.
public struct EventBatchWriter: Sendable {
    /// The message built so far.
    public private(set) var bytes: [UInt8] = []
    /// Events in the message.
    public private(set) var count = 0

    /// An empty batch with room for `capacity` bytes.
    public init(capacity: Int = 64 << 10) {
        bytes.reserveCapacity(capacity)
    }

    /// Appends `events` complete EventBatch entries (tag, length, Event each), as the event
    /// bus's replay ring stores them.
    public mutating func append(records: UnsafeRawBufferPointer, events: Int) {
        bytes.append(contentsOf: records)
        count += events
    }

    /// Appends one encoded `flowtel.v1.Event`.
    public mutating func append(encodedEvent: some Collection<UInt8>) {
        bytes.append(0x0A)
        bytes.appendVarint(UInt64(encodedEvent.count))
        bytes.append(contentsOf: encodedEvent)
        count += 1
    }

    /// Appends one event given as its envelope prefix (`EventBatchWriter.envelopePrefix`), its
    /// seq, and its body (`EventEncoder.encodeBody`).
    public mutating func append(prefix: [UInt8], seq: UInt64, body: [UInt8]) {
        body.withUnsafeBytes { append(prefix: prefix, seq: seq, body: $0) }
    }

    /// `append(prefix:seq:body:)` with the body in borrowed memory.
    public mutating func append(prefix: [UInt8], seq: UInt64, body: UnsafeRawBufferPointer) {
        let seqLength = seq == 0 ? 0 : 1 + ProtoVarint.length(seq)
        let length = prefix.count + seqLength + body.count
        bytes.append(0x0A)
        bytes.appendVarint(UInt64(length))
        bytes.append(contentsOf: prefix)
        if seq != 0 {
            bytes.append(0x10)
            bytes.appendVarint(seq)
        }
        bytes.append(contentsOf: body)
        count += 1
    }

    /// The boot_id (field 1, fixed64) and node (field 4, string) fields of an Event.
    public static func envelopePrefix(bootID: UInt64, node: String) -> [UInt8] {
        var prefix: [UInt8] = [0x09]
        withUnsafeBytes(of: bootID.littleEndian) { prefix.append(contentsOf: $0) }
        if !node.isEmpty {
            prefix.append(0x22)
            prefix.appendVarint(UInt64(node.utf8.count))
            prefix.append(contentsOf: node.utf8)
        }
        return prefix
    }

    /// Empties the batch, keeping its capacity.
    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        count = 0
    }
}

/// Protobuf base-128 varints written through raw pointers (the event bus frames records in
/// place with these).
public enum ProtoVarint {
    /// Bytes `value` takes as a varint (1 to 10).
    @inline(__always)
    public static func length(_ value: UInt64) -> Int {
        ByteSink.varintLength(value)
    }

    /// Writes `value` at `at`; returns the address after it.
    @inline(__always)
    public static func write(_ value: UInt64, at: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
        var value = value
        var at = at
        while value >= 0x80 {
            at.storeBytes(of: UInt8(truncatingIfNeeded: value) | 0x80, as: UInt8.self)
            at += 1
            value >>= 7
        }
        at.storeBytes(of: UInt8(value), as: UInt8.self)
        return at + 1
    }
}
