public import FlowtelCore
import FlowtelGRPC

extension SubscriptionClient {
    /// `ListSessions`: the sessions `request` selects, per SPU
    /// (`show security flow session [filters] [brief|extensive]`).
    public func sessions(_ request: SessionListRequest) throws -> SessionList {
        let response = try unary("ListSessions", OpsCodec.encodeListSessionsRequest(request))
        return try OpsCodec.decodeSessionList(response)
    }

    /// `GetSessionSummary`: the session-table counters, of one family ("inet", "inet6") or of
    /// both (empty) (`show security flow session summary`).
    public func sessionSummary(family: String = "") throws -> SessionSummary {
        let response = try unary("GetSessionSummary", OpsCodec.encodeSessionSummaryRequest(family: family))
        return try OpsCodec.decodeSessionSummary(response)
    }

    /// `ClearSessions`: ends the sessions `query` selects, or every session when `query` is nil
    /// (`clear security flow session [filters|all]`); returns how many were cleared.
    public func clearSessions(_ query: SessionFilter?) throws -> UInt64 {
        let request = OpsCodec.encodeClearSessionsRequest(query ?? SessionFilter(), all: query == nil)
        return try OpsCodec.decodeClearSessionsResponse(try unary("ClearSessions", request))
    }

    /// `GetFlowSettings`: the `security flow` settings the engine runs with (`show security flow`).
    public func flowSettings() throws -> SecurityFlowSettings {
        try OpsCodec.decodeFlowSettings(try unary("GetFlowSettings", []))
    }

    private func unary(_ method: String, _ request: [UInt8]) throws(RPCError) -> [UInt8] {
        try channel.unary(
            method: "/flowtel.v1.Flowtel/" + method, request: request, metadata: configuration.metadata,
            timeout: .seconds(10))
    }
}
