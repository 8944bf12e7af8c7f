import Testing

@testable import JunosConfig

/// Errors of meaning name the file, line and column of the offending word and say what was
/// expected; unknown statements are warnings; nothing here throws.
@Suite("Device configuration errors")
struct DeviceConfigErrorTests {
    struct Case: Sendable, CustomStringConvertible {
        var lines: [String]
        var kind: ConfigError.Kind
        var line: Int
        var column: Int
        var message: String
        var description: String { message }
    }

    private static let zones = [
        "set interfaces ge-0/0/0 unit 0 family inet address 192.0.2.1/24",
        "set interfaces ge-0/0/1 unit 0 family inet address 10.0.0.1/24",
        "set security zones security-zone untrust interfaces ge-0/0/0.0",
        "set security zones security-zone trust interfaces ge-0/0/1.0",
    ]

    private static func policy(_ name: String, _ match: String, then: String = "permit") -> [String] {
        let prefix = "set security policies from-zone trust to-zone untrust policy \(name)"
        return ["\(prefix) match \(match)", "\(prefix) then \(then)"]
    }

    static let cases: [Case] = [
        Case(
            lines: ["set interfaces ge-0/0/0 unit 0 vlan-id 5000"], kind: .invalidValue, line: 1, column: 40,
            message: "'vlan-id' must be a VLAN id (1-4094), found '5000'"),
        Case(
            lines: ["set interfaces ge-0/0/0 unit 0 family inet address 10.0.0.300/24"], kind: .invalidValue, line: 1,
            column: 52, message: "'address' under family inet must be an IPv4 address/length, found '10.0.0.300/24'"),
        Case(
            lines: ["set interfaces ge-0/0/0 unit 0 family inet6 address 10.0.0.1/24"], kind: .invalidValue, line: 1,
            column: 53, message: "'address' under family inet6 must be an IPv6 address/length, found '10.0.0.1/24'"),
        Case(
            lines: ["set applications application web protocol tcp destination-port 70000"], kind: .invalidValue,
            line: 1, column: 64,
            message: "'destination-port' must be a port (0-65535), a port name or a range LOW-HIGH, found '70000'"),
        Case(
            lines: ["set applications application web protocol bogus"], kind: .invalidValue, line: 1, column: 43,
            message: "'protocol' must be a protocol name (tcp, udp, icmp, icmp6, …) or 0-255, found 'bogus'"),
        Case(
            lines: ["set applications application web destination-port 80"], kind: .invalidValue, line: 1, column: 30,
            message: "ports need 'protocol tcp', 'udp' or 'sctp' in 'web'"),
        Case(
            lines: ["set applications application web protocol tcp inactivity-timeout 2"], kind: .invalidValue, line: 1, column: 66,
            message: "'inactivity-timeout' must be 4-86400 seconds or 'never', found '2'"),
        Case(
            lines: zones + policy("p1", "source-address nowhere destination-address any application any"),
            kind: .undefinedReference, line: 5, column: 86,
            message: "address 'nowhere' is not defined in the global address book or a book attached to zone 'trust'"),
        Case(
            lines: zones + policy("p1", "source-address any destination-address any application junos-nope"),
            kind: .undefinedReference, line: 5, column: 126,
            message: "application or application-set 'junos-nope' is not defined"),
        Case(
            lines: zones + ["set security policies from-zone trust to-zone dmz policy p match source-address any destination-address any application any", "set security policies from-zone trust to-zone dmz policy p then deny"],
            kind: .undefinedReference, line: 5, column: 47, message: "zone 'dmz' is not defined"),
        Case(
            lines: zones + ["set security policies from-zone trust to-zone untrust policy p match source-address any"],
            kind: .missingValue, line: 5, column: 62,
            message: "policy 'p' is missing match destination-address, match application, then permit|deny|reject"),
        Case(
            lines: zones + policy("p", "source-address any destination-address any application any", then: "permit")
                + ["set security policies from-zone trust to-zone untrust policy p then deny"],
            kind: .conflictingStatements, line: 7, column: 69,
            message: "policy 'p' has more than one of permit, deny and reject"),
        Case(
            lines: zones + [
                "set security nat source rule-set rs from zone trust",
                "set security nat source rule-set rs to zone untrust",
                "set security nat source rule-set rs rule r match source-address 10.0.0.0/8",
                "set security nat source rule-set rs rule r then source-nat pool missing-pool",
            ], kind: .undefinedReference, line: 8, column: 65, message: "source NAT pool 'missing-pool' is not defined"),
        Case(
            lines: zones + [
                "set security nat destination rule-set rs from zone untrust",
                "set security nat destination rule-set rs rule r match destination-address 192.0.2.10/32",
                "set security nat destination rule-set rs rule r then destination-nat pool web",
            ], kind: .undefinedReference, line: 7, column: 75, message: "destination NAT pool 'web' is not defined"),
        Case(
            lines: zones + ["set security nat source rule-set rs from zone nowhere", "set security nat source rule-set rs to zone untrust"],
            kind: .undefinedReference, line: 5, column: 47, message: "zone 'nowhere' is not defined"),
        Case(
            lines: zones + ["set security nat source rule-set rs from zone trust", "set security nat source rule-set rs rule r then source-nat interface"],
            kind: .missingValue, line: 5, column: 34, message: "source NAT rule-set 'rs' needs 'to'"),
        Case(
            lines: ["set security address-book global address-set s address missing"], kind: .undefinedReference,
            line: 1, column: 56, message: "address 'missing' is not defined in address book 'global'"),
        Case(
            lines: ["set security address-book global address-set s address-set s"], kind: .invalidValue, line: 1,
            column: 46, message: "address-set 's' contains itself"),
        Case(
            lines: ["set applications application-set s application nope"], kind: .undefinedReference, line: 1,
            column: 48, message: "application 'nope' is not defined"),
        Case(
            lines: ["set security address-book global address a range-address 10.0.0.9 to 10.0.0.1"],
            kind: .invalidValue, line: 1, column: 70, message: "range-address 10.0.0.9 to 10.0.0.1 is empty or mixes address families"),
        Case(
            lines: ["set security address-book global address a foo"], kind: .invalidValue, line: 1, column: 44,
            message: "address 'a' must be an IP prefix, 'range-address', 'wildcard-address' or 'dns-name', found 'foo'"),
        Case(
            lines: zones + ["set security zones security-zone dmz interfaces ge-0/0/1.0"], kind: .duplicateDefinition,
            line: 5, column: 49, message: "interface 'ge-0/0/1.0' is already in zone 'trust'; an interface belongs to one zone"),
        Case(
            lines: ["set security flow tcp-session strict-syn-check", "set security flow tcp-session no-syn-check"],
            kind: .conflictingStatements, line: 1, column: 19, message: "'strict-syn-check' cannot be combined with 'no-syn-check'"),
        Case(
            lines: ["set security flow tcp-session tcp-initial-timeout 400"], kind: .invalidValue, line: 1, column: 51,
            message: "'tcp-initial-timeout' must be seconds (4-300), found '400'"),
        Case(
            lines: ["set security flow aging high-watermark 50 low-watermark 80"], kind: .conflictingStatements,
            line: 1, column: 19, message: "aging low-watermark (80) must not exceed high-watermark (50)"),
        Case(
            lines: ["set chassis fpc 0 error major threshold 0"], kind: .invalidValue, line: 1, column: 41,
            message: "'threshold' must be an error count (1-1024), found '0'"),
        Case(
            lines: ["set chassis fpc 0 error minor action explode"], kind: .invalidValue, line: 1, column: 38,
            message: "'action' must be one of alarm, disable-pfe, get-state, log, offline, offline-pfe, reset, reset-pfe, trap, report, found 'explode'"),
        Case(
            lines: ["set services flowtel replay-buffer-size lots"], kind: .invalidValue, line: 1, column: 41,
            message: "'replay-buffer-size' must be a size in bytes (e.g. 65536, 64k, 256m), found 'lots'"),
        Case(
            lines: ["set services flowtel spus 65"], kind: .invalidValue, line: 1, column: 27,
            message: "'spus' must be an SPU count (1-64), found '65'"),
        Case(
            lines: ["set services flowtel maximum-sessions 0"], kind: .invalidValue, line: 1, column: 39,
            message: "'maximum-sessions' must be a session count (1-100000000), found '0'"),
        Case(
            lines: ["set services flowtel tls certificate /etc/cert.pem"], kind: .missingValue, line: 1, column: 22,
            message: "'tls' needs both 'certificate' and 'key'"),
        Case(
            lines: ["set system host-name"], kind: .missingValue, line: 1, column: 12,
            message: "expected a host name after 'host-name'"),
    ]

    @Test("each error names the word, what was wrong and what was expected", arguments: cases)
    func error(_ testCase: Case) throws {
        let text = testCase.lines.joined(separator: "\n") + "\n"
        let check = try DeviceConfig.check(text: text, file: "bad.set")
        let error = try #require(check.errors.first, "no error for: \(text)")
        #expect(check.errors.count == 1, "\(check.errors)")
        #expect(error.kind == testCase.kind)
        #expect(error.message == testCase.message)
        #expect(error.location == SourceLocation(file: "bad.set", line: testCase.line, column: testCase.column))
        #expect(!check.isValid)
        // `load` refuses the configuration with the same first error.
        #expect(throws: error) { try DeviceConfig.load(text: text, file: "bad.set") }
    }

    @Test("unknown statements are warnings at their first unknown word; the rest still builds")
    func unknownStatements() throws {
        let text = """
            set system host-name fw1
            set system login user admin class super-user
            set snmp community public authorization read-only
            set security zones security-zone trust frobnicate yes
            set security zones security-zone trust interfaces ge-0/0/1.0

            """
        let check = try DeviceConfig.check(text: text, file: "w.set")
        #expect(check.errors.isEmpty)
        #expect(check.warnings.map(\.kind) == [.unknownStatement, .unknownStatement, .unknownStatement, .unconfiguredInterface])
        #expect(check.warnings.map(\.location.line) == [2, 3, 4, 5])
        #expect(check.warnings[0].description == "w.set:2:12: warning: statement 'login' under 'system' is not used by flowtel (kept, ignored)")
        #expect(check.warnings[1].message == "statement 'snmp' at the top level is not used by flowtel (kept, ignored)")
        #expect(check.warnings[3].message == "interface 'ge-0/0/1.0' is not configured under 'interfaces'")
        #expect(check.config.hostName == "fw1")
        #expect(check.config.zone(named: "trust")?.interfaces.map(\.name) == ["ge-0/0/1.0"])
        // Kept: the statement is still in the tree and prints back.
        #expect(check.parsed.tree.formatted(as: .set).contains("set snmp community public authorization read-only\n"))
    }

    @Test("several errors are all reported, in text order")
    func severalErrors() throws {
        let text = """
            set interfaces ge-0/0/0 unit 0 vlan-id 0
            set security zones security-zone a interfaces ge-0/0/0.0
            set security policies from-zone a to-zone b policy p match source-address x destination-address any application any
            set security policies from-zone a to-zone b policy p then permit

            """
        let check = try DeviceConfig.check(text: text, file: "m.set")
        #expect(check.errors.map(\.location.line) == [1, 3, 3])
        #expect(check.errors.map(\.kind) == [.invalidValue, .undefinedReference, .undefinedReference])
    }

    @Test("a syntax error is thrown, not collected")
    func syntaxError() {
        #expect(throws: ConfigError.self) { try DeviceConfig.check(text: "system {\n", file: "s.conf") }
    }
}
