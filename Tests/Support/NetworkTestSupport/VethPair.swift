import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A veth pair for the live-capture tests: one end in the root namespace with 10.N.x.1/30, the
/// other in a fresh network namespace with 10.N.x.2/30. Removed by ``remove()``.
public struct VethPair: Sendable {
    /// The namespace holding the peer end.
    public let namespace: String
    /// The end in the root namespace (where captures run).
    public let rootInterface: String
    /// Its address.
    public let rootAddress: String
    /// The peer's address, inside the namespace.
    public let namespaceAddress: String

    /// Subnets handed out so far: each pair gets its own /30.
    private static let nextSubnet = Atomic<Int>(Int.random(in: 0..<200))

    /// Root, and `ip netns` works here (probed by creating and removing a namespace).
    public static let isSupported: Bool = {
        guard geteuid() == 0 else { return false }
        let probe = "flowtel-t-probe\(getpid())"
        guard (try? run(["ip", "netns", "add", probe])) != nil else { return false }
        _ = try? run(["ip", "netns", "del", probe])
        return true
    }()

    /// Creates a pair named after `prefix` (two letters, so that suites running at once never
    /// collide) in 10.`network`.0.0/16.
    public init(prefix: String, network: Int) throws {
        let tag = String(UInt32.random(in: 0..<UInt32.max), radix: 36)
        let subnet = Self.nextSubnet.add(1, ordering: .relaxed).newValue % 256
        namespace = "flowtel-\(prefix)-\(tag)"
        rootInterface = "\(prefix)\(tag)a"
        let peerInterface = "\(prefix)\(tag)b"
        rootAddress = "10.\(network).\(subnet).1"
        namespaceAddress = "10.\(network).\(subnet).2"
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
    public func remove() {
        _ = try? Self.run(["ip", "link", "del", rootInterface])
        _ = try? Self.run(["ip", "netns", "del", namespace])
    }

    /// Runs a command inside the namespace, waiting at most 5 s.
    public func runInNamespace(_ arguments: [String]) throws {
        try Self.run(["ip", "netns", "exec", namespace] + arguments)
    }

    /// Sends `count` ICMP echo requests from the namespace to ``rootAddress`` through a raw
    /// socket (no dependency on iputils-ping) and waits up to 1 s for each reply.
    public func ping(count: Int) throws {
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

    /// A command that failed or timed out, with its output.
    public struct CommandFailed: Error, CustomStringConvertible {
        /// The command and why it failed.
        public var description: String
    }

    /// Runs a command and waits at most 5 s for it; throws unless it exits 0.
    @discardableResult
    public static func run(_ arguments: [String]) throws -> String {
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
