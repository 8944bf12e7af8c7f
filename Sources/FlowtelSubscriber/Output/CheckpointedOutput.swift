public import FlowtelCore

/// An output that stores events durably and remembers where each target's subscription
/// resumes: a file chain (``FileOutput``, one target) or a database (``SQLiteOutput``, any
/// number). The subscribe loop appends every event of a batch, then commits.
public protocol CheckpointedOutput: AnyObject {
    /// Where `target`'s subscription starts (the override given at open, else its checkpoint).
    func start(of target: String) -> OutputCheckpoint.Start
    /// Adds `event` of `target`'s stream, whose rendering is `line` (nil when the format prints
    /// nothing for it), and moves that target's position to `start` (nil: unchanged). Files store
    /// the line, databases the event.
    func append(_ event: Event, target: String, line: [UInt8]?, through start: OutputCheckpoint.Start?) throws(OutputError)
    /// Makes everything appended so far durable, with the checkpoints.
    func commit() throws(OutputError)
}

extension FileOutput: CheckpointedOutput {
    /// A file has one checkpoint, hence one target.
    public func start(of target: String) -> OutputCheckpoint.Start { start }

    public func append(_ event: Event, target: String, line: [UInt8]?, through start: OutputCheckpoint.Start?)
        throws(OutputError)
    {
        try append(line, through: start)
    }
}

extension SQLiteOutput: CheckpointedOutput {
    public func append(_ event: Event, target: String, line: [UInt8]?, through start: OutputCheckpoint.Start?)
        throws(OutputError)
    {
        append(event, target: target, through: start)
    }
}
