/// One direction of a session as `show security flow session` prints it: the `In:` wing
/// (client to server, before NAT) or the `Out:` wing (server to client, after NAT).
public struct SessionWing: Hashable, Sendable {
    /// Source address of the packets on this wing.
    public var sourceAddress: IPAddress
    /// Source port (ICMP: the identifier).
    public var sourcePort: UInt16
    /// Destination address.
    public var destinationAddress: IPAddress
    /// Destination port.
    public var destinationPort: UInt16
    /// IANA protocol number.
    public var protocolID: UInt8
    /// Connection tag (`Conn Tag: 0x…`).
    public var connectionTag: UInt32
    /// The logical interface the wing's packets arrive on (`If:`).
    public var interface: String
    /// Packets counted on this wing.
    public var packets: UInt64
    /// IP bytes counted on this wing.
    public var bytes: UInt64

    /// Creates a wing; counters default to 0.
    public init(
        sourceAddress: IPAddress = .unspecifiedV4, sourcePort: UInt16 = 0,
        destinationAddress: IPAddress = .unspecifiedV4, destinationPort: UInt16 = 0, protocolID: UInt8 = 0,
        connectionTag: UInt32 = 0, interface: String = "", packets: UInt64 = 0, bytes: UInt64 = 0
    ) {
        self.sourceAddress = sourceAddress
        self.sourcePort = sourcePort
        self.destinationAddress = destinationAddress
        self.destinationPort = destinationPort
        self.protocolID = protocolID
        self.connectionTag = connectionTag
        self.interface = interface
        self.packets = packets
        self.bytes = bytes
    }
}

/// One live session in the answer to `show security flow session`.
public struct SessionEntry: Hashable, Sendable {
    /// Where the session is in its life (`Session State:`).
    public enum State: Int, Hashable, Sendable, CaseIterable {
        /// Established, or not TCP.
        case valid = 1
        /// A TCP session whose handshake has not completed.
        case pending = 2
        /// Ended, not yet freed.
        case invalidated = 3
    }

    /// Session id (`session-id-32`).
    public var sessionID: UInt32
    /// The policy that permitted it.
    public var policyName: String
    /// That policy's index.
    public var policyIndex: UInt32
    /// Seconds left before the idle timeout; nil when the session never times out.
    public var timeoutRemaining: UInt32?
    /// The session's inactivity timeout in seconds (`Maximum timeout`); nil for never.
    public var timeoutMax: UInt32?
    /// Its state.
    public var state: State
    /// Client to server, before NAT.
    public var inWing: SessionWing
    /// Server to client, after NAT.
    public var outWing: SessionWing
    /// The application (RT_FLOW service-name); empty when none matched.
    public var application: String
    /// When the session was created.
    public var startTime: Timestamp
    /// Its age in whole seconds.
    public var durationSeconds: UInt32
    /// The source NAT pool that translated it; empty for none (`Null`).
    public var sourceNATPool: String
    /// The SPU that owns it.
    public var location: SPULocation
    /// Source zone.
    public var sourceZone: String
    /// Destination zone.
    public var destinationZone: String

    /// Creates an entry.
    public init(
        sessionID: UInt32, policyName: String = "", policyIndex: UInt32 = 0, timeoutRemaining: UInt32? = nil,
        timeoutMax: UInt32? = nil, state: State = .valid, inWing: SessionWing = SessionWing(),
        outWing: SessionWing = SessionWing(), application: String = "", startTime: Timestamp = Timestamp(unixNanos: 0),
        durationSeconds: UInt32 = 0, sourceNATPool: String = "", location: SPULocation = SPULocation(shard: 0),
        sourceZone: String = "", destinationZone: String = ""
    ) {
        self.sessionID = sessionID
        self.policyName = policyName
        self.policyIndex = policyIndex
        self.timeoutRemaining = timeoutRemaining
        self.timeoutMax = timeoutMax
        self.state = state
        self.inWing = inWing
        self.outWing = outWing
        self.application = application
        self.startTime = startTime
        self.durationSeconds = durationSeconds
        self.sourceNATPool = sourceNATPool
        self.location = location
        self.sourceZone = sourceZone
        self.destinationZone = destinationZone
    }
}

/// The sessions of one SPU (flow-engine shard) that matched a query.
public struct SPUSessions: Hashable, Sendable {
    /// The SPU (`Flow Sessions on FPC<n> PIC<m>:`).
    public var location: SPULocation
    /// The matching sessions returned, in session-id order.
    public var sessions: [SessionEntry]
    /// Matching sessions on this SPU; more than `sessions.count` when the answer was limited.
    public var total: UInt64

    /// Creates an SPU's list; `total` defaults to the number of sessions.
    public init(location: SPULocation, sessions: [SessionEntry] = [], total: UInt64? = nil) {
        self.location = location
        self.sessions = sessions
        self.total = total ?? UInt64(sessions.count)
    }
}

/// The answer to `show security flow session`: one list per SPU, in FPC/PIC order.
public struct SessionList: Hashable, Sendable {
    /// Per SPU.
    public var spus: [SPUSessions]

    /// Creates a list.
    public init(spus: [SPUSessions] = []) {
        self.spus = spus
    }

    /// Matching sessions over every SPU.
    public var total: UInt64 { spus.reduce(0) { $0 + $1.total } }
}
