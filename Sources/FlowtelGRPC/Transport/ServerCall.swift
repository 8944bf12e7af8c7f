internal import CGRPC
internal import Synchronization

/// One call accepted by a `Server`, handed to the handler on the call's own thread.
///
/// Threading contract:
/// - `receiveMessage`, `send`, `finish` block and belong to the handler thread (or one thread at
///   a time that the handler hands the call to); they must not be used after the handler returned.
/// - `waitForCancellation` may run on another thread concurrently with a send or receive, but must
///   return before the handler does.
/// - `isCancelled`, `method`, `peer` and `metadata` are safe from any thread at any time.
///
/// Ownership: the server owns the underlying C call and frees it when the handler returns.
public final class ServerCall: @unchecked Sendable {
    // @unchecked: `handle` is only used under the threading contract above; the one entry point
    // that may race with the final destroy (`isCancelled`) goes through `lifetime`, and `finished`
    // is atomic.
    /// The full method path, e.g. `/flowtel.v1.Flowtel/Subscribe`.
    public let method: String
    /// The client's address as gRPC reports it, e.g. `ipv4:127.0.0.1:53412`.
    public let peer: String

    private let handle: OpaquePointer
    private let finished = Atomic<Bool>(false)
    private let lifetime = Mutex(Lifetime.open)

    private enum Lifetime {
        case open
        case destroyed(wasCancelled: Bool)
    }

    init(taking handle: OpaquePointer) {
        self.handle = handle
        self.method = String(cString: cgrpc_server_call_method(handle))
        self.peer = String(cString: cgrpc_server_call_peer(handle))
    }

    deinit {
        if case .open = lifetime.withLock({ $0 }) {
            assertionFailure("ServerCall released without complete()")
            cgrpc_server_call_destroy(handle)
        }
    }

    /// The values of request metadata `key` (case-insensitive; gRPC keys are lower case), in the
    /// order received. Empty when absent. Binary (`-bin`) values are decoded lossily as UTF-8.
    public func metadata(_ key: String) -> [String] {
        let wanted = Array(key.lowercased().utf8)
        var values: [String] = []
        for index in 0..<cgrpc_server_call_metadata_count(handle) {
            var keyPointer: UnsafePointer<UInt8>?
            var keyLength = 0
            var valuePointer: UnsafePointer<UInt8>?
            var valueLength = 0
            cgrpc_server_call_metadata_at(handle, index, &keyPointer, &keyLength, &valuePointer, &valueLength)
            let name = UnsafeBufferPointer(start: keyPointer, count: keyPointer == nil ? 0 : keyLength)
            guard name.elementsEqual(wanted) else {
                continue
            }
            let value = UnsafeBufferPointer(start: valuePointer, count: valuePointer == nil ? 0 : valueLength)
            values.append(String(decoding: value, as: UTF8.self))
        }
        return values
    }

    /// Blocks for the next request message.
    ///
    /// - Returns: the message, or `nil` once the client has half-closed (no more messages).
    /// - Throws: `RPCError` with `.cancelled` when the call was cancelled or broke.
    public func receiveMessage() throws(RPCError) -> [UInt8]? {
        var length = 0
        let result = cgrpc_server_call_recv_message(handle, &length)
        switch result {
        case CGRPC_RESULT_OK:
            return [UInt8](unsafeUninitializedCapacity: length) { buffer, count in
                cgrpc_server_call_read_message(handle, buffer.baseAddress)
                count = length
            }
        case CGRPC_RESULT_END:
            return nil
        case CGRPC_RESULT_FAILED:
            throw RPCError(code: .cancelled, message: "call cancelled while receiving")
        default:
            preconditionFailure(rejected("receive"))
        }
    }

    /// Sends one response message, blocking until gRPC flow control accepts it. The first send
    /// also sends the response headers. The bytes are copied before this returns.
    ///
    /// - Returns: false when the call is cancelled or broken, or already finished.
    @discardableResult
    public func send(_ message: UnsafeRawBufferPointer) -> Bool {
        if finished.load(ordering: .acquiring) {
            return false
        }
        let result = cgrpc_server_call_send_message(
            handle, message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count)
        switch result {
        case CGRPC_RESULT_OK:
            return true
        case CGRPC_RESULT_FAILED:
            return false
        default:
            preconditionFailure(rejected("send"))
        }
    }

    /// Sends one response message; see `send(_: UnsafeRawBufferPointer)`.
    @discardableResult
    public func send(_ message: [UInt8]) -> Bool {
        message.withUnsafeBytes { send($0) }
    }

    /// Ends the call with a status (and headers, if nothing was sent). Blocks until the status is
    /// handed to the transport. Only the first call has an effect.
    public func finish(_ code: StatusCode, _ message: String = "") {
        guard finished.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        else {
            return
        }
        let result = cgrpc_server_call_send_status(handle, code.rawValue, message)
        // FAILED means the client is gone already; nothing to tell anyone.
        precondition(result != CGRPC_RESULT_REJECTED, rejected("finish"))
    }

    /// True once the call is cancelled: the client cancelled or disconnected, the deadline passed,
    /// or the server is shutting down. Never blocks; thread-safe.
    public var isCancelled: Bool {
        lifetime.withLock { lifetime in
            switch lifetime {
            case .open:
                return cgrpc_server_call_is_cancelled(handle) != 0
            case .destroyed(let wasCancelled):
                return wasCancelled
            }
        }
    }

    /// Blocks up to `timeout` for the call to be cancelled.
    ///
    /// - Returns: true if it was (or already is) cancelled; false on timeout, or at once when the
    ///   call already ended normally.
    public func waitForCancellation(timeout: Duration) -> Bool {
        cgrpc_server_call_wait_cancelled(handle, timeout.roundedUpMilliseconds) == CGRPC_CLOSE_CANCELLED
    }

    /// Called by the server once the handler returned: finishes the call if needed, then frees it.
    func complete() {
        finish(.unknown, "handler did not finish")
        // From here on `isCancelled` answers from the recorded value and never touches the handle.
        lifetime.withLock { lifetime in
            lifetime = .destroyed(wasCancelled: cgrpc_server_call_is_cancelled(handle) != 0)
        }
        cgrpc_server_call_destroy(handle)
    }

    private func rejected(_ operation: String) -> String {
        "gRPC core rejected \(operation) on \(method): call error \(cgrpc_server_call_last_call_error(handle))"
    }
}
