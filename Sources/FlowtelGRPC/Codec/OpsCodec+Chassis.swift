internal import CGRPC
public import FlowtelCore

/// The chassis messages: `show chassis fpc [errors]`, `request chassis fpc`, `show chassis
/// alarms`, `clear chassis alarms`.
extension OpsCodec {
    // MARK: - show chassis fpc

    /// `ListFpcsResponse` for the chassis's slots.
    public static func encodeFpcs(_ fpcs: [FpcStatus]) -> [UInt8] {
        let arena = Arena()
        var message = Flowtel__V1__ListFpcsResponse()
        flowtel__v1__list_fpcs_response__init(&message)
        let list = arena.allocate(UnsafeMutablePointer<Flowtel__V1__FpcInfo>?.self, count: fpcs.count)
        for (index, fpc) in fpcs.enumerated() {
            let info = arena.allocate(Flowtel__V1__FpcInfo.self)
            flowtel__v1__fpc_info__init(info)
            info.pointee.slot = fpc.slot
            info.pointee.fpc_type = Flowtel__V1__FpcType(UInt32(fpc.fpcType.rawValue))
            info.pointee.state = Flowtel__V1__FpcState(UInt32(fpc.state.rawValue))
            info.pointee.uptime_seconds = fpc.uptimeSeconds
            info.pointee.pics = fpc.pics
            info.pointee.sessions = fpc.sessions
            list[index] = info
        }
        message.n_fpcs = fpcs.count
        message.fpcs = list
        return pack(&message, keeping: arena)
    }

    /// Decodes a `ListFpcsResponse`.
    public static func decodeFpcs(_ bytes: [UInt8]) throws(DecodeError) -> [FpcStatus] {
        try withUnpacked(
            bytes, flowtel__v1__list_fpcs_response__unpack, flowtel__v1__list_fpcs_response__free_unpacked,
            malformed: DecodeError("ListFpcsResponse: malformed protobuf")
        ) { (m) throws(DecodeError) -> [FpcStatus] in
            var fpcs: [FpcStatus] = []
            for index in 0..<m.n_fpcs {
                guard let info = m.fpcs[index]?.pointee else { continue }
                fpcs.append(FpcStatus(
                    slot: info.slot, fpcType: FpcType(rawValue: Int(info.fpc_type.rawValue)) ?? .spc2,
                    state: FpcState(rawValue: Int(info.state.rawValue)) ?? .present, uptimeSeconds: info.uptime_seconds,
                    pics: info.pics, sessions: info.sessions))
            }
            return fpcs
        }
    }

    // MARK: - show chassis fpc errors

    /// `FpcErrorsRequest`: one slot, or every slot when `slot` is nil.
    public static func encodeFpcErrorsRequest(slot: UInt32?) -> [UInt8] {
        var message = Flowtel__V1__FpcErrorsRequest()
        flowtel__v1__fpc_errors_request__init(&message)
        message.has_slot = slot == nil ? 0 : 1
        message.slot = slot ?? 0
        return pack(&message, keeping: nil)
    }

    /// Decodes a `FpcErrorsRequest`: the slot asked for, nil for all.
    public static func decodeFpcErrorsRequest(_ bytes: [UInt8]) throws(RPCError) -> UInt32? {
        try withUnpacked(
            bytes, flowtel__v1__fpc_errors_request__unpack, flowtel__v1__fpc_errors_request__free_unpacked,
            malformed: RPCError(code: .invalidArgument, message: "FpcErrorsRequest: malformed protobuf")
        ) { (m) throws(RPCError) -> UInt32? in
            m.has_slot != 0 ? m.slot : nil
        }
    }

    /// `FpcErrorsResponse` with one counter snapshot per FPC.
    public static func encodeFpcErrors(_ fpcs: [FpcErrorCounters]) -> [UInt8] {
        let arena = Arena()
        var message = Flowtel__V1__FpcErrorsResponse()
        flowtel__v1__fpc_errors_response__init(&message)
        let list = arena.allocate(UnsafeMutablePointer<Flowtel__V1__FpcErrorCounters>?.self, count: fpcs.count)
        for (index, counters) in fpcs.enumerated() {
            list[index] = EventEncoder.fpcErrorCounters(counters, arena: arena)
        }
        message.n_fpcs = fpcs.count
        message.fpcs = list
        return pack(&message, keeping: arena)
    }

    /// Decodes a `FpcErrorsResponse`.
    public static func decodeFpcErrors(_ bytes: [UInt8]) throws(DecodeError) -> [FpcErrorCounters] {
        try withUnpacked(
            bytes, flowtel__v1__fpc_errors_response__unpack, flowtel__v1__fpc_errors_response__free_unpacked,
            malformed: DecodeError("FpcErrorsResponse: malformed protobuf")
        ) { (m) throws(DecodeError) -> [FpcErrorCounters] in
            (0..<m.n_fpcs).compactMap { index in m.fpcs[index].map { EventDecoder.fpcErrorCounters($0) } }
        }
    }

    // MARK: - request chassis fpc

    /// `RequestFpcRequest`: `action` on FPC `slot`.
    public static func encodeRequestFpc(slot: UInt32, action: FpcRequestKind) -> [UInt8] {
        var message = Flowtel__V1__RequestFpcRequest()
        flowtel__v1__request_fpc_request__init(&message)
        message.slot = slot
        message.action = Flowtel__V1__FpcRequestAction(UInt32(action.rawValue))
        return pack(&message, keeping: nil)
    }

    /// Decodes a `RequestFpcRequest`; an unset or unknown action is INVALID_ARGUMENT.
    public static func decodeRequestFpc(_ bytes: [UInt8]) throws(RPCError) -> (slot: UInt32, action: FpcRequestKind) {
        try withUnpacked(
            bytes, flowtel__v1__request_fpc_request__unpack, flowtel__v1__request_fpc_request__free_unpacked,
            malformed: RPCError(code: .invalidArgument, message: "RequestFpcRequest: malformed protobuf")
        ) { (m) throws(RPCError) -> (slot: UInt32, action: FpcRequestKind) in
            guard let action = FpcRequestKind(rawValue: Int(m.action.rawValue)) else {
                throw RPCError(code: .invalidArgument, message: "RequestFpcRequest.action: must be OFFLINE, ONLINE or RESTART")
            }
            return (m.slot, action)
        }
    }

    /// `RequestFpcResponse` carrying what happened.
    public static func encodeRequestFpcResponse(_ text: String) -> [UInt8] {
        let arena = Arena()
        var message = Flowtel__V1__RequestFpcResponse()
        flowtel__v1__request_fpc_response__init(&message)
        message.message = arena.cString(text)
        return pack(&message, keeping: arena)
    }

    /// Decodes a `RequestFpcResponse`.
    public static func decodeRequestFpcResponse(_ bytes: [UInt8]) throws(DecodeError) -> String {
        try withUnpacked(
            bytes, flowtel__v1__request_fpc_response__unpack, flowtel__v1__request_fpc_response__free_unpacked,
            malformed: DecodeError("RequestFpcResponse: malformed protobuf")
        ) { (m) throws(DecodeError) -> String in String(protobufC: m.message) }
    }

    // MARK: - show / clear chassis alarms

    /// `ListAlarmsResponse` with the active alarms, oldest first.
    public static func encodeAlarms(_ alarms: [ActiveAlarm]) -> [UInt8] {
        let arena = Arena()
        var message = Flowtel__V1__ListAlarmsResponse()
        flowtel__v1__list_alarms_response__init(&message)
        let list = arena.allocate(UnsafeMutablePointer<Flowtel__V1__Alarm>?.self, count: alarms.count)
        for (index, alarm) in alarms.enumerated() {
            let entry = arena.allocate(Flowtel__V1__Alarm.self)
            flowtel__v1__alarm__init(entry)
            entry.pointee.alarm_id = alarm.alarmID
            entry.pointee.alarm_class = Flowtel__V1__AlarmClass(UInt32(alarm.alarmClass.rawValue))
            entry.pointee.description = arena.cString(alarm.description)
            entry.pointee.time_unix_nano = alarm.time.unixNanos
            entry.pointee.slot = alarm.slot
            list[index] = entry
        }
        message.n_alarms = alarms.count
        message.alarms = list
        return pack(&message, keeping: arena)
    }

    /// Decodes a `ListAlarmsResponse`.
    public static func decodeAlarms(_ bytes: [UInt8]) throws(DecodeError) -> [ActiveAlarm] {
        try withUnpacked(
            bytes, flowtel__v1__list_alarms_response__unpack, flowtel__v1__list_alarms_response__free_unpacked,
            malformed: DecodeError("ListAlarmsResponse: malformed protobuf")
        ) { (m) throws(DecodeError) -> [ActiveAlarm] in
            (0..<m.n_alarms).compactMap { index in
                m.alarms[index].map { pointer in
                    let a = pointer.pointee
                    return ActiveAlarm(
                        alarmID: a.alarm_id, alarmClass: AlarmClass(rawValue: Int(a.alarm_class.rawValue)) ?? .minor,
                        description: String(protobufC: a.description), time: Timestamp(unixNanos: a.time_unix_nano),
                        slot: a.slot)
                }
            }
        }
    }

    /// `ClearAlarmsRequest`: one alarm, or every alarm that may be cleared when `alarmID` is 0.
    public static func encodeClearAlarms(alarmID: UInt64) -> [UInt8] {
        var message = Flowtel__V1__ClearAlarmsRequest()
        flowtel__v1__clear_alarms_request__init(&message)
        message.alarm_id = alarmID
        return pack(&message, keeping: nil)
    }

    /// Decodes a `ClearAlarmsRequest`: the alarm id, 0 for all.
    public static func decodeClearAlarms(_ bytes: [UInt8]) throws(RPCError) -> UInt64 {
        try withUnpacked(
            bytes, flowtel__v1__clear_alarms_request__unpack, flowtel__v1__clear_alarms_request__free_unpacked,
            malformed: RPCError(code: .invalidArgument, message: "ClearAlarmsRequest: malformed protobuf")
        ) { (m) throws(RPCError) -> UInt64 in m.alarm_id }
    }

    /// `ClearAlarmsResponse`: how many alarms were cleared.
    public static func encodeClearAlarmsResponse(cleared: UInt32) -> [UInt8] {
        var message = Flowtel__V1__ClearAlarmsResponse()
        flowtel__v1__clear_alarms_response__init(&message)
        message.cleared = cleared
        return pack(&message, keeping: nil)
    }

    /// Decodes a `ClearAlarmsResponse`.
    public static func decodeClearAlarmsResponse(_ bytes: [UInt8]) throws(DecodeError) -> UInt32 {
        try withUnpacked(
            bytes, flowtel__v1__clear_alarms_response__unpack, flowtel__v1__clear_alarms_response__free_unpacked,
            malformed: DecodeError("ClearAlarmsResponse: malformed protobuf")
        ) { (m) throws(DecodeError) -> UInt32 in m.cleared }
    }
}
