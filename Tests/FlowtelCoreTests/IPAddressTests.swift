import FlowtelCore
import Testing

@Suite("IP addresses and prefixes")
struct IPAddressTests {
    @Test("IPv4 text round-trips", arguments: ["0.0.0.0", "10.1.0.25", "255.255.255.255", "198.51.100.10"])
    func ipv4RoundTrip(text: String) throws {
        let address = try #require(IPAddress(text))
        #expect(address.description == text)
        #expect(address.bytes.count == 4)
        #expect(IPAddress(bytes: address.bytes) == address)
    }

    @Test(
        "IPv6 renders in RFC 5952 form",
        arguments: [
            ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
            ("::", "::"),
            ("::1", "::1"),
            ("fd00:0:0:1::25", "fd00:0:0:1::25"),
            ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
            ("2001:db8:1:1:1:1:1:1", "2001:db8:1:1:1:1:1:1"),
            ("::ffff:10.0.0.1", "::ffff:a00:1"),
            ("fe80::", "fe80::"),
        ])
    func ipv6Canonical(input: String, expected: String) throws {
        let address = try #require(IPAddress(input))
        #expect(address.description == expected)
        #expect(IPAddress(bytes: address.bytes) == address)
    }

    @Test("invalid text is rejected", arguments: ["", "1.2.3", "1.2.3.256", "1.2.3.4.5", "a.b.c.d", "1::2::3", "12345::", ":1", "1:2:3:4:5:6:7:8:9"])
    func invalid(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test("bytes of other lengths are rejected")
    func badBytes() {
        #expect(IPAddress(bytes: [1, 2, 3]) == nil)
        #expect(IPAddress(bytes: [UInt8](repeating: 0, count: 15)) == nil)
    }

    @Test("prefixes contain exactly their addresses")
    func prefixes() throws {
        let v4 = try #require(IPPrefix("10.0.0.0/8"))
        #expect(v4.contains(IPAddress("10.255.1.2")!))
        #expect(!v4.contains(IPAddress("11.0.0.0")!))
        #expect(!v4.contains(IPAddress("::a00:1")!))
        let host = try #require(IPPrefix("192.0.2.7"))
        #expect(host.length == 32 && host.contains(IPAddress("192.0.2.7")!) && !host.contains(IPAddress("192.0.2.8")!))
        let v6 = try #require(IPPrefix("2001:db8::/32"))
        #expect(v6.contains(IPAddress("2001:db8:ffff::1")!))
        #expect(!v6.contains(IPAddress("2001:db9::1")!))
        let odd = try #require(IPPrefix("2001:db8:8000::/33"))
        #expect(odd.contains(IPAddress("2001:db8:8000::1")!) && !odd.contains(IPAddress("2001:db8:7fff::1")!))
        #expect(try #require(IPPrefix("0.0.0.0/0")).contains(IPAddress("203.0.113.1")!))
        #expect(IPPrefix("10.0.0.0/33") == nil)
        #expect(IPPrefix("10.0.0.300/8") == nil)
        #expect(IPPrefix("10.1.2.3/8")?.description == "10.0.0.0/8")
    }

    @Test("protocol names resolve as Junos names them")
    func protocols() {
        #expect(IPProtocol.number("tcp") == 6)
        #expect(IPProtocol.number("ICMP6") == 58)
        #expect(IPProtocol.number("47") == 47)
        #expect(IPProtocol.number("256") == nil)
        #expect(IPProtocol.number("bogus") == nil)
        #expect(IPProtocol.name(17) == "udp")
        #expect(IPProtocol.name(200) == "200")
    }
}

@Suite("Event vocabulary")
struct VocabularyTests {
    @Test("close reasons render as SRX writes them")
    func closeReasons() {
        #expect(CloseReason.tcpFin.description == "TCP FIN")
        #expect(CloseReason.tcpClientRst.description == "TCP CLIENT RST")
        #expect(CloseReason.tcpServerRst.description == "TCP SERVER RST")
        #expect(CloseReason.responseReceived.description == "response received")
        #expect(CloseReason.idleTimeout.description == "idle Timeout")
        #expect(CloseReason.icmpError.description == "ICMP error")
        #expect(CloseReason.closedByALG.description == "Closed by junos-alg")
        #expect(CloseReason.applicationFailure.description == "application failure or action")
        #expect(Set(CloseReason.allCases.map(\.description)).count == CloseReason.allCases.count)
    }

    @Test("NAT rule types render as the text form's two words")
    func natRuleTypes() {
        #expect(NatRuleType.none.description == "N/A")
        #expect(NatRuleType.source.description == "source rule")
        #expect(NatRuleType.static.description == "static rule")
        #expect(NatRuleType.destination.description == "destination rule")
    }

    @Test("timestamps render as RFC 3339 UTC with milliseconds")
    func timestamps() {
        #expect(Timestamp(unixNanos: 0).rfc3339 == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp(unixNanos: 1_795_946_400_123_456_789).rfc3339 == "2026-11-29T10:00:00.123Z")
        #expect(Timestamp(unixNanos: 951_782_400_000_000_000).rfc3339 == "2000-02-29T00:00:00.000Z")
    }

    @Test("boot ids print as 16 hex digits and parse back")
    func bootIDs() {
        let boot = BootID(0xAB)
        #expect(boot.description == "00000000000000ab")
        #expect(BootID(hex: boot.description) == boot)
        #expect(BootID(hex: "xyz") == nil)
        #expect(BootID.random().rawValue != 0)
    }

    @Test("event kinds parse from their --kinds names")
    func kinds() {
        for kind in EventKind.allCases { #expect(EventKind(name: kind.description) == kind) }
        #expect(EventKind(name: "session") == nil)
        #expect(Payload.gap(Gap(bootID: BootID(1), firstSeq: 1, lastSeq: 2, reason: .evicted)).kind == nil)
    }
}
