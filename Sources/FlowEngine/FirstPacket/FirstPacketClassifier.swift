import FlowtelCore
public import JunosConfig

/// The first-packet path of a new flow, before NAT: ingress unit and zone, egress unit and
/// zone (`junos-host` for the device's own addresses), and the policy decision.
///
/// Pure and immutable: built from a configuration, safe to share between shards.
public struct FirstPacketClassifier: Sendable {
    /// Units, zones and routes.
    public let zones: ZoneMap
    /// The compiled policies.
    public let policies: PolicyTable

    /// Compiles `config`.
    public init(config: DeviceConfig) {
        zones = ZoneMap(config: config)
        policies = PolicyTable(config: config)
    }

    /// What happens to the first packet of a flow arriving with `vlan` (the frame's outer tag).
    public func classify(_ key: FlowKey, vlan: UInt16?) -> FirstPacketResult {
        guard let ingress = zones.ingressUnit(source: key.source, vlan: vlan) else {
            return FirstPacketResult(ingressUnit: nil, verdict: .dropped(.noIngressInterface))
        }
        guard let fromZone = zones.zone(ofUnit: ingress) else {
            return FirstPacketResult(ingressUnit: ingress, verdict: .dropped(.interfaceNotInZone))
        }
        let egressUnit: String?
        let toZone: String
        switch zones.egress(destination: key.destination) {
        case .device:
            egressUnit = nil
            toZone = SecurityZone.junosHost
        case .unit(let unit):
            guard let zone = zones.zone(ofUnit: unit) else {
                return FirstPacketResult(
                    ingressUnit: ingress, fromZone: fromZone, egressUnit: unit, verdict: .dropped(.interfaceNotInZone))
            }
            egressUnit = unit
            toZone = zone
        case .discard, .reject:
            return FirstPacketResult(ingressUnit: ingress, fromZone: fromZone, verdict: .dropped(.routeDiscards))
        case .noRoute:
            return FirstPacketResult(ingressUnit: ingress, fromZone: fromZone, verdict: .dropped(.noRoute))
        }
        let decision = policies.lookup(from: fromZone, to: toZone, key: key)
        return FirstPacketResult(
            ingressUnit: ingress, fromZone: fromZone, egressUnit: egressUnit, toZone: toZone,
            verdict: .decided(decision))
    }
}

/// The first-packet path's outcome.
public struct FirstPacketResult: Hashable, Sendable {
    /// The unit the packet arrived on, if one was found.
    public var ingressUnit: String?
    /// Its zone.
    public var fromZone: String?
    /// The unit the flow leaves by (nil for `junos-host` and drops before the route lookup).
    public var egressUnit: String?
    /// The destination zone (`junos-host` for the device itself).
    public var toZone: String?
    /// Dropped before the policy lookup, or the policy's decision.
    public var verdict: Verdict

    /// Creates a result.
    public init(
        ingressUnit: String?, fromZone: String? = nil, egressUnit: String? = nil, toZone: String? = nil,
        verdict: Verdict
    ) {
        self.ingressUnit = ingressUnit
        self.fromZone = fromZone
        self.egressUnit = egressUnit
        self.toZone = toZone
        self.verdict = verdict
    }

    /// Dropped before any policy, or decided by one.
    public enum Verdict: Hashable, Sendable {
        /// Dropped before the policy lookup, and why.
        case dropped(DropReason)
        /// The policy lookup's decision.
        case decided(PolicyDecision)
    }

    /// Why a first packet is dropped before the policy lookup (counted, never logged as
    /// RT_FLOW: an SRX logs these as flow trace drops, not session denials).
    public enum DropReason: String, Hashable, Sendable {
        /// No VLAN unit and no route back to the source.
        case noIngressInterface = "no ingress interface"
        /// The ingress or egress unit is in no security zone.
        case interfaceNotInZone = "interface not in a zone"
        /// No route to the destination.
        case noRoute = "no route"
        /// A `discard` or `reject` route.
        case routeDiscards = "discard route"
    }
}
