public import FlowtelCore

/// Renders events as JSON lines: one object per event with the envelope (`node`, `boot-id`,
/// `seq`, `time`, `event`) and the payload's fields.
///
/// A session event's `event` is its MSGID (`RT_FLOW_SESSION_CREATE`, `RT_FLOW_SESSION_CLOSE`,
/// `RT_FLOW_SESSION_DENY`) and its other keys are the RT_FLOW keys (`source-address`,
/// `nat-source-port`, `reason`, `session-id-32`, ...) with the values the syslog forms print,
/// integers as JSON numbers, placeholders (`N/A`, `UNKNOWN`, `None`, `-1`) as the SRX prints
/// them. It carries every key of the newest releases that flowtel models, then what flowtel knows
/// beyond RT_FLOW: `policy-index`, `egress-interface`, `fpc`, `pic`, `timeout`, `start-time`.
/// Every other event's `event` is its payload name (`alarm-raised`, `gap`, ...; see
/// `Payload.name`) with its fields under lower-case, dash-separated names.
public struct JSONRenderer: Sendable {
    /// Creates a renderer.
    public init() {}

    /// The JSON line (without the newline) for one event.
    public func render(_ event: Event) -> [UInt8] {
        var line: [UInt8] = []
        render(event, into: &line)
        return line
    }

    /// Appends the JSON line (without the newline) for one event to `buffer`.
    ///
    /// Allocates nothing once `buffer` has the capacity: render a batch into one reused array.
    public func render(_ event: Event, into buffer: inout [UInt8]) {
        RenderBuffer.appending(to: &buffer) { write(event, to: &$0) }
    }

    private func write(_ event: Event, to json: inout RenderBuffer) {
        json.append(UInt8(ascii: "{"))
        json.jsonMember("node", event.node)
        json.jsonMember("boot-id", bootID: event.bootID)
        json.jsonMember("seq", event.seq)
        json.jsonMember("time", time: event.time)
        if let tag = RTFlowRecord.tag(event.payload) {
            json.jsonMember("event", verbatim: tag)
        } else {
            json.jsonMember("event", event.payload.name)
        }
        switch event.payload {
        // The RT_FLOW keys and values, shared with the syslog forms, numbers unquoted, then
        // what flowtel knows beyond them (``JSONFields/afterSession(_:startTime:to:)``). The
        // walk takes the payload whole: binding the session here and handing it over copied it
        // out of the payload's box, retaining every string, twice per event.
        case .sessionCreate, .sessionClose, .sessionDeny:
            RTFlowRecord.visit(event.payload, as: JSONFields.self, into: &json)
        case .fpcError(let value):
            json.jsonMember("slot", value.slot)
            json.jsonMember("pic", value.pic)
            json.jsonMember("error-id", value.errorID)
            json.jsonMember("module", value.module)
            json.jsonMember("severity", value.severity.description)
            json.jsonMember("error-type", value.errorType)
            json.jsonMember("count", value.count)
            json.jsonMember("severity-total", value.severityTotal)
            json.jsonMember("description", value.description)
        case .fpcErrorCounters(let value):
            json.jsonMember("slot", value.slot)
            json.jsonMember("fpc-type", value.fpcType.description)
            json.jsonKey("severities")
            json.append(UInt8(ascii: "["))
            for counters in value.severities {
                json.jsonSeparator()
                json.append(UInt8(ascii: "{"))
                json.jsonMember("severity", counters.severity.description)
                json.jsonMember("occurred", counters.occurred)
                json.jsonMember("cleared", counters.cleared)
                json.jsonMember("threshold", counters.threshold)
                json.jsonMember("actions", strings: counters.actions.map(\.description))
                json.append(UInt8(ascii: "}"))
            }
            json.append(UInt8(ascii: "]"))
            json.jsonKey("errors")
            json.append(UInt8(ascii: "["))
            for counters in value.errors {
                json.jsonSeparator()
                json.append(UInt8(ascii: "{"))
                json.jsonMember("error-id", counters.errorID)
                json.jsonMember("module", counters.module)
                json.jsonMember("severity", counters.severity.description)
                json.jsonMember("error-type", counters.errorType)
                json.jsonMember("occurred", counters.occurred)
                json.jsonMember("cleared", counters.cleared)
                if let time = counters.lastOccurred { json.jsonMember("last-occurred", time: time) }
                if let time = counters.lastCleared { json.jsonMember("last-cleared", time: time) }
                json.append(UInt8(ascii: "}"))
            }
            json.append(UInt8(ascii: "]"))
        case .alarmRaised(let value):
            json.jsonMember("alarm-id", value.alarmID)
            json.jsonMember("class", value.alarmClass.description)
            json.jsonMember("description", value.description)
            json.jsonMember("slot", value.slot)
            json.jsonMember("error-id", value.errorID)
        case .alarmCleared(let value):
            json.jsonMember("alarm-id", value.alarmID)
            json.jsonMember("class", value.alarmClass.description)
            json.jsonMember("description", value.description)
            json.jsonMember("slot", value.slot)
            json.jsonMember("reason", value.reason)
        case .wedgeDetected(let value):
            json.jsonMember("slot", value.slot)
            json.jsonMember("pic", value.pic)
            json.jsonMember("stage", value.stage.description)
            json.jsonMember("stalled-ms", value.stalledMillis)
            json.jsonMember("pending", value.pending)
            json.jsonMember("irreversible", value.irreversible)
        case .wedgeCleared(let value):
            json.jsonMember("slot", value.slot)
            json.jsonMember("pic", value.pic)
            json.jsonMember("stage", value.stage.description)
            json.jsonMember("duration-ms", value.durationMillis)
        case .fpcStateChange(let value):
            json.jsonMember("slot", value.slot)
            json.jsonMember("fpc-type", value.fpcType.description)
            json.jsonMember("previous-state", value.previousState.description)
            json.jsonMember("state", value.state.description)
            json.jsonMember("reason", value.reason)
        case .clusterFailover(let value):
            json.jsonMember("redundancy-group", value.redundancyGroup)
            json.jsonMember("previous-primary", value.previousPrimary)
            json.jsonMember("new-primary", value.newPrimary)
            json.jsonMember("reason", value.reason)
            json.jsonMember("failover-count", value.failoverCount)
        case .fpcErrorAction(let value):
            json.jsonMember("slot", value.slot)
            json.jsonMember("severity", value.severity.description)
            json.jsonMember("error-type", value.errorType)
            json.jsonMember("threshold", value.threshold)
            json.jsonMember("count", value.count)
            json.jsonMember("action", value.action.description)
            json.jsonMember("detail", value.detail)
        case .fpcStateSnapshot(let value):
            json.jsonMember("slot", value.slot)
            json.jsonMember("fpc-type", value.fpcType.description)
            json.jsonMember("state", value.state.description)
            json.jsonKey("items")
            json.append(UInt8(ascii: "{"))
            for item in value.items {
                json.jsonKey(escaping: item.name)
                json.appendDecimal(item.value)
            }
            json.append(UInt8(ascii: "}"))
            json.jsonMember("file", value.file)
        case .gap(let value):
            json.jsonMember("gap-boot-id", bootID: value.bootID)
            json.jsonMember("first-seq", value.firstSeq)
            json.jsonMember("last-seq", value.lastSeq)
            json.jsonMember("reason", value.reason.description)
            json.jsonMember("detail", value.detail)
        case .heartbeat(let value):
            json.jsonMember("head-seq", value.headSeq)
        case .syncResponse(let value):
            json.jsonMember("head-seq", value.headSeq)
        }
        json.append(UInt8(ascii: "}"))
    }
}

/// The RT_FLOW keys and values as members of the object: text and addresses quoted, numbers
/// unquoted, every key (the JSON form carries the keys past the syslog forms' end).
private enum JSONFields: RTFlowFormat {
    static var carriesNewestKeys: Bool { true }

    @inline(__always)
    static func text(_ key: StaticString, _ value: String, to out: inout RenderBuffer) { out.jsonMember(key, value) }

    @inline(__always)
    static func placeholder(_ key: StaticString, _ value: StaticString, to out: inout RenderBuffer) {
        out.jsonMember(key, verbatim: value)
    }

    @inline(__always)
    static func address(_ key: StaticString, _ value: IPAddress, to out: inout RenderBuffer) {
        out.jsonMember(key, address: value)
    }

    @inline(__always)
    static func number(_ key: StaticString, _ value: some BinaryInteger, to out: inout RenderBuffer) {
        out.jsonMember(key, value)
    }

    /// What flowtel knows of a session beyond the RT_FLOW keys; a CLOSE's start time last.
    @inline(__always)
    static func afterSession(_ s: borrowing SessionInfo, startTime: Timestamp?, to out: inout RenderBuffer) {
        out.jsonMember("policy-index", s.policyIndex)
        out.jsonMember("egress-interface", s.egressInterface)
        out.jsonMember("fpc", s.fpc)
        out.jsonMember("pic", s.pic)
        out.jsonMember("timeout", s.timeoutSeconds)
        if let startTime { out.jsonMember("start-time", time: startTime) }
    }

    @inline(__always)
    static func afterDeny(policyIndex: UInt32, fpc: UInt32, pic: UInt32, to out: inout RenderBuffer) {
        out.jsonMember("policy-index", policyIndex)
        out.jsonMember("fpc", fpc)
        out.jsonMember("pic", pic)
    }
}
