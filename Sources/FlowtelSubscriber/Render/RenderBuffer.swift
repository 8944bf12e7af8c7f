import FlowtelCore

/// The bytes of one rendered line, written through a pointer: what every renderer appends to,
/// without the uniqueness and capacity checks an `Array` makes on every append.
///
/// A line starts in scratch memory on the stack (``appending(to:_:)``) and moves to the heap
/// only when it outgrows it; the finished line is copied onto the caller's array in one go, so
/// a caller that reuses its array renders without allocating. Writes go through a
/// ``RenderCursor``: one capacity check for a run of stores.
struct RenderBuffer: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var count = 0
    /// False while `base` is the caller's scratch memory.
    private var ownsBase = false

    private init(scratch: UnsafeMutableRawBufferPointer) {
        base = scratch.baseAddress!.assumingMemoryBound(to: UInt8.self)
        capacity = scratch.count
    }

    deinit { if ownsBase { base.deallocate() } }

    /// Runs `body` with an empty buffer, then appends what it wrote to `array`.
    @inline(__always)
    static func appending<Result>(to array: inout [UInt8], _ body: (inout RenderBuffer) -> Result) -> Result {
        // A stack tuple rather than `withUnsafeTemporaryAllocation`, which on Linux takes
        // anything over 1 KiB from malloc. Zeroing 2 KiB costs less than malloc and free.
        var scratch = Scratch()
        return withUnsafeMutableBytes(of: &scratch) { scratch in
            var buffer = RenderBuffer(scratch: scratch)
            let result = body(&buffer)
            array.append(contentsOf: UnsafeBufferPointer(start: buffer.base, count: buffer.count))
            return result
        }
    }

    /// 2 KiB: a session event with every RT_FLOW key in JSON, and room to spare.
    private typealias Bytes64 = (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
    private typealias Bytes512 = (Bytes64, Bytes64, Bytes64, Bytes64, Bytes64, Bytes64, Bytes64, Bytes64)
    private struct Scratch {
        private static let z: Bytes64 = (0, 0, 0, 0, 0, 0, 0, 0)
        private static let zz: Bytes512 = (z, z, z, z, z, z, z, z)
        var storage: (Bytes512, Bytes512, Bytes512, Bytes512) = (zz, zz, zz, zz)
    }

    /// Makes room for `extra` more bytes.
    @inline(__always)
    private mutating func reserve(_ extra: Int) {
        if capacity - count < extra { grow(count + extra) }
    }

    @inline(never)
    private mutating func grow(_ needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.initialize(from: base, count: count)
        if ownsBase { base.deallocate() }
        base = newBase
        capacity = newCapacity
        ownsBase = true
    }

    /// Writes up to `maxWidth` bytes through a cursor: one capacity check for a run of writes,
    /// and a position the compiler keeps in a register.
    @inline(__always)
    mutating func write(reserving maxWidth: Int, _ body: (inout RenderCursor) -> Void) {
        reserve(maxWidth)
        var cursor = RenderCursor(position: base + count)
        body(&cursor)
        count = cursor.position - base
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        write(reserving: 1) { $0.put(byte) }
    }

    @inline(__always)
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        write(reserving: bytes.count) { $0.put(bytes) }
    }

    /// A static string's UTF-8 bytes; inlined, the copy has a constant length.
    @inline(__always)
    mutating func append(_ text: StaticString) {
        write(reserving: text.utf8CodeUnitCount) { $0.put(text) }
    }

    /// A string's UTF-8 bytes. (Labelled: an unlabelled overload would be the one a string
    /// literal picks, over the `StaticString` one.)
    @inline(__always)
    mutating func append(utf8Of text: String) {
        Self.withUTF8(text) { append($0) }
    }

    /// Calls `body` with a string's UTF-8 bytes: the native storage, without a mutable copy.
    @inline(__always)
    static func withUTF8<Result>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
        var text = text
        return text.withUTF8(body)
    }
}

/// The write position inside room a ``RenderBuffer`` reserved (``RenderBuffer/write(reserving:_:)``):
/// stores with no checks, which the reservation makes safe.
struct RenderCursor {
    var position: UnsafeMutablePointer<UInt8>

    /// The byte just written; only after at least one.
    @inline(__always)
    var previous: UInt8 { position[-1] }

    @inline(__always)
    mutating func put(_ byte: UInt8) {
        position.pointee = byte
        position += 1
    }

    @inline(__always)
    mutating func put(_ bytes: UnsafeBufferPointer<UInt8>) {
        // Short runs, most of a line's strings, are copied faster a word at a time than by a
        // call to memmove.
        guard bytes.count > 32, let source = bytes.baseAddress else {
            _ = putVerbatim(bytes, unless: { _ in false }, wordHasSpecial: { _ in false })
            return
        }
        position.update(from: source, count: bytes.count)
        position += bytes.count
    }

    /// Inlined with a literal, the copy has a constant length: a few moves, no call.
    @inline(__always)
    mutating func put(_ text: StaticString) {
        position.update(from: text.utf8Start, count: text.utf8CodeUnitCount)
        position += text.utf8CodeUnitCount
    }

    /// Copies `bytes` unless one of them `isSpecial`: then returns false and the position stays
    /// where it was. `wordHasSpecial` tells whether any of the eight bytes of a word (loaded in
    /// memory order) is special: strings of eight bytes and more are checked and copied a word
    /// at a time, the last word overlapping the one before it.
    @inline(__always)
    mutating func putVerbatim(
        _ bytes: UnsafeBufferPointer<UInt8>, unless isSpecial: (UInt8) -> Bool, wordHasSpecial: (UInt64) -> Bool
    ) -> Bool {
        guard let source = bytes.baseAddress else { return true }
        let count = bytes.count
        if count >= 8 {
            func word(_ offset: Int) -> UInt64 { UnsafeRawPointer(source + offset).loadUnaligned(as: UInt64.self) }
            var offset = 0
            while true {
                let chunk = word(offset)
                if wordHasSpecial(chunk) { return false }
                UnsafeMutableRawPointer(position + offset).storeBytes(of: chunk, as: UInt64.self)
                if offset == count - 8 { break }
                offset = min(offset + 8, count - 8)
            }
        } else {
            for index in 0..<count {
                let byte = source[index]
                if isSpecial(byte) { return false }
                position[index] = byte
            }
        }
        position += count
        return true
    }
}

/// Byte tests on eight bytes at once (the classic bit tricks: subtracting 1 from each byte
/// borrows into its top bit only where the byte was 0).
enum WordBytes {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let tops: UInt64 = 0x8080_8080_8080_8080

    /// True when some byte of `word` is `byte`.
    @inline(__always)
    static func contains(_ word: UInt64, _ byte: UInt8) -> Bool {
        let match = word ^ (ones &* UInt64(byte))
        return (match &- ones) & ~match & tops != 0
    }

    /// True when some byte of `word` is below `bound` (at most 0x80).
    @inline(__always)
    static func containsLess(_ word: UInt64, than bound: UInt8) -> Bool {
        (word &- ones &* UInt64(bound)) & ~word & tops != 0
    }

    /// True when some byte of `word` is 0x80 or more (not ASCII).
    @inline(__always)
    static func containsNonASCII(_ word: UInt64) -> Bool { word & tops != 0 }
}
