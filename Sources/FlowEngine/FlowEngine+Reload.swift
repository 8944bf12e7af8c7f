public import FlowtelCore
public import JunosConfig

extension FlowEngine {
    /// Applies a new configuration (a commit; flowteld's SIGHUP) and ends what it removes:
    ///
    /// - a session whose policy is gone (same zones, same name; global or not) closes with
    ///   `policy delete`; with `policy-rematch` configured, so does every session the new
    ///   policies would no longer permit by the same policy;
    /// - a session translated to an interface's address the interface no longer has closes with
    ///   `interface address change` (its next packet takes the first path again, with the new
    ///   address).
    ///
    /// Both leave the table at once. Returns their close events.
    public mutating func reload(config newConfig: DeviceConfig, at time: Timestamp) -> [FlowEvent] {
        var events = advance(to: time)
        config = newConfig
        unitAddressCache = [:]
        exportAllSessions = newConfig.flowtel.exportAllSessions
        classifier = FirstPacketClassifier(config: newConfig)
        internedNames = InternedNames()
        nat = NATRules(config: newConfig)
        for handle in table.handles {
            guard let session = table[handle], session.ended == nil else { continue }
            if let reason = closeReason(afterReload: session) {
                end(handle, reason: reason, removal: .now, at: time, events: &events)
            }
        }
        return events
    }

    private func closeReason(afterReload session: Session) -> CloseReason? {
        let info = names.info(of: session.record)
        if session.interfaceNAT {
            let addresses = config.interfaceUnit(named: info.egressInterface)?.addresses.map(\.address) ?? []
            if !addresses.contains(info.natSourceAddress) { return .interfaceChange }
        }
        let isDefault = info.policyName == Self.defaultPolicyName
        if !isDefault, !policyExists(info) { return .policyDelete }
        if config.policies.policyRematch {
            let decision = classifier.policies.lookup(
                from: info.sourceZoneName, to: info.destinationZoneName, key: translatedKey(info))
            guard case .permit = decision.action else { return .policyDelete }
            let name = decision.policy.map { $0.isGlobal ? "\($0.name)(global)" : $0.name } ?? Self.defaultPolicyName
            if name != info.policyName { return .policyDelete }
        }
        return nil
    }

    private func policyExists(_ info: SessionInfo) -> Bool {
        let suffix = "(global)"
        if info.policyName.hasSuffix(suffix) {
            let name = String(info.policyName.dropLast(suffix.count))
            return config.policies.global.contains { $0.name == name }
        }
        return config.policies.policies(from: info.sourceZoneName, to: info.destinationZoneName)
            .contains { $0.name == info.policyName && !$0.isGlobal }
    }

    /// The key the policy lookup saw: the original source, the translated destination.
    private func translatedKey(_ info: SessionInfo) -> FlowKey {
        var key = FlowKey(
            source: info.sourceAddress, destination: info.natDestinationAddress, ipProtocol: info.protocolID,
            sourcePort: info.sourcePort, destinationPort: info.natDestinationPort)
        if info.protocolID == 1 { key.icmpType = 8 }
        if info.protocolID == 58 { key.icmpType = 128 }
        return key
    }
}
