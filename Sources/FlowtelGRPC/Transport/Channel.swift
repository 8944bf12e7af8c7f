internal import CGRPC
internal import Synchronization

/// TLS settings for a client channel.
public struct ChannelTLS: Sendable {
    /// CA bundle to verify the server with, PEM; `nil` uses gRPC's default roots.
    public var rootCAPEM: String?
    /// Client certificate chain for mutual TLS, PEM (with `privateKeyPEM`).
    public var certificateChainPEM: String?
    /// Private key of the client certificate, PEM.
    public var privateKeyPEM: String?
    /// Host name to check the server certificate against instead of the target's host.
    public var serverNameOverride: String?

    /// Creates TLS settings; all fields optional.
    public init(
        rootCAPEM: String? = nil, certificateChainPEM: String? = nil, privateKeyPEM: String? = nil,
        serverNameOverride: String? = nil
    ) {
        self.rootCAPEM = rootCAPEM
        self.certificateChainPEM = certificateChainPEM
        self.privateKeyPEM = privateKeyPEM
        self.serverNameOverride = serverNameOverride
    }
}

/// Where and how a `Channel` connects.
public struct ChannelConfiguration: Sendable {
    /// gRPC target: `host:port`, `dns:///host:port`, `ipv4:127.0.0.1:50051`, `unix:/path`.
    public var target: String
    /// TLS settings; `nil` connects in plaintext.
    public var tls: ChannelTLS?
    /// Keepalive ping interval (agreed with the server's 10 s minimum, so never `too_many_pings`).
    public var keepaliveTime: Duration = .seconds(30)
    /// How long a keepalive ping may go unanswered before the connection is dropped.
    public var keepaliveTimeout: Duration = .seconds(10)
    /// Largest response message accepted.
    public var maxReceiveMessageBytes: Int = 64 << 20
    /// Let HTTP/2 BDP probing grow the receive window. Off keeps the window at 64 KiB, so a slow
    /// reader pushes back on the server sooner, at some cost in throughput.
    public var bdpProbe: Bool = true

    /// A plaintext configuration with default keepalive and limits.
    public init(target: String) {
        self.target = target
    }
}

/// A client connection (pool) to one target. Connects lazily, reconnects as needed.
///
/// Threading: thread-safe. `unary` blocks the calling thread; keep it off the cooperative pool.
/// Call `close()` when done; streams already started keep working after it.
public final class Channel: Sendable {
    private let handle: Mutex<ChannelHandle?>

    /// Creates a channel.
    /// - Throws: `TransportError` when the TLS settings are unusable.
    public init(configuration: ChannelConfiguration) throws {
        if let tls = configuration.tls, (tls.certificateChainPEM == nil) != (tls.privateKeyPEM == nil) {
            throw TransportError(
                code: .invalidConfiguration,
                message: "a client certificate needs both certificateChainPEM and privateKeyPEM")
        }
        let tls = configuration.tls
        let raw = withOptionalCString(tls?.rootCAPEM) { roots in
            withOptionalCString(tls?.certificateChainPEM) { chain in
                withOptionalCString(tls?.privateKeyPEM) { key in
                    withOptionalCString(tls?.serverNameOverride) { serverName in
                        var options = cgrpc_channel_options(
                            use_tls: tls == nil ? 0 : 1,
                            root_certificates_pem: roots,
                            certificate_chain_pem: chain,
                            private_key_pem: key,
                            server_name_override: serverName,
                            keepalive_time_ms: configuration.keepaliveTime.channelArgumentMilliseconds,
                            keepalive_timeout_ms: configuration.keepaliveTimeout.channelArgumentMilliseconds,
                            max_receive_message_bytes: configuration.maxReceiveMessageBytes.channelArgumentValue,
                            bdp_probe: configuration.bdpProbe ? 1 : 0)
                        return cgrpc_channel_create(configuration.target, &options)
                    }
                }
            }
        }
        guard let raw else {
            throw TransportError(
                code: .invalidConfiguration, message: "cannot create credentials for '\(configuration.target)'")
        }
        handle = Mutex(ChannelHandle(raw))
    }

    deinit {
        close()
    }

    /// Makes a unary call and blocks until it completes.
    ///
    /// - Parameters:
    ///   - method: full path, e.g. `/flowtel.v1.Flowtel/GetStatus`.
    ///   - metadata: request headers; keys are lower-cased (`authorization`, ...).
    ///   - timeout: deadline from now; `nil` waits indefinitely.
    /// - Returns: the response message.
    /// - Throws: `RPCError` with the call's status when it is not OK (`.unavailable` when the
    ///   server cannot be reached or the channel is closed, `.deadlineExceeded`, ...).
    public func unary(
        method: String, request: [UInt8], metadata: [(String, String)] = [], timeout: Duration? = nil
    ) throws(RPCError) -> [UInt8] {
        let call = try start(method: method, request: request, metadata: metadata, timeout: timeout, unary: true)
        defer { cgrpc_client_call_destroy(call) }
        var length = 0
        let result = cgrpc_client_call_wait(call, &length)
        let status = ClientStream.status(of: call)
        guard status.code == .ok else {
            throw status
        }
        guard result == CGRPC_RESULT_OK else {
            throw RPCError(code: .internalError, message: "server sent OK without a response message")
        }
        return [UInt8](unsafeUninitializedCapacity: length) { buffer, count in
            cgrpc_client_call_read_message(call, buffer.baseAddress)
            count = length
        }
    }

    /// Starts a server-streaming call. Does not block: connection errors surface from the first
    /// `receive`.
    ///
    /// - Returns: the stream; its owner must `close()` it.
    /// - Throws: `RPCError` (`.unavailable`) if the channel is closed, `.invalidArgument` for a
    ///   malformed metadata key.
    public func serverStream(
        method: String, request: [UInt8], metadata: [(String, String)] = [], timeout: Duration? = nil
    ) throws(RPCError) -> ClientStream {
        ClientStream(taking: try start(method: method, request: request, metadata: metadata, timeout: timeout, unary: false))
    }

    /// Releases the channel. Idempotent; later calls fail with `.unavailable`.
    public func close() {
        let closing = handle.withLock { handle in
            let current = handle
            handle = nil
            return current
        }
        if let closing {
            cgrpc_channel_destroy(closing.raw)
        }
    }

    private func start(
        method: String, request: [UInt8], metadata: [(String, String)], timeout: Duration?, unary: Bool
    ) throws(RPCError) -> OpaquePointer {
        for (key, _) in metadata where !Channel.isValidMetadataKey(key.lowercased()) {
            throw RPCError(code: .invalidArgument, message: "invalid metadata key '\(key)'")
        }
        // No deadline is 0 for the shim; an already-expired one still gets 1 ms.
        let timeoutMilliseconds = timeout.map { max(1, $0.roundedUpMilliseconds) } ?? 0
        let call: OpaquePointer? = handle.withLock { handle in
            guard let channel = handle?.raw else {
                return nil
            }
            return Channel.withMetadataEntries(metadata) { entries, count in
                request.withUnsafeBufferPointer { body in
                    unary
                        ? cgrpc_client_call_start_unary(
                            channel, method, body.baseAddress, body.count, entries, count, timeoutMilliseconds)
                        : cgrpc_client_call_start_stream(
                            channel, method, body.baseAddress, body.count, entries, count, timeoutMilliseconds)
                }
            }
        }
        guard let call else {
            throw RPCError(code: .unavailable, message: "channel is closed")
        }
        return call
    }

    private static func isValidMetadataKey(_ key: String) -> Bool {
        !key.isEmpty && !key.hasPrefix(":")
            && key.utf8.allSatisfy { byte in
                (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                    || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
            }
    }

    /// Lays the metadata out in one byte buffer and calls `body` with C entries pointing into it.
    private static func withMetadataEntries<R>(
        _ metadata: [(String, String)], _ body: (UnsafePointer<cgrpc_metadata_entry>?, Int) -> R
    ) -> R {
        if metadata.isEmpty {
            return body(nil, 0)
        }
        var bytes: [UInt8] = []
        var spans: [(key: Range<Int>, value: Range<Int>)] = []
        for (key, value) in metadata {
            let keyStart = bytes.count
            bytes.append(contentsOf: key.lowercased().utf8)
            let valueStart = bytes.count
            bytes.append(contentsOf: value.utf8)
            spans.append((keyStart..<valueStart, valueStart..<bytes.count))
        }
        return bytes.withUnsafeBufferPointer { storage in
            let base = storage.baseAddress!
            let entries = spans.map { span in
                cgrpc_metadata_entry(
                    key: base + span.key.lowerBound, key_length: span.key.count,
                    value: base + span.value.lowerBound, value_length: span.value.count)
            }
            return entries.withUnsafeBufferPointer { body($0.baseAddress, $0.count) }
        }
    }
}

/// Owner of the C channel handle.
final class ChannelHandle: @unchecked Sendable {
    // @unchecked: a C channel is thread-safe; `Channel` guards destroy against concurrent use.
    let raw: OpaquePointer

    init(_ raw: OpaquePointer) {
        self.raw = raw
    }
}
