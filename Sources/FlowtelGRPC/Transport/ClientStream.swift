internal import CGRPC
internal import Synchronization

/// What `ClientStream.receive(timeout:)` found.
public enum ReceiveResult: Sendable {
    /// The next message.
    case message([UInt8])
    /// Nothing arrived within the timeout; the stream is still open.
    case timedOut
    /// The server ended the stream with status OK.
    case end
}

/// The client side of a server-streaming call.
///
/// Threading contract: `receive` is for one consumer thread at a time and blocks, so keep it off
/// the cooperative pool (or use `messages(maxBatch:)`). `cancel()` and `close()` are safe from any
/// thread at any time, including after the stream ended or was closed; a `close()` that races a
/// blocked `receive` cancels the call and leaves the freeing to that `receive` as it returns.
///
/// Ownership: the owner must call `close()`; `deinit` only frees a stream that was not closed.
public final class ClientStream: @unchecked Sendable {
    // @unchecked: `handle` is freed exactly once, under `state`; blocking receives follow the
    // single-consumer contract above and mark themselves in `state` so close can defer to them.
    private let handle: OpaquePointer
    private let state = Mutex(State())

    private struct State {
        var receiving = false
        var closed = false
        var freed = false
        var outcome: Result<Void, RPCError>?
    }

    init(taking handle: OpaquePointer) {
        self.handle = handle
    }

    deinit {
        if !state.withLock({ $0.freed }) {
            cgrpc_client_call_destroy(handle)
        }
    }

    /// Blocks for the next message.
    ///
    /// - Returns: the message, or `nil` once the stream ended with status OK (and on every call
    ///   after that).
    /// - Throws: `RPCError` with the final status when it is not OK (`.cancelled` after `cancel()`
    ///   or `close()`), again on every later call.
    public func receive() throws(RPCError) -> [UInt8]? {
        switch try receive(timeoutMilliseconds: -1) {
        case .message(let message):
            return message
        case .end:
            return nil
        case .timedOut:
            preconditionFailure("a receive without a deadline timed out")
        }
    }

    /// Waits up to `timeout` for the next message; `.zero` takes only what has already arrived.
    ///
    /// - Throws: `RPCError` with the final status when it is not OK.
    public func receive(timeout: Duration) throws(RPCError) -> ReceiveResult {
        try receive(timeoutMilliseconds: timeout.roundedUpMilliseconds)
    }

    /// Cancels the call: the server sees the cancellation and `receive` ends with `.cancelled`.
    /// Thread-safe; a no-op once the stream is closed.
    public func cancel() {
        state.withLock { state in
            if !state.freed {
                cgrpc_client_call_cancel(handle)
            }
        }
    }

    /// Cancels the call if it is still running and frees it. Idempotent; thread-safe.
    public func close() {
        let freeNow = state.withLock { state -> Bool in
            if state.closed {
                return false
            }
            state.closed = true
            if state.receiving {
                // The receiving thread frees the call once it is out of the C library.
                cgrpc_client_call_cancel(handle)
                return false
            }
            state.freed = true
            return true
        }
        if freeNow {
            cgrpc_client_call_destroy(handle)
        }
    }

    private func receive(timeoutMilliseconds: Int64) throws(RPCError) -> ReceiveResult {
        let finished: Result<Void, RPCError>? = state.withLock { state in
            if let outcome = state.outcome {
                return outcome
            }
            if state.closed {
                return .failure(RPCError(code: .cancelled, message: "stream closed"))
            }
            precondition(!state.receiving, "ClientStream.receive called from two threads at once")
            state.receiving = true
            return nil
        }
        if let finished {
            return try ClientStream.report(finished)
        }

        var length = 0
        let result = cgrpc_client_call_recv_message(handle, timeoutMilliseconds, &length)
        var received = ReceiveResult.timedOut
        var outcome: Result<Void, RPCError>?
        switch result {
        case CGRPC_RESULT_OK:
            received = .message(
                [UInt8](unsafeUninitializedCapacity: length) { buffer, count in
                    cgrpc_client_call_read_message(handle, buffer.baseAddress)
                    count = length
                })
        case CGRPC_RESULT_TIMEOUT:
            received = .timedOut
        case CGRPC_RESULT_END:
            let status = ClientStream.status(of: handle)
            outcome = status.code == .ok ? .success(()) : .failure(status)
        default:
            preconditionFailure("gRPC core rejected a receive (a second concurrent receive?)")
        }

        let freeNow = state.withLock { state -> Bool in
            state.receiving = false
            if let outcome {
                state.outcome = outcome
            }
            if state.closed && !state.freed {
                state.freed = true
                return true
            }
            return false
        }
        if freeNow {
            cgrpc_client_call_destroy(handle)
        }
        if let outcome {
            return try ClientStream.report(outcome)
        }
        return received
    }

    private static func report(_ outcome: Result<Void, RPCError>) throws(RPCError) -> ReceiveResult {
        switch outcome {
        case .success:
            return .end
        case .failure(let error):
            throw error
        }
    }

    /// The final status of a call whose status has arrived (blocks until it has).
    static func status(of call: OpaquePointer) -> RPCError {
        var message: UnsafePointer<UInt8>?
        var length = 0
        let code = cgrpc_client_call_status(call, &message, &length)
        let text = message.map { String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self) } ?? ""
        return RPCError(code: StatusCode(rawValue: code), message: text)
    }
}
