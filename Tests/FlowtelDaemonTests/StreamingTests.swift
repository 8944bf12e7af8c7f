import FlowtelCore
import FlowtelDaemon
import FlowtelGRPC
import FlowtelSubscriber
import FlowtelTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A daemon assembled in-process: hub, router and server on 127.0.0.1:0.
final class InProcessDaemon: Sendable {
    let hub: EventHub
    let router: RPCRouter
    let server: Server

    init(token: String? = nil, hub configuration: EventHubConfiguration = EventHubConfiguration()) throws {
        hub = EventHub(bootID: .random(), node: "test-node", configuration: configuration)
        let router = try RPCRouter(hub: hub, token: token)
        self.router = router
        server = try Server(configuration: ServerConfiguration(listen: "127.0.0.1:0")) { call in router.handle(call) }
        server.start()
    }

    var target: String { "127.0.0.1:\(server.port)" }

    func publishSamples() {
        let samples = SampleEvents.all().filter { !$0.payload.isStreamControl }
        hub.publish(samples.map { ($0.time, $0.payload) }, encoder: EventEncoder())
    }

    func stop() {
        hub.close()
        server.shutdown(grace: .seconds(2))
    }

    /// Waits (bounded) until no call is being served.
    func waitForIdle(timeout: Duration = .seconds(5)) -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if server.activeCalls == 0 && hub.subscriberCount == 0 { return true }
            usleep(20_000)
        }
        return false
    }
}

func client(_ daemon: InProcessDaemon, start: StartPosition = .fromOldest, token: String? = nil) throws -> SubscriptionClient {
    var configuration = SubscriptionConfiguration(target: daemon.target)
    configuration.request.start = start
    configuration.request.maxBatchLatencyMillis = 5
    configuration.token = token
    return try SubscriptionClient(configuration: configuration)
}

/// Reads until SyncResponse; returns the non-control events.
func readUntilSync(_ client: SubscriptionClient) throws -> [Event] {
    var events: [Event] = []
    try client.run { batch, _ in
        var synced = false
        for event in batch {
            if case .syncResponse = event.payload { synced = true } else if !event.payload.isStreamControl {
                events.append(event)
            }
        }
        return !synced
    }
    return events
}

@Suite("Subscribe over gRPC", .serialized)
struct StreamingTests {
    @Test("a subscriber from the oldest gets every sample event, decoded, then SyncResponse")
    func samplesEndToEnd() throws {
        let daemon = try InProcessDaemon()
        defer { daemon.stop() }
        daemon.publishSamples()
        let subscriber = try client(daemon)
        defer { subscriber.close() }
        let events = try readUntilSync(subscriber)
        let expected = SampleEvents.all().filter { !$0.payload.isStreamControl }
        #expect(events.map(\.seq) == Array(1...13))
        #expect(events.map(\.payload) == expected.map(\.payload))
        #expect(events.allSatisfy { $0.bootID == daemon.hub.bootID && $0.node == "test-node" })
        #expect(events.map(\.time) == expected.map(\.time))
    }

    @Test("many concurrent subscribers each receive the whole stream")
    func manySubscribers() throws {
        let daemon = try InProcessDaemon()
        defer { daemon.stop() }
        daemon.publishSamples()
        let counts = Mutex<[Int]>([])
        var threads: [PThread] = []
        for index in 0..<12 {
            threads.append(try PThread.start(name: "sub-\(index)") {
                let events = (try? client(daemon)).flatMap { subscriber in
                    defer { subscriber.close() }
                    return try? readUntilSync(subscriber)
                }
                counts.withLock { $0.append(events?.count ?? -1) }
            })
        }
        for thread in threads { thread.join() }
        #expect(counts.withLock { $0 } == Array(repeating: 13, count: 12))
        #expect(daemon.waitForIdle())
    }

    @Test("a subscriber that disconnects mid-stream leaves no call behind and disturbs nobody")
    func disconnectMidStream() throws {
        let daemon = try InProcessDaemon()
        defer { daemon.stop() }
        // A steady live stream from a producer thread.
        let stop = Atomic<Bool>(false)
        let producer = try PThread.start(name: "producer") {
            let encoder = EventEncoder()
            var index = 0
            while !stop.load(ordering: .relaxed) {
                let event = SampleEvents.benchmarkSessionClose(
                    index: UInt64(index), bootID: daemon.hub.bootID, seq: 0, time: Timestamp(unixNanos: 1))
                daemon.hub.publish([(event.time, event.payload)], encoder: encoder)
                index += 1
                if index % 100 == 0 { usleep(1000) }
            }
        }
        defer {
            stop.store(true, ordering: .relaxed)
            producer.join()
        }
        let steady = try client(daemon, start: .fromNow)
        let quitter = try client(daemon, start: .fromNow)
        var quitterSeen = 0
        try quitter.run { batch, _ in
            quitterSeen += batch.count
            return quitterSeen < 500
        }
        quitter.close()
        var steadySeqs: [UInt64] = []
        try steady.run { batch, _ in
            steadySeqs += batch.filter { !$0.payload.isStreamControl }.map(\.seq)
            return steadySeqs.count < 3000
        }
        steady.close()
        #expect(quitterSeen >= 500)
        // No holes in the steady subscriber's stream.
        #expect(zip(steadySeqs, steadySeqs.dropFirst()).allSatisfy { $1 == $0 + 1 })
        #expect(daemon.waitForIdle())
    }

    @Test("shutdown while streaming ends streams with UNAVAILABLE and leaks no call")
    func shutdownWhileStreaming() throws {
        let daemon = try InProcessDaemon()
        daemon.publishSamples()
        let outcomes = Mutex<[String]>([])
        var threads: [PThread] = []
        for index in 0..<4 {
            threads.append(try PThread.start(name: "sub-\(index)") {
                do {
                    let subscriber = try client(daemon)
                    defer { subscriber.close() }
                    try subscriber.run { _, _ in true }
                    outcomes.withLock { $0.append("ended ok") }
                } catch let error as RPCError {
                    outcomes.withLock { $0.append("\(error.code)") }
                } catch {
                    outcomes.withLock { $0.append("other: \(error)") }
                }
            })
        }
        _ = daemon.hub.waitForSubscribers(4, timeout: .seconds(5))
        daemon.stop()
        for thread in threads { thread.join() }
        #expect(outcomes.withLock { $0 } == Array(repeating: "UNAVAILABLE", count: 4))
        #expect(daemon.server.activeCalls == 0)
    }

    @Test("with a token configured, Subscribe needs it and health does not")
    func token() throws {
        let daemon = try InProcessDaemon(token: "s3cret")
        defer { daemon.stop() }
        daemon.publishSamples()
        for token in [nil, "wrong"] as [String?] {
            let subscriber = try client(daemon, token: token)
            defer { subscriber.close() }
            do {
                _ = try readUntilSync(subscriber)
                Issue.record("subscribed with token \(token ?? "none")")
            } catch let error as RPCError {
                #expect(error.code == .unauthenticated)
            }
        }
        let good = try client(daemon, token: "s3cret")
        defer { good.close() }
        #expect(try readUntilSync(good).count == 13)
        let channel = try Channel(configuration: ChannelConfiguration(target: daemon.target))
        defer { channel.close() }
        #expect(try channel.unary(method: HealthService.checkMethod, request: [], timeout: .seconds(5)) == [0x08, 0x01])
    }

    @Test("heartbeats arrive on a silent stream")
    func heartbeats() throws {
        let daemon = try InProcessDaemon()
        defer { daemon.stop() }
        var configuration = SubscriptionConfiguration(target: daemon.target)
        configuration.request.start = .fromNow
        configuration.request.heartbeatIntervalMillis = 100
        let subscriber = try SubscriptionClient(configuration: configuration)
        defer { subscriber.close() }
        var heartbeats = 0
        try subscriber.run { batch, _ in
            heartbeats += batch.filter { if case .heartbeat = $0.payload { true } else { false } }.count
            return heartbeats < 3
        }
        #expect(heartbeats == 3)
    }

    @Test("the async bridge delivers batches")
    func asyncBridge() async throws {
        let daemon = try InProcessDaemon()
        defer { daemon.stop() }
        daemon.publishSamples()
        let subscriber = try client(daemon)
        defer { subscriber.close() }
        var seqs: [UInt64] = []
        for try await batch in try subscriber.batches() {
            seqs += batch.filter { !$0.payload.isStreamControl }.map(\.seq)
            if batch.contains(where: { if case .syncResponse = $0.payload { true } else { false } }) { break }
        }
        #expect(seqs == Array(1...13))
    }
}
