import FlowtelCore
import FlowtelSubscriber
import Foundation
import PacketIO
import Testing

/// RT_FLOW as plain-text syslog (`format syslog`) and as the lines of the device's log file.
///
/// The expected lines are written here by hand from the inputs of real SRX log lines: the values
/// and their order are the device's, the layout is that of the connection-tag releases (every
/// record ends at `application-characteristics`, like flowtel's sd-syslog records).
@Suite("RT_FLOW plain syslog and Junos text")
struct PlainSyslogRendererTests {
    static func line(_ bytes: [UInt8]?) throws -> String {
        String(decoding: try #require(bytes), as: UTF8.self)
    }

    static func event(_ payload: Payload, at seconds: UInt64, node: String = "fw1", millis: UInt64 = 0) -> Event {
        Event(
            bootID: BootID(1), seq: 1, time: Timestamp(unixNanos: seconds * 1_000_000_000 + millis * 1_000_000), node: node,
            payload: payload)
    }

    static func session(
        _ source: String, _ sourcePort: UInt16, _ destination: String, _ destinationPort: UInt16, protocolID: UInt8
    ) -> SessionInfo {
        var s = SessionInfo()
        s.sourceAddress = IPAddress(source)!
        s.sourcePort = sourcePort
        s.destinationAddress = IPAddress(destination)!
        s.destinationPort = destinationPort
        s.natSourceAddress = s.sourceAddress
        s.natSourcePort = sourcePort
        s.natDestinationAddress = s.destinationAddress
        s.natDestinationPort = destinationPort
        s.protocolID = protocolID
        return s
    }

    /// The inputs of an SRX1500's CREATE (2026-06-17 16:49:31 UTC): no application, no NAT.
    static func srx1500Create() -> SessionInfo {
        var s = session("10.1.37.45", 41013, "180.225.82.115", 3306, protocolID: 6)
        s.policyName = "1"
        s.sourceZoneName = "V40"
        s.destinationZoneName = "V30"
        s.sessionID = 1_047_299
        s.packetIncomingInterface = "reth2.0"
        return s
    }

    // MARK: - syslog (RFC 3164, with PRI)

    @Test("CREATE without NAT: an SRX1500's line, up to application-characteristics")
    func createWithoutNAT() throws {
        let line = try Self.line(
            PlainSyslogRenderer().render(
                Self.event(.sessionCreate(SessionCreate(session: Self.srx1500Create())), at: 1_781_714_971, node: "TA-FW_SRX1500")))
        // The device's line goes on with " N/A N/A Off root" (src-vrf-grp ... of newer releases).
        #expect(
            line
                == "<14>Jun 17 16:49:31 TA-FW_SRX1500 RT_FLOW: RT_FLOW_SESSION_CREATE: session created "
                + "10.1.37.45/41013->180.225.82.115/3306 0x0 None 10.1.37.45/41013->180.225.82.115/3306 0x0 "
                + "N/A N/A N/A N/A 6 1 V40 V30 1047299 N/A(N/A) reth2.0 UNKNOWN UNKNOWN UNKNOWN N/A N/A -1 N/A")
    }

    @Test("CLOSE without NAT: an SRX1500's TCP FIN line, counters as packets(bytes)")
    func closeWithoutNAT() throws {
        var close = SessionClose()
        close.session = Self.session("122.35.0.54", 59287, "10.1.2.200", 3306, protocolID: 6)
        close.session.policyName = "1"
        close.session.sourceZoneName = "V40"
        close.session.destinationZoneName = "Untrust"
        close.session.sessionID = 1_714_411
        close.session.packetIncomingInterface = "reth2.0"
        close.session.encrypted = "UNKNOWN"
        close.reason = .tcpFin
        close.packetsFromClient = 10
        close.bytesFromClient = 550
        close.packetsFromServer = 9
        close.bytesFromServer = 709
        close.elapsedTime = 1
        let line = try Self.line(PlainSyslogRenderer().render(Self.event(.sessionClose(close), at: 1_781_629_262, node: "TA-FW_SRX1500")))
        // The device's line goes on with " NA 0 0.0.0.0/0->0.0.0.0/0 NA NA N/A N/A Off root".
        #expect(
            line
                == "<14>Jun 16 17:01:02 TA-FW_SRX1500 RT_FLOW: RT_FLOW_SESSION_CLOSE: session closed TCP FIN: "
                + "122.35.0.54/59287->10.1.2.200/3306 0x0 None 122.35.0.54/59287->10.1.2.200/3306 0x0 N/A N/A N/A N/A "
                + "6 1 V40 Untrust 1714411 10(550) 9(709) 1 UNKNOWN UNKNOWN N/A(N/A) reth2.0 UNKNOWN N/A N/A -1 N/A")
    }

    @Test("CREATE with a static rule: the rule type is two words before the rule name")
    func createWithStaticNAT() throws {
        // A CREATE through a static destination NAT rule (SMTP), as SIEM fixtures show it.
        var s = Self.session("1.2.3.4", 46087, "5.6.7.8", 25, protocolID: 6)
        s.serviceName = "junos-smtp"
        s.dstNatRuleType = .static
        s.dstNatRuleName = "FML03P_SMTP03"
        s.policyName = "Internet_to_AAAA_FO_002"
        s.sourceZoneName = "Internet"
        s.destinationZoneName = "AAAA_FO"
        // The device's 64-bit id (158913894867) does not fit session-id-32.
        s.sessionID = 158_913_894
        s.packetIncomingInterface = "reth2.1010"
        let line = try Self.line(PlainSyslogRenderer().render(Self.event(.sessionCreate(SessionCreate(session: s)), at: 1_797_494_730)))
        #expect(
            line
                == "<14>Dec 17 08:05:30 fw1 RT_FLOW: RT_FLOW_SESSION_CREATE: session created "
                + "1.2.3.4/46087->5.6.7.8/25 0x0 junos-smtp 1.2.3.4/46087->5.6.7.8/25 0x0 N/A N/A static rule FML03P_SMTP03 "
                + "6 Internet_to_AAAA_FO_002 Internet AAAA_FO 158913894 N/A(N/A) reth2.1010 UNKNOWN UNKNOWN UNKNOWN N/A N/A -1 N/A")
    }

    @Test("CLOSE with source and destination NAT, connection tags in hex, user identity and AppID")
    func closeWithNAT() throws {
        var close = SessionClose()
        var s = Self.session("10.164.110.223", 9057, "10.104.12.161", 21, protocolID: 6)
        s.connectionTag = 0x1A2B
        s.serviceName = "junos-ftp"
        s.natSourceAddress = IPAddress("10.9.1.150")!
        s.natSourcePort = 58020
        s.natDestinationAddress = IPAddress("10.12.70.1")!
        s.natConnectionTag = 255
        s.srcNatRuleType = .source
        s.srcNatRuleName = "SNAT-Policy5"
        s.dstNatRuleType = .destination
        s.dstNatRuleName = "NAT-Policy10"
        s.policyName = "FW-FTP"
        s.sourceZoneName = "trust"
        s.destinationZoneName = "untrust"
        s.sessionID = 24311
        s.username = #"t2.local\user01"#
        s.roles = "t2g1"
        s.packetIncomingInterface = "st0.102"
        s.application = "FTP"
        s.applicationCategory = "Remote-Access"
        s.applicationSubCategory = "File-Sharing"
        s.applicationRisk = 4
        s.applicationCharacteristics = "Supports File Transfer;Known Vulnerabilities;"
        close.session = s
        close.reason = .applicationFailure
        close.packetsFromClient = 0
        close.bytesFromClient = 0
        close.packetsFromServer = 3
        close.bytesFromServer = 168
        close.elapsedTime = 12
        let line = try Self.line(PlainSyslogRenderer().render(Self.event(.sessionClose(close), at: 1_778_208_721, node: "VPNBox-A")))
        #expect(
            line
                == "<14>May  8 02:52:01 VPNBox-A RT_FLOW: RT_FLOW_SESSION_CLOSE: session closed application failure or action: "
                + "10.164.110.223/9057->10.104.12.161/21 0x1a2b junos-ftp 10.9.1.150/58020->10.12.70.1/21 0xff "
                + "source rule SNAT-Policy5 destination rule NAT-Policy10 6 FW-FTP trust untrust 24311 0(0) 3(168) 12 "
                + #"FTP UNKNOWN t2.local\user01(t2g1) st0.102 No Remote-Access File-Sharing 4 "#
                + "Supports File Transfer;Known Vulnerabilities;")
    }

    @Test("DENY by a global policy: the policy keeps its (global) suffix, the verdict reads 'policy deny'")
    func denyGlobal() throws {
        var deny = SessionDeny()
        deny.sourceAddress = IPAddress("10.0.0.1")!
        deny.sourcePort = 54924
        deny.destinationAddress = IPAddress("192.168.1.1")!
        deny.destinationPort = 53
        deny.serviceName = "junos-dns-udp"
        deny.protocolID = 17
        deny.policyName = "default-deny(global)"
        deny.sourceZoneName = "trust"
        deny.destinationZoneName = "trust"
        deny.packetIncomingInterface = "ge-0/0/0.0"
        deny.encrypted = "UNKNOWN"
        deny.sessionID = 9021
        let line = try Self.line(PlainSyslogRenderer().render(Self.event(.sessionDeny(deny), at: 1_790_725_760, node: "SRX-1")))
        #expect(
            line
                == "<14>Sep 29 23:49:20 SRX-1 RT_FLOW: RT_FLOW_SESSION_DENY: session denied "
                + "10.0.0.1/54924->192.168.1.1/53 0x0 junos-dns-udp 17(0) default-deny(global) trust trust "
                + "UNKNOWN UNKNOWN N/A(N/A) ge-0/0/0.0 UNKNOWN policy deny 9021 N/A N/A -1 N/A")
        deny.action = .reject
        let rejected = try Self.line(PlainSyslogRenderer().render(Self.event(.sessionDeny(deny), at: 1_790_725_760, node: "SRX-1")))
        #expect(rejected.contains(" ge-0/0/0.0 UNKNOWN policy reject 9021 "))
    }

    @Test("DENY of an ICMP error: protocol and ICMP type as 1(3)")
    func denyICMP() throws {
        var deny = SessionDeny()
        deny.sourceAddress = IPAddress("88.198.106.22")!
        deny.destinationAddress = IPAddress("67.52.223.15")!
        deny.serviceName = "ICMP"
        deny.protocolID = 1
        deny.icmpType = 3
        deny.policyName = "unknown"
        deny.sourceZoneName = "untrust"
        deny.destinationZoneName = "unknown"
        deny.application = "ICMP"
        deny.nestedApplication = "ICMP"
        deny.username = "unknown"
        deny.roles = "unknown"
        deny.packetIncomingInterface = "ge-0/0/7.0"
        let line = try Self.line(PlainSyslogRenderer().render(Self.event(.sessionDeny(deny), at: 1_793_732_810, node: "SRX220RGA")))
        #expect(
            line
                == "<14>Nov  3 19:06:50 SRX220RGA RT_FLOW: RT_FLOW_SESSION_DENY: session denied "
                + "88.198.106.22/0->67.52.223.15/0 0x0 ICMP 1(3) unknown untrust unknown ICMP ICMP unknown(unknown) "
                + "ge-0/0/7.0 No policy deny 0 N/A N/A -1 N/A")
    }

    @Test("IPv6 addresses are printed bare, port after a slash")
    func ipv6() throws {
        var s = Self.session("2001:db8:1::10", 50000, "2001:db8:2:0:0:0:0:20", 443, protocolID: 6)
        s.serviceName = "junos-https"
        s.natSourceAddress = IPAddress("2001:db8:ffff::1")!
        s.natSourcePort = 50001
        s.srcNatRuleType = .source
        s.srcNatRuleName = "v6-out"
        s.policyName = "v6-web"
        s.sourceZoneName = "inside"
        s.destinationZoneName = "dmz"
        s.sessionID = 77
        s.packetIncomingInterface = "reth1.10"
        let line = try Self.line(PlainSyslogRenderer().render(Self.event(.sessionCreate(SessionCreate(session: s)), at: 1_796_601_600)))
        #expect(
            line
                == "<14>Dec  7 00:00:00 fw1 RT_FLOW: RT_FLOW_SESSION_CREATE: session created "
                + "2001:db8:1::10/50000->2001:db8:2::20/443 0x0 junos-https 2001:db8:ffff::1/50001->2001:db8:2::20/443 0x0 "
                + "source rule v6-out N/A N/A 6 v6-web inside dmz 77 N/A(N/A) reth1.10 UNKNOWN UNKNOWN UNKNOWN N/A N/A -1 N/A")
    }

    static let closeReasons: [(CloseReason, String)] = [
        (.tcpFin, "TCP FIN"), (.tcpRst, "TCP RST"), (.tcpClientRst, "TCP CLIENT RST"), (.tcpServerRst, "TCP SERVER RST"),
        (.responseReceived, "response received"), (.icmpError, "ICMP error"), (.idleTimeout, "idle Timeout"),
        (.unset, "unset"), (.applicationFailure, "application failure or action"), (.closedByALG, "Closed by junos-alg"),
        (.cli, "CLI"), (.policyDelete, "policy delete"), (.agedOut, "aged out"),
        (.interfaceChange, "interface address change"), (.fpcReset, "FPC reset"), (.fpcOffline, "FPC offline"),
        (.sessionTableFull, "session table full"),
    ]

    @Test("every close reason sits between 'session closed ' and ':', as the sd-syslog reason", arguments: closeReasons)
    func closeReason(reason: CloseReason, text: String) throws {
        var close = SessionClose()
        close.session = Self.session("10.0.0.5", 51000, "192.0.2.80", 443, protocolID: 6)
        close.reason = reason
        let event = Self.event(.sessionClose(close), at: 1_767_225_600)
        let plain = try Self.line(PlainSyslogRenderer().render(event))
        #expect(plain.hasPrefix("<14>Jan  1 00:00:00 fw1 RT_FLOW: RT_FLOW_SESSION_CLOSE: session closed \(text): 10.0.0.5/51000->"))
        #expect(try Self.line(SyslogRenderer().render(event)).contains(#"[junos@2636.1.1.1.2.129 reason="\#(text)" source-address="#))
    }

    @Test("every close reason is covered")
    func closeReasonsCovered() {
        #expect(Set(Self.closeReasons.map(\.0.rawValue)) == Set(CloseReason.allCases.map(\.rawValue)))
    }

    @Test(
        "the time is RFC 3164's Mmm dd HH:MM:SS in UTC, the day padded with a space, milliseconds dropped",
        arguments: [
            (UInt64(1_796_601_600), UInt64(999), "Dec  7 00:00:00"),
            (1_767_225_600, 0, "Jan  1 00:00:00"),
            (1_835_438_400, 500, "Feb 29 12:00:00"),
            (1_798_761_599, 999, "Dec 31 23:59:59"),
            (1_790_725_760, 0, "Sep 29 23:49:20"),
            (1_778_208_721, 0, "May  8 02:52:01"),
        ])
    func time(seconds: UInt64, millis: UInt64, text: String) throws {
        var deny = SessionDeny()
        deny.protocolID = 6
        let event = Self.event(.sessionDeny(deny), at: seconds, millis: millis)
        #expect(try Self.line(PlainSyslogRenderer().render(event)).hasPrefix("<14>\(text) fw1 RT_FLOW: "))
        #expect(String(decoding: TextRenderer().render(event), as: UTF8.self).hasPrefix("\(text) fw1 RT_FLOW: "))
    }

    @Test("a record's values reach the plain form verbatim, a trailing space in 'No ' included")
    func valuesVerbatim() throws {
        var deny = SessionDeny()
        deny.protocolID = 6
        deny.packetIncomingInterface = "reth6.0"
        // Older releases print encrypted as "No " (with a space); a peer relaying one keeps it.
        deny.encrypted = "No "
        let line = try Self.line(PlainSyslogRenderer().render(Self.event(.sessionDeny(deny), at: 1_767_225_600)))
        #expect(line.contains(" N/A(N/A) reth6.0 No  policy deny 0 "))
    }

    @Test("an event with no node has no HOSTNAME; other events have no plain RT_FLOW form")
    func noHostAndOthers() throws {
        var deny = SessionDeny()
        deny.protocolID = 6
        let line = try Self.line(PlainSyslogRenderer().render(Self.event(.sessionDeny(deny), at: 1_767_225_600, node: "")))
        #expect(line.hasPrefix("<14>Jan  1 00:00:00 RT_FLOW: RT_FLOW_SESSION_DENY: session denied 0.0.0.0/0->0.0.0.0/0 0x0 None 6(0) "))
        #expect(PlainSyslogRenderer().render(Self.event(.heartbeat(Heartbeat(bootID: BootID(1), headSeq: 1)), at: 0)) == nil)
        #expect(PlainSyslogRenderer().render(Self.event(.alarmRaised(AlarmRaised()), at: 0)) == nil)
    }

    // MARK: - The three forms carry the same values

    /// A CLOSE with every field flowtel fills and several it does not.
    static func richClose() -> Event {
        var close = SessionClose()
        var s = Self.session("10.0.102.15", 51157, "10.1.1.10", 22, protocolID: 6)
        s.connectionTag = 7
        s.serviceName = "junos-ssh"
        s.natSourceAddress = IPAddress("203.0.113.2")!
        s.natSourcePort = 20011
        s.srcNatRuleType = .source
        s.srcNatRuleName = "all"
        s.policyName = "permit-g1"
        s.sourceZoneName = "t2-vpn"
        s.destinationZoneName = "t2-vrf"
        s.sessionID = 58912
        s.packetIncomingInterface = "st0.102"
        s.application = "SSH"
        s.applicationRisk = 4
        close.session = s
        close.reason = .tcpClientRst
        close.packetsFromClient = 12
        close.bytesFromClient = 2125
        close.packetsFromServer = 12
        close.bytesFromServer = 2288
        close.elapsedTime = 178
        return Self.event(.sessionClose(close), at: 1_796_601_600, millis: 68)
    }

    /// `key="value"` pairs of an sd-syslog line, in order.
    static func sdPairs(_ line: String) -> [(String, String)] {
        let body = line[line.range(of: "[junos@")!.upperBound...].dropLast()
        var pairs: [(String, String)] = []
        for match in body.split(separator: "\" ") {
            let parts = match.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let key = parts[0].split(separator: " ").last.map(String.init) ?? ""
            pairs.append((key, parts[1].replacingOccurrences(of: "\"", with: "")))
        }
        return pairs
    }

    @Test("syslog and text differ only by the PRI; JSON has every sd-syslog key with the same value, numbers as numbers")
    func sameValues() throws {
        let event = Self.richClose()
        let sd = try Self.line(SyslogRenderer().render(event))
        let plain = try Self.line(PlainSyslogRenderer().render(event))
        let text = String(decoding: TextRenderer().render(event), as: UTF8.self)
        #expect("<14>" + text == plain)
        #expect(
            text
                == "Dec  7 00:00:00 fw1 RT_FLOW: RT_FLOW_SESSION_CLOSE: session closed TCP CLIENT RST: "
                + "10.0.102.15/51157->10.1.1.10/22 0x7 junos-ssh 203.0.113.2/20011->10.1.1.10/22 0x0 source rule all N/A N/A "
                + "6 permit-g1 t2-vpn t2-vrf 58912 12(2125) 12(2288) 178 SSH UNKNOWN N/A(N/A) st0.102 No N/A N/A 4 N/A")

        let jsonText = String(decoding: JSONRenderer().render(event), as: UTF8.self)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(jsonText.utf8)) as? [String: Any])
        #expect(json["event"] as? String == "RT_FLOW_SESSION_CLOSE")
        #expect(json["time"] as? String == "2026-12-07T00:00:00.068Z")
        let pairs = Self.sdPairs(sd)
        #expect(pairs.count == 36)
        let numeric: Set<String> = [
            "source-port", "destination-port", "connection-tag", "nat-source-port", "nat-destination-port",
            "nat-connection-tag", "protocol-id", "session-id-32", "packets-from-client", "bytes-from-client",
            "packets-from-server", "bytes-from-server", "elapsed-time", "application-risk",
        ]
        for (key, value) in pairs {
            if numeric.contains(key) {
                // Unquoted in the text, so a JSON number.
                #expect(jsonText.contains("\"\(key)\":\(value),"), "\(key)")
                #expect((json[key] as? NSNumber)?.stringValue == value, "\(key)")
            } else {
                #expect(json[key] as? String == value, "\(key)")
            }
        }
    }

    @Test("JSON: the MSGID for session events, numbers unquoted (-1 risk), the newest keys, flowtel's extras")
    func json() throws {
        var deny = SessionDeny()
        deny.sourceAddress = IPAddress("192.168.1.11")!
        deny.sourcePort = 62224
        deny.destinationAddress = IPAddress("192.168.1.12")!
        deny.destinationPort = 443
        deny.serviceName = "junos-https"
        deny.protocolID = 6
        deny.policyName = "POLICY_DENY_all"
        deny.policyIndex = 9
        deny.sessionID = 4_000_000_001
        let text = String(decoding: JSONRenderer().render(Self.event(.sessionDeny(deny), at: 1_767_225_600)), as: UTF8.self)
        #expect(text.hasPrefix(#"{"node":"fw1","boot-id":"0000000000000001","seq":1,"time":"2026-01-01T00:00:00.000Z","event":"RT_FLOW_SESSION_DENY","#))
        #expect(text.contains(#""source-port":62224,"#))
        #expect(text.contains(#""protocol-id":6,"icmp-type":0,"policy-name":"POLICY_DENY_all","#))
        #expect(text.contains(#""reason":"Denied by policy","session-id-32":4000000001,"#))
        #expect(text.contains(#""application-risk":-1,"application-characteristics":"N/A","src-vrf-grp":"N/A","#))
        #expect(text.hasSuffix(#""destination-service":"N/A","policy-index":9,"fpc":0,"pic":0}"#))

        let create = String(
            decoding: JSONRenderer().render(Self.event(.sessionCreate(SessionCreate(session: Self.srx1500Create())), at: 0)),
            as: UTF8.self)
        #expect(create.contains(#""event":"RT_FLOW_SESSION_CREATE","source-address":"10.1.37.45","source-port":41013,"#))
        #expect(create.contains(#""tunnel-inspection":"Off","tunnel-inspection-policy-set":"root","#))

        let close = String(decoding: JSONRenderer().render(Self.richClose()), as: UTF8.self)
        #expect(close.contains(#""event":"RT_FLOW_SESSION_CLOSE","reason":"TCP CLIENT RST","#))
        #expect(close.contains(#""peer-session-id":0,"peer-source-address":"0.0.0.0","peer-source-port":0,"#))
        #expect(close.contains(#""hostname":"NA NA","#) && close.contains(#""url-risk":0,"#))

        // Other events keep their payload names.
        let heartbeat = String(
            decoding: JSONRenderer().render(Self.event(.heartbeat(Heartbeat(bootID: BootID(1), headSeq: 42)), at: 0)),
            as: UTF8.self)
        #expect(heartbeat.hasSuffix(#""event":"heartbeat","head-seq":42}"#))
    }

    // MARK: - text for the other events

    static var otherEvents: [(Payload, String)] {
        var fpcError = FpcErrorOccurred()
        fpcError.slot = 1
        fpcError.errorID = "XM_0001"
        fpcError.module = "XM"
        fpcError.severity = .major
        fpcError.errorType = "parity"
        fpcError.count = 1
        fpcError.severityTotal = 3
        fpcError.description = "XM chip parity error"
        var counters = FpcErrorCounters()
        counters.slot = 1
        var minor = SeverityCounters()
        minor.occurred = 12
        minor.cleared = 2
        minor.threshold = 10
        var major = SeverityCounters()
        major.severity = .major
        major.occurred = 1
        major.threshold = 1
        counters.severities = [minor, major]
        counters.errors = [ErrorCounters()]
        var raised = AlarmRaised()
        raised.alarmID = 3
        raised.alarmClass = .major
        raised.description = "FPC 1 Major Errors"
        raised.slot = 1
        raised.errorID = "XM_0001"
        var cleared = AlarmCleared()
        cleared.alarmID = 3
        cleared.alarmClass = .major
        cleared.description = "FPC 1 Major Errors"
        cleared.slot = 1
        cleared.reason = "FPC reset"
        var wedge = WedgeDetected()
        wedge.slot = 2
        wedge.pic = 1
        wedge.stage = .hostLoopback
        wedge.stalledMillis = 5000
        wedge.pending = 12
        wedge.irreversible = true
        var unwedged = WedgeCleared()
        unwedged.slot = 2
        unwedged.stage = .xm
        unwedged.durationMillis = 1200
        var state = FpcStateChange()
        state.slot = 1
        state.previousState = .online
        state.state = .offline
        state.reason = "error action offline"
        var failover = ClusterFailover()
        failover.previousPrimary = 0
        failover.newPrimary = 1
        failover.reason = "FPC 1 fatal error"
        failover.failoverCount = 1
        var action = FpcErrorAction()
        action.slot = 1
        action.severity = .fatal
        action.threshold = 1
        action.count = 1
        action.action = .reset
        action.detail = "FPC 1 restarting"
        var snapshot = FpcStateSnapshot()
        snapshot.slot = 1
        snapshot.items = [StateItem(name: "sessions", value: 10), StateItem(name: "queue", value: 0)]
        snapshot.file = "/var/tmp/fpc1.state"
        let boot = BootID(0x00AB_CDEF_0123_4567)
        return [
            (.fpcError(fpcError),
             "chassisd: FPC 1 PIC 0: major error XM_0001 (module XM, type parity): XM chip parity error; count 1, major total 3"),
            (.fpcErrorCounters(counters),
             "chassisd: FPC 1 (SPC2) error counters: minor 12 occurred, 2 cleared, threshold 10; "
                + "major 1 occurred, 0 cleared, threshold 1; 1 error id"),
            (.alarmRaised(raised), "alarmd: Alarm set: Major alarm 3 on FPC 1: FPC 1 Major Errors (error XM_0001)"),
            (.alarmCleared(cleared), "alarmd: Alarm cleared: Major alarm 3 on FPC 1: FPC 1 Major Errors (FPC reset)"),
            (.wedgeDetected(wedge),
             "fpc2 Wedge-Detect : Host Loopback Wedge Detected on PIC 1: stalled 5000 ms, 12 pending, irreversible"),
            (.wedgeCleared(unwedged), "fpc2 Wedge-Detect : XM Wedge Cleared on PIC 0 after 1200 ms"),
            (.fpcStateChange(state), "chassisd: FPC 1 (SPC2) Online -> Offline: error action offline"),
            (.clusterFailover(failover),
             "jsrpd: redundancy-group 1 failover from node0 to node1 (failover count 1): FPC 1 fatal error"),
            (.fpcErrorAction(action), "chassisd: FPC 1 fatal errors reached threshold 1 (count 1): action reset: FPC 1 restarting"),
            (.fpcStateSnapshot(snapshot), "chassisd: FPC 1 (SPC2) Online get-state: 2 values, written to /var/tmp/fpc1.state"),
            (.gap(Gap(bootID: boot, firstSeq: 10, lastSeq: 20, reason: .slowConsumer)),
             "flowtel: gap: events 10-20 of boot 00abcdef01234567 will not arrive (slow-consumer)"),
            (.gap(Gap(bootID: boot, firstSeq: 7, lastSeq: 0, reason: .bootChanged, detail: "daemon restarted")),
             "flowtel: gap: events from 7 of boot 00abcdef01234567 will not arrive (boot-changed): daemon restarted"),
            (.heartbeat(Heartbeat(bootID: boot, headSeq: 42)), "flowtel: heartbeat: head seq 42"),
            (.syncResponse(SyncResponse(bootID: boot, headSeq: 42)), "flowtel: sync-response: caught up at head seq 42"),
        ]
    }

    @Test("text: fault and stream-control events get one short line each")
    func otherEventsText() {
        let events = Self.otherEvents
        // One case per payload that is not a session event.
        #expect(Set(events.map(\.0.name)).count == 13)
        for (payload, message) in events {
            let line = String(decoding: TextRenderer().render(Self.event(payload, at: 1_796_601_600, node: "srx-lab-1")), as: UTF8.self)
            #expect(line == "Dec  7 00:00:00 srx-lab-1 " + message)
        }
    }
}

/// `flowtel replay --format syslog | text` over a capture written here.
@Suite("flowtel replay: plain syslog and text")
struct ReplayPlainFormatsTests {
    /// Pings leave by interface source NAT; everything from outside is denied and logged.
    static let config = """
        set system host-name fw-text
        set interfaces ge-0/0/0 unit 0 family inet address 192.0.2.1/24
        set interfaces ge-0/0/1 unit 0 family inet address 198.51.100.1/24
        set security zones security-zone trust interfaces ge-0/0/0.0
        set security zones security-zone untrust interfaces ge-0/0/1.0
        set security nat source rule-set out from zone trust
        set security nat source rule-set out to zone untrust
        set security nat source rule-set out rule all match source-address 0.0.0.0/0
        set security nat source rule-set out rule all then source-nat interface
        set security policies from-zone trust to-zone untrust policy ping-out match source-address any destination-address any application junos-ping
        set security policies from-zone trust to-zone untrust policy ping-out then permit
        set security policies from-zone trust to-zone untrust policy ping-out then log session-init session-close
        set security policies from-zone untrust to-zone trust policy no-in match source-address any destination-address any application any
        set security policies from-zone untrust to-zone trust policy no-in then deny
        set security policies from-zone untrust to-zone trust policy no-in then log session-init

        """

    static func be16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }

    /// An Ethernet frame holding an IPv4 packet (RFC 791; checksums 0, the decoder does not check them).
    static func frame(protocol proto: UInt8, _ source: [UInt8], _ destination: [UInt8], _ payload: [UInt8]) -> [UInt8] {
        let ip = [0x45, 0] + be16(UInt16(20 + payload.count)) + be16(1) + be16(0) + [64, proto, 0, 0] + source + destination
        return [0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01] + be16(0x0800) + ip + payload
    }

    /// Echo request 192.0.2.10 -> 198.51.100.20 (identifier 0x1234, sequence 1) at 2026-12-07
    /// 00:00:00, its reply 10 ms later, then a denied DNS query from outside one second later.
    static func writeCapture(to path: String) throws {
        let inside: [UInt8] = [192, 0, 2, 10]
        let outside: [UInt8] = [198, 51, 100, 20]
        let echo: (UInt8) -> [UInt8] = { type in [type, 0, 0, 0] + be16(0x1234) + be16(1) + Array("ping".utf8) }
        let udp = be16(5353) + be16(53) + be16(12) + be16(0) + Array("abcd".utf8)
        let start: UInt64 = 1_796_601_600_000_000_000
        let writer = try PcapWriter.create(path: path, linkType: .ethernet)
        try writer.append(timestamp: Timestamp(unixNanos: start), bytes: frame(protocol: 1, inside, outside, echo(8)))
        try writer.append(timestamp: Timestamp(unixNanos: start + 10_000_000), bytes: frame(protocol: 1, outside, inside, echo(0)))
        try writer.append(timestamp: Timestamp(unixNanos: start + 1_000_000_000), bytes: frame(protocol: 17, outside, inside, udp))
        try writer.close()
    }

    @Test("--format syslog and --format text print the capture's create, close and deny as the device logs them")
    func replay() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flowtel-replay-text-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("fw.set").path
        try Self.config.write(toFile: config, atomically: true, encoding: .utf8)
        let pcap = directory.appendingPathComponent("fw.pcap").path
        try Self.writeCapture(to: pcap)

        let messages = [
            "Dec  7 00:00:00 fw-text RT_FLOW: RT_FLOW_SESSION_CREATE: session created "
                + "192.0.2.10/4660->198.51.100.20/1 0x0 junos-ping 198.51.100.1/4660->198.51.100.20/1 0x0 source rule all N/A N/A "
                + "1 ping-out trust untrust 1 N/A(N/A) ge-0/0/0.0 UNKNOWN UNKNOWN UNKNOWN N/A N/A -1 N/A",
            "Dec  7 00:00:00 fw-text RT_FLOW: RT_FLOW_SESSION_CLOSE: session closed response received: "
                + "192.0.2.10/4660->198.51.100.20/1 0x0 junos-ping 198.51.100.1/4660->198.51.100.20/1 0x0 source rule all N/A N/A "
                + "1 ping-out trust untrust 1 1(32) 1(32) 0 UNKNOWN UNKNOWN N/A(N/A) ge-0/0/0.0 No N/A N/A -1 N/A",
            "Dec  7 00:00:01 fw-text RT_FLOW: RT_FLOW_SESSION_DENY: session denied "
                + "198.51.100.20/5353->192.0.2.10/53 0x0 junos-dns-udp 17(0) no-in untrust trust "
                + "UNKNOWN UNKNOWN N/A(N/A) ge-0/0/1.0 No policy deny 0 N/A N/A -1 N/A",
        ]
        let text = try Run.binary("flowtel", ["replay", "--config", config, "--pcap", pcap, "--format", "text"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout == messages.map { $0 + "\n" }.joined())
        let syslog = try Run.binary("flowtel", ["replay", "--config", config, "--pcap", pcap, "--format", "syslog"])
        #expect(syslog.status == 0, "\(syslog.stderr)")
        #expect(syslog.stdout == messages.map { "<14>" + $0 + "\n" }.joined())

        let bad = try Run.binary("flowtel", ["replay", "--config", config, "--pcap", pcap, "--format", "welf"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("--format: expected json, sd-syslog, syslog or text"), "\(bad.stderr)")
    }
}

extension ReplayPlainFormatsTests {
    @Test("flowtel subscribe --format text prints every sample event, --format syslog only the session events")
    func subscribe() throws {
        let (daemon, port, _) = try Binaries.startDaemon(["--test-publisher", "samples"])
        defer { stop(daemon) }
        let arguments = ["subscribe", "--target", "127.0.0.1:\(port)", "--from-oldest", "--max-events", "13", "--format"]
        let text = try Run.binary("flowtel", arguments + ["text"])
        #expect(text.status == 0, "\(text.stderr)")
        let lines = text.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 13)
        // Every line: `Mmm dd HH:MM:SS bin-test ` and a message.
        #expect(lines.allSatisfy { $0.count > 25 && $0.dropFirst(15).hasPrefix(" bin-test ") }, "\(lines)")
        #expect(lines.filter { $0.contains(" RT_FLOW: RT_FLOW_SESSION_") }.count == 3)
        #expect(lines.contains { $0.contains(" alarmd: Alarm set: ") })
        #expect(lines.contains { $0.contains(" Wedge-Detect : ") })

        let syslog = try Run.binary("flowtel", arguments + ["syslog"])
        #expect(syslog.status == 0, "\(syslog.stderr)")
        let sessionLines = lines.filter { $0.contains(" RT_FLOW: ") }
        #expect(syslog.stdout == sessionLines.map { "<14>" + $0 + "\n" }.joined())
    }
}
