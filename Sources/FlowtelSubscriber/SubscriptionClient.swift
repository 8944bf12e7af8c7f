public import FlowtelCore
public import FlowtelGRPC

#if canImport(Glibc)
import Glibc
#endif

/// Where and how to subscribe.
public struct SubscriptionConfiguration: Sendable {
    /// The daemon's address and transport settings.
    public var channel: ChannelConfiguration
    /// Bearer token sent as `authorization: Bearer <token>`.
    public var token: String?
    /// The request.
    public var request: SubscriptionRequest

    /// A subscription to `target` with a default request.
    public init(target: String) {
        channel = ChannelConfiguration(target: target)
        token = nil
        request = SubscriptionRequest()
    }

    var metadata: [(String, String)] {
        token.map { [("authorization", "Bearer " + $0)] } ?? []
    }
}

/// A client of `flowtel.v1.Flowtel/Subscribe`.
///
/// Two ways to consume: `run` blocks the calling thread and hands over each received batch
/// (what the CLI does: no concurrency hop at all); `batches()` bridges to async Swift with
/// one hop per batch, never per event.
public final class SubscriptionClient: Sendable {
    /// The configuration.
    public let configuration: SubscriptionConfiguration
    let channel: Channel

    /// Creates the channel (connection is lazy).
    public init(configuration: SubscriptionConfiguration) throws {
        self.configuration = configuration
        channel = try Channel(configuration: configuration.channel)
    }

    /// Closes the channel; idempotent.
    public func close() { channel.close() }

    /// Subscribes and calls `body` with each batch's events and its wire size in bytes, on the
    /// calling thread, until the stream ends (returns normally), `body` returns false (the
    /// stream is cancelled and this returns), or the stream fails (throws `RPCError`).
    public func run(_ body: ([Event], Int) throws -> Bool) throws {
        try run(request: configuration.request, body)
    }

    /// The stream as decoded batches, one async element per received `EventBatch` message
    /// (or several messages that were already waiting, merged).
    public func batches() throws(RPCError) -> AsyncThrowingStream<[Event], any Error> {
        let stream = try channel.serverStream(
            method: "/flowtel.v1.Flowtel/Subscribe", request: SubscribeRequestCodec.encode(configuration.request),
            metadata: configuration.metadata)
        let messages = stream.messages(maxBatch: 64)
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let decoder = EventDecoder()
                    for try await group in messages {
                        var events: [Event] = []
                        for message in group { events.append(contentsOf: try decoder.decodeBatch(message)) }
                        continuation.yield(events)
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
                stream.close()
            }
            continuation.onTermination = { _ in
                task.cancel()
                stream.cancel()
            }
        }
    }

    /// `show services flowtel subscribers`: the daemon's bus counters.
    public func busStatistics() throws -> BusStatistics {
        let response = try channel.unary(
            method: "/flowtel.v1.Flowtel/ListSubscribers", request: [], metadata: configuration.metadata,
            timeout: .seconds(10))
        return try OpsCodec.decodeSubscribers(response)
    }

    /// `GetFlowStatistics`: the datapath counters and each packet source's
    /// (`show security flow statistics`).
    public func flowStatistics() throws -> FlowStatistics {
        let response = try channel.unary(
            method: "/flowtel.v1.Flowtel/GetFlowStatistics", request: [], metadata: configuration.metadata,
            timeout: .seconds(10))
        return try OpsCodec.decodeFlowStatistics(response)
    }
}

// MARK: - Resume and reconnect

extension SubscriptionClient {
    /// Like `run(_:)`, with `request` instead of the configuration's (a resumed subscription
    /// on the same channel).
    public func run(request: SubscriptionRequest, _ body: ([Event], Int) throws -> Bool) throws {
        let decoder = EventDecoder()
        try runMessages(request: request) { message in try body(try decoder.decodeBatch(message), message.count) }
    }

    /// Like `run(request:_:)`, handing over each `EventBatch` message's wire bytes instead of
    /// its decoded events (for outputs that copy events as received; see `EventBatchReader`).
    /// The bytes are borrowed for the call only.
    public func runMessages(request: SubscriptionRequest, _ body: (UnsafeRawBufferPointer) throws -> Bool) throws {
        let stream = try channel.serverStream(
            method: "/flowtel.v1.Flowtel/Subscribe", request: SubscribeRequestCodec.encode(request),
            metadata: configuration.metadata)
        defer { stream.close() }
        while let message = try stream.receive() {
            guard try message.withUnsafeBytes({ try body($0) }) else {
                stream.cancel()
                return
            }
        }
    }

    /// Runs the subscription and, when it fails with a transient code
    /// (`StatusCode.isTransient`), subscribes again after `backoff`'s next delay, resuming
    /// after `resumePoint()` (the configuration's request when that is nil). Returns when the
    /// stream ends or `body` returns false; throws a permanent `RPCError` at once, and
    /// whatever `body` throws.
    ///
    /// - Parameter willRetry: called on the calling thread before each wait, with the failure
    ///   and the delay (for the operator's stderr).
    public func runReconnecting(
        backoff: ReconnectBackoff = ReconnectBackoff(),
        resumePoint: () -> ResumePoint?,
        willRetry: (RPCError, Duration) -> Void,
        _ body: ([Event], Int) throws -> Bool
    ) throws {
        let decoder = EventDecoder()
        try runMessagesReconnecting(backoff: backoff, resumePoint: resumePoint, willRetry: willRetry) { message in
            try body(try decoder.decodeBatch(message), message.count)
        }
    }

    /// Like `runReconnecting(backoff:resumePoint:willRetry:_:)`, handing over each
    /// `EventBatch` message's wire bytes (see `runMessages(request:_:)`).
    public func runMessagesReconnecting(
        backoff: ReconnectBackoff = ReconnectBackoff(),
        resumePoint: () -> ResumePoint?,
        willRetry: (RPCError, Duration) -> Void,
        _ body: (UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        var backoff = backoff
        while true {
            var request = configuration.request
            if let point = resumePoint() {
                request.start = .resume
                request.resume = point
            }
            var received = false
            do {
                try runMessages(request: request) { message in
                    received = true
                    return try body(message)
                }
                return
            } catch let error as RPCError where error.code.isTransient {
                // A stream that delivered something was healthy: start the backoff over.
                if received { backoff.reset() }
                let delay = backoff.nextDelay()
                willRetry(error, delay)
                ReconnectBackoff.sleep(delay)
            }
        }
    }
}

extension StatusCode {
    /// Whether a stream that ended with this code is worth subscribing again: the daemon is
    /// unreachable or restarting (UNAVAILABLE), a deadline or the slow-consumer policy ended it
    /// (DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED), something broke in transit (INTERNAL,
    /// UNKNOWN, ABORTED), or a server shutting down cancelled the call (CANCELLED: the client
    /// never cancels a stream it still reads, it returns instead). Everything else (INVALID_ARGUMENT, UNAUTHENTICATED, PERMISSION_DENIED,
    /// UNIMPLEMENTED, FAILED_PRECONDITION, NOT_FOUND, …) fails the same way again.
    public var isTransient: Bool {
        [.unavailable, .deadlineExceeded, .resourceExhausted, .internalError, .unknown, .aborted, .cancelled].contains(self)
    }
}

/// Exponential backoff with full jitter: attempt *n* waits a uniformly random time in
/// `0...min(maximum, initial × 2ⁿ)`, so that many subscribers of a restarted daemon do not
/// reconnect in lockstep.
public struct ReconnectBackoff: Sendable {
    /// The first attempt's bound.
    public var initial: Duration
    /// The bound never exceeds this.
    public var maximum: Duration
    private var attempt = 0

    /// 100 ms doubling to 10 s by default.
    public init(initial: Duration = .milliseconds(100), maximum: Duration = .seconds(10)) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The upper bound of the next delay (without jitter).
    public var bound: Duration {
        var bound = initial
        for _ in 0..<min(attempt, 32) where bound < maximum { bound = bound * 2 }
        return min(bound, maximum)
    }

    /// The next delay, and counts the attempt.
    public mutating func nextDelay<Generator: RandomNumberGenerator>(using generator: inout Generator) -> Duration {
        let nanos = bound.components.seconds * 1_000_000_000 + bound.components.attoseconds / 1_000_000_000
        attempt += 1
        return .nanoseconds(Int64.random(in: 0...max(nanos, 0), using: &generator))
    }

    /// The next delay from the system generator, and counts the attempt.
    public mutating func nextDelay() -> Duration {
        var generator = SystemRandomNumberGenerator()
        return nextDelay(using: &generator)
    }

    /// Back to the first attempt (after a healthy stream).
    public mutating func reset() { attempt = 0 }

    static func sleep(_ duration: Duration) {
        let nanos = duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
        var request = timespec(tv_sec: Int(nanos / 1_000_000_000), tv_nsec: Int(nanos % 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }
}
