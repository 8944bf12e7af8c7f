import FlowtelCore
@testable import FlowtelDaemon
import FlowtelGRPC
import FlowtelTestSupport
import Testing

@Suite("Test-support publisher")
struct TestPublisherTests {
    @Test("specs parse, print back, and reject what they do not know")
    func specs() {
        for text in ["samples", "sessions:5", "sessions:5,rate=100", "sessions:5,subscribers=2", "sessions:7,small",
            "sessions:7,rate=10,subscribers=3,small"]
        {
            #expect(TestPublisher.Spec(text)?.description == text)
        }
        #expect(TestPublisher.Spec("sessions:7,small") == .sessions(count: 7, rate: nil, subscribers: 1, small: true))
        for text in ["sessions:0", "sessions:x", "sessions:5,tiny", "sessions:5,rate=0", "session:5", ""] {
            #expect(TestPublisher.Spec(text) == nil, "\(text)")
        }
    }

    @Test("small and full benchmark events reach a subscriber as built from scratch, in order")
    func publishes() throws {
        for small in [false, true] {
            let hub = EventHub(bootID: BootID(9), node: "n")
            var request = SubscriptionRequest()
            request.start = .fromOldest
            let subscription = hub.subscribe(request, peer: "test")
            defer { subscription.close() }
            TestPublisher(spec: .sessions(count: 5, rate: nil, subscribers: 1, small: small), hub: hub).run()
            var batch = EventBatchWriter()
            _ = hub.read(subscription.id, maxEvents: 10, latencyNanos: 0, deadline: 0, into: &batch, encoder: EventEncoder())
            let events = try EventDecoder().decodeBatch(batch.bytes)
            #expect(events.map(\.seq) == [1, 2, 3, 4, 5])
            for (index, event) in events.enumerated() {
                let expected = small
                    ? SampleEvents.smallClose(index: UInt64(index))
                    : SampleEvents.benchmarkClose(index: UInt64(index), time: event.time)
                #expect(event.payload == .sessionClose(expected))
            }
        }
    }
}
