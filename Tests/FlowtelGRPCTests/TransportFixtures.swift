import FlowtelGRPC
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Method paths served by `TestService`.
enum TestMethod {
    static let echo = "/flowtel.test.Echo/Unary"
    static let count = "/flowtel.test.Stream/Count"
    static let forever = "/flowtel.test.Stream/Forever"
    static let idle = "/flowtel.test.Stream/Idle"
    static let metadata = "/flowtel.test.Echo/Metadata"
    static let slow = "/flowtel.test.Echo/Slow"
}

/// What the handlers observed, for assertions made from the test thread.
final class HandlerLog: Sendable {
    private let events = Mutex<[String]>([])

    func record(_ event: String) {
        events.withLock { $0.append(event) }
    }

    var all: [String] {
        events.withLock { $0 }
    }

    /// Polls (up to `timeout`) until `event` was recorded.
    func waitFor(_ event: String, timeout: Duration = .seconds(2)) -> Bool {
        eventually(timeout: timeout) { self.all.contains(event) }
    }
}

/// Polls `condition` every millisecond until it holds or `timeout` passes.
func eventually(timeout: Duration = .seconds(2), _ condition: () -> Bool) -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if condition() {
            return true
        }
        usleep(1_000)
    }
    return condition()
}

/// Encodes `value` little-endian.
func bytes(of value: UInt64) -> [UInt8] {
    withUnsafeBytes(of: value.littleEndian) { Array($0) }
}

/// Decodes a little-endian UInt64 from the first 8 bytes.
func uint64(from bytes: [UInt8]) -> UInt64 {
    precondition(bytes.count >= 8)
    var value: UInt64 = 0
    for (index, byte) in bytes.prefix(8).enumerated() {
        value |= UInt64(byte) << (8 * UInt64(index))
    }
    return value
}

/// The payload of message `index` of a counted stream: the index, then `index % 50` filler bytes
/// derived from it, so both order and content can be checked.
func streamMessage(_ index: UInt64) -> [UInt8] {
    bytes(of: index) + (0..<(index % 50)).map { UInt8(truncatingIfNeeded: $0 &+ index) }
}

/// A raw-bytes test service routing on the method path.
enum TestService {
    static func handler(log: HandlerLog) -> @Sendable (ServerCall) -> Void {
        { call in
            switch call.method {
            case TestMethod.echo:
                guard let request = try? call.receiveMessage() else {
                    call.finish(.invalidArgument, "no request")
                    return
                }
                call.send(request)
                call.finish(.ok)

            case TestMethod.count:
                guard let request = try? call.receiveMessage(), request.count >= 8 else {
                    call.finish(.invalidArgument, "need a count")
                    return
                }
                for index in 0..<uint64(from: request) {
                    guard call.send(streamMessage(index)) else {
                        log.record("count:send-failed")
                        return
                    }
                }
                call.finish(.ok)

            case TestMethod.forever:
                _ = try? call.receiveMessage()
                var index: UInt64 = 0
                while call.send(bytes(of: index)) {
                    index += 1
                }
                log.record("forever:send-false")
                log.record(call.isCancelled ? "forever:cancelled" : "forever:not-cancelled")

            case TestMethod.idle:
                _ = try? call.receiveMessage()
                log.record("idle:started")
                let cancelled = call.waitForCancellation(timeout: .seconds(5))
                log.record(cancelled ? "idle:cancelled" : "idle:timeout")

            case TestMethod.metadata:
                _ = try? call.receiveMessage()
                let text = "auth=\(call.metadata("authorization").joined(separator: ","));"
                    + "x=\(call.metadata("X-Flowtel-Tag").joined(separator: ","))"
                call.send(Array(text.utf8))
                call.finish(.ok)

            case TestMethod.slow:
                _ = try? call.receiveMessage()
                // Sleeps until the client's deadline cancels the call (bounded).
                let cancelled = call.waitForCancellation(timeout: .seconds(2))
                log.record(cancelled ? "slow:cancelled" : "slow:timeout")
                call.send([1])
                call.finish(.ok)

            default:
                call.finish(.unimplemented, "unknown method \(call.method)")
            }
        }
    }
}

/// A started plaintext server on 127.0.0.1 with `TestService`, and a channel to it.
struct LoopbackPair {
    let server: Server
    let channel: Channel
    let log: HandlerLog

    init(configure: (inout ServerConfiguration) -> Void = { _ in }) throws {
        var configuration = ServerConfiguration(listen: "127.0.0.1:0")
        configure(&configuration)
        let log = HandlerLog()
        self.log = log
        server = try Server(configuration: configuration, handler: TestService.handler(log: log))
        server.start()
        channel = try Channel(configuration: ChannelConfiguration(target: "127.0.0.1:\(server.port)"))
    }

    func stop() {
        channel.close()
        server.shutdown(grace: .milliseconds(200))
    }
}
