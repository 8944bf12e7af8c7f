/// The string fields of session events, each interned separately by `DecodeStringCache`.
///
/// Fields that mean the same thing in different messages (the zone names of a create and of a
/// deny) share a slot: they carry the same values.
enum DecodeStringSlot: Int, CaseIterable {
    case node
    case serviceName
    case srcNatRuleName
    case dstNatRuleName
    case policyName
    case sourceZoneName
    case destinationZoneName
    case packetIncomingInterface
    case egressInterface
    case username
    case roles
    case application
    case nestedApplication
    case encrypted
    case applicationCategory
    case applicationSubCategory
    case applicationCharacteristics
    case srcVrfGroup
    case dstVrfGroup
    case tunnelInspection
    case tunnelInspectionPolicySet
    case sourceTenant
    case destinationService
    case dstIdentityContextName
    case dstIdentityContextRoles
    case secureWebProxySessionType
    case hostname
    case userType
    case urlHost
    case urlCategory
    case srcVrf
    case dstVrf
    case forwardedFor
}

/// Interns the strings of decoded session events, so that a value seen recently (a zone, a
/// policy, an interface name: a few values repeat in almost every event) is neither validated
/// as UTF-8 nor allocated again.
///
/// Each slot (`DecodeStringSlot`) has `ways` entries, chosen by a hash of the bytes. An entry
/// holds the wire bytes it was made from and `String(decoding:as: UTF8.self)` of those bytes;
/// it is reused only when the new bytes are equal byte for byte, so the result is always
/// exactly what `String(decoding:as:)` returns for the input, invalid UTF-8 (repaired)
/// included. Strings longer than `maxLength` (URLs, host names) are not interned.
///
/// A plain struct of pointers so that a lookup costs no exclusivity check or retain; the owning
/// `EventDecoder` calls `deallocate()` in its `deinit`. Not thread-safe, like its owner.
struct DecodeStringCache {
    /// The longest string interned, in bytes.
    static let maxLength = 64
    /// Entries per slot; a power of two.
    static let ways = 8
    /// 64 - log2(ways), kept in step with `ways`: the top bits of the hash pick the entry.
    private static let waysShift = 61

    private let keys: UnsafeMutableRawPointer
    private let lengths: UnsafeMutablePointer<Int>
    private let strings: UnsafeMutablePointer<String>
    private let entryCount: Int

    /// An empty cache for every `DecodeStringSlot`.
    init() {
        entryCount = DecodeStringSlot.allCases.count * Self.ways
        keys = UnsafeMutableRawPointer.allocate(byteCount: entryCount * Self.maxLength, alignment: 8)
        lengths = UnsafeMutablePointer<Int>.allocate(capacity: entryCount)
        // Length 0 never matches: empty strings are answered before any lookup.
        lengths.initialize(repeating: 0, count: entryCount)
        strings = UnsafeMutablePointer<String>.allocate(capacity: entryCount)
        strings.initialize(repeating: "", count: entryCount)
    }

    /// Frees the cache; it must not be used afterwards.
    func deallocate() {
        strings.deinitialize(count: entryCount)
        strings.deallocate()
        lengths.deallocate()
        keys.deallocate()
    }

    /// `String(decoding: bytes, as: UTF8.self)`, from the cache when these exact bytes were seen
    /// recently in this slot.
    @inline(__always)
    func string(_ bytes: UnsafeRawBufferPointer, slot: DecodeStringSlot) -> String {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return "" }
        return string(source, count: bytes.count, slot: slot)
    }

    private func string(_ source: UnsafeRawPointer, count: Int, slot: DecodeStringSlot) -> String {
        guard count <= Self.maxLength else {
            return String(decoding: UnsafeRawBufferPointer(start: source, count: count), as: UTF8.self)
        }
        let entry = slot.rawValue &* Self.ways &+ Self.way(source, count: count)
        let key = keys + entry &* Self.maxLength
        if lengths[entry] == count && Self.equal(source, key, count: count) {
            return strings[entry]
        }
        let value = String(decoding: UnsafeRawBufferPointer(start: source, count: count), as: UTF8.self)
        key.copyMemory(from: source, byteCount: count)
        lengths[entry] = count
        strings[entry] = value
        return value
    }

    /// The entry of the slot for these bytes (1...maxLength of them).
    @inline(__always)
    private static func way(_ p: UnsafeRawPointer, count n: Int) -> Int {
        var h: UInt64
        if n >= 8 {
            // The first and the last 8 bytes (overlapping below 16): every byte of the short
            // names that repeat (interfaces differ in their last digits) counts.
            h = p.loadUnaligned(as: UInt64.self) &* 0xFF51_AFD7_ED55_8CCD
                ^ p.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self)
        } else if n >= 4 {
            h = UInt64(p.loadUnaligned(as: UInt32.self)) << 32
                | UInt64(p.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self))
        } else {
            h = UInt64(p.load(as: UInt8.self)) << 16
                | UInt64(p.load(fromByteOffset: n >> 1, as: UInt8.self)) << 8
                | UInt64(p.load(fromByteOffset: n &- 1, as: UInt8.self))
        }
        h = (h ^ UInt64(truncatingIfNeeded: n)) &* 0x9E37_79B9_7F4A_7C15
        return Int(truncatingIfNeeded: h >> UInt64(waysShift))
    }

    /// Whether `n` (at least 1) bytes at `p` and `q` are equal.
    @inline(__always)
    private static func equal(_ p: UnsafeRawPointer, _ q: UnsafeRawPointer, count n: Int) -> Bool {
        if n >= 8 {
            var offset = 0
            while offset < n &- 8 {
                guard p.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                    == q.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                else { return false }
                offset &+= 8
            }
            return p.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self)
                == q.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self)
        }
        if n >= 4 {
            return p.loadUnaligned(as: UInt32.self) == q.loadUnaligned(as: UInt32.self)
                && p.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self)
                    == q.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self)
        }
        // 1 to 3 bytes: indices 0, n/2 and n-1 cover them all.
        return p.load(as: UInt8.self) == q.load(as: UInt8.self)
            && p.load(fromByteOffset: n >> 1, as: UInt8.self) == q.load(fromByteOffset: n >> 1, as: UInt8.self)
            && p.load(fromByteOffset: n &- 1, as: UInt8.self) == q.load(fromByteOffset: n &- 1, as: UInt8.self)
    }
}

extension WireReader {
    /// A string field, through the decoder's string cache.
    @inline(__always)
    mutating func string(_ slot: DecodeStringSlot, _ cache: DecodeStringCache) throws(DecodeError) -> String {
        cache.string(try lengthDelimited(), slot: slot)
    }
}
