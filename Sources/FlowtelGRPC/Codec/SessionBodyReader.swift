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
        // Batches from one stream are about the same size: the last one's count saves the
        // array's regrowth. Capped by this batch's size (a session event takes more than 32
        // bytes), so that one huge batch does not make every later one reserve as much.
        events.reserveCapacity(min(lastBatchCount, bytes.count / 32))
        let strings = self.strings
        while let key = try reader.key() {
            guard key == 10 else {  // field 1 (events), length-delimited
                try reader.skip(key: key)
                continue
            }
            let message = try reader.lengthDelimited()
            if let event = try decodeEventFast(message, strings) { events.append(event) }
        }
        lastBatchCount = events.count
        return events
    }

    private func decodeEventFast(
        _ bytes: UnsafeRawBufferPointer, _ strings: DecodeStringCache
    ) throws(DecodeError) -> Event? {
        var reader = WireReader(bytes)
        var bootID: UInt64 = 0
        var seq: UInt64 = 0
        var time: UInt64 = 0
        var node = ""
        var payload: Payload? = nil
        var other = false
        while let key = try reader.key() {
            // Cases are raw keys, field << 3 | wire type: one integer switch (a jump table),
            // not a chain of tuple comparisons. Each payload is decoded in place into a local
            // and moved into the event: no SessionInfo or SessionClose is copied on the way.
            switch key {
            case 9: bootID = try reader.fixed64()
            case 16: seq = try reader.varint()
            case 25: time = try reader.fixed64()
            case 34: node = try reader.string(.node, strings)
            case 82:
                var sub = try reader.message()
                var create = SessionCreate(session: SessionInfo())
                var sawInfo = false
                while let subKey = try sub.key() {
                    guard subKey == 10 else {
                        try sub.skip(key: subKey)
                        continue
                    }
                    let infoReader = try sub.message()
                    // A repeated session replaces the earlier one.
                    if sawInfo { create.session = SessionInfo() }
                    try Self.sessionInfo(infoReader, into: &create.session, strings)
                    sawInfo = true
                }
                payload = .sessionCreate(create)
                other = false
            case 90:
                var close = SessionClose()
                try Self.sessionClose(try reader.message(), into: &close, strings)
                payload = .sessionClose(close)
                other = false
            case 98:
                var deny = SessionDeny()
                try Self.sessionDeny(try reader.message(), into: &deny, strings)
                payload = .sessionDeny(deny)
                other = false
            case _ where key & 7 == 2 && (20...42).contains(key >> 3):
                _ = try reader.lengthDelimited()
                payload = nil
                other = true
            default:
                try reader.skip(key: key)
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

    // Each message is decoded by a loop over its core fields, the ones flowtel's own events
    // carry. The fields only a peer sends (AppID, user firewall, VRF, ...) live in an
    // extensions box; the first of them hands the rest of the message to a second loop that
    // gathers them in one value and boxes it once at the end. So flowtel's events never build,
    // copy or destroy an extensions value, and a peer's pay one box, not one per field.
    //
    // Each function takes its reader by value: a local copy stays in registers, where an inout
    // one would be stored and reloaded around every field.

    /// Decodes a SessionInfo message into `s`, which holds the defaults.
    private static func sessionInfo(
        _ reader: WireReader, into s: inout SessionInfo, _ strings: DecodeStringCache
    ) throws(DecodeError) {
        var r = reader
        var nat = NatAddresses()
        while let key = try r.key() {
            if try infoField(key, &r, &s, &nat, strings) { continue }
            if (178...322).contains(key) {
                return try sessionInfoWithExtensions(key, r, into: &s, nat, strings)
            }
            try r.skip(key: key)
        }
        nat.apply(to: &s)
    }

    @inline(never)
    private static func sessionInfoWithExtensions(
        _ first: Int, _ reader: WireReader, into s: inout SessionInfo, _ nat: NatAddresses,
        _ strings: DecodeStringCache
    ) throws(DecodeError) {
        var r = reader
        var nat = nat
        var e = SessionInfoExtensions()
        var next: Int? = first
        while let key = next {
            if try !infoField(key, &r, &s, &nat, strings) {
                try infoExtension(key, &r, &e, strings)
            }
            next = try r.key()
        }
        nat.apply(to: &s)
        // The setter keeps no box when every field is empty, as the per-field setters do.
        s.extensions = e
    }

    /// The NAT addresses as read; absent ones mean "not translated", as on the protobuf-c path.
    private struct NatAddresses {
        var source: IPAddress?
        var destination: IPAddress?

        func apply(to s: inout SessionInfo) {
            s.natSourceAddress = source ?? s.sourceAddress
            s.natDestinationAddress = destination ?? s.destinationAddress
        }
    }

    /// One core SessionInfo field; false when `key` is not one.
    @inline(__always)
    private static func infoField(
        _ key: Int, _ r: inout WireReader, _ s: inout SessionInfo, _ nat: inout NatAddresses,
        _ strings: DecodeStringCache
    ) throws(DecodeError) -> Bool {
        // Cases are raw keys, field << 3 | wire type: one integer switch (a jump table).
        switch key {
        case 10: s.sourceAddress = try r.address() ?? .unspecifiedV4
        case 16: s.sourcePort = try r.port()
        case 26: s.destinationAddress = try r.address() ?? .unspecifiedV4
        case 32: s.destinationPort = try r.port()
        case 40: s.connectionTag = try r.uint32()
        case 50: s.serviceName = try r.string(.serviceName, strings)
        case 58: nat.source = try r.address()
        case 64: s.natSourcePort = try r.port()
        case 74: nat.destination = try r.address()
        case 80: s.natDestinationPort = try r.port()
        case 88: s.natConnectionTag = try r.uint32()
        case 96: s.srcNatRuleType = NatRuleType(rawValue: Int(try r.uint32())) ?? .none
        case 106: s.srcNatRuleName = try r.string(.srcNatRuleName, strings)
        case 112: s.dstNatRuleType = NatRuleType(rawValue: Int(try r.uint32())) ?? .none
        case 122: s.dstNatRuleName = try r.string(.dstNatRuleName, strings)
        case 128: s.protocolID = UInt8(truncatingIfNeeded: try r.varint())
        case 138: s.policyName = try r.string(.policyName, strings)
        case 144: s.policyIndex = try r.uint32()
        case 154: s.sourceZoneName = try r.string(.sourceZoneName, strings)
        case 162: s.destinationZoneName = try r.string(.destinationZoneName, strings)
        case 168: s.sessionID = try r.uint32()
        case 194: s.packetIncomingInterface = try r.string(.packetIncomingInterface, strings)
        case 202: s.egressInterface = try r.string(.egressInterface, strings)
        case 328: s.fpc = try r.uint32()
        case 336: s.pic = try r.uint32()
        case 344: s.timeoutSeconds = try r.uint32()
        default: return false
        }
        return true
    }

    /// One SessionInfo extension field; anything else is skipped.
    private static func infoExtension(
        _ key: Int, _ r: inout WireReader, _ e: inout SessionInfoExtensions, _ strings: DecodeStringCache
    ) throws(DecodeError) {
        switch key {
        case 178: e.username = try r.string(.username, strings)
        case 186: e.roles = try r.string(.roles, strings)
        case 210: e.application = try r.string(.application, strings)
        case 218: e.nestedApplication = try r.string(.nestedApplication, strings)
        case 226: e.encrypted = try r.string(.encrypted, strings)
        case 234: e.applicationCategory = try r.string(.applicationCategory, strings)
        case 242: e.applicationSubCategory = try r.string(.applicationSubCategory, strings)
        case 248: e.applicationRisk = Int32(truncatingIfNeeded: try r.varint())
        case 258: e.applicationCharacteristics = try r.string(.applicationCharacteristics, strings)
        case 266: e.srcVrfGroup = try r.string(.srcVrfGroup, strings)
        case 274: e.dstVrfGroup = try r.string(.dstVrfGroup, strings)
        case 282: e.tunnelInspection = try r.string(.tunnelInspection, strings)
        case 290: e.tunnelInspectionPolicySet = try r.string(.tunnelInspectionPolicySet, strings)
        case 298: e.sourceTenant = try r.string(.sourceTenant, strings)
        case 306: e.destinationService = try r.string(.destinationService, strings)
        case 314: e.dstIdentityContextName = try r.string(.dstIdentityContextName, strings)
        case 322: e.dstIdentityContextRoles = try r.string(.dstIdentityContextRoles, strings)
        default: try r.skip(key: key)
        }
    }

    /// Decodes a SessionClose message into `c`, which holds the defaults.
    private static func sessionClose(
        _ reader: WireReader, into c: inout SessionClose, _ strings: DecodeStringCache
    ) throws(DecodeError) {
        var r = reader
        var sawSession = false
        while let key = try r.key() {
            if try closeField(key, &r, &c, &sawSession, strings) { continue }
            if (74...186).contains(key) {
                return try sessionCloseWithExtensions(key, r, into: &c, sawSession, strings)
            }
            try r.skip(key: key)
        }
    }

    @inline(never)
    private static func sessionCloseWithExtensions(
        _ first: Int, _ reader: WireReader, into c: inout SessionClose, _ sawSession: Bool,
        _ strings: DecodeStringCache
    ) throws(DecodeError) {
        var r = reader
        var sawSession = sawSession
        var e = SessionCloseExtensions()
        var next: Int? = first
        while let key = next {
            if try !closeField(key, &r, &c, &sawSession, strings) {
                try closeExtension(key, &r, &e, strings)
            }
            next = try r.key()
        }
        c.extensions = e
    }

    /// One core SessionClose field; false when `key` is not one.
    @inline(__always)
    private static func closeField(
        _ key: Int, _ r: inout WireReader, _ c: inout SessionClose, _ sawSession: inout Bool,
        _ strings: DecodeStringCache
    ) throws(DecodeError) -> Bool {
        switch key {
        case 10:
            let sub = try r.message()
            // A repeated session replaces the earlier one.
            if sawSession { c.session = SessionInfo() }
            try sessionInfo(sub, into: &c.session, strings)
            sawSession = true
        case 16: c.reason = CloseReason(rawValue: Int(try r.uint32())) ?? .unset
        case 24: c.packetsFromClient = try r.varint()
        case 32: c.bytesFromClient = try r.varint()
        case 40: c.packetsFromServer = try r.varint()
        case 48: c.bytesFromServer = try r.varint()
        case 56: c.elapsedTime = try r.uint32()
        case 65: c.startTime = Timestamp(unixNanos: try r.fixed64())
        default: return false
        }
        return true
    }

    /// One SessionClose extension field; anything else is skipped.
    private static func closeExtension(
        _ key: Int, _ r: inout WireReader, _ e: inout SessionCloseExtensions, _ strings: DecodeStringCache
    ) throws(DecodeError) {
        switch key {
        case 74: e.secureWebProxySessionType = try r.string(.secureWebProxySessionType, strings)
        case 80: e.peerSessionID = try r.varint()
        case 90: e.peerSourceAddress = try r.address()
        case 96: e.peerSourcePort = try r.port()
        case 106: e.peerDestinationAddress = try r.address()
        case 112: e.peerDestinationPort = try r.port()
        case 122: e.hostname = try r.string(.hostname, strings)
        case 128: e.sessionFlag = try r.uint32()
        case 138: e.userType = try r.string(.userType, strings)
        case 146: e.urlHost = try r.string(.urlHost, strings)
        case 154: e.urlCategory = try r.string(.urlCategory, strings)
        case 160: e.urlRisk = try r.uint32()
        case 170: e.srcVrf = try r.string(.srcVrf, strings)
        case 178: e.dstVrf = try r.string(.dstVrf, strings)
        case 186: e.forwardedFor = try r.string(.forwardedFor, strings)
        default: try r.skip(key: key)
        }
    }

    /// Decodes a SessionDeny message into `d`, which holds the defaults.
    private static func sessionDeny(
        _ reader: WireReader, into d: inout SessionDeny, _ strings: DecodeStringCache
    ) throws(DecodeError) {
        var r = reader
        while let key = try r.key() {
            if try denyField(key, &r, &d, strings) { continue }
            if (106...226).contains(key) {
                return try sessionDenyWithExtensions(key, r, into: &d, strings)
            }
            try r.skip(key: key)
        }
    }

    @inline(never)
    private static func sessionDenyWithExtensions(
        _ first: Int, _ reader: WireReader, into d: inout SessionDeny, _ strings: DecodeStringCache
    ) throws(DecodeError) {
        var r = reader
        var e = SessionDenyExtensions()
        var next: Int? = first
        while let key = next {
            if try !denyField(key, &r, &d, strings) {
                try denyExtension(key, &r, &e, strings)
            }
            next = try r.key()
        }
        d.extensions = e
    }

    /// One core SessionDeny field; false when `key` is not one.
    @inline(__always)
    private static func denyField(
        _ key: Int, _ r: inout WireReader, _ d: inout SessionDeny, _ strings: DecodeStringCache
    ) throws(DecodeError) -> Bool {
        switch key {
        case 10: d.sourceAddress = try r.address() ?? .unspecifiedV4
        case 16: d.sourcePort = try r.port()
        case 26: d.destinationAddress = try r.address() ?? .unspecifiedV4
        case 32: d.destinationPort = try r.port()
        case 40: d.connectionTag = try r.uint32()
        case 50: d.serviceName = try r.string(.serviceName, strings)
        case 56: d.protocolID = UInt8(truncatingIfNeeded: try r.varint())
        case 64: d.icmpType = UInt8(truncatingIfNeeded: try r.varint())
        case 74: d.policyName = try r.string(.policyName, strings)
        case 80: d.policyIndex = try r.uint32()
        case 90: d.sourceZoneName = try r.string(.sourceZoneName, strings)
        case 98: d.destinationZoneName = try r.string(.destinationZoneName, strings)
        case 138: d.packetIncomingInterface = try r.string(.packetIncomingInterface, strings)
        case 152: d.action = PolicyAction(rawValue: Int(try r.uint32())) ?? .deny
        case 160: d.sessionID = try r.uint32()
        case 232: d.fpc = try r.uint32()
        case 240: d.pic = try r.uint32()
        default: return false
        }
        return true
    }

    /// One SessionDeny extension field; anything else is skipped.
    private static func denyExtension(
        _ key: Int, _ r: inout WireReader, _ e: inout SessionDenyExtensions, _ strings: DecodeStringCache
    ) throws(DecodeError) {
        switch key {
        case 106: e.application = try r.string(.application, strings)
        case 114: e.nestedApplication = try r.string(.nestedApplication, strings)
        case 122: e.username = try r.string(.username, strings)
        case 130: e.roles = try r.string(.roles, strings)
        case 146: e.encrypted = try r.string(.encrypted, strings)
        case 170: e.applicationCategory = try r.string(.applicationCategory, strings)
        case 178: e.applicationSubCategory = try r.string(.applicationSubCategory, strings)
        case 184: e.applicationRisk = Int32(truncatingIfNeeded: try r.varint())
        case 194: e.applicationCharacteristics = try r.string(.applicationCharacteristics, strings)
        case 202: e.srcVrfGroup = try r.string(.srcVrfGroup, strings)
        case 210: e.dstVrfGroup = try r.string(.dstVrfGroup, strings)
        case 218: e.sourceTenant = try r.string(.sourceTenant, strings)
        case 226: e.destinationService = try r.string(.destinationService, strings)
        default: try r.skip(key: key)
        }
    }
}
