#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

extension ServerTLS {
    /// Reads the PEM files named in a configuration.
    ///
    /// - Throws: `TransportError` with code `.fileUnreadable` naming the file and the OS error.
    public static func load(
        certificateChainFile: String, privateKeyFile: String, clientCAFile: String? = nil,
        requireClientCertificate: Bool = false
    ) throws(TransportError) -> ServerTLS {
        ServerTLS(
            certificateChainPEM: try readPEM(certificateChainFile, role: "certificate chain"),
            privateKeyPEM: try readPEM(privateKeyFile, role: "private key"),
            clientCAPEM: try clientCAFile.map { path throws(TransportError) in try readPEM(path, role: "client CA") },
            requireClientCertificate: requireClientCertificate)
    }
}

extension ChannelTLS {
    /// Reads the PEM files for a client channel; every file is optional.
    ///
    /// - Throws: `TransportError` with code `.fileUnreadable` naming the file and the OS error.
    public static func load(
        rootCAFile: String? = nil, certificateChainFile: String? = nil, privateKeyFile: String? = nil,
        serverNameOverride: String? = nil
    ) throws(TransportError) -> ChannelTLS {
        ChannelTLS(
            rootCAPEM: try rootCAFile.map { path throws(TransportError) in try readPEM(path, role: "root CA") },
            certificateChainPEM: try certificateChainFile.map { path throws(TransportError) in
                try readPEM(path, role: "certificate chain")
            },
            privateKeyPEM: try privateKeyFile.map { path throws(TransportError) in try readPEM(path, role: "private key") },
            serverNameOverride: serverNameOverride)
    }
}

/// Reads a small text file (PEM) without Foundation.
func readPEM(_ path: String, role: String) throws(TransportError) -> String {
    func failure(_ reason: String) -> TransportError {
        TransportError(code: .fileUnreadable, message: "cannot read TLS \(role) '\(path)': \(reason)")
    }
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else {
        throw failure(String(cString: strerror(errno)))
    }
    defer { close(descriptor) }
    var contents: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 16 << 10)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count < 0 {
            if errno == EINTR {
                continue
            }
            throw failure(String(cString: strerror(errno)))
        }
        if count == 0 {
            break
        }
        contents.append(contentsOf: chunk[0..<count])
        // A PEM bundle is kilobytes; refuse to slurp something that is clearly not one.
        guard contents.count <= 4 << 20 else {
            throw failure("larger than 4 MiB, not a PEM file")
        }
    }
    guard contents.contains(UInt8(ascii: "-")) else {
        throw failure("no PEM data")
    }
    return String(decoding: contents, as: UTF8.self)
}
