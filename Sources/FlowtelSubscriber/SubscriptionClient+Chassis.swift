public import FlowtelCore
import FlowtelGRPC

extension SubscriptionClient {
    /// `ListFpcs`: every slot of the chassis, in order (`show chassis fpc`).
    public func fpcs() throws -> [FpcStatus] {
        try OpsCodec.decodeFpcs(try chassisCall("ListFpcs", []))
    }

    /// `GetFpcErrors`: the error counters of FPC `slot`, or of every FPC when `slot` is nil
    /// (`show chassis fpc errors [slot N]`).
    public func fpcErrors(slot: UInt32?) throws -> [FpcErrorCounters] {
        try OpsCodec.decodeFpcErrors(try chassisCall("GetFpcErrors", OpsCodec.encodeFpcErrorsRequest(slot: slot)))
    }

    /// `GetFpcErrorHistory`: the error occurrences FPC `slot` (every FPC when nil) keeps, oldest
    /// first (`show chassis fpc errors [slot N] history`).
    public func fpcErrorHistory(slot: UInt32?) throws -> [FpcErrorRecord] {
        try OpsCodec.decodeFpcErrorHistory(
            try chassisCall("GetFpcErrorHistory", OpsCodec.encodeFpcErrorsRequest(slot: slot)))
    }

    /// `RequestFpc` (`request chassis fpc slot N offline|online|restart`): returns the daemon's
    /// message saying what happened.
    public func requestFpc(slot: UInt32, action: FpcRequestKind) throws -> String {
        try OpsCodec.decodeRequestFpcResponse(
            try chassisCall("RequestFpc", OpsCodec.encodeRequestFpc(slot: slot, action: action)))
    }

    /// `ListAlarms`: the active chassis alarms, oldest first (`show chassis alarms`).
    public func alarms() throws -> [ActiveAlarm] {
        try OpsCodec.decodeAlarms(try chassisCall("ListAlarms", []))
    }

    /// `ClearAlarms`: clears alarm `alarmID`, or every alarm that may be cleared when it is 0
    /// (`clear chassis alarms`); returns how many were cleared.
    public func clearAlarms(alarmID: UInt64 = 0) throws -> UInt32 {
        try OpsCodec.decodeClearAlarmsResponse(try chassisCall("ClearAlarms", OpsCodec.encodeClearAlarms(alarmID: alarmID)))
    }

    /// `GetWedgeDetect`: FPC `slot`'s datapath watchdogs and wedge history
    /// (`show chassis fpc slot N wedge-detect`).
    public func wedgeDetect(slot: UInt32) throws -> WedgeDetectView {
        try OpsCodec.decodeWedgeDetect(try chassisCall("GetWedgeDetect", OpsCodec.encodeWedgeDetectRequest(slot: slot)))
    }

    /// `InjectError` (`request chassis fpc slot N inject-error ERROR-ID [count K] [pic P]`):
    /// reports `count` occurrences (0 = 1) of catalogued error `errorID`; returns the daemon's
    /// message.
    public func injectError(slot: UInt32, pic: UInt32, errorID: String, count: UInt64) throws -> String {
        let request = OpsCodec.encodeInjectErrorRequest(slot: slot, pic: pic, errorID: errorID, count: count)
        return try OpsCodec.decodeRequestFpcResponse(try chassisCall("InjectError", request))
    }

    /// `InjectWedge` (`request chassis fpc slot N inject-wedge STAGE duration SECONDS [pic P]`):
    /// stalls `stage` for `durationSeconds`; returns the daemon's message.
    public func injectWedge(slot: UInt32, pic: UInt32, stage: WedgeStage, durationSeconds: UInt32) throws -> String {
        let request = OpsCodec.encodeInjectWedgeRequest(slot: slot, pic: pic, stage: stage, durationSeconds: durationSeconds)
        return try OpsCodec.decodeRequestFpcResponse(try chassisCall("InjectWedge", request))
    }

    private func chassisCall(_ method: String, _ request: [UInt8]) throws(RPCError) -> [UInt8] {
        try channel.unary(
            method: "/flowtel.v1.Flowtel/" + method, request: request, metadata: configuration.metadata,
            timeout: .seconds(10))
    }
}
