import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `flowtel show services flowtel subscribers` against the real flowteld.
@Suite("show services flowtel subscribers", .serialized)
struct ShowSubscribersTests {
    @Test("produced, retained and evicted events, and each subscriber's name, policy, sent, dropped and lag")
    func counters() throws {
        let (daemon, port) = try FileOutputHarness.daemon(["--test-publisher", "sessions:2000"])
        defer { FileOutputHarness.stop(daemon) }
        let subscriber = Process()
        subscriber.executableURL = Binaries.url("flowtel")
        subscriber.arguments = [
            "subscribe", "--target", "127.0.0.1:\(port)", "--from-oldest", "--format", "count", "--name", "beta",
        ]
        subscriber.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        try subscriber.run()
        defer {
            kill(subscriber.processIdentifier, SIGKILL)
            subscriber.waitUntilExit()
        }
        var text = ""
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            text = try SubscribeSQLiteOutputTests.run([
                "show", "services", "flowtel", "subscribers", "--target", "127.0.0.1:\(port)",
            ]).stdout
            let row = text.split(separator: "\n").last?.split(separator: " ", omittingEmptySubsequences: true) ?? []
            if row.count == 8 && row[4...].map(String.init) == ["2000", "0", "0", "0"] { break }
            usleep(100_000)
        }
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.count == 6, "\(text)")
        #expect(lines.count > 1 && lines[1] == "Events produced: 2000, oldest retained seq: 1", "\(text)")
        #expect(lines.count > 2 && lines[2].hasSuffix("bytes, events evicted: 0"), "\(text)")
        #expect(lines.count > 3 && lines[3] == "Subscribers: 1, disconnected as slow consumers: 0", "\(text)")
        #expect(lines.count > 4 && lines[4].split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            == ["ID", "Name", "Peer", "Policy", "Sent", "Dropped", "(slow)", "Lag", "(events)", "Lag", "(bytes)"], "\(text)")
        let row = lines.count > 5 ? lines[5].split(separator: " ", omittingEmptySubsequences: true).map(String.init) : []
        #expect(row.count == 8, "\(text)")
        #expect(row.count == 8 && row[1] == "beta" && row[2].hasPrefix("ipv4:127.0.0.1:") && row[3] == "drop", "\(text)")
        #expect(row.count == 8 && row[4...] == ["2000", "0", "0", "0"], "\(text)")
    }
}
