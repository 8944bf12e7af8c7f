import FlowtelCore
import FlowtelGRPC
import FlowtelTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Test support only: publishes synthetic events so that tests and benchmarks can exercise the
/// stream before the flow engine exists. Enabled by flowteld's hidden `--test-publisher` flag;
/// never presented to users as a feature.
public struct TestPublisher: Sendable {
    /// What to publish.
    public enum Spec: Sendable, CustomStringConvertible, Equatable {
        /// `SampleEvents.all()` once, at start.
        case samples
        /// `count` synthetic SessionClose events, started when `subscribers` subscribers are
        /// connected. Unpaced (`rate` nil): as fast as the slowest subscriber takes them
        /// (`.block` mode, none lost). Paced: `rate` events per second in `.live` mode, as a
        /// capture publishes (a slow subscriber's policy applies), each stamped with the time it
        /// is published, so subscribers can measure delivery latency. `small`: events with only
        /// a session id, protocol, reason and counters (`SampleEvents.smallClose`), the
        /// per-event floor of the stream.
        case sessions(count: Int, rate: Int?, subscribers: Int, small: Bool = false)

        /// Parses `samples` or `sessions:N[,rate=R][,subscribers=S][,small]`.
        public init?(_ text: String) {
            if text == "samples" {
                self = .samples
                return
            }
            guard text.hasPrefix("sessions:") else { return nil }
            let parts = text.dropFirst("sessions:".count).split(separator: ",")
            guard let first = parts.first, let count = Int(first), count > 0 else { return nil }
            var rate: Int? = nil
            var subscribers = 1
            var small = false
            for part in parts.dropFirst() {
                if part == "small" {
                    small = true
                    continue
                }
                let pair = part.split(separator: "=", maxSplits: 1)
                guard pair.count == 2, let value = Int(pair[1]), value > 0 else { return nil }
                switch pair[0] {
                case "rate": rate = value
                case "subscribers": subscribers = value
                default: return nil
                }
            }
            self = .sessions(count: count, rate: rate, subscribers: subscribers, small: small)
        }

        public var description: String {
            switch self {
            case .samples: "samples"
            case .sessions(let count, let rate, let subscribers, let small):
                "sessions:\(count)" + (rate.map { ",rate=\($0)" } ?? "") + (subscribers == 1 ? "" : ",subscribers=\(subscribers)")
                    + (small ? ",small" : "")
            }
        }
    }

    let spec: Spec
    let hub: EventHub

    func run() {
        let encoder = EventEncoder()
        switch spec {
        case .samples:
            let events = SampleEvents.all().filter { !$0.payload.isStreamControl }
            hub.publish(events.map { ($0.time, $0.payload) }, encoder: encoder, mode: .block)
        case .sessions(let count, let rate, let subscribers, let small):
            guard hub.waitForSubscribers(subscribers, timeout: .seconds(3600)) else { return }
            // Paced: a chunk every 5 ms on an absolute schedule, so the rate does not drift.
            let chunk = rate.map { max(1, $0 / 200) } ?? 1000
            let start = MonotonicClock.nowNanos()
            var published = 0
            let events = EncodedEvents()
            let fixedTime = WallClock.now()
            // One event value, its varying fields rewritten per event (as the engine builds
            // events from session records whose names are shared, not created per event).
            var close = small ? SampleEvents.smallClose(index: 0) : SampleEvents.benchmarkClose(index: 0, time: fixedTime)
            while published < count {
                if let rate {
                    let due = start + UInt64(published) * 1_000_000_000 / UInt64(rate)
                    var now = MonotonicClock.nowNanos()
                    while due > now {
                        usleep(UInt32(min(due - now, 1_000_000_000) / 1000))
                        now = MonotonicClock.nowNanos()
                    }
                }
                let time = rate == nil ? fixedTime : WallClock.now()
                let n = min(chunk, count - published)
                events.removeAll()
                for index in 0..<n {
                    if small {
                        SampleEvents.updateSmallClose(&close, index: UInt64(published + index))
                    } else {
                        SampleEvents.updateBenchmarkClose(&close, index: UInt64(published + index), time: time)
                    }
                    encoder.append(time: time, close: close, to: events)
                }
                guard hub.publish(events, mode: rate == nil ? .block : .live) != nil else { return }
                published += n
            }
        }
    }
}
