internal import CGRPC
public import FlowtelCore

/// The session messages of `flowtel.v1.Flowtel`: ListSessions, GetSessionSummary,
/// ClearSessions and GetFlowSettings. Requests decode with validation (INVALID_ARGUMENT naming
/// the field); responses decode with `DecodeError`.
extension OpsCodec {
    // MARK: ListSessions

    /// The wire form of a `ListSessionsRequest`.
    public static func encodeListSessionsRequest(_ request: SessionListRequest) -> [UInt8] {
        let arena = Arena()
        var message = Flowtel__V1__ListSessionsRequest()
        flowtel__v1__list_sessions_request__init(&message)
        message.filter = encodeQuery(request.query, arena: arena)
        message.view = Flowtel__V1__SessionView(UInt32(request.view.rawValue))
        message.limit = request.limit
        return pack(&message, keeping: arena)
    }

    /// Decodes and validates a `ListSessionsRequest`.
    public static func decodeListSessionsRequest(_ bytes: [UInt8]) throws(RPCError) -> SessionListRequest {
        try withUnpacked(
            bytes, flowtel__v1__list_sessions_request__unpack, flowtel__v1__list_sessions_request__free_unpacked,
            malformed: RPCError(code: .invalidArgument, message: "ListSessionsRequest: malformed protobuf")
        ) { m throws(RPCError) in
            guard let view = SessionView(rawValue: Int(m.view.rawValue)) else {
                throw RPCError(code: .invalidArgument, message: "ListSessionsRequest.view: unknown value \(m.view.rawValue)")
            }
            let query = try decodeQuery(m.filter, field: "ListSessionsRequest.filter")
            return SessionListRequest(query: query, view: view, limit: m.limit)
        }
    }

    /// The wire form of a `ListSessionsResponse`.
    public static func encodeSessionList(_ list: SessionList) -> [UInt8] {
        let arena = Arena()
        var message = Flowtel__V1__ListSessionsResponse()
        flowtel__v1__list_sessions_response__init(&message)
        let spus = arena.allocate(UnsafeMutablePointer<Flowtel__V1__SpuSessions>?.self, count: list.spus.count)
        for (index, spu) in list.spus.enumerated() {
            let out = arena.allocate(Flowtel__V1__SpuSessions.self)
            flowtel__v1__spu_sessions__init(out)
            out.pointee.fpc = spu.location.fpc
            out.pointee.pic = spu.location.pic
            out.pointee.total = spu.total
            let sessions = arena.allocate(UnsafeMutablePointer<Flowtel__V1__SessionEntry>?.self, count: spu.sessions.count)
            for (sessionIndex, session) in spu.sessions.enumerated() {
                sessions[sessionIndex] = encodeEntry(session, arena: arena)
            }
            out.pointee.n_sessions = spu.sessions.count
            out.pointee.sessions = sessions
            spus[index] = out
        }
        message.n_spus = list.spus.count
        message.spus = spus
        message.total = list.total
        return pack(&message, keeping: arena)
    }

    /// Decodes a `ListSessionsResponse`. Unknown session states (from a newer daemon) read as
    /// valid.
    public static func decodeSessionList(_ bytes: [UInt8]) throws(DecodeError) -> SessionList {
        try withUnpacked(
            bytes, flowtel__v1__list_sessions_response__unpack, flowtel__v1__list_sessions_response__free_unpacked,
            malformed: DecodeError("ListSessionsResponse: malformed protobuf")
        ) { m throws(DecodeError) in
            var list = SessionList()
            for index in 0..<m.n_spus {
                guard let spu = m.spus[index]?.pointee else { continue }
                var location = SPULocation(shard: 0)
                location.fpc = spu.fpc
                location.pic = spu.pic
                var sessions: [SessionEntry] = []
                sessions.reserveCapacity(spu.n_sessions)
                for sessionIndex in 0..<spu.n_sessions {
                    guard let entry = spu.sessions[sessionIndex]?.pointee else { continue }
                    sessions.append(decodeEntry(entry))
                }
                list.spus.append(SPUSessions(location: location, sessions: sessions, total: spu.total))
            }
            return list
        }
    }

    // MARK: GetSessionSummary

    /// The wire form of a `SessionSummaryRequest` for `family` ("inet", "inet6" or empty).
    public static func encodeSessionSummaryRequest(family: String) -> [UInt8] {
        let arena = Arena()
        var message = Flowtel__V1__SessionSummaryRequest()
        flowtel__v1__session_summary_request__init(&message)
        message.family = arena.cString(family)
        return pack(&message, keeping: arena)
    }

    /// Decodes a `SessionSummaryRequest`: its family, validated.
    public static func decodeSessionSummaryRequest(_ bytes: [UInt8]) throws(RPCError) -> String {
        try withUnpacked(
            bytes, flowtel__v1__session_summary_request__unpack, flowtel__v1__session_summary_request__free_unpacked,
            malformed: RPCError(code: .invalidArgument, message: "SessionSummaryRequest: malformed protobuf")
        ) { m throws(RPCError) in
            let family = String(protobufC: m.family)
            guard ["", "inet", "inet6"].contains(family) else {
                throw RPCError(
                    code: .invalidArgument, message: "SessionSummaryRequest.family: '\(family)' is not inet or inet6")
            }
            return family
        }
    }

    /// The wire form of a `SessionSummary`.
    public static func encodeSessionSummary(_ summary: SessionSummary) -> [UInt8] {
        var message = Flowtel__V1__SessionSummary()
        flowtel__v1__session_summary__init(&message)
        message.active_unicast_sessions = summary.unicastSessions
        message.active_multicast_sessions = summary.multicastSessions
        message.active_services_offload_sessions = summary.servicesOffloadSessions
        message.failed_sessions = summary.failedSessions
        message.active_drop_sessions = summary.dropFlowSessions
        message.active_sessions = summary.sessionsInUse
        message.active_session_valid = summary.validSessions
        message.active_session_pending = summary.pendingSessions
        message.active_session_invalidated = summary.invalidatedSessions
        message.active_session_other = summary.otherSessions
        message.max_sessions = summary.maximumSessions
        return pack(&message, keeping: nil)
    }

    /// Decodes a `SessionSummary` (`active_sessions` is recomputed from the state counts).
    public static func decodeSessionSummary(_ bytes: [UInt8]) throws(DecodeError) -> SessionSummary {
        try withUnpacked(
            bytes, flowtel__v1__session_summary__unpack, flowtel__v1__session_summary__free_unpacked,
            malformed: DecodeError("SessionSummary: malformed protobuf")
        ) { m throws(DecodeError) in
            return SessionSummary(
                unicastSessions: m.active_unicast_sessions, multicastSessions: m.active_multicast_sessions,
                servicesOffloadSessions: m.active_services_offload_sessions, failedSessions: m.failed_sessions,
                dropFlowSessions: m.active_drop_sessions, validSessions: m.active_session_valid,
                pendingSessions: m.active_session_pending, invalidatedSessions: m.active_session_invalidated,
                otherSessions: m.active_session_other, maximumSessions: m.max_sessions)
        }
    }

    // MARK: ClearSessions

    /// The wire form of a `ClearSessionsRequest`: `query`, or every session with `all`.
    public static func encodeClearSessionsRequest(_ query: SessionFilter, all: Bool) -> [UInt8] {
        let arena = Arena()
        var message = Flowtel__V1__ClearSessionsRequest()
        flowtel__v1__clear_sessions_request__init(&message)
        message.filter = encodeQuery(query, arena: arena)
        message.all = all ? 1 : 0
        return pack(&message, keeping: arena)
    }

    /// Decodes and validates a `ClearSessionsRequest`: the criteria, or nil for `all`. An empty
    /// filter without `all`, and `all` with a filter, are INVALID_ARGUMENT: a clear never
    /// takes every session by mistake.
    public static func decodeClearSessionsRequest(_ bytes: [UInt8]) throws(RPCError) -> SessionFilter? {
        try withUnpacked(
            bytes, flowtel__v1__clear_sessions_request__unpack, flowtel__v1__clear_sessions_request__free_unpacked,
            malformed: RPCError(code: .invalidArgument, message: "ClearSessionsRequest: malformed protobuf")
        ) { m throws(RPCError) in
            let query = try decodeQuery(m.filter, field: "ClearSessionsRequest.filter")
            switch (query.isEmpty, m.all != 0) {
            case (true, false):
                throw RPCError(
                    code: .invalidArgument,
                    message: "ClearSessionsRequest: the filter is empty and all is false; "
                        + "give criteria, or set all to clear every session")
            case (false, true):
                throw RPCError(
                    code: .invalidArgument, message: "ClearSessionsRequest.all: set together with a filter; give one or the other")
            case (true, true):
                return nil
            case (false, false):
                return query
            }
        }
    }

    /// The wire form of a `ClearSessionsResponse`.
    public static func encodeClearSessionsResponse(cleared: UInt64) -> [UInt8] {
        var message = Flowtel__V1__ClearSessionsResponse()
        flowtel__v1__clear_sessions_response__init(&message)
        message.cleared = cleared
        return pack(&message, keeping: nil)
    }

    /// Decodes a `ClearSessionsResponse`: how many sessions were cleared.
    public static func decodeClearSessionsResponse(_ bytes: [UInt8]) throws(DecodeError) -> UInt64 {
        try withUnpacked(
            bytes, flowtel__v1__clear_sessions_response__unpack, flowtel__v1__clear_sessions_response__free_unpacked,
            malformed: DecodeError("ClearSessionsResponse: malformed protobuf")
        ) { m throws(DecodeError) in
            return m.cleared
        }
    }

    // MARK: GetFlowSettings

    /// The wire form of `FlowSettings`.
    public static func encodeFlowSettings(_ settings: SecurityFlowSettings) -> [UInt8] {
        let arena = Arena()
        var message = Flowtel__V1__FlowSettings()
        flowtel__v1__flow_settings__init(&message)
        message.syn_check = settings.synCheck ? 1 : 0
        message.strict_syn_check = settings.strictSynCheck ? 1 : 0
        message.sequence_check = settings.sequenceCheck ? 1 : 0
        message.rst_invalidate_session = settings.rstInvalidateSession ? 1 : 0
        message.fin_invalidate_session = settings.finInvalidateSession ? 1 : 0
        message.tcp_initial_timeout = settings.tcpInitialTimeout
        switch settings.timeWaitState {
        case .sessionTimeout(let seconds): message.time_wait_timeout = seconds
        case .sessionAgeout: message.time_wait_session_ageout = 1
        case nil: break
        }
        message.time_wait_half_close = settings.timeWaitAppliesToHalfClose ? 1 : 0
        message.early_ageout = settings.earlyAgeout
        message.high_watermark = settings.highWatermark
        message.low_watermark = settings.lowWatermark
        message.max_sessions = settings.maximumSessions
        message.spus = settings.spus
        message.traceoptions = settings.traceOptions ? 1 : 0
        message.export_all_sessions = settings.exportAllSessions ? 1 : 0
        message.allow_dns_reply = settings.allowDNSReply ? 1 : 0
        message.route_change_timeout = settings.routeChangeTimeout ?? 0
        message.tcp_mss_all_tcp = settings.tcpMSSAllTCP ?? 0
        message.tcp_mss_gre_in = settings.tcpMSSGREIn ?? 0
        message.tcp_mss_gre_out = settings.tcpMSSGREOut ?? 0
        message.tcp_mss_ipsec_vpn = settings.tcpMSSIPsecVPN ?? 0
        message.syn_flood_protection_mode = arena.cString(settings.synFloodProtectionMode.rawValue)
        message.no_syn_check_in_tunnel = settings.noSynCheckInTunnel ? 1 : 0
        message.rst_sequence_check = settings.rstSequenceCheck ? 1 : 0
        return pack(&message, keeping: arena)
    }

    /// Decodes `FlowSettings`. An unknown (or empty) SYN-flood protection mode reads as the
    /// default, syn-proxy.
    public static func decodeFlowSettings(_ bytes: [UInt8]) throws(DecodeError) -> SecurityFlowSettings {
        try withUnpacked(
            bytes, flowtel__v1__flow_settings__unpack, flowtel__v1__flow_settings__free_unpacked,
            malformed: DecodeError("FlowSettings: malformed protobuf")
        ) { m throws(DecodeError) in
            func optional(_ value: UInt32) -> UInt32? { value == 0 ? nil : value }
            var settings = SecurityFlowSettings()
            settings.synCheck = m.syn_check != 0
            settings.strictSynCheck = m.strict_syn_check != 0
            settings.sequenceCheck = m.sequence_check != 0
            settings.rstInvalidateSession = m.rst_invalidate_session != 0
            settings.finInvalidateSession = m.fin_invalidate_session != 0
            settings.tcpInitialTimeout = m.tcp_initial_timeout
            if m.time_wait_session_ageout != 0 {
                settings.timeWaitState = .sessionAgeout
            } else if m.time_wait_timeout != 0 {
                settings.timeWaitState = .sessionTimeout(m.time_wait_timeout)
            }
            settings.timeWaitAppliesToHalfClose = m.time_wait_half_close != 0
            settings.earlyAgeout = m.early_ageout
            settings.highWatermark = m.high_watermark
            settings.lowWatermark = m.low_watermark
            settings.maximumSessions = m.max_sessions
            settings.spus = m.spus
            settings.traceOptions = m.traceoptions != 0
            settings.exportAllSessions = m.export_all_sessions != 0
            settings.allowDNSReply = m.allow_dns_reply != 0
            settings.routeChangeTimeout = optional(m.route_change_timeout)
            settings.tcpMSSAllTCP = optional(m.tcp_mss_all_tcp)
            settings.tcpMSSGREIn = optional(m.tcp_mss_gre_in)
            settings.tcpMSSGREOut = optional(m.tcp_mss_gre_out)
            settings.tcpMSSIPsecVPN = optional(m.tcp_mss_ipsec_vpn)
            settings.synFloodProtectionMode =
                SecurityFlowSettings.SynFloodProtectionMode(rawValue: String(protobufC: m.syn_flood_protection_mode)) ?? .synProxy
            settings.noSynCheckInTunnel = m.no_syn_check_in_tunnel != 0
            settings.rstSequenceCheck = m.rst_sequence_check != 0
            return settings
        }
    }

    // MARK: Helpers

    /// Unpacks `bytes` with one message type's protobuf-c `unpack`, passes the message to
    /// `body` and frees it when `body` returns (nothing `body` reads may outlive the call);
    /// throws `malformed` when the bytes are not such a message.
    static func withUnpacked<Message, Result, Failure: Error>(
        _ bytes: [UInt8],
        _ unpack: (UnsafeMutablePointer<ProtobufCAllocator>?, Int, UnsafePointer<UInt8>?) -> UnsafeMutablePointer<Message>?,
        _ free: (UnsafeMutablePointer<Message>?, UnsafeMutablePointer<ProtobufCAllocator>?) -> Void,
        malformed: @autoclosure () -> Failure,
        _ body: (Message) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        let unpacked = bytes.withUnsafeBufferPointer { buffer in unpack(nil, buffer.count, buffer.baseAddress) }
        guard let message = unpacked else { throw malformed() }
        defer { free(message, nil) }
        return try body(message.pointee)
    }

    /// Packs a protobuf-c message (a C struct that starts with its `ProtobufCMessage` base);
    /// `arena`, which owns the strings and sub-messages the message points at, is kept alive
    /// until packing is done.
    static func pack<Message>(_ message: inout Message, keeping arena: Arena?) -> [UInt8] {
        withExtendedLifetime(arena) {
            withUnsafeMutablePointer(to: &message) { pointer in
                let base = UnsafeMutableRawPointer(pointer).assumingMemoryBound(to: ProtobufCMessage.self)
                let size = protobuf_c_message_get_packed_size(base)
                return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
                    count = protobuf_c_message_pack(base, buffer.baseAddress)
                }
            }
        }
    }

    /// The filter message of `query`; nil (field absent) for an empty query.
    private static func encodeQuery(_ query: SessionFilter, arena: Arena) -> UnsafeMutablePointer<Flowtel__V1__SessionFilter>? {
        guard !query.isEmpty else { return nil }
        return SubscribeRequestCodec.encodeFilter(query, arena: arena)
    }

    /// The query of an optional filter message, validated as subscription filters are.
    private static func decodeQuery(
        _ filter: UnsafeMutablePointer<Flowtel__V1__SessionFilter>?, field: String
    ) throws(RPCError) -> SessionFilter {
        guard let filter = filter?.pointee else { return SessionFilter() }
        return try SubscribeRequestCodec.decodeFilter(filter, field: field)
    }

    private static func encodeEntry(_ entry: SessionEntry, arena: Arena) -> UnsafeMutablePointer<Flowtel__V1__SessionEntry> {
        let out = arena.allocate(Flowtel__V1__SessionEntry.self)
        flowtel__v1__session_entry__init(out)
        out.pointee.session_id = entry.sessionID
        out.pointee.policy_name = arena.cString(entry.policyName)
        out.pointee.policy_index = entry.policyIndex
        out.pointee.timeout_remaining = entry.timeoutRemaining ?? 0
        out.pointee.timeout_max = entry.timeoutMax ?? 0
        out.pointee.no_timeout = entry.timeoutMax == nil ? 1 : 0
        out.pointee.state = Flowtel__V1__SessionState(UInt32(entry.state.rawValue))
        out.pointee.in = encodeWing(entry.inWing, arena: arena)
        out.pointee.out = encodeWing(entry.outWing, arena: arena)
        out.pointee.application = arena.cString(entry.application)
        out.pointee.start_time_unix_nano = entry.startTime.unixNanos
        out.pointee.duration_seconds = entry.durationSeconds
        out.pointee.source_nat_pool = arena.cString(entry.sourceNATPool)
        out.pointee.fpc = entry.location.fpc
        out.pointee.pic = entry.location.pic
        out.pointee.source_zone = arena.cString(entry.sourceZone)
        out.pointee.destination_zone = arena.cString(entry.destinationZone)
        return out
    }

    private static func decodeEntry(_ m: Flowtel__V1__SessionEntry) -> SessionEntry {
        var location = SPULocation(shard: 0)
        location.fpc = m.fpc
        location.pic = m.pic
        let never = m.no_timeout != 0
        return SessionEntry(
            sessionID: m.session_id, policyName: String(protobufC: m.policy_name), policyIndex: m.policy_index,
            timeoutRemaining: never ? nil : m.timeout_remaining, timeoutMax: never ? nil : m.timeout_max,
            state: SessionEntry.State(rawValue: Int(m.state.rawValue)) ?? .valid, inWing: decodeWing(m.in),
            outWing: decodeWing(m.out), application: String(protobufC: m.application),
            startTime: Timestamp(unixNanos: m.start_time_unix_nano), durationSeconds: m.duration_seconds,
            sourceNATPool: String(protobufC: m.source_nat_pool), location: location,
            sourceZone: String(protobufC: m.source_zone), destinationZone: String(protobufC: m.destination_zone))
    }

    private static func encodeWing(_ wing: SessionWing, arena: Arena) -> UnsafeMutablePointer<Flowtel__V1__Wing> {
        let out = arena.allocate(Flowtel__V1__Wing.self)
        flowtel__v1__wing__init(out)
        out.pointee.source_address = arena.binary(wing.sourceAddress)
        out.pointee.source_port = UInt32(wing.sourcePort)
        out.pointee.destination_address = arena.binary(wing.destinationAddress)
        out.pointee.destination_port = UInt32(wing.destinationPort)
        out.pointee.protocol_id = UInt32(wing.protocolID)
        out.pointee.connection_tag = wing.connectionTag
        out.pointee.interface = arena.cString(wing.interface)
        out.pointee.packets = wing.packets
        out.pointee.bytes = wing.bytes
        return out
    }

    /// A wing; a missing message or a malformed address reads as zeros.
    private static func decodeWing(_ pointer: UnsafeMutablePointer<Flowtel__V1__Wing>?) -> SessionWing {
        guard let m = pointer?.pointee else { return SessionWing() }
        return SessionWing(
            sourceAddress: IPAddress(protobufC: m.source_address) ?? .unspecifiedV4,
            sourcePort: UInt16(clamping: m.source_port),
            destinationAddress: IPAddress(protobufC: m.destination_address) ?? .unspecifiedV4,
            destinationPort: UInt16(clamping: m.destination_port), protocolID: UInt8(clamping: m.protocol_id),
            connectionTag: m.connection_tag, interface: String(protobufC: m.interface), packets: m.packets,
            bytes: m.bytes)
    }
}
