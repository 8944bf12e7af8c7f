internal import CGRPC

/// The standard `grpc.health.v1.Health` service (Check and Watch), so Kubernetes probes,
/// `grpc_health_probe` and grpcio's health client work against flowteld.
///
/// Statuses are kept per service name; "" is the server as a whole. Thread-safe.
public final class HealthService: Sendable {
    /// `/grpc.health.v1.Health/Check`.
    public static let checkMethod = "/grpc.health.v1.Health/Check"
    /// `/grpc.health.v1.Health/Watch`.
    public static let watchMethod = "/grpc.health.v1.Health/Watch"

    /// A service's serving status (the wire enum's values).
    public enum ServingStatus: Int32, Sendable {
        /// UNKNOWN.
        case unknown = 0
        /// SERVING.
        case serving = 1
        /// NOT_SERVING.
        case notServing = 2
        /// SERVICE_UNKNOWN (Watch only).
        case serviceUnknown = 3
    }

    private let lock = ConditionLock()
    private let state = StateBox()

    private final class StateBox: @unchecked Sendable {
        // @unchecked: mutated only while HealthService.lock is held.
        var statuses: [String: ServingStatus] = [:]
        var version: UInt64 = 0
        var stopped = false
    }

    /// Creates the service with every name in `services` (and "") SERVING.
    public init(services: [String]) {
        for name in services + [""] { state.statuses[name] = .serving }
    }

    /// Sets a service's status and wakes its watchers.
    public func set(_ service: String, _ status: ServingStatus) {
        lock.withLock {
            state.statuses[service] = status
            state.version += 1
            lock.broadcast()
        }
    }

    /// Sets every known service (and "") to `status`.
    public func setAll(_ status: ServingStatus) {
        lock.withLock {
            for name in state.statuses.keys { state.statuses[name] = status }
            state.version += 1
            lock.broadcast()
        }
    }

    /// Ends every Watch stream (server shutdown).
    public func stopWatches() {
        lock.withLock {
            state.stopped = true
            lock.broadcast()
        }
    }

    /// The status of `service`, nil when unknown.
    public func status(of service: String) -> ServingStatus? {
        lock.withLock { state.statuses[service] }
    }

    /// Serves one Check or Watch call (`call.method` tells which).
    public func handle(_ call: ServerCall) {
        let service: String
        do {
            guard let request = try call.receiveMessage() else {
                call.finish(.invalidArgument, "HealthCheckRequest missing")
                return
            }
            guard let name = Self.decodeService(request) else {
                call.finish(.invalidArgument, "HealthCheckRequest: malformed protobuf")
                return
            }
            service = name
        } catch {
            call.finish(error.code, error.message)
            return
        }
        if call.method == Self.checkMethod {
            guard let status = status(of: service) else {
                call.finish(.notFound, "unknown service '\(service)'")
                return
            }
            call.send(Self.encode(status))
            call.finish(.ok)
            return
        }
        watch(call, service: service)
    }

    private func watch(_ call: ServerCall, service: String) {
        var lastSent: ServingStatus? = nil
        var seenVersion: UInt64 = .max
        while !call.isCancelled {
            let (status, version, stopped) = lock.withLock { () -> (ServingStatus, UInt64, Bool) in
                if state.version == seenVersion && !state.stopped {
                    lock.wait(untilNanos: MonotonicClock.nowNanos() + 200_000_000)
                }
                return (state.statuses[service] ?? .serviceUnknown, state.version, state.stopped)
            }
            if stopped {
                // Tell the watcher the final status (NOT_SERVING at shutdown) before ending.
                if status != lastSent { call.send(Self.encode(status)) }
                call.finish(.unavailable, "server shutting down")
                return
            }
            seenVersion = version
            if status != lastSent {
                guard call.send(Self.encode(status)) else { return }
                lastSent = status
            }
        }
    }

    private static func decodeService(_ bytes: [UInt8]) -> String? {
        let unpacked = bytes.withUnsafeBufferPointer { buffer in
            grpc__health__v1__health_check_request__unpack(nil, buffer.count, buffer.baseAddress)
        }
        guard let request = unpacked else { return nil }
        defer { grpc__health__v1__health_check_request__free_unpacked(request, nil) }
        return String(protobufC: request.pointee.service)
    }

    private static func encode(_ status: ServingStatus) -> [UInt8] {
        var response = Grpc__Health__V1__HealthCheckResponse()
        grpc__health__v1__health_check_response__init(&response)
        response.status = Grpc__Health__V1__HealthCheckResponse__ServingStatus(UInt32(status.rawValue))
        let size = grpc__health__v1__health_check_response__get_packed_size(&response)
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            count = grpc__health__v1__health_check_response__pack(&response, buffer.baseAddress)
        }
    }
}
