internal import CGRPC
public import FlowtelCore

/// Encodes and decodes the unary operational messages of `flowtel.v1.Flowtel`.
public enum OpsCodec {
    /// `ListSubscribersResponse` for a bus snapshot.
    public static func encodeSubscribers(_ statistics: BusStatistics) -> [UInt8] {
        let arena = Arena()
        var message = Flowtel__V1__ListSubscribersResponse()
        flowtel__v1__list_subscribers_response__init(&message)
        message.boot_id = statistics.bootID.rawValue
        message.head_seq = statistics.headSeq
        message.produced = statistics.headSeq
        message.ring_oldest_seq = statistics.oldestSeq
        message.ring_bytes = UInt64(statistics.ringBytes)
        message.ring_capacity_bytes = UInt64(statistics.ringCapacityBytes)
        message.disconnected_slow = statistics.disconnectedSlow
        let list = arena.allocate(
            UnsafeMutablePointer<Flowtel__V1__SubscriberInfo>?.self, count: statistics.subscribers.count)
        for (index, subscriber) in statistics.subscribers.enumerated() {
            let info = arena.allocate(Flowtel__V1__SubscriberInfo.self)
            flowtel__v1__subscriber_info__init(info)
            info.pointee.id = subscriber.id
            info.pointee.name = arena.cString(subscriber.name)
            info.pointee.peer = arena.cString(subscriber.peer)
            info.pointee.sent = subscriber.sent
            info.pointee.dropped = subscriber.dropped
            info.pointee.lag = subscriber.lag
            info.pointee.queued_bytes = subscriber.lagBytes
            info.pointee.policy = Flowtel__V1__SlowConsumerPolicy(UInt32(subscriber.policy.rawValue))
            list[index] = info
        }
        message.n_subscribers = statistics.subscribers.count
        message.subscribers = list
        // The arena owns every string and sub-message `message` points to: keep it alive until
        // packing is done (the optimizer may otherwise release it after its last Swift use).
        return withExtendedLifetime(arena) {
            let size = flowtel__v1__list_subscribers_response__get_packed_size(&message)
            return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
                count = flowtel__v1__list_subscribers_response__pack(&message, buffer.baseAddress)
            }
        }
    }

    /// Decodes a `ListSubscribersResponse`.
    public static func decodeSubscribers(_ bytes: [UInt8]) throws(DecodeError) -> BusStatistics {
        let unpacked = bytes.withUnsafeBufferPointer { buffer in
            flowtel__v1__list_subscribers_response__unpack(nil, buffer.count, buffer.baseAddress)
        }
        guard let message = unpacked else { throw DecodeError("ListSubscribersResponse: malformed protobuf") }
        defer { flowtel__v1__list_subscribers_response__free_unpacked(message, nil) }
        let m = message.pointee
        var subscribers: [SubscriberStatistics] = []
        for index in 0..<m.n_subscribers {
            guard let s = m.subscribers[index]?.pointee else { continue }
            subscribers.append(SubscriberStatistics(
                id: s.id, name: String(protobufC: s.name), peer: String(protobufC: s.peer), sent: s.sent,
                dropped: s.dropped, lag: s.lag, lagBytes: s.queued_bytes,
                policy: SlowConsumerPolicy(rawValue: Int(s.policy.rawValue)) ?? .drop))
        }
        return BusStatistics(
            bootID: BootID(m.boot_id), headSeq: m.head_seq, oldestSeq: m.ring_oldest_seq, ringBytes: Int(clamping: m.ring_bytes),
            ringCapacityBytes: Int(clamping: m.ring_capacity_bytes), evicted: 0, disconnectedSlow: m.disconnected_slow,
            subscribers: subscribers)
    }
    /// `FlowStatistics` for a datapath snapshot.
    public static func encodeFlowStatistics(_ statistics: FlowStatistics) -> [UInt8] {
        let arena = Arena()
        var message = Flowtel__V1__FlowStatistics()
        flowtel__v1__flow_statistics__init(&message)
        message.current_sessions = statistics.currentSessions
        message.packets_received = statistics.packetsReceived
        message.packets_transmitted = statistics.packetsTransmitted
        message.packets_forwarded = statistics.packetsForwarded
        message.packets_copied = statistics.packetsCopied
        message.packets_dropped = statistics.packetsDropped
        message.fragment_packets = statistics.fragmentPackets
        message.packets_malformed = statistics.packetsMalformed
        let list = arena.allocate(
            UnsafeMutablePointer<Flowtel__V1__CaptureSourceStatistics>?.self, count: statistics.sources.count)
        for (index, source) in statistics.sources.enumerated() {
            let entry = arena.allocate(Flowtel__V1__CaptureSourceStatistics.self)
            flowtel__v1__capture_source_statistics__init(entry)
            entry.pointee.name = arena.cString(source.name)
            entry.pointee.kind = Flowtel__V1__CaptureSourceKind(UInt32(source.kind.rawValue))
            entry.pointee.state = Flowtel__V1__CaptureSourceState(UInt32(source.state.rawValue))
            entry.pointee.error = arena.cString(source.error)
            entry.pointee.packets = source.packets
            entry.pointee.bytes = source.bytes
            entry.pointee.malformed = source.malformed
            entry.pointee.fragments = source.fragments
            entry.pointee.skipped_records = source.skippedRecords
            entry.pointee.kernel_received = source.kernelReceived
            entry.pointee.kernel_drops = source.kernelDrops
            entry.pointee.interface_drops = source.interfaceDrops
            let errors = arena.allocate(
                UnsafeMutablePointer<Flowtel__V1__DecodeErrorCount>?.self, count: source.decodeErrors.count)
            for (errorIndex, error) in source.decodeErrors.enumerated() {
                let count = arena.allocate(Flowtel__V1__DecodeErrorCount.self)
                flowtel__v1__decode_error_count__init(count)
                count.pointee.kind = arena.cString(error.kind)
                count.pointee.count = error.count
                errors[errorIndex] = count
            }
            entry.pointee.n_decode_errors = source.decodeErrors.count
            entry.pointee.decode_errors = errors
            list[index] = entry
        }
        message.n_sources = statistics.sources.count
        message.sources = list
        // The arena owns every string and sub-message the message points at: keep it alive
        // until packing is done.
        return withExtendedLifetime(arena) {
            let size = flowtel__v1__flow_statistics__get_packed_size(&message)
            return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
                count = flowtel__v1__flow_statistics__pack(&message, buffer.baseAddress)
            }
        }
    }

    /// Decodes a `FlowStatistics`. Unknown source kinds and states (from a newer daemon) read
    /// as a file and as running.
    public static func decodeFlowStatistics(_ bytes: [UInt8]) throws(DecodeError) -> FlowStatistics {
        let unpacked = bytes.withUnsafeBufferPointer { buffer in
            flowtel__v1__flow_statistics__unpack(nil, buffer.count, buffer.baseAddress)
        }
        guard let message = unpacked else { throw DecodeError("FlowStatistics: malformed protobuf") }
        defer { flowtel__v1__flow_statistics__free_unpacked(message, nil) }
        let m = message.pointee
        var sources: [CaptureSourceStatistics] = []
        sources.reserveCapacity(m.n_sources)
        for index in 0..<m.n_sources {
            guard let s = m.sources[index]?.pointee else { continue }
            var errors: [CaptureSourceStatistics.ErrorCount] = []
            for errorIndex in 0..<s.n_decode_errors {
                guard let e = s.decode_errors[errorIndex]?.pointee else { continue }
                errors.append(.init(kind: String(protobufC: e.kind), count: e.count))
            }
            sources.append(CaptureSourceStatistics(
                name: String(protobufC: s.name),
                kind: CaptureSourceStatistics.Kind(rawValue: Int(s.kind.rawValue)) ?? .file,
                state: CaptureSourceStatistics.State(rawValue: Int(s.state.rawValue)) ?? .running,
                error: String(protobufC: s.error), packets: s.packets, bytes: s.bytes, malformed: s.malformed,
                fragments: s.fragments, skippedRecords: s.skipped_records, kernelReceived: s.kernel_received,
                kernelDrops: s.kernel_drops, interfaceDrops: s.interface_drops, decodeErrors: errors))
        }
        return FlowStatistics(
            currentSessions: m.current_sessions, packetsReceived: m.packets_received,
            packetsTransmitted: m.packets_transmitted, packetsForwarded: m.packets_forwarded,
            packetsCopied: m.packets_copied, packetsDropped: m.packets_dropped, fragmentPackets: m.fragment_packets,
            packetsMalformed: m.packets_malformed, sources: sources)
    }
}
