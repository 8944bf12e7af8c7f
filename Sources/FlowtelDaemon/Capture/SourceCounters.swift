import FlowtelCore
import Packets
import Synchronization

/// A packet source's counters, shared between its reading thread (which adds a batch's worth at
/// a time) and the statistics RPC (which takes snapshots). One lock per batch, none per packet.
final class SourceCounters: Sendable {
    /// Every decode-error kind's position in ``Totals/decodeErrors``: the decoder's stable order.
    static let kindIndex: [PacketDecodeError.Kind: Int] = Dictionary(
        uniqueKeysWithValues: PacketDecodeError.Kind.allCases.enumerated().map { ($0.element, $0.offset) })

    /// What the reading thread accumulates between two publications.
    struct Delta {
        var packets: UInt64 = 0
        var bytes: UInt64 = 0
        var malformed: UInt64 = 0
        var fragments: UInt64 = 0
        var skippedRecords: UInt64 = 0
        /// Indexed by ``SourceCounters/kindIndex``.
        var decodeErrors = [UInt64](repeating: 0, count: PacketDecodeError.Kind.allCases.count)

        var isEmpty: Bool { packets == 0 && skippedRecords == 0 }

        /// Counts one frame read, decodable or not.
        mutating func frame(wireLength: Int) {
            packets &+= 1
            bytes &+= UInt64(wireLength)
        }

        /// Counts a decoder failure (the frame itself is counted by ``frame(wireLength:)``).
        mutating func decodeFailed(_ kind: PacketDecodeError.Kind) {
            malformed &+= 1
            // Every kind is in the table; a kind missing would be a new decoder kind built
            // without this table, which cannot happen in one binary.
            decodeErrors[SourceCounters.kindIndex[kind]!] &+= 1
        }

        mutating func reset() {
            packets = 0
            bytes = 0
            malformed = 0
            fragments = 0
            skippedRecords = 0
            for index in decodeErrors.indices { decodeErrors[index] = 0 }
        }
    }

    private struct Totals {
        var state: CaptureSourceStatistics.State = .running
        var error = ""
        var delta = Delta()
        var kernelReceived: UInt64 = 0
        var kernelDrops: UInt64 = 0
        var interfaceDrops: UInt64 = 0
    }

    let id: PacketSourceID
    private let totals = Mutex(Totals())

    init(id: PacketSourceID) {
        self.id = id
    }

    /// Adds `delta` to the totals and clears it.
    func publish(_ delta: inout Delta) {
        guard !delta.isEmpty else { return }
        totals.withLock { totals in
            totals.delta.packets &+= delta.packets
            totals.delta.bytes &+= delta.bytes
            totals.delta.malformed &+= delta.malformed
            totals.delta.fragments &+= delta.fragments
            totals.delta.skippedRecords &+= delta.skippedRecords
            if delta.malformed != 0 {
                for index in delta.decodeErrors.indices { totals.delta.decodeErrors[index] &+= delta.decodeErrors[index] }
            }
        }
        delta.reset()
    }

    /// Records libpcap's kernel counters (cumulative since the capture was activated).
    func setKernel(received: UInt64, drops: UInt64, interfaceDrops: UInt64) {
        totals.withLock { totals in
            totals.kernelReceived = received
            totals.kernelDrops = drops
            totals.interfaceDrops = interfaceDrops
        }
    }

    /// Marks the source finished, or failed with `error`.
    func finish(error: String? = nil) {
        totals.withLock { totals in
            guard totals.state == .running else { return }
            totals.state = error == nil ? .finished : .failed
            totals.error = error ?? ""
        }
    }

    /// The source's counters now.
    func snapshot() -> CaptureSourceStatistics {
        totals.withLock { totals in
            let kinds = PacketDecodeError.Kind.allCases
            var errors: [CaptureSourceStatistics.ErrorCount] = []
            for (index, count) in totals.delta.decodeErrors.enumerated() where count != 0 {
                errors.append(.init(kind: kinds[index].name, count: count))
            }
            return CaptureSourceStatistics(
                name: id.name, kind: id.kind, state: totals.state, error: totals.error,
                packets: totals.delta.packets, bytes: totals.delta.bytes, malformed: totals.delta.malformed,
                fragments: totals.delta.fragments, skippedRecords: totals.delta.skippedRecords,
                kernelReceived: totals.kernelReceived, kernelDrops: totals.kernelDrops,
                interfaceDrops: totals.interfaceDrops, decodeErrors: errors)
        }
    }
}
