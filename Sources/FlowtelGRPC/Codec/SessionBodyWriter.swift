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
    /// The payload's fields after the embedded SessionInfo (all of a SessionDeny's).
    private var rest = ByteSink(capacity: 2048)

    /// Frees the buffers (the owning encoder's deinit).
    func deallocate() {
        info.deallocate()
        rest.deallocate()
    }

    /// The Event fields time_unix_nano (3) and the session payload (10, 11 or 12); nil when
    /// the payload is not a session event.
    mutating func encodeBody(time: Timestamp, payload value: Payload) -> [UInt8]? {
        var out = ByteSink(capacity: 512)
        defer { out.deallocate() }
        guard append(time: time, payload: value, to: &out) else { return nil }
        return [UInt8](UnsafeRawBufferPointer(start: out.base, count: out.count))
    }

    /// Appends what `encodeBody` returns to `out`; false (nothing appended) when the payload is
    /// not a session event.
    mutating func append(time: Timestamp, payload value: Payload, to out: inout ByteSink) -> Bool {
        switch value {
        case .sessionCreate(let create): append(time: time, create: create, to: &out)
        case .sessionClose(let close): append(time: time, close: close, to: &out)
        case .sessionDeny(let deny): append(time: time, deny: deny, to: &out)
        default: return false
        }
        return true
    }

    mutating func append(time: Timestamp, create: SessionCreate, to out: inout ByteSink) {
        writeInfo(create.session)
        rest.count = 0
        finish(time: time, field: 10, withInfo: true, to: &out)
    }

    mutating func append(time: Timestamp, close: SessionClose, to out: inout ByteSink) {
        writeInfo(close.session)
        writeClose(close)
        finish(time: time, field: 11, withInfo: true, to: &out)
    }

    mutating func append(time: Timestamp, deny: SessionDeny, to out: inout ByteSink) {
        writeDeny(deny)
        finish(time: time, field: 12, withInfo: false, to: &out)
    }

    // The body: time, the payload's tag and length, then (as field 1 of the payload) the
    // SessionInfo in `info` when `withInfo`, then the payload's other fields in `rest`.
    private mutating func finish(time: Timestamp, field: Int, withInfo: Bool, to out: inout ByteSink) {
        let infoLength = withInfo ? 1 + ByteSink.varintLength(UInt64(info.count)) + info.count : 0
        let length = infoLength + rest.count
        out.reserve(32 + length)
        out.appendFixed64(3, time.unixNanos)
        out.appendRawVarint(UInt64(field << 3 | 2))
        out.appendRawVarint(UInt64(length))
        if withInfo {
            out.appendRawVarint(1 << 3 | 2)
            out.appendRawVarint(UInt64(info.count))
            out.appendBytes(UnsafeRawBufferPointer(start: info.base, count: info.count))
        }
        out.appendBytes(UnsafeRawBufferPointer(start: rest.base, count: rest.count))
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
        rest.count = 0
        rest.appendVarint(2, UInt64(c.reason.rawValue))
        rest.appendVarint(3, c.packetsFromClient)
        rest.appendVarint(4, c.bytesFromClient)
        rest.appendVarint(5, c.packetsFromServer)
        rest.appendVarint(6, c.bytesFromServer)
        rest.appendVarint(7, UInt64(c.elapsedTime))
        rest.appendFixed64(8, c.startTime.unixNanos)
        if let e { rest.appendString(9, e.secureWebProxySessionType) }
        if let e { rest.appendVarint(10, e.peerSessionID) }
        if let e { if let address = e.peerSourceAddress { rest.appendAddress(11, address) } }
        if let e { rest.appendVarint(12, UInt64(e.peerSourcePort)) }
        if let e { if let address = e.peerDestinationAddress { rest.appendAddress(13, address) } }
        if let e { rest.appendVarint(14, UInt64(e.peerDestinationPort)) }
        if let e { rest.appendString(15, e.hostname) }
        if let e { rest.appendVarint(16, UInt64(e.sessionFlag)) }
        if let e { rest.appendString(17, e.userType) }
        if let e { rest.appendString(18, e.urlHost) }
        if let e { rest.appendString(19, e.urlCategory) }
        if let e { rest.appendVarint(20, UInt64(e.urlRisk)) }
        if let e { rest.appendString(21, e.srcVrf) }
        if let e { rest.appendString(22, e.dstVrf) }
        if let e { rest.appendString(23, e.forwardedFor) }
    }

    private mutating func writeDeny(_ d: SessionDeny) {
        let e = d.hasExtensions ? d.extensions : nil
        rest.count = 0
        rest.appendAddress(1, d.sourceAddress)
        rest.appendVarint(2, UInt64(d.sourcePort))
        rest.appendAddress(3, d.destinationAddress)
        rest.appendVarint(4, UInt64(d.destinationPort))
        rest.appendVarint(5, UInt64(d.connectionTag))
        rest.appendString(6, d.serviceName)
        rest.appendVarint(7, UInt64(d.protocolID))
        rest.appendVarint(8, UInt64(d.icmpType))
        rest.appendString(9, d.policyName)
        rest.appendVarint(10, UInt64(d.policyIndex))
        rest.appendString(11, d.sourceZoneName)
        rest.appendString(12, d.destinationZoneName)
        if let e { rest.appendString(13, e.application) }
        if let e { rest.appendString(14, e.nestedApplication) }
        if let e { rest.appendString(15, e.username) }
        if let e { rest.appendString(16, e.roles) }
        rest.appendString(17, d.packetIncomingInterface)
        if let e { rest.appendString(18, e.encrypted) }
        rest.appendVarint(19, UInt64(d.action.rawValue))
        rest.appendVarint(20, UInt64(d.sessionID))
        if let e { rest.appendString(21, e.applicationCategory) }
        if let e { rest.appendString(22, e.applicationSubCategory) }
        if let e { rest.appendInt32(23, e.applicationRisk) }
        if let e { rest.appendString(24, e.applicationCharacteristics) }
        if let e { rest.appendString(25, e.srcVrfGroup) }
        if let e { rest.appendString(26, e.dstVrfGroup) }
        if let e { rest.appendString(27, e.sourceTenant) }
        if let e { rest.appendString(28, e.destinationService) }
        rest.appendVarint(29, UInt64(d.fpc))
        rest.appendVarint(30, UInt64(d.pic))
    }
}

/// A growable byte buffer written through a raw pointer: the writer checks capacity once per
/// field instead of once per byte. Owned by one writer (which lives as long as its owner);
/// never copied between threads.
struct ByteSink {
    var base: UnsafeMutablePointer<UInt8>
    var count = 0
    var capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        base = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
    }

    func deallocate() { base.deallocate() }

    /// The bytes written so far.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    @inline(__always)
    mutating func reserve(_ extra: Int) {
        guard count + extra > capacity else { return }
        grow(count + extra)
    }

    @inline(never)
    private mutating func grow(_ needed: Int) {
        let grown = max(capacity * 2, needed)
        let fresh = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        fresh.update(from: base, count: count)
        base.deallocate()
        base = fresh
        capacity = grown
    }

    /// Bytes of `value` as a varint.
    @inline(__always)
    static func varintLength(_ value: UInt64) -> Int {
        // 1 byte per started group of 7 bits; 0 takes 1 byte.
        (70 - (value | 1).leadingZeroBitCount) / 7
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
            Self.copy(from, to: UnsafeMutableRawPointer(base + count), count: source.count)
        }
        count += source.count
    }

    /// Copies without a call into the C library for the short runs fields mostly are (names,
    /// addresses). Up to 16 bytes move as 8-, 4-, 2- and 1-byte pieces that never straddle an
    /// 8-byte boundary of the source: a short string's UTF-8 has just been spilled to the stack
    /// as two words, and a load across them would stall on store forwarding.
    @inline(__always)
    static func copy(_ from: UnsafeRawPointer, to: UnsafeMutableRawPointer, count: Int) {
        guard count <= 16 else {
            to.copyMemory(from: from, byteCount: count)
            return
        }
        if count == 16 {
            to.storeBytes(of: from.loadUnaligned(as: UInt64.self), as: UInt64.self)
            to.storeBytes(of: from.loadUnaligned(fromByteOffset: 8, as: UInt64.self), toByteOffset: 8, as: UInt64.self)
            return
        }
        var offset = 0
        if count & 8 != 0 {
            to.storeBytes(of: from.loadUnaligned(fromByteOffset: offset, as: UInt64.self), toByteOffset: offset, as: UInt64.self)
            offset += 8
        }
        if count & 4 != 0 {
            to.storeBytes(of: from.loadUnaligned(fromByteOffset: offset, as: UInt32.self), toByteOffset: offset, as: UInt32.self)
            offset += 4
        }
        if count & 2 != 0 {
            to.storeBytes(of: from.loadUnaligned(fromByteOffset: offset, as: UInt16.self), toByteOffset: offset, as: UInt16.self)
            offset += 2
        }
        if count & 1 != 0 {
            to.storeBytes(of: from.load(fromByteOffset: offset, as: UInt8.self), toByteOffset: offset, as: UInt8.self)
        }
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
        reserve(8)
        UnsafeMutableRawPointer(base + count).storeBytes(of: value.littleEndian, as: UInt64.self)
        count += 8
    }

    /// A string field; omitted when empty.
    @inline(__always)
    mutating func appendString(_ field: Int, _ value: String) {
        let utf8 = value.utf8
        let length = utf8.count
        guard length > 0 else { return }
        appendRawVarint(UInt64(field << 3 | 2))
        appendRawVarint(UInt64(length))
        reserve(length)
        // Native strings (all of flowtel's) expose their UTF-8 directly; copy it in one go.
        let copied = utf8.withContiguousStorageIfAvailable { source -> Bool in
            Self.copy(UnsafeRawPointer(source.baseAddress!), to: UnsafeMutableRawPointer(base + count), count: length)
            return true
        }
        if copied == nil {
            for byte in utf8 {
                base[count] = byte
                count += 1
            }
            return
        }
        count += length
    }

    /// An address as a bytes field (always present: 4 or 16 bytes).
    @inline(__always)
    mutating func appendAddress(_ field: Int, _ address: IPAddress) {
        appendRawVarint(UInt64(field << 3 | 2))
        reserve(17)
        let at = UnsafeMutableRawPointer(base + count)
        switch address {
        case .v4(let value):
            at.storeBytes(of: 4, as: UInt8.self)
            at.storeBytes(of: value.bigEndian, toByteOffset: 1, as: UInt32.self)
            count += 5
        case .v6(let high, let low):
            at.storeBytes(of: 16, as: UInt8.self)
            at.storeBytes(of: high.bigEndian, toByteOffset: 1, as: UInt64.self)
            at.storeBytes(of: low.bigEndian, toByteOffset: 9, as: UInt64.self)
            count += 17
        }
    }

    /// An embedded message (written even when empty, as protobuf-c does for a set pointer).
    @inline(__always)
    mutating func appendMessage(_ field: Int, _ message: ByteSink) {
        appendRawVarint(UInt64(field << 3 | 2))
        appendRawVarint(UInt64(message.count))
        appendBytes(message.bytes)
    }
}
