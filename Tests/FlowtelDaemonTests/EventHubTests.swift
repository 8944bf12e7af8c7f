import FlowtelCore
@testable import FlowtelDaemon
import FlowtelGRPC
import FlowtelTestSupport
import Testing

/// Helpers to drive the hub the way the Subscribe handler does.
extension EventHub {
    func publishSamples(_ count: Int, startIndex: Int = 0, encoder: EventEncoder = EventEncoder()) {
        var items: [(Timestamp, Payload)] = []
        for index in startIndex..<(startIndex + count) {
            let event = SampleEvents.benchmarkSessionClose(
                index: UInt64(index), bootID: bootID, seq: 0, time: Timestamp(unixNanos: UInt64(index)))
            items.append((event.time, event.payload))
        }
        publish(items, encoder: encoder)
    }

    /// One read, decoded: the outcome, the gaps and the events' seqs and body sizes.
    func readDecoded(
        _ subscription: HubSubscription, maxEvents: Int, latencyNanos: UInt64 = 0, deadline: UInt64 = 0
    ) -> (outcome: ReadOutcome, gaps: [Gap], seqs: [UInt64]) {
        var batch = EventBatchWriter()
        let outcome = read(
            subscription.id, maxEvents: maxEvents, latencyNanos: latencyNanos, deadline: deadline, into: &batch,
            encoder: EventEncoder())
        let events = (try? EventDecoder().decodeBatch(batch.bytes)) ?? []
        var gaps: [Gap] = []
        var seqs: [UInt64] = []
        for event in events {
            if case .gap(let gap) = event.payload { gaps.append(gap) } else { seqs.append(event.seq) }
        }
        return (outcome, gaps, seqs)
    }

    /// Reads without waiting until caught up; returns gaps and seqs.
    func drain(_ subscription: HubSubscription, max: Int = 100_000) -> (gaps: [Gap], seqs: [UInt64], caughtUp: Bool) {
        var gaps: [Gap] = []
        var seqs: [UInt64] = []
        while true {
            let result = readDecoded(subscription, maxEvents: max)
            gaps += result.gaps
            seqs += result.seqs
            switch result.outcome {
            case .delivered(_, let caughtUp, _):
                if caughtUp { return (gaps, seqs, true) }
            case .timedOut, .closed, .disconnected:
                return (gaps, seqs, false)
            }
        }
    }
}

@Suite("Event hub")
struct EventHubTests {
    func makeHub(replayBytes: Int = 1 << 20, queueBytes: Int = 1 << 20) -> EventHub {
        var configuration = EventHubConfiguration()
        configuration.replayBytes = replayBytes
        configuration.subscriberQueueBytes = queueBytes
        return EventHub(bootID: BootID(7), node: "n", configuration: configuration)
    }

    @Test("seqs are assigned 1, 2, 3, ... without holes")
    func sequence() {
        let hub = makeHub()
        hub.publishSamples(5)
        hub.publishSamples(3, startIndex: 5)
        #expect(hub.headSeq == 8)
        let all = hub.subscribe({ var r = SubscriptionRequest(); r.start = .fromOldest; return r }(), peer: "t")
        #expect(hub.drain(all).seqs == Array(1...8))
    }

    @Test("from-now sees only later events; from-oldest sees the ring")
    func startPositions() {
        let hub = makeHub()
        hub.publishSamples(4)
        var request = SubscriptionRequest()
        request.start = .fromNow
        let live = hub.subscribe(request, peer: "t")
        request.start = .fromOldest
        let oldest = hub.subscribe(request, peer: "t")
        hub.publishSamples(2, startIndex: 4)
        #expect(hub.drain(live).seqs == [5, 6])
        #expect(hub.drain(oldest).seqs == [1, 2, 3, 4, 5, 6])
    }

    @Test("resume within the ring delivers exactly what follows the resume point")
    func resumeInRing() {
        let hub = makeHub()
        hub.publishSamples(10)
        var request = SubscriptionRequest()
        request.resume = ResumePoint(bootID: hub.bootID, seq: 6)
        let result = hub.drain(hub.subscribe(request, peer: "t"))
        #expect(result.gaps.isEmpty)
        #expect(result.seqs == [7, 8, 9, 10])
    }

    @Test("resume behind the ring reports the exact evicted range, then the oldest events")
    func resumeEvicted() {
        let hub = makeHub(replayBytes: 4000)
        hub.publishSamples(200)
        let oldest = hub.statistics().oldestSeq
        #expect(oldest > 2)
        var request = SubscriptionRequest()
        request.resume = ResumePoint(bootID: hub.bootID, seq: 1)
        let result = hub.drain(hub.subscribe(request, peer: "t"))
        #expect(result.gaps == [Gap(bootID: hub.bootID, firstSeq: 2, lastSeq: oldest - 1, reason: .evicted, detail: result.gaps.first?.detail ?? "")])
        #expect(result.seqs == Array(oldest...200))
    }

    @Test("resume from another boot reports the boot change first")
    func resumeOtherBoot() {
        let hub = makeHub()
        hub.publishSamples(3)
        var request = SubscriptionRequest()
        request.resume = ResumePoint(bootID: BootID(99), seq: 41)
        let result = hub.drain(hub.subscribe(request, peer: "t"))
        #expect(result.gaps.count == 1)
        #expect(result.gaps[0].reason == .bootChanged && result.gaps[0].bootID == BootID(99) && result.gaps[0].firstSeq == 42)
        #expect(result.seqs == [1, 2, 3])
    }

    @Test("kinds and session filters select events daemon-side")
    func filters() {
        let hub = makeHub()
        let encoder = EventEncoder()
        let samples = SampleEvents.all().filter { !$0.payload.isStreamControl }
        hub.publish(samples.map { ($0.time, $0.payload) }, encoder: encoder)
        var request = SubscriptionRequest()
        request.start = .fromOldest
        request.kinds = [.alarm]
        #expect(hub.drain(hub.subscribe(request, peer: "t")).seqs == [6, 7])
        request.kinds = []
        request.filter.sourcePrefix = "fd00::/16"
        // The deny (seq 3) is the only IPv6 session; fault events pass session filters.
        #expect(hub.drain(hub.subscribe(request, peer: "t")).seqs == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13])
        request.kinds = [.sessionCreate, .sessionClose, .sessionDeny]
        request.filter = SessionFilter()
        request.filter.destinationPort = 443
        request.filter.sourceZone = "trust"
        #expect(hub.drain(hub.subscribe(request, peer: "t")).seqs == [1, 2])
    }

    @Test("a slow subscriber with policy drop loses its oldest events and is told exactly which")
    func slowDrop() {
        let hub = makeHub(replayBytes: 1 << 20, queueBytes: 4000)
        var request = SubscriptionRequest()
        request.start = .fromNow
        let slow = hub.subscribe(request, peer: "t")
        hub.publishSamples(300)
        let result = hub.drain(slow)
        #expect(result.gaps.count >= 1)
        let dropped = result.gaps.reduce(0) { $0 + Int($1.lastSeq - $1.firstSeq + 1) }
        #expect(result.gaps.allSatisfy { $0.reason == .slowConsumer })
        #expect(dropped + result.seqs.count == 300)  // every event is delivered or accounted for
        #expect(Set(result.seqs).count == result.seqs.count)
        #expect(hub.statistics().subscribers[0].dropped == UInt64(dropped))
    }

    @Test("a slow subscriber with policy disconnect is disconnected and counted")
    func slowDisconnect() {
        let hub = makeHub(replayBytes: 1 << 20, queueBytes: 4000)
        var request = SubscriptionRequest()
        request.start = .fromNow
        request.slowConsumerPolicy = .disconnect
        let slow = hub.subscribe(request, peer: "t")
        hub.publishSamples(300)
        if case .disconnected = hub.readDecoded(slow, maxEvents: 10).outcome {} else {
            Issue.record("expected a disconnect")
        }
        #expect(hub.statistics().disconnectedSlow == 1)
    }

    @Test("the configured drop-policy overrides what the subscriber asks")
    func policyOverride() {
        var configuration = EventHubConfiguration()
        configuration.replayBytes = 1 << 20
        configuration.subscriberQueueBytes = 4000
        configuration.slowConsumerPolicyOverride = .disconnect
        let hub = EventHub(bootID: BootID(7), node: "n", configuration: configuration)
        var request = SubscriptionRequest()
        request.start = .fromNow
        request.slowConsumerPolicy = .drop
        let slow = hub.subscribe(request, peer: "t")
        #expect(hub.statistics().subscribers[0].policy == .disconnect)
        hub.publishSamples(300)
        if case .disconnected = hub.readDecoded(slow, maxEvents: 10).outcome {} else {
            Issue.record("expected a disconnect")
        }
        #expect(hub.statistics().disconnectedSlow == 1)
    }

    @Test("a blocking producer waits for the subscriber instead of dropping")
    func blockingProducer() throws {
        let hub = makeHub(replayBytes: 8000, queueBytes: 8000)
        var request = SubscriptionRequest()
        request.start = .fromNow
        let subscription = hub.subscribe(request, peer: "t")
        let producer = try PThread.start(name: "producer") {
            let encoder = EventEncoder()
            for index in 0..<400 {
                let event = SampleEvents.benchmarkSessionClose(
                    index: UInt64(index), bootID: hub.bootID, seq: 0, time: Timestamp(unixNanos: 1))
                hub.publish([(event.time, event.payload)], encoder: encoder, mode: .block)
            }
        }
        var seqs: [UInt64] = []
        while seqs.count < 400 {
            let result = hub.readDecoded(subscription, maxEvents: 50, deadline: MonotonicClock.nowNanos() + 2_000_000_000)
            switch result.outcome {
            case .delivered:
                #expect(result.gaps.isEmpty)
                seqs += result.seqs
            default:
                Issue.record("stream stalled at \(seqs.count)")
                producer.join()
                return
            }
        }
        producer.join()
        #expect(seqs == Array(1...400))
        #expect(hub.statistics().evicted > 0)  // the ring was smaller than the stream
    }

    @Test("a resume point at the largest seq neither crashes nor skips anything")
    func resumeAtMaxSeq() {
        let hub = makeHub()
        hub.publishSamples(3)
        var request = SubscriptionRequest()
        request.resume = ResumePoint(bootID: hub.bootID, seq: .max)
        #expect(hub.drain(hub.subscribe(request, peer: "t")).seqs == [])
        request.resume = ResumePoint(bootID: BootID(99), seq: .max)
        let other = hub.drain(hub.subscribe(request, peer: "t"))
        #expect(other.gaps.first?.reason == .bootChanged && other.seqs == [1, 2, 3])
    }

    @Test("a filter that rejects whole scan budgets still reaches the events behind them, even at close")
    func filteredScanAtClose() {
        var configuration = EventHubConfiguration()
        configuration.maxScanPerRead = 10
        let hub = EventHub(bootID: BootID(7), node: "n", configuration: configuration)
        hub.publishSamples(25)
        var raised = AlarmRaised()
        raised.alarmID = 1
        hub.publish([(Timestamp(unixNanos: 1), .alarmRaised(raised))], encoder: EventEncoder())
        var request = SubscriptionRequest()
        request.start = .fromOldest
        request.kinds = [.alarm]
        let subscription = hub.subscribe(request, peer: "t")
        hub.close()
        let first = hub.readDecoded(subscription, maxEvents: 10, latencyNanos: 1_000_000_000)
        guard case .delivered = first.outcome else {
            Issue.record("the alarm was not delivered")
            return
        }
        #expect(first.seqs == [26])
        if case .closed = hub.readDecoded(subscription, maxEvents: 10).outcome {} else {
            Issue.record("expected closed after the last event")
        }
    }

    @Test("a subscriber replaying from behind the ring is told EVICTED, not treated as slow")
    func replayBehindRingIsNotSlow() {
        let hub = makeHub(replayBytes: 64 << 10, queueBytes: 16 << 10)
        hub.publishSamples(1000)
        var request = SubscriptionRequest()
        request.resume = ResumePoint(bootID: hub.bootID, seq: 1)
        request.slowConsumerPolicy = .disconnect
        let subscription = hub.subscribe(request, peer: "t")
        hub.publishSamples(1, startIndex: 1000)
        let result = hub.drain(subscription)
        #expect(result.gaps.count == 1 && result.gaps[0].reason == .evicted && result.gaps[0].firstSeq == 2)
        #expect(result.seqs.last == 1001)
        #expect(hub.statistics().disconnectedSlow == 0)
    }

    @Test("replay deeper than the subscriber queue is delivered whole while live events arrive")
    func deepReplay() {
        let hub = makeHub(replayBytes: 1 << 20, queueBytes: 64 << 10)
        hub.publishSamples(1000)
        var request = SubscriptionRequest()
        request.start = .fromOldest
        let subscription = hub.subscribe(request, peer: "t")
        hub.publishSamples(1, startIndex: 1000)
        let result = hub.drain(subscription)
        #expect(result.gaps.isEmpty)
        #expect(result.seqs == Array(1...1001))
    }

    @Test("batches are bounded in bytes whatever the event count asked")
    func batchByteBudget() {
        var configuration = EventHubConfiguration()
        configuration.maxBatchBytes = 2000
        let hub = EventHub(bootID: BootID(7), node: "n", configuration: configuration)
        hub.publishSamples(100)
        var request = SubscriptionRequest()
        request.start = .fromOldest
        let subscription = hub.subscribe(request, peer: "t")
        var batch = EventBatchWriter()
        guard case .delivered(let count, _, _) = hub.read(
            subscription.id, maxEvents: 1000, latencyNanos: 0, deadline: 0, into: &batch, encoder: EventEncoder())
        else {
            Issue.record("no batch")
            return
        }
        #expect(count > 0 && count < 100)
        #expect(batch.bytes.count < 2000 + 400)  // the budget, plus at most one event past it
        #expect(hub.drain(subscription).seqs == Array(UInt64(count + 1)...100))
    }

    @Test("port filters match the translated port too")
    func natPortFilter() {
        let hub = makeHub()
        hub.publish([(SampleEvents.baseTime, .sessionCreate(SessionCreate(session: SampleEvents.sessionInfo())))], encoder: EventEncoder())
        var request = SubscriptionRequest()
        request.start = .fromOldest
        request.filter.destinationPort = 8443  // the NAT destination port of the sample
        #expect(hub.drain(hub.subscribe(request, peer: "t")).seqs == [1])
        request.filter.destinationPort = 8080
        #expect(hub.drain(hub.subscribe(request, peer: "t")).seqs == [])
    }

    @Test("closing the hub ends every read")
    func close() {
        let hub = makeHub()
        let subscription = hub.subscribe(SubscriptionRequest(), peer: "t")
        hub.close()
        if case .closed = hub.readDecoded(subscription, maxEvents: 1).outcome {} else {
            Issue.record("expected closed")
        }
        #expect(hub.publish([(Timestamp(unixNanos: 1), .heartbeat(Heartbeat(bootID: hub.bootID, headSeq: 0)))], encoder: EventEncoder()) == nil)
    }
}
