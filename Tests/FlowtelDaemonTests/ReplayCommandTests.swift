import Foundation
import Testing

/// `flowtel replay`: the engine over a capture, offline.
@Suite("flowtel replay")
struct ReplayCommandTests {
    /// Every kind of NAT, no deny policy: any denial would be a reply that missed its session.
    static let config = """
        set system host-name replay-test
        set interfaces ge-0/0/0 unit 0 family inet address 203.0.113.2/27
        set interfaces ge-0/0/1 unit 0 family inet address 172.16.100.1/24
        set interfaces ge-0/0/2 unit 0 family inet address 10.1.0.1/16
        set routing-options static route 0.0.0.0/0 next-hop 203.0.113.1
        set security zones security-zone internet interfaces ge-0/0/0.0
        set security zones security-zone web interfaces ge-0/0/1.0
        set security zones security-zone office interfaces ge-0/0/2.0
        set security address-book global address web1 172.16.100.11/32
        set security address-book global address mx 172.16.100.25/32
        set applications application web-alt protocol tcp destination-port 8080
        set security nat destination pool web-pool address 172.16.100.11/32 port 8080
        set security nat destination rule-set in from zone internet
        set security nat destination rule-set in rule vip match destination-address 203.0.113.10/32 destination-port 443 protocol tcp
        set security nat destination rule-set in rule vip then destination-nat pool web-pool
        set security nat static rule-set st from zone internet
        set security nat static rule-set st rule mx match destination-address 203.0.113.25/32
        set security nat static rule-set st rule mx then static-nat prefix 172.16.100.25/32
        set security nat source pool out-pool address 203.0.113.20/32 to 203.0.113.23/32
        set security nat source pool out-pool port range 20000 to 20999
        set security nat source rule-set out from zone office
        set security nat source rule-set out to zone internet
        set security nat source rule-set out rule all match source-address 10.1.0.0/16
        set security nat source rule-set out rule all then source-nat pool out-pool
        set security policies from-zone internet to-zone web policy in match source-address any destination-address web1 application web-alt
        set security policies from-zone internet to-zone web policy in then permit
        set security policies from-zone internet to-zone web policy in then log session-init session-close
        set security policies from-zone internet to-zone web policy smtp match source-address any destination-address mx application junos-smtp
        set security policies from-zone internet to-zone web policy smtp then permit
        set security policies from-zone internet to-zone web policy smtp then log session-close
        set security policies from-zone office to-zone internet policy out match source-address any destination-address any application [ junos-https junos-dns-udp junos-ping ]
        set security policies from-zone office to-zone internet policy out then permit
        set security policies from-zone office to-zone internet policy out then log session-init session-close
        set security policies default-policy permit-all

        """

    /// Captured before NAT on the clients' side, replies carry the original addresses and match
    /// by the reversed In wing, whatever ports the engine's NAT picks.
    @Test("traffic captured before NAT, with destination, static and pool NAT, replays with every reply in its session")
    func natReplay() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flowtel-replay-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = directory.appendingPathComponent("nat.set").path
        try Self.config.write(toFile: config, atomically: true, encoding: .utf8)
        let pcap = directory.appendingPathComponent("nat.pcap").path
        let generate = try Run.binary("flowtel", ["generate", "--config", config, "--sessions", "400", "--seed", "3", "--capture-point", "client-link", "--out", pcap])
        #expect(generate.status == 0, "\(generate.stderr)")

        let replay = try Run.binary("flowtel", ["replay", "--config", config, "--pcap", pcap, "--age-out"], timeout: 120)
        #expect(replay.status == 0, "\(replay.stderr)")
        // Nothing was denied or dropped: every reply found its session.
        #expect(replay.stderr.contains(" 0 open, 0 denied, 0 failed"), "\(replay.stderr)")
        #expect(!replay.stderr.contains("dropped"), "\(replay.stderr)")
        var creates: [Int: [String: Any]] = [:]
        var closes: [Int: [String: Any]] = [:]
        for line in replay.stdout.split(separator: "\n") {
            let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let id = try #require(record["session-id-32"] as? Int)
            switch record["event"] as? String {
            case "RT_FLOW_SESSION_CREATE": creates[id] = record
            case "RT_FLOW_SESSION_CLOSE": closes[id] = record
            default: Issue.record("unexpected \(line)")
            }
        }
        #expect(!creates.isEmpty)
        // Every logged create is closed (all but the smtp policy log both).
        for (id, create) in creates { #expect(closes[id] != nil, "\(create)") }
        let kinds = Set(closes.values.compactMap { close -> String? in
            switch (close["nat-source-address"] as? String, close["nat-destination-address"] as? String) {
            case ("203.0.113.20", _): "source pool"
            case (_, "172.16.100.11"): "destination pool"
            case (_, "172.16.100.25"): "static"
            default: nil
            }
        })
        #expect(kinds == ["source pool", "destination pool", "static"])
        for close in closes.values where close["nat-destination-address"] as? String == "172.16.100.11" {
            #expect(close["destination-address"] as? String == "203.0.113.10" && close["destination-port"] as? Int == 443)
            #expect(close["nat-destination-port"] as? Int == 8080)
            #expect((close["packets-from-server"] as? Int ?? 0) > 0)
        }
        for close in closes.values where close["nat-source-address"] as? String == "203.0.113.20" {
            #expect((20000...20999).contains(close["nat-source-port"] as? Int ?? 0))
            #expect((close["packets-from-server"] as? Int ?? 0) > 0)
        }
    }
}

extension ReplayCommandTests {
    @Test("idle sessions close at the moment their timeout ran out, not when time was advanced")
    func idleCloseTime() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flowtel-replay-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = directory.appendingPathComponent("nat.set").path
        try Self.config.write(toFile: config, atomically: true, encoding: .utf8)
        let pcap = directory.appendingPathComponent("nat.pcap").path
        _ = try Run.binary("flowtel", ["generate", "--config", config, "--sessions", "50", "--seed", "8", "--out", pcap])
        let replay = try Run.binary("flowtel", ["replay", "--config", config, "--pcap", pcap, "--age-out"], timeout: 120)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var checked = 0
        for line in replay.stdout.split(separator: "\n") {
            let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            guard record["reason"] as? String == "idle Timeout", let time = record["time"] as? String,
                let closed = formatter.date(from: time)
            else { continue }
            // The generated traffic starts 2026-01-01; a DNS session idles out 60 s after its last packet.
            #expect(closed < formatter.date(from: "2026-01-01T00:10:00.000Z")!, "\(time)")
            checked += 1
        }
        #expect(checked > 0)
    }
}
