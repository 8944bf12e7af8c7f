import FlowtelCore

/// Writes the protobuf wire form of session event bodies directly from Swift values.
///
/// Session events are the hot path (one per session create/close, millions per second at
/// peak), and building protobuf-c structs from Swift strings costs several times more than the
/// encoding itself. This writer emits exactly the bytes protobuf-c's `pack` emits for the same
/// message — fields in declaration order, proto3 defaults omitted — which the codec tests check
/// byte for byte against protobuf-c for every sample. Every other message goes through
/// protobuf-c.
struct SessionBodyWriter {
    private var info = ByteSink(capacity: 1024)
    private var payload = ByteSink(capacity: 2048)

    /// Frees the buffers (the owning encoder's deinit).
    func deallocate() {
        info.deallocate()
        payload.deallocate()
    }

    /// The Event fields time_unix_nano (3) and the session payload (10, 11 or 12); nil when
    /// the payload is not a session event.
    mutating func encodeBody(time: Timestamp, payload value: Payload) -> [UInt8]? {
        payload.count = 0
        let field: Int
        switch value {
        case .sessionCreate(let create):
            field = 10
            writeInfo(create.session)
            payload.appendMessage(1, info)
        case .sessionClose(let close):
            field = 11
            writeClose(close)
        case .sessionDeny(let deny):
            field = 12
            writeDeny(deny)
        default:
            return nil
        }
        var header = ByteSink(capacity: 32)
        defer { header.deallocate() }
        header.appendFixed64(3, time.unixNanos)
        header.appendRawVarint(UInt64(field << 3 | 2))
        header.appendRawVarint(UInt64(payload.count))
        let payload = self.payload
        return [UInt8](unsafeUninitializedCapacity: header.count + payload.count) { buffer, count in
            let base = buffer.baseAddress!
            base.update(from: header.base, count: header.count)
            (base + header.count).update(from: payload.base, count: payload.count)
            count = header.count + payload.count
        }
    }

    private mutating func writeInfo(_ s: SessionInfo) {
        let e = s.hasExtensions ? s.extensions : nil
        info.count = 0
        info.appendAddress(1, s.sourceAddress)
        info.appendVarint(2, UInt64(s.sourcePort))
        info.appendAddress(3, s.destinationAddress)
        info.appendVarint(4, UInt64(s.destinationPort))
        info.appendVarint(5, UInt64(s.connectionTag))
        info.appendString(6, s.serviceName)
        info.appendAddress(7, s.natSourceAddress)
        info.appendVarint(8, UInt64(s.natSourcePort))
        info.appendAddress(9, s.natDestinationAddress)
        info.appendVarint(10, UInt64(s.natDestinationPort))
        info.appendVarint(11, UInt64(s.natConnectionTag))
        info.appendVarint(12, UInt64(s.srcNatRuleType.rawValue))
        info.appendString(13, s.srcNatRuleName)
        info.appendVarint(14, UInt64(s.dstNatRuleType.rawValue))
        info.appendString(15, s.dstNatRuleName)
        info.appendVarint(16, UInt64(s.protocolID))
        info.appendString(17, s.policyName)
        info.appendVarint(18, UInt64(s.policyIndex))
        info.appendString(19, s.sourceZoneName)
        info.appendString(20, s.destinationZoneName)
        info.appendVarint(21, UInt64(s.sessionID))
        if let e { info.appendString(22, e.username) }
        if let e { info.appendString(23, e.roles) }
        info.appendString(24, s.packetIncomingInterface)
        info.appendString(25, s.egressInterface)
        if let e { info.appendString(26, e.application) }
        if let e { info.appendString(27, e.nestedApplication) }
        if let e { info.appendString(28, e.encrypted) }
        if let e { info.appendString(29, e.applicationCategory) }
        if let e { info.appendString(30, e.applicationSubCategory) }
        if let e { info.appendInt32(31, e.applicationRisk) }
        if let e { info.appendString(32, e.applicationCharacteristics) }
        if let e { info.appendString(33, e.srcVrfGroup) }
        if let e { info.appendString(34, e.dstVrfGroup) }
        if let e { info.appendString(35, e.tunnelInspection) }
        if let e { info.appendString(36, e.tunnelInspectionPolicySet) }
        if let e { info.appendString(37, e.sourceTenant) }
        if let e { info.appendString(38, e.destinationService) }
        if let e { info.appendString(39, e.dstIdentityContextName) }
        if let e { info.appendString(40, e.dstIdentityContextRoles) }
        info.appendVarint(41, UInt64(s.fpc))
        info.appendVarint(42, UInt64(s.pic))
        info.appendVarint(43, UInt64(s.timeoutSeconds))
    }

    private mutating func writeClose(_ c: SessionClose) {
        let e = c.hasExtensions ? c.extensions : nil
        writeInfo(c.session)
        payload.appendMessage(1, info)
        payload.appendVarint(2, UInt64(c.reason.rawValue))
        payload.appendVarint(3, c.packetsFromClient)
        payload.appendVarint(4, c.bytesFromClient)
        payload.appendVarint(5, c.packetsFromServer)
        payload.appendVarint(6, c.bytesFromServer)
        payload.appendVarint(7, UInt64(c.elapsedTime))
        payload.appendFixed64(8, c.startTime.unixNanos)
        if let e { payload.appendString(9, e.secureWebProxySessionType) }
        if let e { payload.appendVarint(10, e.peerSessionID) }
        if let e { if let address = e.peerSourceAddress { payload.appendAddress(11, address) } }
        if let e { payload.appendVarint(12, UInt64(e.peerSourcePort)) }
        if let e { if let address = e.peerDestinationAddress { payload.appendAddress(13, address) } }
        if let e { payload.appendVarint(14, UInt64(e.peerDestinationPort)) }
        if let e { payload.appendString(15, e.hostname) }
        if let e { payload.appendVarint(16, UInt64(e.sessionFlag)) }
        if let e { payload.appendString(17, e.userType) }
        if let e { payload.appendString(18, e.urlHost) }
        if let e { payload.appendString(19, e.urlCategory) }
        if let e { payload.appendVarint(20, UInt64(e.urlRisk)) }
        if let e { payload.appendString(21, e.srcVrf) }
        if let e { payload.appendString(22, e.dstVrf) }
        if let e { payload.appendString(23, e.forwardedFor) }
    }

    private mutating func writeDeny(_ d: SessionDeny) {
        let e = d.hasExtensions ? d.extensions : nil
        payload.appendAddress(1, d.sourceAddress)
        payload.appendVarint(2, UInt64(d.sourcePort))
        payload.appendAddress(3, d.destinationAddress)
        payload.appendVarint(4, UInt64(d.destinationPort))
        payload.appendVarint(5, UInt64(d.connectionTag))
        payload.appendString(6, d.serviceName)
        payload.appendVarint(7, UInt64(d.protocolID))
        payload.appendVarint(8, UInt64(d.icmpType))
        payload.appendString(9, d.policyName)
        payload.appendVarint(10, UInt64(d.policyIndex))
        payload.appendString(11, d.sourceZoneName)
        payload.appendString(12, d.destinationZoneName)
        if let e { payload.appendString(13, e.application) }
        if let e { payload.appendString(14, e.nestedApplication) }
        if let e { payload.appendString(15, e.username) }
        if let e { payload.appendString(16, e.roles) }
        payload.appendString(17, d.packetIncomingInterface)
        if let e { payload.appendString(18, e.encrypted) }
        payload.appendVarint(19, UInt64(d.action.rawValue))
        payload.appendVarint(20, UInt64(d.sessionID))
        if let e { payload.appendString(21, e.applicationCategory) }
        if let e { payload.appendString(22, e.applicationSubCategory) }
        if let e { payload.appendInt32(23, e.applicationRisk) }
        if let e { payload.appendString(24, e.applicationCharacteristics) }
        if let e { payload.appendString(25, e.srcVrfGroup) }
        if let e { payload.appendString(26, e.dstVrfGroup) }
        if let e { payload.appendString(27, e.sourceTenant) }
        if let e { payload.appendString(28, e.destinationService) }
        payload.appendVarint(29, UInt64(d.fpc))
        payload.appendVarint(30, UInt64(d.pic))
    }
}

/// A growable byte buffer written through a raw pointer: the writer checks capacity once per
/// field instead of once per byte. Owned by one SessionBodyWriter (which lives as long as its
/// encoder); never copied between threads.
struct ByteSink {
    var base: UnsafeMutablePointer<UInt8>
    var count = 0
    var capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        base = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
    }

    func deallocate() { base.deallocate() }

    @inline(__always)
    mutating func reserve(_ extra: Int) {
        guard count + extra > capacity else { return }
        let grown = max(capacity * 2, count + extra)
        let fresh = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        fresh.update(from: base, count: count)
        base.deallocate()
        base = fresh
        capacity = grown
    }

    @inline(__always)
    mutating func appendRawVarint(_ value: UInt64) {
        reserve(10)
        var value = value
        while value >= 0x80 {
            base[count] = UInt8(truncatingIfNeeded: value) | 0x80
            count += 1
            value >>= 7
        }
        base[count] = UInt8(value)
        count += 1
    }

    @inline(__always)
    mutating func appendBytes(_ source: UnsafeRawBufferPointer) {
        reserve(source.count)
        if let from = source.baseAddress {
            UnsafeMutableRawPointer(base + count).copyMemory(from: from, byteCount: source.count)
        }
        count += source.count
    }

    /// A varint field; omitted when 0 (proto3).
    @inline(__always)
    mutating func appendVarint(_ field: Int, _ value: UInt64) {
        guard value != 0 else { return }
        appendRawVarint(UInt64(field << 3))
        appendRawVarint(value)
    }

    /// An int32 field: negative values are sign-extended to 10 bytes, as protobuf requires.
    @inline(__always)
    mutating func appendInt32(_ field: Int, _ value: Int32) {
        appendVarint(field, UInt64(bitPattern: Int64(value)))
    }

    /// A fixed64 field; omitted when 0.
    @inline(__always)
    mutating func appendFixed64(_ field: Int, _ value: UInt64) {
        guard value != 0 else { return }
        appendRawVarint(UInt64(field << 3 | 1))
        Swift.withUnsafeBytes(of: value.littleEndian) { appendBytes($0) }
    }

    /// A string field; omitted when empty.
    @inline(__always)
    mutating func appendString(_ field: Int, _ value: String) {
        let utf8 = value.utf8
        let count = utf8.count
        guard count > 0 else { return }
        appendRawVarint(UInt64(field << 3 | 2))
        appendRawVarint(UInt64(count))
        reserve(count)
        // Native strings (all of flowtel's) expose their UTF-8 directly; copy it in one go.
        let copied = utf8.withContiguousStorageIfAvailable { source -> Bool in
            (base + self.count).update(from: source.baseAddress!, count: source.count)
            return true
        }
        if copied == nil {
            for byte in utf8 {
                base[self.count] = byte
                self.count += 1
            }
            return
        }
        self.count += count
    }

    /// An address as a bytes field (always present: 4 or 16 bytes).
    @inline(__always)
    mutating func appendAddress(_ field: Int, _ address: IPAddress) {
        appendRawVarint(UInt64(field << 3 | 2))
        switch address {
        case .v4(let value):
            appendRawVarint(4)
            Swift.withUnsafeBytes(of: value.bigEndian) { appendBytes($0) }
        case .v6(let high, let low):
            appendRawVarint(16)
            Swift.withUnsafeBytes(of: (high.bigEndian, low.bigEndian)) { appendBytes($0) }
        }
    }

    /// An embedded message (written even when empty, as protobuf-c does for a set pointer).
    @inline(__always)
    mutating func appendMessage(_ field: Int, _ message: ByteSink) {
        appendRawVarint(UInt64(field << 3 | 2))
        appendRawVarint(UInt64(message.count))
        appendBytes(UnsafeRawBufferPointer(start: message.base, count: message.count))
    }
}
