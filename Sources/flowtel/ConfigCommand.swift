import ArgumentParser
import FlowtelGRPC
import JunosConfig

/// `flowtel config …`: offline work on a Junos configuration file.
struct Config: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check or print a Junos configuration (set or curly syntax).",
        subcommands: [ConfigCheckCommand.self, ConfigShow.self])
}

/// Reads a configuration file; exit status 2 when it cannot be read.
func readConfiguration(_ path: String) throws -> String {
    do {
        return try readSmallTextFile(path, what: "configuration", limit: 512 << 20)
    } catch {
        printError("flowtel: \(error.message)")
        throw ExitCode(2)
    }
}

/// Reads and checks a configuration file: exit status 2 when it cannot be read, 1 (after
/// `FILE:LINE:COLUMN: error: …`) when it is not valid.
func loadDeviceConfig(_ path: String) throws -> DeviceConfig {
    let text = try readConfiguration(path)
    do {
        return try DeviceConfig.load(text: text, file: path).config
    } catch {
        printError("\(error.location): error: \(error.message)")
        throw ExitCode(1)
    }
}

/// `flowtel config check FILE`: diagnostics, then a summary. Exit 0 valid, 1 invalid, 2 unreadable.
struct ConfigCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Parse and cross-check a configuration; print warnings, errors and a summary.",
        discussion: """
            Exit status: 0 when the configuration is valid (warnings allowed), 1 when it has \
            errors, 2 when the file cannot be read.
            """)

    @Argument(help: "The configuration file.")
    var file: String

    @Flag(help: "Print errors only: no warnings and no summary.")
    var quiet = false

    func run() throws {
        let text = try readConfiguration(file)
        let check: ConfigCheck
        do {
            check = try DeviceConfig.check(text: text, file: file)
        } catch {
            print("\(error.location): error: \(error.message)")
            print("\(file): syntax error; nothing checked")
            throw ExitCode(1)
        }
        // Diagnostics in text order, errors and warnings interleaved.
        var lines: [(SourceLocation, String)] = check.errors.map { ($0.location, "\($0.location): error: \($0.message)") }
        if !quiet { lines += check.warnings.map { ($0.location, $0.description) } }
        for (_, line) in lines.sorted(by: { ($0.0.line, $0.0.column) < ($1.0.line, $1.0.column) }) { print(line) }
        if !quiet {
            print(check.headline(file: file))
            for line in check.summary { print(line) }
        }
        if !check.isValid { throw ExitCode(1) }
    }
}

/// `flowtel config show FILE`: the normalised configuration.
struct ConfigShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print a configuration normalised, in set or curly syntax.",
        discussion: """
            Statements are merged, deletions applied and words quoted as Junos does; printing \
            the output again gives the same text, and set and curly output describe the same \
            configuration.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case set, curly
    }

    @Argument(help: "The configuration file.")
    var file: String

    @Option(help: "Output syntax: set or curly (default: the file's own).")
    var format: Format?

    @Flag(help: "Expand apply-groups and drop groups, as 'show configuration | display inheritance' does.")
    var inheritance = false

    func run() throws {
        let text = try readConfiguration(file)
        let parsed: ParsedConfig
        do {
            parsed = try ConfigParser.parse(text: text, file: file)
        } catch {
            printError("\(error.location): error: \(error.message)")
            throw ExitCode(1)
        }
        let syntax: ConfigSyntax =
            switch format ?? (parsed.syntax == .set ? .set : .curly) {
            case .set: .set
            case .curly: .curly
            }
        print((inheritance ? parsed.effective : parsed.tree).formatted(as: syntax), terminator: "")
    }
}
