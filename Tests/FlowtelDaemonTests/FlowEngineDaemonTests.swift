import FlowEngine
import FlowtelCore
import Foundation
import JunosConfig
import PacketIO
import Packets
import Testing

/// flowteld with a configuration runs the flow engine on its packet sources and publishes
/// the RT_FLOW events to subscribers.
@Suite("flowteld flow engine", .serialized)
struct FlowEngineDaemonTests {
    static let config = """
        set system host-name engine-test
        set interfaces ge-0/0/0 unit 0 family inet address 192.0.2.2/24
        set interfaces ge-0/0/1 unit 0 family inet address 10.0.0.1/24
        set routing-options static route 0.0.0.0/0 next-hop 192.0.2.1
        set security zones security-zone untrust interfaces ge-0/0/0.0
        set security zones security-zone trust interfaces ge-0/0/1.0
        set security policies from-zone trust to-zone untrust policy web match source-address any destination-address any application junos-https
        set security policies from-zone trust to-zone untrust policy web then permit
        set security policies from-zone trust to-zone untrust policy web then log session-init

        """

    @Test(
        "a replayed capture's sessions reach a subscriber as RT_FLOW_SESSION_CREATE events, as the engine makes them",
        arguments: [1, 2])
    func replay(spus: Int) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flowtel-engine-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let configPath = directory.appendingPathComponent("engine.set").path
        try Self.config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let device = try DeviceConfig.load(text: Self.config, file: configPath).config

        // A capture of generated traffic, and what the engine makes of it in this process.
        let pcap = directory.appendingPathComponent("engine.pcap").path
        var generator = try TrafficGenerator(
            plan: try TrafficPlan(config: device), seed: 9, sessions: 120,
            start: Timestamp(unixNanos: 1_767_225_600_000_000_000), sessionsPerSecond: 100)
        let writer = try PcapWriter.create(path: pcap, linkType: .ethernet, precision: .nanoseconds)
        _ = try generator.write(to: writer)
        try writer.close()
        // The daemon's batches and the whole capture in one call give the same events.
        let engine = ShardedFlowEngine(config: device, shards: spus)
        var reader = try CaptureReader.open(path: pcap)
        var packets: [ShardPacket] = []
        while let entry = try reader.next() {
            guard case .packet(let record) = entry else { continue }
            let packet = try PacketDecoder(linkType: record.linkType).decode(record.bytes, wireLength: record.originalLength)
            packets.append(ShardPacket(flow: FlowPacket(packet), vlan: packet.link.vlan?.outer, time: record.timestamp!))
        }
        let expected = engine.process(packets).events.compactMap { event -> SessionCreate? in
            if case .sessionCreate(let create) = event.payload { return create }
            return nil
        }
        #expect(expected.count > 50)

        let (daemon, port, _) = try Binaries.startDaemon(["--config", configPath, "--replay", pcap, "--spus", "\(spus)"])
        defer { stop(daemon) }
        let output = try Run.binary(
            "flowtel",
            ["subscribe", "--target", "127.0.0.1:\(port)", "--from-oldest", "--kinds", "session-create", "--max-events",
             "\(expected.count)"], timeout: 60)
        #expect(output.status == 0, "\(output.stderr)")
        let lines = output.stdout.split(separator: "\n")
        #expect(lines.count == expected.count)
        for (line, create) in zip(lines, expected) {
            let record = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
            #expect(record["event"] as? String == "RT_FLOW_SESSION_CREATE")
            #expect(record["source-address"] as? String == "\(create.session.sourceAddress)")
            #expect(record["source-port"] as? Int == Int(create.session.sourcePort))
            #expect(record["session-id-32"] as? Int == Int(create.session.sessionID))
            #expect(record["policy-name"] as? String == "web")
            #expect(record["service-name"] as? String == "junos-https")
            #expect(record["source-zone-name"] as? String == "trust")
            #expect(record["destination-zone-name"] as? String == "untrust")
        }
        let statistics = try flowStatistics(port: port) { $0.sources.first?.state == .finished }
        #expect(statistics.packetsForwarded > 0)
    }
}
