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
            switch (field, wireType) {
            case (1, 1): bootID = try reader.fixed64()
            case (2, 0): seq = try reader.varint()
            case (3, 1): time = try reader.fixed64()
            case (4, 2): node = try reader.string()
            case (10, 2):
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
            case (11, 2):
                var sub = try reader.message()
                payload = .sessionClose(try Self.sessionClose(&sub))
                other = false
            case (12, 2):
                var sub = try reader.message()
                payload = .sessionDeny(try Self.sessionDeny(&sub))
                other = false
            case (20...42, 2):
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
            switch (field, wireType) {
            case (1, 2): s.sourceAddress = try r.address() ?? .unspecifiedV4
            case (2, 0): s.sourcePort = try r.port()
            case (3, 2): s.destinationAddress = try r.address() ?? .unspecifiedV4
            case (4, 0): s.destinationPort = try r.port()
            case (5, 0): s.connectionTag = try r.uint32()
            case (6, 2): s.serviceName = try r.string()
            case (7, 2): natSource = try r.address()
            case (8, 0): s.natSourcePort = try r.port()
            case (9, 2): natDestination = try r.address()
            case (10, 0): s.natDestinationPort = try r.port()
            case (11, 0): s.natConnectionTag = try r.uint32()
            case (12, 0): s.srcNatRuleType = NatRuleType(rawValue: Int(try r.uint32())) ?? .none
            case (13, 2): s.srcNatRuleName = try r.string()
            case (14, 0): s.dstNatRuleType = NatRuleType(rawValue: Int(try r.uint32())) ?? .none
            case (15, 2): s.dstNatRuleName = try r.string()
            case (16, 0): s.protocolID = UInt8(truncatingIfNeeded: try r.varint())
            case (17, 2): s.policyName = try r.string()
            case (18, 0): s.policyIndex = try r.uint32()
            case (19, 2): s.sourceZoneName = try r.string()
            case (20, 2): s.destinationZoneName = try r.string()
            case (21, 0): s.sessionID = try r.uint32()
            case (22, 2): s.username = try r.string()
            case (23, 2): s.roles = try r.string()
            case (24, 2): s.packetIncomingInterface = try r.string()
            case (25, 2): s.egressInterface = try r.string()
            case (26, 2): s.application = try r.string()
            case (27, 2): s.nestedApplication = try r.string()
            case (28, 2): s.encrypted = try r.string()
            case (29, 2): s.applicationCategory = try r.string()
            case (30, 2): s.applicationSubCategory = try r.string()
            case (31, 0): s.applicationRisk = Int32(truncatingIfNeeded: try r.varint())
            case (32, 2): s.applicationCharacteristics = try r.string()
            case (33, 2): s.srcVrfGroup = try r.string()
            case (34, 2): s.dstVrfGroup = try r.string()
            case (35, 2): s.tunnelInspection = try r.string()
            case (36, 2): s.tunnelInspectionPolicySet = try r.string()
            case (37, 2): s.sourceTenant = try r.string()
            case (38, 2): s.destinationService = try r.string()
            case (39, 2): s.dstIdentityContextName = try r.string()
            case (40, 2): s.dstIdentityContextRoles = try r.string()
            case (41, 0): s.fpc = try r.uint32()
            case (42, 0): s.pic = try r.uint32()
            case (43, 0): s.timeoutSeconds = try r.uint32()
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
            switch (field, wireType) {
            case (1, 2):
                var sub = try r.message()
                c.session = try sessionInfo(&sub)
                sawInfo = true
            case (2, 0): c.reason = CloseReason(rawValue: Int(try r.uint32())) ?? .unset
            case (3, 0): c.packetsFromClient = try r.varint()
            case (4, 0): c.bytesFromClient = try r.varint()
            case (5, 0): c.packetsFromServer = try r.varint()
            case (6, 0): c.bytesFromServer = try r.varint()
            case (7, 0): c.elapsedTime = try r.uint32()
            case (8, 1): c.startTime = Timestamp(unixNanos: try r.fixed64())
            case (9, 2): c.secureWebProxySessionType = try r.string()
            case (10, 0): c.peerSessionID = try r.varint()
            case (11, 2): c.peerSourceAddress = try r.address()
            case (12, 0): c.peerSourcePort = try r.port()
            case (13, 2): c.peerDestinationAddress = try r.address()
            case (14, 0): c.peerDestinationPort = try r.port()
            case (15, 2): c.hostname = try r.string()
            case (16, 0): c.sessionFlag = try r.uint32()
            case (17, 2): c.userType = try r.string()
            case (18, 2): c.urlHost = try r.string()
            case (19, 2): c.urlCategory = try r.string()
            case (20, 0): c.urlRisk = try r.uint32()
            case (21, 2): c.srcVrf = try r.string()
            case (22, 2): c.dstVrf = try r.string()
            case (23, 2): c.forwardedFor = try r.string()
            default: try r.skip(wireType: wireType)
            }
        }
        if !sawInfo { c.session = SessionInfo() }
        return c
    }

    private static func sessionDeny(_ r: inout WireReader) throws(DecodeError) -> SessionDeny {
        var d = SessionDeny()
        while let (field, wireType) = try r.tag() {
            switch (field, wireType) {
            case (1, 2): d.sourceAddress = try r.address() ?? .unspecifiedV4
            case (2, 0): d.sourcePort = try r.port()
            case (3, 2): d.destinationAddress = try r.address() ?? .unspecifiedV4
            case (4, 0): d.destinationPort = try r.port()
            case (5, 0): d.connectionTag = try r.uint32()
            case (6, 2): d.serviceName = try r.string()
            case (7, 0): d.protocolID = UInt8(truncatingIfNeeded: try r.varint())
            case (8, 0): d.icmpType = UInt8(truncatingIfNeeded: try r.varint())
            case (9, 2): d.policyName = try r.string()
            case (10, 0): d.policyIndex = try r.uint32()
            case (11, 2): d.sourceZoneName = try r.string()
            case (12, 2): d.destinationZoneName = try r.string()
            case (13, 2): d.application = try r.string()
            case (14, 2): d.nestedApplication = try r.string()
            case (15, 2): d.username = try r.string()
            case (16, 2): d.roles = try r.string()
            case (17, 2): d.packetIncomingInterface = try r.string()
            case (18, 2): d.encrypted = try r.string()
            case (19, 0): d.action = PolicyAction(rawValue: Int(try r.uint32())) ?? .deny
            case (20, 0): d.sessionID = try r.uint32()
            case (21, 2): d.applicationCategory = try r.string()
            case (22, 2): d.applicationSubCategory = try r.string()
            case (23, 0): d.applicationRisk = Int32(truncatingIfNeeded: try r.varint())
            case (24, 2): d.applicationCharacteristics = try r.string()
            case (25, 2): d.srcVrfGroup = try r.string()
            case (26, 2): d.dstVrfGroup = try r.string()
            case (27, 2): d.sourceTenant = try r.string()
            case (28, 2): d.destinationService = try r.string()
            case (29, 0): d.fpc = try r.uint32()
            case (30, 0): d.pic = try r.uint32()
            default: try r.skip(wireType: wireType)
            }
        }
        return d
    }
}
