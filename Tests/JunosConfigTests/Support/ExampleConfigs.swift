import JunosConfig

/// The example SRX configurations shipped in deploy/examples, read from the source tree.
enum ExampleConfigs {
    static let directory: String = {
        // Tests/JunosConfigTests/Support/ExampleConfigs.swift → repository root.
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(4)
        return parts.joined(separator: "/") + "/deploy/examples"
    }()

    static func text(_ name: String) throws -> String {
        let path = directory + "/" + name
        guard let file = fopen(path, "r") else { throw ReadFailure(path: path) }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count == 0 { break }
            bytes += buffer[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func check(_ name: String) throws -> ConfigCheck {
        try DeviceConfig.check(text: try text(name), file: name)
    }

    struct ReadFailure: Error { var path: String }
}

#if canImport(Glibc)
import Glibc
#endif
