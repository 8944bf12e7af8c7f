import ArgumentParser
import FlowtelDaemon
import FlowtelGRPC
import Logging
import ServiceLifecycle
import UnixSignals

#if canImport(Glibc)
import Glibc
#endif

/// flowteld: the flowtel daemon.
@main
struct Flowteld: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flowteld",
        abstract: "Stream firewall session and chassis fault telemetry over gRPC.",
        discussion: """
            Serves flowtel.v1.Flowtel (Subscribe and the operational RPCs), grpc.health.v1.Health and \
            gRPC server reflection. Stops gracefully on SIGTERM or SIGINT.
            """)

    @Option(help: "gRPC listen address, HOST:PORT (port 0 picks a free port).")
    var listen = "127.0.0.1:50051"

    @Option(help: "Write the bound port to this file once listening.")
    var portFile: String?

    @Option(help: "Node name stamped on every event (default: the host name).")
    var node: String?

    @Option(help: "Bytes of events kept for subscribers to resume from.")
    var replayBufferSize = 256 << 20

    @Option(help: "Bytes a subscriber may fall behind before its slow-consumer policy applies.")
    var subscriberQueueSize = 16 << 20

    @Option(help: "File holding the bearer token every RPC but health must carry.")
    var tokenFile: String?

    @Option(help: "PEM certificate chain: serve TLS.")
    var tlsCert: String?

    @Option(help: "PEM private key of --tls-cert.")
    var tlsKey: String?

    @Option(help: "PEM CA bundle that client certificates must chain to (mutual TLS).")
    var tlsClientCA: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    @Option(help: .hidden)
    var testPublisher: String?

    func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("--log-level: expected trace, debug, info, notice, warning, error or critical")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "flowteld")
        // gRPC core's own diagnostics (handshake failures, socket errors) go to our log at
        // debug level; flowteld reports what matters to operators itself.
        let coreLogger = Logger(label: "flowteld.grpc-core")
        TransportLog.route(minimumSeverity: .error) { _, message in
            coreLogger.debug("\(message)")
        }

        var configuration = DaemonConfiguration()
        configuration.listen = listen
        configuration.portFile = portFile
        configuration.node = node ?? Self.hostName()
        configuration.hub.replayBytes = replayBufferSize
        configuration.hub.subscriberQueueBytes = subscriberQueueSize
        do {
            if let tokenFile {
                let token = try readSmallTextFile(tokenFile, what: "--token-file", limit: 4096)
                    .split(whereSeparator: \.isWhitespace).first.map(String.init) ?? ""
                guard !token.isEmpty else { throw ValidationError("--token-file \(tokenFile) is empty") }
                configuration.token = token
            }
            if let cert = tlsCert, let key = tlsKey {
                configuration.tls = try ServerTLS.load(
                    certificateChainFile: cert, privateKeyFile: key, clientCAFile: tlsClientCA,
                    requireClientCertificate: tlsClientCA != nil)
            }
        } catch let error as TransportError {
            throw ValidationError(error.message)
        }
        switch (tlsCert, tlsKey) {
        case (_?, _?):
            break
        case (nil, nil):
            guard tlsClientCA == nil else { throw ValidationError("--tls-client-ca needs --tls-cert and --tls-key") }
        default:
            throw ValidationError("--tls-cert and --tls-key go together")
        }
        if let testPublisher {
            guard let spec = TestPublisher.Spec(testPublisher) else {
                throw ValidationError("--test-publisher: expected 'samples' or 'sessions:N'")
            }
            configuration.testPublisher = spec
        }

        let daemon: Daemon
        do {
            daemon = try Daemon(configuration: configuration, logger: logger)
        } catch {
            logger.critical("cannot start: \(error)")
            throw ExitCode(1)
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: daemon)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                cancellationSignals: [],
                logger: logger))
        try await group.run()
    }

    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "flowtel" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

}
