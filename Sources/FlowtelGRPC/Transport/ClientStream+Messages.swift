extension ClientStream {
    /// Bridges the stream into Swift concurrency in batches.
    ///
    /// A dedicated thread runs the blocking receive loop. After each message it also takes every
    /// message that has already arrived (up to `maxBatch`) and yields them as one batch, so the
    /// consumer pays one concurrency hop per batch, never per message. At most
    /// `ClientStream.bufferedBatches` batches wait for the consumer; beyond that the thread stops
    /// receiving, so gRPC flow control pushes back on the server.
    ///
    /// The sequence finishes after the last batch when the stream ends with OK, and throws
    /// `RPCError` for any other status. Cancelling the consuming task, or dropping the sequence,
    /// cancels the call. The stream is closed by the pump thread when it is done: do not call
    /// `receive` on it yourself once this was called.
    ///
    /// - Parameter maxBatch: the largest number of messages in one batch (at least 1).
    public func messages(maxBatch: Int) -> AsyncThrowingStream<[[UInt8]], any Error> {
        precondition(maxBatch >= 1, "maxBatch must be at least 1")
        let handoff = BatchHandoff(stream: self, limit: ClientStream.bufferedBatches)
        do {
            try PThread.detach(name: "grpc-pump") { [self] in
                pump(into: handoff, maxBatch: maxBatch)
            }
        } catch {
            handoff.finish(.failure(error))
            close()
        }
        let owner = HandoffOwner(handoff)
        return AsyncThrowingStream(unfolding: { try await owner.handoff.next() })
    }

    /// How many batches `messages(maxBatch:)` lets pile up before it stops receiving.
    public static var bufferedBatches: Int { 2 }

    private func pump(into handoff: BatchHandoff, maxBatch: Int) {
        defer { close() }
        while true {
            let first: [UInt8]
            do {
                guard let message = try receive() else {
                    handoff.finish(.success(()))
                    return
                }
                first = message
            } catch {
                handoff.finish(.failure(error))
                return
            }
            var batch = [first]
            var ending: Result<Void, any Error>?
            drain: while batch.count < maxBatch {
                do {
                    switch try receive(timeout: .zero) {
                    case .message(let message):
                        batch.append(message)
                    case .timedOut:
                        break drain
                    case .end:
                        ending = .success(())
                        break drain
                    }
                } catch {
                    ending = .failure(error)
                    break drain
                }
            }
            guard handoff.push(batch) else {
                return  // the consumer went away; close() cancels the call
            }
            if let ending {
                handoff.finish(ending)
                return
            }
        }
    }
}

/// Keeps the handoff alive for as long as the `AsyncThrowingStream` built on it exists; when the
/// consumer drops the sequence without finishing it, this cancels the call.
private final class HandoffOwner: Sendable {
    let handoff: BatchHandoff

    init(_ handoff: BatchHandoff) {
        self.handoff = handoff
    }

    deinit {
        handoff.cancel()
    }
}

/// A bounded queue of batches between the pump thread (blocking producer) and one async consumer.
final class BatchHandoff: Sendable {
    private struct State: Sendable {
        var queue: [[[UInt8]]] = []
        var end: Result<Void, any Error>?
        var cancelled = false
        var consumer: CheckedContinuation<[[UInt8]]?, any Error>?
    }

    private let state = ThreadCondition(State())
    private let stream: ClientStream
    private let limit: Int

    init(stream: ClientStream, limit: Int) {
        self.stream = stream
        self.limit = limit
    }

    /// Producer: hands a batch over, blocking while `limit` batches are waiting.
    /// - Returns: false when the consumer cancelled; the batch was dropped.
    func push(_ batch: [[UInt8]]) -> Bool {
        let waiting: CheckedContinuation<[[UInt8]]?, any Error>?? = state.wait(
            until: { $0.cancelled || $0.consumer != nil || $0.queue.count < limit }
        ) { state in
            if state.cancelled {
                return .none
            }
            if let consumer = state.consumer {
                state.consumer = nil
                return .some(consumer)
            }
            state.queue.append(batch)
            return .some(nil)
        }
        guard let waiting else {
            return false
        }
        waiting?.resume(returning: batch)
        return true
    }

    /// Producer: the stream is over; the consumer gets the queued batches, then this.
    func finish(_ end: Result<Void, any Error>) {
        let waiting = state.withLock { state -> CheckedContinuation<[[UInt8]]?, any Error>? in
            guard state.end == nil else {
                return nil
            }
            state.end = end
            let consumer = state.consumer
            state.consumer = nil
            return consumer
        }
        waiting?.resume(with: end.map { nil })
    }

    /// Consumer: the next batch, `nil` at the end, or the stream's error.
    func next() async throws -> [[UInt8]]? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[[UInt8]]?, any Error>) in
                let ready: Result<[[UInt8]]?, any Error>? = state.withLock { state in
                    if !state.queue.isEmpty {
                        return .success(state.queue.removeFirst())
                    }
                    if let end = state.end {
                        return end.map { nil }
                    }
                    if state.cancelled {
                        return .failure(CancellationError())
                    }
                    precondition(state.consumer == nil, "a batch stream has a single consumer")
                    state.consumer = continuation
                    return nil
                }
                if let ready {
                    continuation.resume(with: ready)
                }
            }
        } onCancel: {
            cancel()
        }
    }

    /// Consumer gone or task cancelled: stop the producer and cancel the call. Idempotent, and
    /// safe after the stream ended (the stream guards its own lifetime).
    func cancel() {
        let waiting = state.withLock { state -> CheckedContinuation<[[UInt8]]?, any Error>? in
            state.cancelled = true
            let consumer = state.consumer
            state.consumer = nil
            return consumer
        }
        waiting?.resume(throwing: CancellationError())
        stream.cancel()
    }
}
