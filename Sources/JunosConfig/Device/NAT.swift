public import FlowtelCore

/// An address range a NAT pool or proxy-ARP entry owns: a prefix, or `LOW to HIGH`.
public struct NATAddressRange: Hashable, Sendable, CustomStringConvertible {
    /// The first address.
    public var low: IPAddress
    /// The last address (equal to ``low`` for a single address).
    public var high: IPAddress
    /// The prefix as written, when the range was written as one.
    public var prefix: IPPrefix?

    /// A range from a prefix: every address in it.
    public init(prefix: IPPrefix) {
        self.prefix = prefix
        self.low = prefix.address
        self.high = NATAddressRange.lastAddress(of: prefix)
    }

    /// A range from two addresses.
    public init(low: IPAddress, high: IPAddress) {
        self.prefix = nil
        self.low = low
        self.high = high
    }

    /// How many addresses the range holds (saturating at `UInt64.max`).
    public var count: UInt64 {
        let lowBytes = low.bytes, highBytes = high.bytes
        var difference: UInt64 = 0
        for (l, h) in zip(lowBytes.suffix(8), highBytes.suffix(8)) {
            difference = difference << 8 | UInt64(h &- l)
        }
        if lowBytes.count == 16, lowBytes.prefix(8) != highBytes.prefix(8) { return .max }
        return difference == .max ? .max : difference + 1
    }

    /// "203.0.113.0/28" or "203.0.113.10 to 203.0.113.20".
    public var description: String {
        if let prefix { return prefix.description }
        return low == high ? "\(low)" : "\(low) to \(high)"
    }

    private static func lastAddress(of prefix: IPPrefix) -> IPAddress {
        switch prefix.address {
        case .v4(let value):
            let hostMask: UInt32 = prefix.length == 32 ? 0 : ~UInt32(0) >> prefix.length
            return .v4(value | hostMask)
        case .v6(let high, let low):
            let highMask: UInt64 = prefix.length >= 64 ? 0 : ~UInt64(0) >> prefix.length
            let lowMask: UInt64 = prefix.length <= 64 ? ~0 : (prefix.length == 128 ? 0 : ~UInt64(0) >> (prefix.length - 64))
            return .v6(high: high | highMask, low: low | lowMask)
        }
    }
}

/// Where a NAT rule set applies: `from`/`to` a zone, an interface or a routing instance.
public enum NATContext: Hashable, Sendable, CustomStringConvertible {
    /// `zone NAME`.
    case zone(String)
    /// `interface NAME` (a unit, `ge-0/0/0.0`).
    case interface(String)
    /// `routing-instance NAME`.
    case routingInstance(String)

    /// "zone untrust".
    public var description: String {
        switch self {
        case .zone(let name): "zone \(name)"
        case .interface(let name): "interface \(name)"
        case .routingInstance(let name): "routing-instance \(name)"
        }
    }
}

/// A `security nat source pool`.
public struct SourceNATPool: Hashable, Sendable {
    /// How the pool translates source ports.
    public enum PortTranslation: Hashable, Sendable {
        /// The Junos default: translate ports (PAT) from the full range 1024-65535.
        case automatic
        /// `port range LOW to HIGH`.
        case range(PortRange)
        /// `port no-translation`: one-to-one address translation, ports kept.
        case none
    }

    /// The pool name rules refer to.
    public var name: String
    /// `address` entries.
    public var addresses: [NATAddressRange]
    /// `port`.
    public var portTranslation: PortTranslation
    /// `host-address-base`.
    public var hostAddressBase: IPAddress?
    /// `overflow-pool`: a pool name or `interface`.
    public var overflowPool: String?
    /// `routing-instance`.
    public var routingInstance: String?
    /// Where the pool is defined.
    @NotCompared public var location: SourceLocation

    /// Creates a pool.
    public init(
        name: String, addresses: [NATAddressRange] = [], portTranslation: PortTranslation = .automatic,
        hostAddressBase: IPAddress? = nil, overflowPool: String? = nil, routingInstance: String? = nil,
        location: SourceLocation
    ) {
        self.name = name
        self.addresses = addresses
        self.portTranslation = portTranslation
        self.hostAddressBase = hostAddressBase
        self.overflowPool = overflowPool
        self.routingInstance = routingInstance
        self.location = location
    }
}

/// A `security nat destination pool`: where destination NAT sends traffic.
public struct DestinationNATPool: Hashable, Sendable {
    /// The pool name rules refer to.
    public var name: String
    /// `address` (a host prefix or a range).
    public var address: NATAddressRange?
    /// `address … port`: the translated destination port, when set.
    public var port: UInt16?
    /// `routing-instance`.
    public var routingInstance: String?
    /// Where the pool is defined.
    @NotCompared public var location: SourceLocation

    /// Creates a pool.
    public init(
        name: String, address: NATAddressRange? = nil, port: UInt16? = nil, routingInstance: String? = nil,
        location: SourceLocation
    ) {
        self.name = name
        self.address = address
        self.port = port
        self.routingInstance = routingInstance
        self.location = location
    }
}

/// The `match` of a NAT rule. Empty lists match anything.
public struct NATRuleMatch: Hashable, Sendable {
    /// `source-address` prefixes.
    public var sourceAddresses: [IPPrefix]
    /// `source-address-name`: global address-book names.
    public var sourceAddressNames: [String]
    /// `destination-address` prefixes.
    public var destinationAddresses: [IPPrefix]
    /// `destination-address-name`.
    public var destinationAddressNames: [String]
    /// `source-port` ranges.
    public var sourcePorts: [PortRange]
    /// `destination-port` ranges (`port` or `port to port`).
    public var destinationPorts: [PortRange]
    /// `protocol` numbers.
    public var protocols: [UInt8]
    /// `application` names.
    public var applications: [String]

    /// Creates a match.
    public init(
        sourceAddresses: [IPPrefix] = [], sourceAddressNames: [String] = [], destinationAddresses: [IPPrefix] = [],
        destinationAddressNames: [String] = [], sourcePorts: [PortRange] = [], destinationPorts: [PortRange] = [],
        protocols: [UInt8] = [], applications: [String] = []
    ) {
        self.sourceAddresses = sourceAddresses
        self.sourceAddressNames = sourceAddressNames
        self.destinationAddresses = destinationAddresses
        self.destinationAddressNames = destinationAddressNames
        self.sourcePorts = sourcePorts
        self.destinationPorts = destinationPorts
        self.protocols = protocols
        self.applications = applications
    }
}

/// What a NAT rule does with the traffic it matches.
public enum NATAction: Hashable, Sendable {
    /// `source-nat off` / `destination-nat off` / `static-nat` absent: no translation; stops
    /// the rule search.
    case off
    /// `source-nat interface`: translate to the egress interface's address (PAT).
    case sourceInterface
    /// `source-nat pool NAME`.
    case sourcePool(String)
    /// `destination-nat pool NAME`.
    case destinationPool(String)
    /// `static-nat prefix P [mapped-port …]`: one-to-one mapping of the destination (and of
    /// the reverse direction's source).
    case staticPrefix(IPPrefix, mappedPorts: PortRange?)
    /// `static-nat prefix-name NAME`: the mapping target from the global address book.
    case staticPrefixName(String)
}

/// A NAT `rule`.
public struct NATRule: Hashable, Sendable {
    /// The rule name (logged as the NAT rule name in RT_FLOW).
    public var name: String
    /// `match`.
    public var match: NATRuleMatch
    /// `then`.
    public var action: NATAction
    /// Where the rule is defined.
    @NotCompared public var location: SourceLocation

    /// Creates a rule.
    public init(name: String, match: NATRuleMatch = NATRuleMatch(), action: NATAction, location: SourceLocation) {
        self.name = name
        self.match = match
        self.action = action
        self.location = location
    }
}

/// The three kinds of Junos NAT.
public enum NATKind: String, Hashable, Sendable {
    /// `security nat source`.
    case source
    /// `security nat destination`.
    case destination
    /// `security nat static`.
    case `static`
}

/// A NAT `rule-set`: rules tried in order for traffic matching its `from` (and, for
/// source NAT, `to`) context.
public struct NATRuleSet: Hashable, Sendable {
    /// Source, destination or static.
    public var kind: NATKind
    /// The rule-set name (logged with the rule name).
    public var name: String
    /// `from` contexts.
    public var from: [NATContext]
    /// `to` contexts (source NAT only).
    public var to: [NATContext]
    /// The rules, in order.
    public var rules: [NATRule]
    /// Where the rule set is defined.
    @NotCompared public var location: SourceLocation

    /// Creates a rule set.
    public init(
        kind: NATKind, name: String, from: [NATContext] = [], to: [NATContext] = [], rules: [NATRule] = [],
        location: SourceLocation
    ) {
        self.kind = kind
        self.name = name
        self.from = from
        self.to = to
        self.rules = rules
        self.location = location
    }
}

/// A `proxy-arp` (or `proxy-ndp`) entry: addresses the device answers ARP for on an interface.
public struct ProxyARPEntry: Hashable, Sendable {
    /// The interface unit.
    public var interface: String
    /// The addresses answered for.
    public var addresses: [NATAddressRange]

    /// Creates an entry.
    public init(interface: String, addresses: [NATAddressRange]) {
        self.interface = interface
        self.addresses = addresses
    }
}

/// `security nat`.
public struct NATConfig: Hashable, Sendable {
    /// `source pool`s.
    public var sourcePools: [SourceNATPool]
    /// `destination pool`s.
    public var destinationPools: [DestinationNATPool]
    /// Rule sets of every kind, in configuration order within each kind.
    public var ruleSets: [NATRuleSet]
    /// `proxy-arp` entries.
    public var proxyARP: [ProxyARPEntry]
    /// `proxy-ndp` entries.
    public var proxyNDP: [ProxyARPEntry]

    /// Creates a NAT configuration.
    public init(
        sourcePools: [SourceNATPool] = [], destinationPools: [DestinationNATPool] = [], ruleSets: [NATRuleSet] = [],
        proxyARP: [ProxyARPEntry] = [], proxyNDP: [ProxyARPEntry] = []
    ) {
        self.sourcePools = sourcePools
        self.destinationPools = destinationPools
        self.ruleSets = ruleSets
        self.proxyARP = proxyARP
        self.proxyNDP = proxyNDP
    }

    /// The rule sets of one kind, in order.
    public func ruleSets(_ kind: NATKind) -> [NATRuleSet] { ruleSets.filter { $0.kind == kind } }

    /// The source pool named `name`.
    public func sourcePool(named name: String) -> SourceNATPool? { sourcePools.first { $0.name == name } }

    /// The destination pool named `name`.
    public func destinationPool(named name: String) -> DestinationNATPool? {
        destinationPools.first { $0.name == name }
    }
}
