import FlowEngine
import FlowtelCore

/// A session filter prepared for matching engine snapshots (the event bus's matcher).
struct SessionMatcher {
    private let filter: CompiledSessionFilter

    init(_ query: SessionFilter) {
        filter = CompiledSessionFilter(query)
    }

    func matches(_ snapshot: SessionSnapshot) -> Bool {
        filter.isEmpty || filter.matches(SessionKey(snapshot.info))
    }
}

extension FlowEngineSink {
    /// The sessions `request` selects, per SPU; the limit caps the entries returned, never the
    /// totals.
    func sessionList(_ request: SessionListRequest) -> SessionList {
        let (time, shards, _) = sessions()
        let matcher = SessionMatcher(request.query)
        var remaining = request.limit == 0 ? Int.max : Int(request.limit)
        var list = SessionList()
        for (shard, snapshots) in shards.enumerated() {
            let location = SPULocation(shard: shard)
            var entries: [SessionEntry] = []
            var total: UInt64 = 0
            for snapshot in snapshots where matcher.matches(snapshot) {
                total += 1
                guard remaining > 0 else { continue }
                entries.append(SessionEntry(snapshot, location: location, at: time))
                remaining -= 1
            }
            list.spus.append(SPUSessions(location: location, sessions: entries, total: total))
        }
        return list
    }

    /// `show security flow session summary [family inet|inet6]`. Failed-sessions counts every
    /// family (the engine does not count failures per family).
    func sessionSummary(family: String) -> SessionSummary {
        let (_, shards, maximumSessions) = sessions()
        var summary = SessionSummary(
            failedSessions: statistics().engine.sessionsFailed, maximumSessions: UInt64(maximumSessions))
        for snapshot in shards.joined() {
            let address = snapshot.info.destinationAddress
            if family == "inet" && !address.isV4 || family == "inet6" && address.isV4 { continue }
            switch snapshot.state {
            case .valid: summary.validSessions += 1
            case .pending: summary.pendingSessions += 1
            case .invalidated: summary.invalidatedSessions += 1
            }
            guard snapshot.state != .invalidated else { continue }
            if Self.isMulticast(address) {
                summary.multicastSessions += 1
            } else {
                summary.unicastSessions += 1
            }
        }
        return summary
    }

    /// The `security flow` settings in force, the SPU count and the table's capacity.
    func flowSettings() -> SecurityFlowSettings {
        let config = self.config
        let flow = config.flow
        var settings = SecurityFlowSettings()
        settings.allowDNSReply = flow.allowDNSReply
        settings.routeChangeTimeout = flow.routeChangeTimeout.map { UInt32(clamping: $0) }
        settings.synFloodProtectionMode = flow.synFloodProtectionMode == .synCookie ? .synCookie : .synProxy
        settings.tcpMSSAllTCP = flow.tcpMSS.allTCP.map { UInt32(clamping: $0) }
        settings.tcpMSSGREIn = flow.tcpMSS.greIn.map { UInt32(clamping: $0) }
        settings.tcpMSSGREOut = flow.tcpMSS.greOut.map { UInt32(clamping: $0) }
        settings.tcpMSSIPsecVPN = flow.tcpMSS.ipsecVPN.map { UInt32(clamping: $0) }
        let tcp = flow.tcpSession
        settings.synCheck = !tcp.noSynCheck
        settings.noSynCheckInTunnel = tcp.noSynCheckInTunnel
        settings.strictSynCheck = tcp.strictSynCheck
        settings.sequenceCheck = !tcp.noSequenceCheck
        settings.rstInvalidateSession = tcp.rstInvalidateSession
        settings.rstSequenceCheck = tcp.rstSequenceCheck
        settings.finInvalidateSession = tcp.finInvalidateSession
        settings.tcpInitialTimeout = UInt32(clamping: tcp.tcpInitialTimeout)
        switch tcp.timeWaitState {
        case .sessionAgeout: settings.timeWaitState = .sessionAgeout
        case .sessionTimeout(let seconds): settings.timeWaitState = .sessionTimeout(UInt32(clamping: seconds))
        case nil: break
        }
        settings.timeWaitAppliesToHalfClose = tcp.timeWaitAppliesToHalfClose
        settings.earlyAgeout = UInt32(clamping: flow.aging.earlyAgeout)
        settings.highWatermark = UInt32(clamping: flow.aging.highWatermark)
        settings.lowWatermark = UInt32(clamping: flow.aging.lowWatermark)
        settings.traceOptions = flow.traceOptions != nil
        settings.exportAllSessions = config.flowtel.exportAllSessions
        settings.maximumSessions = UInt64(maximumSessions)
        settings.spus = UInt32(shardCount)
        return settings
    }

    /// Whether `address` is a multicast group (224.0.0.0/4, ff00::/8).
    private static func isMulticast(_ address: IPAddress) -> Bool {
        switch address {
        case .v4(let value): value >> 28 == 0xE
        case .v6(let high, _): high >> 56 == 0xFF
        }
    }
}

extension SessionEntry {
    /// The entry `show security flow session` prints for an engine snapshot taken at `time`:
    /// the In wing as the client sent (before NAT), the Out wing as the server answers (after
    /// NAT, so a source-NAT address is the Out wing's destination).
    init(_ snapshot: SessionSnapshot, location: SPULocation, at time: Timestamp) {
        let info = snapshot.info
        let state: State =
            switch snapshot.state {
            case .valid: .valid
            case .pending: .pending
            case .invalidated: .invalidated
            }
        self.init(
            sessionID: info.sessionID, policyName: info.policyName, policyIndex: info.policyIndex,
            timeoutRemaining: snapshot.timeoutRemaining.map { UInt32(clamping: $0) },
            timeoutMax: snapshot.inactivityTimeout.map { UInt32(clamping: $0) }, state: state,
            inWing: SessionWing(
                sourceAddress: info.sourceAddress, sourcePort: info.sourcePort,
                destinationAddress: info.destinationAddress, destinationPort: info.destinationPort,
                protocolID: info.protocolID, connectionTag: info.connectionTag,
                interface: info.packetIncomingInterface, packets: snapshot.client.packets, bytes: snapshot.client.bytes),
            outWing: SessionWing(
                sourceAddress: info.natDestinationAddress, sourcePort: info.natDestinationPort,
                destinationAddress: info.natSourceAddress, destinationPort: info.natSourcePort,
                protocolID: info.protocolID, connectionTag: info.natConnectionTag, interface: info.egressInterface,
                packets: snapshot.server.packets, bytes: snapshot.server.bytes),
            application: info.serviceName, startTime: snapshot.start,
            durationSeconds: UInt32(clamping: snapshot.duration(at: time)), sourceNATPool: snapshot.sourceNATPool ?? "",
            location: location, sourceZone: info.sourceZoneName, destinationZone: info.destinationZoneName)
    }
}
