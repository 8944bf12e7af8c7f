import FlowtelCore
import FlowtelSubscriber
import Testing

/// RT_FLOW as RFC 5424 structured syslog, key for key as an SRX writes it.
@Suite("RT_FLOW sd-syslog")
struct SyslogRendererTests {
    static func session() -> SessionInfo {
        var s = SessionInfo()
        s.sourceAddress = IPAddress("10.0.102.15")!
        s.sourcePort = 51157
        s.destinationAddress = IPAddress("10.1.1.10")!
        s.destinationPort = 22
        s.serviceName = "junos-ssh"
        s.natSourceAddress = IPAddress("203.0.113.2")!
        s.natSourcePort = 51157
        s.natDestinationAddress = IPAddress("10.1.1.10")!
        s.natDestinationPort = 22
        s.srcNatRuleType = .source
        s.srcNatRuleName = "all"
        s.protocolID = 6
        s.policyName = "permit-g1"
        s.sourceZoneName = "trust"
        s.destinationZoneName = "untrust"
        s.sessionID = 58912
        s.packetIncomingInterface = "ge-0/0/1.0"
        return s
    }

    static let time = Timestamp(unixNanos: 1_767_225_600_123_000_000)

    /// The PARAM-NAMEs of the SD element, in order: each word before `="` (values here hold no
    /// `="`, so scanning for it is enough).
    static func keys(_ line: String) -> [String] {
        var keys: [String] = []
        var rest = Substring(line)
        while let marker = rest.range(of: "=\"") {
            let before = rest[..<marker.lowerBound]
            if let space = before.lastIndex(of: " ") { keys.append(String(before[before.index(after: space)...])) }
            // Skip the value: up to the next unescaped quote.
            var index = marker.upperBound
            while index < rest.endIndex, rest[index] != "\"" {
                if rest[index] == "\\" { index = rest.index(after: index) }
                index = rest.index(after: index)
            }
            rest = rest[rest.index(after: index)...]
        }
        return keys
    }

    @Test("a close record: header, SD-ID with the model, reason first, counters after the session id")
    func close() throws {
        var close = SessionClose()
        close.session = Self.session()
        close.reason = .tcpClientRst
        close.packetsFromClient = 12
        close.bytesFromClient = 2125
        close.packetsFromServer = 12
        close.bytesFromServer = 2288
        close.elapsedTime = 178
        let event = Event(bootID: BootID(1), seq: 1, time: Self.time, node: "fw1", payload: .sessionClose(close))
        let line = String(decoding: try #require(SyslogRenderer(model: 142).render(event)), as: UTF8.self)
        #expect(
            line == #"<14>1 2026-01-01T00:00:00.123Z fw1 RT_FLOW - RT_FLOW_SESSION_CLOSE [junos@2636.1.1.1.2.142 "#
                + #"reason="TCP CLIENT RST" source-address="10.0.102.15" source-port="51157" destination-address="10.1.1.10" "#
                + #"destination-port="22" connection-tag="0" service-name="junos-ssh" nat-source-address="203.0.113.2" "#
                + #"nat-source-port="51157" nat-destination-address="10.1.1.10" nat-destination-port="22" nat-connection-tag="0" "#
                + #"src-nat-rule-type="source rule" src-nat-rule-name="all" dst-nat-rule-type="N/A" dst-nat-rule-name="N/A" "#
                + #"protocol-id="6" policy-name="permit-g1" source-zone-name="trust" destination-zone-name="untrust" "#
                + #"session-id-32="58912" packets-from-client="12" bytes-from-client="2125" packets-from-server="12" "#
                + #"bytes-from-server="2288" elapsed-time="178" application="UNKNOWN" nested-application="UNKNOWN" "#
                + #"username="N/A" roles="N/A" packet-incoming-interface="ge-0/0/1.0" encrypted="No" application-category="N/A" "#
                + #"application-sub-category="N/A" application-risk="-1" application-characteristics="N/A"]"#)
    }

    @Test("create and deny records carry their keys in the SRX's order")
    func order() throws {
        let create = Event(
            bootID: BootID(1), seq: 1, time: Self.time, node: "fw1", payload: .sessionCreate(SessionCreate(session: Self.session())))
        let createLine = String(decoding: try #require(SyslogRenderer().render(create)), as: UTF8.self)
        #expect(createLine.hasPrefix("<14>1 2026-01-01T00:00:00.123Z fw1 RT_FLOW - RT_FLOW_SESSION_CREATE [junos@2636.1.1.1.2.129 "))
        #expect(
            Self.keys(createLine)
                == """
                source-address source-port destination-address destination-port connection-tag service-name \
                nat-source-address nat-source-port nat-destination-address nat-destination-port nat-connection-tag \
                src-nat-rule-type src-nat-rule-name dst-nat-rule-type dst-nat-rule-name protocol-id policy-name \
                source-zone-name destination-zone-name session-id-32 username roles packet-incoming-interface \
                application nested-application encrypted application-category application-sub-category \
                application-risk application-characteristics
                """.split(separator: " ").map(String.init))
        var deny = SessionDeny()
        deny.sourceAddress = IPAddress("192.168.1.11")!
        deny.destinationAddress = IPAddress("192.168.1.12")!
        deny.policyName = "POLICY_DENY_all"
        deny.action = .reject
        let denyLine = String(
            decoding: try #require(SyslogRenderer().render(Event(bootID: BootID(1), seq: 2, time: Self.time, node: "fw1", payload: .sessionDeny(deny)))),
            as: UTF8.self)
        #expect(denyLine.contains(" RT_FLOW_SESSION_DENY ") && denyLine.contains(#"reason="Rejected by policy""#))
        #expect(
            Self.keys(denyLine)
                == """
                source-address source-port destination-address destination-port connection-tag service-name protocol-id \
                icmp-type policy-name source-zone-name destination-zone-name application nested-application username roles \
                packet-incoming-interface encrypted reason session-id-32 application-category \
                application-sub-category application-risk application-characteristics
                """.split(separator: " ").map(String.init))
    }

    @Test("a DENY with an SRX320's inputs reads like that SRX's own line")
    func denyLikeTheDevice() throws {
        // The inputs of an RT_FLOW_SESSION_DENY logged by an SRX320 (model 134) in 2019.
        var deny = SessionDeny()
        deny.sourceAddress = IPAddress("10.0.0.26")!
        deny.sourcePort = 37233
        deny.destinationAddress = IPAddress("10.128.0.1")!
        deny.destinationPort = 161
        deny.protocolID = 17
        deny.policyName = "MgmtAccess-trust-cleanup"
        deny.sourceZoneName = "trust"
        deny.destinationZoneName = "junos-host"
        deny.packetIncomingInterface = ".local..0"
        deny.sessionID = 7087
        deny.applicationRisk = 1
        let event = Event(
            bootID: BootID(1), seq: 1, time: Timestamp(unixNanos: 1_573_726_366_573_000_000), node: "SRX-GW1",
            payload: .sessionDeny(deny))
        let line = String(decoding: try #require(SyslogRenderer(model: 134).render(event)), as: UTF8.self)
        #expect(
            line == #"<14>1 2019-11-14T10:12:46.573Z SRX-GW1 RT_FLOW - RT_FLOW_SESSION_DENY [junos@2636.1.1.1.2.134 "#
                + #"source-address="10.0.0.26" source-port="37233" destination-address="10.128.0.1" destination-port="161" "#
                + #"connection-tag="0" service-name="None" protocol-id="17" icmp-type="0" policy-name="MgmtAccess-trust-cleanup" "#
                + #"source-zone-name="trust" destination-zone-name="junos-host" application="UNKNOWN" nested-application="UNKNOWN" "#
                + #"username="N/A" roles="N/A" packet-incoming-interface=".local..0" encrypted="No" reason="Denied by policy" "#
                + #"session-id-32="7087" application-category="N/A" application-sub-category="N/A" application-risk="1" "#
                + #"application-characteristics="N/A"]"#)
    }

    @Test("values are escaped as RFC 5424 asks; other events have no RT_FLOW form")
    func escapingAndOthers() throws {
        var session = Self.session()
        session.policyName = #"a"b]c\d"#
        let line = String(
            decoding: try #require(SyslogRenderer().render(
                Event(bootID: BootID(1), seq: 1, time: Self.time, node: "fw1", payload: .sessionCreate(SessionCreate(session: session))))),
            as: UTF8.self)
        #expect(line.contains(#"policy-name="a\"b\]c\\d""#))
        #expect(SyslogRenderer().render(Event(bootID: BootID(1), seq: 1, time: Self.time, node: "fw1", payload: .heartbeat(Heartbeat(bootID: BootID(1), headSeq: 1)))) == nil)
    }
}
