import ArgumentParser

/// `flowtel monitor …`.
struct Monitor: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Junos-style monitoring: monitor security flow.")
}

/// `flowtel show monitor …`.
struct ShowMonitor: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "monitor", abstract: "show monitor security flow")
}

/// `flowtel clear monitor …`.
struct ClearMonitor: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "monitor", abstract: "clear monitor security flow filter")
}

/// `flowtel show log NAME`.
struct ShowLog: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "log", abstract: "show log NAME")
}
