import ArgumentParser
import FlowtelCore

/// The event kinds and session criteria of `flowtel subscribe` (applied by the daemon) and
/// `flowtel query` (applied to stored events), with the same semantics: session events must
/// match every criterion given, other events pass.
struct EventSelectionOptions: ParsableArguments {
    @Option(help: "Event kinds, comma-separated: \(EventKind.allCases.map(\.description).joined(separator: ", ")).")
    var kinds: String?

    @Option(help: "Only sessions from this prefix.") var sourcePrefix: String?
    @Option(help: "Only sessions to this prefix.") var destinationPrefix: String?
    @Option(help: "Only this source port.") var sourcePort: UInt16?
    @Option(help: "Only this destination port.") var destinationPort: UInt16?
    @Option(help: "Only this protocol (name or number).") var `protocol`: String?
    @Option(help: "Only this application.") var application: String?
    @Option(help: "Only this interface.") var interface: String?
    @Option(help: "Only this source zone.") var sourceZone: String?
    @Option(help: "Only this destination zone.") var destinationZone: String?
    @Option(help: "Only this policy.") var policy: String?

    /// `--kinds`, parsed.
    func eventKinds() throws -> [EventKind] {
        guard let kinds else { return [] }
        return try kinds.split(separator: ",").map { name in
            guard let kind = EventKind(name: String(name)) else { throw ValidationError("--kinds: unknown kind '\(name)'") }
            return kind
        }
    }

    /// The criteria, as given (the daemon validates a subscription's; see `validatedFilter()`).
    var filter: SessionFilter {
        var filter = SessionFilter()
        filter.sourcePrefix = sourcePrefix ?? ""
        filter.destinationPrefix = destinationPrefix ?? ""
        filter.sourcePort = sourcePort ?? 0
        filter.destinationPort = destinationPort ?? 0
        filter.protocol = `protocol` ?? ""
        filter.application = application ?? ""
        filter.interface = interface ?? ""
        filter.sourceZone = sourceZone ?? ""
        filter.destinationZone = destinationZone ?? ""
        filter.policy = policy ?? ""
        return filter
    }

    /// The criteria, checked here: prefixes and the protocol must parse.
    func validatedFilter() throws -> SessionFilter {
        for (option, value) in [("--source-prefix", sourcePrefix), ("--destination-prefix", destinationPrefix)] {
            if let value, IPPrefix(value) == nil {
                throw ValidationError("\(option): expected an address or prefix, e.g. 10.0.0.0/8 or 2001:db8::/32 (got '\(value)')")
            }
        }
        if let name = `protocol`, IPProtocol.number(name) == nil {
            throw ValidationError("--protocol: expected a protocol name (tcp, udp, icmp, …) or number (got '\(name)')")
        }
        return filter
    }
}
