import FlowtelCore
import FlowtelGRPC
import FlowtelTestSupport

/// Test support only: publishes synthetic events so that tests and benchmarks can exercise the
/// stream before the flow engine exists. Enabled by flowteld's hidden `--test-publisher` flag;
/// never presented to users as a feature.
public struct TestPublisher: Sendable {
    /// What to publish.
    public enum Spec: Sendable, CustomStringConvertible, Equatable {
        /// `SampleEvents.all()` once, at start.
        case samples
        /// `count` synthetic SessionClose events, started when the first subscriber connects,
        /// published in `.block` mode so none is lost.
        case sessions(count: Int)

        /// Parses `samples` or `sessions:N`.
        public init?(_ text: String) {
            if text == "samples" {
                self = .samples
            } else if text.hasPrefix("sessions:"), let count = Int(text.dropFirst("sessions:".count)), count > 0 {
                self = .sessions(count: count)
            } else {
                return nil
            }
        }

        public var description: String {
            switch self {
            case .samples: "samples"
            case .sessions(let count): "sessions:\(count)"
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
        case .sessions(let count):
            guard hub.waitForSubscribers(1, timeout: .seconds(3600)) else { return }
            let chunk = 1000
            var published = 0
            var bodies: [[UInt8]] = []
            var payloads: [Payload] = []
            bodies.reserveCapacity(chunk)
            payloads.reserveCapacity(chunk)
            let time = WallClock.now()
            while published < count {
                let n = min(chunk, count - published)
                for index in 0..<n {
                    let event = SampleEvents.benchmarkSessionClose(
                        index: UInt64(published + index), bootID: hub.bootID, seq: 0, time: time)
                    bodies.append(encoder.encodeBody(time: event.time, payload: event.payload))
                    payloads.append(event.payload)
                }
                guard hub.publish(bodies: bodies, payloads: payloads, mode: .block) != nil else { return }
                published += n
                bodies.removeAll(keepingCapacity: true)
                payloads.removeAll(keepingCapacity: true)
            }
        }
    }
}
