import FlowtelGRPC
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("gRPC transport over loopback")
struct TransportTests {
    @Test("a unary call echoes its request")
    func unaryEcho() throws {
        let pair = try LoopbackPair()
        defer { pair.stop() }
        let request: [UInt8] = Array("hello flowtel".utf8) + [0, 255, 7]
        let response = try pair.channel.unary(method: TestMethod.echo, request: request, timeout: .seconds(2))
        #expect(response == request)
        #expect(try pair.channel.unary(method: TestMethod.echo, request: [], timeout: .seconds(2)) == [])
    }

    @Test("a server stream delivers every message in order, then ends")
    func serverStreamInOrder() throws {
        let pair = try LoopbackPair()
        defer { pair.stop() }
        let count: UInt64 = 2_000
        let stream = try pair.channel.serverStream(method: TestMethod.count, request: bytes(of: count))
        defer { stream.close() }
        var next: UInt64 = 0
        while let message = try stream.receive() {
            #expect(message == streamMessage(next))
            next += 1
        }
        #expect(next == count)
        #expect(try stream.receive() == nil)
    }

    @Test("receive(timeout:) reports a timeout while the server is quiet")
    func receiveTimesOut() throws {
        let pair = try LoopbackPair()
        defer { pair.stop() }
        let stream = try pair.channel.serverStream(method: TestMethod.idle, request: [])
        defer { stream.close() }
        let result = try stream.receive(timeout: .milliseconds(50))
        guard case .timedOut = result else {
            Issue.record("expected a timeout, got \(result)")
            return
        }
    }

    @Test("an unknown method fails with UNIMPLEMENTED")
    func unknownMethod() throws {
        let pair = try LoopbackPair()
        defer { pair.stop() }
        let error = #expect(throws: RPCError.self) {
            try pair.channel.unary(method: "/flowtel.test.Nope/Nothing", request: [1], timeout: .seconds(2))
        }
        #expect(error?.code == .unimplemented)
        #expect(error?.message.contains("/flowtel.test.Nope/Nothing") == true)
    }

    @Test("request metadata reaches the handler")
    func metadataVisible() throws {
        let pair = try LoopbackPair()
        defer { pair.stop() }
        let response = try pair.channel.unary(
            method: TestMethod.metadata, request: [],
            metadata: [("authorization", "Bearer s3cret"), ("x-flowtel-tag", "a"), ("X-Flowtel-Tag", "b")],
            timeout: .seconds(2))
        #expect(String(decoding: response, as: UTF8.self) == "auth=Bearer s3cret;x=a,b")
    }

    @Test("a client cancelling mid-stream makes the handler's send fail and frees the call")
    func clientCancelsMidStream() throws {
        let pair = try LoopbackPair()
        defer { pair.stop() }
        let stream = try pair.channel.serverStream(method: TestMethod.forever, request: [])
        for _ in 0..<100 {
            _ = try stream.receive()
        }
        stream.cancel()
        let error = #expect(throws: RPCError.self) {
            while try stream.receive() != nil {}
        }
        #expect(error?.code == .cancelled)
        stream.close()
        stream.cancel()  // after close: must be a harmless no-op
        #expect(pair.log.waitFor("forever:send-false"))
        #expect(pair.log.all.contains("forever:cancelled"))
        #expect(eventually { pair.server.activeCalls == 0 })
    }

    @Test("an idle handler learns of the client's cancellation")
    func idleHandlerSeesCancel() throws {
        let pair = try LoopbackPair()
        defer { pair.stop() }
        let stream = try pair.channel.serverStream(method: TestMethod.idle, request: [])
        #expect(pair.log.waitFor("idle:started"))
        #expect(pair.server.activeCalls == 1)
        stream.close()
        #expect(pair.log.waitFor("idle:cancelled"))
        #expect(eventually { pair.server.activeCalls == 0 })
    }

    @Test("twenty concurrent streaming clients each get everything")
    func concurrentStreams() async throws {
        let pair = try LoopbackPair()
        defer { pair.stop() }
        let count: UInt64 = 500
        let totals = try await withThrowingTaskGroup(of: UInt64.self) { group in
            for _ in 0..<20 {
                let stream = try pair.channel.serverStream(method: TestMethod.count, request: bytes(of: count))
                group.addTask {
                    var next: UInt64 = 0
                    for try await batch in stream.messages(maxBatch: 64) {
                        for message in batch {
                            guard message == streamMessage(next) else {
                                throw RPCError(code: .dataLoss, message: "message \(next) wrong")
                            }
                            next += 1
                        }
                    }
                    return next
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(totals == Array(repeating: count, count: 20))
        #expect(eventually { pair.server.activeCalls == 0 })
    }

    @Test("the async bridge batches messages and cancels the call when dropped")
    func asyncBridgeBatchesAndCancels() async throws {
        let pair = try LoopbackPair()
        defer { pair.stop() }
        let stream = try pair.channel.serverStream(method: TestMethod.forever, request: [])
        var received = 0
        var batches = 0
        do {
            let messages = stream.messages(maxBatch: 128)
            for try await batch in messages {
                #expect(!batch.isEmpty && batch.count <= 128)
                #expect(uint64(from: batch[0]) == UInt64(received))
                received += batch.count
                batches += 1
                if received >= 5_000 {
                    break
                }
            }
        }
        #expect(received >= 5_000)
        #expect(batches < received)  // several messages per hop
        #expect(pair.log.waitFor("forever:send-false"))
        #expect(eventually { pair.server.activeCalls == 0 })
    }

    @Test("shutting the server down during active streams ends them and frees every call")
    func shutdownWithActiveStreams() throws {
        let pair = try LoopbackPair()
        let streams = try (0..<4).map { _ in try pair.channel.serverStream(method: TestMethod.forever, request: []) }
        let idle = try pair.channel.serverStream(method: TestMethod.idle, request: [])
        for stream in streams {
            _ = try stream.receive()
        }
        #expect(pair.log.waitFor("idle:started"))
        #expect(pair.server.activeCalls == 5)

        let clock = ContinuousClock()
        let took = clock.measure { pair.server.shutdown(grace: .milliseconds(100)) }
        #expect(took < .seconds(2))
        #expect(pair.server.activeCalls == 0)
        pair.server.shutdown(grace: .zero)  // idempotent

        for stream in streams + [idle] {
            do {
                while try stream.receive() != nil {}
            } catch {
                #expect([.cancelled, .unavailable, .unknown, .internalError].contains(error.code))
            }
            stream.close()
        }
        #expect(pair.log.all.contains("idle:cancelled"))
        pair.channel.close()
    }

    @Test("a unary call past its deadline fails with DEADLINE_EXCEEDED")
    func deadlineExceeded() throws {
        let pair = try LoopbackPair()
        defer { pair.stop() }
        let clock = ContinuousClock()
        let start = clock.now
        let error = #expect(throws: RPCError.self) {
            try pair.channel.unary(method: TestMethod.slow, request: [], timeout: .milliseconds(150))
        }
        #expect(error?.code == .deadlineExceeded)
        #expect(clock.now - start < .seconds(1))
        #expect(pair.log.waitFor("slow:cancelled"))
    }

    @Test("a request over maxReceiveMessageBytes fails with RESOURCE_EXHAUSTED")
    func oversizeRequest() throws {
        let pair = try LoopbackPair { $0.maxReceiveMessageBytes = 1024 }
        defer { pair.stop() }
        #expect(try pair.channel.unary(method: TestMethod.echo, request: [UInt8](repeating: 1, count: 1000)).count == 1000)
        let error = #expect(throws: RPCError.self) {
            try pair.channel.unary(
                method: TestMethod.echo, request: [UInt8](repeating: 1, count: 4096), timeout: .seconds(2))
        }
        #expect(error?.code == .resourceExhausted)
        #expect(eventually { pair.server.activeCalls == 0 })
    }

    @Test("a closed channel refuses new calls with UNAVAILABLE")
    func closedChannel() throws {
        let pair = try LoopbackPair()
        defer { pair.stop() }
        pair.channel.close()
        pair.channel.close()
        let error = #expect(throws: RPCError.self) {
            try pair.channel.unary(method: TestMethod.echo, request: [1])
        }
        #expect(error?.code == .unavailable)
    }

    @Test("a call to a port nobody listens on fails with UNAVAILABLE")
    func nothingListening() throws {
        // Bind and release a port so that it is very likely free.
        let server = try Server(configuration: ServerConfiguration(listen: "127.0.0.1:0")) { $0.finish(.ok) }
        let port = server.port
        server.shutdown(grace: .zero)
        let channel = try Channel(configuration: ChannelConfiguration(target: "127.0.0.1:\(port)"))
        defer { channel.close() }
        let error = #expect(throws: RPCError.self) {
            try channel.unary(method: TestMethod.echo, request: [1], timeout: .seconds(2))
        }
        #expect(error?.code == .unavailable)
    }

    @Test("an address that cannot be bound throws TransportError.bindFailed")
    func bindFailure() {
        // 192.0.2.0/24 is TEST-NET-1: not assigned to any local interface.
        let error = #expect(throws: TransportError.self) {
            _ = try Server(configuration: ServerConfiguration(listen: "192.0.2.1:0")) { $0.finish(.ok) }
        }
        #expect(error?.code == .bindFailed)
    }

    @Test("a server that is never started shuts down cleanly")
    func shutdownWithoutStart() throws {
        let server = try Server(configuration: ServerConfiguration(listen: "127.0.0.1:0")) { $0.finish(.ok) }
        #expect(server.port > 0)
        server.shutdown(grace: .zero)
        server.start()  // a no-op after shutdown
        #expect(server.activeCalls == 0)
    }

    @Test("PThread runs its closure on a new thread and join waits for it")
    func pthreadJoin() throws {
        let ran = Mutex<[Bool]>([])
        let caller = pthread_self()
        let thread = try PThread.start(name: "flowtel-test-thread-long-name") {
            usleep(10_000)
            ran.withLock { $0.append(pthread_equal(pthread_self(), caller) == 0) }
        }
        thread.join()
        #expect(ran.withLock { $0 } == [true])
    }

    @Test("status codes print their canonical names", arguments: [
        (StatusCode.ok, "OK"), (.unavailable, "UNAVAILABLE"), (.internalError, "INTERNAL"),
        (.deadlineExceeded, "DEADLINE_EXCEEDED"), (StatusCode(rawValue: 99), "CODE_99"),
    ])
    func statusNames(code: StatusCode, name: String) {
        #expect(code.description == name)
    }
}
