public import JunosConfig
import PacketIO

extension FlowtelService {
    /// The gRPC listen address `listen address` and `listen port` describe, `HOST:PORT`, or nil
    /// when neither is configured. A missing half takes `defaultListen`'s (an IPv6 address is
    /// bracketed).
    public func listen(default defaultListen: String) -> String? {
        guard listenAddress != nil || listenPort != nil else { return nil }
        let (defaultHost, defaultPort) = Self.split(defaultListen)
        var host = listenAddress ?? defaultHost
        if host.contains(":") && !host.hasPrefix("[") { host = "[\(host)]" }
        return "\(host):\(listenPort.map(String.init) ?? defaultPort)"
    }

    /// `HOST:PORT` → (HOST, PORT), brackets kept; a text without a port is all host.
    private static func split(_ listen: String) -> (String, String) {
        guard let colon = listen.lastIndex(of: ":"), !listen[colon...].contains("]") else { return (listen, "50051") }
        return (String(listen[..<colon]), String(listen[listen.index(after: colon)...]))
    }

    /// The `capture` statements as packet sources. Relative file paths are taken from
    /// `directory` (the configuration file's); interface sources get the configured snaplen,
    /// promiscuous mode (on unless `no-promiscuous`), filter and buffer size.
    public func captureSourceConfigurations(relativeTo directory: String) -> [CaptureSourceConfiguration] {
        captureSources.map { source in
            switch source.kind {
            case .file(let path):
                return .file(path: Self.resolve(path, relativeTo: directory))
            case .interface(let name):
                var live = LiveCapture.Configuration(
                    interface: name, promiscuous: source.promiscuous, filter: source.filter, bufferSize: source.bufferSize)
                if let snapLength = source.snapLength { live.snapLength = snapLength }
                return .interface(live)
            }
        }
    }

    /// `path` when it is absolute, else `directory/path`.
    public static func resolve(_ path: String, relativeTo directory: String) -> String {
        guard !path.hasPrefix("/"), !directory.isEmpty, directory != "." else { return path }
        return directory.hasSuffix("/") ? directory + path : directory + "/" + path
    }

    /// The directory part of a file path ("." when it has none).
    public static func directory(of file: String) -> String {
        guard let slash = file.lastIndex(of: "/") else { return "." }
        return slash == file.startIndex ? "/" : String(file[..<slash])
    }
}
