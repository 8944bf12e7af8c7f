public import FlowtelCore

/// An output that stores events durably and remembers where each target's subscription
/// resumes: a file chain (``FileOutput``, one target) or a database (``SQLiteOutput``, any
/// number). The subscribe loop appends every event of a batch, then submits them to the
/// output's writer thread, which commits them while the loop handles the next batches.
public protocol CheckpointedOutput: AnyObject {
    /// Where `target`'s subscription starts (the override given at open, else its checkpoint).
    func start(of target: String) -> OutputCheckpoint.Start
    /// Adds `event` of `target`'s stream and moves that target's position to `start` (nil:
    /// unchanged). Files store the record `render` appends to their buffer (it returns false
    /// when the format has none for the event); databases store the event and ignore `render`.
    func append(
        _ event: Event, target: String, through start: OutputCheckpoint.Start?, render: (inout [UInt8]) -> Bool
    ) throws(OutputError)
    /// Hands everything appended so far to the writer thread; returns the commit's ticket, nil
    /// when there was nothing to commit. Blocks only while the writer's queue is full.
    @discardableResult
    func submit() throws(OutputError) -> UInt64?
    /// The commits that became durable since the last call.
    func completions() throws(OutputError) -> [CommitCompletion]
    /// Makes everything appended so far durable, with the checkpoints, and waits for it.
    func commit() throws(OutputError)
}

extension FileOutput: CheckpointedOutput {
    /// A file has one checkpoint, hence one target.
    public func start(of target: String) -> OutputCheckpoint.Start { start }

    @inline(__always)
    public func append(
        _ event: Event, target: String, through start: OutputCheckpoint.Start?, render: (inout [UInt8]) -> Bool
    ) throws(OutputError) {
        try appendRecord(through: start, render)
    }
}

extension SQLiteOutput: CheckpointedOutput {
    public func append(
        _ event: Event, target: String, through start: OutputCheckpoint.Start?, render: (inout [UInt8]) -> Bool
    ) throws(OutputError) {
        append(event, target: target, through: start)
    }
}
