internal import CGRPC
public import FlowtelCore

/// Encodes and validates `flowtel.v1.SubscribeRequest`.
public enum SubscribeRequestCodec {
    /// Largest `max_batch_events` accepted.
    public static let maxBatchEventsLimit: UInt32 = 65_536
    /// Largest `max_batch_latency_ms` accepted.
    public static let maxBatchLatencyLimitMillis: UInt32 = 10_000

    /// The wire form of `request`.
    public static func encode(_ request: SubscriptionRequest) -> [UInt8] {
        let arena = Arena()
        var message = Flowtel__V1__SubscribeRequest()
        flowtel__v1__subscribe_request__init(&message)
        message.start = Flowtel__V1__StartPosition(UInt32(request.start.rawValue))
        if let resume = request.resume {
            let point = arena.allocate(Flowtel__V1__ResumePoint.self)
            flowtel__v1__resume_point__init(point)
            point.pointee.boot_id = resume.bootID.rawValue
            point.pointee.seq = resume.seq
            message.resume = point
        }
        let kinds = arena.allocate(Flowtel__V1__EventKind.self, count: request.kinds.count)
        for (index, kind) in request.kinds.enumerated() {
            kinds[index] = Flowtel__V1__EventKind(UInt32(kind.rawValue))
        }
        message.n_kinds = request.kinds.count
        message.kinds = kinds
        if !request.filter.isEmpty {
            message.filter = encodeFilter(request.filter, arena: arena)
        }
        message.max_batch_events = request.maxBatchEvents
        message.max_batch_latency_ms = request.maxBatchLatencyMillis
        message.heartbeat_interval_ms = request.heartbeatIntervalMillis
        message.slow_consumer_policy = Flowtel__V1__SlowConsumerPolicy(UInt32(request.slowConsumerPolicy.rawValue))
        message.subscriber_name = arena.cString(request.subscriberName)
        let size = flowtel__v1__subscribe_request__get_packed_size(&message)
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            count = flowtel__v1__subscribe_request__pack(&message, buffer.baseAddress)
        }
    }

    /// Decodes and validates a request; the error is INVALID_ARGUMENT naming the bad field.
    public static func decode(_ bytes: [UInt8]) throws(RPCError) -> SubscriptionRequest {
        let unpacked = bytes.withUnsafeBufferPointer { buffer in
            flowtel__v1__subscribe_request__unpack(nil, buffer.count, buffer.baseAddress)
        }
        guard let message = unpacked else {
            throw RPCError(code: .invalidArgument, message: "SubscribeRequest: malformed protobuf")
        }
        defer { flowtel__v1__subscribe_request__free_unpacked(message, nil) }
        let m = message.pointee
        var request = SubscriptionRequest()
        guard let start = StartPosition(rawValue: Int(m.start.rawValue)) else {
            throw RPCError(code: .invalidArgument, message: "SubscribeRequest.start: unknown value \(m.start.rawValue)")
        }
        request.start = start
        if let resume = m.resume?.pointee {
            guard resume.boot_id != 0 else {
                throw RPCError(code: .invalidArgument, message: "SubscribeRequest.resume.boot_id: must not be 0")
            }
            guard resume.seq != UInt64.max else {
                throw RPCError(code: .invalidArgument, message: "SubscribeRequest.resume.seq: \(resume.seq) is not a seq")
            }
            request.resume = ResumePoint(bootID: BootID(resume.boot_id), seq: resume.seq)
        }
        for index in 0..<m.n_kinds {
            let raw = m.kinds[index].rawValue
            guard let kind = EventKind(rawValue: Int(raw)) else {
                throw RPCError(code: .invalidArgument, message: "SubscribeRequest.kinds[\(index)]: unknown event kind \(raw)")
            }
            if !request.kinds.contains(kind) { request.kinds.append(kind) }
        }
        if let filter = m.filter {
            request.filter = try decodeFilter(filter.pointee, field: "SubscribeRequest.filter")
        }
        guard m.max_batch_events <= maxBatchEventsLimit else {
            throw RPCError(
                code: .invalidArgument,
                message: "SubscribeRequest.max_batch_events: \(m.max_batch_events) exceeds \(maxBatchEventsLimit)")
        }
        request.maxBatchEvents = m.max_batch_events
        guard m.max_batch_latency_ms <= maxBatchLatencyLimitMillis else {
            throw RPCError(
                code: .invalidArgument,
                message: "SubscribeRequest.max_batch_latency_ms: \(m.max_batch_latency_ms) exceeds \(maxBatchLatencyLimitMillis)")
        }
        request.maxBatchLatencyMillis = m.max_batch_latency_ms
        guard m.heartbeat_interval_ms == 0 || (100...3_600_000).contains(m.heartbeat_interval_ms) else {
            throw RPCError(
                code: .invalidArgument,
                message: "SubscribeRequest.heartbeat_interval_ms: \(m.heartbeat_interval_ms) is outside 100...3600000")
        }
        request.heartbeatIntervalMillis = m.heartbeat_interval_ms
        guard let policy = SlowConsumerPolicy(rawValue: Int(m.slow_consumer_policy.rawValue)) else {
            throw RPCError(
                code: .invalidArgument,
                message: "SubscribeRequest.slow_consumer_policy: unknown value \(m.slow_consumer_policy.rawValue)")
        }
        request.slowConsumerPolicy = policy
        request.subscriberName = String(protobufC: m.subscriber_name)
        guard request.subscriberName.utf8.count <= 256 else {
            throw RPCError(code: .invalidArgument, message: "SubscribeRequest.subscriber_name: longer than 256 bytes")
        }
        return request
    }

    static func encodeFilter(_ filter: SessionFilter, arena: Arena) -> UnsafeMutablePointer<Flowtel__V1__SessionFilter> {
        let out = arena.allocate(Flowtel__V1__SessionFilter.self)
        flowtel__v1__session_filter__init(out)
        out.pointee.source_prefix = arena.cString(filter.sourcePrefix)
        out.pointee.destination_prefix = arena.cString(filter.destinationPrefix)
        out.pointee.source_port = UInt32(filter.sourcePort)
        out.pointee.destination_port = UInt32(filter.destinationPort)
        out.pointee.protocol = arena.cString(filter.protocol)
        out.pointee.application = arena.cString(filter.application)
        out.pointee.interface = arena.cString(filter.interface)
        out.pointee.session_id = filter.sessionID
        out.pointee.family = arena.cString(filter.family)
        out.pointee.source_zone = arena.cString(filter.sourceZone)
        out.pointee.destination_zone = arena.cString(filter.destinationZone)
        out.pointee.policy = arena.cString(filter.policy)
        out.pointee.nat_only = filter.natOnly ? 1 : 0
        out.pointee.connection_tag = filter.connectionTag
        out.pointee.idp_only = filter.idpOnly ? 1 : 0
        out.pointee.resource_manager_only = filter.resourceManagerOnly ? 1 : 0
        out.pointee.tunnel_only = filter.tunnelOnly ? 1 : 0
        return out
    }

    static func decodeFilter(_ m: Flowtel__V1__SessionFilter, field: String) throws(RPCError) -> SessionFilter {
        var filter = SessionFilter()
        func port(_ value: UInt32, _ name: String) throws(RPCError) -> UInt16 {
            guard value <= 65_535 else {
                throw RPCError(code: .invalidArgument, message: "\(field).\(name): \(value) is not a port (0-65535)")
            }
            return UInt16(value)
        }
        func prefix(_ pointer: UnsafeMutablePointer<CChar>?, _ name: String) throws(RPCError) -> String {
            let text = String(protobufC: pointer)
            guard text.isEmpty || IPPrefix(text) != nil else {
                throw RPCError(code: .invalidArgument, message: "\(field).\(name): '\(text)' is not an address or prefix")
            }
            return text
        }
        filter.sourcePrefix = try prefix(m.source_prefix, "source_prefix")
        filter.destinationPrefix = try prefix(m.destination_prefix, "destination_prefix")
        filter.sourcePort = try port(m.source_port, "source_port")
        filter.destinationPort = try port(m.destination_port, "destination_port")
        filter.protocol = String(protobufC: m.protocol)
        guard filter.protocol.isEmpty || IPProtocol.number(filter.protocol) != nil else {
            throw RPCError(code: .invalidArgument, message: "\(field).protocol: '\(filter.protocol)' is not a protocol name or number")
        }
        filter.application = String(protobufC: m.application)
        filter.interface = String(protobufC: m.interface)
        filter.sessionID = m.session_id
        filter.family = String(protobufC: m.family)
        guard ["", "inet", "inet6"].contains(filter.family) else {
            throw RPCError(code: .invalidArgument, message: "\(field).family: '\(filter.family)' is not inet or inet6")
        }
        filter.sourceZone = String(protobufC: m.source_zone)
        filter.destinationZone = String(protobufC: m.destination_zone)
        filter.policy = String(protobufC: m.policy)
        filter.natOnly = m.nat_only != 0
        filter.connectionTag = m.connection_tag
        filter.idpOnly = m.idp_only != 0
        filter.resourceManagerOnly = m.resource_manager_only != 0
        filter.tunnelOnly = m.tunnel_only != 0
        return filter
    }
}
