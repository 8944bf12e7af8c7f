import Testing

@testable import JunosConfig

@Suite("Parser")
struct ParserTests {
    @Test("the same configuration in set and curly syntax gives equal trees")
    func bothSyntaxesAgree() throws {
        let curly = try ConfigParser.parse(text: Fixtures.curly, file: "srx1.conf")
        let set = try ConfigParser.parse(text: Fixtures.set, file: "srx1.set")
        #expect(curly.syntax == .curly)
        #expect(set.syntax == .set)
        #expect(curly.tree == set.tree)
        #expect(curly.warnings.isEmpty && set.warnings.isEmpty)
        #expect(curly.tree.formatted(as: .set) == set.tree.formatted(as: .set))
    }

    @Test("statements become a trie of words, values included")
    func trie() throws {
        let tree = try ConfigParser.parse(text: Fixtures.curly, file: "srx1.conf").tree
        #expect(tree.statement(at: ["system", "host-name"])?.childKeywords == ["srx1"])
        #expect(tree.statement(at: ["system", "host-name", "srx1"])?.isLeaf == true)
        #expect(
            tree.statement(at: ["interfaces", "ge-0/0/0", "description"])?.childKeywords == ["uplink to ISP A"])
        #expect(
            tree.statement(at: ["system", "login", "message"])?.childKeywords == [#"Authorised access only "srx1""#])
        let match = ["security", "policies", "from-zone", "trust", "to-zone", "untrust", "policy", "allow-web", "match"]
        #expect(tree.statement(at: match + ["application"])?.childKeywords == ["junos-http", "junos-https"])
        #expect(tree.statement(at: ["security", "policies", "from-zone"])?.childKeywords == ["trust", "untrust"])
        #expect(
            tree.statement(at: ["security", "zones", "security-zone", "trust", "interfaces"])?.childKeywords
                == ["ge-0/0/1.100"])
        #expect(tree.statements.map(\.keyword) == ["system", "interfaces", "security", "applications"])
    }

    @Test("locations point at the word that created each statement")
    func locations() throws {
        let tree = try ConfigParser.parse(text: Fixtures.curly, file: "srx1.conf").tree
        let hostName = try #require(tree.statement(at: ["system", "host-name", "srx1"]))
        #expect(hostName.location == SourceLocation(file: "srx1.conf", line: 3, column: 15))
        let set = try ConfigParser.parse(text: Fixtures.set, file: "srx1.set").tree
        #expect(set.statement(at: ["system", "services", "netconf"])?.location.description == "srx1.set:4:21")
    }

    @Test("inactive: marks the last word of its statement, the node deactivate marks")
    func inactive() throws {
        let tree = try ConfigParser.parse(text: Fixtures.curly, file: "srx1.conf").tree
        #expect(tree.statement(at: ["interfaces", "ge-0/0/1", "unit", "200"])?.isInactive == true)
        #expect(tree.statement(at: ["interfaces", "ge-0/0/1", "unit"])?.isInactive == false)
        #expect(tree.statement(at: ["interfaces", "ge-0/0/1", "unit", "100"])?.isInactive == false)
        let prefixed = try ConfigParser.parse(text: "protect: inactive: system host-name srx1;", file: "p").tree
        let leaf = try #require(prefixed.statement(at: ["system", "host-name", "srx1"]))
        #expect(leaf.isInactive && leaf.isProtected)
    }

    @Test("set lines accept a trailing ';', comments and blank lines")
    func setLineForms() throws {
        let a = try ConfigParser.parse(text: "set system host-name srx1;\n\n# c\nset system ntp server 192.0.2.1 # trailing", file: "a")
        let b = try ConfigParser.parse(text: "system { host-name srx1; ntp server 192.0.2.1; }", file: "b")
        #expect(a.tree == b.tree)
    }

    @Test("delete removes a subtree or a leaf and empty containers above it; absent paths warn")
    func delete() throws {
        let text = """
            set system host-name srx1
            set system services ssh
            set system services telnet
            set interfaces ge-0/0/0 unit 0 family inet address 10.0.0.1/24
            delete system services telnet
            delete interfaces ge-0/0/0 unit 0 family inet address 10.0.0.1/24
            delete system ntp
            """
        let parsed = try ConfigParser.parse(text: text, file: "d.set")
        #expect(parsed.tree.formatted(as: .set) == "set system host-name srx1\nset system services ssh\n")
        #expect(parsed.warnings.count == 1)
        #expect(parsed.warnings[0].kind == .statementNotFound)
        #expect(parsed.warnings[0].description == "d.set:7:1: warning: statement not found: 'system ntp' (delete ignored)")
        let all = try ConfigParser.parse(text: "set system host-name srx1\ndelete\nset a b", file: "d")
        #expect(all.tree.formatted(as: .set) == "set a b\n")
    }

    @Test("deactivate, activate, protect and unprotect set flags; absent paths warn")
    func flags() throws {
        let text = """
            set security policies from-zone trust to-zone untrust policy p1 then permit
            set security policies from-zone trust to-zone untrust policy p2 then deny
            deactivate security policies from-zone trust to-zone untrust policy p1
            deactivate security policies from-zone trust to-zone untrust policy p2
            activate security policies from-zone trust to-zone untrust policy p2
            protect security policies
            deactivate security nat
            """
        let parsed = try ConfigParser.parse(text: text, file: "f.set")
        let policies = ["security", "policies", "from-zone", "trust", "to-zone", "untrust", "policy"]
        #expect(parsed.tree.statement(at: policies + ["p1"])?.isInactive == true)
        #expect(parsed.tree.statement(at: policies + ["p2"])?.isInactive == false)
        #expect(parsed.tree.statement(at: ["security", "policies"])?.isProtected == true)
        #expect(parsed.warnings.map(\.location.line) == [7])
    }

    @Test("syntax detection looks at the first significant token")
    func detection() throws {
        #expect(try ConfigParser.parse(text: "# c\n/* x */\n\n deactivate a", file: "x").syntax == .set)
        #expect(try ConfigParser.parse(text: "", file: "x").syntax == .curly)
        #expect(try ConfigParser.parse(text: "\"set\" a;", file: "x").syntax == .curly)
        #expect(try ConfigParser.parse(text: "system { }", file: "x").tree.statements.map(\.keyword) == ["system"])
    }
}
