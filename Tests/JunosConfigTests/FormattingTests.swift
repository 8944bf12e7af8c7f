import Testing

@testable import JunosConfig

@Suite("Formatting")
struct FormattingTests {
    @Test("set → curly → set gives identical text", arguments: [Fixtures.set, Fixtures.curly, Fixtures.groups])
    func setCurlySet(text: String) throws {
        let set = try ConfigParser.parse(text: text, file: "in").tree.formatted(as: .set)
        let curly = try ConfigParser.parse(text: set, file: "set").tree.formatted(as: .curly)
        let again = try ConfigParser.parse(text: curly, file: "curly").tree.formatted(as: .set)
        #expect(again == set)
    }

    @Test("curly → set → curly gives identical text", arguments: [Fixtures.set, Fixtures.curly, Fixtures.groups])
    func curlySetCurly(text: String) throws {
        let curly = try ConfigParser.parse(text: text, file: "in").tree.formatted(as: .curly)
        let set = try ConfigParser.parse(text: curly, file: "curly").tree.formatted(as: .set)
        let again = try ConfigParser.parse(text: set, file: "set").tree.formatted(as: .curly)
        #expect(again == curly)
    }

    @Test("set form: one line per leaf, quoting where needed, deactivate after the statement's lines")
    func setForm() throws {
        let text = """
            interfaces {
                ge-0/0/0 {
                    description "uplink to ISP A";
                    inactive: unit 200 {
                        vlan-id 200;
                    }
                    unit 0;
                }
            }
            """
        let set = try ConfigParser.parse(text: text, file: "x").tree.formatted(as: .set)
        #expect(
            set == """
                set interfaces ge-0/0/0 description "uplink to ISP A"
                set interfaces ge-0/0/0 unit 200 vlan-id 200
                deactivate interfaces ge-0/0/0 unit 200
                set interfaces ge-0/0/0 unit 0

                """)
    }

    @Test("curly form: 4-space indent, single-child chains on one line, inactive: prefix")
    func curlyForm() throws {
        let curly = try ConfigParser.parse(text: Fixtures.set, file: "x").tree.formatted(as: .curly)
        let expectedStart = """
            system {
                host-name srx1;
                services {
                    ssh;
                    netconf ssh;
                }
                login message "Authorised access only \\"srx1\\"";
            }
            interfaces {
                ge-0/0/0 {
                    description "uplink to ISP A";
                    unit 0 family inet address 203.0.113.2/30;
                }
                ge-0/0/1 {
                    vlan-tagging;
                    unit {
                        100 {
                            vlan-id 100;
                            family {
                                inet address 10.1.0.1/24;
                                inet6 address 2001:db8:100::1/64;
                            }
                        }
                        inactive: 200 {
                            vlan-id 200;
                            family inet address 10.2.0.1/24;
                        }
                    }
                }
            }

            """
        #expect(curly.hasPrefix(expectedStart))
        #expect(curly.contains("    policies from-zone {\n        trust to-zone untrust policy allow-web {\n"))
        #expect(curly.contains("            application [ junos-http junos-https ];\n") == false)
        #expect(curly.contains("                application {\n                    junos-http;\n                    junos-https;\n"))
    }

    @Test("words that would read back differently are quoted")
    func quoting() throws {
        let words = ["a b", "", "x;y", "{", "inactive:", "#x", "/*x", #"q"q"#, #"b\s"#, "set"]
        var tree = ConfigTree()
        tree.statements = words.map { Statement(keyword: $0, location: .init(file: "", line: 1, column: 1)) }
        for syntax in [ConfigSyntax.set, .curly] {
            let text = tree.formatted(as: syntax)
            let parsed = try ConfigParser.parse(text: text, file: "q")
            #expect(parsed.syntax == syntax)
            #expect(parsed.tree == tree, "\(text)")
        }
    }
}
