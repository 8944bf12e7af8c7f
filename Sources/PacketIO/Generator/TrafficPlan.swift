public import FlowtelCore

/// What a ``TrafficGenerator`` produces: the places hosts live and the kinds of sessions they
/// open between them, with how often each kind occurs.
///
/// A plan is independent of any device configuration: the caller maps zones, interfaces and
/// policies onto endpoints and flows. Check a plan with ``validate()``; the generator refuses an
/// invalid one.
///
/// ```swift
/// let plan = TrafficPlan(
///     endpoints: [
///         TrafficEndpoint(name: "trust", interfaceName: "ge-0/0/1.100", vlan: 100, mac: clientMAC,
///                         gatewayMAC: firewallMAC, pools: [IPPrefix("10.1.0.0/16")!]),
///         TrafficEndpoint(name: "untrust", interfaceName: "ge-0/0/0.0", mac: routerMAC,
///                         gatewayMAC: firewallMAC2, pools: [IPPrefix("198.51.100.0/24")!]),
///     ],
///     flows: [
///         TrafficFlow(client: 0, server: .endpoint(1),
///                     application: .tcp(port: 443, requestBytes: 600, responseBytes: 40_000, close: .fin)),
///         TrafficFlow(client: 0, server: .endpoint(1), application: .udp(port: 53, kind: .dns), weight: 3),
///     ])
/// ```
public struct TrafficPlan: Hashable, Sendable {
    /// The endpoints; flows refer to them by index.
    public var endpoints: [TrafficEndpoint]
    /// The session templates; each new session follows one, chosen with probability
    /// proportional to its ``TrafficFlow/weight``.
    public var flows: [TrafficFlow]
    /// Where the frames are captured, which decides the addresses and links replies carry.
    public var capturePoint: CapturePoint
    /// The flow-engine SPUs the capture is for: with more than one, source NAT into a port
    /// range picks the ports a sharded engine picks (replies hash back to the session's SPU).
    public var spus = 1

    /// Creates a plan.
    public init(endpoints: [TrafficEndpoint], flows: [TrafficFlow], capturePoint: CapturePoint = .everyInterface) {
        self.endpoints = endpoints
        self.flows = flows
        self.capturePoint = capturePoint
    }

    /// Where the frames of a plan are captured.
    public enum CapturePoint: String, Hashable, Sendable, CaseIterable {
        /// On every interface of the firewall, as the firewall receives them: each side's
        /// frames arrive on its own endpoint's link and carry the addresses that side sees, so
        /// replies to source-NATed sessions are addressed to the NAT address.
        case everyInterface = "every-interface"
        /// On the client's link, before NAT (a capture taken on one side of the device):
        /// replies arrive on the client's link from the firewall's MAC and carry the addresses
        /// the client uses (the destination NAT address, the client's own address).
        case clientLink = "client-link"
    }

    /// Checks that every flow can be generated: endpoint indices in range, a host pool of the
    /// address family asked for on both sides, sizes and counts in range, VLAN ids valid, and a
    /// positive total weight.
    ///
    /// - Throws: ``TrafficPlanError`` naming the first problem found.
    public func validate() throws(TrafficPlanError) {
        for (index, endpoint) in endpoints.enumerated() {
            if let vlan = endpoint.vlan, !(1...4094).contains(vlan) {
                throw TrafficPlanError(.invalidVLAN, endpoint: index, "VLAN id \(vlan) is not in 1-4094")
            }
            if endpoint.mac.isMulticast {
                throw TrafficPlanError(.invalidMAC, endpoint: index, "MAC address \(endpoint.mac) is a group address")
            }
            if endpoint.gatewayMAC.isMulticast {
                throw TrafficPlanError(
                    .invalidMAC, endpoint: index, "gateway MAC address \(endpoint.gatewayMAC) is a group address")
            }
        }
        guard !flows.isEmpty else { throw TrafficPlanError(.noFlows, "the plan has no flows") }
        var totalWeight = 0
        for (index, flow) in flows.enumerated() {
            try validate(flow, index: index)
            let (sum, overflow) = totalWeight.addingReportingOverflow(flow.weight)
            guard !overflow else { throw TrafficPlanError(.invalidWeight, flow: index, "the weights overflow") }
            totalWeight = sum
        }
        guard totalWeight > 0 else { throw TrafficPlanError(.invalidWeight, "every flow has weight 0") }
    }

    private func validate(_ flow: TrafficFlow, index: Int) throws(TrafficPlanError) {
        guard flow.weight >= 0 else {
            throw TrafficPlanError(.invalidWeight, flow: index, "weight \(flow.weight) is negative")
        }
        guard endpoints.indices.contains(flow.client) else {
            throw TrafficPlanError(.endpointOutOfRange, flow: index, "client endpoint \(flow.client) does not exist")
        }
        guard endpoints.indices.contains(flow.server.endpoint) else {
            throw TrafficPlanError(
                .endpointOutOfRange, flow: index, "server endpoint \(flow.server.endpoint) does not exist")
        }
        guard !flow.families(in: self).isEmpty else {
            throw TrafficPlanError(
                .noAddressFamily, flow: index,
                "no address family (\(flow.family)) has hosts on both the client endpoint "
                    + "'\(endpoints[flow.client].name)' and the server side")
        }
        switch flow.application {
        case .tcp(let port, let requestBytes, let responseBytes, _):
            guard port != 0 else { throw TrafficPlanError(.invalidApplication, flow: index, "TCP port 0") }
            guard requestBytes >= 0, responseBytes >= 0,
                requestBytes <= TrafficFlow.maximumTCPBytes, responseBytes <= TrafficFlow.maximumTCPBytes
            else {
                throw TrafficPlanError(
                    .invalidApplication, flow: index,
                    "TCP byte counts must be in 0-\(TrafficFlow.maximumTCPBytes)")
            }
        case .udp(let port, let kind):
            guard port != 0 else { throw TrafficPlanError(.invalidApplication, flow: index, "UDP port 0") }
            if case .generic(let requestBytes, let responseBytes) = kind {
                let limit = TrafficFlow.maximumUDPPayload
                guard (0...limit).contains(requestBytes), (0...limit).contains(responseBytes) else {
                    throw TrafficPlanError(
                        .invalidApplication, flow: index,
                        "UDP payloads must be in 0-\(limit) bytes (one unfragmented datagram)")
                }
            }
        case .icmpEcho(let count):
            guard (1...TrafficFlow.maximumEchoCount).contains(count) else {
                throw TrafficPlanError(
                    .invalidApplication, flow: index, "echo count must be in 1-\(TrafficFlow.maximumEchoCount)")
            }
            if flow.translation?.serverPort != nil {
                throw TrafficPlanError(.invalidApplication, flow: index, "an echo session has no port to translate")
            }
        }
        if let translation = flow.translation, translation.serverPort == 0 || (translation.serverPort != nil && translation.serverAddress == nil) {
            throw TrafficPlanError(.invalidApplication, flow: index, "a translated server port needs a translated server address and must not be 0")
        }
    }
}

/// A place hosts live, as the firewall sees it: an interface (unit), its VLAN, the MAC address
/// frames from the hosts carry and the firewall's own MAC on that interface, and the address
/// pools hosts are drawn from.
public struct TrafficEndpoint: Hashable, Sendable {
    /// A name for reports, usually the security zone (`trust`).
    public var name: String
    /// The firewall's logical interface the hosts are behind (`ge-0/0/1.100`); not used to build
    /// frames, carried for the caller (``GeneratedPacketInfo/endpoint`` points back here).
    public var interfaceName: String
    /// The 802.1Q VLAN id (1-4094) of the interface unit, or nil for an untagged interface.
    public var vlan: UInt16?
    /// The source MAC address of frames from this endpoint's hosts (a host, or the next-hop
    /// router the hosts are behind).
    public var mac: MACAddress
    /// The firewall's interface MAC address: the destination of frames from this endpoint.
    public var gatewayMAC: MACAddress
    /// The prefixes host addresses are drawn from, IPv4 and/or IPv6; a host prefix (`/32`,
    /// `/128`) is a single host. Network and broadcast addresses are never drawn.
    public var pools: [IPPrefix]
    /// Addresses inside the pools that are not hosts and are never drawn: the firewall's own
    /// interface address, a router's, a VRRP address.
    public var excludedAddresses: [IPAddress]

    /// Creates an endpoint.
    public init(
        name: String, interfaceName: String, vlan: UInt16? = nil, mac: MACAddress, gatewayMAC: MACAddress,
        pools: [IPPrefix], excludedAddresses: [IPAddress] = []
    ) {
        self.name = name
        self.interfaceName = interfaceName
        self.vlan = vlan
        self.mac = mac
        self.gatewayMAC = gatewayMAC
        self.pools = pools
        self.excludedAddresses = excludedAddresses
    }

    /// True when the endpoint has a pool of IPv4 (`v4: true`) or IPv6 addresses with a host
    /// that is not excluded.
    public func hasPool(v4: Bool) -> Bool {
        !usablePools(v4: v4).isEmpty
    }

    /// The pools of a family that hold at least one host that is not excluded.
    func usablePools(v4: Bool) -> [IPPrefix] {
        pools.filter { $0.address.isV4 == v4 && !PoolHosts.allExcluded($0, excludedAddresses) }
    }
}

/// A session template: who opens it, to whom, with which application, and whether the firewall
/// lets it through.
public struct TrafficFlow: Hashable, Sendable {
    /// The largest TCP request or response, in bytes (64 MiB).
    public static let maximumTCPBytes = 64 << 20
    /// The largest generic UDP payload: what fits one unfragmented IPv6 datagram on a 1500-byte
    /// link (1500 − 40 − 8).
    public static let maximumUDPPayload = 1452
    /// The most echo requests in one ICMP session.
    public static let maximumEchoCount = 3600

    /// A name for reports (a policy name, say); not used to build frames.
    public var name: String
    /// The index in ``TrafficPlan/endpoints`` of the endpoint whose hosts open sessions.
    public var client: Int
    /// Where the server is.
    public var server: Server
    /// What the session carries.
    public var application: Application
    /// Which address family sessions use.
    public var family: AddressFamily
    /// How often this template is chosen, relative to the others; 0 disables it.
    public var weight: Int
    /// Whether the server answers (the policy permits), or the firewall drops or rejects the
    /// session.
    public var expectation: Expectation
    /// The firewall's address translation for this template's sessions, if any: frames from
    /// the client then address the server as the client knows it (a destination or static NAT
    /// address), frames from the server address the client as the server knows it (the source
    /// NAT address).
    public var translation: Translation?

    /// Creates a session template.
    public init(
        name: String = "", client: Int, server: Server, application: Application, family: AddressFamily = .v4,
        weight: Int = 1, expectation: Expectation = .answered, translation: Translation? = nil
    ) {
        self.name = name
        self.client = client
        self.server = server
        self.application = application
        self.family = family
        self.weight = weight
        self.expectation = expectation
        self.translation = translation
    }

    /// Addresses the firewall translates between the two sides of a session. Each applies to
    /// sessions of its own address family only; the client's port is kept (the generator's
    /// source NAT preserves ports).
    public struct Translation: Hashable, Sendable {
        /// Source NAT: the client's address as the server side sees it.
        public var clientAddress: IPAddress?
        /// Destination or static NAT: the server's address as the client addresses it.
        public var serverAddress: IPAddress?
        /// Destination NAT to another port: the server's port as the client addresses it
        /// (with ``serverAddress`` only).
        public var serverPort: UInt16?
        /// Source NAT into a port range (with ``clientAddress``): the server side sees the
        /// client's port (an echo's identifier) where the range puts it — the port itself when
        /// the range holds it, else the port at the same place modulo the range's size (the
        /// flow engine's first choice). Nil keeps the client's port.
        public var clientPorts: ClosedRange<UInt16>?

        /// Creates a translation.
        public init(
            clientAddress: IPAddress? = nil, serverAddress: IPAddress? = nil, serverPort: UInt16? = nil,
            clientPorts: ClosedRange<UInt16>? = nil
        ) {
            self.clientAddress = clientAddress
            self.serverAddress = serverAddress
            self.serverPort = serverPort
            self.clientPorts = clientPorts
        }
    }

    /// Where a session's server is.
    public enum Server: Hashable, Sendable {
        /// A host drawn from the pools of the endpoint at this index.
        case endpoint(Int)
        /// A fixed address (a public server, say) reached through the endpoint at this index,
        /// whose VLAN and MAC addresses its frames carry. Its family decides the session's.
        case address(IPAddress, endpoint: Int)

        /// The index of the endpoint the server's frames arrive from.
        public var endpoint: Int {
            switch self {
            case .endpoint(let index): index
            case .address(_, let index): index
            }
        }
    }

    /// The application a session carries.
    public enum Application: Hashable, Sendable {
        /// A TCP connection to `port`: handshake, a request of `requestBytes` from the client, a
        /// response of `responseBytes`, then the close. Either byte count may be 0.
        case tcp(port: UInt16, requestBytes: Int, responseBytes: Int, close: TCPClose)
        /// One UDP request to `port` and its response.
        case udp(port: UInt16, kind: UDPKind)
        /// `count` ICMP (or ICMPv6) echo requests one second apart, each with its reply.
        case icmpEcho(count: Int)

        /// The application's kind, for statistics.
        public var kind: ApplicationKind {
            switch self {
            case .tcp: .tcp
            case .udp(_, .dns): .dns
            case .udp(_, .ntp): .ntp
            case .udp(_, .generic): .udp
            case .icmpEcho: .icmpEcho
            }
        }
    }

    /// How a TCP connection ends.
    public enum TCPClose: Hashable, Sendable {
        /// FIN and ACK in both directions (either side may close first).
        case fin
        /// The client aborts with an RST after the response.
        case rst
    }

    /// What a UDP request and response contain.
    public enum UDPKind: Hashable, Sendable {
        /// A DNS query for a generated name (A or AAAA, with an EDNS0 OPT record) and a response
        /// answering it.
        case dns
        /// An NTPv4 client request (mode 3) and server response (mode 4), 48 bytes each.
        case ntp
        /// Opaque payloads of the given sizes (0 to ``TrafficFlow/maximumUDPPayload``).
        case generic(requestBytes: Int, responseBytes: Int)
    }

    /// The kinds of application ``TrafficSummary`` counts sessions by.
    public enum ApplicationKind: String, Hashable, Sendable, CaseIterable, Comparable {
        /// TCP connections.
        case tcp
        /// DNS over UDP.
        case dns
        /// NTP.
        case ntp
        /// Other UDP.
        case udp
        /// ICMP and ICMPv6 echo.
        case icmpEcho = "icmp-echo"

        /// Orders kinds as they are declared (TCP, DNS, NTP, UDP, ICMP echo), for reports.
        public static func < (lhs: Self, rhs: Self) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    /// Which address family a template's sessions use.
    public enum AddressFamily: Hashable, Sendable {
        /// IPv4 only.
        case v4
        /// IPv6 only.
        case v6
        /// Either, chosen per session among those both sides have (evenly when both do).
        case either
    }

    /// Whether the server side answers.
    ///
    /// Frames are what arrives at the firewall, so what the firewall itself sends (a reject's
    /// RST or ICMP unreachable) is never generated; its effect on the client is.
    public enum Expectation: String, Hashable, Sendable, CaseIterable, Comparable {
        /// The firewall permits the session and the server answers.
        case answered
        /// The firewall silently drops the session (policy action `deny`), so nothing comes
        /// back and the client does what a real one does: a TCP client retransmits its SYN
        /// after about 1, 2 and 4 seconds, a UDP client retries its request once or twice, a
        /// ping keeps sending echo requests.
        case unanswered
        /// The firewall refuses the session on the server's behalf (policy action `reject`:
        /// a TCP RST, an ICMP unreachable for UDP), so the client gives up after its first
        /// packet; a ping still sends all its echo requests.
        case rejected

        /// In declaration order (answered, unanswered, rejected), for reports.
        public static func < (lhs: Self, rhs: Self) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    /// The address families (true for IPv4) this template's sessions may use in `plan`.
    func families(in plan: TrafficPlan) -> [Bool] {
        let client = plan.endpoints[client]
        let candidates: [Bool]
        switch family {
        case .v4: candidates = [true]
        case .v6: candidates = [false]
        case .either: candidates = [true, false]
        }
        return candidates.filter { v4 in
            guard client.hasPool(v4: v4) else { return false }
            switch server {
            case .endpoint(let index): return plan.endpoints[index].hasPool(v4: v4)
            case .address(let address, _): return address.isV4 == v4
            }
        }
    }
}
