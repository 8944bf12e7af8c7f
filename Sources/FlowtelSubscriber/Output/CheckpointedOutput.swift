public import FlowtelCore

/// An output that stores events durably and remembers where its subscription resumes: a file
/// chain (``FileOutput``) or a database (``SQLiteOutput``). The subscribe loop appends every
/// event of a batch, then commits once.
public protocol CheckpointedOutput: AnyObject {
    /// Where the subscription starts (the override given at open, else the checkpoint's).
    var start: OutputCheckpoint.Start { get }
    /// Adds `event`, whose rendering is `line` (nil when the format prints nothing for it), and
    /// moves the position to `start` (nil: unchanged). Files store the line, databases the event.
    func append(_ event: Event, line: [UInt8]?, through start: OutputCheckpoint.Start?) throws(OutputError)
    /// Makes everything appended so far durable, with the checkpoint.
    func commit() throws(OutputError)
}

extension FileOutput: CheckpointedOutput {
    public func append(_ event: Event, line: [UInt8]?, through start: OutputCheckpoint.Start?) throws(OutputError) {
        try append(line, through: start)
    }
}

extension SQLiteOutput: CheckpointedOutput {
    public func append(_ event: Event, line: [UInt8]?, through start: OutputCheckpoint.Start?) throws(OutputError) {
        append(event, through: start)
    }
}
