import ArgumentParser
import FlowtelDaemon
import FlowtelGRPC
import JunosConfig
import Logging
import PacketIO
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
            gRPC server reflection, and reads packets from capture files and interfaces. Stops \
            gracefully on SIGTERM or SIGINT.

            Settings come from three places, the first that sets one wins: a command-line flag, \
            then the `services flowtel` statements of the --config file (`system host-name` for \
            --node), then the built-in default. --replay, --capture and --generate together \
            replace the configuration's `capture` statements. Relative paths in the configuration \
            are taken from the configuration file's directory.
            """)

    @Option(
        help: ArgumentHelp(
            "Junos configuration file (set or curly syntax): `services flowtel` settings and capture sources.",
            valueName: "file"))
    var config: String?

    @Option(help: "gRPC listen address, HOST:PORT (port 0 picks a free port; default 127.0.0.1:50051).")
    var listen: String?

    @Option(help: "Directory of flow-monitoring trace files (default \(DaemonConfiguration.defaultLogDirectory)).")
    var logDir: String?

    @Option(help: "Flow-engine shards (SPUs), 1-64 (default: services flowtel spus, else one per processor).")
    var spus: Int?

    @Option(help: "Session table capacity over all SPUs (default: services flowtel maximum-sessions, else 1048576).")
    var maxSessions: Int?

    @Option(help: "Write the bound port to this file once listening.")
    var portFile: String?

    @Option(help: "Node name stamped on every event (default: the configuration's system host-name, else the host name).")
    var node: String?

    @Option(help: "Bytes of events kept for subscribers to resume from (default 256 MiB).")
    var replayBufferSize: Int?

    @Option(help: "Bytes a subscriber may fall behind before its slow-consumer policy applies (default 16 MiB).")
    var subscriberQueueSize: Int?

    @Option(help: ArgumentHelp("Read this pcap or pcapng file once (repeatable).", valueName: "path"))
    var replay: [String] = []

    @Option(help: ArgumentHelp("Capture on this interface through libpcap, promiscuous (repeatable).", valueName: "name"))
    var capture: [String] = []

    @Option(
        help: ArgumentHelp(
            "Read every capture file at this many packets per second (default: as fast as they decode).",
            valueName: "pps"))
    var replayRate: Int?

    @Option(help: "Replay capture files at the pace of their timestamps times this factor (1: real time).")
    var speed: Double?

    @Flag(name: .customLong("max"), help: "Replay capture files as fast as they decode (the default).")
    var asFastAsPossible = false

    @Flag(help: "Replay capture files again and again; timestamps keep moving forward.")
    var loop = false

    @Option(
        help: ArgumentHelp(
            "Generate traffic for the --config file's policies, starting this many sessions per second.",
            valueName: "sessions/s"))
    var generate: Double?

    @Option(help: "Seed of the generated traffic (the same seed and configuration give the same sessions).")
    var generateSeed: UInt64 = 1

    @Option(help: "Stop generating after this many sessions (default: never).")
    var generateSessions: Int?

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

        let device = try loadConfiguration(logger: logger)
        let service = device?.config.flowtel ?? FlowtelService()
        let configurationDirectory = config.map(FlowtelService.directory(of:)) ?? "."
        func configured(_ path: String?) -> String? {
            path.map { FlowtelService.resolve($0, relativeTo: configurationDirectory) }
        }

        var configuration = DaemonConfiguration()
        configuration.listen = listen ?? service.listen(default: configuration.listen) ?? configuration.listen
        if let logDir { configuration.logDirectory = logDir }
        configuration.portFile = portFile
        configuration.node = node ?? device?.config.hostName ?? Self.hostName()
        // With a configuration, the flow engine runs on the packet sources and publishes RT_FLOW events.
        configuration.device = device?.config
        if let path = config {
            configuration.reloadConfiguration = {
                let text: String
                do {
                    text = try readSmallTextFile(path, what: "configuration", limit: 512 << 20)
                } catch {
                    throw DaemonError((error as? TransportError)?.message ?? "\(error)")
                }
                do {
                    let loaded = try DeviceConfig.load(text: text, file: path)
                    for warning in loaded.warnings { logger.warning("\(warning)") }
                    return loaded.config
                } catch let error as ConfigError {
                    throw DaemonError("\(error.location): error: \(error.message)")
                }
            }
        }
        if let spus = spus ?? service.spus {
            guard (1...FlowtelService.spuLimit).contains(spus) else {
                throw ValidationError("--spus must be 1 to \(FlowtelService.spuLimit)")
            }
            configuration.spus = spus
        }
        if let maximum = maxSessions ?? service.maximumSessions {
            guard (1...FlowtelService.sessionLimit).contains(maximum) else {
                throw ValidationError("--max-sessions must be 1 to \(FlowtelService.sessionLimit)")
            }
            configuration.maximumSessions = maximum
        }
        configuration.hub.replayBytes = replayBufferSize ?? service.replayBufferSize ?? configuration.hub.replayBytes
        configuration.hub.subscriberQueueBytes =
            subscriberQueueSize ?? service.subscriberQueueSize ?? configuration.hub.subscriberQueueBytes
        // Any source named on the command line replaces the configuration's `capture` statements.
        if replay.isEmpty && capture.isEmpty && generate == nil {
            configuration.captureSources = service.captureSourceConfigurations(relativeTo: configurationDirectory)
        } else {
            configuration.captureSources =
                replay.map { .file(path: $0) }
                + capture.map { .interface(LiveCapture.Configuration(interface: $0, promiscuous: true)) }
        }
        if replayRate != nil || speed != nil || asFastAsPossible || loop {
            let paces = [replayRate != nil, speed != nil, asFastAsPossible].filter { $0 }.count
            guard paces <= 1 else { throw ValidationError("--replay-rate, --speed and --max exclude each other") }
            if let replayRate, replayRate <= 0 { throw ValidationError("--replay-rate must be a positive number of packets per second") }
            if let speed, !(speed > 0 && speed.isFinite) { throw ValidationError("--speed must be a positive factor") }
            let pacing: ReplayOptions.Pacing =
                if let replayRate { .packetsPerSecond(replayRate) } else if let speed { .speed(speed) } else { .asFastAsPossible }
            configuration.captureSources = configuration.captureSources.map { source in
                guard case .file(let path, _) = source else { return source }
                return .file(path: path, replay: ReplayOptions(pacing: pacing, loop: loop))
            }
        }
        if let generate {
            guard generate > 0, generate.isFinite else { throw ValidationError("--generate must be a positive number of sessions per second") }
            guard let device else { throw ValidationError("--generate plays a configuration's policies: give --config") }
            if let generateSessions, generateSessions < 0 { throw ValidationError("--generate-sessions must not be negative") }
            var plan: TrafficPlan
            do {
                plan = try TrafficPlan(config: device.config)
                plan.spus = configuration.spus
            } catch {
                Self.printError("flowteld: --generate: \(config ?? ""): \(error)")
                throw ExitCode(1)
            }
            configuration.captureSources.append(
                .generator(
                    GeneratorSourceConfiguration(
                        plan: plan, sessionsPerSecond: generate, seed: generateSeed, sessions: generateSessions)))
        }
        if let policy = service.dropPolicy {
            // The operator's choice wins over what each subscriber asks.
            configuration.hub.slowConsumerPolicyOverride = policy == .disconnect ? .disconnect : .drop
        }
        let tokenFile = self.tokenFile ?? configured(service.authenticationTokenFile)
        let tlsCert = self.tlsCert ?? configured(service.tlsCertificate)
        let tlsKey = self.tlsKey ?? configured(service.tlsKey)
        let tlsClientCA = self.tlsClientCA ?? configured(service.tlsClientCA)
        do {
            if let tokenFile {
                let what = self.tokenFile != nil ? "--token-file" : "authentication-token-file"
                let token = try readSmallTextFile(tokenFile, what: what, limit: 4096)
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
                throw ValidationError("--test-publisher: expected 'samples' or 'sessions:N[,rate=R][,subscribers=S]'")
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

    /// Loads --config: nil without one. Warnings go to the log; an unreadable file or an error
    /// in it is printed as `FILE:LINE:COLUMN: error: MESSAGE` and exits with status 1.
    func loadConfiguration(logger: Logger) throws -> (config: DeviceConfig, warnings: [ConfigWarning])? {
        guard let config else { return nil }
        let text: String
        do {
            text = try readSmallTextFile(config, what: "configuration", limit: 512 << 20)
        } catch {
            Self.printError("flowteld: \(error.message)")
            throw ExitCode(1)
        }
        let loaded: (config: DeviceConfig, warnings: [ConfigWarning])
        do {
            loaded = try DeviceConfig.load(text: text, file: config)
        } catch {
            Self.printError("\(error.location): error: \(error.message)")
            throw ExitCode(1)
        }
        for warning in loaded.warnings { logger.warning("\(warning)") }
        logger.info("configuration loaded", metadata: ["config.file": "\(config)"])
        return loaded
    }

    static func printError(_ message: String) {
        let line = Array((message + "\n").utf8)
        line.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
    }

    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "flowtel" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

}
