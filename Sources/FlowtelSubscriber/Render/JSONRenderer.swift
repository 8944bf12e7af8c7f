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
        var json = JSONObjectWriter(capacity: 2048)
        json.add("node", event.node)
        json.add("boot-id", event.bootID.description)
        json.add("seq", event.seq)
        json.add("time", time: event.time)
        if let tag = RTFlowRecord.tag(event.payload) {
            json.add("event", "\(tag)")
            // The RT_FLOW keys and values, shared with the syslog forms, numbers unquoted.
            RTFlowRecord.visit(event.payload, into: &json)
        } else {
            json.add("event", event.payload.name)
        }
        switch event.payload {
        case .sessionCreate(let create):
            addExtras(create.session, to: &json)
        case .sessionClose(let close):
            addExtras(close.session, to: &json)
            json.add("start-time", time: close.startTime)
        case .sessionDeny(let deny):
            json.add("policy-index", deny.policyIndex)
            json.add("fpc", deny.fpc)
            json.add("pic", deny.pic)
        case .fpcError(let value):
            json.add("slot", value.slot)
            json.add("pic", value.pic)
            json.add("error-id", value.errorID)
            json.add("module", value.module)
            json.add("severity", value.severity.description)
            json.add("error-type", value.errorType)
            json.add("count", value.count)
            json.add("severity-total", value.severityTotal)
            json.add("description", value.description)
        case .fpcErrorCounters(let value):
            json.add("slot", value.slot)
            json.add("fpc-type", value.fpcType.description)
            var severities: [UInt8] = [UInt8(ascii: "[")]
            for (index, counters) in value.severities.enumerated() {
                if index > 0 { severities.append(UInt8(ascii: ",")) }
                var entry = JSONObjectWriter()
                entry.add("severity", counters.severity.description)
                entry.add("occurred", counters.occurred)
                entry.add("cleared", counters.cleared)
                entry.add("threshold", counters.threshold)
                entry.add("actions", strings: counters.actions.map(\.description))
                severities.append(contentsOf: entry.finish())
            }
            severities.append(UInt8(ascii: "]"))
            json.add("severities", raw: severities)
            var errors: [UInt8] = [UInt8(ascii: "[")]
            for (index, counters) in value.errors.enumerated() {
                if index > 0 { errors.append(UInt8(ascii: ",")) }
                var entry = JSONObjectWriter()
                entry.add("error-id", counters.errorID)
                entry.add("module", counters.module)
                entry.add("severity", counters.severity.description)
                entry.add("error-type", counters.errorType)
                entry.add("occurred", counters.occurred)
                entry.add("cleared", counters.cleared)
                if let time = counters.lastOccurred { entry.add("last-occurred", time.rfc3339) }
                if let time = counters.lastCleared { entry.add("last-cleared", time.rfc3339) }
                errors.append(contentsOf: entry.finish())
            }
            errors.append(UInt8(ascii: "]"))
            json.add("errors", raw: errors)
        case .alarmRaised(let value):
            json.add("alarm-id", value.alarmID)
            json.add("class", value.alarmClass.description)
            json.add("description", value.description)
            json.add("slot", value.slot)
            json.add("error-id", value.errorID)
        case .alarmCleared(let value):
            json.add("alarm-id", value.alarmID)
            json.add("class", value.alarmClass.description)
            json.add("description", value.description)
            json.add("slot", value.slot)
            json.add("reason", value.reason)
        case .wedgeDetected(let value):
            json.add("slot", value.slot)
            json.add("pic", value.pic)
            json.add("stage", value.stage.description)
            json.add("stalled-ms", value.stalledMillis)
            json.add("pending", value.pending)
            json.add("irreversible", value.irreversible)
        case .wedgeCleared(let value):
            json.add("slot", value.slot)
            json.add("pic", value.pic)
            json.add("stage", value.stage.description)
            json.add("duration-ms", value.durationMillis)
        case .fpcStateChange(let value):
            json.add("slot", value.slot)
            json.add("fpc-type", value.fpcType.description)
            json.add("previous-state", value.previousState.description)
            json.add("state", value.state.description)
            json.add("reason", value.reason)
        case .clusterFailover(let value):
            json.add("redundancy-group", value.redundancyGroup)
            json.add("previous-primary", value.previousPrimary)
            json.add("new-primary", value.newPrimary)
            json.add("reason", value.reason)
            json.add("failover-count", value.failoverCount)
        case .fpcErrorAction(let value):
            json.add("slot", value.slot)
            json.add("severity", value.severity.description)
            json.add("error-type", value.errorType)
            json.add("threshold", value.threshold)
            json.add("count", value.count)
            json.add("action", value.action.description)
            json.add("detail", value.detail)
        case .fpcStateSnapshot(let value):
            json.add("slot", value.slot)
            json.add("fpc-type", value.fpcType.description)
            json.add("state", value.state.description)
            var items = JSONObjectWriter()
            for item in value.items { items.add(key: item.name, item.value) }
            json.add("items", raw: items.finish())
            json.add("file", value.file)
        case .gap(let value):
            json.add("gap-boot-id", value.bootID.description)
            json.add("first-seq", value.firstSeq)
            json.add("last-seq", value.lastSeq)
            json.add("reason", value.reason.description)
            json.add("detail", value.detail)
        case .heartbeat(let value):
            json.add("head-seq", value.headSeq)
        case .syncResponse(let value):
            json.add("head-seq", value.headSeq)
        }
        return json.finish()
    }


    /// What flowtel knows of a session beyond the RT_FLOW keys.
    private func addExtras(_ s: SessionInfo, to json: inout JSONObjectWriter) {
        json.add("policy-index", s.policyIndex)
        json.add("egress-interface", s.egressInterface)
        json.add("fpc", s.fpc)
        json.add("pic", s.pic)
        json.add("timeout", s.timeoutSeconds)
    }
}

/// The RT_FLOW keys and values written straight into the object: text and addresses quoted,
/// numbers unquoted, every key (the JSON form carries the keys past the syslog forms' end).
extension JSONObjectWriter: RTFlowVisitor {
    mutating func text(_ key: StaticString, _ value: String) { add(key, value) }
    mutating func address(_ key: StaticString, _ value: IPAddress) { add(key, address: value) }
    mutating func number(_ key: StaticString, _ value: some BinaryInteger) { add(key, value) }
    mutating func syslogFieldsEnd() -> Bool { true }
}
