/// An address prefix such as `10.0.0.0/8` or `2001:db8::/32`; a bare address is a host prefix.
public struct IPPrefix: Hashable, Sendable, CustomStringConvertible {
    /// The network address (host bits cleared).
    public let address: IPAddress
    /// Prefix length in bits.
    public let length: Int

    /// Parses `ADDRESS[/LENGTH]`; nil if either part is invalid.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(parts[0]) else { return nil }
        let maxLength = address.isV4 ? 32 : 128
        var length = maxLength
        if parts.count == 2 {
            guard let value = Int(parts[1]), (0...maxLength).contains(value) else { return nil }
            length = value
        }
        self.length = length
        self.address = IPPrefix.mask(address, length)
    }

    /// True when `candidate` lies inside the prefix (never across families).
    public func contains(_ candidate: IPAddress) -> Bool {
        guard candidate.isV4 == address.isV4 else { return false }
        return IPPrefix.mask(candidate, length) == address
    }

    public var description: String { "\(address)/\(length)" }

    private static func mask(_ address: IPAddress, _ length: Int) -> IPAddress {
        switch address {
        case .v4(let value):
            return .v4(length == 0 ? 0 : value & ~UInt32(0) << (32 - length))
        case .v6(let high, let low):
            let highMask: UInt64 = length >= 64 ? ~0 : (length == 0 ? 0 : ~UInt64(0) << (64 - length))
            let lowMask: UInt64 = length <= 64 ? 0 : (length == 128 ? ~0 : ~UInt64(0) << (128 - length))
            return .v6(high: high & highMask, low: low & lowMask)
        }
    }
}

/// IP protocol names as Junos accepts them in `protocol` filters.
public enum IPProtocol: Sendable {
    /// Junos names and their numbers.
    public static let names: [String: UInt8] = [
        "icmp": 1, "igmp": 2, "ipip": 4, "tcp": 6, "egp": 8, "udp": 17, "rsvp": 46, "gre": 47,
        "esp": 50, "ah": 51, "icmp6": 58, "ospf": 89, "pim": 103, "sctp": 132,
    ]

    /// The protocol number for a name or a decimal number 0-255; nil otherwise.
    public static func number(_ text: String) -> UInt8? {
        if let number = UInt8(text) { return number }
        return names[text.lowercased()]
    }

    /// The Junos name of a protocol number (`tcp`), or the number as text.
    public static func name(_ number: UInt8) -> String {
        names.first(where: { $0.value == number })?.key ?? String(number)
    }
}
