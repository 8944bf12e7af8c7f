public import FlowtelCore

/// Renders events as lines of a Junos log file (`show log messages`): no priority, the time as
/// `Mmm dd HH:MM:SS` in UTC, the event's node (left out when empty), then the message.
///
/// Session events are the plain-text RT_FLOW lines an SRX writes to its own log files:
///
///     Dec  7 08:05:30 fw1 RT_FLOW: RT_FLOW_SESSION_CLOSE: session closed TCP FIN: 10.0.0.5/51000->192.0.2.80/443 0x0 junos-https ...
///
/// with the same values as ``PlainSyslogRenderer``. Every other event gets one short line in
/// flowtel's own wording, under the name of the Junos process that owns the subject:
///
///     Dec  7 08:05:31 fw1 chassisd: FPC 1 PIC 0: major error XM_0001 (module XM, type parity): ...
///     Dec  7 08:05:31 fw1 alarmd: Alarm set: Major alarm 3 on FPC 1: FPC 1 Major Errors
///     Dec  7 08:05:31 fw1 fpc1 Wedge-Detect : XM Wedge Detected on PIC 0: stalled 5000 ms, 12 pending
///     Dec  7 08:05:31 fw1 jsrpd: redundancy-group 1 failover from node0 to node1 (failover count 1): ...
///     Dec  7 08:05:31 fw1 flowtel: gap: events 10-20 of boot 00abcdef01234567 will not arrive (slow-consumer)
///
/// These lines are for people reading a terminal; they are not copies of Junos messages and no
/// parser should depend on their wording.
public struct TextRenderer: Sendable {
    /// Creates a renderer.
    public init() {}

    /// The line (without the newline) for one event.
    public func render(_ event: Event) -> [UInt8] {
        var line: [UInt8] = []
        render(event, into: &line)
        return line
    }

    /// Appends the line (without the newline) for one event to `buffer`.
    ///
    /// Allocates nothing for session events once `buffer` has the capacity: render a batch into
    /// one reused array.
    public func render(_ event: Event, into buffer: inout [UInt8]) {
        RenderBuffer.appending(to: &buffer) { line in
            line.appendBSDSyslog(event.time)
            line.append(UInt8(ascii: " "))
            Self.appendHost(event, to: &line)
            if RTFlowRecord.tag(event.payload) != nil {
                line.append("RT_FLOW: ")
                RTFlowText.write(event.payload, to: &line)
            } else {
                line.append(utf8Of: Self.message(event.payload))
            }
        }
    }

    /// The HOSTNAME field with its trailing space; nothing when the event names no node, as in
    /// log files written by a device with no host-name.
    static func appendHost(_ event: Event, to line: inout RenderBuffer) {
        guard !event.node.isEmpty else { return }
        line.append(utf8Of: event.node)
        line.append(UInt8(ascii: " "))
    }

    /// Everything after the host name for the events that have no RT_FLOW form.
    private static func message(_ payload: Payload) -> String {
        switch payload {
        case .sessionCreate, .sessionClose, .sessionDeny:
            preconditionFailure("session events are written by RTFlowText")
        case .fpcError(let value):
            return "chassisd: FPC \(value.slot) PIC \(value.pic): \(value.severity) error \(value.errorID) "
                + "(module \(value.module), type \(value.errorType))\(detail(value.description)); "
                + "count \(value.count), \(value.severity) total \(value.severityTotal)"
        case .fpcErrorCounters(let value):
            let severities = value.severities.map {
                "\($0.severity) \($0.occurred) occurred, \($0.cleared) cleared, threshold \($0.threshold)"
            }
            return "chassisd: FPC \(value.slot) (\(value.fpcType)) error counters: "
                + (severities.isEmpty ? "none" : severities.joined(separator: "; "))
                + "; \(value.errors.count) error id\(value.errors.count == 1 ? "" : "s")"
        case .alarmRaised(let value):
            return "alarmd: Alarm set: \(value.alarmClass) alarm \(value.alarmID) on FPC \(value.slot)"
                + "\(detail(value.description))\(value.errorID.isEmpty ? "" : " (error \(value.errorID))")"
        case .alarmCleared(let value):
            return "alarmd: Alarm cleared: \(value.alarmClass) alarm \(value.alarmID) on FPC \(value.slot)"
                + "\(detail(value.description))\(value.reason.isEmpty ? "" : " (\(value.reason))")"
        case .wedgeDetected(let value):
            return "fpc\(value.slot) Wedge-Detect : \(value.stage) Wedge Detected on PIC \(value.pic): "
                + "stalled \(value.stalledMillis) ms, \(value.pending) pending\(value.irreversible ? ", irreversible" : "")"
        case .wedgeCleared(let value):
            return "fpc\(value.slot) Wedge-Detect : \(value.stage) Wedge Cleared on PIC \(value.pic) "
                + "after \(value.durationMillis) ms"
        case .fpcStateChange(let value):
            return "chassisd: FPC \(value.slot) (\(value.fpcType)) \(value.previousState) -> \(value.state)"
                + detail(value.reason)
        case .clusterFailover(let value):
            return "jsrpd: redundancy-group \(value.redundancyGroup) failover from node\(value.previousPrimary) "
                + "to node\(value.newPrimary) (failover count \(value.failoverCount))\(detail(value.reason))"
        case .fpcErrorAction(let value):
            let errors = value.errorType.isEmpty ? "\(value.severity) errors" : "\(value.severity) \(value.errorType) errors"
            return "chassisd: FPC \(value.slot) \(errors) reached threshold \(value.threshold) (count \(value.count)): "
                + "action \(value.action)\(detail(value.detail))"
        case .fpcStateSnapshot(let value):
            return "chassisd: FPC \(value.slot) (\(value.fpcType)) \(value.state) get-state: \(value.items.count) "
                + "value\(value.items.count == 1 ? "" : "s")\(value.file.isEmpty ? "" : ", written to \(value.file)")"
        case .gap(let value):
            let range = value.lastSeq == 0 ? "from \(value.firstSeq)" : "\(value.firstSeq)-\(value.lastSeq)"
            return "flowtel: gap: events \(range) of boot \(value.bootID) will not arrive (\(value.reason))"
                + detail(value.detail)
        case .heartbeat(let value):
            return "flowtel: heartbeat: head seq \(value.headSeq)"
        case .syncResponse(let value):
            return "flowtel: sync-response: caught up at head seq \(value.headSeq)"
        }
    }

    /// `: text`, or nothing when the text is empty.
    private static func detail(_ text: String) -> String { text.isEmpty ? "" : ": " + text }
}
