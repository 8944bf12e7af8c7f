internal import CGRPC
import FlowtelCore

/// The session-event fast path of `EventDecoder`: parses `EventBatch` wire bytes directly into
/// Swift values, without unpacking into protobuf-c structs first.
///
/// Session events (create, close, deny) are decoded here; an event with any other payload is
/// handed to protobuf-c whole. The results equal the protobuf-c path's for every sample (the
/// codec tests compare both); unknown fields are skipped, as protobuf requires.
extension EventDecoder {
    func decodeBatchFast(_ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> [Event] {
        var reader = WireReader(bytes)
        var events: [Event] = []
        while let (field, wireType) = try reader.tag() {
            guard field == 1, wireType == 2 else {
                try reader.skip(wireType: wireType)
                continue
            }
            let message = try reader.lengthDelimited()
            if let event = try decodeEventFast(message) { events.append(event) }
        }
        return events
    }

    private func decodeEventFast(_ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> Event? {
        var reader = WireReader(bytes)
        var bootID: UInt64 = 0
        var seq: UInt64 = 0
        var time: UInt64 = 0
        var node = ""
        var payload: Payload? = nil
        var other = false
        while let (field, wireType) = try reader.tag() {
            // Cases are raw tags, field << 3 | wire type: one integer switch (a jump table),
            // not a chain of tuple comparisons.
            switch field << 3 | wireType {
            case 9: bootID = try reader.fixed64()
            case 16: seq = try reader.varint()
            case 25: time = try reader.fixed64()
            case 34: node = try reader.string()
            case 82:
                var sub = try reader.message()
                var info = SessionInfo()
                while let (f, w) = try sub.tag() {
                    if f == 1 && w == 2 {
                        var infoReader = try sub.message()
                        info = try Self.sessionInfo(&infoReader)
                    } else {
                        try sub.skip(wireType: w)
                    }
                }
                payload = .sessionCreate(SessionCreate(session: info))
                other = false
            case 90:
                var sub = try reader.message()
                payload = .sessionClose(try Self.sessionClose(&sub))
                other = false
            case 98:
                var sub = try reader.message()
                payload = .sessionDeny(try Self.sessionDeny(&sub))
                other = false
            case _ where wireType == 2 && (20...42).contains(field):
                _ = try reader.lengthDelimited()
                payload = nil
                other = true
            default:
                try reader.skip(wireType: wireType)
            }
        }
        if other {
            // A fault or stream-control payload: protobuf-c decodes it.
            defer { cgrpc_arena_reset(arena) }
            guard let message = flowtel__v1__event__unpack(
                cgrpc_arena_allocator(arena), bytes.count, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self))
            else { throw DecodeError("Event: malformed protobuf (\(bytes.count) bytes)") }
            return Self.decode(message)
        }
        guard let payload else { return nil }
        return Event(bootID: BootID(bootID), seq: seq, time: Timestamp(unixNanos: time), node: node, payload: payload)
    }

    private static func sessionInfo(_ r: inout WireReader) throws(DecodeError) -> SessionInfo {
        var s = SessionInfo()
        var natSource: IPAddress? = nil
        var natDestination: IPAddress? = nil
        while let (field, wireType) = try r.tag() {
            switch field << 3 | wireType {
            case 10: s.sourceAddress = try r.address() ?? .unspecifiedV4
            case 16: s.sourcePort = try r.port()
            case 26: s.destinationAddress = try r.address() ?? .unspecifiedV4
            case 32: s.destinationPort = try r.port()
            case 40: s.connectionTag = try r.uint32()
            case 50: s.serviceName = try r.string()
            case 58: natSource = try r.address()
            case 64: s.natSourcePort = try r.port()
            case 74: natDestination = try r.address()
            case 80: s.natDestinationPort = try r.port()
            case 88: s.natConnectionTag = try r.uint32()
            case 96: s.srcNatRuleType = NatRuleType(rawValue: Int(try r.uint32())) ?? .none
            case 106: s.srcNatRuleName = try r.string()
            case 112: s.dstNatRuleType = NatRuleType(rawValue: Int(try r.uint32())) ?? .none
            case 122: s.dstNatRuleName = try r.string()
            case 128: s.protocolID = UInt8(truncatingIfNeeded: try r.varint())
            case 138: s.policyName = try r.string()
            case 144: s.policyIndex = try r.uint32()
            case 154: s.sourceZoneName = try r.string()
            case 162: s.destinationZoneName = try r.string()
            case 168: s.sessionID = try r.uint32()
            case 178: s.username = try r.string()
            case 186: s.roles = try r.string()
            case 194: s.packetIncomingInterface = try r.string()
            case 202: s.egressInterface = try r.string()
            case 210: s.application = try r.string()
            case 218: s.nestedApplication = try r.string()
            case 226: s.encrypted = try r.string()
            case 234: s.applicationCategory = try r.string()
            case 242: s.applicationSubCategory = try r.string()
            case 248: s.applicationRisk = Int32(truncatingIfNeeded: try r.varint())
            case 258: s.applicationCharacteristics = try r.string()
            case 266: s.srcVrfGroup = try r.string()
            case 274: s.dstVrfGroup = try r.string()
            case 282: s.tunnelInspection = try r.string()
            case 290: s.tunnelInspectionPolicySet = try r.string()
            case 298: s.sourceTenant = try r.string()
            case 306: s.destinationService = try r.string()
            case 314: s.dstIdentityContextName = try r.string()
            case 322: s.dstIdentityContextRoles = try r.string()
            case 328: s.fpc = try r.uint32()
            case 336: s.pic = try r.uint32()
            case 344: s.timeoutSeconds = try r.uint32()
            default: try r.skip(wireType: wireType)
            }
        }
        // As the protobuf-c path: absent NAT addresses mean "not translated".
        s.natSourceAddress = natSource ?? s.sourceAddress
        s.natDestinationAddress = natDestination ?? s.destinationAddress
        return s
    }

    private static func sessionClose(_ r: inout WireReader) throws(DecodeError) -> SessionClose {
        var c = SessionClose()
        var sawInfo = false
        while let (field, wireType) = try r.tag() {
            switch field << 3 | wireType {
            case 10:
                var sub = try r.message()
                c.session = try sessionInfo(&sub)
                sawInfo = true
            case 16: c.reason = CloseReason(rawValue: Int(try r.uint32())) ?? .unset
            case 24: c.packetsFromClient = try r.varint()
            case 32: c.bytesFromClient = try r.varint()
            case 40: c.packetsFromServer = try r.varint()
            case 48: c.bytesFromServer = try r.varint()
            case 56: c.elapsedTime = try r.uint32()
            case 65: c.startTime = Timestamp(unixNanos: try r.fixed64())
            case 74: c.secureWebProxySessionType = try r.string()
            case 80: c.peerSessionID = try r.varint()
            case 90: c.peerSourceAddress = try r.address()
            case 96: c.peerSourcePort = try r.port()
            case 106: c.peerDestinationAddress = try r.address()
            case 112: c.peerDestinationPort = try r.port()
            case 122: c.hostname = try r.string()
            case 128: c.sessionFlag = try r.uint32()
            case 138: c.userType = try r.string()
            case 146: c.urlHost = try r.string()
            case 154: c.urlCategory = try r.string()
            case 160: c.urlRisk = try r.uint32()
            case 170: c.srcVrf = try r.string()
            case 178: c.dstVrf = try r.string()
            case 186: c.forwardedFor = try r.string()
            default: try r.skip(wireType: wireType)
            }
        }
        if !sawInfo { c.session = SessionInfo() }
        return c
    }

    private static func sessionDeny(_ r: inout WireReader) throws(DecodeError) -> SessionDeny {
        var d = SessionDeny()
        while let (field, wireType) = try r.tag() {
            switch field << 3 | wireType {
            case 10: d.sourceAddress = try r.address() ?? .unspecifiedV4
            case 16: d.sourcePort = try r.port()
            case 26: d.destinationAddress = try r.address() ?? .unspecifiedV4
            case 32: d.destinationPort = try r.port()
            case 40: d.connectionTag = try r.uint32()
            case 50: d.serviceName = try r.string()
            case 56: d.protocolID = UInt8(truncatingIfNeeded: try r.varint())
            case 64: d.icmpType = UInt8(truncatingIfNeeded: try r.varint())
            case 74: d.policyName = try r.string()
            case 80: d.policyIndex = try r.uint32()
            case 90: d.sourceZoneName = try r.string()
            case 98: d.destinationZoneName = try r.string()
            case 106: d.application = try r.string()
            case 114: d.nestedApplication = try r.string()
            case 122: d.username = try r.string()
            case 130: d.roles = try r.string()
            case 138: d.packetIncomingInterface = try r.string()
            case 146: d.encrypted = try r.string()
            case 152: d.action = PolicyAction(rawValue: Int(try r.uint32())) ?? .deny
            case 160: d.sessionID = try r.uint32()
            case 170: d.applicationCategory = try r.string()
            case 178: d.applicationSubCategory = try r.string()
            case 184: d.applicationRisk = Int32(truncatingIfNeeded: try r.varint())
            case 194: d.applicationCharacteristics = try r.string()
            case 202: d.srcVrfGroup = try r.string()
            case 210: d.dstVrfGroup = try r.string()
            case 218: d.sourceTenant = try r.string()
            case 226: d.destinationService = try r.string()
            case 232: d.fpc = try r.uint32()
            case 240: d.pic = try r.uint32()
            default: try r.skip(wireType: wireType)
            }
        }
        return d
    }
}
