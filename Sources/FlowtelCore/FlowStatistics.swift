/// The datapath's counters (`show security flow statistics`): packets received from every
/// packet source, what could not be decoded, fragments, kernel drops, and each source's own
/// counters.
public struct FlowStatistics: Hashable, Sendable {
    /// Sessions in the session table (0 until the flow engine exists).
    public var currentSessions: UInt64
    /// Frames read from every source, decodable or not (the sum of the sources' packets).
    public var packetsReceived: UInt64
    /// Packets a session forwarded.
    public var packetsTransmitted: UInt64
    /// Packets forwarded or queued.
    public var packetsForwarded: UInt64
    /// Packets copied.
    public var packetsCopied: UInt64
    /// Packets the kernel dropped before a live source read them (`ps_drop`, every source).
    public var packetsDropped: UInt64
    /// IPv4 and IPv6 fragments received.
    public var fragmentPackets: UInt64
    /// Frames that could not be decoded, plus capture-file records skipped as malformed.
    public var packetsMalformed: UInt64
    /// Per packet source, in configuration order.
    public var sources: [CaptureSourceStatistics]

    /// Creates a snapshot; with no arguments, every counter 0 and no source.
    public init(
        currentSessions: UInt64 = 0, packetsReceived: UInt64 = 0, packetsTransmitted: UInt64 = 0,
        packetsForwarded: UInt64 = 0, packetsCopied: UInt64 = 0, packetsDropped: UInt64 = 0,
        fragmentPackets: UInt64 = 0, packetsMalformed: UInt64 = 0, sources: [CaptureSourceStatistics] = []
    ) {
        self.currentSessions = currentSessions
        self.packetsReceived = packetsReceived
        self.packetsTransmitted = packetsTransmitted
        self.packetsForwarded = packetsForwarded
        self.packetsCopied = packetsCopied
        self.packetsDropped = packetsDropped
        self.fragmentPackets = fragmentPackets
        self.packetsMalformed = packetsMalformed
        self.sources = sources
    }

    /// The datapath totals of `sources` (sessions 0; the flow engine adds its own counters).
    public init(summing sources: [CaptureSourceStatistics]) {
        self.init(sources: sources)
        for source in sources {
            packetsReceived &+= source.packets
            packetsMalformed &+= source.malformed &+ source.skippedRecords
            fragmentPackets &+= source.fragments
            packetsDropped &+= source.kernelDrops
        }
    }
}

/// One packet source's counters: a capture file, a live interface or the traffic generator.
public struct CaptureSourceStatistics: Hashable, Sendable {
    /// What kind of source it is.
    public enum Kind: Int, Hashable, Sendable {
        /// A pcap or pcapng file, read once.
        case file = 1
        /// A network interface, through libpcap.
        case interface = 2
        /// The built-in traffic generator.
        case generator = 3
    }

    /// Where a source is in its life.
    public enum State: Int, Hashable, Sendable {
        /// Reading packets.
        case running = 1
        /// A file read to its end (the daemon keeps serving), or a source stopped at shutdown.
        case finished = 2
        /// Reading stopped on an error (see ``CaptureSourceStatistics/error``).
        case failed = 3
    }

    /// One decode-error kind and how many frames failed with it.
    public struct ErrorCount: Hashable, Sendable {
        /// The error kind's stable name (`ipv4HeaderLengthTooSmall`, `truncatedTCP`, ...).
        public var kind: String
        /// Frames.
        public var count: UInt64

        /// Creates a count.
        public init(kind: String, count: UInt64) {
            self.kind = kind
            self.count = count
        }
    }

    /// The file path, the interface name, or `generator`.
    public var name: String
    /// File, interface or generator.
    public var kind: Kind
    /// Running, finished or failed.
    public var state: State
    /// Why the source failed; empty unless ``state`` is ``State/failed``.
    public var error: String
    /// Frames read, decodable or not (``skippedRecords`` included).
    public var packets: UInt64
    /// Bytes of those frames on the wire (their original length, not the captured length).
    public var bytes: UInt64
    /// Frames the packet decoder rejected (the sum of ``decodeErrors``).
    public var malformed: UInt64
    /// IPv4 and IPv6 fragments.
    public var fragments: UInt64
    /// Capture-file records the reader skipped as malformed (they never reached the decoder).
    public var skippedRecords: UInt64
    /// Live sources: packets the kernel's filter accepted (`ps_recv`); 0 for files.
    public var kernelReceived: UInt64
    /// Live sources: packets dropped because the capture buffer was full (`ps_drop`).
    public var kernelDrops: UInt64
    /// Live sources: packets the interface or its driver dropped (`ps_ifdrop`).
    public var interfaceDrops: UInt64
    /// Decoder failures by kind, in the decoder's stable kind order; kinds never seen omitted.
    public var decodeErrors: [ErrorCount]

    /// Creates a record; counters default to 0.
    public init(
        name: String, kind: Kind, state: State = .running, error: String = "", packets: UInt64 = 0,
        bytes: UInt64 = 0, malformed: UInt64 = 0, fragments: UInt64 = 0, skippedRecords: UInt64 = 0,
        kernelReceived: UInt64 = 0, kernelDrops: UInt64 = 0, interfaceDrops: UInt64 = 0,
        decodeErrors: [ErrorCount] = []
    ) {
        self.name = name
        self.kind = kind
        self.state = state
        self.error = error
        self.packets = packets
        self.bytes = bytes
        self.malformed = malformed
        self.fragments = fragments
        self.skippedRecords = skippedRecords
        self.kernelReceived = kernelReceived
        self.kernelDrops = kernelDrops
        self.interfaceDrops = interfaceDrops
        self.decodeErrors = decodeErrors
    }
}
