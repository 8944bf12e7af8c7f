public import FlowtelCore

/// One kind of error flowtel's datapath can detect: a real software condition mapped to an FPC
/// error id, as an SRX's chassis fault manager maps hardware conditions. Severities are fixed
/// here and cannot be re-classified by configuration (the SRX rule).
public struct FpcErrorDefinition: Hashable, Sendable {
    /// Catalogue id, as `inject-error` and the counters name it (`ioc-malformed-packet`).
    public let id: String
    /// The datapath module that detects it (`decode`, `capture`, `dispatch`, `flow`, …).
    public let module: String
    /// Severity.
    public let severity: Severity
    /// Error type: the per-type threshold level counts occurrences of a type on an FPC.
    public let type: String
    /// The card that detects it: I/O card errors count on FPC 0, services card errors on the
    /// FPC of the SPU that detected them.
    public let card: FpcType
    /// What happened, for reports and alarms.
    public let summary: String
}

/// Every error flowtel detects. The README's *Fault manager* section lists them.
public enum FpcErrorCatalogue {
    /// The catalogue, I/O card errors first.
    public static let all: [FpcErrorDefinition] = [
        FpcErrorDefinition(
            id: "ioc-malformed-packet", module: "decode", severity: .minor, type: "packet", card: .ioc3,
            summary: "frame failed decoding (truncated or malformed header)"),
        FpcErrorDefinition(
            id: "ioc-capture-drop", module: "capture", severity: .major, type: "capture", card: .ioc3,
            summary: "capture dropped packets (kernel or interface buffer full)"),
        FpcErrorDefinition(
            id: "ioc-capture-read-error", module: "capture", severity: .major, type: "capture", card: .ioc3,
            summary: "capture source read error (unreadable record or device error)"),
        FpcErrorDefinition(
            id: "ioc-capture-failed", module: "capture", severity: .fatal, type: "capture", card: .ioc3,
            summary: "capture source failed and stopped delivering packets"),
        FpcErrorDefinition(
            id: "ioc-dispatch-drop", module: "dispatch", severity: .major, type: "queue", card: .ioc3,
            summary: "dispatch could not hand packets to an SPU (I/O card or every services card offline); packets dropped"),
        FpcErrorDefinition(
            id: "spc-session-table-full", module: "flow", severity: .major, type: "resource", card: .spc2,
            summary: "session table full; first packet failed"),
        FpcErrorDefinition(
            id: "spc-nat-pool-exhausted", module: "nat", severity: .minor, type: "resource", card: .spc2,
            summary: "source NAT pool exhausted; session failed"),
        FpcErrorDefinition(
            id: "spc-event-queue-overflow", module: "export", severity: .major, type: "queue", card: .spc2,
            summary: "event export queue overflowed; events evicted before a subscriber read them"),
        FpcErrorDefinition(
            id: "spc-shard-stall", module: "flow", severity: .fatal, type: "stall", card: .spc2,
            summary: "SPU stopped making progress with work pending"),
        FpcErrorDefinition(
            id: "spc-host-loopback-failed", module: "host-path", severity: .major, type: "probe", card: .spc2,
            summary: "host-loopback probe through the SPU did not come back"),
        FpcErrorDefinition(
            id: "spc-control-timeout", module: "control", severity: .major, type: "control", card: .spc2,
            summary: "SPU did not answer a routing-engine request in time"),
    ]

    private static let byID: [String: FpcErrorDefinition] = Dictionary(uniqueKeysWithValues: all.map { ($0.id, $0) })

    /// The definition of `id`, nil when the catalogue has no such error.
    public static func definition(_ id: String) -> FpcErrorDefinition? { byID[id] }
}
