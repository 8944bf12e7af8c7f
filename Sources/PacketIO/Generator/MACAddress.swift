/// A 48-bit Ethernet MAC address, stored by value.
///
/// Renders as lower-case colon-separated hex (`00:1a:2b:3c:4d:5e`), the way Junos prints
/// interface hardware addresses.
public struct MACAddress: Hashable, Sendable, CustomStringConvertible {
    /// The address in the low 48 bits, first octet most significant (`00:1a:2b:3c:4d:5e` is
    /// `0x001A_2B3C_4D5E`).
    public let value: UInt64

    /// Creates an address from its 48-bit value; higher bits must be zero.
    public init(_ value: UInt64) {
        precondition(value >> 48 == 0, "a MAC address has 48 bits")
        self.value = value
    }

    /// Creates an address from exactly 6 bytes; nil for any other count.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 6 else { return nil }
        value = bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// Parses `00:1a:2b:3c:4d:5e` or `00-1a-2b-3c-4d-5e` (either case); nil if invalid.
    public init?(_ text: some StringProtocol) {
        let separator: Character = text.contains("-") ? "-" : ":"
        let parts = text.split(separator: separator, omittingEmptySubsequences: false)
        guard parts.count == 6 else { return nil }
        var value: UInt64 = 0
        for part in parts {
            guard part.count == 2, let octet = UInt8(part, radix: 16) else { return nil }
            value = value << 8 | UInt64(octet)
        }
        self.value = value
    }

    /// The six octets in transmission order.
    public var bytes: [UInt8] {
        (0..<6).map { UInt8(truncatingIfNeeded: value >> (40 - 8 * $0)) }
    }

    /// True for a group (multicast or broadcast) address: the low bit of the first octet.
    public var isMulticast: Bool { value >> 40 & 1 == 1 }

    /// `00:1a:2b:3c:4d:5e`.
    public var description: String {
        bytes.map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined(separator: ":")
    }
}
