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

/// Reads a PEM file: a small text file that must contain PEM data.
func readPEM(_ path: String, role: String) throws(TransportError) -> String {
    let text = try readSmallTextFile(path, what: "TLS \(role)")
    guard text.utf8.contains(UInt8(ascii: "-")) else {
        throw TransportError(code: .fileUnreadable, message: "cannot read TLS \(role) '\(path)': no PEM data")
    }
    return text
}

/// Reads a small text file (a PEM bundle, a token) without Foundation; `what` names it in errors.
package func readSmallTextFile(_ path: String, what: String, limit: Int = 4 << 20) throws(TransportError) -> String {
    func failure(_ reason: String) -> TransportError {
        TransportError(code: .fileUnreadable, message: "cannot read \(what) '\(path)': \(reason)")
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
        // These files are kilobytes; refuse to slurp something that clearly is not one.
        guard contents.count <= limit else {
            throw failure("larger than \(limit) bytes")
        }
    }
    return String(decoding: contents, as: UTF8.self)
}
