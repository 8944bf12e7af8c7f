internal import CGRPC
public import FlowtelCore

/// A protobuf message that could not be decoded.
public struct DecodeError: Error, Sendable, CustomStringConvertible {
    /// What was being decoded and what was wrong.
    public var message: String
    /// Creates an error.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Decodes `flowtel.v1.EventBatch` messages with protobuf-c.
///
/// protobuf-c unpacks into a bump arena (`cgrpc_arena`) that is reset after each message, so
/// decoding a batch makes no per-field allocation in C. The session fast path interns the
/// strings it decodes (`DecodeStringCache`), so the values that repeat from event to event are
/// neither validated nor allocated again. Not thread-safe: one decoder per consuming thread.
///
/// Payloads this build does not know (a newer daemon) are skipped, as proto3 unknown fields
/// are; enum values it does not know decode to a neutral value.
public final class EventDecoder {
    let arena: OpaquePointer
    /// The session fast path's interned strings.
    let strings = DecodeStringCache()
    /// How many events the last batch had: the capacity the next one reserves.
    var lastBatchCount = 0

    /// Creates a decoder with its own arena.
    public init() {
        guard let arena = cgrpc_arena_create(256 << 10) else { fatalError("out of memory creating a decode arena") }
        self.arena = arena
    }

    deinit {
        strings.deallocate()
        cgrpc_arena_destroy(arena)
    }

    /// The events of one `EventBatch` message, in order: session events through the Swift
    /// fast path, everything else through protobuf-c.
    public func decodeBatch(_ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> [Event] {
        try decodeBatchFast(bytes)
    }

    /// The events of one `EventBatch` message, every event through protobuf-c (the reference
    /// decoding the fast path is tested against).
    public func decodeBatchWithProtobufC(_ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> [Event] {
        defer { cgrpc_arena_reset(arena) }
        guard let batch = flowtel__v1__event_batch__unpack(
            cgrpc_arena_allocator(arena), bytes.count, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self))
        else { throw DecodeError("EventBatch: malformed protobuf (\(bytes.count) bytes)") }
        var events: [Event] = []
        events.reserveCapacity(batch.pointee.n_events)
        for index in 0..<batch.pointee.n_events {
            guard let message = batch.pointee.events[index] else { continue }
            if let event = Self.decode(message) { events.append(event) }
        }
        return events
    }

    /// The events of one `EventBatch` message.
    public func decodeBatch(_ bytes: [UInt8]) throws(DecodeError) -> [Event] {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(DecodeError) -> [Event] in try decodeBatch(raw) }
        }
        return try result.get()
    }

    /// One `flowtel.v1.Event` message.
    public func decodeEvent(_ bytes: [UInt8]) throws(DecodeError) -> Event {
        defer { cgrpc_arena_reset(arena) }
        let unpacked = bytes.withUnsafeBufferPointer { buffer in
            flowtel__v1__event__unpack(cgrpc_arena_allocator(arena), buffer.count, buffer.baseAddress)
        }
        guard let message = unpacked else { throw DecodeError("Event: malformed protobuf (\(bytes.count) bytes)") }
        guard let event = Self.decode(message) else { throw DecodeError("Event: no payload this build understands") }
        return event
    }

    static func decode(_ message: UnsafeMutablePointer<Flowtel__V1__Event>) -> Event? {
        let m = message.pointee
        let payload: Payload
        switch m.payload_case {
        case FLOWTEL__V1__EVENT__PAYLOAD_SESSION_CREATE:
            payload = .sessionCreate(SessionCreate(session: sessionInfo(m.session_create.pointee.session)))
        case FLOWTEL__V1__EVENT__PAYLOAD_SESSION_CLOSE:
            payload = .sessionClose(sessionClose(m.session_close))
        case FLOWTEL__V1__EVENT__PAYLOAD_SESSION_DENY:
            payload = .sessionDeny(sessionDeny(m.session_deny))
        case FLOWTEL__V1__EVENT__PAYLOAD_FPC_ERROR:
            let p = m.fpc_error.pointee
            var value = FpcErrorOccurred()
            value.slot = p.slot
            value.pic = p.pic
            value.errorID = String(protobufC: p.error_id)
            value.module = String(protobufC: p.module)
            value.severity = Severity(rawValue: Int(p.severity.rawValue)) ?? .minor
            value.errorType = String(protobufC: p.error_type)
            value.count = p.count
            value.severityTotal = p.severity_total
            value.description = String(protobufC: p.description)
            payload = .fpcError(value)
        case FLOWTEL__V1__EVENT__PAYLOAD_FPC_ERROR_COUNTERS:
            payload = .fpcErrorCounters(fpcErrorCounters(m.fpc_error_counters))
        case FLOWTEL__V1__EVENT__PAYLOAD_ALARM_RAISED:
            let p = m.alarm_raised.pointee
            var value = AlarmRaised()
            value.alarmID = p.alarm_id
            value.alarmClass = AlarmClass(rawValue: Int(p.alarm_class.rawValue)) ?? .minor
            value.description = String(protobufC: p.description)
            value.slot = p.slot
            value.errorID = String(protobufC: p.error_id)
            payload = .alarmRaised(value)
        case FLOWTEL__V1__EVENT__PAYLOAD_ALARM_CLEARED:
            let p = m.alarm_cleared.pointee
            var value = AlarmCleared()
            value.alarmID = p.alarm_id
            value.alarmClass = AlarmClass(rawValue: Int(p.alarm_class.rawValue)) ?? .minor
            value.description = String(protobufC: p.description)
            value.slot = p.slot
            value.reason = String(protobufC: p.reason)
            payload = .alarmCleared(value)
        case FLOWTEL__V1__EVENT__PAYLOAD_WEDGE_DETECTED:
            let p = m.wedge_detected.pointee
            var value = WedgeDetected()
            value.slot = p.slot
            value.pic = p.pic
            value.stage = WedgeStage(rawValue: Int(p.stage.rawValue)) ?? .xm
            value.stalledMillis = p.stalled_ms
            value.pending = p.pending
            value.irreversible = p.irreversible != 0
            payload = .wedgeDetected(value)
        case FLOWTEL__V1__EVENT__PAYLOAD_WEDGE_CLEARED:
            let p = m.wedge_cleared.pointee
            var value = WedgeCleared()
            value.slot = p.slot
            value.pic = p.pic
            value.stage = WedgeStage(rawValue: Int(p.stage.rawValue)) ?? .xm
            value.durationMillis = p.duration_ms
            payload = .wedgeCleared(value)
        case FLOWTEL__V1__EVENT__PAYLOAD_FPC_STATE_CHANGE:
            let p = m.fpc_state_change.pointee
            var value = FpcStateChange()
            value.slot = p.slot
            value.fpcType = FpcType(rawValue: Int(p.fpc_type.rawValue)) ?? .spc2
            value.previousState = FpcState(rawValue: Int(p.previous_state.rawValue)) ?? .present
            value.state = FpcState(rawValue: Int(p.state.rawValue)) ?? .present
            value.reason = String(protobufC: p.reason)
            payload = .fpcStateChange(value)
        case FLOWTEL__V1__EVENT__PAYLOAD_CLUSTER_FAILOVER:
            let p = m.cluster_failover.pointee
            var value = ClusterFailover()
            value.redundancyGroup = p.redundancy_group
            value.previousPrimary = p.previous_primary
            value.newPrimary = p.new_primary
            value.reason = String(protobufC: p.reason)
            value.failoverCount = p.failover_count
            payload = .clusterFailover(value)
        case FLOWTEL__V1__EVENT__PAYLOAD_FPC_ERROR_ACTION:
            let p = m.fpc_error_action.pointee
            var value = FpcErrorAction()
            value.slot = p.slot
            value.severity = Severity(rawValue: Int(p.severity.rawValue)) ?? .minor
            value.errorType = String(protobufC: p.error_type)
            value.threshold = p.threshold
            value.count = p.count
            value.action = FpcAction(rawValue: Int(p.action.rawValue)) ?? .log
            value.detail = String(protobufC: p.detail)
            payload = .fpcErrorAction(value)
        case FLOWTEL__V1__EVENT__PAYLOAD_FPC_STATE_SNAPSHOT:
            let p = m.fpc_state_snapshot.pointee
            var value = FpcStateSnapshot()
            value.slot = p.slot
            value.fpcType = FpcType(rawValue: Int(p.fpc_type.rawValue)) ?? .spc2
            value.state = FpcState(rawValue: Int(p.state.rawValue)) ?? .present
            for index in 0..<p.n_items {
                guard let item = p.items[index]?.pointee else { continue }
                value.items.append(StateItem(name: String(protobufC: item.name), value: item.value))
            }
            value.file = String(protobufC: p.file)
            payload = .fpcStateSnapshot(value)
        case FLOWTEL__V1__EVENT__PAYLOAD_GAP:
            let p = m.gap.pointee
            payload = .gap(Gap(
                bootID: BootID(p.boot_id), firstSeq: p.first_seq, lastSeq: p.last_seq,
                reason: GapReason(rawValue: Int(p.reason.rawValue)) ?? .evicted, detail: String(protobufC: p.detail)))
        case FLOWTEL__V1__EVENT__PAYLOAD_HEARTBEAT:
            payload = .heartbeat(Heartbeat(bootID: BootID(m.heartbeat.pointee.boot_id), headSeq: m.heartbeat.pointee.head_seq))
        case FLOWTEL__V1__EVENT__PAYLOAD_SYNC_RESPONSE:
            payload = .syncResponse(SyncResponse(
                bootID: BootID(m.sync_response.pointee.boot_id), headSeq: m.sync_response.pointee.head_seq))
        default:
            return nil
        }
        return Event(
            bootID: BootID(m.boot_id), seq: m.seq, time: Timestamp(unixNanos: m.time_unix_nano),
            node: String(protobufC: m.node), payload: payload)
    }

    private static func port(_ value: UInt32) -> UInt16 { UInt16(truncatingIfNeeded: value) }

    private static func sessionInfo(_ pointer: UnsafeMutablePointer<Flowtel__V1__SessionInfo>?) -> SessionInfo {
        var info = SessionInfo()
        guard let p = pointer?.pointee else { return info }
        info.sourceAddress = IPAddress(protobufC: p.source_address) ?? .unspecifiedV4
        info.sourcePort = port(p.source_port)
        info.destinationAddress = IPAddress(protobufC: p.destination_address) ?? .unspecifiedV4
        info.destinationPort = port(p.destination_port)
        info.connectionTag = p.connection_tag
        info.serviceName = String(protobufC: p.service_name)
        info.natSourceAddress = IPAddress(protobufC: p.nat_source_address) ?? info.sourceAddress
        info.natSourcePort = port(p.nat_source_port)
        info.natDestinationAddress = IPAddress(protobufC: p.nat_destination_address) ?? info.destinationAddress
        info.natDestinationPort = port(p.nat_destination_port)
        info.natConnectionTag = p.nat_connection_tag
        info.srcNatRuleType = NatRuleType(rawValue: Int(p.src_nat_rule_type.rawValue)) ?? .none
        info.srcNatRuleName = String(protobufC: p.src_nat_rule_name)
        info.dstNatRuleType = NatRuleType(rawValue: Int(p.dst_nat_rule_type.rawValue)) ?? .none
        info.dstNatRuleName = String(protobufC: p.dst_nat_rule_name)
        info.protocolID = UInt8(truncatingIfNeeded: p.protocol_id)
        info.policyName = String(protobufC: p.policy_name)
        info.policyIndex = p.policy_index
        info.sourceZoneName = String(protobufC: p.source_zone_name)
        info.destinationZoneName = String(protobufC: p.destination_zone_name)
        info.sessionID = p.session_id
        info.username = String(protobufC: p.username)
        info.roles = String(protobufC: p.roles)
        info.packetIncomingInterface = String(protobufC: p.packet_incoming_interface)
        info.egressInterface = String(protobufC: p.egress_interface)
        info.application = String(protobufC: p.application)
        info.nestedApplication = String(protobufC: p.nested_application)
        info.encrypted = String(protobufC: p.encrypted)
        info.applicationCategory = String(protobufC: p.application_category)
        info.applicationSubCategory = String(protobufC: p.application_sub_category)
        info.applicationRisk = p.application_risk
        info.applicationCharacteristics = String(protobufC: p.application_characteristics)
        info.srcVrfGroup = String(protobufC: p.src_vrf_grp)
        info.dstVrfGroup = String(protobufC: p.dst_vrf_grp)
        info.tunnelInspection = String(protobufC: p.tunnel_inspection)
        info.tunnelInspectionPolicySet = String(protobufC: p.tunnel_inspection_policy_set)
        info.sourceTenant = String(protobufC: p.source_tenant)
        info.destinationService = String(protobufC: p.destination_service)
        info.dstIdentityContextName = String(protobufC: p.dst_identity_context_name)
        info.dstIdentityContextRoles = String(protobufC: p.dst_identity_context_roles)
        info.fpc = p.fpc
        info.pic = p.pic
        info.timeoutSeconds = p.timeout_seconds
        return info
    }

    private static func sessionClose(_ pointer: UnsafeMutablePointer<Flowtel__V1__SessionClose>) -> SessionClose {
        let p = pointer.pointee
        var close = SessionClose()
        close.session = sessionInfo(p.session)
        close.reason = CloseReason(rawValue: Int(p.reason.rawValue)) ?? .unset
        close.packetsFromClient = p.packets_from_client
        close.bytesFromClient = p.bytes_from_client
        close.packetsFromServer = p.packets_from_server
        close.bytesFromServer = p.bytes_from_server
        close.elapsedTime = p.elapsed_time
        close.startTime = Timestamp(unixNanos: p.start_time_unix_nano)
        close.secureWebProxySessionType = String(protobufC: p.secure_web_proxy_session_type)
        close.peerSessionID = p.peer_session_id
        close.peerSourceAddress = IPAddress(protobufC: p.peer_source_address)
        close.peerSourcePort = port(p.peer_source_port)
        close.peerDestinationAddress = IPAddress(protobufC: p.peer_destination_address)
        close.peerDestinationPort = port(p.peer_destination_port)
        close.hostname = String(protobufC: p.hostname)
        close.sessionFlag = p.session_flag
        close.userType = String(protobufC: p.user_type)
        close.urlHost = String(protobufC: p.url_host)
        close.urlCategory = String(protobufC: p.url_category)
        close.urlRisk = p.url_risk
        close.srcVrf = String(protobufC: p.src_vrf)
        close.dstVrf = String(protobufC: p.dst_vrf)
        close.forwardedFor = String(protobufC: p.forwarded_for)
        return close
    }

    private static func sessionDeny(_ pointer: UnsafeMutablePointer<Flowtel__V1__SessionDeny>) -> SessionDeny {
        let p = pointer.pointee
        var deny = SessionDeny()
        deny.sourceAddress = IPAddress(protobufC: p.source_address) ?? .unspecifiedV4
        deny.sourcePort = port(p.source_port)
        deny.destinationAddress = IPAddress(protobufC: p.destination_address) ?? .unspecifiedV4
        deny.destinationPort = port(p.destination_port)
        deny.connectionTag = p.connection_tag
        deny.serviceName = String(protobufC: p.service_name)
        deny.protocolID = UInt8(truncatingIfNeeded: p.protocol_id)
        deny.icmpType = UInt8(truncatingIfNeeded: p.icmp_type)
        deny.policyName = String(protobufC: p.policy_name)
        deny.policyIndex = p.policy_index
        deny.sourceZoneName = String(protobufC: p.source_zone_name)
        deny.destinationZoneName = String(protobufC: p.destination_zone_name)
        deny.application = String(protobufC: p.application)
        deny.nestedApplication = String(protobufC: p.nested_application)
        deny.username = String(protobufC: p.username)
        deny.roles = String(protobufC: p.roles)
        deny.packetIncomingInterface = String(protobufC: p.packet_incoming_interface)
        deny.encrypted = String(protobufC: p.encrypted)
        deny.action = PolicyAction(rawValue: Int(p.action.rawValue)) ?? .deny
        deny.sessionID = p.session_id
        deny.applicationCategory = String(protobufC: p.application_category)
        deny.applicationSubCategory = String(protobufC: p.application_sub_category)
        deny.applicationRisk = p.application_risk
        deny.applicationCharacteristics = String(protobufC: p.application_characteristics)
        deny.srcVrfGroup = String(protobufC: p.src_vrf_grp)
        deny.dstVrfGroup = String(protobufC: p.dst_vrf_grp)
        deny.sourceTenant = String(protobufC: p.source_tenant)
        deny.destinationService = String(protobufC: p.destination_service)
        deny.fpc = p.fpc
        deny.pic = p.pic
        return deny
    }

    /// A decoded `FpcErrorCounters` (also used by `OpsCodec`).
    static func fpcErrorCounters(
        _ pointer: UnsafeMutablePointer<Flowtel__V1__FpcErrorCounters>
    ) -> FpcErrorCounters {
        let p = pointer.pointee
        var value = FpcErrorCounters()
        value.slot = p.slot
        value.fpcType = FpcType(rawValue: Int(p.fpc_type.rawValue)) ?? .spc2
        for index in 0..<p.n_severities {
            guard let entry = p.severities[index]?.pointee else { continue }
            var counters = SeverityCounters()
            counters.severity = Severity(rawValue: Int(entry.severity.rawValue)) ?? .minor
            counters.occurred = entry.occurred
            counters.cleared = entry.cleared
            counters.threshold = entry.threshold
            for actionIndex in 0..<entry.n_actions {
                if let action = FpcAction(rawValue: Int(entry.actions[actionIndex].rawValue)) {
                    counters.actions.append(action)
                }
            }
            value.severities.append(counters)
        }
        for index in 0..<p.n_errors {
            guard let entry = p.errors[index]?.pointee else { continue }
            var counters = ErrorCounters()
            counters.errorID = String(protobufC: entry.error_id)
            counters.module = String(protobufC: entry.module)
            counters.severity = Severity(rawValue: Int(entry.severity.rawValue)) ?? .minor
            counters.errorType = String(protobufC: entry.error_type)
            counters.occurred = entry.occurred
            counters.cleared = entry.cleared
            counters.lastOccurred = entry.last_occurred_unix_nano == 0
                ? nil : Timestamp(unixNanos: entry.last_occurred_unix_nano)
            counters.lastCleared = entry.last_cleared_unix_nano == 0
                ? nil : Timestamp(unixNanos: entry.last_cleared_unix_nano)
            value.errors.append(counters)
        }
        return value
    }
}
