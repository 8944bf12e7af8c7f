import FlowtelCore
public import FlowtelGRPC
import JunosConfig
import Logging

/// Dispatches every accepted call to its handler, after the bearer-token check.
///
/// Runs on the call's own thread (one per call, from `Server`). Health stays open without a
/// token so probes work; every other method, Subscribe included, requires it when configured.
public final class RPCRouter: Sendable {
    /// The methods of `flowtel.v1.Flowtel` that exist in the contract.
    static let flowtelMethods: Set<String> = [
        "Subscribe", "ListSessions", "GetSessionSummary", "ClearSessions", "GetFlowSettings", "GetFlowStatistics",
        "SetMonitorFilter", "ClearMonitorFilter", "SetMonitorFile", "StartMonitor", "StopMonitor", "GetMonitorStatus",
        "ReadLog", "ListFpcs", "GetFpcErrors", "GetFpcErrorHistory", "RequestFpc", "ListAlarms", "ClearAlarms",
        "GetWedgeDetect", "InjectError", "InjectWedge", "ListSubscribers",
    ]
    /// Fully qualified names of the services this daemon serves.
    public static let serviceNames = [
        "flowtel.v1.Flowtel", "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
        "grpc.reflection.v1alpha.ServerReflection",
    ]

    private let hub: EventHub
    private let sources: PacketSources
    let engine: FlowEngineSink?
    /// Flow monitoring (`monitor security flow …`), when the flow engine runs.
    let monitor: FlowMonitor?
    /// The chassis (FPCs, errors, alarms, wedge detection).
    let chassis: ChassisService
    /// Health statuses, for the daemon to flip on shutdown.
    public let health: HealthService
    private let reflection: ReflectionService
    private let token: String?

    /// Creates the router; `token` enables bearer-token authentication, `sources` are the packet
    /// sources whose counters `GetFlowStatistics` reports.
    public init(
        hub: EventHub, token: String?, sources: PacketSources = .none, engine: FlowEngineSink? = nil,
        monitor: FlowMonitor? = nil, chassis: ChassisService? = nil
    ) throws {
        self.hub = hub
        self.sources = sources
        self.engine = engine
        self.monitor = monitor
        // Without one (tests of other calls), a chassis nobody samples.
        self.chassis =
            chassis
            ?? ChassisService(
                spus: engine?.shardCount ?? 1, config: DeviceConfig(), hub: hub, sources: sources, engine: engine,
                logger: Logger(label: "flowteld.chassis"), options: .init(logDirectory: DaemonConfiguration.defaultLogDirectory))
        self.token = token
        health = HealthService(services: ["flowtel.v1.Flowtel"])
        reflection = try ReflectionService(services: Self.serviceNames)
    }

    /// Serves one call to completion.
    public func handle(_ call: ServerCall) {
        let method = call.method
        if method == HealthService.checkMethod || method == HealthService.watchMethod {
            health.handle(call)
            return
        }
        if let token, !authorized(call, token: token) {
            call.finish(.unauthenticated, "missing or invalid bearer token (send metadata 'authorization: Bearer <token>')")
            return
        }
        switch method {
        case ReflectionService.v1Method, ReflectionService.v1AlphaMethod:
            reflection.handle(call)
        case "/flowtel.v1.Flowtel/Subscribe":
            SubscribeHandler(hub: hub).handle(call)
        case "/flowtel.v1.Flowtel/ListSubscribers":
            handleListSubscribers(call)
        case "/flowtel.v1.Flowtel/GetFlowStatistics":
            handleFlowStatistics(call)
        case "/flowtel.v1.Flowtel/ListSessions", "/flowtel.v1.Flowtel/GetSessionSummary",
            "/flowtel.v1.Flowtel/ClearSessions", "/flowtel.v1.Flowtel/GetFlowSettings":
            handleSessionCall(call)
        case "/flowtel.v1.Flowtel/SetMonitorFilter", "/flowtel.v1.Flowtel/ClearMonitorFilter",
            "/flowtel.v1.Flowtel/SetMonitorFile", "/flowtel.v1.Flowtel/StartMonitor", "/flowtel.v1.Flowtel/StopMonitor",
            "/flowtel.v1.Flowtel/GetMonitorStatus", "/flowtel.v1.Flowtel/ReadLog":
            handleMonitorCall(call)
        case "/flowtel.v1.Flowtel/ListFpcs", "/flowtel.v1.Flowtel/GetFpcErrors", "/flowtel.v1.Flowtel/GetFpcErrorHistory", "/flowtel.v1.Flowtel/RequestFpc",
            "/flowtel.v1.Flowtel/ListAlarms", "/flowtel.v1.Flowtel/ClearAlarms", "/flowtel.v1.Flowtel/GetWedgeDetect",
            "/flowtel.v1.Flowtel/InjectError", "/flowtel.v1.Flowtel/InjectWedge":
            handleChassisCall(call)
        default:
            let prefix = "/flowtel.v1.Flowtel/"
            if method.hasPrefix(prefix), Self.flowtelMethods.contains(String(method.dropFirst(prefix.count))) {
                call.finish(.unimplemented, "\(method) is part of the flowtel.v1 contract but this daemon does not serve it yet")
            } else {
                call.finish(.unimplemented, "unknown method \(method)")
            }
        }
    }

    private func authorized(_ call: ServerCall, token: String) -> Bool {
        let expected = "Bearer " + token
        return call.metadata("authorization").contains { constantTimeEqual($0, expected) }
    }

    private func handleListSubscribers(_ call: ServerCall) {
        do {
            _ = try call.receiveMessage()
        } catch {
            call.finish(error.code, error.message)
            return
        }
        call.send(OpsCodec.encodeSubscribers(hub.statistics()))
        call.finish(.ok)
    }
}

extension RPCRouter {
    /// `GetFlowStatistics`: the packet sources' counters and their sums. The request has no
    /// field, so any well-framed message is accepted.
    fileprivate func handleFlowStatistics(_ call: ServerCall) {
        do {
            _ = try call.receiveMessage()
        } catch {
            call.finish(error.code, error.message)
            return
        }
        var statistics = FlowStatistics(summing: sources.statistics())
        if let (sessions, counters) = engine?.statistics() {
            statistics.currentSessions = UInt64(sessions)
            statistics.packetsForwarded = counters.packetsForwarded
            statistics.packetsTransmitted = counters.packetsForwarded
        }
        call.send(OpsCodec.encodeFlowStatistics(statistics))
        call.finish(.ok)
    }
}

/// Compares two strings in time independent of where they differ (token checks).
func constantTimeEqual(_ lhs: String, _ rhs: String) -> Bool {
    let a = Array(lhs.utf8)
    let b = Array(rhs.utf8)
    var difference = UInt8(a.count == b.count ? 0 : 1)
    for index in 0..<max(a.count, b.count) {
        difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
    }
    return difference == 0
}
