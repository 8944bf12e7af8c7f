import FlowtelCore

/// What one packet of a session is; ``FrameWriter`` turns a step into frame bytes.
enum StepKind: UInt8, Sendable {
    case tcp
    case dnsQuery
    case dnsResponse
    case ntpRequest
    case ntpResponse
    case udpRequest
    case udpResponse
    case echoRequest
    case echoReply
}

/// One packet of a session's script, with every field that varies per packet.
struct Step: Sendable {
    /// When the packet passes the firewall, in nanoseconds since the epoch.
    var time: UInt64
    var kind: StepKind
    var fromClient: Bool
    /// TCP: flags; whether the SYN options (MSS, SACK-permitted, timestamps, window scale) are
    /// carried instead of the timestamps option alone.
    var tcpFlags: UInt8 = 0
    var synOptions = false
    var window: UInt16 = 0
    /// TCP sequence number; ICMP echo sequence number.
    var sequence: UInt32 = 0
    var acknowledgment: UInt32 = 0
    var timestampValue: UInt32 = 0
    var timestampEcho: UInt32 = 0
    /// TCP and generic UDP payload length.
    var payloadLength: Int32 = 0
    /// Where a TCP payload lies in its byte stream (selects its content).
    var streamOffset: UInt32 = 0
    /// NTP and ICMP echo: when the request this packet belongs to was sent.
    var requestTime: UInt64 = 0

    init(time: UInt64, kind: StepKind, fromClient: Bool) {
        self.time = time
        self.kind = kind
        self.fromClient = fromClient
    }
}

/// A TCP segment's time at the firewall and its TSval, for choosing the TSecr that echoes it.
struct SentTimestamp: Sendable {
    var time: UInt64
    var value: UInt32
}

/// One side of a session: its addresses and the per-host details its packets carry.
struct Peer: Sendable {
    var address = IPAddress.unspecifiedV4
    var port: UInt16 = 0
    /// The index of the endpoint its frames arrive from.
    var endpoint = 0
    var sourceMAC: UInt64 = 0
    var destinationMAC: UInt64 = 0
    /// 0 for untagged.
    var vlan: UInt16 = 0
    var ttl: UInt8 = 64
    /// The next IPv4 identification; incremented per packet sent.
    var ipID: UInt16 = 0
    var flowLabel: UInt32 = 0
    var mss: UInt16 = 1460
    var windowScale: UInt8 = 7
    /// False for DNS servers, which commonly send responses without DF (IP_PMTUDISC_OMIT).
    var dontFragment = true
    /// How the other side addresses this peer: its own address and port, unless the firewall
    /// translates them (``TrafficFlow/Translation``). Frames towards this peer carry these.
    var seenAddress = IPAddress.unspecifiedV4
    var seenPort: UInt16 = 0
}

/// A session in progress: its peers, application details and the script of its packets.
///
/// Slots are reused once a session ends, keeping the capacity of their arrays, so
/// steady-state generation does not allocate.
struct SessionState: Sendable {
    var serial = 0
    var flow = 0
    var isV4 = true
    var application = TrafficFlow.ApplicationKind.tcp
    var expectation = TrafficFlow.Expectation.answered
    var client = Peer()
    var server = Peer()
    var steps: [Step] = []
    var cursor = 0
    /// Scratch space for building a TCP script, kept for its capacity.
    var clientTimestamps: [SentTimestamp] = []
    var serverTimestamps: [SentTimestamp] = []
    /// Selects the content of TCP and generic UDP payloads.
    var contentSeed: UInt32 = 0

    var dnsID: UInt16 = 0
    var dnsType: UInt16 = 1
    var dnsTTL: UInt32 = 0
    var dnsAnswer = IPAddress.unspecifiedV4
    /// The queried name in DNS wire format (length-prefixed labels, final 0).
    var dnsName: [UInt8] = []

    var ntpStratum: UInt8 = 2
    var ntpReference: UInt32 = 0
    var ntpRootDelay: UInt32 = 0
    var ntpRootDispersion: UInt32 = 0

    var echoIdentifier: UInt16 = 0
    /// The identifier the server side sees (source NAT into a port range may change it).
    var serverEchoIdentifier: UInt16 = 0
}
