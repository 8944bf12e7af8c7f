import ArgumentParser

/// `flowtel clear security …`.
struct ClearSecurity: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "security", abstract: "The security datapath.")
}
