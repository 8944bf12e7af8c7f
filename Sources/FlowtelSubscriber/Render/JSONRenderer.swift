public import FlowtelCore

/// Renders events as JSON lines: one object per event with the envelope (`node`, `boot-id`,
/// `seq`, `time`, `event`) and the payload's fields under their RT_FLOW names
/// (`source-address`, `nat-source-port`, `reason`, ...). Fields an SRX prints as placeholders
/// carry the placeholder text, so the records read like the SRX's own.
public struct JSONRenderer: Sendable {
    /// Creates a renderer.
    public init() {}

    /// The JSON line (without the newline) for one event.
    public func render(_ event: Event) -> [UInt8] {
        var json = JSONObjectWriter()
        json.add("node", event.node)
        json.add("boot-id", event.bootID.description)
        json.add("seq", event.seq)
        json.add("time", event.time.rfc3339)
        json.add("event", event.payload.name)
        switch event.payload {
        case .sessionCreate(let create):
            addSession(create.session, to: &json, closing: false)
        case .sessionClose(let close):
            json.add("reason", close.reason.description)
            addSession(close.session, to: &json, closing: true)
            json.add("packets-from-client", close.packetsFromClient)
            json.add("bytes-from-client", close.bytesFromClient)
            json.add("packets-from-server", close.packetsFromServer)
            json.add("bytes-from-server", close.bytesFromServer)
            json.add("elapsed-time", close.elapsedTime)
            json.add("start-time", close.startTime.rfc3339)
            json.add("secure-web-proxy-session-type", or(close.secureWebProxySessionType, "NA"))
            json.add("peer-session-id", close.peerSessionID)
            json.add("peer-source-address", close.peerSourceAddress?.description ?? "0.0.0.0")
            json.add("peer-source-port", close.peerSourcePort)
            json.add("peer-destination-address", close.peerDestinationAddress?.description ?? "0.0.0.0")
            json.add("peer-destination-port", close.peerDestinationPort)
            json.add("hostname", or(close.hostname, "NA NA"))
            json.add("session-flag", close.sessionFlag)
            json.add("user-type", or(close.userType, "N/A"))
            json.add("forwarded-for", or(close.forwardedFor, "N/A"))
            json.add("url-host", or(close.urlHost, "N/A"))
            json.add("url-cat", or(close.urlCategory, "N/A"))
            json.add("url-risk", close.urlRisk)
            json.add("src-vrf", or(close.srcVrf, "N/A"))
            json.add("dst-vrf", or(close.dstVrf, "N/A"))
        case .sessionDeny(let deny):
            json.add("source-address", deny.sourceAddress.description)
            json.add("source-port", deny.sourcePort)
            json.add("destination-address", deny.destinationAddress.description)
            json.add("destination-port", deny.destinationPort)
            json.add("connection-tag", deny.connectionTag)
            json.add("service-name", or(deny.serviceName, "None"))
            json.add("protocol-id", deny.protocolID)
            json.add("icmp-type", deny.icmpType)
            json.add("policy-name", deny.policyName)
            json.add("policy-index", deny.policyIndex)
            json.add("source-zone-name", deny.sourceZoneName)
            json.add("destination-zone-name", deny.destinationZoneName)
            json.add("application", or(deny.application, "UNKNOWN"))
            json.add("nested-application", or(deny.nestedApplication, "UNKNOWN"))
            json.add("username", or(deny.username, "N/A"))
            json.add("roles", or(deny.roles, "N/A"))
            json.add("packet-incoming-interface", deny.packetIncomingInterface)
            json.add("encrypted", or(deny.encrypted, "No"))
            json.add("reason", deny.action.denyReason)
            json.add("session-id-32", deny.sessionID)
            json.add("application-category", or(deny.applicationCategory, "N/A"))
            json.add("application-sub-category", or(deny.applicationSubCategory, "N/A"))
            json.add("application-risk", deny.applicationRisk == 0 ? -1 : Int(deny.applicationRisk))
            json.add("application-characteristics", or(deny.applicationCharacteristics, "N/A"))
            json.add("src-vrf-grp", or(deny.srcVrfGroup, "N/A"))
            json.add("dst-vrf-grp", or(deny.dstVrfGroup, "N/A"))
            json.add("source-tenant", or(deny.sourceTenant, "N/A"))
            json.add("destination-service", or(deny.destinationService, "N/A"))
            json.add("fpc", deny.fpc)
            json.add("pic", deny.pic)
        case .fpcError(let value):
            json.add("slot", value.slot)
            json.add("pic", value.pic)
            json.add("error-id", value.errorID)
            json.add("module", value.module)
            json.add("severity", value.severity.description)
            json.add("error-type", value.errorType)
            json.add("count", value.count)
            json.add("severity-total", value.severityTotal)
            json.add("description", value.description)
        case .fpcErrorCounters(let value):
            json.add("slot", value.slot)
            json.add("fpc-type", value.fpcType.description)
            var severities: [UInt8] = [UInt8(ascii: "[")]
            for (index, counters) in value.severities.enumerated() {
                if index > 0 { severities.append(UInt8(ascii: ",")) }
                var entry = JSONObjectWriter()
                entry.add("severity", counters.severity.description)
                entry.add("occurred", counters.occurred)
                entry.add("cleared", counters.cleared)
                entry.add("threshold", counters.threshold)
                entry.add("actions", strings: counters.actions.map(\.description))
                severities.append(contentsOf: entry.finish())
            }
            severities.append(UInt8(ascii: "]"))
            json.add("severities", raw: severities)
            var errors: [UInt8] = [UInt8(ascii: "[")]
            for (index, counters) in value.errors.enumerated() {
                if index > 0 { errors.append(UInt8(ascii: ",")) }
                var entry = JSONObjectWriter()
                entry.add("error-id", counters.errorID)
                entry.add("module", counters.module)
                entry.add("severity", counters.severity.description)
                entry.add("error-type", counters.errorType)
                entry.add("occurred", counters.occurred)
                entry.add("cleared", counters.cleared)
                if let time = counters.lastOccurred { entry.add("last-occurred", time.rfc3339) }
                if let time = counters.lastCleared { entry.add("last-cleared", time.rfc3339) }
                errors.append(contentsOf: entry.finish())
            }
            errors.append(UInt8(ascii: "]"))
            json.add("errors", raw: errors)
        case .alarmRaised(let value):
            json.add("alarm-id", value.alarmID)
            json.add("class", value.alarmClass.description)
            json.add("description", value.description)
            json.add("slot", value.slot)
            json.add("error-id", value.errorID)
        case .alarmCleared(let value):
            json.add("alarm-id", value.alarmID)
            json.add("class", value.alarmClass.description)
            json.add("description", value.description)
            json.add("slot", value.slot)
            json.add("reason", value.reason)
        case .wedgeDetected(let value):
            json.add("slot", value.slot)
            json.add("pic", value.pic)
            json.add("stage", value.stage.description)
            json.add("stalled-ms", value.stalledMillis)
            json.add("pending", value.pending)
            json.add("irreversible", value.irreversible)
        case .wedgeCleared(let value):
            json.add("slot", value.slot)
            json.add("pic", value.pic)
            json.add("stage", value.stage.description)
            json.add("duration-ms", value.durationMillis)
        case .fpcStateChange(let value):
            json.add("slot", value.slot)
            json.add("fpc-type", value.fpcType.description)
            json.add("previous-state", value.previousState.description)
            json.add("state", value.state.description)
            json.add("reason", value.reason)
        case .clusterFailover(let value):
            json.add("redundancy-group", value.redundancyGroup)
            json.add("previous-primary", value.previousPrimary)
            json.add("new-primary", value.newPrimary)
            json.add("reason", value.reason)
            json.add("failover-count", value.failoverCount)
        case .fpcErrorAction(let value):
            json.add("slot", value.slot)
            json.add("severity", value.severity.description)
            json.add("error-type", value.errorType)
            json.add("threshold", value.threshold)
            json.add("count", value.count)
            json.add("action", value.action.description)
            json.add("detail", value.detail)
        case .fpcStateSnapshot(let value):
            json.add("slot", value.slot)
            json.add("fpc-type", value.fpcType.description)
            json.add("state", value.state.description)
            var items = JSONObjectWriter()
            for item in value.items { items.add(item.name, item.value) }
            json.add("items", raw: items.finish())
            json.add("file", value.file)
        case .gap(let value):
            json.add("gap-boot-id", value.bootID.description)
            json.add("first-seq", value.firstSeq)
            json.add("last-seq", value.lastSeq)
            json.add("reason", value.reason.description)
            json.add("detail", value.detail)
        case .heartbeat(let value):
            json.add("head-seq", value.headSeq)
        case .syncResponse(let value):
            json.add("head-seq", value.headSeq)
        }
        return json.finish()
    }

    private func or(_ value: String, _ placeholder: String) -> String { value.isEmpty ? placeholder : value }

    private func addSession(_ s: SessionInfo, to json: inout JSONObjectWriter, closing: Bool) {
        json.add("source-address", s.sourceAddress.description)
        json.add("source-port", s.sourcePort)
        json.add("destination-address", s.destinationAddress.description)
        json.add("destination-port", s.destinationPort)
        json.add("connection-tag", s.connectionTag)
        json.add("service-name", or(s.serviceName, "None"))
        json.add("nat-source-address", s.natSourceAddress.description)
        json.add("nat-source-port", s.natSourcePort)
        json.add("nat-destination-address", s.natDestinationAddress.description)
        json.add("nat-destination-port", s.natDestinationPort)
        json.add("nat-connection-tag", s.natConnectionTag)
        json.add("src-nat-rule-type", s.srcNatRuleType.description)
        json.add("src-nat-rule-name", or(s.srcNatRuleName, "N/A"))
        json.add("dst-nat-rule-type", s.dstNatRuleType.description)
        json.add("dst-nat-rule-name", or(s.dstNatRuleName, "N/A"))
        json.add("protocol-id", s.protocolID)
        json.add("policy-name", s.policyName)
        json.add("policy-index", s.policyIndex)
        json.add("source-zone-name", s.sourceZoneName)
        json.add("destination-zone-name", s.destinationZoneName)
        json.add("session-id-32", s.sessionID)
        json.add("username", or(s.username, "N/A"))
        json.add("roles", or(s.roles, "N/A"))
        json.add("packet-incoming-interface", s.packetIncomingInterface)
        json.add("egress-interface", s.egressInterface)
        json.add("application", or(s.application, "UNKNOWN"))
        json.add("nested-application", or(s.nestedApplication, "UNKNOWN"))
        json.add("encrypted", or(s.encrypted, closing ? "No" : "UNKNOWN"))
        json.add("application-category", or(s.applicationCategory, "N/A"))
        json.add("application-sub-category", or(s.applicationSubCategory, "N/A"))
        json.add("application-risk", s.applicationRisk == 0 ? -1 : Int(s.applicationRisk))
        json.add("application-characteristics", or(s.applicationCharacteristics, "N/A"))
        json.add("src-vrf-grp", or(s.srcVrfGroup, "N/A"))
        json.add("dst-vrf-grp", or(s.dstVrfGroup, "N/A"))
        json.add("tunnel-inspection", or(s.tunnelInspection, "Off"))
        json.add("tunnel-inspection-policy-set", or(s.tunnelInspectionPolicySet, "root"))
        json.add("source-tenant", or(s.sourceTenant, "N/A"))
        json.add("destination-service", or(s.destinationService, "N/A"))
        json.add("dst-identity-context-name", or(s.dstIdentityContextName, "N/A"))
        json.add("dst-identity-context-roles", or(s.dstIdentityContextRoles, "N/A"))
        json.add("fpc", s.fpc)
        json.add("pic", s.pic)
        json.add("timeout", s.timeoutSeconds)
    }
}
