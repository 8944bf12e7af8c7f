internal import CGRPC
public import FlowtelCore

/// Encodes events into protobuf bytes with protobuf-c.
///
/// One encoder per producing thread (it owns scratch memory); encoding allocates only the
/// output array. Shards encode their own events, so encoding runs in parallel with the wire.
public final class EventEncoder {
    private let arena = Arena()
    // Behind a pointer: no dynamic exclusivity check per access (see EncodedEvents).
    private let sessionWriter: UnsafeMutablePointer<SessionBodyWriter>

    /// Creates an encoder.
    public init() {
        sessionWriter = UnsafeMutablePointer<SessionBodyWriter>.allocate(capacity: 1)
        sessionWriter.initialize(to: SessionBodyWriter())
    }

    deinit {
        sessionWriter.pointee.deallocate()
        sessionWriter.deinitialize(count: 1)
        sessionWriter.deallocate()
    }

    /// The `flowtel.v1.Event` message for `event`.
    public func encode(_ event: Event) -> [UInt8] {
        defer { arena.reset() }
        var message = Flowtel__V1__Event()
        flowtel__v1__event__init(&message)
        message.boot_id = event.bootID.rawValue
        message.seq = event.seq
        message.time_unix_nano = event.time.unixNanos
        message.node = arena.cString(event.node)
        setPayload(event.payload, on: &message)
        let size = flowtel__v1__event__get_packed_size(&message)
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            count = flowtel__v1__event__pack(&message, buffer.baseAddress)
        }
    }

    /// The time and payload fields of an Event, without boot id, seq and node.
    ///
    /// Protobuf fields may come in any order, so the event bus assigns the seq after encoding
    /// and frames `EventBatch` entries as envelope prefix + seq + this body
    /// (`EventBatchWriter.append(prefix:seq:body:)`). This lets producers encode in parallel,
    /// outside the bus lock.
    public func encodeBody(time: Timestamp, payload: Payload) -> [UInt8] {
        if let body = sessionWriter.pointee.encodeBody(time: time, payload: payload) { return body }
        return encodeBodyWithProtobufC(time: time, payload: payload)
    }

    /// Appends `encodeBody(time:payload:)` to `events`.
    public func append(time: Timestamp, payload: Payload, to events: EncodedEvents) {
        if !sessionWriter.pointee.append(time: time, payload: payload, to: &events.storage.pointee.sink) {
            encodeBodyWithProtobufC(time: time, payload: payload).withUnsafeBytes { events.storage.pointee.sink.appendBytes($0) }
        }
        events.commit(payload.kind)
    }

    /// Appends the body of a SessionClose event to `events`: what `append(time:payload:to:)`
    /// appends for `.sessionClose(close)`, without building the payload.
    public func append(time: Timestamp, close: SessionClose, to events: EncodedEvents) {
        sessionWriter.pointee.append(time: time, close: close, to: &events.storage.pointee.sink)
        events.commit(.sessionClose)
    }

    /// Appends the body of a SessionCreate event to `events` (see `append(time:close:to:)`).
    public func append(time: Timestamp, create: SessionCreate, to events: EncodedEvents) {
        sessionWriter.pointee.append(time: time, create: create, to: &events.storage.pointee.sink)
        events.commit(.sessionCreate)
    }

    /// Appends the body of a SessionDeny event to `events` (see `append(time:close:to:)`).
    public func append(time: Timestamp, deny: SessionDeny, to events: EncodedEvents) {
        sessionWriter.pointee.append(time: time, deny: deny, to: &events.storage.pointee.sink)
        events.commit(.sessionDeny)
    }

    /// `encodeBody` through protobuf-c for every payload kind (the reference encoding the
    /// session fast path is tested against).
    public func encodeBodyWithProtobufC(time: Timestamp, payload: Payload) -> [UInt8] {
        defer { arena.reset() }
        var message = Flowtel__V1__Event()
        flowtel__v1__event__init(&message)
        message.time_unix_nano = time.unixNanos
        setPayload(payload, on: &message)
        let size = flowtel__v1__event__get_packed_size(&message)
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            count = flowtel__v1__event__pack(&message, buffer.baseAddress)
        }
    }

    // MARK: - Payloads

    private func setPayload(_ payload: Payload, on message: inout Flowtel__V1__Event) {
        switch payload {
        case .sessionCreate(let create):
            let out = arena.allocate(Flowtel__V1__SessionCreate.self)
            flowtel__v1__session_create__init(out)
            out.pointee.session = sessionInfo(create.session)
            message.payload_case = FLOWTEL__V1__EVENT__PAYLOAD_SESSION_CREATE
            message.session_create = out
        case .sessionClose(let close):
            message.payload_case = FLOWTEL__V1__EVENT__PAYLOAD_SESSION_CLOSE
            message.session_close = sessionClose(close)
        case .sessionDeny(let deny):
            message.payload_case = FLOWTEL__V1__EVENT__PAYLOAD_SESSION_DENY
            message.session_deny = sessionDeny(deny)
        case .fpcError(let value):
            let out = arena.allocate(Flowtel__V1__FpcErrorOccurred.self)
            flowtel__v1__fpc_error_occurred__init(out)
            out.pointee.slot = value.slot
            out.pointee.pic = value.pic
            out.pointee.error_id = arena.cString(value.errorID)
            out.pointee.module = arena.cString(value.module)
            out.pointee.severity = Flowtel__V1__Severity(UInt32(value.severity.rawValue))
            out.pointee.error_type = arena.cString(value.errorType)
            out.pointee.count = value.count
            out.pointee.severity_total = value.severityTotal
            out.pointee.description = arena.cString(value.description)
            message.payload_case = FLOWTEL__V1__EVENT__PAYLOAD_FPC_ERROR
            message.fpc_error = out
        case .fpcErrorCounters(let value):
            message.payload_case = FLOWTEL__V1__EVENT__PAYLOAD_FPC_ERROR_COUNTERS
            message.fpc_error_counters = Self.fpcErrorCounters(value, arena: arena)
        case .alarmRaised(let value):
            let out = arena.allocate(Flowtel__V1__AlarmRaised.self)
            flowtel__v1__alarm_raised__init(out)
            out.pointee.alarm_id = value.alarmID
            out.pointee.alarm_class = Flowtel__V1__AlarmClass(UInt32(value.alarmClass.rawValue))
            out.pointee.description = arena.cString(value.description)
            out.pointee.slot = value.slot
            out.pointee.error_id = arena.cString(value.errorID)
            message.payload_case = FLOWTEL__V1__EVENT__PAYLOAD_ALARM_RAISED
            message.alarm_raised = out
        case .alarmCleared(let value):
            let out = arena.allocate(Flowtel__V1__AlarmCleared.self)
            flowtel__v1__alarm_cleared__init(out)
            out.pointee.alarm_id = value.alarmID
            out.pointee.alarm_class = Flowtel__V1__AlarmClass(UInt32(value.alarmClass.rawValue))
            out.pointee.description = arena.cString(value.description)
            out.pointee.slot = value.slot
            out.pointee.reason = arena.cString(value.reason)
            message.payload_case = FLOWTEL__V1__EVENT__PAYLOAD_ALARM_CLEARED
            message.alarm_cleared = out
        case .wedgeDetected(let value):
            let out = arena.allocate(Flowtel__V1__WedgeDetected.self)
            flowtel__v1__wedge_detected__init(out)
            out.pointee.slot = value.slot
            out.pointee.pic = value.pic
            out.pointee.stage = Flowtel__V1__WedgeStage(UInt32(value.stage.rawValue))
            out.pointee.stalled_ms = value.stalledMillis
            out.pointee.pending = value.pending
            out.pointee.irreversible = value.irreversible ? 1 : 0
            message.payload_case = FLOWTEL__V1__EVENT__PAYLOAD_WEDGE_DETECTED
            message.wedge_detected = out
        case .wedgeCleared(let value):
            let out = arena.allocate(Flowtel__V1__WedgeCleared.self)
            flowtel__v1__wedge_cleared__init(out)
            out.pointee.slot = value.slot
            out.pointee.pic = value.pic
            out.pointee.stage = Flowtel__V1__WedgeStage(UInt32(value.stage.rawValue))
            out.pointee.duration_ms = value.durationMillis
            message.payload_case = FLOWTEL__V1__EVENT__PAYLOAD_WEDGE_CLEARED
            message.wedge_cleared = out
        case .fpcStateChange(let value):
            let out = arena.allocate(Flowtel__V1__FpcStateChange.self)
            flowtel__v1__fpc_state_change__init(out)
            out.pointee.slot = value.slot
            out.pointee.fpc_type = Flowtel__V1__FpcType(UInt32(value.fpcType.rawValue))
            out.pointee.previous_state = Flowtel__V1__FpcState(UInt32(value.previousState.rawValue))
            out.pointee.state = Flowtel__V1__FpcState(UInt32(value.state.rawValue))
            out.pointee.reason = arena.cString(value.reason)
            message.payload_case = FLOWTEL__V1__EVENT__PAYLOAD_FPC_STATE_CHANGE
            message.fpc_state_change = out
        case .clusterFailover(let value):
            let out = arena.allocate(Flowtel__V1__ClusterFailover.self)
            flowtel__v1__cluster_failover__init(out)
            out.pointee.redundancy_group = value.redundancyGroup
            out.pointee.previous_primary = value.previousPrimary
            out.pointee.new_primary = value.newPrimary
            out.pointee.reason = arena.cString(value.reason)
            out.pointee.failover_count = value.failoverCount
            message.payload_case = FLOWTEL__V1__EVENT__PAYLOAD_CLUSTER_FAILOVER
            message.cluster_failover = out
        case .fpcErrorAction(let value):
            let out = arena.allocate(Flowtel__V1__FpcErrorAction.self)
            flowtel__v1__fpc_error_action__init(out)
            out.pointee.slot = value.slot
            out.pointee.severity = Flowtel__V1__Severity(UInt32(value.severity.rawValue))
            out.pointee.error_type = arena.cString(value.errorType)
            out.pointee.threshold = value.threshold
            out.pointee.count = value.count
            out.pointee.action = Flowtel__V1__FpcAction(UInt32(value.action.rawValue))
            out.pointee.detail = arena.cString(value.detail)
            message.payload_case = FLOWTEL__V1__EVENT__PAYLOAD_FPC_ERROR_ACTION
            message.fpc_error_action = out
        case .fpcStateSnapshot(let value):
            let out = arena.allocate(Flowtel__V1__FpcStateSnapshot.self)
            flowtel__v1__fpc_state_snapshot__init(out)
            out.pointee.slot = value.slot
            out.pointee.fpc_type = Flowtel__V1__FpcType(UInt32(value.fpcType.rawValue))
            out.pointee.state = Flowtel__V1__FpcState(UInt32(value.state.rawValue))
            let items = arena.allocate(UnsafeMutablePointer<Flowtel__V1__StateItem>?.self, count: value.items.count)
            for (index, item) in value.items.enumerated() {
                let entry = arena.allocate(Flowtel__V1__StateItem.self)
                flowtel__v1__state_item__init(entry)
                entry.pointee.name = arena.cString(item.name)
                entry.pointee.value = item.value
                items[index] = entry
            }
            out.pointee.n_items = value.items.count
            out.pointee.items = items
            out.pointee.file = arena.cString(value.file)
            message.payload_case = FLOWTEL__V1__EVENT__PAYLOAD_FPC_STATE_SNAPSHOT
            message.fpc_state_snapshot = out
        case .gap(let value):
            let out = arena.allocate(Flowtel__V1__Gap.self)
            flowtel__v1__gap__init(out)
            out.pointee.boot_id = value.bootID.rawValue
            out.pointee.first_seq = value.firstSeq
            out.pointee.last_seq = value.lastSeq
            out.pointee.reason = Flowtel__V1__GapReason(UInt32(value.reason.rawValue))
            out.pointee.detail = arena.cString(value.detail)
            message.payload_case = FLOWTEL__V1__EVENT__PAYLOAD_GAP
            message.gap = out
        case .heartbeat(let value):
            let out = arena.allocate(Flowtel__V1__Heartbeat.self)
            flowtel__v1__heartbeat__init(out)
            out.pointee.boot_id = value.bootID.rawValue
            out.pointee.head_seq = value.headSeq
            message.payload_case = FLOWTEL__V1__EVENT__PAYLOAD_HEARTBEAT
            message.heartbeat = out
        case .syncResponse(let value):
            let out = arena.allocate(Flowtel__V1__SyncResponse.self)
            flowtel__v1__sync_response__init(out)
            out.pointee.boot_id = value.bootID.rawValue
            out.pointee.head_seq = value.headSeq
            message.payload_case = FLOWTEL__V1__EVENT__PAYLOAD_SYNC_RESPONSE
            message.sync_response = out
        }
    }

    private func sessionInfo(_ info: SessionInfo) -> UnsafeMutablePointer<Flowtel__V1__SessionInfo> {
        let out = arena.allocate(Flowtel__V1__SessionInfo.self)
        flowtel__v1__session_info__init(out)
        out.pointee.source_address = arena.binary(info.sourceAddress)
        out.pointee.source_port = UInt32(info.sourcePort)
        out.pointee.destination_address = arena.binary(info.destinationAddress)
        out.pointee.destination_port = UInt32(info.destinationPort)
        out.pointee.connection_tag = info.connectionTag
        out.pointee.service_name = arena.cString(info.serviceName)
        out.pointee.nat_source_address = arena.binary(info.natSourceAddress)
        out.pointee.nat_source_port = UInt32(info.natSourcePort)
        out.pointee.nat_destination_address = arena.binary(info.natDestinationAddress)
        out.pointee.nat_destination_port = UInt32(info.natDestinationPort)
        out.pointee.nat_connection_tag = info.natConnectionTag
        out.pointee.src_nat_rule_type = Flowtel__V1__NatRuleType(UInt32(info.srcNatRuleType.rawValue))
        out.pointee.src_nat_rule_name = arena.cString(info.srcNatRuleName)
        out.pointee.dst_nat_rule_type = Flowtel__V1__NatRuleType(UInt32(info.dstNatRuleType.rawValue))
        out.pointee.dst_nat_rule_name = arena.cString(info.dstNatRuleName)
        out.pointee.protocol_id = UInt32(info.protocolID)
        out.pointee.policy_name = arena.cString(info.policyName)
        out.pointee.policy_index = info.policyIndex
        out.pointee.source_zone_name = arena.cString(info.sourceZoneName)
        out.pointee.destination_zone_name = arena.cString(info.destinationZoneName)
        out.pointee.session_id = info.sessionID
        out.pointee.username = arena.cString(info.username)
        out.pointee.roles = arena.cString(info.roles)
        out.pointee.packet_incoming_interface = arena.cString(info.packetIncomingInterface)
        out.pointee.egress_interface = arena.cString(info.egressInterface)
        out.pointee.application = arena.cString(info.application)
        out.pointee.nested_application = arena.cString(info.nestedApplication)
        out.pointee.encrypted = arena.cString(info.encrypted)
        out.pointee.application_category = arena.cString(info.applicationCategory)
        out.pointee.application_sub_category = arena.cString(info.applicationSubCategory)
        out.pointee.application_risk = info.applicationRisk
        out.pointee.application_characteristics = arena.cString(info.applicationCharacteristics)
        out.pointee.src_vrf_grp = arena.cString(info.srcVrfGroup)
        out.pointee.dst_vrf_grp = arena.cString(info.dstVrfGroup)
        out.pointee.tunnel_inspection = arena.cString(info.tunnelInspection)
        out.pointee.tunnel_inspection_policy_set = arena.cString(info.tunnelInspectionPolicySet)
        out.pointee.source_tenant = arena.cString(info.sourceTenant)
        out.pointee.destination_service = arena.cString(info.destinationService)
        out.pointee.dst_identity_context_name = arena.cString(info.dstIdentityContextName)
        out.pointee.dst_identity_context_roles = arena.cString(info.dstIdentityContextRoles)
        out.pointee.fpc = info.fpc
        out.pointee.pic = info.pic
        out.pointee.timeout_seconds = info.timeoutSeconds
        return out
    }

    private func sessionClose(_ close: SessionClose) -> UnsafeMutablePointer<Flowtel__V1__SessionClose> {
        let out = arena.allocate(Flowtel__V1__SessionClose.self)
        flowtel__v1__session_close__init(out)
        out.pointee.session = sessionInfo(close.session)
        out.pointee.reason = Flowtel__V1__CloseReason(UInt32(close.reason.rawValue))
        out.pointee.packets_from_client = close.packetsFromClient
        out.pointee.bytes_from_client = close.bytesFromClient
        out.pointee.packets_from_server = close.packetsFromServer
        out.pointee.bytes_from_server = close.bytesFromServer
        out.pointee.elapsed_time = close.elapsedTime
        out.pointee.start_time_unix_nano = close.startTime.unixNanos
        out.pointee.secure_web_proxy_session_type = arena.cString(close.secureWebProxySessionType)
        out.pointee.peer_session_id = close.peerSessionID
        out.pointee.peer_source_address = arena.binary(close.peerSourceAddress)
        out.pointee.peer_source_port = UInt32(close.peerSourcePort)
        out.pointee.peer_destination_address = arena.binary(close.peerDestinationAddress)
        out.pointee.peer_destination_port = UInt32(close.peerDestinationPort)
        out.pointee.hostname = arena.cString(close.hostname)
        out.pointee.session_flag = close.sessionFlag
        out.pointee.user_type = arena.cString(close.userType)
        out.pointee.url_host = arena.cString(close.urlHost)
        out.pointee.url_category = arena.cString(close.urlCategory)
        out.pointee.url_risk = close.urlRisk
        out.pointee.src_vrf = arena.cString(close.srcVrf)
        out.pointee.dst_vrf = arena.cString(close.dstVrf)
        out.pointee.forwarded_for = arena.cString(close.forwardedFor)
        return out
    }

    private func sessionDeny(_ deny: SessionDeny) -> UnsafeMutablePointer<Flowtel__V1__SessionDeny> {
        let out = arena.allocate(Flowtel__V1__SessionDeny.self)
        flowtel__v1__session_deny__init(out)
        out.pointee.source_address = arena.binary(deny.sourceAddress)
        out.pointee.source_port = UInt32(deny.sourcePort)
        out.pointee.destination_address = arena.binary(deny.destinationAddress)
        out.pointee.destination_port = UInt32(deny.destinationPort)
        out.pointee.connection_tag = deny.connectionTag
        out.pointee.service_name = arena.cString(deny.serviceName)
        out.pointee.protocol_id = UInt32(deny.protocolID)
        out.pointee.icmp_type = UInt32(deny.icmpType)
        out.pointee.policy_name = arena.cString(deny.policyName)
        out.pointee.policy_index = deny.policyIndex
        out.pointee.source_zone_name = arena.cString(deny.sourceZoneName)
        out.pointee.destination_zone_name = arena.cString(deny.destinationZoneName)
        out.pointee.application = arena.cString(deny.application)
        out.pointee.nested_application = arena.cString(deny.nestedApplication)
        out.pointee.username = arena.cString(deny.username)
        out.pointee.roles = arena.cString(deny.roles)
        out.pointee.packet_incoming_interface = arena.cString(deny.packetIncomingInterface)
        out.pointee.encrypted = arena.cString(deny.encrypted)
        out.pointee.action = Flowtel__V1__PolicyAction(UInt32(deny.action.rawValue))
        out.pointee.session_id = deny.sessionID
        out.pointee.application_category = arena.cString(deny.applicationCategory)
        out.pointee.application_sub_category = arena.cString(deny.applicationSubCategory)
        out.pointee.application_risk = deny.applicationRisk
        out.pointee.application_characteristics = arena.cString(deny.applicationCharacteristics)
        out.pointee.src_vrf_grp = arena.cString(deny.srcVrfGroup)
        out.pointee.dst_vrf_grp = arena.cString(deny.dstVrfGroup)
        out.pointee.source_tenant = arena.cString(deny.sourceTenant)
        out.pointee.destination_service = arena.cString(deny.destinationService)
        out.pointee.fpc = deny.fpc
        out.pointee.pic = deny.pic
        return out
    }

    /// `value` as a protobuf-c message allocated in `arena` (also used by `OpsCodec`).
    static func fpcErrorCounters(_ value: FpcErrorCounters, arena: Arena) -> UnsafeMutablePointer<Flowtel__V1__FpcErrorCounters> {
        let out = arena.allocate(Flowtel__V1__FpcErrorCounters.self)
        flowtel__v1__fpc_error_counters__init(out)
        out.pointee.slot = value.slot
        out.pointee.fpc_type = Flowtel__V1__FpcType(UInt32(value.fpcType.rawValue))
        let severities = arena.allocate(
            UnsafeMutablePointer<Flowtel__V1__SeverityCounters>?.self, count: value.severities.count)
        for (index, counters) in value.severities.enumerated() {
            let entry = arena.allocate(Flowtel__V1__SeverityCounters.self)
            flowtel__v1__severity_counters__init(entry)
            entry.pointee.severity = Flowtel__V1__Severity(UInt32(counters.severity.rawValue))
            entry.pointee.occurred = counters.occurred
            entry.pointee.cleared = counters.cleared
            entry.pointee.threshold = counters.threshold
            let actions = arena.allocate(Flowtel__V1__FpcAction.self, count: counters.actions.count)
            for (actionIndex, action) in counters.actions.enumerated() {
                actions[actionIndex] = Flowtel__V1__FpcAction(UInt32(action.rawValue))
            }
            entry.pointee.n_actions = counters.actions.count
            entry.pointee.actions = actions
            severities[index] = entry
        }
        out.pointee.n_severities = value.severities.count
        out.pointee.severities = severities
        let errors = arena.allocate(UnsafeMutablePointer<Flowtel__V1__ErrorCounters>?.self, count: value.errors.count)
        for (index, counters) in value.errors.enumerated() {
            let entry = arena.allocate(Flowtel__V1__ErrorCounters.self)
            flowtel__v1__error_counters__init(entry)
            entry.pointee.error_id = arena.cString(counters.errorID)
            entry.pointee.module = arena.cString(counters.module)
            entry.pointee.severity = Flowtel__V1__Severity(UInt32(counters.severity.rawValue))
            entry.pointee.error_type = arena.cString(counters.errorType)
            entry.pointee.occurred = counters.occurred
            entry.pointee.cleared = counters.cleared
            entry.pointee.last_occurred_unix_nano = counters.lastOccurred?.unixNanos ?? 0
            entry.pointee.last_cleared_unix_nano = counters.lastCleared?.unixNanos ?? 0
            errors[index] = entry
        }
        out.pointee.n_errors = value.errors.count
        out.pointee.errors = errors
        return out
    }
}
