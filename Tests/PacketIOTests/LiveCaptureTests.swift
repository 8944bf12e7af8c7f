import Dispatch
import FlowtelCore
import Foundation
import PacketIO
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
        let pair = try VethPair()
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
        let pair = try VethPair()
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
        let pair = try VethPair()
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
        let pair = try VethPair()
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

/// A veth pair: one end in the root namespace with 10.250.x.1/30, the other in a fresh network
/// namespace with 10.250.x.2/30. Removed by ``remove()``.
struct VethPair {
    let namespace: String
    let rootInterface: String
    let rootAddress: String
    let namespaceAddress: String

    /// Subnets handed out so far: each pair gets its own 10.250.x.0/30.
    private static let nextSubnet = Atomic<Int>(Int.random(in: 0..<200))

    /// Root, and `ip netns` works here (probed by creating and removing a namespace).
    static let isSupported: Bool = {
        guard geteuid() == 0 else { return false }
        let probe = "flowtel-t-probe\(getpid())"
        guard (try? run(["ip", "netns", "add", probe])) != nil else { return false }
        _ = try? run(["ip", "netns", "del", probe])
        return true
    }()

    init() throws {
        let tag = String(UInt32.random(in: 0..<UInt32.max), radix: 36)
        let subnet = Self.nextSubnet.add(1, ordering: .relaxed).newValue % 256
        namespace = "flowtel-t-\(tag)b"
        rootInterface = "ft\(tag)a"
        let peerInterface = "ft\(tag)b"
        rootAddress = "10.250.\(subnet).1"
        namespaceAddress = "10.250.\(subnet).2"
        do {
            try Self.run(["ip", "netns", "add", namespace])
            try Self.run(["ip", "link", "add", rootInterface, "type", "veth", "peer", "name", peerInterface])
            try Self.run(["ip", "link", "set", peerInterface, "netns", namespace])
            try Self.run(["ip", "addr", "add", "\(rootAddress)/30", "dev", rootInterface])
            try Self.run(["ip", "link", "set", rootInterface, "up"])
            try Self.run(["ip", "-n", namespace, "addr", "add", "\(namespaceAddress)/30", "dev", peerInterface])
            try Self.run(["ip", "-n", namespace, "link", "set", peerInterface, "up"])
            try Self.run(["ip", "-n", namespace, "link", "set", "lo", "up"])
        } catch {
            remove()
            throw error
        }
    }

    /// Deletes the link (which deletes its peer) and the namespace; never throws.
    func remove() {
        _ = try? Self.run(["ip", "link", "del", rootInterface])
        _ = try? Self.run(["ip", "netns", "del", namespace])
    }

    /// Runs a command inside the namespace, waiting at most 5 s.
    func runInNamespace(_ arguments: [String]) throws {
        try Self.run(["ip", "netns", "exec", namespace] + arguments)
    }

    /// Sends `count` ICMP echo requests from the namespace to ``rootAddress`` through a raw
    /// socket (no dependency on iputils-ping) and waits up to 1 s for each reply.
    func ping(count: Int) throws {
        try runInNamespace(["python3", "-c", """
            import socket, struct
            def checksum(data):
                total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
                total = (total >> 16) + (total & 0xFFFF)
                return ~(total + (total >> 16)) & 0xFFFF
            s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
            s.settimeout(1)
            for seq in range(1, \(count) + 1):
                body = struct.pack("!HH", 0x4654, seq) + b"flowtel!"
                header = struct.pack("!BBH", 8, 0, checksum(struct.pack("!BBH", 8, 0, 0) + body))
                s.sendto(header + body, ("\(rootAddress)", 0))
                s.recvfrom(1024)
            """])
    }

    struct CommandFailed: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs a command and waits at most 5 s for it; throws unless it exits 0.
    @discardableResult
    static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        if exited.wait(timeout: .now() + 5) == .timedOut {
            process.terminate()
            _ = exited.wait(timeout: .now() + 1)
            throw CommandFailed(description: "\(arguments.joined(separator: " ")): timed out after 5 s")
        }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw CommandFailed(description: "\(arguments.joined(separator: " ")): exit \(process.terminationStatus): \(text)")
        }
        return text
    }
}
