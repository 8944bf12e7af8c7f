import FlowtelDaemon
import JunosConfig
import PacketIO
import Testing

/// How `services flowtel` becomes daemon settings.
@Suite("services flowtel as daemon settings")
struct FlowtelServiceDaemonTests {
    static func service(_ text: String) throws -> FlowtelService {
        try DeviceConfig.load(text: text, file: "test.set").config.flowtel
    }

    @Test(
        "listen address and port, each defaulting to the daemon's",
        arguments: [
            ("", nil),
            ("set services flowtel listen port 0", "127.0.0.1:0"),
            ("set services flowtel listen address 0.0.0.0", "0.0.0.0:50051"),
            ("set services flowtel listen address 192.0.2.1\nset services flowtel listen port 6000", "192.0.2.1:6000"),
            ("set services flowtel listen address ::1\nset services flowtel listen port 6000", "[::1]:6000"),
        ] as [(String, String?)])
    func listen(text: String, expected: String?) throws {
        #expect(try Self.service(text).listen(default: "127.0.0.1:50051") == expected)
    }

    @Test("capture statements become sources; relative files are taken from the configuration's directory")
    func captures() throws {
        let service = try Self.service(
            """
            set services flowtel capture file traces/a.pcap
            set services flowtel capture file /abs/b.pcapng
            set services flowtel capture interface eth1 snaplen 1500
            set services flowtel capture interface eth1 no-promiscuous
            set services flowtel capture interface eth1 filter "tcp port 443"
            set services flowtel capture interface eth1 buffer-size 8m
            set services flowtel capture interface eth2
            """)
        let sources = service.captureSourceConfigurations(relativeTo: "/etc/flowtel")
        #expect(sources == [
            .file(path: "/etc/flowtel/traces/a.pcap"),
            .file(path: "/abs/b.pcapng"),
            .interface(
                .init(interface: "eth1", snapLength: 1500, promiscuous: false, filter: "tcp port 443", bufferSize: 8 << 20)),
            .interface(.init(interface: "eth2", promiscuous: true)),
        ])
    }

    @Test("directory(of:) and resolve(_:relativeTo:)")
    func paths() {
        #expect(FlowtelService.directory(of: "flowteld.conf") == ".")
        #expect(FlowtelService.directory(of: "/flowteld.conf") == "/")
        #expect(FlowtelService.directory(of: "/etc/flowtel/flowteld.conf") == "/etc/flowtel")
        #expect(FlowtelService.resolve("a.pcap", relativeTo: ".") == "a.pcap")
        #expect(FlowtelService.resolve("a.pcap", relativeTo: "/") == "/a.pcap")
        #expect(FlowtelService.resolve("/x/a.pcap", relativeTo: "/etc") == "/x/a.pcap")
    }
}
