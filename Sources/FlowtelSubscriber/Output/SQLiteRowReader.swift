import FlowtelCore
import GRDB

/// Reads one stored row back into an event, left to right, in ``SQLiteRowBinder``'s order.
struct SQLiteRowReader {
    let row: Row
    private var index = 0

    init(_ row: Row) {
        self.row = row
    }

    mutating func integer<Value: FixedWidthInteger>() -> Value {
        defer { index += 1 }
        let value: Int64? = row[index]
        return Value(truncatingIfNeeded: value ?? 0)
    }

    mutating func text() -> String {
        defer { index += 1 }
        return row[index] ?? ""
    }

    mutating func address() throws -> IPAddress {
        let text = text()
        guard let address = IPAddress(text) else { throw damaged("address '\(text)'") }
        return address
    }

    mutating func optionalAddress() throws -> IPAddress? {
        let text = text()
        if text.isEmpty { return nil }
        guard let address = IPAddress(text) else { throw damaged("address '\(text)'") }
        return address
    }

    /// A value stored by its description.
    mutating func enumeration<Value: CaseIterable & CustomStringConvertible>(_: Value.Type = Value.self) throws -> Value {
        let text = text()
        guard let value = Value.allCases.first(where: { $0.description == text }) else {
            throw damaged("\(Value.self) '\(text)'")
        }
        return value
    }

    mutating func timestamp() -> Timestamp { Timestamp(unixNanos: integer()) }

    private func damaged(_ what: String) -> OutputError {
        OutputError(code: .inconsistent, message: "a stored row holds an invalid \(what) in column \(index)")
    }

    // MARK: - Events

    mutating func envelope(_ payload: (inout SQLiteRowReader) throws -> Payload) throws -> Event {
        let node = text()
        let bootText = text()
        guard let boot = BootID(hex: bootText) else { throw damaged("boot id '\(bootText)'") }
        let seq: UInt64 = integer()
        let time = timestamp()
        return Event(bootID: boot, seq: seq, time: time, node: node, payload: try payload(&self))
    }

    mutating func gap() throws -> Event {
        let node = text()
        let bootText = text()
        guard let boot = BootID(hex: bootText) else { throw damaged("boot id '\(bootText)'") }
        let time = timestamp()
        let gapBootText = text()
        guard let gapBoot = BootID(hex: gapBootText) else { throw damaged("boot id '\(gapBootText)'") }
        let gap = Gap(bootID: gapBoot, firstSeq: integer(), lastSeq: integer(), reason: try enumeration(), detail: text())
        return Event(bootID: boot, seq: 0, time: time, node: node, payload: .gap(gap))
    }

    mutating func event(_ table: SQLiteTableID, id: Int64, _ db: Database) throws -> Event {
        try envelope { reader in
            switch table {
            case .sessionCreate: return .sessionCreate(SessionCreate(session: try reader.session()))
            case .sessionClose: return .sessionClose(try reader.close())
            case .sessionDeny: return .sessionDeny(try reader.deny())
            case .fpcError:
                var error = FpcErrorOccurred()
                error.slot = reader.integer()
                error.pic = reader.integer()
                error.errorID = reader.text()
                error.module = reader.text()
                error.severity = try reader.enumeration()
                error.errorType = reader.text()
                error.count = reader.integer()
                error.severityTotal = reader.integer()
                error.description = reader.text()
                return .fpcError(error)
            case .fpcErrorCounters:
                var counters = FpcErrorCounters()
                counters.slot = reader.integer()
                counters.fpcType = try reader.enumeration()
                counters.severities = try Self.children(
                    db, "SELECT severity, occurred, cleared, threshold, actions FROM fpc_error_counters_severity", id
                ) { child in
                    var severity = SeverityCounters()
                    severity.severity = try child.enumeration()
                    severity.occurred = child.integer()
                    severity.cleared = child.integer()
                    severity.threshold = child.integer()
                    let actions = child.text()
                    severity.actions = try actions.split(separator: ",").map { name in
                        guard let action = FpcAction.allCases.first(where: { $0.description == name }) else {
                            throw OutputError(code: .inconsistent, message: "a stored row holds an invalid action '\(name)'")
                        }
                        return action
                    }
                    return severity
                }
                counters.errors = try Self.children(
                    db,
                    "SELECT error_id, module, severity, error_type, occurred, cleared, last_occurred, last_cleared "
                        + "FROM fpc_error_counters_error", id
                ) { child in
                    var error = ErrorCounters()
                    error.errorID = child.text()
                    error.module = child.text()
                    error.severity = try child.enumeration()
                    error.errorType = child.text()
                    error.occurred = child.integer()
                    error.cleared = child.integer()
                    error.lastOccurred = child.optionalTimestamp()
                    error.lastCleared = child.optionalTimestamp()
                    return error
                }
                return .fpcErrorCounters(counters)
            case .fpcErrorAction:
                var action = FpcErrorAction()
                action.slot = reader.integer()
                action.severity = try reader.enumeration()
                action.errorType = reader.text()
                action.threshold = reader.integer()
                action.count = reader.integer()
                action.action = try reader.enumeration()
                action.detail = reader.text()
                return .fpcErrorAction(action)
            case .fpcStateSnapshot:
                var snapshot = FpcStateSnapshot()
                snapshot.slot = reader.integer()
                snapshot.fpcType = try reader.enumeration()
                snapshot.state = try reader.enumeration()
                snapshot.file = reader.text()
                snapshot.items = try Self.children(db, "SELECT name, value FROM fpc_state_snapshot_item", id) { child in
                    StateItem(name: child.text(), value: child.integer())
                }
                return .fpcStateSnapshot(snapshot)
            case .alarmRaised:
                var alarm = AlarmRaised()
                alarm.alarmID = reader.integer()
                alarm.alarmClass = try reader.enumeration()
                alarm.description = reader.text()
                alarm.slot = reader.integer()
                alarm.errorID = reader.text()
                return .alarmRaised(alarm)
            case .alarmCleared:
                var alarm = AlarmCleared()
                alarm.alarmID = reader.integer()
                alarm.alarmClass = try reader.enumeration()
                alarm.description = reader.text()
                alarm.slot = reader.integer()
                alarm.reason = reader.text()
                return .alarmCleared(alarm)
            case .wedgeDetected:
                var wedge = WedgeDetected()
                wedge.slot = reader.integer()
                wedge.pic = reader.integer()
                wedge.stage = try reader.enumeration()
                wedge.stalledMillis = reader.integer()
                wedge.pending = reader.integer()
                wedge.irreversible = (reader.integer() as Int64) != 0
                return .wedgeDetected(wedge)
            case .wedgeCleared:
                var wedge = WedgeCleared()
                wedge.slot = reader.integer()
                wedge.pic = reader.integer()
                wedge.stage = try reader.enumeration()
                wedge.durationMillis = reader.integer()
                return .wedgeCleared(wedge)
            case .fpcStateChange:
                var change = FpcStateChange()
                change.slot = reader.integer()
                change.fpcType = try reader.enumeration()
                change.previousState = try reader.enumeration()
                change.state = try reader.enumeration()
                change.reason = reader.text()
                return .fpcStateChange(change)
            case .clusterFailover:
                var failover = ClusterFailover()
                failover.redundancyGroup = reader.integer()
                failover.previousPrimary = reader.integer()
                failover.newPrimary = reader.integer()
                failover.reason = reader.text()
                failover.failoverCount = reader.integer()
                return .clusterFailover(failover)
            }
        }
    }

    mutating func optionalTimestamp() -> Timestamp? {
        defer { index += 1 }
        let value: Int64? = row[index]
        return value.map { Timestamp(unixNanos: UInt64(bitPattern: $0)) }
    }

    private static func children<Child>(
        _ db: Database, _ select: String, _ id: Int64, _ decode: (inout SQLiteRowReader) throws -> Child
    ) throws -> [Child] {
        try Row.fetchAll(db, sql: select + " WHERE event_id = ? ORDER BY rowid", arguments: [id]).map { row in
            var reader = SQLiteRowReader(row)
            return try decode(&reader)
        }
    }

    // MARK: - Session payloads

    mutating func session() throws -> SessionInfo {
        var info = SessionInfo()
        info.sourceAddress = try address()
        info.sourcePort = integer()
        info.destinationAddress = try address()
        info.destinationPort = integer()
        info.connectionTag = integer()
        info.serviceName = text()
        info.natSourceAddress = try address()
        info.natSourcePort = integer()
        info.natDestinationAddress = try address()
        info.natDestinationPort = integer()
        info.natConnectionTag = integer()
        info.srcNatRuleType = try enumeration()
        info.srcNatRuleName = text()
        info.dstNatRuleType = try enumeration()
        info.dstNatRuleName = text()
        info.protocolID = integer()
        info.policyName = text()
        info.policyIndex = integer()
        info.sourceZoneName = text()
        info.destinationZoneName = text()
        info.sessionID = integer()
        info.packetIncomingInterface = text()
        info.egressInterface = text()
        info.fpc = integer()
        info.pic = integer()
        info.timeoutSeconds = integer()
        var more = SessionInfoExtensions()
        more.username = text()
        more.roles = text()
        more.application = text()
        more.nestedApplication = text()
        more.encrypted = text()
        more.applicationCategory = text()
        more.applicationSubCategory = text()
        more.applicationRisk = integer()
        more.applicationCharacteristics = text()
        more.srcVrfGroup = text()
        more.dstVrfGroup = text()
        more.tunnelInspection = text()
        more.tunnelInspectionPolicySet = text()
        more.sourceTenant = text()
        more.destinationService = text()
        more.dstIdentityContextName = text()
        more.dstIdentityContextRoles = text()
        info.extensions = more
        return info
    }

    mutating func close() throws -> SessionClose {
        var close = SessionClose()
        close.session = try session()
        close.reason = try enumeration()
        close.packetsFromClient = integer()
        close.bytesFromClient = integer()
        close.packetsFromServer = integer()
        close.bytesFromServer = integer()
        close.elapsedTime = integer()
        close.startTime = timestamp()
        var more = SessionCloseExtensions()
        more.secureWebProxySessionType = text()
        more.peerSessionID = integer()
        more.peerSourceAddress = try optionalAddress()
        more.peerSourcePort = integer()
        more.peerDestinationAddress = try optionalAddress()
        more.peerDestinationPort = integer()
        more.hostname = text()
        more.sessionFlag = integer()
        more.userType = text()
        more.urlHost = text()
        more.urlCategory = text()
        more.urlRisk = integer()
        more.srcVrf = text()
        more.dstVrf = text()
        more.forwardedFor = text()
        close.extensions = more
        return close
    }

    mutating func deny() throws -> SessionDeny {
        var deny = SessionDeny()
        deny.sourceAddress = try address()
        deny.sourcePort = integer()
        deny.destinationAddress = try address()
        deny.destinationPort = integer()
        deny.connectionTag = integer()
        deny.serviceName = text()
        deny.protocolID = integer()
        deny.icmpType = integer()
        deny.policyName = text()
        deny.policyIndex = integer()
        deny.sourceZoneName = text()
        deny.destinationZoneName = text()
        deny.packetIncomingInterface = text()
        let action = text()
        guard let policyAction = PolicyAction.allCases.first(where: { $0.name == action }) else {
            throw damaged("action '\(action)'")
        }
        deny.action = policyAction
        deny.sessionID = integer()
        deny.fpc = integer()
        deny.pic = integer()
        var more = SessionDenyExtensions()
        more.application = text()
        more.nestedApplication = text()
        more.username = text()
        more.roles = text()
        more.encrypted = text()
        more.applicationCategory = text()
        more.applicationSubCategory = text()
        more.applicationRisk = integer()
        more.applicationCharacteristics = text()
        more.srcVrfGroup = text()
        more.dstVrfGroup = text()
        more.sourceTenant = text()
        more.destinationService = text()
        deny.extensions = more
        return deny
    }
}
