public import FlowtelCore
public import Packets

/// Which packet source a batch comes from.
public struct PacketSourceID: Hashable, Sendable, CustomStringConvertible {
    /// The source's position in the daemon's source list (stable for the daemon's life).
    public var index: Int
    /// The file path or interface name.
    public var name: String
    /// File or interface.
    public var kind: CaptureSourceStatistics.Kind

    /// Creates an identity.
    public init(index: Int, name: String, kind: CaptureSourceStatistics.Kind) {
        self.index = index
        self.name = name
        self.kind = kind
    }

    public var description: String {
        switch kind {
        case .file: "capture file \(name)"
        case .interface: "capture interface \(name)"
        case .generator: "traffic generator"
        }
    }
}

/// One decoded packet of a ``PacketBatch``.
///
/// ``frame`` is borrowed: valid only during the ``PacketSink/receive(_:)`` call that carries it.
public struct CapturedPacket {
    /// When the packet was captured: the file's record timestamp (nil for a pcapng Simple
    /// Packet Block, which has none), or the kernel's for a live interface.
    public var timestamp: Timestamp?
    /// The decoded headers; their offsets point into ``frame``.
    public var packet: DecodedPacket
    /// The captured bytes.
    public var frame: UnsafeRawBufferPointer
    /// The interface the packet arrived on, within its source: the pcapng interface index
    /// (numbered from 0 within its section), 0 for pcap files and live interfaces.
    public var interfaceIndex: Int

    /// Creates a packet.
    public init(timestamp: Timestamp?, packet: DecodedPacket, frame: UnsafeRawBufferPointer, interfaceIndex: Int) {
        self.timestamp = timestamp
        self.packet = packet
        self.frame = frame
        self.interfaceIndex = interfaceIndex
    }
}

/// Packets a source decoded, handed to the next stage together.
///
/// Borrowed: ``packets`` and every packet's ``CapturedPacket/frame`` are valid only during the
/// ``PacketSink/receive(_:)`` call; copy what must be kept.
public struct PacketBatch {
    /// The source the packets came from.
    public var source: PacketSourceID
    /// The packets that decoded, in capture order. Frames that failed to decode are not here:
    /// they are counted in the source's statistics.
    public var packets: UnsafeBufferPointer<CapturedPacket>

    /// Creates a batch.
    public init(source: PacketSourceID, packets: UnsafeBufferPointer<CapturedPacket>) {
        self.source = source
        self.packets = packets
    }
}

/// The stage after the packet sources: the flow engine's dispatcher will be one.
///
/// ``receive(_:)`` is called on the source's own thread, once per batch (up to a few hundred
/// packets), concurrently for different sources. It may block briefly (back-pressure slows that
/// source down; a live source's kernel buffer then absorbs the burst, and overflows are counted
/// as kernel drops), but it must not wait for the daemon's shutdown.
public protocol PacketSink: Sendable {
    /// Takes a batch; see ``PacketBatch`` for how long its memory is valid.
    func receive(_ batch: PacketBatch)
}

/// A sink that drops every batch: the daemon's until the flow engine exists. Sources still
/// decode and count every packet.
public struct DiscardingPacketSink: PacketSink {
    /// Creates the sink.
    public init() {}

    public func receive(_ batch: PacketBatch) {}
}

/// A source's decoded packets on their way to the sink: collected into a batch and handed over
/// together with the source's counters, so both cost one call per batch, never per packet.
/// Lives on the source's thread.
struct PacketBatcher {
    /// Packets per batch handed to the sink (and per counter publication).
    static let batchSize = 256

    private let sink: any PacketSink
    private let counters: SourceCounters
    private var packets: [CapturedPacket] = []
    /// What happened since the last hand-over; the source adds to it.
    var delta = SourceCounters.Delta()

    init(sink: any PacketSink, counters: SourceCounters) {
        self.sink = sink
        self.counters = counters
        packets.reserveCapacity(Self.batchSize)
    }

    /// Packets waiting to be handed over.
    var count: Int { packets.count }

    /// Adds a packet; the batch is handed over when full. The packet's frame must stay valid
    /// until then.
    mutating func append(_ packet: CapturedPacket) {
        packets.append(packet)
        if packets.count == Self.batchSize { flush() }
    }

    /// Hands the waiting packets to the sink (if any) and publishes the counters.
    mutating func flush() {
        if !packets.isEmpty {
            let source = counters.id
            packets.withUnsafeBufferPointer { sink.receive(PacketBatch(source: source, packets: $0)) }
            packets.removeAll(keepingCapacity: true)
        }
        counters.publish(&delta)
    }
}
