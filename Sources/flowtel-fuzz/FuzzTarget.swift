import Glibc
import JunosConfig
import PacketIO
import Packets

/// A fuzz target: a function from arbitrary bytes to nothing that must not trap on any input.
///
/// A trap (a failed precondition, an out-of-bounds access, an overflow) or an AddressSanitizer
/// report while running a target is a bug in the code under test, not in the input.
enum FuzzTarget: String, CaseIterable, Sendable {
    /// ``PacketDecoder`` on one frame: the first byte picks the link type, the rest is the frame.
    case decoder
    /// ``CaptureReader`` on a whole pcap or pcapng file, decoding every packet it yields.
    case capture
    /// ``ConfigParser`` and ``DeviceConfig`` on a configuration text, and printing it back.
    case config

    /// The environment variable that names the target when the first argument does not.
    static let environmentVariable = "FLOWTEL_FUZZ_TARGET"

    /// Runs the target on one input.
    ///
    /// - Returns: how many packets decoded without error (for the replay summary; a rejected
    ///   input is as correct an answer as a decoded one).
    @discardableResult
    func run(_ input: UnsafeRawBufferPointer) -> Int {
        switch self {
        case .decoder: DecoderFuzzing.run(input)
        case .capture: CaptureFuzzing.run(input)
        case .config: ConfigFuzzing.run(input)
        }
    }
}

/// The target chosen for this process, and whether the first argument named it.
struct FuzzSelection: Sendable {
    var target: FuzzTarget
    var isFirstArgument: Bool

    /// The selection from the command line and environment, or nil when neither names a target.
    /// Evaluated once, before anything rearranges `argv`.
    static let current: FuzzSelection? = {
        let arguments = CommandLine.arguments
        if arguments.count > 1, let target = FuzzTarget(rawValue: arguments[1]) {
            return FuzzSelection(target: target, isFirstArgument: true)
        }
        if let value = getenv(FuzzTarget.environmentVariable), let target = FuzzTarget(rawValue: String(cString: value)) {
            return FuzzSelection(target: target, isFirstArgument: false)
        }
        return nil
    }()
}

/// The `decoder` target.
enum DecoderFuzzing {
    static func run(_ input: UnsafeRawBufferPointer) -> Int {
        guard let selector = input.first else { return 0 }
        let linkTypes = LinkType.supported
        let decoder = PacketDecoder(linkType: linkTypes[Int(selector) % linkTypes.count])
        let frame = UnsafeRawBufferPointer(rebasing: input.dropFirst())
        // Whole frame, then the same bytes as the start of a longer frame cut by a snapshot
        // length: the decoder must then accept IP lengths that point past the capture.
        let extra = Int(frame.last ?? 0)
        return decode(frame, with: decoder, wireLength: nil) + decode(frame, with: decoder, wireLength: frame.count + extra)
    }

    static func decode(_ frame: UnsafeRawBufferPointer, with decoder: PacketDecoder, wireLength: Int?) -> Int {
        // The straight-line flow decoder must agree with the full one: the same headers for
        // unfragmented TCP and UDP, nil for everything else and for what the full one rejects.
        let flow = decoder.decodeFlow(frame, wireLength: wireLength)
        let full = try? decoder.decode(frame, wireLength: wireLength)
        precondition(flow == full.flatMap { FlowHeaders($0) }, "decodeFlow disagrees with decode")
        do {
            let packet = try decoder.decode(frame, wireLength: wireLength)
            precondition(packet.capturedLength == frame.count, "decoded capturedLength differs from the frame's length")
            precondition(packet.wireLength == wireLength ?? frame.count, "decoded wireLength differs from the one given")
            let payload = packet.payload(in: frame)
            precondition(payload.count <= frame.count, "payload longer than the frame")
            return 1
        } catch {
            // A PacketDecodeError is the correct answer to a malformed frame.
            return 0
        }
    }
}

/// The `capture` target.
enum CaptureFuzzing {
    static func run(_ input: UnsafeRawBufferPointer) -> Int {
        // An exact-size private copy, so AddressSanitizer sees any read past the file's end.
        let file = CaptureFile(copying: Array(input))
        var reader: CaptureReader
        do {
            reader = try CaptureReader(file: file)
        } catch {
            return 0
        }
        // Every entry consumes at least a 12-byte pcapng block or a 16-byte pcap record header,
        // so a reader that yields more entries than this is not advancing.
        let entryLimit = input.count / 12 + 2
        var entries = 0
        var decoded = 0
        while true {
            let next: CaptureEntry?
            do {
                next = try reader.next()
            } catch {
                // A broken file structure ends reading; that is the documented behaviour.
                return decoded
            }
            guard let entry = next else { return decoded }
            entries += 1
            precondition(
                entries <= entryLimit,
                "capture reader yielded \(entries) entries from \(input.count) bytes: it is not advancing")
            guard case .packet(let record) = entry else { continue }
            checkBounds(of: record, in: file.bytes)
            do {
                _ = try PacketDecoder(linkType: record.linkType).decode(record.bytes, wireLength: record.originalLength)
                decoded += 1
            } catch {
                // Malformed packet inside a well-formed file: a correct answer.
            }
        }
    }

    /// A record's bytes must be borrowed from inside the file, and as many as it says.
    static func checkBounds(of record: CaptureRecord, in file: UnsafeRawBufferPointer) {
        precondition(record.bytes.count == record.capturedLength, "record bytes differ from its captured length")
        guard record.bytes.count > 0 else { return }
        guard let start = record.bytes.baseAddress, let fileStart = file.baseAddress else {
            preconditionFailure("non-empty record from an empty file")
        }
        let offset = start - fileStart
        precondition(
            offset >= 0 && offset <= file.count - record.bytes.count,
            "record bytes at \(offset)+\(record.bytes.count) lie outside the \(file.count)-byte file")
    }
}

/// The `config` target: any text either parses or throws a located error; what parses builds a
/// typed configuration (errors and warnings as values, never a trap), derives a traffic plan
/// when valid, and prints back to text that parses to the same tree in both syntaxes.
enum ConfigFuzzing {
    static func run(_ input: UnsafeRawBufferPointer) -> Int {
        let text = String(decoding: input, as: UTF8.self)
        let parsed: ParsedConfig
        do {
            parsed = try ConfigParser.parse(text: text, file: "fuzz")
        } catch {
            precondition(error.location.line >= 1 && error.location.column >= 1, "error without a location")
            return 0
        }
        let check = DeviceConfig.check(parsed)
        for error in check.errors {
            precondition(error.location.line >= 1 && !error.message.isEmpty, "error without a location or message")
        }
        if check.isValid { _ = try? TrafficPlan(config: check.config) }
        for syntax in [ConfigSyntax.set, .curly] {
            let printed = parsed.tree.formatted(as: syntax)
            guard let again = try? ConfigParser.parse(text: printed, file: "printed") else {
                preconditionFailure("printed \(syntax) text does not parse:\n\(printed)")
            }
            precondition(again.tree == parsed.tree, "printed \(syntax) text parses to a different tree:\n\(printed)")
        }
        return 1
    }
}
