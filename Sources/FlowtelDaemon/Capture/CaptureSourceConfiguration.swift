public import PacketIO

/// One packet source flowteld reads: `capture file PATH` / `--replay`, or
/// `capture interface NAME` / `--capture`.
public enum CaptureSourceConfiguration: Hashable, Sendable, CustomStringConvertible {
    /// A pcap or pcapng file, read once: as fast as it decodes, or at `packetsPerSecond`.
    case file(path: String, packetsPerSecond: Int? = nil)
    /// A live interface through libpcap.
    case interface(LiveCapture.Configuration)

    /// The file path or the interface name.
    public var name: String {
        switch self {
        case .file(let path, _): path
        case .interface(let configuration): configuration.interface
        }
    }

    /// "capture file PATH" or "capture interface NAME", as in the configuration.
    public var description: String {
        switch self {
        case .file(let path, _): "capture file \(path)"
        case .interface(let configuration): "capture interface \(configuration.interface)"
        }
    }
}
