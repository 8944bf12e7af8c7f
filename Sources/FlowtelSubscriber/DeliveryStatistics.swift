public import FlowtelCore

/// What a subscriber has received and how late: events, gaps, reconnects, and the delivery
/// latency of every event (from the event's time to the moment it was printed or stored),
/// for the terminal status line and `--format count`.
///
/// Latency is only meaningful when the event's time is the moment it was produced (live
/// capture, generated traffic); replayed captures carry their packets' old times.
public struct DeliveryStatistics: Sendable {
    /// Events received (stream control not counted).
    public private(set) var events = 0
    /// Gap records received.
    public private(set) var gaps = 0
    /// Events the gaps say will not arrive (unknown ends not counted).
    public private(set) var missing: UInt64 = 0
    /// Times the subscription was re-established.
    public var reconnects = 0
    /// Latency of the last event delivered, nanoseconds.
    public private(set) var lastLatencyNanos: Int64 = 0
    private var histogram = LatencyHistogram()

    /// Empty.
    public init() {}

    /// Counts `event` as received.
    public mutating func received(_ event: Event) {
        switch event.payload {
        case .gap(let gap):
            gaps += 1
            if gap.lastSeq >= gap.firstSeq && gap.lastSeq > 0 { missing += gap.lastSeq - gap.firstSeq + 1 }
        case .heartbeat, .syncResponse:
            break
        default:
            events += 1
        }
    }

    /// Counts a received event that is neither a gap nor stream control (a session event read
    /// without decoding its payload): what `received(_:)` does for one.
    public mutating func receivedPayloadEvent() {
        events += 1
    }

    /// Records the latency of an event of time `eventTime` written or stored at `now`.
    public mutating func delivered(eventTime: Timestamp, at now: Timestamp) {
        lastLatencyNanos = Int64(bitPattern: now.unixNanos &- eventTime.unixNanos)
        histogram.record(max(0, lastLatencyNanos) / 1000)
    }

    /// The latency below which `fraction` (0…1) of the events were delivered, milliseconds;
    /// nil before any event.
    public func latencyMillis(percentile fraction: Double) -> Double? {
        histogram.value(at: fraction).map { Double($0) / 1000 }
    }
}

/// Microsecond values in log-linear buckets (16 per power of two: within 6.25%), constant
/// memory and cost per value whatever the range.
struct LatencyHistogram: Sendable {
    private var counts = [UInt64](repeating: 0, count: 62 * 16)
    private var total: UInt64 = 0

    mutating func record(_ micros: Int64) {
        counts[Self.bucket(UInt64(micros))] += 1
        total += 1
    }

    static func bucket(_ value: UInt64) -> Int {
        guard value >= 16 else { return Int(value) }
        let exponent = 63 - value.leadingZeroBitCount  // 4 …
        return (exponent - 3) * 16 + Int((value >> UInt64(exponent - 4)) & 15)
    }

    /// The upper bound of `bucket`.
    static func upperBound(_ bucket: Int) -> UInt64 {
        guard bucket >= 16 else { return UInt64(bucket) }
        let exponent = bucket / 16 + 3
        let sub = UInt64(bucket % 16)
        return ((16 + sub + 1) << UInt64(exponent - 4)) - 1
    }

    func value(at fraction: Double) -> UInt64? {
        guard total > 0 else { return nil }
        let rank = max(1, UInt64((Double(total) * min(max(fraction, 0), 1)).rounded(.up)))
        var seen: UInt64 = 0
        for (bucket, count) in counts.enumerated() where count > 0 {
            seen += count
            if seen >= rank { return Self.upperBound(bucket) }
        }
        return nil
    }
}
