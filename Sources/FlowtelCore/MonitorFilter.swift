/// A `monitor security flow filter`: which packets flow monitoring traces.
///
/// Every criterion given must match; a filter without criteria matches every packet (Junos
/// accepts one). The fields hold the operator's words: the daemon validates and compiles them
/// when the filter is set.
public struct MonitorFilter: Hashable, Sendable {
    /// The filter's name.
    public var name: String
    /// `source-prefix`: an address or `ADDRESS/LENGTH`; empty = any.
    public var sourcePrefix: String
    /// `destination-prefix`; empty = any.
    public var destinationPrefix: String
    /// `source-port`; nil = any.
    public var sourcePort: UInt16?
    /// `destination-port`; nil = any.
    public var destinationPort: UInt16?
    /// `protocol`: a name (`tcp`, `icmp`, ...) or a number 0-255; empty = any.
    public var `protocol`: String
    /// `interface`: a logical interface the packet arrives on or leaves by; empty = any.
    public var interface: String
    /// `incoming-interface`: the logical interface the packet arrives on; empty = any.
    public var incomingInterface: String
    /// `outgoing-interface`: the logical interface the packet leaves by; empty = any.
    public var outgoingInterface: String
    /// `logical-system`; empty = `root-logical-system`.
    public var logicalSystem: String
    /// `conn-tag`; 0 = any.
    public var connectionTag: UInt32

    /// The name Junos shows for the root logical system.
    public static let rootLogicalSystem = "root-logical-system"

    /// A filter named `name` with the given criteria (none: it matches every packet).
    public init(
        name: String, sourcePrefix: String = "", destinationPrefix: String = "", sourcePort: UInt16? = nil,
        destinationPort: UInt16? = nil, protocol: String = "", interface: String = "", incomingInterface: String = "",
        outgoingInterface: String = "", logicalSystem: String = "", connectionTag: UInt32 = 0
    ) {
        self.name = name
        self.sourcePrefix = sourcePrefix
        self.destinationPrefix = destinationPrefix
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.protocol = `protocol`
        self.interface = interface
        self.incomingInterface = incomingInterface
        self.outgoingInterface = outgoingInterface
        self.logicalSystem = logicalSystem
        self.connectionTag = connectionTag
    }
}

/// The trace file of flow monitoring: `monitor security flow file NAME size S files N match RE`.
public struct MonitorFile: Hashable, Sendable {
    /// Junos's limits on `size`, bytes.
    public static let sizeRange: ClosedRange<UInt64> = 10_240...1_073_741_824
    /// Junos's limits on `files`.
    public static let filesRange: ClosedRange<UInt32> = 2...1000
    /// The size a file rotates at when `size` is not given (the Junos trace-file default, 128 KiB).
    public static let defaultSize: UInt64 = 128 * 1024
    /// The files kept when `files` is not given (the Junos trace-file default).
    public static let defaultFiles: UInt32 = 3

    /// The file name, inside the daemon's log directory.
    public var name: String
    /// Rotate when the file would grow past this many bytes; 0 = ``defaultSize``.
    public var size: UInt64
    /// Files kept, the current one included; 0 = ``defaultFiles``.
    public var files: UInt32
    /// Only lines matching this POSIX extended regular expression are written; empty = all.
    public var match: String
    /// `world-readable`: the files are readable by every user (mode 0644 rather than 0640).
    public var worldReadable: Bool

    /// A trace-file setting.
    public init(name: String, size: UInt64 = 0, files: UInt32 = 0, match: String = "", worldReadable: Bool = false) {
        self.name = name
        self.size = size
        self.files = files
        self.match = match
        self.worldReadable = worldReadable
    }
}

/// `show monitor security flow`: whether monitoring runs, its file and its filters.
public struct MonitorStatus: Hashable, Sendable {
    /// Monitoring is started.
    public var active: Bool
    /// The trace file's full path; empty when no file is set.
    public var traceFile: String
    /// The `basic-datapath` trace flag: set by start, cleared by stop.
    public var basicDatapath: Bool
    /// The trace file's settings (defaults resolved); nil when no file is set.
    public var file: MonitorFile?
    /// The filters, in the order they were first defined.
    public var filters: [MonitorFilter]

    /// A status.
    public init(
        active: Bool = false, traceFile: String = "", basicDatapath: Bool = false, file: MonitorFile? = nil,
        filters: [MonitorFilter] = []
    ) {
        self.active = active
        self.traceFile = traceFile
        self.basicDatapath = basicDatapath
        self.file = file
        self.filters = filters
    }
}
