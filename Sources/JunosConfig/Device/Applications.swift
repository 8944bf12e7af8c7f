/// An inclusive range of TCP or UDP ports, e.g. `1024-65535`; a single port is a range of one.
public struct PortRange: Hashable, Sendable, CustomStringConvertible {
    /// The first port of the range.
    public var lower: UInt16
    /// The last port of the range (equal to ``lower`` for a single port).
    public var upper: UInt16

    /// Creates a range; `upper` defaults to `lower`.
    public init(_ lower: UInt16, _ upper: UInt16? = nil) {
        self.lower = lower
        self.upper = upper ?? lower
    }

    /// Every port.
    public static let any = PortRange(0, 65535)

    /// True when `port` lies in the range.
    public func contains(_ port: UInt16) -> Bool { lower <= port && port <= upper }

    /// "80" or "1024-65535", as Junos writes it.
    public var description: String { lower == upper ? "\(lower)" : "\(lower)-\(upper)" }
}

/// An application's `inactivity-timeout`: seconds, or `never` (the session never idles out).
public enum InactivityTimeout: Hashable, Sendable, CustomStringConvertible {
    /// Close the session after this many idle seconds.
    case seconds(Int)
    /// Keep the session however long it is idle.
    case never

    /// "1800" or "never".
    public var description: String {
        switch self {
        case .seconds(let value): "\(value)"
        case .never: "never"
        }
    }
}

/// One match clause of an application: a protocol with ports or ICMP type and code. An
/// application without `term` statements has a single unnamed term.
public struct ApplicationTerm: Hashable, Sendable {
    /// The term's name; nil for the implicit term of an application without `term`.
    public var name: String?
    /// The IP protocol number; nil matches any protocol.
    public var ipProtocol: UInt8?
    /// Source ports (TCP, UDP); nil matches any.
    public var sourcePorts: PortRange?
    /// Destination ports (TCP, UDP); nil matches any.
    public var destinationPorts: PortRange?
    /// ICMP or ICMPv6 type; nil matches any.
    public var icmpType: UInt8?
    /// ICMP or ICMPv6 code; nil matches any.
    public var icmpCode: UInt8?
    /// The term's own `inactivity-timeout`, which wins over the application's.
    public var inactivityTimeout: InactivityTimeout?
    /// The `alg` or `application-protocol` the term names (kept, not interpreted).
    public var applicationProtocol: String?

    /// Creates a term.
    public init(
        name: String? = nil, ipProtocol: UInt8? = nil, sourcePorts: PortRange? = nil,
        destinationPorts: PortRange? = nil, icmpType: UInt8? = nil, icmpCode: UInt8? = nil,
        inactivityTimeout: InactivityTimeout? = nil, applicationProtocol: String? = nil
    ) {
        self.name = name
        self.ipProtocol = ipProtocol
        self.sourcePorts = sourcePorts
        self.destinationPorts = destinationPorts
        self.icmpType = icmpType
        self.icmpCode = icmpCode
        self.inactivityTimeout = inactivityTimeout
        self.applicationProtocol = applicationProtocol
    }

    /// True when a packet with this protocol, ports and ICMP type/code matches the term.
    /// Ports are ignored for protocols without them, ICMP fields for non-ICMP protocols.
    public func matches(ipProtocol candidate: UInt8, sourcePort: UInt16, destinationPort: UInt16) -> Bool {
        if let ipProtocol, ipProtocol != candidate { return false }
        switch candidate {
        case 6, 17, 132:
            if let sourcePorts, !sourcePorts.contains(sourcePort) { return false }
            if let destinationPorts, !destinationPorts.contains(destinationPort) { return false }
        case 1, 58:
            // For ICMP the flow key carries type and code where TCP/UDP carry ports.
            if let icmpType, UInt16(icmpType) != sourcePort { return false }
            if let icmpCode, UInt16(icmpCode) != destinationPort { return false }
        default:
            break
        }
        return true
    }
}

/// An `applications application` (or a predefined `junos-*` application).
public struct Application: Hashable, Sendable {
    /// The name policies refer to.
    public var name: String
    /// The match terms; a packet matches the application when it matches any term.
    public var terms: [ApplicationTerm]
    /// The application-level `inactivity-timeout`; nil means the protocol default.
    public var inactivityTimeout: InactivityTimeout?
    /// `description`.
    public var description: String?
    /// True for the applications Junos predefines (junos-defaults).
    public var isPredefined: Bool
    /// Where the application is defined; nil for a predefined one.
    @NotCompared public var location: SourceLocation?

    /// Creates an application.
    public init(
        name: String, terms: [ApplicationTerm], inactivityTimeout: InactivityTimeout? = nil,
        description: String? = nil, isPredefined: Bool = false, location: SourceLocation? = nil
    ) {
        self.name = name
        self.terms = terms
        self.inactivityTimeout = inactivityTimeout
        self.description = description
        self.isPredefined = isPredefined
        self.location = location
    }

    /// The first term matching the packet, if any.
    public func matchingTerm(ipProtocol: UInt8, sourcePort: UInt16, destinationPort: UInt16) -> ApplicationTerm? {
        terms.first { $0.matches(ipProtocol: ipProtocol, sourcePort: sourcePort, destinationPort: destinationPort) }
    }

    /// The timeout a session of this application uses when `term` matched it: the term's,
    /// else the application's, else nil (the caller falls back to the protocol default).
    public func inactivityTimeout(for term: ApplicationTerm) -> InactivityTimeout? {
        term.inactivityTimeout ?? inactivityTimeout
    }
}

/// An `applications application-set`: applications and nested sets under one name.
public struct ApplicationSet: Hashable, Sendable {
    /// The name policies refer to.
    public var name: String
    /// Member applications, in order.
    public var applications: [String]
    /// Member application sets, in order.
    public var applicationSets: [String]
    /// `description`.
    public var description: String?
    /// Where the set is defined; nil for a predefined set.
    @NotCompared public var location: SourceLocation?

    /// Creates a set.
    public init(
        name: String, applications: [String] = [], applicationSets: [String] = [],
        description: String? = nil, location: SourceLocation? = nil
    ) {
        self.name = name
        self.applications = applications
        self.applicationSets = applicationSets
        self.description = description
        self.location = location
    }
}
