import FlowtelCore
import JunosConfig

/// A policy's `application` list, resolved once: applications and the members of application
/// sets, in order (as indices into the policy table's ``ApplicationCatalog``), or `any`.
struct ApplicationMatcher: Sendable {
    private let matchesAny: Bool
    private let applications: [Int]

    /// Resolves `names` against `config` (user-defined first, then the predefined `junos-*`),
    /// adding the applications to `catalog`.
    init(names: [String], config: DeviceConfig, catalog: inout ApplicationCatalog) {
        matchesAny = names.contains("any")
        var applications: [Int] = []
        for name in names where name != "any" {
            for application in config.resolveApplications(name) ?? [] {
                let index = catalog.index(of: application)
                if !applications.contains(index) { applications.append(index) }
            }
        }
        self.applications = applications
    }

    /// How a list admits a flow.
    enum Match {
        /// It does not.
        case none
        /// By `any` alone: no listed application matched.
        case any
        /// The first listed application with a term that matches, and the inactivity timeout
        /// that term gives (seconds; nil for `never`).
        case application(Int, inactivity: Int?)
    }

    /// Whether the list admits the flow, and how.
    func match(_ key: FlowKey, in catalog: ApplicationCatalog) -> Match {
        let (first, second) = Self.matchedPorts(key)
        for application in applications {
            if let term = catalog[application].terms.first(where: { $0.matches(ipProtocol: key.ipProtocol, first, second) }) {
                return .application(application, inactivity: term.inactivity(ipProtocol: key.ipProtocol))
            }
        }
        return matchesAny ? .any : .none
    }

    /// What a term compares with its port ranges: the ports, or for ICMP and ICMPv6 the type
    /// and code.
    @inline(__always)
    static func matchedPorts(_ key: FlowKey) -> (UInt16, UInt16) {
        let isICMP = key.ipProtocol == 1 || key.ipProtocol == 58
        return isICMP ? (UInt16(key.icmpType ?? 0), UInt16(key.icmpCode ?? 0)) : (key.sourcePort, key.destinationPort)
    }

    /// True when one of the application's terms admits the flow.
    static func matches(_ application: Application, _ key: FlowKey) -> Bool {
        let (first, second) = matchedPorts(key)
        return application.matchingTerm(ipProtocol: key.ipProtocol, sourcePort: first, destinationPort: second) != nil
    }
}

/// The applications of a ``PolicyTable``, each once, with their terms compiled.
struct ApplicationCatalog: Sendable {
    struct Entry: Sendable {
        var application: Application
        /// Its terms, in order.
        var terms: [CompiledTerm]
    }

    private var entries: [Entry] = []
    private var indices: [Application: Int] = [:]

    /// The index of `application`, added when new.
    mutating func index(of application: Application) -> Int {
        if let known = indices[application] { return known }
        let index = entries.count
        entries.append(
            Entry(application: application, terms: application.terms.map { CompiledTerm($0, of: application, at: index) }))
        indices[application] = index
        return index
    }

    subscript(index: Int) -> Entry { entries[index] }
}

/// An application term compiled for matching, as `ApplicationTerm.matches` does: the protocol
/// if it names one, then ports for TCP, UDP and SCTP, or ICMP type and code (carried where
/// ports are) for ICMP and ICMPv6. It carries the inactivity timeout a session it identifies
/// takes: the term's own, else its application's, else the protocol default.
struct CompiledTerm: Sendable {
    /// Index of the application in the catalog.
    var application: Int32
    /// The protocol, or -1 for any.
    var ipProtocol: Int16
    var sourceLow: UInt16 = 0
    var sourceHigh: UInt16 = .max
    var destinationLow: UInt16 = 0
    var destinationHigh: UInt16 = .max
    /// ICMP type and code, or -1 for any.
    var icmpType: Int32 = -1
    var icmpCode: Int32 = -1
    /// The term's own timeout, else its application's; nil: the protocol default.
    private var timeout: InactivityTimeout?

    init(_ term: ApplicationTerm, of application: Application, at index: Int) {
        self.application = Int32(index)
        ipProtocol = term.ipProtocol.map { Int16($0) } ?? -1
        if let ports = term.sourcePorts { (sourceLow, sourceHigh) = (ports.lower, ports.upper) }
        if let ports = term.destinationPorts { (destinationLow, destinationHigh) = (ports.lower, ports.upper) }
        if let type = term.icmpType { icmpType = Int32(type) }
        if let code = term.icmpCode { icmpCode = Int32(code) }
        timeout = application.inactivityTimeout(for: term)
    }

    @inline(__always)
    func matches(ipProtocol candidate: UInt8, _ first: UInt16, _ second: UInt16) -> Bool {
        if ipProtocol >= 0, ipProtocol != Int16(candidate) { return false }
        switch candidate {
        case 6, 17, 132:
            return sourceLow <= first && first <= sourceHigh && destinationLow <= second && second <= destinationHigh
        case 1, 58:
            return (icmpType < 0 || icmpType == Int32(first)) && (icmpCode < 0 || icmpCode == Int32(second))
        default:
            return true
        }
    }

    /// The inactivity timeout of a session of `ipProtocol` this term identified: seconds, or
    /// nil for `never` (``InactivityTimeouts/seconds(application:term:ipProtocol:)``).
    func inactivity(ipProtocol: UInt8) -> Int? {
        switch timeout {
        case .seconds(let seconds): seconds
        case .never: nil
        case nil: InactivityTimeouts.protocolDefault(ipProtocol)
        }
    }
}
