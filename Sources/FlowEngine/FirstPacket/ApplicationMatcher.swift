import FlowtelCore
import JunosConfig

/// A policy's `application` list, resolved once: applications and the members of application
/// sets, in order, or `any`.
struct ApplicationMatcher: Sendable {
    private let matchesAny: Bool
    private let applications: [Application]

    /// Resolves `names` against `config` (user-defined first, then the predefined `junos-*`).
    init(names: [String], config: DeviceConfig) {
        matchesAny = names.contains("any")
        var applications: [Application] = []
        for name in names where name != "any" {
            for application in config.resolveApplications(name) ?? [] where !applications.contains(application) {
                applications.append(application)
            }
        }
        self.applications = applications
    }

    /// Whether the list admits the flow, and the first listed application whose term matches
    /// it (nil for a flow admitted by `any` alone).
    func match(_ key: FlowKey) -> (admitted: Bool, application: Application?) {
        if let application = applications.first(where: { ApplicationMatcher.matches($0, key) }) {
            return (true, application)
        }
        return (matchesAny, nil)
    }

    /// True when one of the application's terms admits the flow.
    static func matches(_ application: Application, _ key: FlowKey) -> Bool {
        term(of: application, matching: key) != nil
    }

    /// The first of the application's terms that admits the flow. ICMP terms compare type
    /// and code; other protocols ports.
    static func term(of application: Application, matching key: FlowKey) -> ApplicationTerm? {
        let isICMP = key.ipProtocol == 1 || key.ipProtocol == 58
        let first = isICMP ? UInt16(key.icmpType ?? 0) : key.sourcePort
        let second = isICMP ? UInt16(key.icmpCode ?? 0) : key.destinationPort
        return application.matchingTerm(ipProtocol: key.ipProtocol, sourcePort: first, destinationPort: second)
    }
}
