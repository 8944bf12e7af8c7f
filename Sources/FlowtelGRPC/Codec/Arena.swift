internal import CGRPC
import FlowtelCore

/// Scratch memory for building protobuf-c messages before packing them.
///
/// Pointers handed out stay valid until `reset()`: memory comes from fixed-size chunks that are
/// never moved, so building a message allocates nothing once the arena has warmed up. Not
/// thread-safe: one arena per encoding thread.
final class Arena {
    private var chunks: [UnsafeMutableRawPointer] = []
    /// Allocations larger than a chunk, freed on reset.
    private var largeBlocks: [UnsafeMutableRawPointer] = []
    private var chunkIndex = 0
    private var offset = 0
    private let chunkSize: Int

    init(chunkSize: Int = 64 << 10) {
        self.chunkSize = chunkSize
        chunks.append(UnsafeMutableRawPointer.allocate(byteCount: chunkSize, alignment: 16))
    }

    deinit {
        for chunk in chunks { chunk.deallocate() }
        for block in largeBlocks { block.deallocate() }
    }

    /// Forgets every allocation; the chunks are reused.
    func reset() {
        chunkIndex = 0
        offset = 0
        for block in largeBlocks { block.deallocate() }
        largeBlocks.removeAll(keepingCapacity: true)
    }

    /// Raw memory of `count` bytes aligned to `alignment`.
    func allocate(byteCount count: Int, alignment: Int) -> UnsafeMutableRawPointer {
        if count > chunkSize / 4 {
            // A long string or a large repeated field: its own block, so chunks stay small.
            let block = UnsafeMutableRawPointer.allocate(byteCount: count, alignment: max(alignment, 16))
            largeBlocks.append(block)
            return block
        }
        var start = (offset + alignment - 1) & ~(alignment - 1)
        if start + count > chunkSize {
            chunkIndex += 1
            if chunkIndex == chunks.count {
                chunks.append(UnsafeMutableRawPointer.allocate(byteCount: chunkSize, alignment: 16))
            }
            start = 0
        }
        offset = start + count
        return chunks[chunkIndex] + start
    }

    /// Uninitialised storage for `count` values of `T`.
    func allocate<T>(_ type: T.Type, count: Int = 1) -> UnsafeMutablePointer<T> {
        allocate(byteCount: MemoryLayout<T>.stride * max(count, 1), alignment: MemoryLayout<T>.alignment)
            .bindMemory(to: T.self, capacity: max(count, 1))
    }

    /// A NUL-terminated copy of `string`.
    func cString(_ string: String) -> UnsafeMutablePointer<CChar> {
        var string = string
        return string.withUTF8 { utf8 in
            let memory = allocate(byteCount: utf8.count + 1, alignment: 1)
            if let base = utf8.baseAddress { memory.copyMemory(from: base, byteCount: utf8.count) }
            memory.storeBytes(of: 0, toByteOffset: utf8.count, as: UInt8.self)
            return memory.bindMemory(to: CChar.self, capacity: utf8.count + 1)
        }
    }

    /// The address bytes in network order; empty for nil.
    func binary(_ address: IPAddress?) -> ProtobufCBinaryData {
        guard let address else { return ProtobufCBinaryData(len: 0, data: nil) }
        return address.withBytes { bytes in
            let memory = allocate(byteCount: bytes.count, alignment: 1)
            memory.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
            return ProtobufCBinaryData(len: bytes.count, data: memory.assumingMemoryBound(to: UInt8.self))
        }
    }
}

extension String {
    /// Decodes a protobuf-c string field (never NULL for unpacked messages, but be safe).
    init(protobufC pointer: UnsafeMutablePointer<CChar>?) {
        // Most RT_FLOW fields are empty: skip the length scan and validation for them.
        guard let pointer, pointer.pointee != 0 else {
            self = ""
            return
        }
        self = String(cString: pointer)
    }
}

extension IPAddress {
    /// Decodes a protobuf-c bytes field holding an address; nil when empty or malformed.
    init?(protobufC data: ProtobufCBinaryData) {
        guard data.len == 4 || data.len == 16, let base = data.data else { return nil }
        self.init(bytes: UnsafeRawBufferPointer(start: base, count: data.len))
    }
}
