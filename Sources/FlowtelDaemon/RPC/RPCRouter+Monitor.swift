import FlowtelGRPC

extension RPCRouter {
    /// The flow-monitoring calls and ReadLog.
    func handleMonitorCall(_ call: ServerCall) {
        call.finish(.unimplemented, "\(call.method) is not served yet")
    }
}
