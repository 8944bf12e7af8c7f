public import FlowtelCore

/// The resume point a subscriber has reached after handling a stream's events in order.
///
/// An event moves it to its own `(boot_id, seq)`. A Gap moves it past what the Gap accounts
/// for, so that resuming never asks for the same Gap twice: past `lastSeq` for an evicted or
/// slow-consumer range, to `(current boot, 0)` for a boot change (the Gap's envelope carries
/// the current boot). Heartbeats and SyncResponse do not move it.
public struct StreamPosition: Hashable, Sendable {
    /// The resume point; nil before the first event or gap.
    public private(set) var point: ResumePoint?

    /// Starts at `point`.
    public init(_ point: ResumePoint? = nil) {
        self.point = point
    }

    /// Moves past `event`; returns whether the position changed.
    @discardableResult
    public mutating func advance(over event: Event) -> Bool {
        if event.seq > 0 {
            point = ResumePoint(bootID: event.bootID, seq: event.seq)
            return true
        }
        guard case .gap(let gap) = event.payload else { return false }
        if gap.reason == .bootChanged {
            guard gap.bootID != event.bootID else { return false }
            point = ResumePoint(bootID: event.bootID, seq: 0)
            return true
        }
        guard gap.lastSeq > 0, gap.bootID == event.bootID else { return false }
        if let point, point.bootID == gap.bootID, point.seq >= gap.lastSeq { return false }
        point = ResumePoint(bootID: gap.bootID, seq: gap.lastSeq)
        return true
    }

    /// Moves past an event of `bootID` and `seq` that is not a gap (what ``advance(over:)``
    /// does for one, without the decoded event); returns whether the position changed.
    @inline(__always)
    public mutating func advance(bootID: BootID, seq: UInt64) -> Bool {
        guard seq > 0 else { return false }
        point = ResumePoint(bootID: bootID, seq: seq)
        return true
    }
}
