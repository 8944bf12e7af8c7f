import FlowtelCore
import Testing

@testable import FlowEngine

/// The session table: lookups by every wing, timeouts, the size limit.
@Suite("Session table")
struct SessionTableTests {
    static func wing(_ source: String, _ sourcePort: UInt16, _ destination: String, _ destinationPort: UInt16) -> WingKey {
        WingKey(
            source: IPAddress(source)!, destination: IPAddress(destination)!, sourcePort: sourcePort,
            destinationPort: destinationPort, ipProtocol: 6)
    }

    static func at(_ seconds: UInt64) -> Timestamp { Timestamp(unixNanos: seconds * 1_000_000_000) }

    @Test("a session is found by its In wing, its Out wing and, under NAT, the reverse of its In wing")
    func lookups() throws {
        var table = SessionTable<String>(capacity: 10)
        let clientToServer = Self.wing("10.0.0.5", 40000, "192.0.2.10", 443)
        // Source NAT to 203.0.113.2:40000: replies come back to the NAT address.
        let serverToClient = Self.wing("192.0.2.10", 443, "203.0.113.2", 40000)
        let handle = try table.inserted("s1", clientToServer: clientToServer, serverToClient: serverToClient)
        #expect(table.find(clientToServer)?.handle == handle)
        #expect(table.find(clientToServer)?.direction == .fromClient)
        #expect(table.find(serverToClient)?.direction == .fromServer)
        #expect(table.find(clientToServer.reversed)?.direction == .fromServer)
        #expect(table.find(serverToClient.reversed) == nil)
        #expect(table[handle] == "s1")
        table[handle] = "s1 updated"
        #expect(table[handle] == "s1 updated")
        // A second session may not claim a wing of the first.
        #expect(table.insert("s2", clientToServer: clientToServer, serverToClient: Self.wing("192.0.2.10", 443, "10.0.0.9", 1)) == nil)
        #expect(table.count == 1)
        #expect(table.remove(handle) == "s1 updated")
        #expect(table.find(clientToServer) == nil && table.find(serverToClient) == nil && table.find(clientToServer.reversed) == nil)
        // The slot is reused, and the old handle does not reach the new session.
        let next = try table.inserted("s3", clientToServer: clientToServer, serverToClient: clientToServer.reversed)
        #expect(table[handle] == nil && table[next] == "s3")
    }

    @Test("sessions over several pages of slots keep their values and wings as the table grows")
    func pages() throws {
        var table = SessionTable<Int>(capacity: 20_000)
        func inWing(_ n: Int) -> WingKey { Self.wing("10.0.\(n >> 8).\(n & 0xFF)", 40000, "192.0.2.10", 443) }
        var handles: [SessionHandle] = []
        for n in 0..<10_000 {
            handles.append(try table.inserted(n, clientToServer: inWing(n), serverToClient: inWing(n).reversed))
        }
        for n in [0, 4_095, 4_096, 8_191, 8_192, 9_999] {
            #expect(table.find(inWing(n))?.handle == handles[n])
            #expect(table.find(inWing(n).reversed)?.direction == .fromServer)
            #expect(table[handles[n]] == n)
            #expect(table.withSession(handles[n]) { session -> Int in
                session += 1
                return session
            } == n + 1)
        }
        #expect(table.remove(handles[4_096]) == 4_097)
        #expect(table.find(inWing(4_096)) == nil)
        #expect(table.handles.count == 9_999)
    }

    @Test("under churn (most sessions leaving, new ones arriving, the index growing) every wing still finds its session")
    func churn() throws {
        var table = SessionTable<Int>(capacity: 10_000)
        var live: [Int: SessionHandle] = [:]
        func wings(_ n: Int) -> (WingKey, WingKey) {
            // Source NAT on every third session: a third wing in the index.
            let inWing = Self.wing("10.\(n >> 16).\((n >> 8) & 0xFF).\(n & 0xFF)", UInt16(1024 + n % 50_000), "192.0.2.1", 443)
            let nat = n % 3 == 0 ? "203.0.113.\(n % 250 + 1)" : "10.\(n >> 16).\((n >> 8) & 0xFF).\(n & 0xFF)"
            return (inWing, Self.wing("192.0.2.1", 443, nat, UInt16(1024 + n % 50_000)))
        }
        var next = 0
        for round in 0..<20 {
            for _ in 0..<(round < 5 ? 1_500 : 400) {
                let (inWing, outWing) = wings(next)
                live[next] = try table.inserted(next, clientToServer: inWing, serverToClient: outWing)
                next += 1
            }
            // Every other session, then the oldest ones, leave.
            for n in live.keys.sorted() where n % 2 == round % 2 || n < next - 3_000 {
                #expect(table.remove(live[n]!) == n)
                live[n] = nil
            }
            for n in max(0, next - 4_000)..<next {
                let (inWing, outWing) = wings(n)
                let expected = live[n]
                #expect(table.find(inWing)?.handle == expected)
                #expect(table.find(outWing)?.handle == expected)
                #expect(table.find(inWing.reversed)?.handle == expected)
            }
        }
        #expect(table.count == live.count)
    }

    @Test("a full table refuses new sessions until one leaves")
    func capacity() throws {
        var table = SessionTable<Int>(capacity: 2)
        let a = try table.inserted(1, clientToServer: Self.wing("10.0.0.1", 1, "10.0.1.1", 80), serverToClient: Self.wing("10.0.1.1", 80, "10.0.0.1", 1))
        _ = try table.inserted(2, clientToServer: Self.wing("10.0.0.2", 1, "10.0.1.1", 80), serverToClient: Self.wing("10.0.1.1", 80, "10.0.0.2", 1))
        #expect(table.insert(3, clientToServer: Self.wing("10.0.0.3", 1, "10.0.1.1", 80), serverToClient: Self.wing("10.0.1.1", 80, "10.0.0.3", 1)) == nil)
        table.remove(a)
        #expect(table.insert(3, clientToServer: Self.wing("10.0.0.3", 1, "10.0.1.1", 80), serverToClient: Self.wing("10.0.1.1", 80, "10.0.0.3", 1)) != nil)
    }

    @Test("sessions expire in time order; extending a timeout moves it, shortening it too; never never expires")
    func expiry() throws {
        var table = SessionTable<String>(capacity: 100)
        var handles: [String: SessionHandle] = [:]
        for (index, name) in ["a", "b", "c", "d"].enumerated() {
            let key = Self.wing("10.0.0.\(index + 1)", 1000, "192.0.2.1", 80)
            handles[name] = try table.inserted(name, clientToServer: key, serverToClient: key.reversed)
        }
        table.expire(handles["a"]!, in: 30, now: Self.at(100))
        table.expire(handles["b"]!, in: 10, now: Self.at(100))
        table.expire(handles["c"]!, in: 60, now: Self.at(100))
        table.expire(handles["d"]!, in: nil, now: Self.at(100))
        #expect(table.expiry(handles["b"]!) == Self.at(110))
        // Traffic on b at 105 extends it to 135; c is shortened to 2 s (an ended session).
        table.expire(handles["b"]!, in: 30, now: Self.at(105))
        table.expire(handles["c"]!, in: 2, now: Self.at(105))
        #expect(table.removeExpired(now: Self.at(106)).map(\.session) == [])
        #expect(table.removeExpired(now: Self.at(110)).map(\.session) == ["c"])
        #expect(table.removeExpired(now: Self.at(130)).map(\.session) == ["a"])
        #expect(table.removeExpired(now: Self.at(134)).map(\.session) == [])
        #expect(table.removeExpired(now: Self.at(135)).map(\.session) == ["b"])
        #expect(table.removeExpired(now: Self.at(1_000_000)).map(\.session) == [])
        #expect(table.count == 1 && table[handles["d"]!] == "d" && table.expiry(handles["d"]!) == nil)
    }

    @Test("many sessions with refreshed timeouts expire exactly when their last refresh says")
    func manyRefreshes() throws {
        var table = SessionTable<Int>(capacity: 1000)
        var handles: [SessionHandle] = []
        for index in 0..<500 {
            let key = WingKey(
                source: IPAddress.v4(0x0A00_0000 + UInt32(index)), destination: IPAddress("192.0.2.1")!, sourcePort: 1,
                destinationPort: 80, ipProtocol: 17)
            let handle = try table.inserted(index, clientToServer: key, serverToClient: key.reversed)
            table.expire(handle, in: 60, now: Self.at(0))
            handles.append(handle)
        }
        // Even sessions see traffic every 10 s until t=100; odd ones never again.
        for time in stride(from: UInt64(10), through: 100, by: 10) {
            let removed = table.removeExpired(now: Self.at(time))
            if time == 60 {
                #expect(removed.count == 250 && removed.allSatisfy { $0.session % 2 == 1 })
            } else {
                #expect(removed.isEmpty)
            }
            for (index, handle) in handles.enumerated() where index % 2 == 0 { table.expire(handle, in: 60, now: Self.at(time)) }
        }
        #expect(table.count == 250)
        #expect(table.removeExpired(now: Self.at(159)).isEmpty)
        let last = table.removeExpired(now: Self.at(160))
        #expect(last.count == 250 && last.allSatisfy { $0.session % 2 == 0 })
        #expect(table.count == 0)
    }
}

struct InsertFailed: Error {}

extension SessionTable {
    /// `insert`, failing the test when the table refuses.
    mutating func inserted(_ session: Session, clientToServer: WingKey, serverToClient: WingKey) throws -> SessionHandle {
        guard let handle = insert(session, clientToServer: clientToServer, serverToClient: serverToClient) else {
            throw InsertFailed()
        }
        return handle
    }
}
