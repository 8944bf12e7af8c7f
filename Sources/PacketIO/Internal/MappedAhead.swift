/// Keeps a memory-mapped capture file's page tables filled a window ahead of a reader.
///
/// Touching a mapped page the first time costs a page fault; the kernel maps a few pages per
/// fault, so reading a large file sequentially takes thousands of faults. Filling the page
/// tables a window at a time (``CaptureFile/mapAhead(from:count:)``) does the same work in a
/// few hundred calls and keeps it bounded: only one window ahead of the reader is mapped
/// early, however large the file.
struct MappedAhead {
    /// Bytes mapped per call: a multiple of every page size in use.
    static let window = 4 << 20

    /// Where the pages mapped ahead so far end; `Int.max` once the kernel declined.
    private var end = 0

    /// Maps the next window once the reader at `offset` is within half a window of `end`.
    @inline(__always)
    mutating func advance(to offset: Int, in file: CaptureFile) {
        guard offset > end - Self.window / 2 else { return }
        advanceSlowly(to: offset, in: file)
    }

    @inline(never)
    private mutating func advanceSlowly(to offset: Int, in file: CaptureFile) {
        while offset > end - Self.window / 2 {
            guard end < file.bytes.count, file.mapAhead(from: end, count: Self.window) else {
                end = Int.max
                return
            }
            end += Self.window
        }
    }
}
