import FlowtelCore
import Testing

@testable import JunosConfig

/// The three example configurations, checked field by field against what they say.
@Suite("Example SRX configurations")
struct ExampleConfigTests {
    private func prefix(_ text: String) -> IPPrefix { IPPrefix(text)! }
    private func address(_ text: String) -> IPAddress { IPAddress(text)! }

    @Test("branch: set syntax with interface NAT, VLAN units and a guest zone")
    func branch() throws {
        let check = try ExampleConfigs.check("branch-srx.set")
        #expect(check.errors.isEmpty, "\(check.errors)")
        #expect(check.parsed.syntax == .set)
        // Unknown hierarchies are warnings at their first word, never errors.
        #expect(check.warnings.allSatisfy { $0.kind == .unknownStatement })
        #expect(check.warnings.map(\.message).contains { $0.contains("'root-authentication' under 'system'") })
        #expect(check.warnings.map(\.message).contains { $0.contains("'screen' under 'security'") })
        let config = check.config

        #expect(config.hostName == "branch-srx1")
        #expect(config.domainName == "corp.example")
        #expect(config.timeZone == "Europe/Amsterdam")

        #expect(config.interfaces.map(\.name) == ["ge-0/0/0", "ge-0/0/1", "lo0"])
        let uplink = try #require(config.interfaceUnit(named: "ge-0/0/0.0"))
        #expect(uplink.inetAddresses == [InterfaceAddress(address: address("198.51.100.2"), length: 30)])
        #expect(uplink.inetAddresses[0].subnet == prefix("198.51.100.0/30"))
        #expect(config.interface(named: "ge-0/0/0")?.description == "ISP uplink")
        let trunk = try #require(config.interface(named: "ge-0/0/1"))
        #expect(trunk.vlanTagging)
        #expect(trunk.units.map(\.name) == ["ge-0/0/1.10", "ge-0/0/1.20"])
        #expect(trunk.units.map(\.vlanID) == [10, 20])
        #expect(trunk.unit(10)?.description == "staff")
        #expect(trunk.unit(10)?.inet6Addresses.map(\.description) == ["2001:db8:10::1/64"])
        #expect(trunk.unit(20)?.inetAddresses.map(\.description) == ["10.10.20.1/24"])

        #expect(config.staticRoutes.count == 2)
        #expect(config.staticRoutes[0].destination == prefix("0.0.0.0/0"))
        #expect(config.staticRoutes[0].action == .forward(nextHops: [address("198.51.100.1")]))
        #expect(config.staticRoutes[1].action == .discard)

        #expect(config.zones.map(\.name) == ["untrust", "trust", "guest"])
        let untrust = try #require(config.zone(named: "untrust"))
        #expect(untrust.screen == "untrust-screen")
        #expect(untrust.interfaces.map(\.name) == ["ge-0/0/0.0"])
        #expect(untrust.interfaces[0].hostInboundTraffic?.systemServices == ["ike", "ping"])
        let trust = try #require(config.zone(named: "trust"))
        #expect(trust.hostInboundTraffic.systemServices == ["all"])
        #expect(trust.hostInboundTraffic.systemServicesExcept == ["telnet"])
        #expect(trust.hostInboundTraffic.protocols == ["all"])
        #expect(trust.interfaces.map(\.name) == ["ge-0/0/1.10", "lo0.0"])
        #expect(config.zone(named: "guest")?.tcpRST == true)
        #expect(config.zone(ofInterface: "ge-0/0/1.20")?.name == "guest")

        #expect(config.addressBooks.count == 1)
        let book = config.addressBooks[0]
        #expect(book.isGlobal)
        #expect(book.addresses.map(\.name) == ["staff-net", "staff-net6", "guest-net", "printer", "public-dns"])
        #expect(book.address(named: "staff-net6")?.value == .prefix(prefix("2001:db8:10::/64")))
        #expect(book.addressSet(named: "inside")?.addresses == ["staff-net", "guest-net"])
        #expect(config.resolveAddresses("inside", zone: "trust")?.map(\.name) == ["staff-net", "guest-net"])

        let vpn = try #require(config.application(named: "corp-vpn"))
        #expect(vpn.terms == [ApplicationTerm(ipProtocol: 6, destinationPorts: PortRange(8443))])
        #expect(vpn.inactivityTimeout == .seconds(3600))
        // `protocol tcp destination-port 631` on one set line: two statements, as in Junos.
        #expect(config.application(named: "ipp")?.terms == [ApplicationTerm(ipProtocol: 6, destinationPorts: PortRange(631))])
        #expect(config.resolveApplications("web")?.map(\.name) == ["junos-http", "junos-https"])

        let policies = config.policies
        #expect(policies.defaultPolicy == .denyAll)
        #expect(policies.contexts.map { "\($0.fromZone)>\($0.toZone)" } == ["trust>untrust", "guest>untrust", "guest>trust"])
        let staffOut = policies.policies(from: "trust", to: "untrust")[0]
        #expect(staffOut.name == "staff-out")
        #expect(staffOut.sourceAddresses == ["staff-net", "staff-net6"])
        #expect(staffOut.destinationAddresses == ["any"])
        #expect(staffOut.applications == ["any"])
        #expect(staffOut.action == .permit(PermitOptions()))
        #expect(!staffOut.logSessionInit && staffOut.logSessionClose)
        let guestWeb = policies.policies(from: "guest", to: "untrust")[1]
        #expect(guestWeb.name == "guest-web")
        #expect(guestWeb.destinationAddresses == ["any-ipv4"])
        #expect(guestWeb.applications == ["web"])
        #expect(guestWeb.logSessionInit && guestWeb.logSessionClose && guestWeb.count)
        let guestBlock = policies.policies(from: "guest", to: "trust")[1]
        #expect(guestBlock.action == .deny && guestBlock.logSessionInit)
        // Policy ids follow configuration order.
        #expect(policies.all.map(\.id) == [1, 2, 3, 4, 5])
        #expect(policies.all.map(\.name) == ["staff-out", "guest-dns", "guest-web", "guest-print", "guest-block"])

        let ruleSets = config.nat.ruleSets(.source)
        #expect(ruleSets.count == 1)
        #expect(ruleSets[0].from == [.zone("trust"), .zone("guest")])
        #expect(ruleSets[0].to == [.zone("untrust")])
        #expect(ruleSets[0].rules.map(\.name) == ["to-internet"])
        #expect(ruleSets[0].rules[0].match.sourceAddresses == [prefix("10.10.0.0/16")])
        #expect(ruleSets[0].rules[0].match.destinationAddresses == [prefix("0.0.0.0/0")])
        #expect(ruleSets[0].rules[0].action == .sourceInterface)

        #expect(config.flow.tcpMSS.allTCP == 1350)
        #expect(config.flow.tcpSession.tcpInitialTimeout == 30)
        #expect(config.flow.aging == FlowSettings.Aging())

        #expect(config.securityLog.mode == .stream)
        #expect(config.securityLog.format == .sdSyslog)
        #expect(config.securityLog.sourceAddress == address("10.10.10.1"))
        #expect(config.securityLog.streams.count == 1)
        let stream = config.securityLog.streams[0]
        #expect(stream.name == "siem" && stream.host == "10.10.10.50" && stream.port == 514)
        #expect(stream.format == .sdSyslog && stream.category == "all")

        #expect(config.flowtel.listenAddress == "127.0.0.1" && config.flowtel.listenPort == 50051)
        #expect(config.flowtel.replayBufferSize == 64 << 20)
        #expect(config.flowtel.dropPolicy == .dropOldest)
        #expect(config.flowtel.captureSources.map(\.kind) == [.interface("eth1")])
        #expect(config.flowtel.captureSources[0].snapLength == 256)
        #expect(config.flowtel.captureSources[0].filter == "ip or ip6")

        // `delete` removed the second syslog file before the typed layer saw it.
        #expect(check.parsed.tree.statement(at: ["system", "syslog", "file", "interactive-commands"]) == nil)
        #expect(check.parsed.tree.statement(at: ["system", "syslog", "file", "messages"]) != nil)
    }

    @Test("data centre edge: destination and static NAT, address sets, terms, cluster and FPC errors")
    func dataCentreEdge() throws {
        let check = try ExampleConfigs.check("dc-edge-srx.set")
        #expect(check.errors.isEmpty, "\(check.errors)")
        #expect(check.warnings.isEmpty, "\(check.warnings)")
        let config = check.config
        #expect(config.hostName == "dc-edge-fw")

        let reth0 = try #require(config.interface(named: "reth0"))
        #expect(reth0.redundancyGroup == 1)
        #expect(reth0.unit(0)?.inet6Addresses.map(\.description) == ["2001:db8:cafe::2/64"])
        #expect(config.interface(named: "xe-13/0/1")?.parent == "reth1")
        #expect(config.interface(named: "reth1")?.units.map(\.vlanID) == [100, 200])
        #expect(config.staticRoutes.map(\.destination) == [prefix("0.0.0.0/0"), prefix("::/0")])
        #expect(config.staticRoutes[1].action == .forward(nextHops: [address("2001:db8:cafe::1")]))

        // Global and zone-attached address books.
        let global = try #require(config.addressBooks.first { $0.isGlobal })
        #expect(global.address(named: "partner-range")?.value == .range(address("198.51.100.10"), address("198.51.100.19")))
        #expect(global.address(named: "monitoring")?.value == .wildcard(address: address("10.0.0.5"), mask: address("255.0.255.255")))
        #expect(global.address(named: "updates")?.value == .dnsName("updates.example.net"))
        let partners = try #require(global.address(named: "partner-range"))
        #expect(partners.contains(address("198.51.100.15")) && !partners.contains(address("198.51.100.20")))
        let monitoring = try #require(global.address(named: "monitoring"))
        #expect(monitoring.contains(address("10.77.0.5")) && !monitoring.contains(address("10.77.0.6")))
        let servers = try #require(config.addressBooks.first { $0.name == "servers" })
        #expect(servers.attachedZones == ["web", "mail"])
        #expect(servers.addressSet(named: "all-servers")?.addressSets == ["web-farm"])
        #expect(config.resolveAddresses("all-servers", zone: "web")?.map(\.name) == ["mx1", "web1", "web2"])
        // A zone-attached book is invisible to zones it is not attached to and to global policies.
        #expect(config.resolveAddresses("web1", zone: "internet") == nil)
        #expect(config.resolveAddresses("web1", zone: nil) == nil)
        #expect(config.resolveAddresses("web-vip", zone: nil)?.count == 1)

        let webAlt = try #require(config.application(named: "web-alt"))
        #expect(webAlt.terms[0].destinationPorts == PortRange(8080, 8081))
        let submission = try #require(config.application(named: "smtp-submission"))
        #expect(submission.terms.map(\.name) == ["smtp", "submission"])
        #expect(submission.terms[0].destinationPorts == PortRange(25))  // the port name `smtp`
        #expect(submission.terms[1].inactivityTimeout == .seconds(600))
        #expect(submission.inactivityTimeout(for: submission.terms[1]) == .seconds(600))
        #expect(submission.matchingTerm(ipProtocol: 6, sourcePort: 40000, destinationPort: 587)?.name == "submission")
        #expect(config.application(named: "traceroute-udp")?.terms[0].destinationPorts == PortRange(33434, 33534))
        #expect(config.application(named: "monitoring-ping")?.terms[0] == ApplicationTerm(ipProtocol: 1, icmpType: 8))
        #expect(config.application(named: "long-lived")?.inactivityTimeout == .never)
        #expect(
            config.resolveApplications("edge-apps")?.map(\.name) == ["smtp-submission", "junos-http", "junos-https", "web-alt"])

        let nat = config.nat
        let pool = try #require(nat.sourcePool(named: "egress-pool"))
        #expect(pool.addresses == [NATAddressRange(low: address("203.0.113.20"), high: address("203.0.113.23"))])
        #expect(pool.addresses[0].count == 4)
        #expect(pool.portTranslation == .range(PortRange(20000, 40000)))
        let sourceRules = nat.ruleSets(.source)[0]
        #expect(sourceRules.from == [.zone("web"), .zone("mail")] && sourceRules.to == [.zone("internet")])
        #expect(sourceRules.rules.map(\.action) == [.off, .sourcePool("egress-pool")])
        let webPool = try #require(nat.destinationPool(named: "web-pool"))
        #expect(webPool.address == NATAddressRange(prefix: prefix("172.16.100.11/32")))
        #expect(webPool.port == 8080)
        let destination = nat.ruleSets(.destination)[0]
        #expect(destination.from == [.zone("internet")])
        #expect(destination.rules[0].match.destinationAddresses == [prefix("203.0.113.10/32")])
        #expect(destination.rules[0].match.destinationPorts == [PortRange(443)])
        #expect(destination.rules[0].match.protocols == [6])
        #expect(destination.rules[0].action == .destinationPool("web-pool"))
        let staticRule = nat.ruleSets(.static)[0].rules[0]
        #expect(staticRule.name == "mx")
        #expect(staticRule.action == .staticPrefix(prefix("172.16.200.25/32"), mappedPorts: nil))
        #expect(nat.proxyARP.count == 1 && nat.proxyARP[0].interface == "reth0.0")
        #expect(nat.proxyARP[0].addresses.map(\.description) == ["203.0.113.10/32", "203.0.113.20 to 203.0.113.25"])

        let allowWeb = config.policies.policies(from: "internet", to: "web")[0]
        #expect(allowWeb.destinationAddresses == ["web-farm"] && allowWeb.applications == ["web-apps"])
        #expect(allowWeb.action == .permit(PermitOptions(synCheckRequired: true)))
        let updates = config.policies.policies(from: "web", to: "internet")[0]
        #expect(updates.destinationAddresses == ["partner-range", "updates"])
        let global1 = try #require(config.policies.global.first)
        #expect(global1.isGlobal && global1.action == .reject && global1.logSessionInit)
        #expect(global1.matchFromZones == ["internet"] && global1.matchToZones == ["mail"])
        #expect(global1.id == 4)
        #expect(config.policies.policyRematch)

        let flow = config.flow
        #expect(flow.aging.earlyAgeout == 10 && flow.aging.highWatermark == 90 && flow.aging.lowWatermark == 70)
        #expect(flow.tcpSession.rstInvalidateSession)
        #expect(flow.tcpSession.timeWaitState == .sessionTimeout(90))
        #expect(flow.synFloodProtectionMode == .synCookie)
        #expect(flow.routeChangeTimeout == 60)
        let trace = try #require(flow.traceOptions)
        #expect(trace.file == "flow-trace" && trace.fileSize == "10m" && trace.fileCount == 3)
        #expect(trace.flags == ["basic-datapath"])
        #expect(trace.packetFilters["web-vip"] == ["destination-prefix": "203.0.113.10/32"])

        #expect(config.securityLog.transportProtocol == .tcp)
        #expect(config.securityLog.streams[0].port == 6514)
        #expect(config.securityLog.streams[0].transportProtocol == .tls)

        let chassis = config.chassis
        #expect(chassis.fpcErrors[1]?[.major] == ChassisErrorSetting(threshold: 2, actions: [.alarm, .getState]))
        #expect(chassis.fpcErrors[1]?[.fatal]?.actions == [.alarm, .reset])
        #expect(chassis.effectiveSetting(slot: 1, severity: .major) == (2, [.alarm, .getState]))
        #expect(chassis.effectiveSetting(slot: 1, severity: .minor) == (20, [.log]))
        #expect(chassis.effectiveSetting(slot: 4, severity: .minor).threshold == 0)
        #expect(chassis.effectiveSetting(slot: 7, severity: .fatal) == (1, [.alarm, .reset]))
        let cluster = try #require(chassis.cluster)
        #expect(cluster.rethCount == 4 && cluster.heartbeatInterval == 1000 && cluster.heartbeatThreshold == 3)
        #expect(cluster.controlLinkRecovery)
        #expect(cluster.redundancyGroups.map(\.number) == [0, 1])
        let rg1 = cluster.redundancyGroups[1]
        #expect(rg1.nodePriorities == [0: 200, 1: 100] && rg1.preempt && rg1.gratuitousARPCount == 8)
        #expect(rg1.interfaceMonitors == ["xe-1/0/0": 255, "xe-13/0/0": 255])
    }

    @Test("campus: curly syntax with groups, inactive statements and zone address books")
    func campus() throws {
        let check = try ExampleConfigs.check("campus-srx.conf")
        #expect(check.errors.isEmpty, "\(check.errors)")
        #expect(check.parsed.syntax == .curly)
        let config = check.config
        // Explicit configuration wins over the group; the rest of the group applies.
        #expect(config.hostName == "campus-fw")
        #expect(config.domainName == "campus.example" && config.timeZone == "UTC")
        #expect(config.flow.tcpSession.tcpInitialTimeout == 20)
        let lab = try #require(config.zone(named: "lab"))
        #expect(lab.description == "student labs")
        #expect(lab.hostInboundTraffic.systemServices == ["ping", "traceroute"])

        // The inactive unit is ignored, the active ones kept.
        #expect(config.interface(named: "ge-0/0/2")?.units.map(\.number) == [300, 400])
        #expect(config.interfaceUnit(named: "ge-0/0/0.0")?.inet6Addresses.map(\.description) == ["2001:db8:0:1::2/64"])
        #expect(config.staticRoutes[1].action == .forward(nextHops: [address("10.30.0.254"), address("10.30.0.253")]))
        #expect(config.staticRoutes[1].preference == 10)

        let management = try #require(config.zones.first { $0.isFunctional })
        #expect(management.name == "management" && management.interfaces.map(\.name) == ["fxp0.0"])
        let staff = try #require(config.zone(named: "staff"))
        #expect(staff.hostInboundTraffic.systemServices == ["all"])
        #expect(staff.interfaces[0].hostInboundTraffic?.systemServices == ["ssh", "ping"])

        // Zone address books belong to their zone only.
        let labBook = try #require(config.addressBooks.first { $0.name == "lab" })
        #expect(labBook.isZoneBook && labBook.attachedZones == ["lab"])
        #expect(config.resolveAddresses("lab-hosts", zone: "lab")?.map(\.name) == ["lab-net"])
        #expect(config.resolveAddresses("lab-hosts", zone: "staff") == nil)

        let labOut = config.policies.policies(from: "lab", to: "outside")
        #expect(labOut.map(\.name) == ["lab-web", "lab-rest"])
        #expect(labOut[0].applications == ["junos-http", "junos-https", "junos-dns-udp", "junos-ping"])
        #expect(labOut[0].logSessionInit && labOut[0].logSessionClose)
        #expect(labOut[1].action == .reject)
        // The inactive policy is not part of the configuration in effect.
        #expect(config.policies.policies(from: "staff", to: "outside").map(\.name) == ["staff-out"])
        #expect(config.policies.policies(from: "staff", to: "outside")[0].action == .permit(PermitOptions(sequenceCheckRequired: true)))
        #expect(config.policies.policies(from: "staff", to: "junos-host").map(\.name) == ["staff-mgmt"])
        #expect(config.policies.policies(from: "staff", to: "lab")[0].applications == ["flexlm"])

        let pool = try #require(config.nat.sourcePool(named: "campus-pool"))
        #expect(pool.portTranslation == SourceNATPool.PortTranslation.none)
        #expect(pool.overflowPool == "interface")
        #expect(pool.addresses[0].count == 4)
        let rules = config.nat.ruleSets(.source)[0]
        #expect(rules.from == [.zone("lab"), .zone("staff")])
        #expect(rules.rules.map(\.action) == [.sourcePool("campus-pool"), .sourceInterface])

        #expect(config.flow.aging.earlyAgeout == 5)
        #expect(config.flow.tcpSession.noSynCheck)
        #expect(config.flow.tcpSession.timeWaitState == .sessionAgeout)
        #expect(config.flow.allowDNSReply)

        #expect(config.application(named: "flexlm")?.terms[0].destinationPorts == PortRange(27000, 27009))
        #expect(config.application(named: "flexlm")?.inactivityTimeout == .seconds(7200))
        #expect(config.application(named: "icmp-unreachable")?.terms[0] == ApplicationTerm(ipProtocol: 1, icmpType: 3, icmpCode: 3))

        let service = config.flowtel
        #expect(service.listenAddress == "0.0.0.0" && service.listenPort == 50051)
        #expect(service.tlsCertificate == "/etc/flowtel/tls/server.pem" && service.tlsClientCA == "/etc/flowtel/tls/ca.pem")
        #expect(service.authenticationTokenFile == "/etc/flowtel/token")
        #expect(service.captureSources.map(\.kind) == [.interface("ens4"), .file("/var/lib/flowtel/replay.pcap")])
        #expect(service.captureSources[0].promiscuous == false && service.captureSources[0].bufferSize == 32 << 20)
        #expect(service.exportAllSessions)
        #expect(service.maximumSessions == 2_000_000 && service.spus == 4)
    }

    @Test("each example prints to set and curly and reads back to the same configuration", arguments: [
        "branch-srx.set", "dc-edge-srx.set", "campus-srx.conf",
    ])
    func roundTrip(name: String) throws {
        let original = try ExampleConfigs.check(name)
        let curly = original.parsed.tree.formatted(as: .curly)
        let fromCurly = try DeviceConfig.check(text: curly, file: "curly")
        let set = fromCurly.parsed.tree.formatted(as: .set)
        let fromSet = try DeviceConfig.check(text: set, file: "set")
        #expect(fromCurly.parsed.tree == original.parsed.tree)
        #expect(fromSet.parsed.tree == original.parsed.tree)
        #expect(fromSet.parsed.tree.formatted(as: .set) == set)
        #expect(fromCurly.config == original.config)
        #expect(fromSet.config == original.config)
    }
}

@Suite("services flowtel replay-buffer")
struct ReplayBufferSpellingTests {
    @Test("replay-buffer size N (set and curly) means the same as replay-buffer-size N")
    func spellings() throws {
        let set = try DeviceConfig.load(text: "set services flowtel replay-buffer size 32m\n", file: "a.set").config
        #expect(set.flowtel.replayBufferSize == 32 << 20)
        let curly = try DeviceConfig.load(
            text: "services { flowtel { replay-buffer { size 1g; } } }\n", file: "a.conf"
        ).config
        #expect(curly.flowtel.replayBufferSize == 1 << 30)
        let older = try DeviceConfig.load(text: "set services flowtel replay-buffer-size 64k\n", file: "b.set").config
        #expect(older.flowtel.replayBufferSize == 64 << 10)
        let bad = try DeviceConfig.check(text: "set services flowtel replay-buffer size lots\n", file: "c.set")
        #expect(bad.errors.first?.location == SourceLocation(file: "c.set", line: 1, column: 41))
    }
}
