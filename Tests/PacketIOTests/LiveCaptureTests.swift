import Dispatch
import FlowtelCore
import Foundation
import PacketIO
import NetworkTestSupport
import Packets
import Synchronization
import Testing

/// Live capture on a veth pair whose far end sits in a private network namespace.
///
/// The capture runs in this process on the end left in the root namespace; traffic is sent from
/// the namespace to the root end's 10.250.x.1/30 address only, so nothing leaves the pair.
@Suite("LiveCapture", .serialized, .enabled(if: VethPair.isSupported, "needs root and `ip netns` (network namespaces)"))
struct LiveCaptureTests {
    @Test("captures ICMP echo, UDP and a TCP SYN sent across a veth pair, and counts them")
    func capturesTraffic() throws {
        let pair = try VethPair(prefix: "ft", network: 250)
        defer { pair.remove() }
        let capture = try LiveCapture(.init(interface: pair.rootInterface, immediateMode: true))
        defer { capture.close() }
        #expect(capture.linkType == .ethernet)

        try pair.ping(count: 3)
        try pair.runInNamespace(["python3", "-c", """
            import socket
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.sendto(b"flowtel", ("\(pair.rootAddress)", 40001))
            """])
        try pair.runInNamespace(["python3", "-c", """
            import socket
            try:
                socket.create_connection(("\(pair.rootAddress)", 40002), timeout=2).close()
            except OSError:
                pass
            """])

        let root = try #require(IPAddress(pair.rootAddress))
        let peer = try #require(IPAddress(pair.namespaceAddress))
        var echoRequests = 0, echoReplies = 0, udp = 0, syn = 0, captured = 0
        let done = { echoRequests >= 3 && echoReplies >= 3 && udp >= 1 && syn >= 1 }
        try readUntil(capture, done) { packet in
            captured += 1
            guard let decoded = try? PacketDecoder(linkType: packet.linkType).decode(packet.bytes, wireLength: packet.wireLength),
                let ip = decoded.ip
            else { return }
            #expect(packet.capturedLength == packet.bytes.count)
            #expect(packet.timestamp.seconds > 1_700_000_000)
            switch decoded.transport {
            case .icmp(let icmp) where icmp.type == 8 && ip.source == peer && ip.destination == root:
                echoRequests += 1
            case .icmp(let icmp) where icmp.type == 0 && ip.source == root && ip.destination == peer:
                echoReplies += 1
            case .udp(let header) where header.destinationPort == 40001 && ip.source == peer && ip.destination == root:
                #expect(header.payloadLength == 7)
                udp += 1
            case .tcp(let header)
            where header.destinationPort == 40002 && header.flags.contains(.syn) && !header.flags.contains(.ack)
                && ip.source == peer && ip.destination == root:
                syn += 1
            default: break
            }
        }
        #expect(echoRequests >= 3)
        #expect(echoReplies >= 3)
        #expect(udp == 1)
        #expect(syn >= 1)

        let statistics = try capture.statistics()
        #expect(statistics.received >= UInt64(captured))
        #expect(statistics.droppedByKernel == 0)
    }

    @Test("a BPF filter keeps only the packets it matches")
    func filter() throws {
        let pair = try VethPair(prefix: "ft", network: 250)
        defer { pair.remove() }
        let capture = try LiveCapture(.init(interface: pair.rootInterface, filter: "icmp", immediateMode: true))
        defer { capture.close() }

        try pair.runInNamespace(["python3", "-c", """
            import socket
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.sendto(b"not icmp", ("\(pair.rootAddress)", 40001))
            """])
        try pair.ping(count: 2)

        var echoRequests = 0, other = 0, nonICMP = 0
        try readUntil(capture, { echoRequests >= 2 }) { packet in
            let decoded = try? PacketDecoder(linkType: packet.linkType).decode(packet.bytes, wireLength: packet.wireLength)
            switch decoded?.transport {
            case .icmp(let icmp) where icmp.type == 8: echoRequests += 1
            case .icmp: other += 1  // echo replies, and the port unreachable the UDP datagram provokes
            default: nonICMP += 1
            }
        }
        #expect(echoRequests == 2)
        #expect(nonICMP == 0)
    }

    @Test("an invalid filter expression is a typed error naming the expression")
    func invalidFilter() throws {
        let pair = try VethPair(prefix: "ft", network: 250)
        defer { pair.remove() }
        let error = #expect(throws: CaptureError.self) {
            try LiveCapture(.init(interface: pair.rootInterface, filter: "tcp port banana"))
        }
        #expect(error?.kind == .invalidFilter)
        #expect(error?.message.contains("tcp port banana") == true)
    }

    @Test("an unknown interface is a typed error")
    func unknownInterface() {
        let error = #expect(throws: CaptureError.self) {
            try LiveCapture(.init(interface: "flowtel-nope0"))
        }
        #expect(error?.kind == .noSuchDevice)
        #expect(error?.interface == "flowtel-nope0")
        #expect(error?.message.contains("ip link") == true)
    }

    @Test("breakLoop stops a blocked read from another thread; close makes reads throw")
    func breakLoop() throws {
        let pair = try VethPair(prefix: "ft", network: 250)
        defer { pair.remove() }
        // No traffic matches, and the timeout is long: only breakLoop can end the read early.
        let capture = try LiveCapture(.init(interface: pair.rootInterface, filter: "udp port 1", readTimeout: .seconds(10)))
        let result = Mutex<LiveCapture.ReadResult?>(nil)
        let finished = DispatchSemaphore(value: 0)
        let reader = Thread {
            let outcome = try? capture.read { _ in }
            result.withLock { $0 = outcome }
            finished.signal()
        }
        reader.start()
        Thread.sleep(forTimeInterval: 0.3)
        let start = ContinuousClock.now
        capture.breakLoop()
        #expect(finished.wait(timeout: .now() + 5) == .success)
        #expect(ContinuousClock.now - start < .seconds(3))
        #expect(result.withLock { $0 } == .stopped)

        capture.close()
        capture.close()
        let error = #expect(throws: CaptureError.self) { try capture.read { _ in } }
        #expect(error?.kind == .closed)
        #expect(throws: CaptureError.self) { try capture.statistics() }
    }

    /// Reads until `done` or 5 s.
    private func readUntil(
        _ capture: LiveCapture, _ done: () -> Bool, _ body: (LiveCapture.Packet) -> Void
    ) throws {
        let deadline = ContinuousClock.now + .seconds(5)
        while !done() && ContinuousClock.now < deadline {
            _ = try capture.read(body)
        }
    }
}
