import FlowtelCore
import FlowtelGRPC
import Testing

@Suite("OpsCodec: session messages")
struct SessionOpsCodecTests {
    /// A query with every criterion set.
    static var fullQuery: SessionFilter {
        var filter = SessionFilter()
        filter.sourcePrefix = "10.0.0.0/8"
        filter.destinationPrefix = "2001:db8::/32"
        filter.sourcePort = 40001
        filter.destinationPort = 443
        filter.protocol = "tcp"
        filter.application = "junos-https"
        filter.interface = "ge-0/0/1.0"
        filter.sessionID = 4_000_000_000
        filter.family = "inet6"
        filter.sourceZone = "trust"
        filter.destinationZone = "untrust"
        filter.policy = "internet"
        filter.natOnly = true
        filter.connectionTag = 7
        filter.idpOnly = true
        filter.resourceManagerOnly = true
        filter.tunnelOnly = true
        return filter
    }

    static func location(fpc: UInt32, pic: UInt32) -> SPULocation {
        var location = SPULocation(shard: 0)
        location.fpc = fpc
        location.pic = pic
        return location
    }

    @Test("a ListSessionsRequest with every filter, a view and a limit round-trips", arguments: SessionView.allCases)
    func listRequestRoundTrip(view: SessionView) throws {
        let request = SessionListRequest(query: Self.fullQuery, view: view, limit: 25)
        #expect(try OpsCodec.decodeListSessionsRequest(OpsCodec.encodeListSessionsRequest(request)) == request)
    }

    @Test("the table-only filters round-trip one at a time")
    func tableOnlyFilters() throws {
        for flag in [\SessionFilter.idpOnly, \.resourceManagerOnly, \.tunnelOnly] {
            var query = SessionFilter()
            query[keyPath: flag] = true
            let request = SessionListRequest(query: query)
            #expect(try OpsCodec.decodeListSessionsRequest(OpsCodec.encodeListSessionsRequest(request)) == request)
        }
    }

    @Test("an empty ListSessionsRequest is no bytes and decodes to every session, default view")
    func emptyListRequest() throws {
        let bytes = OpsCodec.encodeListSessionsRequest(SessionListRequest())
        #expect(bytes.isEmpty)
        #expect(try OpsCodec.decodeListSessionsRequest(bytes) == SessionListRequest())
    }

    @Test(
        "a bad criterion is INVALID_ARGUMENT naming the field",
        arguments: ["source_prefix", "destination_prefix", "protocol", "family"])
    func badCriterion(field: String) {
        var filter = SessionFilter()
        switch field {
        case "source_prefix": filter.sourcePrefix = "10.0.0.300/8"
        case "destination_prefix": filter.destinationPrefix = "2001:db8::/129"
        case "protocol": filter.protocol = "bogus"
        default: filter.family = "inet7"
        }
        let bytes = OpsCodec.encodeListSessionsRequest(SessionListRequest(query: filter))
        let error = #expect(throws: RPCError.self) { try OpsCodec.decodeListSessionsRequest(bytes) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("ListSessionsRequest.filter.\(field)") == true, "\(String(describing: error))")
    }

    @Test("an unknown view and malformed bytes are INVALID_ARGUMENT")
    func badListRequest() {
        // Field 2 (view), varint 9.
        let view = #expect(throws: RPCError.self) { try OpsCodec.decodeListSessionsRequest([0x10, 0x09]) }
        #expect(view?.code == .invalidArgument && view?.message.contains("view") == true)
        let malformed = #expect(throws: RPCError.self) { try OpsCodec.decodeListSessionsRequest([0x0A, 0x05, 0x01]) }
        #expect(malformed?.code == .invalidArgument)
    }

    @Test("a ListSessionsResponse with two SPUs, IPv4 and IPv6, NAT and a never-timing-out session round-trips")
    func listResponseRoundTrip() throws {
        let https = SessionEntry(
            sessionID: 1, policyName: "internet", policyIndex: 1, timeoutRemaining: 1794, timeoutMax: 1800,
            state: .valid,
            inWing: SessionWing(
                sourceAddress: IPAddress("10.0.0.5")!, sourcePort: 40001, destinationAddress: IPAddress("198.51.100.7")!,
                destinationPort: 443, protocolID: 6, interface: "ge-0/0/1.0", packets: 2, bytes: 85),
            outWing: SessionWing(
                sourceAddress: IPAddress("198.51.100.7")!, sourcePort: 443, destinationAddress: IPAddress("192.0.2.10")!,
                destinationPort: 40001, protocolID: 6, connectionTag: 9, interface: "ge-0/0/0.0", packets: 1, bytes: 40),
            application: "junos-https", startTime: Timestamp(unixNanos: 1_767_225_600_123_000_000), durationSeconds: 8,
            sourceNATPool: "out-pool", location: Self.location(fpc: 1, pic: 0), sourceZone: "trust",
            destinationZone: "untrust")
        let v6 = SessionEntry(
            sessionID: 4_000_000_000, policyName: "servers", policyIndex: 2, timeoutRemaining: nil, timeoutMax: nil,
            state: .pending,
            inWing: SessionWing(
                sourceAddress: IPAddress("2001:db8:1::5")!, sourcePort: 6000,
                destinationAddress: IPAddress("2001:db8:2::9")!, destinationPort: 7000, protocolID: 17),
            outWing: SessionWing(
                sourceAddress: IPAddress("2001:db8:2::9")!, sourcePort: 7000,
                destinationAddress: IPAddress("2001:db8:1::5")!, destinationPort: 6000, protocolID: 17),
            location: Self.location(fpc: 1, pic: 1))
        let invalidated = SessionEntry(sessionID: 3, timeoutRemaining: 0, timeoutMax: 60, state: .invalidated, location: Self.location(fpc: 1, pic: 1))
        let list = SessionList(spus: [
            SPUSessions(location: Self.location(fpc: 1, pic: 0), sessions: [https]),
            SPUSessions(location: Self.location(fpc: 1, pic: 1), sessions: [v6, invalidated], total: 10),
        ])
        let decoded = try OpsCodec.decodeSessionList(OpsCodec.encodeSessionList(list))
        #expect(decoded == list)
        #expect(decoded.total == 11)
    }

    @Test("an empty session list round-trips, and malformed bytes are a decode error")
    func emptyList() throws {
        #expect(try OpsCodec.decodeSessionList(OpsCodec.encodeSessionList(SessionList())) == SessionList())
        #expect(throws: DecodeError.self) { try OpsCodec.decodeSessionList([0x0A, 0x05, 0x01]) }
    }

    @Test("SessionSummary round-trips; Sessions-in-use is the sum of the states")
    func summaryRoundTrip() throws {
        let summary = SessionSummary(
            unicastSessions: 3231, multicastSessions: 2, servicesOffloadSessions: 0, failedSessions: 5,
            dropFlowSessions: 0, validSessions: 3230, pendingSessions: 3, invalidatedSessions: 450, otherSessions: 1,
            maximumSessions: 4_194_304)
        let decoded = try OpsCodec.decodeSessionSummary(OpsCodec.encodeSessionSummary(summary))
        #expect(decoded == summary)
        #expect(decoded.sessionsInUse == 3684)
        #expect(throws: DecodeError.self) { try OpsCodec.decodeSessionSummary([0xFF]) }
    }

    @Test("SessionSummaryRequest carries inet, inet6 or nothing; anything else is INVALID_ARGUMENT")
    func summaryRequest() throws {
        for family in ["", "inet", "inet6"] {
            #expect(try OpsCodec.decodeSessionSummaryRequest(OpsCodec.encodeSessionSummaryRequest(family: family)) == family)
        }
        let error = #expect(throws: RPCError.self) {
            try OpsCodec.decodeSessionSummaryRequest(OpsCodec.encodeSessionSummaryRequest(family: "ipx"))
        }
        #expect(error?.code == .invalidArgument && error?.message.contains("SessionSummaryRequest.family") == true)
    }

    @Test("ClearSessionsRequest: criteria round-trip, all decodes to nil")
    func clearRequest() throws {
        let query = Self.fullQuery
        #expect(try OpsCodec.decodeClearSessionsRequest(OpsCodec.encodeClearSessionsRequest(query, all: false)) == query)
        #expect(try OpsCodec.decodeClearSessionsRequest(OpsCodec.encodeClearSessionsRequest(SessionFilter(), all: true)) == nil)
    }

    @Test("ClearSessionsRequest with no criteria and no all, or with both, is INVALID_ARGUMENT")
    func clearRequestInvalid() {
        var tunnel = SessionFilter()
        tunnel.tunnelOnly = true
        for (query, all) in [(SessionFilter(), false), (tunnel, true)] {
            let error = #expect(throws: RPCError.self) {
                try OpsCodec.decodeClearSessionsRequest(OpsCodec.encodeClearSessionsRequest(query, all: all))
            }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.contains("ClearSessionsRequest") == true)
        }
    }

    @Test("ClearSessionsResponse round-trips")
    func clearResponse() throws {
        for cleared: UInt64 in [0, 1, 1 << 33] {
            #expect(try OpsCodec.decodeClearSessionsResponse(OpsCodec.encodeClearSessionsResponse(cleared: cleared)) == cleared)
        }
    }

    @Test("FlowSettings round-trip: the defaults, and every statement set")
    func flowSettings() throws {
        var defaults = SecurityFlowSettings()
        defaults.maximumSessions = 1 << 20
        defaults.spus = 1
        #expect(try OpsCodec.decodeFlowSettings(OpsCodec.encodeFlowSettings(defaults)) == defaults)

        var settings = SecurityFlowSettings()
        settings.allowDNSReply = true
        settings.routeChangeTimeout = 60
        settings.synFloodProtectionMode = .synCookie
        settings.tcpMSSAllTCP = 1350
        settings.tcpMSSGREIn = 1300
        settings.tcpMSSGREOut = 1301
        settings.tcpMSSIPsecVPN = 1302
        settings.synCheck = false
        settings.noSynCheckInTunnel = true
        settings.strictSynCheck = true
        settings.sequenceCheck = false
        settings.rstInvalidateSession = true
        settings.rstSequenceCheck = true
        settings.finInvalidateSession = true
        settings.tcpInitialTimeout = 30
        settings.timeWaitAppliesToHalfClose = true
        settings.earlyAgeout = 2
        settings.highWatermark = 90
        settings.lowWatermark = 50
        settings.traceOptions = true
        settings.exportAllSessions = true
        settings.maximumSessions = 4_194_304
        settings.spus = 8
        for timeWait: SecurityFlowSettings.TimeWaitState in [.sessionAgeout, .sessionTimeout(150)] {
            settings.timeWaitState = timeWait
            #expect(try OpsCodec.decodeFlowSettings(OpsCodec.encodeFlowSettings(settings)) == settings)
        }
        #expect(throws: DecodeError.self) { try OpsCodec.decodeFlowSettings([0xFF]) }
    }
}
