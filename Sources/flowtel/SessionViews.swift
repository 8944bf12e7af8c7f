import FlowtelCore

/// The text of `show security flow session [brief|extensive]`: the sessions of each SPU, a
/// blank line between sessions, and `Total sessions: N`. With more than one SPU each SPU's
/// block starts with `Flow Sessions on FPC<n> PIC<m>:`, as on multi-SPU SRX devices.
struct SessionListView {
    let list: SessionList
    let view: SessionView

    init(_ list: SessionList, view: SessionView) {
        self.list = list
        self.view = view
    }

    var lines: [String] {
        guard list.spus.count > 1 else {
            return block(list.spus.first?.sessions ?? [], total: list.spus.first?.total ?? 0)
        }
        var lines: [String] = []
        for spu in list.spus {
            if !lines.isEmpty { lines.append("") }
            lines.append("Flow Sessions on \(spu.location):")
            lines += block(spu.sessions, total: spu.total)
        }
        return lines
    }

    private func block(_ sessions: [SessionEntry], total: UInt64) -> [String] {
        var lines: [String] = []
        for session in sessions {
            if !lines.isEmpty { lines.append("") }
            lines += view == .extensive ? Self.extensive(session) : Self.standard(session)
        }
        lines.append("Total sessions: \(total)")
        return lines
    }

    /// The default (and `brief`) entry: a header line, then one line per wing. Junos 24.4 ends
    /// each wing line with `, ` after the byte count.
    static func standard(_ session: SessionEntry) -> [String] {
        let timeout = session.timeoutRemaining.map(String.init) ?? "N/A"
        return [
            "Session ID: \(session.sessionID), Policy name: \(session.policyName)/\(session.policyIndex), "
                + "Timeout: \(timeout), Session State: \(stateName(session.state))",
            "  In: \(flow(session.inWing)), Conn Tag: \(hex(session.inWing.connectionTag)), "
                + "If: \(session.inWing.interface), Pkts: \(session.inWing.packets), Bytes: \(session.inWing.bytes), ",
            "  Out: \(flow(session.outWing)), Conn Tag: \(hex(session.outWing.connectionTag)), "
                + "If: \(session.outWing.interface), Pkts: \(session.outWing.packets), Bytes: \(session.outWing.bytes), ",
        ]
    }

    /// The `extensive` entry, in the Junos 25.4 layout, with the lines flowtel has values for
    /// (no flags, tokens, routes or tunnel ids: flowtel keeps none).
    static func extensive(_ session: SessionEntry) -> [String] {
        let application = session.application.isEmpty ? "None" : session.application
        let maximum = session.timeoutMax.map(String.init) ?? "N/A"
        let current = session.timeoutRemaining.map(String.init) ?? "N/A"
        var lines = [
            "Session ID: \(session.sessionID), Status: Normal",
            "Policy name: \(session.policyName)/\(session.policyIndex)",
            "Source NAT pool: \(session.sourceNATPool.isEmpty ? "Null" : session.sourceNATPool), "
                + "Application: \(application)/\(session.inWing.destinationPort)",
            "Maximum timeout: \(maximum), Current timeout: \(current)",
            "Session State: \(stateName(session.state))",
            "Start time: \(session.startTime.unixNanos / 1_000_000_000), Duration: \(session.durationSeconds)",
        ]
        for (name, wing) in [("In", session.inWing), ("Out", session.outWing)] {
            lines += [
                "   \(name): \(flow(wing)), ",
                "  Conn Tag: \(hex(wing.connectionTag)), Interface: \(wing.interface), ",
                "    Pkts: \(wing.packets), Bytes: \(wing.bytes)",
            ]
        }
        return lines
    }

    /// `10.0.0.1/40000 --> 192.0.2.1/443;tcp` (IPv6 addresses bare, then `/port`).
    static func flow(_ wing: SessionWing) -> String {
        "\(wing.sourceAddress)/\(wing.sourcePort) --> \(wing.destinationAddress)/\(wing.destinationPort);"
            + IPProtocol.name(wing.protocolID)
    }

    static func hex(_ value: UInt32) -> String { "0x" + String(value, radix: 16) }

    static func stateName(_ state: SessionEntry.State) -> String {
        switch state {
        case .valid: "Valid"
        case .pending: "Pending"
        case .invalidated: "Invalidated"
        }
    }
}

/// The text of `show security flow session summary`, sub-counts indented 2 spaces.
struct SessionSummaryView {
    let summary: SessionSummary

    init(_ summary: SessionSummary) {
        self.summary = summary
    }

    var lines: [String] {
        [
            "Unicast-sessions: \(summary.unicastSessions)",
            "Multicast-sessions: \(summary.multicastSessions)",
            "Services-offload-sessions: \(summary.servicesOffloadSessions)",
            "Failed-sessions: \(summary.failedSessions)",
            "Sessions-in-drop-flow: \(summary.dropFlowSessions)",
            "Sessions-in-use: \(summary.sessionsInUse)",
            "  Valid sessions: \(summary.validSessions)",
            "  Pending sessions: \(summary.pendingSessions)",
            "  Invalidated sessions: \(summary.invalidatedSessions)",
            "  Sessions in other states: \(summary.otherSessions)",
            "Maximum-sessions: \(summary.maximumSessions)",
        ]
    }
}

/// The text of `show security flow`: the `[edit security flow]` statements that differ from
/// the Junos defaults, in Junos configuration syntax (4-space indentation), in the order of
/// the hierarchy's reference page. Empty when every setting is at its default.
struct FlowSettingsView {
    let settings: SecurityFlowSettings

    init(_ settings: SecurityFlowSettings) {
        self.settings = settings
    }

    var lines: [String] {
        let s = settings
        var aging: [String] = []
        if s.earlyAgeout != 20 { aging.append("early-ageout \(s.earlyAgeout);") }
        if s.highWatermark != 100 { aging.append("high-watermark \(s.highWatermark);") }
        if s.lowWatermark != 100 { aging.append("low-watermark \(s.lowWatermark);") }
        var lines = Self.block("aging", aging)
        if s.allowDNSReply { lines.append("allow-dns-reply;") }
        if let seconds = s.routeChangeTimeout { lines.append("route-change-timeout \(seconds);") }
        if s.synFloodProtectionMode != .synProxy {
            lines.append("syn-flood-protection-mode \(s.synFloodProtectionMode.rawValue);")
        }
        var mss: [String] = []
        for (name, value) in [
            ("all-tcp", s.tcpMSSAllTCP), ("gre-in", s.tcpMSSGREIn), ("gre-out", s.tcpMSSGREOut),
            ("ipsec-vpn", s.tcpMSSIPsecVPN),
        ] {
            if let value { mss += Self.block(name, ["mss \(value);"]) }
        }
        lines += Self.block("tcp-mss", mss)
        var tcp: [String] = []
        if s.finInvalidateSession { tcp.append("fin-invalidate-session;") }
        if !s.sequenceCheck { tcp.append("no-sequence-check;") }
        if !s.synCheck { tcp.append("no-syn-check;") }
        if s.noSynCheckInTunnel { tcp.append("no-syn-check-in-tunnel;") }
        if s.rstInvalidateSession { tcp.append("rst-invalidate-session;") }
        if s.rstSequenceCheck { tcp.append("rst-sequence-check;") }
        if s.strictSynCheck { tcp.append("strict-syn-check;") }
        if s.tcpInitialTimeout != 20 { tcp.append("tcp-initial-timeout \(s.tcpInitialTimeout);") }
        var timeWait: [String] = []
        switch s.timeWaitState {
        case .sessionAgeout: timeWait.append("session-ageout;")
        case .sessionTimeout(let seconds): timeWait.append("session-timeout \(seconds);")
        case nil: break
        }
        if s.timeWaitAppliesToHalfClose { timeWait.append("apply-to-half-close-state;") }
        tcp += Self.block("time-wait-state", timeWait)
        lines += Self.block("tcp-session", tcp)
        return lines
    }

    /// `name { … }` around `body`, indented; nothing for an empty body.
    private static func block(_ name: String, _ body: [String]) -> [String] {
        guard !body.isEmpty else { return [] }
        return ["\(name) {"] + body.map { "    " + $0 } + ["}"]
    }
}
