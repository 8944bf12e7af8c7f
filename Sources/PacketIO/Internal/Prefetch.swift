// Reading a capture file walks a chain of records: where the next record starts is known only
// once the current one's header has been read, so the CPU's own prefetchers, which follow
// regular strides, cannot run ahead of a memory-mapped file's records and every record header
// is a cache miss. Asking for the next record while the current one is decoded hides that miss.
//
// Swift has no prefetch function, and clang's `_m_prefetch` is a builtin that Swift imports as
// a call it then drops, so this declares LLVM's own intrinsic, which IRGen lowers to the
// target's prefetch instruction (`prefetcht0` on x86-64, `prfm pldl1keep` on arm64). Remove it
// when the standard library gains a prefetch.
@_silgen_name("llvm.prefetch.p0")
private func llvmPrefetch(_ address: UnsafeRawPointer, _ isWrite: Int32, _ locality: Int32, _ cacheType: Int32)

/// Starts loading the cache line holding `address` into every cache level. A hint: it never
/// faults, whatever the address, so it may point past a mapping's end.
@inline(__always)
func prefetch(_ address: UnsafeRawPointer) {
    // Read, keep in all cache levels (locality 3), data cache (1).
    llvmPrefetch(address, 0, 3, 1)
}
