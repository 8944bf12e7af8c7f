public import FlowtelCore

/// A file output's checkpoint (`PATH.checkpoint`): where its subscription resumes and how many
/// bytes of the current file (`PATH`) that position covers.
///
/// The text form is two lines, the first usable as `flowtel subscribe --resume`:
///
///     0123456789abcdef:42
///     bytes=1234
///
/// The first line is `oldest` or `now` before any event was written.
public struct OutputCheckpoint: Hashable, Sendable {
    /// Where a subscription writing to this output starts.
    public enum Start: Hashable, Sendable {
        /// After this event: the last one (or the end of the last gap) durably written.
        case after(ResumePoint)
        /// Nothing written yet; the output was started with `--from-oldest`.
        case oldest
        /// Nothing written yet; the output was started from now.
        case now

        /// `BOOT-ID:SEQ` (usable with `--resume`), `oldest` or `now`.
        public var text: String {
            switch self {
            case .after(let point): "\(point.bootID):\(point.seq)"
            case .oldest: "oldest"
            case .now: "now"
            }
        }
    }

    /// Where the subscription resumes.
    public var start: Start
    /// Bytes of the current file the checkpoint covers; anything beyond them was written after
    /// the checkpoint and is discarded on the next start (it will be received again).
    public var bytes: UInt64

    /// Creates a checkpoint.
    public init(start: Start, bytes: UInt64) {
        self.start = start
        self.bytes = bytes
    }

    /// The text form.
    public var text: String {
        "\(start.text)\nbytes=\(bytes)\n"
    }

    /// Parses the text form; nil when `text` is not one.
    public init?(text: String) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        guard lines.count == 2, lines[1].hasPrefix("bytes="), let bytes = UInt64(lines[1].dropFirst(6)) else {
            return nil
        }
        switch lines[0] {
        case "oldest": start = .oldest
        case "now": start = .now
        default:
            let parts = lines[0].split(separator: ":")
            guard parts.count == 2, let boot = BootID(hex: parts[0]), let seq = UInt64(parts[1]) else { return nil }
            start = .after(ResumePoint(bootID: boot, seq: seq))
        }
        self.bytes = bytes
    }
}
