import FlowtelCore
import FlowtelGRPC
import Testing

@Suite("Chassis operational messages")
struct ChassisCodecTests {
    @Test("show chassis fpc: every slot survives a round trip")
    func fpcs() throws {
        let fpcs = [
            FpcStatus(slot: 0, fpcType: .ioc3, state: .online, uptimeSeconds: 3600, pics: 1, sessions: 0),
            FpcStatus(slot: 1, fpcType: .spc2, state: .resetting, uptimeSeconds: 0, pics: 4, sessions: 12_345),
            FpcStatus(slot: 2, fpcType: .spc2, state: .offline, uptimeSeconds: 0, pics: 2, sessions: 0),
        ]
        #expect(try OpsCodec.decodeFpcs(OpsCodec.encodeFpcs(fpcs)) == fpcs)
        #expect(try OpsCodec.decodeFpcs(OpsCodec.encodeFpcs([])) == [])
    }

    @Test("show chassis fpc errors: the request's slot and every counter survive a round trip")
    func errors() throws {
        #expect(try OpsCodec.decodeFpcErrorsRequest(OpsCodec.encodeFpcErrorsRequest(slot: nil)) == nil)
        #expect(try OpsCodec.decodeFpcErrorsRequest(OpsCodec.encodeFpcErrorsRequest(slot: 0)) == 0)
        #expect(try OpsCodec.decodeFpcErrorsRequest(OpsCodec.encodeFpcErrorsRequest(slot: 3)) == 3)
        var counters = FpcErrorCounters()
        counters.slot = 1
        counters.fpcType = .spc2
        var major = SeverityCounters()
        major.severity = .major
        major.occurred = 5
        major.cleared = 2
        major.threshold = 1
        major.actions = [.alarm, .getState]
        counters.severities = [major]
        var error = ErrorCounters()
        error.errorID = "spc-session-table-full"
        error.module = "flow"
        error.severity = .major
        error.errorType = "resource"
        error.occurred = 5
        error.cleared = 2
        error.lastOccurred = Timestamp(unixNanos: 1_795_946_400_000_000_000)
        counters.errors = [error, ErrorCounters()]
        #expect(try OpsCodec.decodeFpcErrors(OpsCodec.encodeFpcErrors([counters, FpcErrorCounters()])) == [counters, FpcErrorCounters()])
    }

    @Test("request chassis fpc: slot and action round-trip; a missing action is INVALID_ARGUMENT naming the field")
    func request() throws {
        for action in FpcRequestKind.allCases {
            let decoded = try OpsCodec.decodeRequestFpc(OpsCodec.encodeRequestFpc(slot: 2, action: action))
            #expect(decoded.slot == 2 && decoded.action == action)
        }
        let error = #expect(throws: RPCError.self) { try OpsCodec.decodeRequestFpc([0x08, 0x01]) }  // slot only
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("RequestFpcRequest.action") == true)
        #expect(try OpsCodec.decodeRequestFpcResponse(OpsCodec.encodeRequestFpcResponse("FPC 1 restarting")) == "FPC 1 restarting")
    }

    @Test("show and clear chassis alarms round-trip")
    func alarms() throws {
        let alarms = [
            ActiveAlarm(
                alarmID: 1, alarmClass: .major, description: "FPC 1 Major Errors - session table full; first packet failed",
                time: Timestamp(unixNanos: 1_795_946_400_123_000_000), slot: 1),
            ActiveAlarm(alarmID: 7, alarmClass: .minor, description: "FPC 0 Minor Errors - ünïcode", time: Timestamp(unixNanos: 1), slot: 0),
        ]
        #expect(try OpsCodec.decodeAlarms(OpsCodec.encodeAlarms(alarms)) == alarms)
        #expect(try OpsCodec.decodeClearAlarms(OpsCodec.encodeClearAlarms(alarmID: 0)) == 0)
        #expect(try OpsCodec.decodeClearAlarms(OpsCodec.encodeClearAlarms(alarmID: 9)) == 9)
        #expect(try OpsCodec.decodeClearAlarmsResponse(OpsCodec.encodeClearAlarmsResponse(cleared: 3)) == 3)
    }

    @Test("show chassis fpc slot N wedge-detect: the request's slot and the whole view survive a round trip")
    func wedgeDetect() throws {
        #expect(try OpsCodec.decodeWedgeDetectRequest(OpsCodec.encodeWedgeDetectRequest(slot: 0)) == 0)
        #expect(try OpsCodec.decodeWedgeDetectRequest(OpsCodec.encodeWedgeDetectRequest(slot: 3)) == 3)
        let t = { (seconds: UInt64) in Timestamp(unixNanos: 1_795_946_400_000_000_000 + seconds * 1_000_000_000) }
        let view = WedgeDetectView(
            slot: 1, fpcType: .spc2, detectAfterMillis: 2000, irreversibleAfterMillis: 10_000,
            watchdogs: [
                WedgeWatchdogStatus(
                    pic: 0, stage: .xm, pending: 0, completed: 120, lastProgress: t(30), stalledSince: nil,
                    irreversible: false, detections: 0, irreversibleCount: 0),
                WedgeWatchdogStatus(
                    pic: 2, stage: .lu, pending: 17, completed: 4, lastProgress: t(10), stalledSince: t(10),
                    irreversible: false, detections: 1, irreversibleCount: 0),
                WedgeWatchdogStatus(
                    pic: 3, stage: .hostLoopback, pending: 1, completed: 9, lastProgress: t(0), stalledSince: t(0),
                    irreversible: true, detections: 2, irreversibleCount: 1),
                // Wedged since the epoch: `wedged` carries the state, not a zero time.
                WedgeWatchdogStatus(
                    pic: 3, stage: .toe, pending: 1, completed: 0, lastProgress: Timestamp(unixNanos: 0),
                    stalledSince: Timestamp(unixNanos: 0), irreversible: false, detections: 1, irreversibleCount: 0),
            ],
            history: [
                WedgeRecord(pic: 2, stage: .xl, stalledSince: t(1), detected: t(3), irreversible: nil, cleared: t(4)),
                WedgeRecord(pic: 3, stage: .hostLoopback, stalledSince: t(0), detected: t(2), irreversible: t(10), cleared: nil),
                WedgeRecord(pic: 2, stage: .lu, stalledSince: t(10), detected: t(12), irreversible: nil, cleared: nil),
            ])
        #expect(try OpsCodec.decodeWedgeDetect(OpsCodec.encodeWedgeDetect(view)) == view)
        let empty = WedgeDetectView(
            slot: 0, fpcType: .ioc3, detectAfterMillis: 0, irreversibleAfterMillis: 0, watchdogs: [], history: [])
        #expect(try OpsCodec.decodeWedgeDetect(OpsCodec.encodeWedgeDetect(empty)) == empty)
    }

    @Test("request chassis fpc inject-error: fields round-trip; count 0 means 1")
    func injectError() throws {
        let decoded = try OpsCodec.decodeInjectErrorRequest(
            OpsCodec.encodeInjectErrorRequest(slot: 1, pic: 3, errorID: "spc-session-table-full", count: 25))
        #expect(decoded.slot == 1 && decoded.pic == 3 && decoded.errorID == "spc-session-table-full" && decoded.count == 25)
        let once = try OpsCodec.decodeInjectErrorRequest(
            OpsCodec.encodeInjectErrorRequest(slot: 0, pic: 0, errorID: "ioc-dispatch-ring-full", count: 0))
        #expect(once.slot == 0 && once.pic == 0 && once.count == 1)
        #expect(try OpsCodec.decodeRequestFpcResponse(OpsCodec.encodeRequestFpcResponse("")) == "")
    }

    @Test("request chassis fpc inject-error: an empty error_id is INVALID_ARGUMENT naming the field")
    func injectErrorWithoutID() {
        let error = #expect(throws: RPCError.self) {
            try OpsCodec.decodeInjectErrorRequest(OpsCodec.encodeInjectErrorRequest(slot: 1, pic: 0, errorID: "", count: 1))
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("error_id") == true)
    }

    @Test("request chassis fpc inject-wedge: every stage and the duration bounds round-trip", arguments: WedgeStage.allCases)
    func injectWedge(stage: WedgeStage) throws {
        for seconds: UInt32 in [1, 15, OpsCodec.injectWedgeMaxSeconds] {
            let decoded = try OpsCodec.decodeInjectWedgeRequest(
                OpsCodec.encodeInjectWedgeRequest(slot: 2, pic: 1, stage: stage, durationSeconds: seconds))
            #expect(decoded.slot == 2 && decoded.pic == 1 && decoded.stage == stage && decoded.durationSeconds == seconds)
        }
    }

    @Test(
        "request chassis fpc inject-wedge: an unset or unknown stage is INVALID_ARGUMENT naming stage",
        arguments: [
            [0x08, 0x01, 0x20, 0x0A],  // slot 1, duration 10, no stage
            [0x08, 0x01, 0x18, 0x09, 0x20, 0x0A],  // stage 9
        ] as [[UInt8]])
    func injectWedgeStage(bytes: [UInt8]) {
        let error = #expect(throws: RPCError.self) { try OpsCodec.decodeInjectWedgeRequest(bytes) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("InjectWedgeRequest.stage") == true)
    }

    @Test(
        "request chassis fpc inject-wedge: a duration of 0 or over 300 seconds is INVALID_ARGUMENT naming duration_seconds",
        arguments: [0, 301, UInt32.max])
    func injectWedgeDuration(seconds: UInt32) {
        let error = #expect(throws: RPCError.self) {
            try OpsCodec.decodeInjectWedgeRequest(
                OpsCodec.encodeInjectWedgeRequest(slot: 1, pic: 0, stage: .lu, durationSeconds: seconds))
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("InjectWedgeRequest.duration_seconds") == true)
    }

    @Test("malformed messages are errors, not crashes")
    func malformed() {
        let garbage: [UInt8] = [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01]
        #expect(throws: DecodeError.self) { try OpsCodec.decodeFpcs(garbage) }
        #expect(throws: DecodeError.self) { try OpsCodec.decodeFpcErrors(garbage) }
        #expect(throws: DecodeError.self) { try OpsCodec.decodeAlarms(garbage) }
        #expect(throws: RPCError.self) { try OpsCodec.decodeFpcErrorsRequest([0x08]) }
        #expect(throws: RPCError.self) { try OpsCodec.decodeClearAlarms([0x08]) }
        #expect(throws: DecodeError.self) { try OpsCodec.decodeWedgeDetect(garbage) }
        #expect(throws: RPCError.self) { try OpsCodec.decodeWedgeDetectRequest([0x08]) }
        #expect(throws: RPCError.self) { try OpsCodec.decodeInjectErrorRequest(garbage) }
        #expect(throws: RPCError.self) { try OpsCodec.decodeInjectWedgeRequest([0x08]) }
    }

    @Test("show chassis fpc errors history: every entry survives a round trip")
    func errorHistory() throws {
        let entries = [
            FpcErrorRecord(
                slot: 0, pic: 0, errorID: "ioc-malformed-packet", severity: .minor, count: 12, detail: "",
                time: Timestamp(unixNanos: 1_795_946_400_123_456_789)),
            FpcErrorRecord(
                slot: 2, pic: 3, errorID: "spc-shard-stall", severity: .fatal, count: 1, detail: "LU of PIC 3 made no progress",
                time: Timestamp(unixNanos: 1_795_946_401_000_000_000)),
        ]
        #expect(try OpsCodec.decodeFpcErrorHistory(OpsCodec.encodeFpcErrorHistory(entries)) == entries)
        #expect(try OpsCodec.decodeFpcErrorHistory(OpsCodec.encodeFpcErrorHistory([])).isEmpty)
        #expect(throws: DecodeError.self) { try OpsCodec.decodeFpcErrorHistory([0xFF, 0xFF]) }
    }
}
