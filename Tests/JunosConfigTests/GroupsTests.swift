import Testing

@testable import JunosConfig

@Suite("Groups")
struct GroupsTests {
    @Test("apply-groups merges group contents at its level; explicit values win; groups are removed")
    func expansion() throws {
        let parsed = try ConfigParser.parse(text: Fixtures.groups, file: "g.conf")
        #expect(
            parsed.effective.formatted(as: .set) == """
                set system host-name srx1
                set system ntp server 192.0.2.1
                set system domain-name example.net
                set system services ssh
                set interfaces ge-0/0/0 description uplink
                set interfaces ge-0/0/0 unit 0
                set interfaces ge-0/0/0 mtu 9192

                """)
        // The tree as written keeps groups and apply-groups for printing back.
        #expect(parsed.tree.statement(at: ["groups", "common", "system", "host-name", "base"]) != nil)
        #expect(parsed.tree.statement(at: ["apply-groups"])?.childKeywords == ["common", "missing"])
    }

    @Test("an unknown group and an unsupported wildcard are warnings with locations")
    func warnings() throws {
        let parsed = try ConfigParser.parse(text: Fixtures.groups, file: "g.conf")
        #expect(parsed.warnings.map(\.kind) == [.unknownGroup, .unsupportedGroupWildcard])
        #expect(parsed.warnings.map(\.location.description) == ["g.conf:23:23", "g.conf:17:13"])
    }

    @Test("the first group listed wins over later ones; inactive groups and statements are ignored")
    func precedence() throws {
        let text = """
            set groups a system host-name from-a
            set groups b system host-name from-b
            set groups b system time-zone UTC
            set groups b system location building-1
            deactivate groups b system location
            set groups c system domain-name c.example
            deactivate groups c
            set apply-groups [ a b c ]
            """
        let parsed = try ConfigParser.parse(text: text, file: "p.set")
        #expect(
            parsed.effective.formatted(as: .set)
                == "set system host-name from-a\nset system time-zone UTC\n")
        #expect(parsed.warnings.isEmpty)
    }

    @Test("a configuration in both syntaxes expands to the same effective tree")
    func bothSyntaxes() throws {
        let curly = try ConfigParser.parse(text: Fixtures.groups, file: "g.conf")
        let set = try ConfigParser.parse(text: curly.tree.formatted(as: .set), file: "g.set")
        #expect(set.effective == curly.effective)
    }

    @Test("without groups the effective tree is the tree as written")
    func noGroups() throws {
        let parsed = try ConfigParser.parse(text: Fixtures.curly, file: "srx1.conf")
        #expect(parsed.effective == parsed.tree)
    }

    @Test("an inactive apply-groups applies nothing but is still removed")
    func inactiveApplyGroups() throws {
        let text = "groups { g { system host-name base; } }\ninactive: apply-groups g;\nsystem ntp;"
        let parsed = try ConfigParser.parse(text: text, file: "i.conf")
        #expect(parsed.effective.formatted(as: .set) == "set system ntp\n")
        #expect(parsed.warnings.isEmpty)
    }
}
