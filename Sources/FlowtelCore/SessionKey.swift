/// The fields of a session event that subscription filters look at. The daemon keeps one beside
/// each encoded event in its replay ring, so filtering never decodes (a class, so ring entries
/// stay small); `flowtel query` applies the same filters to stored events.
public final class SessionKey: Sendable {
    let source: IPAddress
    let destination: IPAddress
    let natSource: IPAddress
    let natDestination: IPAddress
    let sourcePort: UInt16
    let destinationPort: UInt16
    let natSourcePort: UInt16
    let natDestinationPort: UInt16
    let protocolID: UInt8
    let nat: Bool
    let sessionID: UInt32
    let connectionTag: UInt32
    let application: String
    let incomingInterface: String
    let egressInterface: String
    let sourceZone: String
    let destinationZone: String
    let policy: String

    /// The key of a session payload; nil for other payloads.
    public convenience init?(_ payload: Payload) {
        switch payload {
        case .sessionCreate(let create):
            self.init(create.session)
        case .sessionClose(let close):
            self.init(close.session)
        case .sessionDeny(let deny):
            var info = SessionInfo()
            info.sourceAddress = deny.sourceAddress
            info.destinationAddress = deny.destinationAddress
            info.natSourceAddress = deny.sourceAddress
            info.natDestinationAddress = deny.destinationAddress
            info.sourcePort = deny.sourcePort
            info.destinationPort = deny.destinationPort
            info.natSourcePort = deny.sourcePort
            info.natDestinationPort = deny.destinationPort
            info.protocolID = deny.protocolID
            info.sessionID = deny.sessionID
            info.connectionTag = deny.connectionTag
            info.serviceName = deny.serviceName
            info.packetIncomingInterface = deny.packetIncomingInterface
            info.sourceZoneName = deny.sourceZoneName
            info.destinationZoneName = deny.destinationZoneName
            info.policyName = deny.policyName
            self.init(info)
        default:
            return nil
        }
    }

    public init(_ info: SessionInfo) {
        source = info.sourceAddress
        destination = info.destinationAddress
        natSource = info.natSourceAddress
        natDestination = info.natDestinationAddress
        sourcePort = info.sourcePort
        destinationPort = info.destinationPort
        natSourcePort = info.natSourcePort
        natDestinationPort = info.natDestinationPort
        protocolID = info.protocolID
        nat = info.natSourceAddress != info.sourceAddress || info.natDestinationAddress != info.destinationAddress
            || info.natSourcePort != info.sourcePort || info.natDestinationPort != info.destinationPort
        sessionID = info.sessionID
        connectionTag = info.connectionTag
        application = info.serviceName
        incomingInterface = info.packetIncomingInterface
        egressInterface = info.egressInterface
        sourceZone = info.sourceZoneName
        destinationZone = info.destinationZoneName
        policy = info.policyName
    }
}

/// A `SessionFilter` prepared for matching: prefixes parsed, protocol resolved.
///
/// Semantics, as `show security flow session` applies them: every given criterion must
/// match; prefixes and ports match either the original or the translated address of the
/// session; `interface` matches the incoming or the egress interface.
public struct CompiledSessionFilter: Sendable {
    private let filter: SessionFilter
    private let sourcePrefix: IPPrefix?
    private let destinationPrefix: IPPrefix?
    private let protocolID: UInt8?

    /// Prepares `filter`; criteria that do not parse were rejected when the request was decoded.
    public init(_ filter: SessionFilter) {
        self.filter = filter
        sourcePrefix = filter.sourcePrefix.isEmpty ? nil : IPPrefix(filter.sourcePrefix)
        destinationPrefix = filter.destinationPrefix.isEmpty ? nil : IPPrefix(filter.destinationPrefix)
        protocolID = filter.protocol.isEmpty ? nil : IPProtocol.number(filter.protocol)
    }

    /// True when the filter has no criteria.
    public var isEmpty: Bool { filter.isEmpty }

    /// Whether a session event with `key` passes.
    public func matches(_ key: SessionKey) -> Bool {
        if let prefix = sourcePrefix, !prefix.contains(key.source) && !prefix.contains(key.natSource) { return false }
        if let prefix = destinationPrefix, !prefix.contains(key.destination) && !prefix.contains(key.natDestination) {
            return false
        }
        if filter.sourcePort != 0 && key.sourcePort != filter.sourcePort && key.natSourcePort != filter.sourcePort {
            return false
        }
        if filter.destinationPort != 0 && key.destinationPort != filter.destinationPort
            && key.natDestinationPort != filter.destinationPort
        {
            return false
        }
        if let protocolID, key.protocolID != protocolID { return false }
        if !filter.application.isEmpty && key.application != filter.application { return false }
        if !filter.interface.isEmpty && key.incomingInterface != filter.interface && key.egressInterface != filter.interface {
            return false
        }
        if filter.sessionID != 0 && key.sessionID != filter.sessionID { return false }
        if filter.family == "inet" && !key.source.isV4 { return false }
        if filter.family == "inet6" && key.source.isV4 { return false }
        if !filter.sourceZone.isEmpty && key.sourceZone != filter.sourceZone { return false }
        if !filter.destinationZone.isEmpty && key.destinationZone != filter.destinationZone { return false }
        if !filter.policy.isEmpty && key.policy != filter.policy { return false }
        if filter.natOnly && !key.nat { return false }
        if filter.connectionTag != 0 && key.connectionTag != filter.connectionTag { return false }
        // flowtel has neither IDP nor a resource manager: no session uses them.
        if filter.idpOnly || filter.resourceManagerOnly { return false }
        if filter.tunnelOnly && !SessionFilter.isTunnelInterface(key.incomingInterface)
            && !SessionFilter.isTunnelInterface(key.egressInterface)
        {
            return false
        }
        return true
    }
}
