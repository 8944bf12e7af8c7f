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
        if let tokenFile {
            let token = try Self.read(tokenFile, flag: "--token-file").trimmingCharacters(in: " \n\r\t")
            guard !token.isEmpty else { throw ValidationError("--token-file \(tokenFile) is empty") }
            configuration.token = token
        }
        switch (tlsCert, tlsKey) {
        case (let cert?, let key?):
            configuration.tls = ServerTLS(
                certificateChainPEM: try Self.read(cert, flag: "--tls-cert"),
                privateKeyPEM: try Self.read(key, flag: "--tls-key"),
                clientCAPEM: try tlsClientCA.map { try Self.read($0, flag: "--tls-client-ca") },
                requireClientCertificate: tlsClientCA != nil)
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

    static func read(_ path: String, flag: String) throws -> String {
        guard let file = fopen(path, "r") else {
            throw ValidationError("\(flag) \(path): \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&chunk, 1, chunk.count, file)
            if n <= 0 { break }
            data.append(contentsOf: chunk[0..<n])
        }
        return String(decoding: data, as: UTF8.self)
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        let scalars = Set(set.unicodeScalars)
        var slice = Substring(self)
        while let first = slice.unicodeScalars.first, scalars.contains(first) { slice = slice.dropFirst() }
        while let last = slice.unicodeScalars.last, scalars.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
