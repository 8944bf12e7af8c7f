import Testing

@testable import JunosConfig

/// `set` lines that continue after a single-valued statement, as people type them.
@Suite("Set lines with several statements")
struct SetLineSchemaTests {
    @Test("a line continues after a single-valued statement at that statement's level")
    func continuation() throws {
        let chained = """
            set security flow aging early-ageout 2 high-watermark 90 low-watermark 50
            set applications application web protocol tcp destination-port 8080-8081 inactivity-timeout 60
            set security policies from-zone a to-zone b policy p match source-address any destination-address any application any
            set chassis fpc 1 error major threshold 2 action alarm
            set security nat destination rule-set r rule x match destination-port 80 to 90 protocol tcp
            set security policies from-zone a to-zone b policy q match destination-address x destination-address-excluded application any
            set security policies from-zone a to-zone b policy q then log session-init session-close

            """
        let separate = """
            set security flow aging early-ageout 2
            set security flow aging high-watermark 90
            set security flow aging low-watermark 50
            set applications application web protocol tcp
            set applications application web destination-port 8080-8081
            set applications application web inactivity-timeout 60
            set security policies from-zone a to-zone b policy p match source-address any
            set security policies from-zone a to-zone b policy p match destination-address any
            set security policies from-zone a to-zone b policy p match application any
            set chassis fpc 1 error major threshold 2
            set chassis fpc 1 error major action alarm
            set security nat destination rule-set r rule x match destination-port 80 to 90
            set security nat destination rule-set r rule x match protocol tcp
            set security policies from-zone a to-zone b policy q match destination-address x
            set security policies from-zone a to-zone b policy q match destination-address-excluded
            set security policies from-zone a to-zone b policy q match application any
            set security policies from-zone a to-zone b policy q then log session-init
            set security policies from-zone a to-zone b policy q then log session-close

            """
        let a = try ConfigParser.parse(text: chained, file: "a")
        let b = try ConfigParser.parse(text: separate, file: "b")
        #expect(a.tree == b.tree)
        #expect(a.tree.formatted(as: .set) == b.tree.formatted(as: .set))
    }

    @Test("container names and values with their own children are not split")
    func noSplit() throws {
        let text = """
            set interfaces ge-0/0/0 unit 0 family inet address 10.0.0.1/24 primary
            set security nat source pool p address 192.0.2.1/32 to 192.0.2.9/32
            set security screen ids-option s icmp ping-death
            set chassis cluster redundancy-group 1 node 0 priority 200
            set firewall filter f term t from source-address 10.0.0.0/8 except

            """
        let parsed = try ConfigParser.parse(text: text, file: "n")
        #expect(parsed.tree.formatted(as: .set) == text)
        #expect(parsed.tree.statement(at: ["interfaces", "ge-0/0/0", "unit", "0", "family", "inet", "address", "10.0.0.1/24", "primary"]) != nil)
        #expect(parsed.tree.statement(at: ["chassis", "cluster", "redundancy-group", "1", "node", "0", "priority", "200"]) != nil)
        // Outside the hierarchies flowtel interprets, words nest as written.
        #expect(parsed.tree.statement(at: ["firewall", "filter", "f", "term", "t", "from", "source-address", "10.0.0.0/8", "except"]) != nil)
    }

    @Test("a bracketed list belongs to the last statement of the line")
    func bracketList() throws {
        let parsed = try ConfigParser.parse(
            text: "set security policies from-zone a to-zone b policy p match source-address any application [ junos-http junos-https ]\n",
            file: "l")
        let match = try #require(parsed.tree.statement(at: ["security", "policies", "from-zone", "a", "to-zone", "b", "policy", "p", "match"]))
        #expect(match.childKeywords == ["source-address", "application"])
        #expect(match.child("application")?.childKeywords == ["junos-http", "junos-https"])
    }
}
