public import FlowtelCore

/// An `address` of an address book.
public struct AddressEntry: Hashable, Sendable {
    /// What an address stands for.
    public enum Value: Hashable, Sendable {
        /// A prefix (`10.0.1.0/24`; a bare address is a host prefix).
        case prefix(IPPrefix)
        /// `range-address LOW to HIGH`, inclusive.
        case range(IPAddress, IPAddress)
        /// `wildcard-address ADDRESS/MASK`: the address bits selected by a (not necessarily
        /// contiguous) mask.
        case wildcard(address: IPAddress, mask: IPAddress)
        /// `dns-name NAME`: kept unresolved (the device resolves it; flowtel does not).
        case dnsName(String)
    }

    /// The name policies refer to.
    public var name: String
    /// The address.
    public var value: Value
    /// `description`.
    public var description: String?
    /// Where the address is defined.
    @NotCompared public var location: SourceLocation

    /// Creates an address.
    public init(name: String, value: Value, description: String? = nil, location: SourceLocation) {
        self.name = name
        self.value = value
        self.description = description
        self.location = location
    }

    /// True when `candidate` is covered. A `dns-name` never matches (it is not resolved).
    public func contains(_ candidate: IPAddress) -> Bool {
        switch value {
        case .prefix(let prefix):
            return prefix.contains(candidate)
        case .range(let low, let high):
            guard candidate.isV4 == low.isV4 else { return false }
            return AddressEntry.compare(low, candidate) <= 0 && AddressEntry.compare(candidate, high) <= 0
        case .wildcard(let address, let mask):
            guard candidate.isV4 == address.isV4 else { return false }
            return zip(candidate.bytes, zip(address.bytes, mask.bytes)).allSatisfy { byte, pair in
                byte & pair.1 == pair.0 & pair.1
            }
        case .dnsName:
            return false
        }
    }

    /// -1, 0 or 1 as `lhs` is below, equal to or above `rhs` (same family).
    static func compare(_ lhs: IPAddress, _ rhs: IPAddress) -> Int {
        for (left, right) in zip(lhs.bytes, rhs.bytes) where left != right { return left < right ? -1 : 1 }
        return 0
    }
}

/// An `address-set`: addresses and nested sets of the same book under one name.
public struct AddressSet: Hashable, Sendable {
    /// The name policies refer to.
    public var name: String
    /// Member addresses, in order.
    public var addresses: [String]
    /// Member address sets, in order.
    public var addressSets: [String]
    /// `description`.
    public var description: String?
    /// Where the set is defined.
    @NotCompared public var location: SourceLocation

    /// Creates a set.
    public init(
        name: String, addresses: [String] = [], addressSets: [String] = [], description: String? = nil,
        location: SourceLocation
    ) {
        self.name = name
        self.addresses = addresses
        self.addressSets = addressSets
        self.description = description
        self.location = location
    }
}

/// An address book: `security address-book NAME` (global, or attached to zones), or the
/// legacy book written inside a zone (`security zones security-zone Z address-book`).
public struct AddressBook: Hashable, Sendable {
    /// The book's name: `global`, a user name, or the zone's name for a zone's own book.
    public var name: String
    /// The zones whose policies may use the book (`attach zone`); empty for `global`.
    public var attachedZones: [String]
    /// True for the book named `global`, which every zone and global policies see.
    public var isGlobal: Bool { name == AddressBook.globalName && !isZoneBook }
    /// True for a book written inside `security-zone` (it belongs to that zone).
    public var isZoneBook: Bool
    /// The addresses, in order.
    public var addresses: [AddressEntry]
    /// The address sets, in order.
    public var addressSets: [AddressSet]
    /// Where the book is defined.
    @NotCompared public var location: SourceLocation

    /// Creates a book.
    public init(
        name: String, attachedZones: [String] = [], isZoneBook: Bool = false, addresses: [AddressEntry] = [],
        addressSets: [AddressSet] = [], location: SourceLocation
    ) {
        self.name = name
        self.attachedZones = attachedZones
        self.isZoneBook = isZoneBook
        self.addresses = addresses
        self.addressSets = addressSets
        self.location = location
    }

    /// The name of the book every zone sees.
    public static let globalName = "global"

    /// True when policies of `zone` may use this book (nil: a global policy, which sees only
    /// the global book).
    public func isVisible(from zone: String?) -> Bool {
        if isGlobal { return true }
        guard let zone else { return false }
        return attachedZones.contains(zone)
    }

    /// The address named `name`, if the book defines it.
    public func address(named name: String) -> AddressEntry? { addresses.first { $0.name == name } }

    /// The address set named `name`, if the book defines it.
    public func addressSet(named name: String) -> AddressSet? { addressSets.first { $0.name == name } }
}

/// The address names every policy may use without defining them.
public enum PredefinedAddress: String, Hashable, Sendable, CaseIterable {
    /// Every IPv4 and IPv6 address.
    case any
    /// Every IPv4 address.
    case anyIPv4 = "any-ipv4"
    /// Every IPv6 address.
    case anyIPv6 = "any-ipv6"

    /// True when `address` is covered.
    public func contains(_ address: IPAddress) -> Bool {
        switch self {
        case .any: true
        case .anyIPv4: address.isV4
        case .anyIPv6: !address.isV4
        }
    }
}
