import FlowtelSubscriber

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// `flowtel subscribe`'s status line: rate, lag, gaps and reconnects, redrawn at most once a
/// second on standard error when that is a terminal, and nothing on a pipe or a file. Not drawn
/// when records go to the same terminal, where it would tear their lines.
final class StatusLine {
    private var lastDraw: UInt64 = 0
    private var lastEvents = 0
    private var drawn = false

    /// A status line, or nil when standard error is not a terminal (or records print there).
    static func make(recordsOnTerminal: Bool) -> StatusLine? {
        guard isatty(2) != 0, !(recordsOnTerminal && isatty(1) != 0) else { return nil }
        return StatusLine()
    }

    func update(_ statistics: DeliveryStatistics) {
        let now = monotonicNanos()
        guard now - lastDraw >= 1_000_000_000 else { return }
        let rate = lastDraw == 0 ? 0 : Double(statistics.events - lastEvents) * 1e9 / Double(now - lastDraw)
        lastDraw = now
        lastEvents = statistics.events
        let lag = Double(statistics.lastLatencyNanos) / 1e6
        let text =
            "\r\u{1B}[K\(statistics.events) events, \(Int(rate.rounded()))/s, lag \(Self.millis(lag)), "
            + "\(statistics.gaps) gaps (\(statistics.missing) events), \(statistics.reconnects) reconnects"
        write(text)
        drawn = true
    }

    /// Erases the line (before an error message, and at exit).
    func clear() {
        guard drawn else { return }
        write("\r\u{1B}[K")
        drawn = false
    }

    private static func millis(_ value: Double) -> String {
        value >= 10_000 ? "\(Int(value / 1000)) s" : value >= 10 ? "\(Int(value)) ms" : "\((value * 10).rounded() / 10) ms"
    }

    private func write(_ text: String) {
        let bytes = Array(text.utf8)
        bytes.withUnsafeBytes { _ = Glibc.write(2, $0.baseAddress, $0.count) }
    }
}
