import ArgumentParser
import FlowtelCore
import FlowtelGRPC
import FlowtelSubscriber

// The chassis commands: `show chassis fpc [errors] [slot N] [wedge-detect]`, `show chassis
// alarms`, `clear chassis alarms [id N]` and `request chassis fpc slot N …`. Each is one
// command whose Junos words are positional arguments, parsed by `ChassisWords`; an RPC failure
// is reported by `ConnectionOptions.call` as for every operational command.

/// `flowtel show chassis …`.
struct ShowChassis: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chassis", abstract: "The chassis: FPCs and alarms.",
        subcommands: [ShowChassisFpc.self, ShowChassisAlarms.self])
}

/// `flowtel show chassis fpc [errors] [slot N] [wedge-detect]`.
struct ShowChassisFpc: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fpc", abstract: "show chassis fpc [errors [history]] [slot N] [wedge-detect]",
        discussion: """
            With no word, every FPC: type, state, PICs, sessions and uptime. 'slot N' alone shows that \
            FPC's line. 'errors' shows the error counters of every FPC, or of one with 'slot N': per \
            severity (occurred, cleared, threshold, actions) and per catalogued error; 'errors history' the \
            occurrences kept in memory (the newest 1,024 per FPC), oldest first. 'slot N \
            wedge-detect' shows the FPC's datapath watchdogs (per PIC and stage) and its wedge history.
            Examples: flowtel show chassis fpc errors slot 1; flowtel show chassis fpc slot 1 wedge-detect
            """)

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: ArgumentHelp("errors, slot N, wedge-detect.", valueName: "word"))
    var words: [String] = []

    func validate() throws {
        _ = try ChassisWords.Show(words)
    }

    func run() throws {
        let parsed = try ChassisWords.Show(words)
        switch parsed.view {
        case .fpcs:
            var fpcs = try connection.call { try $0.fpcs() }
            if let slot = parsed.slot {
                fpcs = fpcs.filter { $0.slot == slot }
                guard !fpcs.isEmpty else {
                    printError("flowtel: slot \(slot): no FPC in this slot")
                    throw ExitCode(1)
                }
            }
            print(ChassisText.fpcs(fpcs), terminator: "")
        case .errors:
            let counters = try connection.call { try $0.fpcErrors(slot: parsed.slot) }
            print(ChassisText.fpcErrors(counters), terminator: "")
        case .history:
            let entries = try connection.call { try $0.fpcErrorHistory(slot: parsed.slot) }
            print(ChassisText.fpcErrorHistory(entries), terminator: "")
        case .wedgeDetect:
            // `ChassisWords.Show` requires a slot with wedge-detect.
            let view = try connection.call { try $0.wedgeDetect(slot: parsed.slot!) }
            print(ChassisText.wedgeDetect(view), terminator: "")
        }
    }
}

/// `flowtel show chassis alarms`, in the Junos layout.
struct ShowChassisAlarms: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alarms", abstract: "show chassis alarms",
        discussion: "The active chassis alarms, oldest first, as Junos lists them.")

    @OptionGroup var connection: ConnectionOptions

    func run() throws {
        let alarms = try connection.call { try $0.alarms() }
        print(ChassisText.alarms(alarms), terminator: "")
    }
}

/// `flowtel clear chassis …`.
struct ClearChassis: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chassis", abstract: "The chassis: alarms.", subcommands: [ClearChassisAlarms.self])
}

/// `flowtel clear chassis alarms [id N]`: clears the alarms that may be cleared (or one) and,
/// like `clear security flow session`, says how many: `N alarms cleared`.
struct ClearChassisAlarms: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alarms", abstract: "clear chassis alarms [id N]",
        discussion: """
            Clears every active alarm that may be cleared, or only alarm N with 'id N', and prints how \
            many were cleared ('1 alarm cleared', '0 alarms cleared').
            """)

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: ArgumentHelp("id N.", valueName: "word"))
    var words: [String] = []

    func validate() throws {
        _ = try ChassisWords.alarmID(words)
    }

    func run() throws {
        let alarmID = try ChassisWords.alarmID(words)
        let cleared = try connection.call { try $0.clearAlarms(alarmID: alarmID) }
        print(cleared == 1 ? "1 alarm cleared" : "\(cleared) alarms cleared")
    }
}

/// `flowtel request …`.
struct Request: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Junos-style request commands.", subcommands: [RequestChassis.self])
}

/// `flowtel request chassis …`.
struct RequestChassis: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chassis", abstract: "The chassis: FPCs.", subcommands: [RequestChassisFpc.self])
}

/// `flowtel request chassis fpc slot N …`: prints the daemon's message.
struct RequestChassisFpc: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fpc",
        abstract: "request chassis fpc slot N (offline|online|restart|inject-error …|inject-wedge …)",
        discussion: """
            slot N offline | online | restart: take the FPC out of service, back in, or restart it.
            slot N inject-error ERROR-ID [count K] [pic P]: report K (default 1) occurrences of a \
            catalogued error (see 'show chassis fpc errors') on PIC P (default 0), as if the FPC had \
            detected them; thresholds and actions apply.
            slot N inject-wedge STAGE duration SECONDS [pic P]: stop STAGE (xm, lu, xl, toe, \
            host-loopback) of PIC P (default 0) from making progress for 1-\(OpsCodec.injectWedgeMaxSeconds) seconds.
            Examples: flowtel request chassis fpc slot 1 restart; \
            flowtel request chassis fpc slot 1 inject-wedge lu duration 15 pic 2
            """)

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: ArgumentHelp("slot N and an action.", valueName: "word"))
    var words: [String] = []

    func validate() throws {
        _ = try ChassisWords.Request(words)
    }

    func run() throws {
        let parsed = try ChassisWords.Request(words)
        let message = try connection.call { (client: SubscriptionClient) -> String in
            switch parsed.action {
            case .fpc(let kind):
                try client.requestFpc(slot: parsed.slot, action: kind)
            case .injectError(let errorID, let count, let pic):
                try client.injectError(slot: parsed.slot, pic: pic, errorID: errorID, count: count)
            case .injectWedge(let stage, let seconds, let pic):
                try client.injectWedge(slot: parsed.slot, pic: pic, stage: stage, durationSeconds: seconds)
            }
        }
        if !message.isEmpty { print(message) }
    }
}

/// The Junos words after `show chassis fpc`, `clear chassis alarms` and `request chassis fpc`.
/// Keywords may come in any order; each is given at most once.
enum ChassisWords {
    /// `show chassis fpc [errors] [slot N] [wedge-detect]`.
    struct Show {
        enum View {
            case fpcs
            case errors
            case history
            case wedgeDetect
        }

        var view = View.fpcs
        var slot: UInt32?

        init(_ words: [String]) throws {
            var reader = Reader(words)
            while let word = try reader.next() {
                switch word {
                case "slot": slot = try reader.number(UInt32.self, after: "slot", what: "an FPC slot")
                case "errors", "wedge-detect":
                    guard view == .fpcs else { throw ValidationError("'errors' and 'wedge-detect' exclude each other") }
                    view = word == "errors" ? .errors : .wedgeDetect
                case "history":
                    guard view == .errors else { throw ValidationError("'history' follows 'errors': show chassis fpc errors history") }
                    view = .history
                default:
                    throw ValidationError("unknown word '\(word)': expected errors, slot N, history or wedge-detect")
                }
            }
            if view == .wedgeDetect && slot == nil {
                throw ValidationError("'wedge-detect' needs 'slot N', e.g. show chassis fpc slot 1 wedge-detect")
            }
        }
    }

    /// `clear chassis alarms [id N]`: the alarm id, 0 for all.
    static func alarmID(_ words: [String]) throws -> UInt64 {
        var reader = Reader(words)
        var alarmID: UInt64 = 0
        while let word = try reader.next() {
            guard word == "id" else { throw ValidationError("unknown word '\(word)': expected id N") }
            alarmID = try reader.number(UInt64.self, after: "id", what: "an alarm id", minimum: 1)
        }
        return alarmID
    }

    /// `request chassis fpc slot N (offline|online|restart|inject-error …|inject-wedge …)`.
    struct Request {
        enum Action {
            case fpc(FpcRequestKind)
            case injectError(errorID: String, count: UInt64, pic: UInt32)
            case injectWedge(stage: WedgeStage, seconds: UInt32, pic: UInt32)
        }

        var slot: UInt32
        var action: Action

        /// `request chassis fpc` actions, for messages.
        static let actions = "offline, online, restart, inject-error ERROR-ID or inject-wedge STAGE"
        /// Stage words of `inject-wedge`.
        static let stages: [String: WedgeStage] = [
            "xm": .xm, "lu": .lu, "xl": .xl, "toe": .toe, "host-loopback": .hostLoopback,
        ]

        init(_ words: [String]) throws {
            var reader = Reader(words)
            var slot: UInt32?
            var verb: String?
            var errorID: String?
            var stage: WedgeStage?
            var count: UInt64?
            var pic: UInt32?
            var duration: UInt32?
            while let word = try reader.next() {
                switch word {
                case "slot": slot = try reader.number(UInt32.self, after: "slot", what: "an FPC slot")
                case "offline", "online", "restart", "inject-error", "inject-wedge":
                    if let verb { throw ValidationError("'\(verb)' and '\(word)' exclude each other") }
                    verb = word
                    if word == "inject-error" {
                        errorID = try reader.value(after: word, what: "an error id (see show chassis fpc errors)")
                    } else if word == "inject-wedge" {
                        let name = try reader.value(after: word, what: "a stage: xm, lu, xl, toe or host-loopback")
                        guard let known = Self.stages[name.lowercased()] else {
                            throw ValidationError("inject-wedge: '\(name)' is not a stage: xm, lu, xl, toe or host-loopback")
                        }
                        stage = known
                    }
                case "count": count = try reader.number(UInt64.self, after: "count", what: "a count", minimum: 1)
                case "pic": pic = try reader.number(UInt32.self, after: "pic", what: "a PIC")
                case "duration":
                    let seconds = try reader.number(UInt32.self, after: "duration", what: "a number of seconds", minimum: 1)
                    guard seconds <= OpsCodec.injectWedgeMaxSeconds else {
                        throw ValidationError("duration: \(seconds) is over \(OpsCodec.injectWedgeMaxSeconds) seconds")
                    }
                    duration = seconds
                default:
                    throw ValidationError("unknown word '\(word)': expected slot N, then \(Self.actions)")
                }
            }
            guard let slot else { throw ValidationError("give 'slot N', e.g. request chassis fpc slot 1 restart") }
            guard let verb else { throw ValidationError("give an action: \(Self.actions)") }
            self.slot = slot
            switch verb {
            case "inject-error":
                guard duration == nil else { throw ValidationError("'duration' goes with inject-wedge") }
                action = .injectError(errorID: errorID!, count: count ?? 1, pic: pic ?? 0)
            case "inject-wedge":
                guard count == nil else { throw ValidationError("'count' goes with inject-error") }
                guard let duration else {
                    throw ValidationError(
                        "inject-wedge needs 'duration SECONDS' (1-\(OpsCodec.injectWedgeMaxSeconds)), "
                            + "e.g. inject-wedge lu duration 15")
                }
                action = .injectWedge(stage: stage!, seconds: duration, pic: pic ?? 0)
            default:
                guard count == nil, pic == nil, duration == nil else {
                    throw ValidationError("'\(verb)' takes no count, pic or duration")
                }
                action = .fpc(verb == "offline" ? .offline : verb == "online" ? .online : .restart)
            }
        }
    }

    /// Reads words one by one; a keyword given twice is an error.
    private struct Reader {
        private let words: [String]
        private var index = 0
        private var seen: Set<String> = []

        init(_ words: [String]) { self.words = words }

        /// The next keyword; nil at the end.
        mutating func next() throws -> String? {
            guard index < words.count else { return nil }
            let word = words[index]
            index += 1
            guard seen.insert(word).inserted else { throw ValidationError("'\(word)' is given twice") }
            return word
        }

        /// The value after `keyword`.
        mutating func value(after keyword: String, what: String) throws -> String {
            guard index < words.count else { throw ValidationError("'\(keyword)' needs \(what)") }
            index += 1
            return words[index - 1]
        }

        /// The number after `keyword`, at least `minimum`.
        mutating func number<N: FixedWidthInteger>(
            _: N.Type, after keyword: String, what: String, minimum: N = 0
        ) throws -> N {
            let text = try value(after: keyword, what: what)
            guard let number = N(text), number >= minimum else {
                throw ValidationError("\(keyword): '\(text)' is not \(what) (\(minimum)-\(N.max))")
            }
            return number
        }
    }
}
