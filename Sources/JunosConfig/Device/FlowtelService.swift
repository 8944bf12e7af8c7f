/// `services flowtel`: flowteld's own settings, in the device configuration so one file
/// configures everything. Command-line flags override them.
public struct FlowtelService: Hashable, Sendable {
    /// What happens to every subscriber that falls behind (`drop-policy`), whatever its
    /// request asks; without it each subscriber chooses.
    public enum DropPolicy: String, Hashable, Sendable {
        /// `drop-oldest`: the subscriber skips ahead and is told with a Gap.
        case dropOldest = "drop-oldest"
        /// `disconnect`: the subscriber is disconnected and resumes later.
        case disconnect
    }

    /// A packet source (`capture interface NAME` or `capture file PATH`).
    public struct CaptureSource: Hashable, Sendable {
        /// Where packets come from.
        public enum Kind: Hashable, Sendable {
            /// A live interface through libpcap.
            case interface(String)
            /// A pcap or pcapng file.
            case file(String)
        }

        /// The source.
        public var kind: Kind
        /// `snaplen`, bytes.
        public var snapLength: Int?
        /// `promiscuous` (default on for interfaces); `no-promiscuous` turns it off.
        public var promiscuous: Bool = true
        /// `filter`: a BPF expression.
        public var filter: String?
        /// `buffer-size`, bytes.
        public var bufferSize: Int?
        /// Where the source is configured.
        @NotCompared public var location: SourceLocation

        /// Creates a source.
        public init(kind: Kind, location: SourceLocation) {
            self.kind = kind
            self.location = location
        }
    }

    /// `listen address`; nil uses the daemon default.
    public var listenAddress: String?
    /// `listen port`.
    public var listenPort: UInt16?
    /// `tls certificate`.
    public var tlsCertificate: String?
    /// `tls key`.
    public var tlsKey: String?
    /// `tls client-ca`: require client certificates chaining to this CA.
    public var tlsClientCA: String?
    /// `authentication-token-file`.
    public var authenticationTokenFile: String?
    /// `replay-buffer size` (or `replay-buffer-size`), bytes (`k`, `m`, `g` suffixes accepted).
    public var replayBufferSize: Int?
    /// `subscriber-queue-size`, bytes.
    public var subscriberQueueSize: Int?
    /// `drop-policy`.
    public var dropPolicy: DropPolicy?
    /// `capture` sources, in order.
    public var captureSources: [CaptureSource] = []
    /// `maximum-sessions`: the session table's capacity over all SPUs (first packets beyond it
    /// fail, counted as failed sessions); nil uses the daemon default.
    public var maximumSessions: Int?
    /// `spus`: flow-engine shards (SPUs); nil uses the daemon default.
    public var spus: Int?
    /// The largest `maximum-sessions` accepted.
    public static let sessionLimit = 100_000_000
    /// The largest `spus` accepted.
    public static let spuLimit = 64
    /// `export all-sessions`: publish every session's create and close events, whatever its
    /// policy's `log` statements say (off by default, as on an SRX).
    public var exportAllSessions = false

    /// `wedge-detect detect-after SECONDS`: a datapath stage with work pending and no progress
    /// for this long is wedged (transient); nil uses the default, 1 s.
    public var wedgeDetectAfter: Duration?
    /// `wedge-detect irreversible-after SECONDS`: a wedge that lasts this long is irreversible
    /// (an alarm is raised); nil uses the default, 5 s.
    public var wedgeIrreversibleAfter: Duration?

    /// Nothing configured.
    public init() {}
}
