import FlowtelCore
public import JunosConfig
public import FlowtelGRPC
import FlowtelTestSupport
public import Logging
public import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Everything flowteld needs to start.
public struct DaemonConfiguration: Sendable {
    /// The log directory unless `--log-dir` says otherwise.
    public static let defaultLogDirectory = "/var/log/flowtel"

    /// gRPC listen address, `HOST:PORT` (port 0 picks a free one).
    public var listen: String = "127.0.0.1:50051"
    /// Where flow-monitoring trace files go (`monitor security flow file`, `show log`).
    public var logDirectory: String = DaemonConfiguration.defaultLogDirectory
    /// TLS for the gRPC service; nil serves plaintext.
    public var tls: ServerTLS? = nil
    /// Bearer token every RPC but health must carry; nil disables the check.
    public var token: String? = nil
    /// Node name stamped on events (the device host-name).
    public var node: String = "flowtel"
    /// Event bus sizes.
    public var hub: EventHubConfiguration = EventHubConfiguration()
    /// Where to write the bound port once listening (for scripts and tests that use port 0).
    public var portFile: String? = nil
    /// Grace period for in-flight streams at shutdown.
    public var shutdownGrace: Duration = .seconds(5)
    /// Test support only: a synthetic producer for tests and benchmarks.
    public var testPublisher: TestPublisher.Spec? = nil
    /// Packet sources (capture files and interfaces), in order.
    public var captureSources: [CaptureSourceConfiguration] = []
    /// The device configuration the flow engine runs: when set, the sources' packets go
    /// through it and its RT_FLOW events are published; otherwise they go to ``packetSink``.
    public var device: DeviceConfig? = nil
    /// Flow-engine shards (SPUs): the configuration's `services flowtel spus`, else one per
    /// online processor.
    public var spus: Int = DaemonConfiguration.onlineProcessors
    /// The session table's capacity over all SPUs.
    public var maximumSessions: Int = 1 << 20
    /// Reads the device configuration again (SIGHUP); nil: SIGHUP is logged and ignored. Its
    /// error's description is logged as the reason the reload failed.
    public var reloadConfiguration: (@Sendable () throws -> DeviceConfig)? = nil
    /// Where the sources' decoded packets go when no flow engine runs (sources still decode
    /// and count every packet).
    public var packetSink: any PacketSink = DiscardingPacketSink()

    /// Defaults.
    public init() {}

    /// Processors online (at least 1, at most ``FlowtelService/spuLimit``).
    public static var onlineProcessors: Int {
        min(max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))), FlowtelService.spuLimit)
    }
}

/// Set by SIGHUP's handler (async-signal-safe: one atomic store); the flow-ager thread reloads.
private let reloadRequested = Atomic<Bool>(false)

/// flowteld as a service: the packet sources, the event hub, the gRPC server and its handlers,
/// and (until the flow engine lands) the test-support producer.
///
/// Shutdown order on SIGTERM/SIGINT: health turns NOT_SERVING, packet sources and producers
/// stop, the hub closes (every stream ends with UNAVAILABLE and the resume hint), the source
/// and producer threads are joined, then the server drains calls for the grace period and is
/// destroyed.
public final class Daemon: Service {
    private let configuration: DaemonConfiguration
    private let logger: Logger
    /// The event bus (tests publish into it directly).
    public let hub: EventHub
    /// The packet sources.
    public let sources: PacketSources
    private let router: RPCRouter
    private let server: Server
    private let boundPort: Int
    /// The flow engine, when a device configuration was given.
    public let engine: FlowEngineSink?
    /// Flow monitoring, with the flow engine.
    public let monitor: FlowMonitor?
    /// The chassis fault manager.
    public let chassis: ChassisService

    /// Opens the packet sources and binds the listen address; throws ``DaemonError`` naming the
    /// source that cannot be opened, or the transport's error when the address cannot be bound.
    public init(configuration: DaemonConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        let hub = EventHub(bootID: .random(), node: configuration.node, configuration: configuration.hub)
        self.hub = hub
        engine = configuration.device.map {
            FlowEngineSink(
                config: $0, hub: hub, shards: max(1, configuration.spus), maximumSessions: max(1, configuration.maximumSessions))
        }
        sources = try PacketSources.open(
            configuration.captureSources, sink: engine ?? configuration.packetSink, logger: logger)
        monitor = engine.map { FlowMonitor(logDirectory: configuration.logDirectory, engine: $0) }
        chassis = ChassisService(
            spus: engine?.shardCount ?? max(1, configuration.spus), config: configuration.device ?? DeviceConfig(), hub: hub,
            sources: sources, engine: engine, logger: logger, options: .init(logDirectory: configuration.logDirectory))
        router = try RPCRouter(
            hub: hub, token: configuration.token, sources: sources, engine: engine, monitor: monitor, chassis: chassis)
        var serverConfiguration = ServerConfiguration(listen: configuration.listen)
        serverConfiguration.tls = configuration.tls
        let router = self.router
        server = try Server(configuration: serverConfiguration) { call in router.handle(call) }
        boundPort = server.port
    }

    /// The bound gRPC port.
    public var port: Int { boundPort }

    /// Calls currently being served.
    public var activeCalls: Int { server.activeCalls }

    public func run() async throws {
        server.start()
        if let path = configuration.portFile {
            do {
                try writeFile(path, contents: "\(boundPort)\n")
            } catch {
                hub.close()
                await stopServer()
                throw error
            }
        }
        logger.info(
            "flowteld started",
            metadata: [
                "grpc.listen": "\(configuration.listen)", "grpc.port": "\(boundPort)",
                "grpc.tls": "\(configuration.tls != nil)", "boot.id": "\(hub.bootID)",
            ])
        for configuration in configuration.captureSources {
            logger.info("starting packet source", metadata: ["capture.source": "\(configuration)"])
        }
        do {
            try sources.start()
            // The test publisher's stream is exactly what it publishes (tests count on it):
            // its synthetic datapath has nothing for the chassis to watch.
            if configuration.testPublisher == nil { try chassis.start() }
        } catch {
            sources.stop()
            chassis.stop()
            hub.close()
            await stopServer()
            throw error
        }
        // The engine's clock: sessions age out between packets and after a capture ends. The
        // same thread reloads the configuration on SIGHUP.
        let ticking = Atomic<Bool>(true)
        var tickerThread: PThread? = nil
        if let engine {
            signal(SIGHUP) { _ in reloadRequested.store(true, ordering: .relaxed) }
            do {
                tickerThread = try PThread.start(name: "flow-ager") { [self] in
                    while ticking.load(ordering: .relaxed) {
                        if reloadRequested.exchange(false, ordering: .relaxed) { reloadFromSignal() }
                        engine.tick()
                        sleep(until: ContinuousClock.now.advanced(by: .seconds(1)), on: ContinuousClock()) {
                            !ticking.load(ordering: .relaxed) || reloadRequested.load(ordering: .relaxed)
                        }
                    }
                }
            } catch {
                sources.stop()
                hub.close()
                await stopServer()
                throw error
            }
        }
        var publisherThread: PThread? = nil
        if let spec = configuration.testPublisher {
            let publisher = TestPublisher(spec: spec, hub: hub)
            do {
                publisherThread = try PThread.start(name: "test-publisher") { publisher.run() }
            } catch {
                sources.stop()
                hub.close()
                await stopServer()
                throw error
            }
            logger.warning("test-support publisher enabled: \(spec)")
        }

        try? await gracefulShutdown()

        logger.info("flowteld shutting down", metadata: ["grpc.active_calls": "\(server.activeCalls)"])
        router.health.setAll(.notServing)
        router.health.stopWatches()
        // Injected stalls end first: nothing may hold the engine while the rest stops.
        chassis.stop()
        sources.stop()
        // Trace lines still buffered go to the file.
        _ = monitor?.stop()
        ticking.store(false, ordering: .relaxed)
        hub.close()
        tickerThread?.join()
        await stopServer(after: publisherThread)
        logger.info("flowteld stopped")
    }

    /// Applies a new device configuration to the running flow engine (a commit): the sessions
    /// it removes close and their events are published. Refused (nothing changes) without a
    /// flow engine, or when it adds `security flow traceoptions` while flow monitoring runs.
    /// Returns how many sessions closed.
    public func reload(config: DeviceConfig) throws(DaemonError) -> Int {
        guard let engine else { throw DaemonError("flowteld runs no flow engine (start it with --config)") }
        let adding = config.flow.traceOptions != nil && engine.config.flow.traceOptions == nil
        guard let monitor else {
            chassis.apply(config: config)
            return engine.reload(config: config)
        }
        // Under the monitor's lock: monitoring cannot start between the check and the apply.
        var closed = 0
        if let refusal = monitor.commit(addingTraceoptions: adding, apply: { closed = engine.reload(config: config) }) {
            throw DaemonError(refusal)
        }
        chassis.apply(config: config)
        return closed
    }

    /// SIGHUP: reads the configuration again and applies it; failures are logged and change
    /// nothing.
    private func reloadFromSignal() {
        guard let load = configuration.reloadConfiguration else {
            logger.warning("SIGHUP: no configuration file to reload")
            return
        }
        do {
            let config = try load()
            let closed = try reload(config: config)
            logger.notice("configuration reloaded", metadata: ["sessions.closed": "\(closed)"])
        } catch {
            logger.error("configuration not reloaded: \(error)")
        }
    }

    /// Joins the packet source and producer threads, then shuts the server down (blocking for up
    /// to the grace period), on a thread of its own: none of it may block the cooperative pool.
    private func stopServer(after producer: PThread? = nil) async {
        let server = self.server
        let sources = self.sources
        let grace = configuration.shutdownGrace
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let stop: @Sendable () -> Void = {
                sources.stop()
                sources.join()
                producer?.join()
                server.shutdown(grace: grace)
                continuation.resume()
            }
            do {
                try PThread.detach(name: "grpc-shutdown", stop)
            } catch {
                stop()
            }
        }
    }
}

/// Writes a small file atomically (write to a temporary name, then rename).
func writeFile(_ path: String, contents: String) throws {
    let temporary = path + ".tmp"
    guard let file = fopen(temporary, "w") else {
        throw DaemonError("cannot write \(temporary): \(String(cString: strerror(errno)))")
    }
    fputs(contents, file)
    fclose(file)
    guard rename(temporary, path) == 0 else {
        throw DaemonError("cannot rename \(temporary) to \(path): \(String(cString: strerror(errno)))")
    }
}

/// A daemon start-up or runtime failure with a message for the operator.
public struct DaemonError: Error, CustomStringConvertible {
    /// What went wrong and what to do.
    public var message: String
    /// Creates an error.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
