import FlowtelCore
import FlowtelGRPC

/// Serves one `Flowtel/Subscribe` stream on the call's own thread.
///
/// Reads from the hub in batches (never one hop per event), frames the already-encoded events
/// into `EventBatch` messages, and adds the stream-control events: Gap before missing ranges,
/// SyncResponse once replay has caught up, Heartbeat when the stream has been silent for the
/// heartbeat interval. The loop wakes at least every 200 ms to notice a cancelled call.
struct SubscribeHandler {
    let hub: EventHub

    func handle(_ call: ServerCall) {
        let request: SubscriptionRequest
        do {
            guard let bytes = try call.receiveMessage() else {
                call.finish(.invalidArgument, "Subscribe: the request carried no SubscribeRequest")
                return
            }
            request = try SubscribeRequestCodec.decode(bytes)
        } catch {
            call.finish(error.code, error.message)
            return
        }
        let configuration = hub.configuration
        let maxEvents = request.maxBatchEvents == 0 ? configuration.defaultBatchEvents : Int(request.maxBatchEvents)
        let latency = UInt64(
            request.maxBatchLatencyMillis == 0
                ? configuration.defaultBatchLatencyMillis : Int(request.maxBatchLatencyMillis)) * 1_000_000
        let heartbeat = UInt64(
            request.heartbeatIntervalMillis == 0
                ? configuration.defaultHeartbeatMillis : Int(request.heartbeatIntervalMillis)) * 1_000_000

        let subscription = hub.subscribe(request, peer: call.peer)
        defer { subscription.close() }
        let encoder = EventEncoder()
        var batch = EventBatchWriter()
        var synced = false
        var nextHeartbeat = MonotonicClock.nowNanos() + heartbeat
        var deadline = MonotonicClock.nowNanos()  // the first read does not wait

        func appendControl(_ payload: Payload) {
            batch.append(prefix: hub.envelopePrefix, seq: 0, body: encoder.encodeBody(time: WallClock.now(), payload: payload))
        }

        while !call.isCancelled {
            let result = hub.read(
                subscription.id, maxEvents: maxEvents, latencyNanos: latency, deadline: deadline, into: &batch,
                encoder: encoder)
            switch result {
            case .delivered(_, let caughtUp, let head):
                if caughtUp && !synced {
                    appendControl(.syncResponse(SyncResponse(bootID: hub.bootID, headSeq: head)))
                    synced = true
                }
            case .timedOut(let caughtUp, let head):
                if !synced && caughtUp {
                    appendControl(.syncResponse(SyncResponse(bootID: hub.bootID, headSeq: head)))
                    synced = true
                } else if MonotonicClock.nowNanos() >= nextHeartbeat {
                    appendControl(.heartbeat(Heartbeat(bootID: hub.bootID, headSeq: head)))
                }
            case .closed:
                if batch.count > 0 { call.send(batch.bytes) }
                call.finish(.unavailable, "flowteld is shutting down; resume from your last (boot_id, seq)")
                return
            case .disconnected:
                call.finish(
                    .resourceExhausted,
                    "subscriber too slow: it fell more than \(configuration.subscriberQueueBytes) bytes behind "
                        + "the head and its slow-consumer policy is disconnect; resume from your last (boot_id, seq)")
                return
            }
            if batch.count > 0 {
                guard call.send(batch.bytes) else { return }
                batch.removeAll()
                nextHeartbeat = MonotonicClock.nowNanos() + heartbeat
            }
            deadline = min(nextHeartbeat, MonotonicClock.nowNanos() + 200_000_000)
        }
    }
}
