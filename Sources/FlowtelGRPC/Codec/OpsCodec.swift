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
        let size = flowtel__v1__list_subscribers_response__get_packed_size(&message)
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            count = flowtel__v1__list_subscribers_response__pack(&message, buffer.baseAddress)
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
}
