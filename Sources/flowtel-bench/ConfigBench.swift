import JunosConfig

/// Configuration parsing benchmark for `make bench`.
enum ConfigBench {
    /// `flowtel-bench config-parse N`: builds an N-line set-style configuration in memory and
    /// times ``ConfigParser/parse(text:file:)`` on it with the monotonic clock.
    static func parse(lines count: Int) throws {
        let text = makeSetConfiguration(lines: count)
        let start = CodecBench.now()
        let parsed = try ConfigParser.parse(text: text, file: "bench.conf")
        let seconds = Double(CodecBench.now() - start) / 1e9
        let rate = seconds > 0 ? Int((Double(count) / seconds).rounded()) : 0
        // Then the typed layer on the parsed tree: DeviceConfig with every reference checked.
        let checkStart = CodecBench.now()
        let check = DeviceConfig.check(parsed)
        let checkSeconds = Double(CodecBench.now() - checkStart) / 1e9
        print(
            "config-parse lines=\(count) bytes=\(text.utf8.count) seconds=\(seconds) lines-per-second=\(rate)"
                + " top-level=\(parsed.tree.statements.count) statements=\(countStatements(parsed.tree.statements))"
                + " warnings=\(parsed.warnings.count) check-seconds=\(checkSeconds)"
                + " policies=\(check.config.policies.all.count) check-errors=\(check.errors.count)")
    }

    /// Every statement in the tree, so the parse result is used.
    static func countStatements(_ statements: [Statement]) -> Int {
        statements.reduce(0) { $0 + 1 + countStatements($1.children) }
    }

    /// A set-style configuration of exactly `count` lines, as `show configuration | display set`
    /// prints one: interfaces with units, zones, address-book addresses and address-sets,
    /// applications with ports, policies with match, then and log lines, and source and
    /// destination NAT rules, repeated with new names until the count is reached.
    static func makeSetConfiguration(lines count: Int) -> String {
        var lines: [String] = []
        lines.reserveCapacity(count + 16)
        lines.append("set system host-name srx-bench")
        lines.append("set security nat source rule-set trust-to-untrust from zone trust")
        lines.append("set security nat source rule-set trust-to-untrust to zone untrust")
        lines.append("set security nat destination rule-set from-untrust from zone untrust")
        var block = 0
        while lines.count < count {
            let n = block
            let (a, b, c) = (n / 65536 % 256, n / 256 % 256, n % 256)
            let port = "ge-0/0/\(n % 48)"
            let unit = n / 48 % 4000 + 1
            let zone = ["trust", "untrust", "dmz", "guest"][n % 4]
            let peerZone = ["untrust", "trust", "untrust", "untrust"][n % 4]
            let app = "app-\(n)"
            let policy = "from-zone \(zone) to-zone \(peerZone) policy p-\(n)"
            lines.append("set interfaces \(port) vlan-tagging")
            lines.append("set interfaces \(port) unit \(unit) vlan-id \(unit)")
            lines.append("set interfaces \(port) unit \(unit) family inet address 10.\(b).\(c).1/24")
            lines.append("set interfaces \(port) unit \(unit) description \"bench unit \(n)\"")
            lines.append(
                "set security zones security-zone \(zone) interfaces \(port).\(unit)"
                    + " host-inbound-traffic system-services ping")
            lines.append("set security address-book global address host-\(n) 172.\(16 + a % 16).\(b).\(c)/32")
            lines.append("set security address-book global address net-\(n) 10.\(b).\(c).0/24")
            lines.append("set security address-book global address-set set-\(n / 8) address host-\(n)")
            lines.append("set applications application \(app) protocol \(n % 3 == 0 ? "udp" : "tcp")")
            lines.append("set applications application \(app) destination-port \(1024 + n % 60000)-\(1030 + n % 60000)")
            lines.append("set applications application \(app) inactivity-timeout \(60 + n % 3600)")
            lines.append("set security policies \(policy) match source-address net-\(n)")
            lines.append("set security policies \(policy) match destination-address set-\(n / 8)")
            lines.append("set security policies \(policy) match application [ \(app) junos-https ]")
            lines.append("set security policies \(policy) then \(n % 10 == 9 ? "deny" : "permit")")
            lines.append("set security policies \(policy) then log session-init")
            lines.append("set security policies \(policy) then log session-close")
            lines.append("set security policies \(policy) then count")
            lines.append("set security nat source rule-set trust-to-untrust rule r-\(n) match source-address 10.\(b).\(c).0/24")
            lines.append("set security nat source rule-set trust-to-untrust rule r-\(n) then source-nat interface")
            lines.append("set security nat destination pool dpool-\(n) address 192.168.\(c).\(1 + b % 254)/32 port \(8000 + n % 1000)")
            lines.append("set security nat destination rule-set from-untrust rule d-\(n) match destination-address 203.0.\(c).\(b)/32")
            lines.append("set security nat destination rule-set from-untrust rule d-\(n) then destination-nat pool dpool-\(n)")
            block += 1
        }
        lines.removeLast(lines.count - count)
        return lines.joined(separator: "\n") + "\n"
    }
}
