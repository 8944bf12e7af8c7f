// swift-tools-version:6.1
//
// flowtel: firewall flow-session and chassis-fault telemetry over gRPC.
// Module boundaries are described in docs/ARCHITECTURE.md; the rules that matter:
//   * only FlowtelGRPC imports CGRPC, and no C type appears in a public Swift signature;
//   * FlowEngine and FaultManager never import FlowtelGRPC, CGRPC or PacketIO.
import PackageDescription

let strictSwift: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "flowtel",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "flowteld", targets: ["flowteld"]),
        .executable(name: "flowtel", targets: ["flowtel"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
    ],
    targets: [
        // The C shim over the gRPC C core and protobuf-c, plus the protoc-c generated codec.
        // `pkgConfig: "grpc"` is unusable (SwiftPM expands absl's .pc files into an argument
        // list too long to spawn), so the three libraries are linked by name.
        .target(
            name: "CGRPC",
            path: "CGRPC",
            publicHeadersPath: "include",
            cSettings: [.unsafeFlags(["-Wall", "-Wextra", "-Wno-unused-parameter"])],
            linkerSettings: [
                .linkedLibrary("grpc"),
                .linkedLibrary("gpr"),
                .linkedLibrary("protobuf-c"),
            ]
        ),

        .target(name: "FlowtelCore", swiftSettings: strictSwift),
        .target(name: "Packets", dependencies: ["FlowtelCore"], swiftSettings: strictSwift),
        // libpcap for PacketIO's live capture; only PacketIO imports it.
        .systemLibrary(name: "CPcap", path: "Sources/CPcap", pkgConfig: "libpcap", providers: [.apt(["libpcap-dev"])]),
        .target(name: "PacketIO", dependencies: ["Packets", "FlowtelCore", "CPcap", "JunosConfig"], swiftSettings: strictSwift),
        .target(name: "JunosConfig", dependencies: ["FlowtelCore"], swiftSettings: strictSwift),
        // The flow engine: pure (packets and a clock in, events out); never imports FlowtelGRPC,
        // CGRPC or PacketIO.
        .target(name: "FlowEngine", dependencies: ["FlowtelCore", "JunosConfig", "Packets"], swiftSettings: strictSwift),
        // The chassis fault manager: pure (errors, configuration and requests in; events and
        // commands out); never imports FlowEngine, FlowtelGRPC or CGRPC.
        .target(name: "FaultManager", dependencies: ["FlowtelCore", "JunosConfig"], swiftSettings: strictSwift),
        // Known events for tests and benchmarks; never presented to users as a feature.
        .target(name: "FlowtelTestSupport", dependencies: ["FlowtelCore"], swiftSettings: strictSwift),
        .target(name: "FlowtelGRPC", dependencies: ["FlowtelCore", "CGRPC"], swiftSettings: strictSwift),
        .target(
            name: "FlowtelDaemon",
            dependencies: [
                "FlowtelCore", "FlowtelGRPC", "FlowtelTestSupport", "Packets", "PacketIO", "JunosConfig", "FlowEngine",
                "FaultManager", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSwift
        ),
        // zlib, to gzip rotated output files; only FlowtelSubscriber imports it.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // GRDB (and its SQLite C module, whose statements the SQLite output binds directly on
        // its hot path) for `--output sqlite:` and `flowtel query`; it needs libsqlite3-dev.
        .target(
            name: "FlowtelSubscriber",
            dependencies: [
                "FlowtelCore", "FlowtelGRPC", "CZlib",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "flowteld",
            dependencies: [
                "FlowtelDaemon", "FlowtelGRPC", "JunosConfig",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "flowtel",
            dependencies: [
                "FlowtelSubscriber", "FlowtelGRPC", "JunosConfig", "PacketIO", "FlowEngine", "Packets",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSwift
        ),
        // `make bench`: codec cost per event.
        .executableTarget(
            name: "flowtel-bench",
            dependencies: [
                "FlowtelCore", "FlowtelGRPC", "FlowtelTestSupport", "FlowtelDaemon", "Packets", "PacketIO",
                "JunosConfig", "FlowEngine", "FlowtelSubscriber",
            ],
            swiftSettings: strictSwift
        ),
        // `make fuzz-test`: libFuzzer targets for the packet decoder, the capture readers and the
        // configuration parser (Fuzz/).
        // CLibFuzzer only declares libFuzzer's driver; `-sanitize=fuzzer` links it.
        .systemLibrary(name: "CLibFuzzer", path: "Sources/CLibFuzzer"),
        .executableTarget(
            name: "flowtel-fuzz",
            dependencies: ["Packets", "PacketIO", "JunosConfig", "CLibFuzzer"],
            swiftSettings: strictSwift
        ),

        // Test support: veth pairs in network namespaces for the live-capture tests.
        .target(name: "NetworkTestSupport", path: "Tests/Support/NetworkTestSupport", swiftSettings: strictSwift),
        .testTarget(name: "FlowtelCoreTests", dependencies: ["FlowtelCore"], swiftSettings: strictSwift),
        .testTarget(
            name: "PacketsTests", dependencies: ["Packets", "FlowtelCore", "FlowtelTestSupport"], swiftSettings: strictSwift),
        .testTarget(
            name: "PacketIOTests",
            dependencies: ["PacketIO", "Packets", "FlowtelCore", "JunosConfig", "NetworkTestSupport", "FlowtelTestSupport"],
            swiftSettings: strictSwift),
        .testTarget(name: "JunosConfigTests", dependencies: ["JunosConfig", "FlowtelTestSupport"], swiftSettings: strictSwift),
        .testTarget(
            name: "FlowEngineTests", dependencies: ["FlowEngine", "JunosConfig", "FlowtelCore", "Packets", "PacketIO"], swiftSettings: strictSwift),
        .testTarget(name: "FaultManagerTests", dependencies: ["FaultManager", "FlowtelCore", "JunosConfig"], swiftSettings: strictSwift),
        .testTarget(name: "FlowtelGRPCTests", dependencies: ["FlowtelGRPC", "FlowtelCore", "FlowtelTestSupport"], swiftSettings: strictSwift),
        .testTarget(
            name: "FlowtelDaemonTests",
            dependencies: [
                "FlowtelDaemon", "FlowtelSubscriber", "FlowtelGRPC", "FlowtelCore", "PacketIO", "Packets", "JunosConfig",
                "FlowEngine", "NetworkTestSupport", "flowteld", "flowtel",
            ],
            swiftSettings: strictSwift
        ),
    ],
    swiftLanguageModes: [.v6]
)
