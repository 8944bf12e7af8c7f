internal import CGRPC

/// gRPC server reflection (`grpc.reflection.v1` and `v1alpha`) answered from the descriptor
/// set embedded at build time (proto/generate.sh), so grpcurl, evans and grpcio's reflection
/// client can list and describe flowtel's services without .proto files.
public final class ReflectionService: Sendable {
    /// The method path of the v1 service.
    public static let v1Method = "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"
    /// The method path of the v1alpha service.
    public static let v1AlphaMethod = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"

    private let files: [String: [UInt8]]
    private let dependencies: [String: [String]]
    private let symbols: [String: String]
    private let services: [String]

    /// Indexes the embedded descriptor set; `services` are the services to list.
    public init(services: [String]) throws(DecodeError) {
        let set = Array(UnsafeRawBufferPointer(start: cgrpc_descriptor_set_data(), count: cgrpc_descriptor_set_size()))
        var files: [String: [UInt8]] = [:]
        var dependencies: [String: [String]] = [:]
        var symbols: [String: String] = [:]
        var reader = ProtoReader(set)
        while let field = try reader.next() {
            guard field.number == 1, field.wireType == 2 else { continue }
            let fileBytes = reader.data(field)
            var file = reader.reader(field)
            var name = ""
            var package = ""
            var deps: [String] = []
            var definitions: [(String, ProtoReader.Field, ProtoReader)] = []  // kind, field, reader
            while let entry = try file.next() {
                switch (entry.number, entry.wireType) {
                case (1, 2): name = file.string(entry)
                case (2, 2): package = file.string(entry)
                case (3, 2): deps.append(file.string(entry))
                case (4, 2): definitions.append(("message", entry, file))
                case (5, 2): definitions.append(("enum", entry, file))
                case (6, 2): definitions.append(("service", entry, file))
                default: break
                }
            }
            files[name] = fileBytes
            dependencies[name] = deps
            let prefix = package.isEmpty ? "" : package + "."
            for (kind, entry, owner) in definitions {
                try Self.index(kind: kind, reader: owner.reader(entry), prefix: prefix, file: name, into: &symbols)
            }
        }
        self.files = files
        self.dependencies = dependencies
        self.symbols = symbols
        self.services = services
    }

    private static func index(
        kind: String, reader: ProtoReader, prefix: String, file: String, into symbols: inout [String: String]
    ) throws(DecodeError) {
        var reader = reader
        var name = ""
        var children: [(String, ProtoReader.Field)] = []
        while let field = try reader.next() {
            switch (kind, field.number, field.wireType) {
            case (_, 1, 2): name = reader.string(field)
            case ("message", 3, 2): children.append(("message", field))
            case ("message", 4, 2): children.append(("enum", field))
            case ("service", 2, 2): children.append(("method", field))
            default: break
            }
        }
        let fullName = prefix + name
        symbols[fullName] = file
        for (childKind, field) in children {
            if childKind == "method" {
                var method = reader.reader(field)
                while let entry = try method.next() {
                    if entry.number == 1 && entry.wireType == 2 {
                        symbols[fullName + "." + method.string(entry)] = file
                        break
                    }
                }
            } else {
                try index(kind: childKind, reader: reader.reader(field), prefix: fullName + ".", file: file, into: &symbols)
            }
        }
    }

    /// Serves one ServerReflectionInfo stream (either version): one response per request
    /// until the client half-closes.
    public func handle(_ call: ServerCall) {
        while true {
            let request: [UInt8]
            do {
                guard let message = try call.receiveMessage() else {
                    call.finish(.ok)
                    return
                }
                request = message
            } catch {
                call.finish(error.code, error.message)
                return
            }
            do {
                let response = try answer(request)
                guard call.send(response) else { return }
            } catch {
                call.finish(.invalidArgument, "ServerReflectionRequest: \(error.message)")
                return
            }
        }
    }

    /// The ServerReflectionResponse for one serialized ServerReflectionRequest.
    func answer(_ request: [UInt8]) throws(DecodeError) -> [UInt8] {
        var reader = ProtoReader(request)
        var host = ""
        var question: (Int, String)? = nil
        while let field = try reader.next() {
            switch (field.number, field.wireType) {
            case (1, 2): host = reader.string(field)
            case (3, 2), (4, 2), (6, 2), (7, 2): question = (field.number, reader.string(field))
            case (5, 2): question = (5, "")
            default: break
            }
        }
        var response = ProtoWriter()
        response.field(1, string: host)
        response.field(2, bytes: request)
        switch question {
        case (3, let filename)?:
            if files[filename] != nil {
                response.field(4, bytes: fileDescriptorResponse(for: filename))
            } else {
                response.field(7, bytes: error(.notFound, "file not found: \(filename)"))
            }
        case (4, let symbol)?:
            if let file = symbols[symbol] {
                response.field(4, bytes: fileDescriptorResponse(for: file))
            } else {
                response.field(7, bytes: error(.notFound, "symbol not found: \(symbol)"))
            }
        case (5, _)?:
            response.field(7, bytes: error(.notFound, "flowtel's protos define no extensions"))
        case (6, let type)?:
            if symbols[type] != nil {
                var numbers = ProtoWriter()
                numbers.field(1, string: type)
                response.field(5, bytes: numbers.bytes)
            } else {
                response.field(7, bytes: error(.notFound, "type not found: \(type)"))
            }
        case (7, _)?:
            var list = ProtoWriter()
            for service in services {
                var entry = ProtoWriter()
                entry.field(1, string: service)
                list.field(1, bytes: entry.bytes)
            }
            response.field(6, bytes: list.bytes)
        default:
            response.field(7, bytes: error(.invalidArgument, "empty ServerReflectionRequest"))
        }
        return response.bytes
    }

    private func fileDescriptorResponse(for file: String) -> [UInt8] {
        var order: [String] = []
        var seen: Set<String> = []
        func visit(_ name: String) {
            guard seen.insert(name).inserted else { return }
            order.append(name)
            for dependency in dependencies[name] ?? [] { visit(dependency) }
        }
        visit(file)
        var writer = ProtoWriter()
        for name in order {
            if let bytes = files[name] { writer.field(1, bytes: bytes) }
        }
        return writer.bytes
    }

    private func error(_ code: StatusCode, _ message: String) -> [UInt8] {
        var writer = ProtoWriter()
        writer.field(1, varint: UInt64(UInt32(bitPattern: code.rawValue)))
        writer.field(2, string: message)
        return writer.bytes
    }
}
