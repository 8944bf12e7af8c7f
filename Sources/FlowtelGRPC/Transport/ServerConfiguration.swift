/// TLS settings for a server's listening port.
public struct ServerTLS: Sendable {
    /// The server certificate chain, PEM (leaf first).
    public var certificateChainPEM: String
    /// The private key of the leaf certificate, PEM.
    public var privateKeyPEM: String
    /// CA bundle that client certificates must chain to, PEM. `nil`: clients are not asked for a
    /// certificate. Set without `requireClientCertificate`, a client certificate is optional but
    /// verified when presented.
    public var clientCAPEM: String?
    /// Mutual TLS: refuse clients without a certificate that verifies against `clientCAPEM`.
    public var requireClientCertificate: Bool

    /// Creates TLS settings; plain server TLS unless a client CA is given.
    public init(
        certificateChainPEM: String, privateKeyPEM: String, clientCAPEM: String? = nil,
        requireClientCertificate: Bool = false
    ) {
        self.certificateChainPEM = certificateChainPEM
        self.privateKeyPEM = privateKeyPEM
        self.clientCAPEM = clientCAPEM
        self.requireClientCertificate = requireClientCertificate
    }
}

/// How a `Server` listens and what it tolerates.
///
/// The keepalive defaults are agreed with `ChannelConfiguration`: the server accepts client pings
/// every `minPingIntervalWithoutData` (10 s), well below the client's 30 s keepalive, so a client is
/// never sent `too_many_pings`.
public struct ServerConfiguration: Sendable {
    /// `host:port` to bind, e.g. `127.0.0.1:0` (port 0 picks a free port; see `Server.port`) or
    /// `[::]:50051`.
    public var listen: String
    /// TLS for the port; `nil` serves plaintext.
    public var tls: ServerTLS?
    /// Largest request message accepted; larger ones fail the call with `RESOURCE_EXHAUSTED`.
    public var maxReceiveMessageBytes: Int = 4 << 20
    /// Largest response message the server sends.
    public var maxSendMessageBytes: Int = 64 << 20
    /// Interval of the server's own keepalive pings on each connection.
    public var keepaliveTime: Duration = .seconds(60)
    /// How long an unanswered keepalive ping may stay unanswered before the connection is dropped.
    public var keepaliveTimeout: Duration = .seconds(20)
    /// Shortest interval between client pings without data that is accepted (pings also allowed
    /// with no call open).
    public var minPingIntervalWithoutData: Duration = .seconds(10)
    /// HTTP/2 concurrent streams per connection.
    public var maxConcurrentStreams: Int = 1024
    /// Largest block of request metadata (headers) accepted.
    public var maxMetadataBytes: Int = 16 << 10

    /// A plaintext configuration with default limits.
    public init(listen: String) {
        self.listen = listen
    }
}
