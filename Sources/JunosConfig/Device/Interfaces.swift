public import FlowtelCore

/// An address configured on an interface unit: the host address and its prefix length
/// (`family inet address 192.0.2.1/24`). Unlike ``IPPrefix`` the host bits are kept.
public struct InterfaceAddress: Hashable, Sendable, CustomStringConvertible {
    /// The interface's own address.
    public var address: IPAddress
    /// The subnet's prefix length.
    public var length: Int
    /// `primary`: the address used as source for traffic the device originates.
    public var isPrimary: Bool
    /// `preferred`: preferred among several addresses of the same subnet.
    public var isPreferred: Bool

    /// Creates an address.
    public init(address: IPAddress, length: Int, isPrimary: Bool = false, isPreferred: Bool = false) {
        self.address = address
        self.length = length
        self.isPrimary = isPrimary
        self.isPreferred = isPreferred
    }

    /// Parses `ADDRESS/LENGTH`; a bare address is a host address (/32 or /128).
    public init?(_ text: String) {
        guard let prefix = IPPrefix(text) else { return nil }
        let host = text.split(separator: "/", maxSplits: 1)[0]
        guard let address = IPAddress(host) else { return nil }
        self.init(address: address, length: prefix.length)
    }

    /// The connected subnet.
    public var subnet: IPPrefix {
        // The description of a valid address and length always parses.
        IPPrefix("\(address)/\(length)")!
    }

    /// "192.0.2.1/24".
    public var description: String { "\(address)/\(length)" }
}

/// A logical unit of a physical interface: `interfaces ge-0/0/1 unit 100`. Zones, routes and
/// NAT refer to units by their full name, `ge-0/0/1.100`.
public struct InterfaceUnit: Hashable, Sendable {
    /// The unit number.
    public var number: Int
    /// The full name, `ge-0/0/1.100`.
    public var name: String
    /// `description`.
    public var description: String?
    /// `vlan-id`: the 802.1Q tag that selects this unit on a `vlan-tagging` interface.
    public var vlanID: UInt16?
    /// `family inet address` entries.
    public var inetAddresses: [InterfaceAddress]
    /// `family inet6 address` entries.
    public var inet6Addresses: [InterfaceAddress]
    /// `family inet dhcp` (or `dhcp-client`): the address is learnt, not configured.
    public var usesDHCP: Bool
    /// True when `family inet` is configured (even without addresses).
    public var hasInet: Bool
    /// True when `family inet6` is configured.
    public var hasInet6: Bool
    /// Where the unit is defined.
    @NotCompared public var location: SourceLocation

    /// Creates a unit.
    public init(
        number: Int, interfaceName: String, description: String? = nil, vlanID: UInt16? = nil,
        inetAddresses: [InterfaceAddress] = [], inet6Addresses: [InterfaceAddress] = [],
        usesDHCP: Bool = false, hasInet: Bool = false, hasInet6: Bool = false, location: SourceLocation
    ) {
        self.number = number
        self.name = "\(interfaceName).\(number)"
        self.description = description
        self.vlanID = vlanID
        self.inetAddresses = inetAddresses
        self.inet6Addresses = inet6Addresses
        self.usesDHCP = usesDHCP
        self.hasInet = hasInet
        self.hasInet6 = hasInet6
        self.location = location
    }

    /// Every configured address, IPv4 first.
    public var addresses: [InterfaceAddress] { inetAddresses + inet6Addresses }
}

/// A physical or aggregate interface (`ge-0/0/1`, `ae0`, `reth0`, `lo0`).
public struct Interface: Hashable, Sendable {
    /// The interface name.
    public var name: String
    /// `description`.
    public var description: String?
    /// `vlan-tagging` or `flexible-vlan-tagging`: units are selected by VLAN id.
    public var vlanTagging: Bool
    /// `mtu`.
    public var mtu: Int?
    /// `disable`: administratively down.
    public var isDisabled: Bool
    /// `redundant-ether-options redundancy-group` of a `reth` interface.
    public var redundancyGroup: Int?
    /// `gigether-options redundant-parent` / `ether-options 802.3ad`: the parent reth or ae.
    public var parent: String?
    /// The units, in configuration order.
    public var units: [InterfaceUnit]
    /// Where the interface is defined.
    @NotCompared public var location: SourceLocation

    /// Creates an interface.
    public init(
        name: String, description: String? = nil, vlanTagging: Bool = false, mtu: Int? = nil,
        isDisabled: Bool = false, redundancyGroup: Int? = nil, parent: String? = nil,
        units: [InterfaceUnit] = [], location: SourceLocation
    ) {
        self.name = name
        self.description = description
        self.vlanTagging = vlanTagging
        self.mtu = mtu
        self.isDisabled = isDisabled
        self.redundancyGroup = redundancyGroup
        self.parent = parent
        self.units = units
        self.location = location
    }

    /// The unit numbered `number`, if configured.
    public func unit(_ number: Int) -> InterfaceUnit? { units.first { $0.number == number } }
}

/// A `routing-options static route` (or `rib inet6.0 static route`).
public struct StaticRoute: Hashable, Sendable {
    /// What a route does with matching traffic.
    public enum Action: Hashable, Sendable {
        /// Forward to the next hops (`next-hop`), in order of preference.
        case forward(nextHops: [IPAddress])
        /// Forward out of an interface unit (`next-hop ge-0/0/0.0`).
        case interface(String)
        /// `discard`: drop silently.
        case discard
        /// `reject`: drop and send ICMP unreachable.
        case reject
    }

    /// The destination prefix.
    public var destination: IPPrefix
    /// What happens to matching traffic.
    public var action: Action
    /// `preference`, when set.
    public var preference: Int?
    /// Where the route is defined.
    @NotCompared public var location: SourceLocation

    /// Creates a route.
    public init(destination: IPPrefix, action: Action, preference: Int? = nil, location: SourceLocation) {
        self.destination = destination
        self.action = action
        self.preference = preference
        self.location = location
    }
}
