import ArgumentParser
import FlowtelCore
import FlowtelGRPC
import FlowtelSubscriber

/// `flowtel monitor …`.
struct Monitor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Junos-style monitoring: monitor security flow.", subcommands: [MonitorSecurity.self])
}

/// `flowtel monitor security …`.
struct MonitorSecurity: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "security", abstract: "The security datapath.", subcommands: [MonitorSecurityFlow.self])
}

/// `flowtel monitor security flow …`.
struct MonitorSecurityFlow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flow",
        abstract: "Trace the flow engine's handling of the packets that filters select.",
        discussion: """
            Define at least one filter and a trace file, then start. Matching packets are traced \
            (basic-datapath) into the file in flowteld's log directory until stop; read it with \
            'flowtel show log NAME'. Filters and the file setting are operational state: they \
            vanish when flowteld restarts.
            """,
        subcommands: [MonitorFilterCommand.self, MonitorFileCommand.self, MonitorStart.self, MonitorStop.self])
}

/// `flowtel monitor security flow filter NAME <criteria>` (the name before or after them).
struct MonitorFilterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "filter",
        abstract: "Define or replace a monitor filter.",
        discussion: """
            Criteria: source-prefix P, destination-prefix P, source-port N, destination-port N, \
            protocol NAME|0-255, interface IFL (arriving or leaving), incoming-interface IFL, \
            outgoing-interface IFL, logical-system NAME, root-logical-system, conn-tag N. \
            A filter without criteria matches every packet. \
            Example: flowtel monitor security flow filter f1 source-prefix 10.0.0.1 protocol tcp destination-port 80
            """)

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "NAME and criteria, Junos words.")
    var words: [String] = []

    func run() throws {
        let filter = try MonitorWords.filter(words)
        try connection.call { client in
            _ = try MonitorWords.junos { try client.setMonitorFilter(filter) }
        }
    }
}

/// `flowtel monitor security flow file NAME [size S] [files N] [match REGEX]`.
struct MonitorFileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "file",
        abstract: "Set the trace file (in flowteld's log directory).",
        discussion: """
            Words: NAME, size BYTES (10240..1073741824; k, m, g suffixes), files N (2..1000), \
            match REGEX (only trace lines matching this POSIX extended regular expression are \
            written), world-readable, no-world-readable. \
            Example: flowtel monitor security flow file trace.log size 10240 files 3 match "RT"
            """)

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "NAME and settings, Junos words.")
    var words: [String] = []

    func run() throws {
        let file = try MonitorWords.file(words)
        try connection.call { client in
            _ = try MonitorWords.junos { try client.setMonitorFile(file) }
        }
    }
}

/// `flowtel monitor security flow start`: prints nothing on success.
struct MonitorStart: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "start", abstract: "Start flow monitoring.")

    @OptionGroup var connection: ConnectionOptions

    func run() throws {
        try connection.call { client in
            _ = try MonitorWords.junos { try client.startMonitor() }
        }
    }
}

/// `flowtel monitor security flow stop`: prints nothing on success.
struct MonitorStop: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stop", abstract: "Stop flow monitoring.")

    @OptionGroup var connection: ConnectionOptions

    func run() throws {
        try connection.call { client in
            _ = try MonitorWords.junos { try client.stopMonitor() }
        }
    }
}

/// `flowtel show monitor …`.
struct ShowMonitor: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monitor", abstract: "show monitor security flow", subcommands: [ShowMonitorSecurity.self])
}

/// `flowtel show monitor security …`.
struct ShowMonitorSecurity: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "security", abstract: "The security datapath.", subcommands: [ShowMonitorSecurityFlow.self])
}

/// `flowtel show monitor security flow`.
struct ShowMonitorSecurityFlow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flow", abstract: "Flow monitoring status, trace file and filters.")

    @OptionGroup var connection: ConnectionOptions

    func run() throws {
        let status = try connection.call { client in try MonitorWords.junos { try client.monitorStatus() } }
        print(MonitorWords.render(status), terminator: "")
    }
}

/// `flowtel clear monitor …`.
struct ClearMonitor: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monitor", abstract: "clear monitor security flow filter",
        subcommands: [ClearMonitorSecurity.self])
}

/// `flowtel clear monitor security …`.
struct ClearMonitorSecurity: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "security", abstract: "The security datapath.", subcommands: [ClearMonitorSecurityFlow.self])
}

/// `flowtel clear monitor security flow …`.
struct ClearMonitorSecurityFlow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flow", abstract: "Flow monitoring.", subcommands: [ClearMonitorFilter.self])
}

/// `flowtel clear monitor security flow filter [NAME]`.
struct ClearMonitorFilter: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "filter", abstract: "Remove one monitor filter, or all of them without a name.")

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The filter; all filters when omitted.")
    var name: String?

    func run() throws {
        try connection.call { client in
            _ = try MonitorWords.junos { try client.clearMonitorFilter(name: name ?? "") }
        }
    }
}

/// `flowtel show log NAME`.
struct ShowLog: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log", abstract: "Print a file of flowteld's log directory (a monitor trace file).")

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The file name, e.g. trace.log or trace.log.0.")
    var name: String

    func run() throws {
        let output = OutputBuffer()
        try connection.call { client in
            try client.readLog(name: name) { chunk in output.write(chunk) }
        }
        output.flush()
    }
}

/// Junos words of the monitor commands, and the `show monitor security flow` text.
enum MonitorWords {
    /// Criteria that take a value.
    private static let valued: Set<String> = [
        "source-prefix", "destination-prefix", "source-port", "destination-port", "protocol", "interface",
        "incoming-interface", "outgoing-interface", "logical-system", "conn-tag",
    ]
    /// Junos criteria flowtel does not implement.
    private static let unsupported: Set<String> = [
        "destination-service", "geneve-vni", "source-tenant", "tenant", "tunnel-inspection-type", "vxlan-vni",
    ]

    /// Reads `NAME <criteria>` (the name anywhere a criterion keyword is not expected).
    static func filter(_ words: [String]) throws -> MonitorFilter {
        var filter = MonitorFilter(name: "")
        var name: String?
        var index = 0
        func port(_ text: String, _ keyword: String) throws -> UInt16 {
            guard let value = UInt16(text), value > 0 else {
                throw ValidationError("\(keyword): '\(text)' is not a port (1-65535)")
            }
            return value
        }
        while index < words.count {
            let word = words[index]
            if word == "root-logical-system" {
                filter.logicalSystem = MonitorFilter.rootLogicalSystem
                index += 1
                continue
            }
            if unsupported.contains(word) { throw ValidationError("\(word): not supported by flowtel") }
            guard valued.contains(word) else {
                if let name { throw ValidationError("two filter names: '\(name)' and '\(word)'") }
                name = word
                index += 1
                continue
            }
            guard index + 1 < words.count else { throw ValidationError("\(word): missing value") }
            let value = words[index + 1]
            switch word {
            case "source-prefix": filter.sourcePrefix = value
            case "destination-prefix": filter.destinationPrefix = value
            case "source-port": filter.sourcePort = try port(value, word)
            case "destination-port": filter.destinationPort = try port(value, word)
            case "protocol": filter.protocol = value
            case "interface": filter.interface = value
            case "incoming-interface": filter.incomingInterface = value
            case "outgoing-interface": filter.outgoingInterface = value
            case "logical-system": filter.logicalSystem = value
            default:
                guard let tag = UInt32(value) else { throw ValidationError("conn-tag: '\(value)' is not a number") }
                filter.connectionTag = tag
            }
            index += 2
        }
        guard let name else { throw ValidationError("missing filter name (monitor security flow filter NAME ...)") }
        filter.name = name
        return filter
    }

    /// Reads `NAME [size S] [files N] [match REGEX] [world-readable|no-world-readable]`.
    static func file(_ words: [String]) throws -> MonitorFile {
        var file = MonitorFile(name: "")
        var name: String?
        var index = 0
        while index < words.count {
            let word = words[index]
            switch word {
            case "world-readable", "no-world-readable":
                file.worldReadable = word == "world-readable"
                index += 1
                continue
            case "size", "files", "match":
                guard index + 1 < words.count else { throw ValidationError("\(word): missing value") }
                let value = words[index + 1]
                switch word {
                case "size":
                    guard let size = byteCount(value) else {
                        throw ValidationError(
                            "size: '\(value)' is not a byte count (10240..1073741824, or with k, m, g)")
                    }
                    file.size = size
                case "files":
                    guard let files = UInt32(value), files > 0 else {
                        throw ValidationError("files: '\(value)' is not a number (2..1000)")
                    }
                    file.files = files
                default:
                    file.match = value
                }
                index += 2
            default:
                if let name { throw ValidationError("two file names: '\(name)' and '\(word)'") }
                name = word
                index += 1
            }
        }
        guard let name else { throw ValidationError("missing file name (monitor security flow file NAME ...)") }
        file.name = name
        return file
    }

    /// `10240`, `10k`, `1m`, `1g` (powers of 1024, as Junos reads them).
    static func byteCount(_ text: String) -> UInt64? {
        let lower = text.lowercased()
        let multipliers: [Character: UInt64] = ["k": 1 << 10, "m": 1 << 20, "g": 1 << 30]
        if let last = lower.last, let multiplier = multipliers[last] {
            guard let value = UInt64(lower.dropLast()) else { return nil }
            let (product, overflow) = value.multipliedReportingOverflow(by: multiplier)
            return overflow ? nil : product
        }
        return UInt64(lower)
    }

    /// Runs `body`; a refusal worded as Junos words it (`error: …`) is printed as is to
    /// standard error with exit status 1, every other failure goes on to ``ConnectionOptions/call(_:)``.
    static func junos<Result>(_ body: () throws -> Result) throws -> Result {
        do {
            return try body()
        } catch let error as RPCError where error.code == .failedPrecondition && error.message.hasPrefix("error: ") {
            printError(error.message)
            throw ExitCode(1)
        }
    }

    /// `show monitor security flow`, as Junos prints it. The trace-flags line appears while the
    /// `basic-datapath` flag is set; `Protocol:` only for a filter with a protocol;
    /// `Incoming interface:` / `Outgoing interface:` / `Conn tag:` only when set (flowtel's own).
    static func render(_ status: MonitorStatus) -> String {
        var text = "Monitor security flow session status: \(status.active ? "Active" : "Inactive")\n"
        text += "Monitor security flow trace file: \(status.traceFile.isEmpty ? "None" : status.traceFile)\n"
        if status.basicDatapath { text += "Monitor security flow trace flags: basic-datapath\n" }
        text += "Monitor security flow filters: \(status.filters.count)\n"
        for filter in status.filters {
            let v6 = filter.sourcePrefix.contains(":") || filter.destinationPrefix.contains(":")
            let any = v6 ? "::/0" : "0.0.0.0/0"
            text += "  Name: \(filter.name)\n"
            text += "    Status: \(status.active ? "Active" : "Inactive")\n"
            let source = filter.sourcePrefix.isEmpty ? any : filter.sourcePrefix
            let destination = filter.destinationPrefix.isEmpty ? any : filter.destinationPrefix
            let logicalSystem = filter.logicalSystem.isEmpty ? MonitorFilter.rootLogicalSystem : filter.logicalSystem
            text += "    Source: \(source) \(ports(filter.sourcePort))\n"
            text += "    Destination: \(destination) \(ports(filter.destinationPort))\n"
            if !filter.protocol.isEmpty { text += "    Protocol: \(filter.protocol)\n" }
            text += "    Logical system: \(logicalSystem)\n"
            text += "    Interface: \(filter.interface.isEmpty ? "None" : filter.interface)\n"
            if !filter.incomingInterface.isEmpty { text += "    Incoming interface: \(filter.incomingInterface)\n" }
            if !filter.outgoingInterface.isEmpty { text += "    Outgoing interface: \(filter.outgoingInterface)\n" }
            if filter.connectionTag != 0 { text += "    Conn tag: \(filter.connectionTag)\n" }
        }
        return text
    }

    private static func ports(_ port: UInt16?) -> String {
        guard let port else { return "(port 0~65535)" }
        return "(port \(port)~\(port))"
    }
}
