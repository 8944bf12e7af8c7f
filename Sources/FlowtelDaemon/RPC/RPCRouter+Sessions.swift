import FlowtelGRPC

extension RPCRouter {
    /// ListSessions, GetSessionSummary, ClearSessions, GetFlowSettings.
    func handleSessionCall(_ call: ServerCall) {
        call.finish(.unimplemented, "\(call.method) is not served yet")
    }
}
