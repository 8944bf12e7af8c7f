public import FlowtelCore
public import FlowtelGRPC

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
        let stream = try channel.serverStream(
            method: "/flowtel.v1.Flowtel/Subscribe", request: SubscribeRequestCodec.encode(configuration.request),
            metadata: configuration.metadata)
        defer { stream.close() }
        let decoder = EventDecoder()
        while let message = try stream.receive() {
            let events = try decoder.decodeBatch(message)
            guard try body(events, message.count) else {
                stream.cancel()
                return
            }
        }
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
