/// `security flow`: the global knobs of the flow engine. Defaults are the Junos defaults.
public struct FlowSettings: Hashable, Sendable {
    /// `aging`: aggressive aging.
    public struct Aging: Hashable, Sendable {
        /// `early-ageout`: timeout while aggressive aging is active, seconds (1-65535, default 20).
        public var earlyAgeout: Int = 20
        /// `high-watermark`: session-table fill percent that starts aggressive aging (1-100, default 100).
        public var highWatermark: Int = 100
        /// `low-watermark`: fill percent that stops it (0-100, default 100).
        public var lowWatermark: Int = 100

        /// The defaults: with both watermarks at 100 aggressive aging is effectively off.
        public init() {}
    }

    /// `tcp-mss`: MSS clamping.
    public struct TCPMSS: Hashable, Sendable {
        /// `all-tcp mss`.
        public var allTCP: Int?
        /// `gre-in mss`.
        public var greIn: Int?
        /// `gre-out mss`.
        public var greOut: Int?
        /// `ipsec-vpn mss`.
        public var ipsecVPN: Int?

        /// No clamping.
        public init() {}
    }

    /// `tcp-session time-wait-state`.
    public enum TimeWaitState: Hashable, Sendable {
        /// `session-ageout`: the closed session ages out with its normal timeout.
        case sessionAgeout
        /// `session-timeout N`: the closed session is kept N seconds.
        case sessionTimeout(Int)
    }

    /// `tcp-session`: TCP state checks and timeouts.
    public struct TCPSession: Hashable, Sendable {
        /// `fin-invalidate-session`: end the session on the first FIN.
        public var finInvalidateSession = false
        /// `no-sequence-check`.
        public var noSequenceCheck = false
        /// `no-syn-check`: accept a non-SYN first packet.
        public var noSynCheck = false
        /// `no-syn-check-in-tunnel`.
        public var noSynCheckInTunnel = false
        /// `rst-invalidate-session`: end the session on a RST instead of waiting.
        public var rstInvalidateSession = false
        /// `rst-sequence-check`: accept only in-window RSTs.
        public var rstSequenceCheck = false
        /// `strict-syn-check`: drop data before the handshake completes.
        public var strictSynCheck = false
        /// `tcp-initial-timeout`: lifetime before the handshake completes, seconds (4-300, default 20).
        public var tcpInitialTimeout = 20
        /// `time-wait-state`, when configured.
        public var timeWaitState: TimeWaitState?
        /// `time-wait-state apply-to-half-close-state`.
        public var timeWaitAppliesToHalfClose = false
        /// `maximum-window`, when set (kept).
        public var maximumWindow: String?

        /// The defaults: every check on, 20 s initial timeout.
        public init() {}
    }

    /// `syn-flood-protection-mode`.
    public enum SynFloodProtectionMode: String, Hashable, Sendable {
        /// `syn-cookie`.
        case synCookie = "syn-cookie"
        /// `syn-proxy` (the default).
        case synProxy = "syn-proxy"
    }

    /// `pending-sess-queue-length`.
    public enum PendingSessionQueueLength: String, Hashable, Sendable {
        /// `normal` (the default).
        case normal
        /// `moderate`.
        case moderate
        /// `high`.
        case high
    }

    /// `traceoptions`: flow debugging output (kept for `show`; flowtel logs through its own
    /// logger).
    public struct TraceOptions: Hashable, Sendable {
        /// `file NAME`.
        public var file: String?
        /// `file size`.
        public var fileSize: String?
        /// `file files`.
        public var fileCount: Int?
        /// `flag` names (`basic-datapath`, `session`, `all`, …).
        public var flags: [String] = []
        /// `packet-filter NAME { source-prefix …; destination-port …; }` as name → fields.
        public var packetFilters: [String: [String: String]] = [:]
        /// `level`.
        public var level: String?
        /// `no-remote-trace`.
        public var noRemoteTrace = false

        /// No tracing.
        public init() {}
    }

    /// `aging`.
    public var aging = Aging()
    /// `allow-dns-reply`: accept a DNS reply that matches no session.
    public var allowDNSReply = false
    /// `allow-embedded-icmp`.
    public var allowEmbeddedICMP = false
    /// `force-ip-reassembly`.
    public var forceIPReassembly = false
    /// `ipsec-performance-acceleration`.
    public var ipsecPerformanceAcceleration = false
    /// `load-distribution session-affinity ipsec`.
    public var sessionAffinityIPsec = false
    /// `pending-sess-queue-length`.
    public var pendingSessionQueueLength: PendingSessionQueueLength = .normal
    /// `route-change-timeout`: seconds (6-1800); nil when disabled (the default).
    public var routeChangeTimeout: Int?
    /// `syn-flood-protection-mode`.
    public var synFloodProtectionMode: SynFloodProtectionMode = .synProxy
    /// `tcp-mss`.
    public var tcpMSS = TCPMSS()
    /// `tcp-session`.
    public var tcpSession = TCPSession()
    /// `traceoptions`, when configured.
    public var traceOptions: TraceOptions?
    /// `bridge` statements, kept as written (flowtel does not do transparent mode).
    public var bridge: [String] = []

    /// The Junos defaults.
    public init() {}
}
