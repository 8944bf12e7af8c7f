import FlowtelCore
import GRDBSQLite

/// Binds one row's values to a prepared INSERT, left to right, straight through SQLite's C API:
/// the SQLite output's hot path, where GRDB's `StatementArguments` (an array of existentials
/// per row) would cost more than the insert itself.
///
/// Values not bound stay NULL: the caller clears the bindings before each row.
struct SQLiteRowBinder {
    let statement: OpaquePointer
    private var index: Int32 = 0
    /// Where the row's text is copied and formatted (addresses, the boot id): bound in place
    /// (SQLITE_STATIC), so a row's twenty-odd texts cost no allocation. The statement is reset
    /// after each row, before the arena is reused.
    private let arena: UnsafeMutablePointer<UInt8>
    private let arenaCapacity: Int
    private var arenaUsed = 0

    /// A binder of the row whose first parameter is `firstIndex + 1` (a multi-row insert's
    /// rows follow each other), its text in `arena`.
    init(_ statement: OpaquePointer, arena: UnsafeMutableBufferPointer<UInt8>, firstIndex: Int32 = 0) {
        self.statement = statement
        self.arena = arena.baseAddress!
        arenaCapacity = arena.count
        index = firstIndex
    }

    /// Arena bytes a text copy leaves free for the formatted values that may follow it (four
    /// addresses and a boot id take 208), so that long texts go to SQLite's own copy instead.
    private static let formattedReserve = 256

    /// Text that does not fit the arena is copied by SQLite (SQLITE_TRANSIENT).
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    mutating func integer<Value: BinaryInteger>(_ value: Value) {
        index += 1
        sqlite3_bind_int64(statement, index, Int64(truncatingIfNeeded: value))
    }

    mutating func text(_ value: String) {
        index += 1
        var value = value
        value.withUTF8 { bytes in
            guard arenaCapacity - arenaUsed - bytes.count >= Self.formattedReserve else {
                _ = bytes.withMemoryRebound(to: CChar.self) {
                    sqlite3_bind_text(statement, index, $0.baseAddress, Int32($0.count), Self.transient)
                }
                return
            }
            let start = arena + arenaUsed
            if let source = bytes.baseAddress { start.update(from: source, count: bytes.count) }
            bindArena(start, count: bytes.count)
        }
    }

    /// Up to `maxWidth` bytes formatted straight into the arena.
    private mutating func formatted(maxWidth: Int, _ body: (inout RenderCursor) -> Void) {
        index += 1
        precondition(arenaCapacity - arenaUsed >= maxWidth, "the arena holds a row's formatted values")
        let start = arena + arenaUsed
        var cursor = RenderCursor(position: start)
        body(&cursor)
        bindArena(start, count: cursor.position - start)
    }

    private mutating func bindArena(_ start: UnsafeMutablePointer<UInt8>, count: Int) {
        arenaUsed += count
        // A zero-length text needs a non-NULL pointer, or SQLite binds NULL instead of ''.
        start.withMemoryRebound(to: CChar.self, capacity: max(count, 1)) {
            _ = sqlite3_bind_text(statement, index, $0, Int32(count), nil)
        }
    }

    /// An address in its usual text form (RFC 5952 for IPv6).
    mutating func text(_ address: IPAddress) {
        formatted(maxWidth: 48) { $0.putAddress(address) }
    }

    mutating func text(_ boot: BootID) {
        formatted(maxWidth: 16) { $0.putBootID(boot) }
    }

    /// Text from a type whose description is its RT_FLOW spelling.
    mutating func text(_ value: some CustomStringConvertible) { text(value.description) }

    /// The empty string binds NULL (a field flowtel does not compute and no peer set).
    mutating func optionalText(_ value: String) {
        if value.isEmpty { skip() } else { text(value) }
    }

    /// Zero binds NULL.
    mutating func optionalInteger<Value: BinaryInteger>(_ value: Value) {
        if value == 0 { skip() } else { integer(value) }
    }

    mutating func skip(_ count: Int32 = 1) { index += count }

    /// Whether the statement is a table's compact insert (``SQLiteTable/compactInsertSQL``),
    /// which has no parameters for the nullable RT_FLOW fields.
    var compact = false

    /// The nullable RT_FLOW fields of an event that has none: NULL, or no parameters at all.
    private mutating func skipExtensions(_ count: Int32) {
        if !compact { index += count }
    }

    mutating func envelope(_ event: Event) {
        text(event.node)
        text(event.bootID)
        integer(event.seq)
        integer(event.time.unixNanos)
    }

    mutating func session(_ info: SessionInfo) {
        text(info.sourceAddress)
        integer(info.sourcePort)
        text(info.destinationAddress)
        integer(info.destinationPort)
        integer(info.connectionTag)
        text(info.serviceName)
        text(info.natSourceAddress)
        integer(info.natSourcePort)
        text(info.natDestinationAddress)
        integer(info.natDestinationPort)
        integer(info.natConnectionTag)
        text(info.srcNatRuleType)
        text(info.srcNatRuleName)
        text(info.dstNatRuleType)
        text(info.dstNatRuleName)
        integer(info.protocolID)
        text(info.policyName)
        integer(info.policyIndex)
        text(info.sourceZoneName)
        text(info.destinationZoneName)
        integer(info.sessionID)
        text(info.packetIncomingInterface)
        text(info.egressInterface)
        integer(info.fpc)
        integer(info.pic)
        integer(info.timeoutSeconds)
        guard info.hasExtensions else { return skipExtensions(17) }
        let more = info.extensions
        optionalText(more.username)
        optionalText(more.roles)
        optionalText(more.application)
        optionalText(more.nestedApplication)
        optionalText(more.encrypted)
        optionalText(more.applicationCategory)
        optionalText(more.applicationSubCategory)
        optionalInteger(more.applicationRisk)
        optionalText(more.applicationCharacteristics)
        optionalText(more.srcVrfGroup)
        optionalText(more.dstVrfGroup)
        optionalText(more.tunnelInspection)
        optionalText(more.tunnelInspectionPolicySet)
        optionalText(more.sourceTenant)
        optionalText(more.destinationService)
        optionalText(more.dstIdentityContextName)
        optionalText(more.dstIdentityContextRoles)
    }

    mutating func close(_ close: SessionClose) {
        session(close.session)
        text(close.reason)
        integer(close.packetsFromClient)
        integer(close.bytesFromClient)
        integer(close.packetsFromServer)
        integer(close.bytesFromServer)
        integer(close.elapsedTime)
        integer(close.startTime.unixNanos)
        guard close.hasExtensions else { return skipExtensions(15) }
        let more = close.extensions
        optionalText(more.secureWebProxySessionType)
        optionalInteger(more.peerSessionID)
        if let address = more.peerSourceAddress { text(address) } else { skip() }
        optionalInteger(more.peerSourcePort)
        if let address = more.peerDestinationAddress { text(address) } else { skip() }
        optionalInteger(more.peerDestinationPort)
        optionalText(more.hostname)
        optionalInteger(more.sessionFlag)
        optionalText(more.userType)
        optionalText(more.urlHost)
        optionalText(more.urlCategory)
        optionalInteger(more.urlRisk)
        optionalText(more.srcVrf)
        optionalText(more.dstVrf)
        optionalText(more.forwardedFor)
    }

    mutating func deny(_ deny: SessionDeny) {
        text(deny.sourceAddress)
        integer(deny.sourcePort)
        text(deny.destinationAddress)
        integer(deny.destinationPort)
        integer(deny.connectionTag)
        text(deny.serviceName)
        integer(deny.protocolID)
        integer(deny.icmpType)
        text(deny.policyName)
        integer(deny.policyIndex)
        text(deny.sourceZoneName)
        text(deny.destinationZoneName)
        text(deny.packetIncomingInterface)
        text(deny.action.name)
        integer(deny.sessionID)
        integer(deny.fpc)
        integer(deny.pic)
        guard deny.hasExtensions else { return skipExtensions(13) }
        let more = deny.extensions
        optionalText(more.application)
        optionalText(more.nestedApplication)
        optionalText(more.username)
        optionalText(more.roles)
        optionalText(more.encrypted)
        optionalText(more.applicationCategory)
        optionalText(more.applicationSubCategory)
        optionalInteger(more.applicationRisk)
        optionalText(more.applicationCharacteristics)
        optionalText(more.srcVrfGroup)
        optionalText(more.dstVrfGroup)
        optionalText(more.sourceTenant)
        optionalText(more.destinationService)
    }
}

extension PolicyAction {
    /// The stored spelling: the policy's `then` action.
    var name: String { self == .deny ? "deny" : "reject" }
}
