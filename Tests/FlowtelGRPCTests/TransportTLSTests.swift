import FlowtelGRPC
import Foundation
import Testing

/// A throwaway CA with a server certificate (for `localhost` and 127.0.0.1) and a client
/// certificate, generated with the `openssl` command line into a temporary directory.
struct TestPKI: Sendable {
    let caPEM: String
    let serverChainPEM: String
    let serverKeyPEM: String
    let clientChainPEM: String
    let clientKeyPEM: String
    /// A client certificate from a different CA, which the server must reject.
    let strangerChainPEM: String
    let strangerKeyPEM: String

    static func generate() throws -> TestPKI {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("flowtel-pki-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        func openssl(_ arguments: [String]) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw TransportError(code: .internalError, message: "openssl \(arguments.first ?? "") failed")
            }
        }
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        func makeCA(_ name: String) throws {
            try openssl(["req", "-x509"] + ec + [
                "-keyout", path("\(name).key"), "-out", path("\(name).pem"), "-days", "2",
                "-subj", "/CN=flowtel test \(name)",
            ])
        }
        func issue(_ name: String, by ca: String, extensions: String) throws {
            try openssl(["req"] + ec + ["-keyout", path("\(name).key"), "-out", path("\(name).csr"), "-subj", "/CN=\(name)"])
            try extensions.write(toFile: path("\(name).ext"), atomically: true, encoding: .utf8)
            try openssl([
                "x509", "-req", "-in", path("\(name).csr"), "-CA", path("\(ca).pem"), "-CAkey", path("\(ca).key"),
                "-CAcreateserial", "-out", path("\(name).pem"), "-days", "2", "-extfile", path("\(name).ext"),
            ])
        }
        try makeCA("ca")
        try makeCA("otherca")
        try issue(
            "localhost", by: "ca",
            extensions: "basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
        try issue("client", by: "ca", extensions: "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n")
        try issue("stranger", by: "otherca", extensions: "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n")
        func read(_ name: String) throws -> String { try String(contentsOfFile: path(name), encoding: .utf8) }
        return TestPKI(
            caPEM: try read("ca.pem"), serverChainPEM: try read("localhost.pem"), serverKeyPEM: try read("localhost.key"),
            clientChainPEM: try read("client.pem"), clientKeyPEM: try read("client.key"),
            strangerChainPEM: try read("stranger.pem"), strangerKeyPEM: try read("stranger.key"))
    }

    /// Generated once per test process.
    static let shared = Result { try TestPKI.generate() }
}

@Suite("gRPC transport over TLS")
struct TransportTLSTests {
    let pki: TestPKI

    init() throws {
        pki = try TestPKI.shared.get()
        // Handshake failures are expected here; keep the core from printing them.
        TransportLog.route(minimumSeverity: .error, to: nil)
    }

    private func makeServer(clientCA: Bool = false, require: Bool = false) throws -> Server {
        var configuration = ServerConfiguration(listen: "127.0.0.1:0")
        configuration.tls = ServerTLS(
            certificateChainPEM: pki.serverChainPEM, privateKeyPEM: pki.serverKeyPEM,
            clientCAPEM: clientCA ? pki.caPEM : nil, requireClientCertificate: require)
        let server = try Server(configuration: configuration, handler: TestService.handler(log: HandlerLog()))
        server.start()
        return server
    }

    private func makeChannel(
        port: Int, tls: ChannelTLS? = nil
    ) throws -> Channel {
        var configuration = ChannelConfiguration(target: "127.0.0.1:\(port)")
        configuration.tls = tls
        return try Channel(configuration: configuration)
    }

    @Test("a TLS client that trusts the CA can call a TLS server")
    func tlsRoundTrip() throws {
        let server = try makeServer()
        defer { server.shutdown(grace: .milliseconds(100)) }
        let channel = try makeChannel(port: server.port, tls: ChannelTLS(rootCAPEM: pki.caPEM))
        defer { channel.close() }
        #expect(try channel.unary(method: TestMethod.echo, request: [1, 2, 3], timeout: .seconds(2)) == [1, 2, 3])
        let named = try makeChannel(
            port: server.port, tls: ChannelTLS(rootCAPEM: pki.caPEM, serverNameOverride: "localhost"))
        defer { named.close() }
        let stream = try named.serverStream(method: TestMethod.count, request: bytes(of: 100), timeout: .seconds(2))
        defer { stream.close() }
        var received: UInt64 = 0
        while let message = try stream.receive() {
            #expect(message == streamMessage(received))
            received += 1
        }
        #expect(received == 100)
    }

    @Test("a plaintext client cannot talk to a TLS server")
    func plaintextAgainstTLS() throws {
        let server = try makeServer()
        defer { server.shutdown(grace: .milliseconds(100)) }
        let channel = try makeChannel(port: server.port)
        defer { channel.close() }
        let error = #expect(throws: RPCError.self) {
            try channel.unary(method: TestMethod.echo, request: [1], timeout: .seconds(2))
        }
        #expect(error?.code == .unavailable)
    }

    @Test("a client that does not trust the server's CA is refused")
    func untrustedServer() throws {
        let server = try makeServer()
        defer { server.shutdown(grace: .milliseconds(100)) }
        let ca = pki.strangerChainPEM  // some other certificate as the only root
        let channel = try makeChannel(port: server.port, tls: ChannelTLS(rootCAPEM: ca))
        defer { channel.close() }
        let error = #expect(throws: RPCError.self) {
            try channel.unary(method: TestMethod.echo, request: [1], timeout: .seconds(2))
        }
        #expect(error?.code == .unavailable)
    }

    @Test("mutual TLS refuses a client without a certificate and accepts one signed by the CA")
    func mutualTLS() throws {
        let server = try makeServer(clientCA: true, require: true)
        defer { server.shutdown(grace: .milliseconds(100)) }

        let anonymous = try makeChannel(port: server.port, tls: ChannelTLS(rootCAPEM: pki.caPEM))
        defer { anonymous.close() }
        let refused = #expect(throws: RPCError.self) {
            try anonymous.unary(method: TestMethod.echo, request: [1], timeout: .seconds(2))
        }
        #expect(refused?.code == .unavailable)

        let stranger = try makeChannel(
            port: server.port,
            tls: ChannelTLS(rootCAPEM: pki.caPEM, certificateChainPEM: pki.strangerChainPEM, privateKeyPEM: pki.strangerKeyPEM))
        defer { stranger.close() }
        let strangerError = #expect(throws: RPCError.self) {
            try stranger.unary(method: TestMethod.echo, request: [1], timeout: .seconds(2))
        }
        #expect(strangerError?.code == .unavailable)

        let member = try makeChannel(
            port: server.port,
            tls: ChannelTLS(rootCAPEM: pki.caPEM, certificateChainPEM: pki.clientChainPEM, privateKeyPEM: pki.clientKeyPEM))
        defer { member.close() }
        #expect(try member.unary(method: TestMethod.echo, request: [9], timeout: .seconds(2)) == [9])
    }

    @Test("mutual TLS without a client CA is a configuration error")
    func mutualTLSNeedsCA() {
        var configuration = ServerConfiguration(listen: "127.0.0.1:0")
        configuration.tls = ServerTLS(
            certificateChainPEM: pki.serverChainPEM, privateKeyPEM: pki.serverKeyPEM, requireClientCertificate: true)
        let error = #expect(throws: TransportError.self) {
            _ = try Server(configuration: configuration) { $0.finish(.ok) }
        }
        #expect(error?.code == .invalidConfiguration)
    }

    @Test("a server with a malformed certificate fails to bind")
    func malformedCertificate() {
        var configuration = ServerConfiguration(listen: "127.0.0.1:0")
        configuration.tls = ServerTLS(certificateChainPEM: "not a certificate", privateKeyPEM: "not a key")
        let error = #expect(throws: TransportError.self) {
            let server = try Server(configuration: configuration) { $0.finish(.ok) }
            server.shutdown(grace: .zero)
        }
        #expect(error?.code == .bindFailed)
    }

    @Test("TLS material loads from PEM files, and a missing file names itself in the error")
    func loadFromFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flowtel-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let chain = directory.appendingPathComponent("server.pem").path
        let key = directory.appendingPathComponent("server.key").path
        try pki.serverChainPEM.write(toFile: chain, atomically: true, encoding: .utf8)
        try pki.serverKeyPEM.write(toFile: key, atomically: true, encoding: .utf8)

        let tls = try ServerTLS.load(certificateChainFile: chain, privateKeyFile: key)
        #expect(tls.certificateChainPEM == pki.serverChainPEM)
        #expect(tls.privateKeyPEM == pki.serverKeyPEM)
        #expect(tls.clientCAPEM == nil)

        let missing = directory.appendingPathComponent("missing-ca.pem").path
        let error = #expect(throws: TransportError.self) {
            _ = try ChannelTLS.load(rootCAFile: missing)
        }
        #expect(error?.code == .fileUnreadable)
        #expect(error?.message.contains(missing) == true)
    }
}
