import FlowtelCore
import FlowtelGRPC

extension RPCRouter {
    /// ListSessions, GetSessionSummary, ClearSessions, GetFlowSettings: the session table and
    /// the flow settings of the running flow engine.
    ///
    /// The request is decoded and validated first (INVALID_ARGUMENT names the bad field); then,
    /// without a flow engine (flowteld started without `--config`), the answer is
    /// FAILED_PRECONDITION.
    func handleSessionCall(_ call: ServerCall) {
        let method = call.method.split(separator: "/").last.map(String.init) ?? call.method
        do throws(RPCError) {
            let request = try call.receiveMessage() ?? []
            let response: [UInt8]
            switch method {
            case "ListSessions":
                let decoded = try OpsCodec.decodeListSessionsRequest(request)
                response = OpsCodec.encodeSessionList(try requireEngine(method).sessionList(decoded))
            case "GetSessionSummary":
                let family = try OpsCodec.decodeSessionSummaryRequest(request)
                response = OpsCodec.encodeSessionSummary(try requireEngine(method).sessionSummary(family: family))
            case "ClearSessions":
                let query = try OpsCodec.decodeClearSessionsRequest(request)
                let matcher = query.map(SessionMatcher.init)
                let cleared = try requireEngine(method).clearSessions { matcher?.matches($0) ?? true }
                response = OpsCodec.encodeClearSessionsResponse(cleared: UInt64(cleared))
            case "GetFlowSettings":
                response = OpsCodec.encodeFlowSettings(try requireEngine(method).flowSettings())
            default:
                preconditionFailure("handleSessionCall: \(call.method) is not a session method (RPCRouter.handle routes it)")
            }
            call.send(response)
            call.finish(.ok)
        } catch {
            call.finish(error.code, error.message)
        }
    }

    private func requireEngine(_ method: String) throws(RPCError) -> FlowEngineSink {
        guard let engine else {
            throw RPCError(
                code: .failedPrecondition,
                message: "\(method): no flow engine is running, so there is no session table; start flowteld with --config FILE")
        }
        return engine
    }
}
