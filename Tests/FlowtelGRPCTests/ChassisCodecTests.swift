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

    @Test("malformed messages are errors, not crashes")
    func malformed() {
        let garbage: [UInt8] = [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01]
        #expect(throws: DecodeError.self) { try OpsCodec.decodeFpcs(garbage) }
        #expect(throws: DecodeError.self) { try OpsCodec.decodeFpcErrors(garbage) }
        #expect(throws: DecodeError.self) { try OpsCodec.decodeAlarms(garbage) }
        #expect(throws: RPCError.self) { try OpsCodec.decodeFpcErrorsRequest([0x08]) }
        #expect(throws: RPCError.self) { try OpsCodec.decodeClearAlarms([0x08]) }
    }
}
