import FlowtelCore
import JunosConfig
import Testing

@testable import FlowEngine

/// The first-packet path: ingress and egress units and zones, then the policy decision.
@Suite("First-packet path")
struct FirstPacketTests {
    static let config = """
        set interfaces ge-0/0/0 unit 0 family inet address 198.51.100.2/30
        set interfaces ge-0/0/0 unit 0 family inet6 address 2001:db8:ffff::2/64
        set interfaces ge-0/0/1 vlan-tagging
        set interfaces ge-0/0/1 unit 10 vlan-id 10
        set interfaces ge-0/0/1 unit 10 family inet address 10.10.10.1/24
        set interfaces ge-0/0/1 unit 10 family inet6 address 2001:db8:10::1/64
        set interfaces ge-0/0/1 unit 20 vlan-id 20
        set interfaces ge-0/0/1 unit 20 family inet address 10.10.20.1/24
        set interfaces ge-0/0/2 unit 0 family inet address 172.16.0.1/24
        set routing-options static route 0.0.0.0/0 next-hop 198.51.100.1
        set routing-options static route 10.99.0.0/16 discard
        set routing-options static route 10.50.0.0/16 next-hop 172.16.0.254
        set routing-options rib inet6.0 static route ::/0 next-hop 2001:db8:ffff::1
        set security zones security-zone untrust interfaces ge-0/0/0.0
        set security zones security-zone trust interfaces ge-0/0/1.10
        set security zones security-zone guest interfaces ge-0/0/1.20
        set security zones security-zone dc interfaces ge-0/0/2.0
        set security address-book global address printer 10.10.10.40/32
        set security address-book global address partners range-address 198.18.0.10 to 198.18.0.19
        set security address-book global address-set inside address printer
        set applications application ipp protocol tcp destination-port 631
        set applications application alt-web protocol tcp destination-port 8080-8081
        set applications application-set web application junos-http application junos-https application alt-web
        set security policies from-zone trust to-zone untrust policy web match source-address any destination-address any application web
        set security policies from-zone trust to-zone untrust policy web then permit
        set security policies from-zone trust to-zone untrust policy v6-only match source-address any-ipv6 destination-address any application any
        set security policies from-zone trust to-zone untrust policy v6-only then permit
        set security policies from-zone trust to-zone untrust policy rest match source-address any destination-address any application any
        set security policies from-zone trust to-zone untrust policy rest then reject
        set security policies from-zone guest to-zone trust policy print match source-address any destination-address printer application ipp
        set security policies from-zone guest to-zone trust policy print then permit
        set security policies from-zone guest to-zone trust policy not-printer match source-address any destination-address inside destination-address-excluded application any
        set security policies from-zone guest to-zone trust policy not-printer then deny
        set security policies global policy partners-in match source-address partners destination-address any application junos-ssh from-zone untrust
        set security policies global policy partners-in then permit
        set security policies from-zone trust to-zone junos-host policy mgmt match source-address any destination-address any application junos-ssh
        set security policies from-zone trust to-zone junos-host policy mgmt then permit

        """

    static let classifier: FirstPacketClassifier = {
        let device = try! DeviceConfig.load(text: Self.config, file: "fp.set").config
        return FirstPacketClassifier(config: device)
    }()

    static func tcp(_ source: String, _ destination: String, port: UInt16) -> FlowKey {
        FlowKey(
            source: IPAddress(source)!, destination: IPAddress(destination)!, ipProtocol: 6, sourcePort: 40000,
            destinationPort: port)
    }

    static func decision(_ result: FirstPacketResult) -> PolicyDecision? {
        if case .decided(let decision) = result.verdict { return decision }
        return nil
    }

    @Test("ingress by VLAN tag, else by the route back to the source; egress by route")
    func zones() {
        let tagged = Self.classifier.classify(Self.tcp("10.10.10.5", "203.0.113.9", port: 443), vlan: 10)
        #expect(tagged.ingressUnit == "ge-0/0/1.10" && tagged.fromZone == "trust")
        #expect(tagged.egressUnit == "ge-0/0/0.0" && tagged.toZone == "untrust")
        // Untagged from the internet: the default route leads back out of ge-0/0/0.0.
        let inbound = Self.classifier.classify(Self.tcp("198.18.0.12", "10.10.20.7", port: 22), vlan: nil)
        #expect(inbound.ingressUnit == "ge-0/0/0.0" && inbound.toZone == "guest")
        // A static route through a next hop on ge-0/0/2.0.
        let routed = Self.classifier.classify(Self.tcp("10.10.10.5", "10.50.3.3", port: 443), vlan: 10)
        #expect(routed.egressUnit == "ge-0/0/2.0" && routed.toZone == "dc")
        // IPv6 default route.
        let v6 = Self.classifier.classify(Self.tcp("2001:db8:10::5", "2001:db8:beef::1", port: 443), vlan: 10)
        #expect(v6.toZone == "untrust")
    }

    @Test("traffic to the device's own addresses goes to junos-host")
    func junosHost() throws {
        let result = Self.classifier.classify(Self.tcp("10.10.10.5", "10.10.10.1", port: 22), vlan: 10)
        #expect(result.toZone == "junos-host" && result.egressUnit == nil)
        let decision = try #require(Self.decision(result))
        #expect(decision.policy?.name == "mgmt" && decision.serviceName == "junos-ssh")
    }

    @Test("drops before the policy: discard route, no route either way, unzoned units")
    func drops() throws {
        #expect(Self.classifier.classify(Self.tcp("10.10.10.5", "10.99.1.1", port: 80), vlan: 10).verdict == .dropped(.routeDiscards))
        let text = """
            set interfaces ge-0/0/0 unit 0 family inet address 10.0.0.1/24
            set interfaces ge-0/0/1 unit 0 family inet address 10.1.0.1/24
            set interfaces ge-0/0/2 unit 0 family inet address 10.2.0.1/24
            set security zones security-zone a interfaces ge-0/0/0.0
            set security zones security-zone b interfaces ge-0/0/1.0

            """
        let small = FirstPacketClassifier(config: try DeviceConfig.load(text: text, file: "small.set").config)
        #expect(small.classify(Self.tcp("10.0.0.5", "192.0.2.1", port: 80), vlan: nil).verdict == .dropped(.noRoute))
        #expect(small.classify(Self.tcp("192.0.2.1", "10.0.0.5", port: 80), vlan: nil).verdict == .dropped(.noIngressInterface))
        // ge-0/0/2.0 is in no zone: nothing enters or leaves through it.
        #expect(small.classify(Self.tcp("10.2.0.5", "10.0.0.5", port: 80), vlan: nil).verdict == .dropped(.interfaceNotInZone))
        #expect(small.classify(Self.tcp("10.0.0.5", "10.2.0.5", port: 80), vlan: nil).verdict == .dropped(.interfaceNotInZone))
        // Between a and b with no policy: the default policy denies.
        let decision = try #require(Self.decision(small.classify(Self.tcp("10.0.0.5", "10.1.0.5", port: 80), vlan: nil)))
        #expect(decision.policy == nil && decision.action == .deny)
    }

    @Test("zone-pair policies in order: application sets, then any-ipv6, then the catch-all")
    func order() throws {
        let web = try #require(Self.decision(Self.classifier.classify(Self.tcp("10.10.10.5", "203.0.113.9", port: 8081), vlan: 10)))
        #expect(web.policy?.name == "web" && web.serviceName == "alt-web" && web.action.isPermit)
        let https = try #require(Self.decision(Self.classifier.classify(Self.tcp("10.10.10.5", "203.0.113.9", port: 443), vlan: 10)))
        #expect(https.policy?.name == "web" && https.serviceName == "junos-https")
        // Not web: IPv4 falls through v6-only to the reject; IPv6 stops at v6-only.
        let v4 = try #require(Self.decision(Self.classifier.classify(Self.tcp("10.10.10.5", "203.0.113.9", port: 25), vlan: 10)))
        #expect(v4.policy?.name == "rest" && v4.action == .reject && v4.serviceName == "junos-smtp")
        let v6 = try #require(
            Self.decision(Self.classifier.classify(Self.tcp("2001:db8:10::5", "2001:db8:beef::1", port: 25), vlan: 10)))
        #expect(v6.policy?.name == "v6-only")
        // `application any` on a port no application has: service-name None.
        let unknown = try #require(Self.decision(Self.classifier.classify(Self.tcp("10.10.10.5", "203.0.113.9", port: 8443), vlan: 10)))
        #expect(unknown.policy?.name == "rest" && unknown.serviceName == "None")
    }

    @Test("excluded destinations, then global policies, then the default policy")
    func exclusionsGlobalDefault() throws {
        let print = try #require(Self.decision(Self.classifier.classify(Self.tcp("10.10.20.7", "10.10.10.40", port: 631), vlan: 20)))
        #expect(print.policy?.name == "print")
        // The printer on another port: not-printer excludes the inside set, so it does not
        // match; nothing else in guest→trust does: the default policy denies.
        let other = try #require(Self.decision(Self.classifier.classify(Self.tcp("10.10.20.7", "10.10.10.40", port: 22), vlan: 20)))
        #expect(other.policy == nil && other.action == .deny && other.serviceName == "junos-ssh")
        let excluded = try #require(Self.decision(Self.classifier.classify(Self.tcp("10.10.20.7", "10.10.10.41", port: 22), vlan: 20)))
        #expect(excluded.policy?.name == "not-printer" && excluded.action == .deny)
        // Global: partners' range, from untrust, to any zone.
        let partner = try #require(Self.decision(Self.classifier.classify(Self.tcp("198.18.0.12", "10.10.20.7", port: 22), vlan: nil)))
        #expect(partner.policy?.name == "partners-in" && partner.policy?.isGlobal == true)
        let stranger = try #require(Self.decision(Self.classifier.classify(Self.tcp("198.18.0.30", "10.10.20.7", port: 22), vlan: nil)))
        #expect(stranger.policy == nil && stranger.action == .deny)
    }

    @Test("ICMP matches by type: echo requests are junos-icmp-ping")
    func icmp() throws {
        let ping = FlowKey(
            source: IPAddress("10.10.10.5")!, destination: IPAddress("203.0.113.9")!, ipProtocol: 1, sourcePort: 4242,
            destinationPort: 1, icmpType: 8, icmpCode: 0)
        let decision = try #require(Self.decision(Self.classifier.classify(ping, vlan: 10)))
        #expect(decision.policy?.name == "rest" && decision.serviceName == "junos-icmp-ping")
    }
}
