import FlowtelTestSupport
import Testing

@testable import JunosConfig

@Suite("Robustness")
struct RobustnessTests {
    private static let alphabet = Array("{};[]\"\\#/* \n\tainctve:protect:setdel<>é".utf8)

    private static func mutate(_ input: [UInt8], using rng: inout SplitMix64) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<5, using: &rng) {
            case 0 where !bytes.isEmpty:
                bytes.removeSubrange(position..<min(bytes.count, position + Int.random(in: 1...20, using: &rng)))
            case 1:
                bytes.insert(alphabet.randomElement(using: &rng)!, at: position)
            case 2 where !bytes.isEmpty:
                bytes[position] = alphabet.randomElement(using: &rng)!
            case 3 where !bytes.isEmpty:
                let end = min(bytes.count, position + Int.random(in: 1...80, using: &rng))
                bytes.insert(contentsOf: bytes[position..<end], at: Int.random(in: 0...bytes.count, using: &rng))
            default:
                bytes.insert(UInt8.random(in: 0...255, using: &rng), at: position)
            }
        }
        return bytes
    }

    @Test("5,000 mutated configurations each parse or throw, and what parses prints back stably")
    func mutations() throws {
        var rng = SplitMix64(state: 0x5EED_F10E)
        let seeds = [Fixtures.curly, Fixtures.set, Fixtures.groups].map { Array($0.utf8) }
        var parsed = 0
        var failed = 0
        for round in 0..<5_000 {
            let text = String(decoding: Self.mutate(seeds[round % seeds.count], using: &rng), as: UTF8.self)
            do {
                let result = try ConfigParser.parse(text: text, file: "mutant")
                parsed += 1
                // Whatever parses must print to a text that parses back to the same tree.
                for syntax in [ConfigSyntax.set, .curly] {
                    let printed = result.tree.formatted(as: syntax)
                    let again = try ConfigParser.parse(text: printed, file: "printed")
                    #expect(again.tree == result.tree, "round \(round)")
                }
            } catch {
                failed += 1
            }
        }
        print("mutations: \(parsed) parsed, \(failed) rejected")
        #expect(parsed + failed == 5_000)
    }

    @Test("a 50,000-line set configuration parses (throughput printed, not asserted)")
    func largeSetConfig() throws {
        var lines: [String] = []
        lines.reserveCapacity(50_000)
        for index in 0..<50_000 {
            let a = (index >> 8) & 0xFF
            let b = index & 0xFF
            switch index % 5 {
            case 0:
                lines.append("set security address-book global address host-\(index) 10.\(a).\(b).1/32")
            case 1:
                lines.append("set security address-book global address-set set-\(index / 100) address host-\(index - 1)")
            case 2:
                lines.append(
                    "set security policies from-zone trust to-zone untrust policy p-\(index) match source-address host-\(index - 2)")
            case 3:
                lines.append(
                    "set security policies from-zone trust to-zone untrust policy p-\(index - 1) match application [ junos-http junos-https ]")
            default:
                lines.append(
                    "set security policies from-zone trust to-zone untrust policy p-\(index - 2) then log session-close;")
            }
        }
        let text = lines.joined(separator: "\n")
        let clock = ContinuousClock()
        var result: ParsedConfig?
        let elapsed = try clock.measure { result = try ConfigParser.parse(text: text, file: "big.set") }
        let parsed = try #require(result)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("50,000 set lines parsed in \(elapsed): \(Int(50_000 / seconds)) lines/s")
        let addresses = parsed.tree.statement(at: ["security", "address-book", "global", "address"])
        #expect(addresses?.children.count == 10_000)
        let policies = parsed.tree.statement(
            at: ["security", "policies", "from-zone", "trust", "to-zone", "untrust", "policy"])
        #expect(policies?.children.count == 10_000)
    }
}
