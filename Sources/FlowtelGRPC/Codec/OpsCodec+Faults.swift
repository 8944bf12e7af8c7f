internal import CGRPC
public import FlowtelCore

/// The fault-manager messages: `show chassis fpc slot N wedge-detect` and the fault-injection
/// requests `request chassis fpc slot N inject-error|inject-wedge` (whose replies are
/// `RequestFpcResponse`s: see ``encodeRequestFpcResponse(_:)``).
extension OpsCodec {
    /// The longest stall `InjectWedgeRequest.duration_seconds` may ask for.
    public static let injectWedgeMaxSeconds: UInt32 = 300

    // MARK: - show chassis fpc slot N wedge-detect

    /// `WedgeDetectRequest` for FPC `slot`.
    public static func encodeWedgeDetectRequest(slot: UInt32) -> [UInt8] {
        var message = Flowtel__V1__WedgeDetectRequest()
        flowtel__v1__wedge_detect_request__init(&message)
        message.slot = slot
        return pack(&message, keeping: nil)
    }

    /// Decodes a `WedgeDetectRequest`: the slot asked for.
    public static func decodeWedgeDetectRequest(_ bytes: [UInt8]) throws(RPCError) -> UInt32 {
        try withUnpacked(
            bytes, flowtel__v1__wedge_detect_request__unpack, flowtel__v1__wedge_detect_request__free_unpacked,
            malformed: RPCError(code: .invalidArgument, message: "WedgeDetectRequest: malformed protobuf")
        ) { (m) throws(RPCError) -> UInt32 in m.slot }
    }

    /// `WedgeDetectResponse`: the FPC's watchdogs and wedge history. Absent times (not wedged,
    /// never irreversible, not cleared) go on the wire as 0.
    public static func encodeWedgeDetect(_ view: WedgeDetectView) -> [UInt8] {
        let arena = Arena()
        var message = Flowtel__V1__WedgeDetectResponse()
        flowtel__v1__wedge_detect_response__init(&message)
        message.slot = view.slot
        message.fpc_type = Flowtel__V1__FpcType(UInt32(view.fpcType.rawValue))
        message.detect_after_ms = view.detectAfterMillis
        message.irreversible_after_ms = view.irreversibleAfterMillis

        let watchdogs = arena.allocate(UnsafeMutablePointer<Flowtel__V1__WedgeWatchdog>?.self, count: view.watchdogs.count)
        for (index, watchdog) in view.watchdogs.enumerated() {
            let entry = arena.allocate(Flowtel__V1__WedgeWatchdog.self)
            flowtel__v1__wedge_watchdog__init(entry)
            entry.pointee.pic = watchdog.pic
            entry.pointee.stage = Flowtel__V1__WedgeStage(UInt32(watchdog.stage.rawValue))
            entry.pointee.pending = watchdog.pending
            entry.pointee.completed = watchdog.completed
            entry.pointee.last_progress_unix_nano = watchdog.lastProgress.unixNanos
            entry.pointee.wedged = watchdog.stalledSince == nil ? 0 : 1
            entry.pointee.stalled_since_unix_nano = watchdog.stalledSince?.unixNanos ?? 0
            entry.pointee.irreversible = watchdog.irreversible ? 1 : 0
            entry.pointee.detections = watchdog.detections
            entry.pointee.irreversible_count = watchdog.irreversibleCount
            watchdogs[index] = entry
        }
        message.n_watchdogs = view.watchdogs.count
        message.watchdogs = watchdogs

        let history = arena.allocate(UnsafeMutablePointer<Flowtel__V1__WedgeHistoryEntry>?.self, count: view.history.count)
        for (index, record) in view.history.enumerated() {
            let entry = arena.allocate(Flowtel__V1__WedgeHistoryEntry.self)
            flowtel__v1__wedge_history_entry__init(entry)
            entry.pointee.pic = record.pic
            entry.pointee.stage = Flowtel__V1__WedgeStage(UInt32(record.stage.rawValue))
            entry.pointee.stalled_since_unix_nano = record.stalledSince.unixNanos
            entry.pointee.detected_unix_nano = record.detected.unixNanos
            entry.pointee.irreversible_unix_nano = record.irreversible?.unixNanos ?? 0
            entry.pointee.cleared_unix_nano = record.cleared?.unixNanos ?? 0
            history[index] = entry
        }
        message.n_history = view.history.count
        message.history = history
        return pack(&message, keeping: arena)
    }

    /// Decodes a `WedgeDetectResponse`.
    public static func decodeWedgeDetect(_ bytes: [UInt8]) throws(DecodeError) -> WedgeDetectView {
        try withUnpacked(
            bytes, flowtel__v1__wedge_detect_response__unpack, flowtel__v1__wedge_detect_response__free_unpacked,
            malformed: DecodeError("WedgeDetectResponse: malformed protobuf")
        ) { (m) throws(DecodeError) -> WedgeDetectView in
            let watchdogs = (0..<m.n_watchdogs).compactMap { index -> WedgeWatchdogStatus? in
                guard let w = m.watchdogs[index]?.pointee else { return nil }
                return WedgeWatchdogStatus(
                    pic: w.pic, stage: WedgeStage(rawValue: Int(w.stage.rawValue)) ?? .xm, pending: w.pending,
                    completed: w.completed, lastProgress: Timestamp(unixNanos: w.last_progress_unix_nano),
                    stalledSince: w.wedged != 0 ? Timestamp(unixNanos: w.stalled_since_unix_nano) : nil,
                    irreversible: w.irreversible != 0, detections: w.detections, irreversibleCount: w.irreversible_count)
            }
            let history = (0..<m.n_history).compactMap { index -> WedgeRecord? in
                guard let h = m.history[index]?.pointee else { return nil }
                return WedgeRecord(
                    pic: h.pic, stage: WedgeStage(rawValue: Int(h.stage.rawValue)) ?? .xm,
                    stalledSince: Timestamp(unixNanos: h.stalled_since_unix_nano),
                    detected: Timestamp(unixNanos: h.detected_unix_nano),
                    irreversible: h.irreversible_unix_nano != 0 ? Timestamp(unixNanos: h.irreversible_unix_nano) : nil,
                    cleared: h.cleared_unix_nano != 0 ? Timestamp(unixNanos: h.cleared_unix_nano) : nil)
            }
            return WedgeDetectView(
                slot: m.slot, fpcType: FpcType(rawValue: Int(m.fpc_type.rawValue)) ?? .spc2,
                detectAfterMillis: m.detect_after_ms, irreversibleAfterMillis: m.irreversible_after_ms,
                watchdogs: watchdogs, history: history)
        }
    }

    // MARK: - show chassis fpc errors history

    /// `FpcErrorHistoryResponse` with `entries`, oldest first.
    public static func encodeFpcErrorHistory(_ entries: [FpcErrorRecord]) -> [UInt8] {
        let arena = Arena()
        var message = Flowtel__V1__FpcErrorHistoryResponse()
        flowtel__v1__fpc_error_history_response__init(&message)
        let list = arena.allocate(UnsafeMutablePointer<Flowtel__V1__FpcErrorHistoryEntry>?.self, count: entries.count)
        for (index, entry) in entries.enumerated() {
            let item = arena.allocate(Flowtel__V1__FpcErrorHistoryEntry.self)
            flowtel__v1__fpc_error_history_entry__init(item)
            item.pointee.slot = entry.slot
            item.pointee.pic = entry.pic
            item.pointee.error_id = arena.cString(entry.errorID)
            item.pointee.severity = Flowtel__V1__Severity(UInt32(entry.severity.rawValue))
            item.pointee.count = entry.count
            item.pointee.detail = arena.cString(entry.detail)
            item.pointee.time_unix_nano = entry.time.unixNanos
            list[index] = item
        }
        message.n_entries = entries.count
        message.entries = list
        return pack(&message, keeping: arena)
    }

    /// Decodes a `FpcErrorHistoryResponse`.
    public static func decodeFpcErrorHistory(_ bytes: [UInt8]) throws(DecodeError) -> [FpcErrorRecord] {
        try withUnpacked(
            bytes, flowtel__v1__fpc_error_history_response__unpack, flowtel__v1__fpc_error_history_response__free_unpacked,
            malformed: DecodeError("FpcErrorHistoryResponse: malformed protobuf")
        ) { (m) throws(DecodeError) -> [FpcErrorRecord] in
            (0..<m.n_entries).compactMap { index in
                m.entries[index].map {
                    let entry = $0.pointee
                    return FpcErrorRecord(
                        slot: entry.slot, pic: entry.pic, errorID: String(protobufC: entry.error_id),
                        severity: Severity(rawValue: Int(entry.severity.rawValue)) ?? .minor, count: entry.count,
                        detail: String(protobufC: entry.detail), time: Timestamp(unixNanos: entry.time_unix_nano))
                }
            }
        }
    }

    // MARK: - request chassis fpc slot N inject-error

    /// `InjectErrorRequest`: report `count` occurrences of catalogued error `errorID` on FPC
    /// `slot`, PIC `pic`.
    public static func encodeInjectErrorRequest(slot: UInt32, pic: UInt32, errorID: String, count: UInt64) -> [UInt8] {
        let arena = Arena()
        var message = Flowtel__V1__InjectErrorRequest()
        flowtel__v1__inject_error_request__init(&message)
        message.slot = slot
        message.pic = pic
        message.error_id = arena.cString(errorID)
        message.count = count
        return pack(&message, keeping: arena)
    }

    /// Decodes an `InjectErrorRequest`. An empty `error_id` is INVALID_ARGUMENT; a `count` of 0
    /// means 1. Whether the slot, PIC and error id exist is the fault manager's to say.
    public static func decodeInjectErrorRequest(
        _ bytes: [UInt8]
    ) throws(RPCError) -> (slot: UInt32, pic: UInt32, errorID: String, count: UInt64) {
        try withUnpacked(
            bytes, flowtel__v1__inject_error_request__unpack, flowtel__v1__inject_error_request__free_unpacked,
            malformed: RPCError(code: .invalidArgument, message: "InjectErrorRequest: malformed protobuf")
        ) { (m) throws(RPCError) -> (slot: UInt32, pic: UInt32, errorID: String, count: UInt64) in
            let errorID = String(protobufC: m.error_id)
            guard !errorID.isEmpty else {
                throw RPCError(
                    code: .invalidArgument,
                    message: "InjectErrorRequest.error_id: required; give a catalogue id "
                        + "(those 'show chassis fpc errors' lists)")
            }
            return (m.slot, m.pic, errorID, max(m.count, 1))
        }
    }

    // MARK: - request chassis fpc slot N inject-wedge

    /// `InjectWedgeRequest`: stall `stage` of FPC `slot`, PIC `pic`, for `durationSeconds`.
    public static func encodeInjectWedgeRequest(
        slot: UInt32, pic: UInt32, stage: WedgeStage, durationSeconds: UInt32
    ) -> [UInt8] {
        var message = Flowtel__V1__InjectWedgeRequest()
        flowtel__v1__inject_wedge_request__init(&message)
        message.slot = slot
        message.pic = pic
        message.stage = Flowtel__V1__WedgeStage(UInt32(stage.rawValue))
        message.duration_seconds = durationSeconds
        return pack(&message, keeping: nil)
    }

    /// Decodes an `InjectWedgeRequest`. An unset or unknown stage, and a duration of 0 or over
    /// ``injectWedgeMaxSeconds``, are INVALID_ARGUMENT naming the field.
    public static func decodeInjectWedgeRequest(
        _ bytes: [UInt8]
    ) throws(RPCError) -> (slot: UInt32, pic: UInt32, stage: WedgeStage, durationSeconds: UInt32) {
        try withUnpacked(
            bytes, flowtel__v1__inject_wedge_request__unpack, flowtel__v1__inject_wedge_request__free_unpacked,
            malformed: RPCError(code: .invalidArgument, message: "InjectWedgeRequest: malformed protobuf")
        ) { (m) throws(RPCError) -> (slot: UInt32, pic: UInt32, stage: WedgeStage, durationSeconds: UInt32) in
            guard let stage = WedgeStage(rawValue: Int(m.stage.rawValue)) else {
                throw RPCError(
                    code: .invalidArgument,
                    message: "InjectWedgeRequest.stage: \(m.stage.rawValue) is not XM, LU, XL, TOE or HOST_LOOPBACK")
            }
            guard (1...injectWedgeMaxSeconds).contains(m.duration_seconds) else {
                throw RPCError(
                    code: .invalidArgument,
                    message:
                        "InjectWedgeRequest.duration_seconds: \(m.duration_seconds) is not 1-\(injectWedgeMaxSeconds) seconds")
            }
            return (m.slot, m.pic, stage, m.duration_seconds)
        }
    }
}
