import ArgumentParser
import FlowtelCore
import FlowtelGRPC
import JunosConfig
import PacketIO

/// `flowtel generate`: realistic traffic for a configuration, into a pcap file.
struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write realistic traffic for a Junos configuration to a pcap file.",
        discussion: """
            Sessions follow the configuration's policies: permitted ones are answered, denied \
            ones go unanswered, rejected ones are refused; zone pairs without a policy get \
            stray connections for the default policy. Frames are what arrives at the firewall \
            on each zone's interface unit (with its VLAN tag). The same configuration, seed, \
            session count, start and rate give the same file.
            """)

    @Option(help: "The Junos configuration (set or curly syntax).")
    var config: String

    @Option(help: "How many sessions to generate.")
    var sessions = 1000

    @Option(help: "The pcap file to write.")
    var out: String

    @Option(help: "Seed of every random choice.")
    var seed: UInt64 = 1

    @Option(help: "Mean new sessions per second, which spaces the timestamps.")
    var rate = 100.0

    @Option(help: "Time of the first session, in seconds since 1970 (default 2026-01-01T00:00:00Z).")
    var start = 1_767_225_600.0

    @Option(help: "Where the frames are captured: every-interface (as the firewall receives them, replies to NAT addresses) or client-link (one side, before NAT).")
    var capturePoint = TrafficPlan.CapturePoint.everyInterface.rawValue

    @Option(help: "The SPUs of the engine that will read the capture (flowteld --spus, flowtel replay --spus): with every-interface captures, source NAT into port ranges picks the ports that engine picks.")
    var spus = 1

    @Flag(help: "Print the plan: every endpoint and session template.")
    var showPlan = false

    func validate() throws {
        guard sessions >= 0 else { throw ValidationError("--sessions must not be negative") }
        guard rate > 0, rate.isFinite else { throw ValidationError("--rate must be a positive number") }
        guard start >= 0, start < 4_294_967_296 else { throw ValidationError("--start must be 0 to 4294967295 seconds") }
        guard (1...64).contains(spus) else { throw ValidationError("--spus must be 1 to 64") }
        guard TrafficPlan.CapturePoint(rawValue: capturePoint) != nil else {
            throw ValidationError("--capture-point must be every-interface or client-link")
        }
    }

    func run() throws {
        let device = try loadDeviceConfig(config)
        var plan: TrafficPlan
        do {
            plan = try TrafficPlan(config: device)
            plan.capturePoint = TrafficPlan.CapturePoint(rawValue: capturePoint) ?? .everyInterface
            plan.spus = spus
        } catch {
            printError("flowtel: \(config): \(error)")
            throw ExitCode(1)
        }
        if showPlan {
            for (index, endpoint) in plan.endpoints.enumerated() {
                let vlan = endpoint.vlan.map { " vlan \($0)" } ?? ""
                print("endpoint \(index): zone \(endpoint.name) on \(endpoint.interfaceName)\(vlan), hosts \(endpoint.pools.map(\.description).joined(separator: " "))")
            }
            for flow in plan.flows {
                print("flow: \(flow.name) (\(flow.application.kind.rawValue), \(flow.expectation.rawValue), weight \(flow.weight))")
            }
        }
        var generator = try TrafficGenerator(
            plan: plan, seed: seed, sessions: sessions, start: Timestamp(unixNanos: UInt64(start * 1e9)),
            sessionsPerSecond: rate)
        do {
            let writer = try PcapWriter.create(path: out, linkType: .ethernet, precision: .nanoseconds)
            let summary = try generator.write(to: writer)
            try writer.close()
            print("\(out): \(plan.flows.count) session templates over \(plan.endpoints.count) endpoints")
            print(summary.description)
        } catch {
            printError("flowtel: cannot write '\(out)': \(error)")
            throw ExitCode(2)
        }
    }
}
