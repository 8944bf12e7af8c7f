/// The `[edit security flow]` settings a flow engine runs with (`show security flow`), and a
/// few facts about the engine itself (SPUs, capacity).
///
/// Optional values are nil when the statement is not configured.
public struct SecurityFlowSettings: Hashable, Sendable {
    /// `syn-flood-protection-mode`.
    public enum SynFloodProtectionMode: String, Hashable, Sendable {
        /// `syn-proxy`, the default.
        case synProxy = "syn-proxy"
        /// `syn-cookie`.
        case synCookie = "syn-cookie"
    }

    /// `tcp-session time-wait-state`.
    public enum TimeWaitState: Hashable, Sendable {
        /// `session-ageout`.
        case sessionAgeout
        /// `session-timeout N`.
        case sessionTimeout(UInt32)
    }

    /// `allow-dns-reply`.
    public var allowDNSReply = false
    /// `route-change-timeout`, seconds.
    public var routeChangeTimeout: UInt32?
    /// `syn-flood-protection-mode`.
    public var synFloodProtectionMode = SynFloodProtectionMode.synProxy
    /// `tcp-mss all-tcp mss`.
    public var tcpMSSAllTCP: UInt32?
    /// `tcp-mss gre-in mss`.
    public var tcpMSSGREIn: UInt32?
    /// `tcp-mss gre-out mss`.
    public var tcpMSSGREOut: UInt32?
    /// `tcp-mss ipsec-vpn mss`.
    public var tcpMSSIPsecVPN: UInt32?
    /// SYN check on (`no-syn-check` turns it off).
    public var synCheck = true
    /// `no-syn-check-in-tunnel`.
    public var noSynCheckInTunnel = false
    /// `strict-syn-check`.
    public var strictSynCheck = false
    /// Sequence check on (`no-sequence-check` turns it off).
    public var sequenceCheck = true
    /// `rst-invalidate-session`.
    public var rstInvalidateSession = false
    /// `rst-sequence-check`.
    public var rstSequenceCheck = false
    /// `fin-invalidate-session`.
    public var finInvalidateSession = false
    /// `tcp-initial-timeout`, seconds (default 20).
    public var tcpInitialTimeout: UInt32 = 20
    /// `time-wait-state`.
    public var timeWaitState: TimeWaitState?
    /// `time-wait-state apply-to-half-close-state`.
    public var timeWaitAppliesToHalfClose = false
    /// `aging early-ageout`, seconds (default 20).
    public var earlyAgeout: UInt32 = 20
    /// `aging high-watermark`, percent (default 100).
    public var highWatermark: UInt32 = 100
    /// `aging low-watermark`, percent (default 100).
    public var lowWatermark: UInt32 = 100
    /// `traceoptions` is configured.
    public var traceOptions = false
    /// `services flowtel export all-sessions`.
    public var exportAllSessions = false
    /// The session-table capacity.
    public var maximumSessions: UInt64 = 0
    /// Flow-engine shards (SPUs).
    public var spus: UInt32 = 0

    /// The Junos defaults, no SPU.
    public init() {}
}
