import ArgumentParser
import FlowtelCore
import FlowtelGRPC
import FlowtelSubscriber

/// `flowtel show security …`.
struct ShowSecurity: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "security", abstract: "The security datapath.", subcommands: [ShowSecurityFlow.self])
}

/// `flowtel show security flow …`; with no further word, the global flow settings.
struct ShowSecurityFlow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flow", abstract: "The flow engine.",
        subcommands: [ShowFlowSettings.self, ShowFlowSession.self, ShowFlowStatistics.self],
        defaultSubcommand: ShowFlowSettings.self)
}

/// `flowtel show security flow`: the `[edit security flow]` settings the engine runs with, as
/// Junos shows that hierarchy (statements at their defaults are not printed).
struct ShowFlowSettings: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settings", abstract: "show security flow (the default): the global flow settings",
        discussion: """
            The [edit security flow] statements in force, in Junos configuration syntax: aging, \
            allow-dns-reply, route-change-timeout, syn-flood-protection-mode, tcp-mss and tcp-session. \
            Statements at their Junos defaults are left out, as Junos does.
            """)

    @OptionGroup var connection: ConnectionOptions

    func run() throws {
        let settings = try connection.call { try $0.flowSettings() }
        let lines = FlowSettingsView(settings).lines
        if !lines.isEmpty { print(lines.joined(separator: "\n")) }
    }
}

/// `flowtel show security flow session [filters] [brief|extensive|summary]`.
struct ShowFlowSession: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "session", abstract: "show security flow session [filters] [brief|extensive|summary]",
        discussion: """
            Junos words, several filters at once: \(SessionWords.filterSummary). Views: brief, \
            extensive, or summary (which takes only family).
            Example: flowtel show security flow session source-prefix 10.0.0.0/8 destination-port 443 extensive
            """)

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: ArgumentHelp("Filters and a view.", valueName: "word"))
    var words: [String] = []

    func validate() throws {
        _ = try SessionWords(words, command: .show)
    }

    func run() throws {
        let parsed = try SessionWords(words, command: .show)
        let lines: [String]
        if parsed.summary {
            let summary = try connection.call { try $0.sessionSummary(family: parsed.query.family) }
            lines = SessionSummaryView(summary).lines
        } else {
            let request = SessionListRequest(query: parsed.query, view: parsed.view)
            let list = try connection.call { try $0.sessions(request) }
            lines = SessionListView(list, view: parsed.view).lines
        }
        print(lines.joined(separator: "\n"))
    }
}

/// `flowtel show security flow statistics`: the datapath counters, then one line per packet
/// source.
struct ShowFlowStatistics: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "statistics", abstract: "show security flow statistics",
        discussion: """
            The counters of every packet source together, then each source: its packets, bytes on \
            the wire, frames that failed to decode (by kind), fragments and, for interfaces, the \
            kernel's drop counters.
            """)

    @OptionGroup var connection: ConnectionOptions

    func run() throws {
        let statistics = try connection.call { try $0.flowStatistics() }
        print(FlowStatisticsView(statistics).lines.joined(separator: "\n"))
    }
}

/// The text of `show security flow statistics`: Junos's indented `Label: value` lines, then a
/// table of packet sources with each source's decode errors and failure under it.
struct FlowStatisticsView {
    let statistics: FlowStatistics

    init(_ statistics: FlowStatistics) {
        self.statistics = statistics
    }

    var lines: [String] {
        var lines = [
            "    Current sessions: \(statistics.currentSessions)",
            "    Packets received: \(statistics.packetsReceived)",
            "    Packets transmitted: \(statistics.packetsTransmitted)",
            "    Packets forwarded/queued: \(statistics.packetsForwarded)",
            "    Packets copied: \(statistics.packetsCopied)",
            "    Packets dropped: \(statistics.packetsDropped)",
            "    Fragment packets: \(statistics.fragmentPackets)",
            "    Malformed packets: \(statistics.packetsMalformed)",
        ]
        lines.append("")
        guard !statistics.sources.isEmpty else {
            lines.append("Packet sources: none")
            return lines
        }
        lines.append("Packet sources: \(statistics.sources.count)")
        let header = ["Source", "Type", "State", "Packets", "Bytes", "Malformed", "Fragments", "Kernel drops", "If drops"]
        var rows = [header]
        for source in statistics.sources {
            rows.append([
                source.name, Self.kindName(source.kind), Self.stateName(source.state),
                "\(source.packets)", "\(source.bytes)", "\(source.malformed + source.skippedRecords)",
                "\(source.fragments)", source.kind == .interface ? "\(source.kernelDrops)" : "-",
                source.kind == .interface ? "\(source.interfaceDrops)" : "-",
            ])
        }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        for (index, row) in rows.enumerated() {
            // Names and words left-aligned, counters right-aligned.
            let cells = row.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return column < 3 ? cell + padding : padding + cell
            }
            lines.append(cells.joined(separator: "  ").trimmingTrailingSpaces())
            guard index > 0 else { continue }
            let source = statistics.sources[index - 1]
            if !source.decodeErrors.isEmpty {
                lines.append(
                    "    Decode errors: " + source.decodeErrors.map { "\($0.kind) \($0.count)" }.joined(separator: ", "))
            }
            if source.skippedRecords > 0 {
                lines.append("    Malformed capture records skipped: \(source.skippedRecords)")
            }
            if source.state == .failed {
                lines.append("    Error: \(source.error)")
            }
        }
        return lines
    }

    static func kindName(_ kind: CaptureSourceStatistics.Kind) -> String {
        switch kind {
        case .file: "file"
        case .interface: "interface"
        case .generator: "generator"
        }
    }

    static func stateName(_ state: CaptureSourceStatistics.State) -> String {
        switch state {
        case .running: "running"
        case .finished: "finished"
        case .failed: "failed"
        }
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
