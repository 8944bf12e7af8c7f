import FlowtelCore

extension SessionState {
    /// Starts session number `serial` at `start`: chooses its flow, hosts, ports and
    /// application details from the session's own random stream, and builds its script.
    ///
    /// Everything about a session depends only on the plan, the seed and `serial` (and its
    /// start time), never on what other sessions did.
    mutating func begin(serial: Int, start: UInt64, seed: UInt64, plan: PreparedPlan) {
        var random = GeneratorRandom(seed: seed, stream: UInt64(serial))
        let flowIndex = plan.pickFlow(&random)
        let flow = plan.plan.flows[flowIndex]
        self.serial = serial
        self.flow = flowIndex
        cursor = 0
        application = flow.application.kind
        expectation = flow.expectation
        let families = plan.families[flowIndex]
        isV4 = families.count == 1 ? families[0] : random.chance(0.5)
        contentSeed = random.next32()
        beginPeers(flow, plan, &random)

        // The script borrows this slot's arrays, emptied but with their capacity.
        var script = SessionScript(start: start, &random)
        swap(&script.steps, &steps)
        swap(&script.clientTimestamps, &clientTimestamps)
        swap(&script.serverTimestamps, &serverTimestamps)
        script.steps.removeAll(keepingCapacity: true)
        script.clientTimestamps.removeAll(keepingCapacity: true)
        script.serverTimestamps.removeAll(keepingCapacity: true)
        switch flow.application {
        case .tcp(_, let requestBytes, let responseBytes, let close):
            script.tcpConnection(
                self, requestBytes: requestBytes, responseBytes: responseBytes, close: close, &random)
        case .udp(_, .dns):
            beginDNS(&random)
            script.udpExchange(self, request: .dnsQuery, response: .dnsResponse, requestBytes: 0, responseBytes: 0, &random)
        case .udp(_, .ntp):
            beginNTP(&random)
            script.udpExchange(self, request: .ntpRequest, response: .ntpResponse, requestBytes: 0, responseBytes: 0, &random)
        case .udp(_, .generic(let requestBytes, let responseBytes)):
            script.udpExchange(
                self, request: .udpRequest, response: .udpResponse, requestBytes: requestBytes,
                responseBytes: responseBytes, &random)
        case .icmpEcho(let count):
            echoIdentifier = UInt16(truncatingIfNeeded: random.next())
            script.echo(self, count: count, &random)
        }
        script.finish()
        // Source NAT into a port range moves an echo's identifier as it moves a port.
        serverEchoIdentifier = echoIdentifier
        if plan.plan.capturePoint == .everyInterface, let translation = flow.translation,
            let address = translation.clientAddress, address.isV4 == isV4, let range = translation.clientPorts
        {
            serverEchoIdentifier = translatedPort(echoIdentifier, into: range, address: address, plan: plan.plan)
        }
        swap(&script.steps, &steps)
        swap(&script.clientTimestamps, &clientTimestamps)
        swap(&script.serverTimestamps, &serverTimestamps)
    }

    private mutating func beginPeers(_ flow: TrafficFlow, _ plan: PreparedPlan, _ random: inout GeneratorRandom) {
        let clientEndpoint = plan.plan.endpoints[flow.client]
        let serverIndex = flow.server.endpoint
        let serverEndpoint = plan.plan.endpoints[serverIndex]

        client = Peer()
        client.endpoint = flow.client
        client.sourceMAC = clientEndpoint.mac.value
        client.destinationMAC = clientEndpoint.gatewayMAC.value
        client.vlan = clientEndpoint.vlan ?? 0
        client.address = plan.host(endpoint: flow.client, v4: isV4, lowHost: false, &random)
        // Linux's ip_local_port_range.
        client.port = UInt16(random.int(32_768...60_999))
        client.ttl = 64
        client.ipID = UInt16(truncatingIfNeeded: random.next())
        client.flowLabel = UInt32(random.int(1...0xF_FFFF))
        client.mss = isV4 ? 1460 : 1440
        client.windowScale = 7

        server = Peer()
        server.endpoint = serverIndex
        server.sourceMAC = serverEndpoint.mac.value
        server.destinationMAC = serverEndpoint.gatewayMAC.value
        server.vlan = serverEndpoint.vlan ?? 0
        switch flow.server {
        case .address(let address, _):
            server.address = address
        case .endpoint:
            server.address = plan.host(endpoint: serverIndex, v4: isV4, lowHost: true, &random)
            // A client and server drawn from one small pool could coincide: draw again a few times.
            for _ in 0..<8 where server.address == client.address {
                server.address = plan.host(endpoint: serverIndex, v4: isV4, lowHost: true, &random)
            }
        }
        switch flow.application {
        case .tcp(let port, _, _, _), .udp(let port, _): server.port = port
        case .icmpEcho: server.port = 0
        }
        // Initial TTLs of Linux/BSD (64), Windows (128) and network gear (255), a few hops away.
        let roll = random.unit()
        let initialTTL: UInt8 = roll < 0.7 ? 64 : (roll < 0.95 ? 128 : 255)
        server.ttl = initialTTL - UInt8(random.int(0...3))
        server.ipID = UInt16(truncatingIfNeeded: random.next())
        server.flowLabel = UInt32(random.int(1...0xF_FFFF))
        // One server in seven sits behind a tunnel that clamps the MSS.
        let clampedMSS: UInt16 = isV4 ? 1380 : 1360
        server.mss = random.chance(0.15) ? clampedMSS : (isV4 ? 1460 : 1440)
        server.windowScale = initialTTL == 64 ? 7 : 8
        if case .udp(_, .dns) = flow.application { server.dontFragment = false }

        // What each side sees of the other: the firewall's translations, for sessions of the
        // translated addresses' family (NAT44 or NAT66; ports follow their address).
        client.seenAddress = client.address
        client.seenPort = client.port
        server.seenAddress = server.address
        server.seenPort = server.port
        if let translation = flow.translation {
            if let address = translation.serverAddress, address.isV4 == isV4 {
                server.seenAddress = address
                if let port = translation.serverPort { server.seenPort = port }
            }
            if let address = translation.clientAddress, address.isV4 == isV4 {
                client.seenAddress = address
                if let range = translation.clientPorts {
                    client.seenPort = translatedPort(client.port, into: range, address: address, plan: plan.plan)
                }
            }
        }
        if plan.plan.capturePoint == .clientLink {
            // Replies come from the firewall onto the client's link, still carrying the
            // addresses the client uses: no source NAT is visible, destination NAT is undone.
            client.seenAddress = client.address
            client.seenPort = client.port
            server.address = server.seenAddress
            server.port = server.seenPort
            server.endpoint = flow.client
            server.sourceMAC = clientEndpoint.gatewayMAC.value
            server.destinationMAC = clientEndpoint.mac.value
            server.vlan = client.vlan
        }
    }

    private static let hostLabels = [
        "www", "api", "mail", "cdn", "static", "login", "img", "app", "portal", "vpn", "update", "git", "wiki",
        "auth", "m", "news", "shop", "files", "assets", "time",
    ]
    private static let domainLabels = [
        "example", "acme", "contoso", "northwind", "fabrikam", "initech", "globex", "umbrella", "hooli", "stark",
        "wayne", "tyrell",
    ]
    private static let suffixes = [["com"], ["net"], ["org"], ["io"], ["de"], ["co", "uk"]]

    private mutating func beginDNS(_ random: inout GeneratorRandom) {
        dnsID = UInt16(truncatingIfNeeded: random.next())
        // Queries over IPv6 ask for AAAA as often as A; over IPv4 mostly A.
        dnsType = random.chance(isV4 ? 0.25 : 0.5) ? 28 : 1
        dnsTTL = UInt32(random.int(30...3600))
        if dnsType == 1 {
            // The documentation ranges 192.0.2.0/24, 198.51.100.0/24 and 203.0.113.0/24.
            let networks: [UInt32] = [0xC000_0200, 0xC633_6400, 0xCB00_7100]
            dnsAnswer = .v4(random.pick(networks) | UInt32(random.int(1...254)))
        } else {
            dnsAnswer = .v6(
                high: 0x2001_0DB8_0000_0000 | UInt64(random.int(0...0xFFFF)) << 16,
                low: UInt64(random.int(1...0xFFFF)))
        }
        dnsName.removeAll(keepingCapacity: true)
        // A host label, numbered one time in three (`www`, `api7`), a domain and a suffix.
        let host = random.pick(SessionState.hostLabels)
        let number = random.chance(0.3) ? random.int(1...20) : 0
        let digits = number >= 10 ? 2 : (number > 0 ? 1 : 0)
        dnsName.append(UInt8(host.utf8.count + digits))
        dnsName.append(contentsOf: host.utf8)
        if number >= 10 { dnsName.append(UInt8(ascii: "0") + UInt8(number / 10)) }
        if number > 0 { dnsName.append(UInt8(ascii: "0") + UInt8(number % 10)) }
        appendLabel(random.pick(SessionState.domainLabels))
        for label in random.pick(SessionState.suffixes) { appendLabel(label) }
        dnsName.append(0)
    }

    private mutating func appendLabel(_ label: String) {
        dnsName.append(UInt8(label.utf8.count))
        dnsName.append(contentsOf: label.utf8)
    }

    private mutating func beginNTP(_ random: inout GeneratorRandom) {
        let roll = random.unit()
        ntpStratum = roll < 0.15 ? 1 : (roll < 0.85 ? 2 : 3)
        // Stratum 1 names its reference clock ("GPS"); others the upstream server's IPv4 address.
        ntpReference = ntpStratum == 1 ? 0x4750_5300 : random.next32()
        // NTP short format (16.16 seconds): a fraction of a millisecond to tens of milliseconds.
        ntpRootDelay = UInt32(random.int(0x10...0x0C00))
        ntpRootDispersion = UInt32(random.int(0x10...0x0800))
    }

    /// `port` as a source NAT into `range` first maps it: itself when the range holds it, else
    /// the port at the same place modulo the range's size.
    /// The port (or echo identifier) the firewall translates `port` to on `address`: the
    /// engine's first choice, which with several SPUs is the first port from the mapped one
    /// whose replies hash back to the session's SPU. Needs the session's peers chosen.
    func translatedPort(_ port: UInt16, into range: ClosedRange<UInt16>, address: IPAddress, plan: TrafficPlan) -> UInt16 {
        let ipProtocol: UInt8 =
            switch application {
            case .tcp: 6
            case .dns, .ntp, .udp: 17
            case .icmpEcho: isV4 ? 1 : 58
            }
        return ShardHash.translatedPort(
            preferred: SessionState.mapped(port, into: range), range: range, client: client.address, clientPort: port,
            originalServer: server.seenAddress, originalServerPort: server.seenPort, server: server.address,
            serverPort: server.port, address: address, ipProtocol: ipProtocol, count: plan.spus)
    }

    static func mapped(_ port: UInt16, into range: ClosedRange<UInt16>) -> UInt16 {
        if range.contains(port) { return port }
        let span = Int(range.upperBound) - Int(range.lowerBound) + 1
        return UInt16(Int(range.lowerBound) + Int(port) % span)
    }
}
