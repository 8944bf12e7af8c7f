/// An IPv4 or IPv6 address, stored by value without allocation.
///
/// Renders as SRX logs do: dotted quad for IPv4, RFC 5952 compressed lower-case text for IPv6.
public enum IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// An IPv4 address; the integer holds the address in host order (`10.0.0.1` is `0x0A00_0001`).
    case v4(UInt32)
    /// An IPv6 address as two 64-bit halves in host order (`high` holds the first 8 bytes).
    case v6(high: UInt64, low: UInt64)

    /// `0.0.0.0`.
    public static let unspecifiedV4 = IPAddress.v4(0)

    /// Creates an address from 4 or 16 bytes in network order; nil for any other length.
    ///
    /// The decoder's hot path: no generics, no allocation.
    public init?(bytes: UnsafeRawBufferPointer) {
        switch bytes.count {
        case 4:
            self = .v4(UInt32(bigEndian: bytes.loadUnaligned(as: UInt32.self)))
        case 16:
            self = .v6(
                high: UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self)),
                low: UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        default:
            return nil
        }
    }

    /// Creates an address from 4 or 16 bytes in network order; nil for any other length.
    public init?<Bytes: Collection>(bytes: Bytes) where Bytes.Element == UInt8 {
        switch bytes.count {
        case 4:
            self = .v4(bytes.reduce(0) { $0 << 8 | UInt32($1) })
        case 16:
            var high: UInt64 = 0
            var low: UInt64 = 0
            for (index, byte) in bytes.enumerated() {
                if index < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt64(byte) }
            }
            self = .v6(high: high, low: low)
        default:
            return nil
        }
    }

    /// Parses `10.0.0.1` or an IPv6 text form (`2001:db8::1`, `::ffff:10.0.0.1`); nil if invalid.
    public init?(_ text: some StringProtocol) {
        if text.contains(":") {
            guard let value = IPAddress.parseV6(Substring(text)) else { return nil }
            self = value
        } else {
            guard let value = IPAddress.parseV4(Substring(text)) else { return nil }
            self = .v4(value)
        }
    }

    /// True for IPv4.
    public var isV4: Bool {
        if case .v4 = self { return true }
        return false
    }

    /// The address in network byte order (4 or 16 bytes).
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        withBytes { out.append(contentsOf: $0) }
        return out
    }

    /// Calls `body` with the address bytes in network order, without allocating.
    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        switch self {
        case .v4(let value):
            var big = value.bigEndian
            return try Swift.withUnsafeBytes(of: &big) { try body($0) }
        case .v6(let high, let low):
            var pair = (high.bigEndian, low.bigEndian)
            return try Swift.withUnsafeBytes(of: &pair) { try body($0) }
        }
    }

    public var description: String {
        switch self {
        case .v4(let value):
            return "\(value >> 24).\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(value & 0xFF)"
        case .v6(let high, let low):
            return IPAddress.formatV6(high: high, low: low)
        }
    }

    private static func parseV4(_ text: Substring) -> UInt32? {
        var value: UInt32 = 0
        var octets = 0
        for part in text.split(separator: ".", omittingEmptySubsequences: false) {
            guard !part.isEmpty, part.count <= 3, let octet = UInt32(part), octet <= 255 else { return nil }
            value = value << 8 | octet
            octets += 1
        }
        return octets == 4 ? value : nil
    }

    private static func parseV6(_ text: Substring) -> IPAddress? {
        var groups: [UInt16] = []
        var gapIndex: Int? = nil
        var rest = text
        if rest.hasPrefix("::") {
            gapIndex = 0
            rest = rest.dropFirst(2)
        }
        while !rest.isEmpty {
            let end = rest.firstIndex(of: ":") ?? rest.endIndex
            let part = rest[rest.startIndex..<end]
            if part.contains(".") {
                // Embedded IPv4 in the last 32 bits.
                guard end == rest.endIndex, let v4 = parseV4(part) else { return nil }
                groups.append(UInt16(v4 >> 16))
                groups.append(UInt16(v4 & 0xFFFF))
                rest = rest[end...]
                break
            }
            guard !part.isEmpty, part.count <= 4, let group = UInt16(part, radix: 16) else { return nil }
            groups.append(group)
            rest = rest[end...]
            if rest.hasPrefix("::") {
                guard gapIndex == nil else { return nil }
                gapIndex = groups.count
                rest = rest.dropFirst(2)
            } else if rest.hasPrefix(":") {
                rest = rest.dropFirst()
                if rest.isEmpty { return nil }
            }
        }
        if let gap = gapIndex {
            guard groups.count < 8 else { return nil }
            groups.insert(contentsOf: repeatElement(0, count: 8 - groups.count), at: gap)
        }
        guard groups.count == 8 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (index, group) in groups.enumerated() {
            if index < 4 { high = high << 16 | UInt64(group) } else { low = low << 16 | UInt64(group) }
        }
        return .v6(high: high, low: low)
    }

    private static func formatV6(high: UInt64, low: UInt64) -> String {
        var groups = [UInt16](repeating: 0, count: 8)
        for index in 0..<4 {
            groups[index] = UInt16(truncatingIfNeeded: high >> (48 - 16 * index))
            groups[index + 4] = UInt16(truncatingIfNeeded: low >> (48 - 16 * index))
        }
        // RFC 5952: compress the longest run (first if tied) of two or more zero groups.
        var bestStart = -1
        var bestLength = 1
        var index = 0
        while index < 8 {
            if groups[index] == 0 {
                var end = index
                while end < 8 && groups[end] == 0 { end += 1 }
                if end - index > bestLength {
                    bestStart = index
                    bestLength = end - index
                }
                index = end
            } else {
                index += 1
            }
        }
        func hex(_ range: Range<Int>) -> String {
            groups[range].map { String($0, radix: 16) }.joined(separator: ":")
        }
        if bestStart < 0 { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }
}
