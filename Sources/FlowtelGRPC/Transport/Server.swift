internal import CGRPC

/// A gRPC server that runs each call's handler on its own OS thread.
///
/// Lifecycle: `init` binds, `start()` begins accepting, `shutdown(grace:)` stops and releases
/// everything. Each accepted call runs `handler` on a new thread with a `ServerCall`; the handler
/// does blocking receives and sends on it. When the handler returns, the server finishes the call
/// with `UNKNOWN` ("handler did not finish") unless the handler called `finish`, then frees it.
///
/// The handler routes by `ServerCall.method`; unknown methods should be answered with
/// `.unimplemented`.
///
/// Threading: all methods are thread-safe. Call `shutdown` explicitly; `deinit` only cleans up a
/// server that was never shut down, with no grace.
public final class Server: Sendable {
    /// The bound port (the one picked by the OS when the configuration asked for port 0).
    public let port: Int

    private let core: ServerHandle
    private let handler: @Sendable (ServerCall) -> Void
    private let state = ThreadCondition(State())

    private struct State: Sendable {
        enum Phase: Sendable {
            case created
            case running(accept: PThread)
            case stopping
            case stopped
        }

        var phase = Phase.created
        var activeCalls = 0
    }

    /// Creates a server and binds its port.
    ///
    /// - Throws: `TransportError` (`.bindFailed`) if the address cannot be bound or the TLS
    ///   certificate and key are rejected; `.invalidConfiguration` for mutual TLS without a CA.
    public init(configuration: ServerConfiguration, handler: @escaping @Sendable (ServerCall) -> Void) throws {
        if let tls = configuration.tls, tls.requireClientCertificate, tls.clientCAPEM == nil {
            throw TransportError(
                code: .invalidConfiguration,
                message: "requireClientCertificate needs clientCAPEM (the CA that signs client certificates)")
        }
        var options = cgrpc_server_options(
            max_receive_message_bytes: configuration.maxReceiveMessageBytes.channelArgumentValue,
            max_send_message_bytes: configuration.maxSendMessageBytes.channelArgumentValue,
            keepalive_time_ms: configuration.keepaliveTime.channelArgumentMilliseconds,
            keepalive_timeout_ms: configuration.keepaliveTimeout.channelArgumentMilliseconds,
            keepalive_permit_without_calls: 1,
            min_recv_ping_interval_without_data_ms: configuration.minPingIntervalWithoutData.channelArgumentMilliseconds,
            max_concurrent_streams: configuration.maxConcurrentStreams.channelArgumentValue,
            max_metadata_bytes: configuration.maxMetadataBytes.channelArgumentValue)
        guard let raw = cgrpc_server_create(&options) else {
            throw TransportError(code: .internalError, message: "the gRPC core could not create a server")
        }
        let bound: Int32
        if let tls = configuration.tls {
            bound = tls.certificateChainPEM.withCString { chain in
                tls.privateKeyPEM.withCString { key in
                    withOptionalCString(tls.clientCAPEM) { clientCA in
                        var credentials = cgrpc_server_tls(
                            certificate_chain_pem: chain, private_key_pem: key, client_ca_pem: clientCA,
                            client_cert_mode: tls.clientCAPEM == nil
                                ? CGRPC_CLIENT_CERT_NONE
                                : (tls.requireClientCertificate ? CGRPC_CLIENT_CERT_REQUIRE : CGRPC_CLIENT_CERT_REQUEST))
                        return cgrpc_server_add_port(raw, configuration.listen, &credentials)
                    }
                }
            }
        } else {
            bound = cgrpc_server_add_port(raw, configuration.listen, nil)
        }
        guard bound > 0 else {
            cgrpc_server_destroy(raw)
            let what = configuration.tls == nil ? "" : " (or the TLS certificate chain or private key is invalid)"
            throw TransportError(
                code: .bindFailed,
                message: "cannot listen on '\(configuration.listen)': address in use or not valid\(what)")
        }
        self.port = Int(bound)
        self.core = ServerHandle(raw)
        self.handler = handler
    }

    deinit {
        // Last resort only: the owner should have called shutdown(grace:).
        if case .stopped = state.withLock({ $0.phase }) {
            return
        }
        shutdown(grace: .zero)
    }

    /// The number of handlers currently running.
    public var activeCalls: Int {
        state.withLock { $0.activeCalls }
    }

    /// Starts accepting calls on a dedicated accept thread. Idempotent; a no-op after shutdown.
    public func start() {
        state.withLock { state in
            guard case .created = state.phase else {
                return
            }
            cgrpc_server_start(core.raw)
            let (core, handler, calls) = (self.core, self.handler, self.state)
            do {
                let accept = try PThread.start(name: "grpc-accept") {
                    Server.acceptLoop(core: core, handler: handler, state: calls)
                }
                state.phase = .running(accept: accept)
            } catch {
                // Without an accept thread nothing is served; the process is out of threads.
                preconditionFailure("cannot start the gRPC accept thread: \(error)")
            }
        }
    }

    /// Stops the server and blocks until it is fully released.
    ///
    /// Stops accepting at once; running calls get up to `grace` to finish; then every remaining
    /// call is cancelled (its handler sees `send` return false and `waitForCancellation` return
    /// true), all handler threads are waited for, and the server is destroyed. Idempotent: a
    /// concurrent or later call waits for the first to complete.
    ///
    /// Must not be called from a handler (it waits for every handler to return, its own too), and
    /// a handler blocked on something other than its call (a queue, a sleep) delays it.
    public func shutdown(grace: Duration) {
        enum Role {
            case stopper(accept: PThread?)
            case waiter
        }
        let role: Role = state.withLock { state in
            switch state.phase {
            case .created:
                state.phase = .stopping
                return .stopper(accept: nil)
            case .running(let accept):
                state.phase = .stopping
                return .stopper(accept: accept)
            case .stopping, .stopped:
                return .waiter
            }
        }
        guard case .stopper(let accept) = role else {
            state.wait(until: { if case .stopped = $0.phase { true } else { false } })
            return
        }
        cgrpc_server_shutdown(core.raw, grace.roundedUpMilliseconds)
        // The pending accept fails once shutdown started, so the loop ends.
        accept?.join()
        // Every call is cancelled by now; handlers return as soon as they notice.
        state.wait(until: { $0.activeCalls == 0 })
        cgrpc_server_destroy(core.raw)
        state.withLock { $0.phase = .stopped }
    }

    private static func acceptLoop(
        core: ServerHandle, handler: @escaping @Sendable (ServerCall) -> Void, state: ThreadCondition<State>
    ) {
        while let raw = cgrpc_server_accept(core.raw) {
            let call = ServerCall(taking: raw)
            state.withLock { $0.activeCalls += 1 }
            do {
                try PThread.detach(name: "grpc-call") {
                    handler(call)
                    call.complete()
                    state.withLock { $0.activeCalls -= 1 }
                }
            } catch {
                call.finish(.resourceExhausted, "server cannot start a thread for this call")
                call.complete()
                state.withLock { $0.activeCalls -= 1 }
            }
        }
    }
}

/// Owner of the C server handle.
final class ServerHandle: @unchecked Sendable {
    // @unchecked: the C server is safe to use from the accept thread and the shutting-down thread
    // at once; the pointer itself never changes, and `Server` orders destroy after both are done.
    let raw: OpaquePointer

    init(_ raw: OpaquePointer) {
        self.raw = raw
    }
}

/// Calls `body` with a C string for `string`, or with nil.
func withOptionalCString<R>(_ string: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
    guard let string else {
        return body(nil)
    }
    return string.withCString { body($0) }
}
