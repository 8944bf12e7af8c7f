public import FlowtelCore

/// Event bodies (`EventEncoder.encodeBody`: time and payload, no boot id, seq or node) encoded
/// back to back into one buffer, with the kind of each: what a producer hands the event bus
/// in one call.
///
/// One per producing thread, reused (`removeAll`) from one publish to the next: encoding a
/// chunk of events allocates nothing once the buffer has grown to the chunk's size.
public final class EncodedEvents {
    // Behind a pointer: mutating a class's stored properties costs a dynamic exclusivity
    // check per access, several per event on this path.
    struct Storage {
        var sink = ByteSink(capacity: 64 << 10)
        var ends: [Int] = []
        var kinds: [EventKind?] = []
    }

    let storage: UnsafeMutablePointer<Storage>

    /// An empty buffer.
    public init() {
        storage = UnsafeMutablePointer<Storage>.allocate(capacity: 1)
        storage.initialize(to: Storage())
    }

    deinit {
        storage.pointee.sink.deallocate()
        storage.deinitialize(count: 1)
        storage.deallocate()
    }

    /// Number of events.
    public var count: Int { storage.pointee.ends.count }

    /// True when there are no events.
    public var isEmpty: Bool { storage.pointee.ends.isEmpty }

    /// Bytes of all bodies.
    public var byteCount: Int { storage.pointee.sink.count }

    /// Forgets every event, keeping the memory.
    public func removeAll() {
        storage.pointee.sink.count = 0
        storage.pointee.ends.removeAll(keepingCapacity: true)
        storage.pointee.kinds.removeAll(keepingCapacity: true)
    }

    /// The kind of event `index` (nil for stream control).
    public func kind(_ index: Int) -> EventKind? { storage.pointee.kinds[index] }

    /// Calls `body` with the encoded body of event `index`, valid only during the call.
    @inline(__always)
    public func withBody<R>(_ index: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let start = index == 0 ? 0 : storage.pointee.ends[index - 1]
        let end = storage.pointee.ends[index]
        return try body(UnsafeRawBufferPointer(start: storage.pointee.sink.base + start, count: end - start))
    }

    /// Appends already-encoded body bytes.
    public func append(body: UnsafeRawBufferPointer, kind: EventKind?) {
        storage.pointee.sink.appendBytes(body)
        commit(kind)
    }

    // Records the event whose bytes were just appended to the sink.
    func commit(_ kind: EventKind?) {
        storage.pointee.ends.append(storage.pointee.sink.count)
        storage.pointee.kinds.append(kind)
    }
}
