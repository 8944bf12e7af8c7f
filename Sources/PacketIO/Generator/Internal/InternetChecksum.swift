import FlowtelCore

/// The Internet checksum (RFC 1071), summed as 32-bit big-endian words into 64 bits and folded
/// at the end: the same result as 16-bit words, with half the additions.
enum InternetChecksum {
    static func add(_ frame: MutableFrame, from offset: Int, count: Int, to initial: UInt64 = 0) -> UInt64 {
        var sum = initial
        let start = UnsafeRawPointer(frame.base + offset)
        var index = 0
        while index + 4 <= count {
            sum &+= UInt64(UInt32(bigEndian: start.loadUnaligned(fromByteOffset: index, as: UInt32.self)))
            index += 4
        }
        if index + 2 <= count {
            sum &+= UInt64(UInt16(bigEndian: start.loadUnaligned(fromByteOffset: index, as: UInt16.self)))
            index += 2
        }
        if index < count { sum &+= UInt64(start.load(fromByteOffset: index, as: UInt8.self)) << 8 }
        return sum
    }

    static func addPseudoHeader(
        _ sum: UInt64, source: IPAddress, destination: IPAddress, protocolID: UInt8, length: Int
    ) -> UInt64 {
        // IPv4: addresses, zero, protocol, length. IPv6: addresses, 32-bit length, zeros, next
        // header. Summed as words, both come to the same terms.
        sum &+ words(source) &+ words(destination) &+ UInt64(protocolID) &+ UInt64(length)
    }

    private static func words(_ address: IPAddress) -> UInt64 {
        switch address {
        case .v4(let value): UInt64(value)
        case .v6(let high, let low): (high >> 32) &+ (high & 0xFFFF_FFFF) &+ (low >> 32) &+ (low & 0xFFFF_FFFF)
        }
    }

    static func finish(_ sum: UInt64) -> UInt16 {
        var sum = sum
        while sum >> 16 != 0 { sum = (sum & 0xFFFF) &+ (sum >> 16) }
        return ~UInt16(sum)
    }
}
