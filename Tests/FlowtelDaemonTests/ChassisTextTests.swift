import FlowtelCore
import FlowtelSubscriber
import Testing

/// The text of the chassis commands, exactly, for views built by hand.
@Suite("Chassis command text")
struct ChassisTextTests {
    /// 2026-11-29 10:00:00 UTC plus `seconds` and `millis`.
    static func t(_ seconds: UInt64, millis: UInt64 = 0) -> Timestamp {
        Timestamp(unixNanos: (1_795_946_400 + seconds) * 1_000_000_000 + millis * 1_000_000)
    }

    // MARK: - show chassis fpc

    @Test("show chassis fpc: one line per slot, uptime in words, '-' when not online")
    func fpcs() {
        let fpcs = [
            FpcStatus(slot: 0, fpcType: .ioc3, state: .online, uptimeSeconds: 3723, pics: 1, sessions: 0),
            FpcStatus(slot: 1, fpcType: .spc2, state: .online, uptimeSeconds: 183_845, pics: 4, sessions: 12_345),
            FpcStatus(slot: 2, fpcType: .spc2, state: .offline, uptimeSeconds: 0, pics: 4, sessions: 0),
            FpcStatus(slot: 3, fpcType: .spc2, state: .resetting, uptimeSeconds: 0, pics: 4, sessions: 0),
        ]
        #expect(
            ChassisText.fpcs(fpcs) == """
                Slot  Type  State      PICs  Sessions  Uptime
                   0  IOC3  Online        1         0  1 hour, 2 minutes, 3 seconds
                   1  SPC2  Online        4     12345  2 days, 3 hours, 4 minutes, 5 seconds
                   2  SPC2  Offline       4         0  -
                   3  SPC2  Resetting     4         0  -

                """)
    }

    @Test("show chassis fpc: a present card just started; an empty chassis prints the header only")
    func fpcsEdges() {
        let fpcs = [
            FpcStatus(slot: 10, fpcType: .spc2, state: .present, uptimeSeconds: 0, pics: 2, sessions: 0),
            FpcStatus(slot: 11, fpcType: .spc2, state: .online, uptimeSeconds: 0, pics: 4, sessions: 1_000_000),
        ]
        #expect(
            ChassisText.fpcs(fpcs) == """
                Slot  Type  State    PICs  Sessions  Uptime
                  10  SPC2  Present     2         0  -
                  11  SPC2  Online      4   1000000  0 seconds

                """)
        #expect(ChassisText.fpcs([]) == "Slot  Type  State  PICs  Sessions  Uptime\n")
    }

    @Test(
        "uptime: units in words, zero units left out, singular for 1",
        arguments: [
            (0, "0 seconds"), (1, "1 second"), (59, "59 seconds"), (60, "1 minute"), (3600, "1 hour"),
            (86_401, "1 day, 1 second"), (90_061, "1 day, 1 hour, 1 minute, 1 second"),
            (183_845, "2 days, 3 hours, 4 minutes, 5 seconds"),
        ] as [(UInt64, String)])
    func uptime(seconds: UInt64, text: String) {
        #expect(ChassisText.uptime(seconds: seconds) == text)
    }

    // MARK: - show chassis fpc errors

    static func spc(slot: UInt32) -> FpcErrorCounters {
        var fpc = FpcErrorCounters()
        fpc.slot = slot
        fpc.fpcType = .spc2
        let rows: [(Severity, UInt64, UInt64, UInt32, [FpcAction])] = [
            (.fatal, 0, 0, 1, [.reset]), (.major, 5, 2, 1, [.alarm, .getState]), (.minor, 12, 0, 10, []),
        ]
        for (severity, occurred, cleared, threshold, actions) in rows {
            var counters = SeverityCounters()
            counters.severity = severity
            counters.occurred = occurred
            counters.cleared = cleared
            counters.threshold = threshold
            counters.actions = actions
            fpc.severities.append(counters)
        }
        var full = ErrorCounters()
        full.errorID = "spc-session-table-full"
        full.module = "flow"
        full.severity = .major
        full.errorType = "resource"
        full.occurred = 5
        full.cleared = 2
        full.lastOccurred = t(0, millis: 999)
        full.lastCleared = t(60)
        var slow = ErrorCounters()
        slow.errorID = "spc-policy-lookup-slow"
        slow.module = "policy"
        slow.severity = .minor
        slow.errorType = "performance"
        fpc.errors = [full, slow]
        return fpc
    }

    @Test("show chassis fpc errors slot N: the severities, then every catalogued error")
    func errors() {
        #expect(
            ChassisText.fpcErrors([Self.spc(slot: 1)]) == """
                FPC 1 (SPC2)
                  Severity  Occurred  Cleared  Threshold  Actions
                  fatal            0        0          1  reset
                  major            5        2          1  alarm, get-state
                  minor           12        0         10  -

                  Error                   Module  Severity  Type         Count  Cleared  Last occurrence
                  spc-session-table-full  flow    major     resource         5        2  2026-11-29 10:00:00 UTC
                  spc-policy-lookup-slow  policy  minor     performance      0        0  -

                """)
    }

    @Test("show chassis fpc errors: FPCs apart by a blank line; a card without errors says so; none prints nothing")
    func errorsOfEveryFpc() {
        var ioc = FpcErrorCounters()
        ioc.slot = 0
        ioc.fpcType = .ioc3
        var bare = FpcErrorCounters()
        bare.slot = 2
        bare.fpcType = .spc2
        var minor = SeverityCounters()
        minor.severity = .minor
        minor.threshold = 0
        bare.severities = [minor]
        #expect(
            ChassisText.fpcErrors([ioc, Self.spc(slot: 1), bare]) == """
                FPC 0 (IOC3)
                  No errors catalogued

                FPC 1 (SPC2)
                  Severity  Occurred  Cleared  Threshold  Actions
                  fatal            0        0          1  reset
                  major            5        2          1  alarm, get-state
                  minor           12        0         10  -

                  Error                   Module  Severity  Type         Count  Cleared  Last occurrence
                  spc-session-table-full  flow    major     resource         5        2  2026-11-29 10:00:00 UTC
                  spc-policy-lookup-slow  policy  minor     performance      0        0  -

                FPC 2 (SPC2)
                  Severity  Occurred  Cleared  Threshold  Actions
                  minor            0        0          0  -

                  No errors catalogued

                """)
        #expect(ChassisText.fpcErrors([]) == "")
    }

    // MARK: - show chassis alarms

    @Test("show chassis alarms: the Junos layout, plural")
    func alarms() {
        let alarms = [
            ActiveAlarm(
                alarmID: 1, alarmClass: .major, description: "FPC 1 Major Errors - session table full",
                time: Timestamp(unixNanos: 1_630_168_279_500_000_000), slot: 1),
            ActiveAlarm(
                alarmID: 2, alarmClass: .minor, description: "FPC 0 Minor Errors - dispatch ring full",
                time: Timestamp(unixNanos: 1_630_168_341_000_000_000), slot: 0),
        ]
        #expect(
            ChassisText.alarms(alarms) == """
                2 alarms currently active
                Alarm time               Class  Description
                2021-08-28 16:31:19 UTC  Major  FPC 1 Major Errors - session table full
                2021-08-28 16:32:21 UTC  Minor  FPC 0 Minor Errors - dispatch ring full

                """)
    }

    @Test("show chassis alarms: singular for one alarm")
    func oneAlarm() {
        let alarm = ActiveAlarm(
            alarmID: 7, alarmClass: .major, description: "FPC 1 Fatal Errors - SPU wedged", time: Self.t(0), slot: 1)
        #expect(
            ChassisText.alarms([alarm]) == """
                1 alarm currently active
                Alarm time               Class  Description
                2026-11-29 10:00:00 UTC  Major  FPC 1 Fatal Errors - SPU wedged

                """)
    }

    @Test("show chassis alarms: none")
    func noAlarms() {
        #expect(ChassisText.alarms([]) == "No alarms currently active\n")
    }

    // MARK: - show chassis fpc slot N wedge-detect

    @Test("wedge-detect: settings, watchdogs in each state, history with durations")
    func wedgeDetect() {
        let view = WedgeDetectView(
            slot: 1, fpcType: .spc2, detectAfterMillis: 2000, irreversibleAfterMillis: 10_000,
            watchdogs: [
                WedgeWatchdogStatus(
                    pic: 0, stage: .xm, pending: 0, completed: 120, lastProgress: Self.t(30), stalledSince: nil,
                    irreversible: false, detections: 0, irreversibleCount: 0),
                WedgeWatchdogStatus(
                    pic: 2, stage: .lu, pending: 17, completed: 4, lastProgress: Self.t(10), stalledSince: Self.t(10),
                    irreversible: false, detections: 1, irreversibleCount: 0),
                WedgeWatchdogStatus(
                    pic: 3, stage: .hostLoopback, pending: 1, completed: 9, lastProgress: Self.t(0),
                    stalledSince: Self.t(0), irreversible: true, detections: 2, irreversibleCount: 1),
            ],
            history: [
                WedgeRecord(
                    pic: 2, stage: .xl, stalledSince: Self.t(1, millis: 250), detected: Self.t(3, millis: 250),
                    irreversible: nil, cleared: Self.t(4, millis: 500)),
                WedgeRecord(
                    pic: 3, stage: .hostLoopback, stalledSince: Self.t(0), detected: Self.t(2), irreversible: Self.t(10),
                    cleared: nil),
                WedgeRecord(
                    pic: 1, stage: .toe, stalledSince: Self.t(5), detected: Self.t(7), irreversible: Self.t(15),
                    cleared: Self.t(25)),
            ])
        #expect(
            ChassisText.wedgeDetect(view) == """
                FPC 1 (SPC2) wedge detection
                Detect after: 2 s, irreversible after: 10 s

                PIC  Stage          State                  Pending  Completed  Last progress            Detections  Irreversible
                  0  XM             Normal                       0        120  2026-11-29 10:00:30 UTC           0             0
                  2  LU             Wedged                      17          4  2026-11-29 10:00:10 UTC           1             0
                  3  Host Loopback  Wedged (irreversible)        1          9  2026-11-29 10:00:00 UTC           2             1

                Wedge history:
                PIC  Stage          Stalled since            Detected                 Irreversible             Cleared                  Duration
                  2  XL             2026-11-29 10:00:01 UTC  2026-11-29 10:00:03 UTC  -                        2026-11-29 10:00:04 UTC    3.25 s
                  3  Host Loopback  2026-11-29 10:00:00 UTC  2026-11-29 10:00:02 UTC  2026-11-29 10:00:10 UTC  -                               -
                  1  TOE            2026-11-29 10:00:05 UTC  2026-11-29 10:00:07 UTC  2026-11-29 10:00:15 UTC  2026-11-29 10:00:25 UTC      20 s

                """)
    }

    @Test("wedge-detect: an I/O card with every watchdog normal and no wedges")
    func wedgeDetectQuiet() {
        let view = WedgeDetectView(
            slot: 0, fpcType: .ioc3, detectAfterMillis: 1500, irreversibleAfterMillis: 30_000,
            watchdogs: [
                WedgeWatchdogStatus(
                    pic: 0, stage: .xm, pending: 0, completed: 0, lastProgress: Timestamp(unixNanos: 0), stalledSince: nil,
                    irreversible: false, detections: 0, irreversibleCount: 0)
            ],
            history: [])
        #expect(
            ChassisText.wedgeDetect(view) == """
                FPC 0 (IOC3) wedge detection
                Detect after: 1.5 s, irreversible after: 30 s

                PIC  Stage  State   Pending  Completed  Last progress  Detections  Irreversible
                  0  XM     Normal        0          0  -                       0             0

                No wedges detected

                """)
    }

    @Test("wedge-detect: an FPC without watchdogs (offline)")
    func wedgeDetectEmpty() {
        let view = WedgeDetectView(
            slot: 2, fpcType: .spc2, detectAfterMillis: 250, irreversibleAfterMillis: 1001, watchdogs: [], history: [])
        #expect(
            ChassisText.wedgeDetect(view) == """
                FPC 2 (SPC2) wedge detection
                Detect after: 0.25 s, irreversible after: 1.001 s

                No watchdogs running

                No wedges detected

                """)
    }

    // MARK: - Helpers

    @Test(
        "seconds: up to three decimals, trailing zeros dropped",
        arguments: [(0, "0 s"), (2000, "2 s"), (1500, "1.5 s"), (250, "0.25 s"), (1001, "1.001 s"), (10_010, "10.01 s")]
            as [(UInt64, String)])
    func seconds(millis: UInt64, text: String) {
        #expect(ChassisText.seconds(millis: millis) == text)
    }

    @Test("time: UTC to the second; nil and the epoch are '-'")
    func time() {
        #expect(ChassisText.time(nil) == "-")
        #expect(ChassisText.time(Timestamp(unixNanos: 0)) == "-")
        #expect(ChassisText.time(Timestamp(unixNanos: 1_630_168_279_999_999_999)) == "2021-08-28 16:31:19 UTC")
        #expect(ChassisText.time(Self.t(86_399)) == "2026-11-30 09:59:59 UTC")
    }

    // MARK: - show chassis fpc errors history

    @Test("show chassis fpc errors history: one line per occurrence, oldest first; none says so")
    func history() {
        let entries = [
            FpcErrorRecord(
                slot: 0, pic: 0, errorID: "ioc-malformed-packet", severity: .minor, count: 3, detail: "", time: Self.t(5)),
            FpcErrorRecord(
                slot: 1, pic: 2, errorID: "spc-control-timeout", severity: .major, count: 1,
                detail: "SPU FPC1 PIC2 did not answer the routing engine's request for 3012 ms", time: Self.t(3605)),
        ]
        #expect(
            ChassisText.fpcErrorHistory(entries) == """
                Time                     FPC  PIC  Error                 Severity  Count  Detail
                2026-11-29 10:00:05 UTC    0    0  ioc-malformed-packet  minor         3  -
                2026-11-29 11:00:05 UTC    1    2  spc-control-timeout   major         1  SPU FPC1 PIC2 did not answer the routing engine's request for 3012 ms

                """)
        #expect(ChassisText.fpcErrorHistory([]) == "No errors recorded\n")
    }
}
