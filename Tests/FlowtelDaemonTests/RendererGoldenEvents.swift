import FlowtelCore
import FlowtelTestSupport

/// The events whose rendering ``RendererEquivalenceTests`` pins: every payload kind, then the
/// corners the renderers' fast paths must spell exactly as the `String` forms did.
enum RendererGoldenEvents {
    /// Strings that exercise the escaping of each format: JSON's control characters, quote and
    /// backslash; SD-PARAM's `"`, `\` and `]`, also when a combining mark joins them into one
    /// Character (the sd-syslog form compares Characters, so such a quote stays unescaped);
    /// multi-byte UTF-8.
    static let awkward = [
        "say \"hi\"", "C:\\temp\\", "[a]b]", "line\nbreak\ttab\rcr", "\u{01}\u{1F}\u{7F}", "Zürich", "東京 🔥",
        "\"\u{301}quote", "\\\u{301}", "]\u{301}", "e\u{301}\"", "\r\n\"",
    ]

    static func event(_ payload: Payload, seq: UInt64 = 1, nanos: UInt64 = SampleEvents.baseTime.unixNanos, node: String = "fw1")
        -> Event
    {
        Event(bootID: BootID(0x00AB_CDEF_0123_4567), seq: seq, time: Timestamp(unixNanos: nanos), node: node, payload: payload)
    }

    /// A session with every field flowtel computes, on IPv6 or IPv4.
    static func session(v6: Bool, id: UInt32) -> SessionInfo {
        var s = SessionInfo()
        s.sourceAddress = v6 ? IPAddress("2001:db8:0:0:1:0:0:1")! : IPAddress("10.0.0.1")!
        s.sourcePort = 1
        s.destinationAddress = v6 ? IPAddress("1:0:0:2:0:0:0:3")! : IPAddress("255.255.255.255")!
        s.destinationPort = 65_535
        s.connectionTag = 0xFFFF_FFFF
        s.serviceName = "junos-https"
        s.natSourceAddress = v6 ? IPAddress("::")! : IPAddress("0.0.0.0")!
        s.natSourcePort = 0
        s.natDestinationAddress = v6 ? IPAddress("::ffff:10.0.0.1")! : IPAddress("192.168.100.200")!
        s.natDestinationPort = 10
        s.natConnectionTag = 0xAB
        s.srcNatRuleType = .destination
        s.dstNatRuleType = .source
        s.protocolID = v6 ? 58 : 17
        s.policyName = "p1(global)"
        s.policyIndex = 0xFFFF_FFFF
        s.sourceZoneName = "trust"
        s.destinationZoneName = "untrust"
        s.sessionID = id
        s.packetIncomingInterface = "reth0.0"
        s.egressInterface = ""
        s.fpc = 7
        s.pic = 3
        s.timeoutSeconds = 0
        return s
    }

    static func all() -> [Event] {
        var events = SampleEvents.all()

        // Nothing set at all: every placeholder, an empty node.
        events.append(event(.sessionCreate(SessionCreate(session: SessionInfo())), seq: 0, nanos: 0, node: ""))
        events.append(event(.sessionClose(SessionClose()), seq: .max, nanos: 999_999_999, node: ""))
        events.append(event(.sessionDeny(SessionDeny()), nanos: .max, node: ""))
        events.append(event(.fpcErrorCounters(FpcErrorCounters()), node: ""))
        events.append(event(.fpcStateSnapshot(FpcStateSnapshot()), node: ""))

        // Addresses at their edges, IPv6 compressions (first of two equal runs, the longer run,
        // a lone zero group left alone), every NAT rule type and close reason, extreme counters,
        // negative application risk, a leap day and single-digit days.
        for (index, reason) in CloseReason.allCases.enumerated() {
            var close = SessionClose()
            close.session = session(v6: index % 2 == 1, id: UInt32(index))
            close.session.srcNatRuleType = NatRuleType.allCases[index % 4]
            close.session.dstNatRuleType = NatRuleType.allCases[(index + 1) % 4]
            close.session.srcNatRuleName = index % 3 == 0 ? "" : "rule-\(index)"
            close.reason = reason
            close.packetsFromClient = index == 0 ? .max : UInt64(index)
            close.bytesFromClient = index == 0 ? .max : UInt64(index) * 1_000_003
            close.packetsFromServer = 0
            close.bytesFromServer = UInt64(index) << 40
            close.elapsedTime = index == 1 ? .max : UInt32(index * 9)
            close.startTime = Timestamp(unixNanos: UInt64(index) * 86_400_000_000_007)
            close.session.applicationRisk = index % 3 == 0 ? -5 : Int32(index)
            if index == 2 {
                close.peerSourceAddress = IPAddress("1:0:2:3:4:5:6:7")!
                close.peerDestinationAddress = IPAddress("fe80::1:0:0:0:1")!
            }
            // 2024-02-29, then a day a month later for each reason.
            let nanos = 1_709_164_800_000_000_000 + UInt64(index) * 2_592_000_000_000_000 + UInt64(index) * 1_000_007
            events.append(event(.sessionClose(close), seq: UInt64(100 + index), nanos: nanos))
        }
        for v6 in [false, true] {
            var create = session(v6: v6, id: 9)
            create.applicationRisk = 0
            events.append(event(.sessionCreate(SessionCreate(session: create)), nanos: 1_767_225_599_999_000_000))
            var deny = SessionDeny()
            deny.sourceAddress = create.sourceAddress
            deny.destinationAddress = create.destinationAddress
            deny.sourcePort = 65_535
            deny.connectionTag = 0x1_0000
            deny.protocolID = 1
            deny.icmpType = 255
            deny.policyName = "deny-all"
            deny.action = v6 ? .reject : .deny
            deny.sessionID = .max
            deny.applicationRisk = .min
            events.append(event(.sessionDeny(deny), nanos: 1_000_000_000))
        }

        // The awkward strings in every string field of every kind of event.
        for (index, text) in awkward.enumerated() {
            let other = awkward[(index + 1) % awkward.count]
            var s = session(v6: index % 2 == 0, id: UInt32(index))
            s.serviceName = text
            s.srcNatRuleName = other
            s.dstNatRuleName = text
            s.policyName = other
            s.sourceZoneName = text
            s.destinationZoneName = other
            s.packetIncomingInterface = text
            s.egressInterface = other
            s.username = text
            s.roles = other
            s.application = text
            s.nestedApplication = other
            s.encrypted = text
            s.applicationCategory = other
            s.applicationSubCategory = text
            s.applicationCharacteristics = other
            s.srcVrfGroup = text
            s.dstVrfGroup = other
            s.tunnelInspection = text
            s.tunnelInspectionPolicySet = other
            s.sourceTenant = text
            s.destinationService = other
            s.dstIdentityContextName = text
            s.dstIdentityContextRoles = other
            events.append(event(.sessionCreate(SessionCreate(session: s)), node: text))

            var close = SessionClose()
            close.session = s
            close.secureWebProxySessionType = text
            close.hostname = other
            close.userType = text
            close.urlHost = other
            close.urlCategory = text
            close.srcVrf = other
            close.dstVrf = text
            close.forwardedFor = other
            events.append(event(.sessionClose(close), node: other))

            var deny = SessionDeny()
            deny.serviceName = text
            deny.policyName = other
            deny.sourceZoneName = text
            deny.destinationZoneName = other
            deny.packetIncomingInterface = text
            deny.application = other
            deny.nestedApplication = text
            deny.username = other
            deny.roles = text
            deny.encrypted = other
            deny.applicationCategory = text
            deny.applicationSubCategory = other
            deny.applicationCharacteristics = text
            deny.srcVrfGroup = other
            deny.dstVrfGroup = text
            deny.sourceTenant = other
            deny.destinationService = text
            events.append(event(.sessionDeny(deny)))

            var error = FpcErrorOccurred()
            error.errorID = text
            error.module = other
            error.errorType = text
            error.description = other
            events.append(event(.fpcError(error)))

            var counters = FpcErrorCounters()
            var severity = SeverityCounters()
            severity.actions = FpcAction.allCases
            counters.severities = [severity]
            var perError = ErrorCounters()
            perError.errorID = text
            perError.module = other
            perError.errorType = text
            perError.lastOccurred = Timestamp(unixNanos: 0)
            counters.errors = [perError, ErrorCounters()]
            events.append(event(.fpcErrorCounters(counters)))

            var raised = AlarmRaised()
            raised.description = text
            raised.errorID = other
            events.append(event(.alarmRaised(raised)))
            var cleared = AlarmCleared()
            cleared.description = other
            cleared.reason = text
            events.append(event(.alarmCleared(cleared)))
            var change = FpcStateChange()
            change.reason = text
            events.append(event(.fpcStateChange(change)))
            var failover = ClusterFailover()
            failover.reason = other
            events.append(event(.clusterFailover(failover)))
            var action = FpcErrorAction()
            action.errorType = text
            action.detail = other
            events.append(event(.fpcErrorAction(action)))
            var snapshot = FpcStateSnapshot()
            snapshot.items = [StateItem(name: text, value: .min)]
            snapshot.file = other
            events.append(event(.fpcStateSnapshot(snapshot)))
            events.append(event(.gap(Gap(bootID: BootID(0), firstSeq: 3, lastSeq: 0, reason: .evicted, detail: text))))
        }
        // Lines longer than the renderers' scratch memory.
        var long = session(v6: true, id: 77)
        long.application = String(repeating: "a \"long\" [value] \\ ", count: 150)
        long.policyName = String(repeating: "p", count: 3000)
        events.append(event(.sessionCreate(SessionCreate(session: long)), node: String(repeating: "n", count: 2100)))
        events.append(event(.wedgeDetected(WedgeDetected())))
        events.append(event(.wedgeCleared(WedgeCleared())))
        events.append(event(.gap(Gap(bootID: BootID(.max), firstSeq: 1, lastSeq: .max, reason: .bootChanged))))
        return events
    }
}

extension RendererGoldenEvents {
    /// The renderings of `event` as the golden file spells them: one `format line` per format,
    /// `(none)` where the format has no form for the event.
    static func goldenLines(_ renderings: [(format: String, bytes: [UInt8]?)]) -> [String] {
        renderings.map { "\($0.format) " + ($0.bytes.map(escaped) ?? "(none)") }
    }

    /// A rendered line on one golden-file line: `\` doubled, control bytes as `\xHH`, UTF-8 kept
    /// (readable, and byte-exact once the file is read back as UTF-8).
    static func escaped(_ bytes: [UInt8]) -> String {
        var text: [UInt8] = []
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in bytes {
            if byte == UInt8(ascii: "\\") {
                text += [byte, byte]
            } else if byte < 0x20 || byte == 0x7F {
                text += [UInt8(ascii: "\\"), UInt8(ascii: "x"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            } else {
                text.append(byte)
            }
        }
        return String(decoding: text, as: UTF8.self)
    }
}
