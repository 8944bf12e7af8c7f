import FlowtelCore
import FlowtelGRPC

#if canImport(Glibc)
import Glibc
#endif

extension RPCRouter {
    /// The flow-monitoring calls and ReadLog. Without a flow engine there is nothing to
    /// monitor: FAILED_PRECONDITION.
    func handleMonitorCall(_ call: ServerCall) {
        let request: [UInt8]
        do {
            request = try call.receiveMessage() ?? []
        } catch {
            call.finish(error.code, error.message)
            return
        }
        guard let monitor else {
            call.finish(
                .failedPrecondition,
                "flow monitoring needs the flow engine: start flowteld with a device configuration (--config)")
            return
        }
        let method = call.method.split(separator: "/").last.map(String.init) ?? ""
        if method == "ReadLog" {
            readLog(call, request: request, monitor: monitor)
            return
        }
        do {
            let status: MonitorStatus
            switch method {
            case "SetMonitorFilter":
                status = try monitor.setFilter(OpsCodec.decodeSetMonitorFilter(request))
            case "ClearMonitorFilter":
                status = try monitor.clearFilter(named: OpsCodec.decodeClearMonitorFilter(request))
            case "SetMonitorFile":
                status = try monitor.setFile(OpsCodec.decodeSetMonitorFile(request))
            case "StartMonitor":
                status = try monitor.start()
            case "StopMonitor":
                status = monitor.stop()
            default:
                status = monitor.status()
            }
            call.send(OpsCodec.encodeMonitorStatus(status))
            call.finish(.ok)
        } catch let error as MonitorError {
            call.finish(Self.statusCode(error.code), error.message)
        } catch let error as DecodeError {
            call.finish(.invalidArgument, error.message)
        } catch {
            call.finish(.internalError, "\(error)")
        }
    }

    /// `ReadLog`: streams the file in 64 KiB chunks.
    private func readLog(_ call: ServerCall, request: [UInt8], monitor: FlowMonitor) {
        let path: String
        do {
            path = try monitor.logFilePath(OpsCodec.decodeReadLogRequest(request))
        } catch let error as MonitorError {
            call.finish(Self.statusCode(error.code), error.message)
            return
        } catch {
            call.finish(.invalidArgument, "\(error)")
            return
        }
        // open(2): ENOENT → NOT_FOUND; ELOOP (a symbolic link, refused by O_NOFOLLOW) →
        // INVALID_ARGUMENT; EACCES and the rest are the world's → FAILED_PRECONDITION.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else {
            let code = errno
            switch code {
            case ENOENT: call.finish(.notFound, "show log: \(path): no such file")
            case ELOOP: call.finish(.invalidArgument, "show log: \(path) is a symbolic link")
            default: call.finish(.failedPrecondition, "show log: cannot open \(path): \(systemErrorText(code))")
            }
            return
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            call.finish(.invalidArgument, "show log: \(path) is not a regular file")
            return
        }
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 1)
        defer { chunk.deallocate() }
        while true {
            // read(2): EINTR is retried; EIO and the like end the call with their reason.
            let count = read(descriptor, chunk.baseAddress, chunk.count)
            if count < 0 {
                if errno == EINTR { continue }
                call.finish(.internalError, "show log: reading \(path): \(systemErrorText(errno))")
                return
            }
            if count == 0 { break }
            guard call.send(OpsCodec.encodeReadLogChunk(UnsafeRawBufferPointer(rebasing: chunk[0..<count]))) else {
                return
            }
        }
        call.finish(.ok)
    }

    private static func statusCode(_ code: MonitorError.Code) -> StatusCode {
        switch code {
        case .invalidArgument: .invalidArgument
        case .notFound: .notFound
        case .failedPrecondition: .failedPrecondition
        case .resourceExhausted: .resourceExhausted
        // The log directory or a file in it: the host's state (permissions, space), which the
        // operator must fix, not a bug of ours.
        default: .failedPrecondition
        }
    }
}
