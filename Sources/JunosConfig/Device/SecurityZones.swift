/// `host-inbound-traffic`: which services and protocols addressed to the device itself a
/// zone (or one of its interfaces) accepts. Kept as configured; `except` entries are listed
/// separately.
public struct HostInboundTraffic: Hashable, Sendable {
    /// `system-services` accepted (`all`, `ssh`, `ping`, …).
    public var systemServices: [String]
    /// `system-services X except`: excluded from an `all`.
    public var systemServicesExcept: [String]
    /// `protocols` accepted (`ospf`, `bgp`, `all`, …).
    public var protocols: [String]
    /// `protocols X except`.
    public var protocolsExcept: [String]

    /// Creates a set of host-inbound rules.
    public init(
        systemServices: [String] = [], systemServicesExcept: [String] = [], protocols: [String] = [],
        protocolsExcept: [String] = []
    ) {
        self.systemServices = systemServices
        self.systemServicesExcept = systemServicesExcept
        self.protocols = protocols
        self.protocolsExcept = protocolsExcept
    }

    /// True when nothing is configured.
    public var isEmpty: Bool {
        systemServices.isEmpty && systemServicesExcept.isEmpty && protocols.isEmpty && protocolsExcept.isEmpty
    }
}

/// An interface unit bound to a zone, with its own host-inbound rules when configured.
public struct ZoneInterface: Hashable, Sendable {
    /// The unit's full name, `ge-0/0/1.0`.
    public var name: String
    /// The unit's own `host-inbound-traffic`, which replaces the zone's; nil uses the zone's.
    public var hostInboundTraffic: HostInboundTraffic?
    /// Where the binding is written.
    @NotCompared public var location: SourceLocation

    /// Creates a binding.
    public init(name: String, hostInboundTraffic: HostInboundTraffic? = nil, location: SourceLocation) {
        self.name = name
        self.hostInboundTraffic = hostInboundTraffic
        self.location = location
    }
}

/// A `security zones security-zone` (or the `functional-zone management`).
public struct SecurityZone: Hashable, Sendable {
    /// The zone name policies refer to.
    public var name: String
    /// True for `functional-zone management`, which carries only management traffic.
    public var isFunctional: Bool
    /// `description`.
    public var description: String?
    /// The interface units in the zone.
    public var interfaces: [ZoneInterface]
    /// The zone's `host-inbound-traffic`.
    public var hostInboundTraffic: HostInboundTraffic
    /// `screen`: the screen profile applied (kept, not interpreted).
    public var screen: String?
    /// `tcp-rst`: answer non-SYN packets that match no session with a RST.
    public var tcpRST: Bool
    /// `application-tracking`.
    public var applicationTracking: Bool
    /// Where the zone is defined.
    @NotCompared public var location: SourceLocation

    /// Creates a zone.
    public init(
        name: String, isFunctional: Bool = false, description: String? = nil, interfaces: [ZoneInterface] = [],
        hostInboundTraffic: HostInboundTraffic = HostInboundTraffic(), screen: String? = nil,
        tcpRST: Bool = false, applicationTracking: Bool = false, location: SourceLocation
    ) {
        self.name = name
        self.isFunctional = isFunctional
        self.description = description
        self.interfaces = interfaces
        self.hostInboundTraffic = hostInboundTraffic
        self.screen = screen
        self.tcpRST = tcpRST
        self.applicationTracking = applicationTracking
        self.location = location
    }

    /// The predefined zone of traffic addressed to the device itself (a `to-zone` only).
    public static let junosHost = "junos-host"
}
