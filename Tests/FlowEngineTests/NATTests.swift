import FlowtelCore
import JunosConfig
import Testing

@testable import FlowEngine

/// NAT rule selection and source port allocation.
@Suite("NAT")
struct NATTests {
    static let config = """
        set interfaces ge-0/0/0 unit 0 family inet address 203.0.113.2/27
        set interfaces ge-0/0/1 unit 0 family inet address 172.16.100.1/24
        set interfaces ge-0/0/2 unit 0 family inet address 10.1.0.1/16
        set security zones security-zone internet interfaces ge-0/0/0.0
        set security zones security-zone web interfaces ge-0/0/1.0
        set security zones security-zone office interfaces ge-0/0/2.0
        set security address-book global address vip 203.0.113.10/32
        set security nat static rule-set st from zone internet
        set security nat static rule-set st rule mx match destination-address 203.0.113.24/30
        set security nat static rule-set st rule mx then static-nat prefix 172.16.100.24/30
        set security nat destination pool web-pool address 172.16.100.11/32 port 8080
        set security nat destination rule-set in from zone internet
        set security nat destination rule-set in rule keep-ssh match destination-address-name vip destination-port 22
        set security nat destination rule-set in rule keep-ssh then destination-nat off
        set security nat destination rule-set in rule vip match destination-address-name vip destination-port 443 protocol tcp
        set security nat destination rule-set in rule vip then destination-nat pool web-pool
        set security nat source pool out-pool address 203.0.113.20/32 to 203.0.113.21/32
        set security nat source pool out-pool port range 20000 to 20003
        set security nat source rule-set office-out from zone office
        set security nat source rule-set office-out to zone internet
        set security nat source rule-set office-out rule keep match source-address 10.1.5.0/24
        set security nat source rule-set office-out rule keep then source-nat off
        set security nat source rule-set office-out rule all match source-address 10.1.0.0/16
        set security nat source rule-set office-out rule all then source-nat pool out-pool
        set security nat source rule-set by-interface from interface ge-0/0/2.0
        set security nat source rule-set by-interface to zone internet
        set security nat source rule-set by-interface rule dns match destination-port 53
        set security nat source rule-set by-interface rule dns then source-nat interface

        """

    static let rules: NATRules = {
        NATRules(config: try! DeviceConfig.load(text: Self.config, file: "nat.set").config)
    }()

    static func key(_ source: String, _ destination: String, _ port: UInt16, ipProtocol: UInt8 = 6) -> FlowKey {
        FlowKey(
            source: IPAddress(source)!, destination: IPAddress(destination)!, ipProtocol: ipProtocol, sourcePort: 40000,
            destinationPort: port)
    }

    @Test("static NAT maps a subnet host for host, before destination NAT")
    func staticNAT() throws {
        let translation = try #require(Self.rules.destination(zone: "internet", unit: "ge-0/0/0.0", key: Self.key("198.51.100.9", "203.0.113.26", 25)))
        #expect(translation.kind == .static && translation.rule == "mx")
        #expect(translation.address == IPAddress("172.16.100.26")! && translation.port == nil)
        // Outbound from the published host: the reverse mapping, whatever source NAT says.
        let reverse = try #require(
            Self.rules.source(fromZone: "web", fromUnit: "ge-0/0/1.0", toZone: "internet", toUnit: "ge-0/0/0.0", key: Self.key("172.16.100.25", "198.51.100.9", 25)))
        #expect(reverse.kind == .static && reverse.action == .address(IPAddress("203.0.113.25")!))
    }

    @Test("destination NAT: rules in order, off stops, the pool gives address and port")
    func destinationNAT() throws {
        let https = try #require(Self.rules.destination(zone: "internet", unit: "ge-0/0/0.0", key: Self.key("198.51.100.9", "203.0.113.10", 443)))
        #expect(https.kind == .destination && https.ruleSet == "in" && https.rule == "vip")
        #expect(https.address == IPAddress("172.16.100.11")! && https.port == 8080)
        #expect(Self.rules.destination(zone: "internet", unit: "ge-0/0/0.0", key: Self.key("198.51.100.9", "203.0.113.10", 22)) == nil)
        // UDP/443 is not in the rule's protocols; other zones have no rule set.
        #expect(Self.rules.destination(zone: "internet", unit: "ge-0/0/0.0", key: Self.key("198.51.100.9", "203.0.113.10", 443, ipProtocol: 17)) == nil)
        #expect(Self.rules.destination(zone: "office", unit: "ge-0/0/2.0", key: Self.key("10.1.0.9", "203.0.113.10", 443)) == nil)
    }

    @Test("source NAT: the interface context wins over the zone; rules in order; off stops")
    func sourceNAT() throws {
        func source(_ from: String, _ to: String, _ port: UInt16) -> NATRules.SourceTranslation? {
            Self.rules.source(fromZone: "office", fromUnit: "ge-0/0/2.0", toZone: "internet", toUnit: "ge-0/0/0.0", key: Self.key(from, to, port))
        }
        // DNS matches the interface rule set first.
        #expect(source("10.1.2.3", "198.51.100.53", 53)?.action == .interface)
        #expect(source("10.1.2.3", "198.51.100.53", 53)?.ruleSet == "by-interface")
        // Other ports: no rule of the interface rule set matches, so the zone rule set is tried.
        let web = try #require(source("10.1.2.3", "198.51.100.80", 443))
        #expect(web.ruleSet == "office-out" && web.rule == "all")
        guard case .pool(let pool) = web.action else { Issue.record("expected a pool"); return }
        #expect(pool.name == "out-pool")
        #expect(source("10.1.5.3", "198.51.100.80", 443) == nil)
    }

    @Test("port allocation keeps the source port when free, then walks the range; no-translation keeps ports")
    func allocation() throws {
        var allocator = SourcePortAllocator()
        func allocate(
            _ source: String, _ port: UInt16, _ ipProtocol: UInt8 = 6, _ addresses: [NATAddressRange],
            _ translation: SourceNATPool.PortTranslation
        ) -> SourcePortAllocator.Allocation? {
            allocator.allocate(
                source: IPAddress(source)!, sourcePort: port, ipProtocol: ipProtocol, addresses: addresses,
                translation: translation)
        }
        let interface = [NATAddressRange(prefix: IPPrefix("203.0.113.2/32")!)]
        let a = try #require(allocate("10.1.2.3", 40000, 6, interface, .automatic))
        #expect(a.address == IPAddress("203.0.113.2")! && a.port == 40000)
        let b = try #require(allocate("10.1.2.4", 40000, 6, interface, .automatic))
        #expect(b.port == 40001)
        // Another protocol has its own ports.
        let udp = try #require(allocate("10.1.2.4", 40000, 17, interface, .automatic))
        #expect(udp.port == 40000)
        allocator.release(a)
        #expect(allocator.inUseCount(address: a.address, ipProtocol: 6) == 1)
        // A port outside the configured range maps to the same place modulo the range's size.
        let low = try #require(allocate("10.1.2.5", 80, 6, interface, .range(PortRange(30000, 30010))))
        #expect(low.port == 30000 + 80 % 11)
        #expect(SourcePortAllocator.preferredPort(for: 80, in: PortRange(30000, 30010)) == 30003)
        #expect(SourcePortAllocator.preferredPort(for: 30005, in: PortRange(30000, 30010)) == 30005)

        // A 2-address pool with 4 ports: 8 allocations fit, the 9th fails.
        let pool = [NATAddressRange(low: IPAddress("203.0.113.20")!, high: IPAddress("203.0.113.21")!)]
        var taken: Set<String> = []
        for index in 0..<8 {
            let allocation = try #require(allocate("10.1.0.\(index + 1)", 50000, 6, pool, .range(PortRange(20000, 20003))))
            #expect((20000...20003).contains(allocation.port))
            taken.insert("\(allocation.address):\(allocation.port)")
        }
        #expect(taken.count == 8)
        #expect(allocate("10.1.0.99", 50000, 6, pool, .range(PortRange(20000, 20003))) == nil)

        // no-translation: the port is kept; another client's same port takes the other address;
        // a third finds none.
        let first = try #require(allocate("10.9.0.1", 5555, 6, pool, .none))
        let second = try #require(allocate("10.9.0.2", 5555, 6, pool, .none))
        #expect(first.port == 5555 && second.port == 5555 && first.address != second.address)
        #expect(allocate("10.9.0.3", 5555, 6, pool, .none) == nil)
    }

    @Test("sessions of one client endpoint share its translation until the last one ends")
    func sharedMapping() throws {
        var allocator = SourcePortAllocator()
        let interface = [NATAddressRange(prefix: IPPrefix("203.0.113.2/32")!)]
        func allocate(_ source: String, _ port: UInt16) -> SourcePortAllocator.Allocation? {
            allocator.allocate(
                source: IPAddress(source)!, sourcePort: port, ipProtocol: 1, addresses: interface, translation: .automatic)
        }
        // Three echoes of one ping (same identifier): one translation.
        let echo1 = try #require(allocate("10.1.2.3", 4242))
        let echo2 = try #require(allocate("10.1.2.3", 4242))
        #expect(echo1 == echo2)
        // Another host's ping with the same identifier gets another one.
        let other = try #require(allocate("10.1.2.4", 4242))
        #expect(other.port != echo1.port)
        allocator.release(echo1)
        #expect(allocator.inUseCount(address: echo1.address, ipProtocol: 1) == 2)
        allocator.release(echo2)
        #expect(allocator.inUseCount(address: echo1.address, ipProtocol: 1) == 1)
        #expect(try #require(allocate("10.1.2.5", 4242)).port == 4242)
    }
}
