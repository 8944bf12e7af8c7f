import FaultManager
import FlowtelCore
import FlowtelGRPC

extension RPCRouter {
    /// The chassis calls: `show chassis fpc [errors]`, `show chassis alarms`, `clear chassis
    /// alarms`, `request chassis fpc slot N …`, `show chassis fpc slot N wedge-detect`, and the
    /// test-only fault injection.
    ///
    /// A slot the chassis does not have, an unknown error id or a stage the card does not watch
    /// is INVALID_ARGUMENT; a request the FPC's state refuses (`online` of an online FPC) is
    /// FAILED_PRECONDITION; fault injection without `system diagnostics fault-injection` is
    /// PERMISSION_DENIED.
    func handleChassisCall(_ call: ServerCall) {
        let method = call.method.split(separator: "/").last.map(String.init) ?? call.method
        do throws(RPCError) {
            let request = try call.receiveMessage() ?? []
            let response: [UInt8]
            switch method {
            case "ListFpcs":
                response = OpsCodec.encodeFpcs(chassis.fpcs())
            case "GetFpcErrors":
                let slot = try OpsCodec.decodeFpcErrorsRequest(request)
                if let slot { try checkSlot(slot) }
                response = OpsCodec.encodeFpcErrors(try Self.invalid { () throws(FaultError) in try chassis.errors(slot: slot) })
            case "GetFpcErrorHistory":
                let slot = try OpsCodec.decodeFpcErrorsRequest(request)
                if let slot { try checkSlot(slot) }
                response = OpsCodec.encodeFpcErrorHistory(chassis.errorHistory(slot: slot))
            case "RequestFpc":
                let (slot, action) = try OpsCodec.decodeRequestFpc(request)
                try checkSlot(slot)
                let message = try Self.refused { () throws(FaultError) in try chassis.request(action, slot: slot) }
                response = OpsCodec.encodeRequestFpcResponse(message)
            case "ListAlarms":
                response = OpsCodec.encodeAlarms(chassis.alarms())
            case "ClearAlarms":
                _ = try OpsCodec.decodeClearAlarms(request)
                response = OpsCodec.encodeClearAlarmsResponse(cleared: UInt32(clamping: chassis.clearAlarms()))
            case "GetWedgeDetect":
                let slot = try OpsCodec.decodeWedgeDetectRequest(request)
                try checkSlot(slot)
                response = OpsCodec.encodeWedgeDetect(try Self.invalid { () throws(FaultError) in try chassis.wedgeDetect(slot: slot) })
            case "InjectError":
                let (slot, pic, id, count) = try OpsCodec.decodeInjectErrorRequest(request)
                try checkInjection()
                try checkSlot(slot)
                let message = try Self.invalid { () throws(FaultError) in
                    try chassis.injectError(id, slot: slot, pic: pic, count: count)
                }
                response = OpsCodec.encodeRequestFpcResponse(message)
            case "InjectWedge":
                let (slot, pic, stage, seconds) = try OpsCodec.decodeInjectWedgeRequest(request)
                try checkInjection()
                try checkSlot(slot)
                let message = try Self.invalid { () throws(FaultError) in
                    try chassis.injectWedge(stage, slot: slot, pic: pic, seconds: seconds)
                }
                response = OpsCodec.encodeRequestFpcResponse(message)
            default:
                preconditionFailure("handleChassisCall: \(call.method) is not a chassis method (RPCRouter.handle routes it)")
            }
            call.send(response)
            call.finish(.ok)
        } catch {
            call.finish(error.code, error.message)
        }
    }

    private func checkSlot(_ slot: UInt32) throws(RPCError) {
        let count = chassis.fpcs().count
        guard Int(slot) < count else {
            throw RPCError(code: .invalidArgument, message: "slot: no FPC in slot \(slot) (this chassis has FPC 0 to \(count - 1))")
        }
    }

    private func checkInjection() throws(RPCError) {
        if let refusal = chassis.injectionRefusal { throw RPCError(code: .permissionDenied, message: refusal) }
    }

    private static func invalid<T>(_ body: () throws(FaultError) -> T) throws(RPCError) -> T {
        do {
            return try body()
        } catch {
            throw RPCError(code: .invalidArgument, message: error.message)
        }
    }

    private static func refused<T>(_ body: () throws(FaultError) -> T) throws(RPCError) -> T {
        do {
            return try body()
        } catch {
            throw RPCError(code: .failedPrecondition, message: error.message)
        }
    }
}
