import FlowtelCore

#if canImport(Glibc)
import Glibc
#endif

/// The replay ring's bookkeeping for one event; its bytes live in the ring's chunks.
struct RingSlot {
    /// Index of the chunk holding the record, counted from the first chunk ever allocated.
    var chunk: Int
    /// Where the record starts in its chunk.
    var start: Int32
    /// Bytes of the record: the EventBatch entry (tag, length, Event) exactly as sent.
    var length: Int32
    /// What subscription kind filters compare; nil for stream control.
    var kind: EventKind?
    /// Bytes (costs) published before this event: lag in bytes is a difference of offsets.
    var offset: UInt64

    /// What the event counts against the ring's byte bound: its record and its bookkeeping.
    var cost: Int { Self.cost(recordBytes: Int(length)) }

    static func cost(recordBytes: Int) -> Int { recordBytes + MemoryLayout<RingSlot>.stride + 8 }
}

/// The event bus's replay ring: events indexed by seq, each stored once as the `EventBatch`
/// entry it is sent as (`0x0A`, length, Event), so a subscriber's batch is a concatenation of
/// records and a run of consecutive records is one copy.
///
/// Records are packed back to back into 2 MiB chunks (a larger record gets a chunk of its
/// own); a chunk is recycled once every record in it has been evicted. Nothing is allocated
/// per event, and no reference is counted. The byte bound (`bytes`) is enforced by the owner,
/// which evicts from the front.
struct ReplayRing: ~Copyable {
    static let chunkBytes = 2 << 20

    private var slots: UnsafeMutablePointer<RingSlot>
    private var slotCapacity = 1024
    private var head = 0
    private(set) var count = 0
    /// Seq of the oldest slot (meaningful when count > 0).
    private var firstSlotSeq: UInt64 = 0
    /// Sum of the costs of the retained events.
    private(set) var bytes = 0

    /// Live chunks, oldest first: `chunks[i]` is chunk `firstChunk + i`.
    private var chunks: [(base: UnsafeMutableRawPointer, size: Int)] = []
    private var firstChunk = 0
    /// Bytes used in the newest chunk.
    private var tailUsed = 0
    /// Emptied standard chunks kept for reuse (their pages stay mapped).
    private var spare: [UnsafeMutableRawPointer] = []

    init() {
        slots = UnsafeMutablePointer<RingSlot>.allocate(capacity: slotCapacity)
    }

    deinit {
        slots.deallocate()  // RingSlot is trivial: nothing to deinitialize
        for chunk in chunks { free(chunk.base) }
        for chunk in spare { free(chunk) }
    }

    /// Seq of the oldest event, nil when empty.
    var firstSeq: UInt64? { count == 0 ? nil : firstSlotSeq }

    /// Bytes of memory held for records (chunks in use and spare).
    var reservedBytes: Int { chunks.reduce(0) { $0 + $1.size } + spare.count * Self.chunkBytes }

    /// Appends the event `seq` (the seq after the newest, or any seq when empty) with a record
    /// of `length` bytes that `write` fills in place.
    mutating func append(
        seq: UInt64, length: Int, kind: EventKind?, offset: UInt64, write: (UnsafeMutableRawPointer) -> Void
    ) {
        precondition(count == 0 || seq == firstSlotSeq + UInt64(count), "replay ring: seqs must be consecutive")
        if count == slotCapacity { growSlots() }
        if chunks.isEmpty || tailUsed + length > chunks[chunks.count - 1].size { addChunk(minimum: length) }
        let chunk = firstChunk + chunks.count - 1
        write(chunks[chunks.count - 1].base + tailUsed)
        let slot = RingSlot(chunk: chunk, start: Int32(tailUsed), length: Int32(length), kind: kind, offset: offset)
        tailUsed += length
        if count == 0 { firstSlotSeq = seq }
        (slots + ((head + count) & (slotCapacity - 1))).initialize(to: slot)
        count += 1
        bytes += slot.cost
    }

    /// Evicts the oldest event; chunks left without a record are recycled.
    mutating func removeFirst() {
        guard count > 0 else { return }
        let slot = (slots + head).move()
        bytes -= slot.cost
        head = (head + 1) & (slotCapacity - 1)
        count -= 1
        firstSlotSeq += 1
        // Chunks before the new oldest record's (all of them but the newest, when empty).
        let keepFrom = count == 0 ? firstChunk + chunks.count - 1 : slots[head].chunk
        while firstChunk < keepFrom {
            release(chunks.removeFirst())
            firstChunk += 1
        }
        if count == 0 { tailUsed = 0 }
    }

    @inline(__always)
    private func index(_ seq: UInt64) -> Int? {
        guard count > 0, seq >= firstSlotSeq, seq - firstSlotSeq < UInt64(count) else { return nil }
        return (head + Int(seq - firstSlotSeq)) & (slotCapacity - 1)
    }

    /// The bookkeeping of event `seq`, nil when it is not retained.
    @inline(__always)
    func slot(_ seq: UInt64) -> RingSlot? { index(seq).map { slots[$0] } }

    /// `offset` of event `seq`.
    func offset(seq: UInt64) -> UInt64? { index(seq).map { slots[$0].offset } }

    /// `cost` of event `seq`.
    func cost(seq: UInt64) -> Int? { index(seq).map { slots[$0].cost } }

    /// The record of a retained event, valid until the ring changes.
    func record(_ slot: RingSlot) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: chunks[slot.chunk - firstChunk].base + Int(slot.start), count: Int(slot.length))
    }

    /// Calls `body` with the records of events `first...last` (all retained) as few
    /// contiguous spans as the chunks allow, in order.
    func forEachSpan(_ first: UInt64, _ last: UInt64, _ body: (UnsafeRawBufferPointer, Int) -> Void) {
        var seq = first
        while seq <= last {
            guard let start = slot(seq) else { preconditionFailure("replay ring: span \(first)...\(last) not retained") }
            var end = seq
            var length = Int(start.length)
            while end < last, let next = slot(end + 1), next.chunk == start.chunk,
                Int(next.start) == Int(start.start) + length
            {
                length += Int(next.length)
                end += 1
            }
            body(
                UnsafeRawBufferPointer(start: chunks[start.chunk - firstChunk].base + Int(start.start), count: length),
                Int(end - seq + 1))
            seq = end + 1
        }
    }

    private mutating func addChunk(minimum: Int) {
        if minimum <= Self.chunkBytes {
            chunks.append((spare.popLast() ?? Self.allocateChunk(Self.chunkBytes), Self.chunkBytes))
        } else {
            chunks.append((Self.allocateChunk(minimum), minimum))
        }
        tailUsed = 0
    }

    private mutating func release(_ chunk: (base: UnsafeMutableRawPointer, size: Int)) {
        if chunk.size == Self.chunkBytes && spare.count < 2 {
            spare.append(chunk.base)
        } else {
            free(chunk.base)
        }
    }

    // 2 MiB-aligned and marked for transparent huge pages where the kernel offers them:
    // filling a chunk then costs one page fault instead of 512.
    private static func allocateChunk(_ size: Int) -> UnsafeMutableRawPointer {
        var memory: UnsafeMutableRawPointer? = nil
        guard posix_memalign(&memory, chunkBytes, size) == 0, let memory else {
            fatalError("out of memory: replay ring chunk of \(size) bytes")
        }
        _ = madvise(memory, size, MADV_HUGEPAGE)
        return memory
    }

    private mutating func growSlots() {
        let larger = UnsafeMutablePointer<RingSlot>.allocate(capacity: slotCapacity * 2)
        for index in 0..<count {
            (larger + index).moveInitialize(from: slots + ((head + index) & (slotCapacity - 1)), count: 1)
        }
        slots.deallocate()
        slots = larger
        slotCapacity *= 2
        head = 0
    }
}
