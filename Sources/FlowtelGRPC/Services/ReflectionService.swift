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
        // Static data compiled into CGRPC: the pointers stay valid for the process's lifetime.
        let set = UnsafeRawBufferPointer(start: cgrpc_descriptor_set_data(), count: cgrpc_descriptor_set_size())
        var files: [String: [UInt8]] = [:]
        var dependencies: [String: [String]] = [:]
        var symbols: [String: String] = [:]
        var reader = WireReader(set)
        while let (field, wireType) = try reader.tag() {
            guard field == 1, wireType == 2 else {
                try reader.skip(wireType: wireType)
                continue
            }
            let fileBytes = try reader.lengthDelimited()
            var file = WireReader(fileBytes)
            var name = ""
            var package = ""
            var deps: [String] = []
            var definitions: [(kind: String, bytes: UnsafeRawBufferPointer)] = []
            while let (number, type) = try file.tag() {
                switch (number, type) {
                case (1, 2): name = try file.string()
                case (2, 2): package = try file.string()
                case (3, 2): deps.append(try file.string())
                case (4, 2): definitions.append(("message", try file.lengthDelimited()))
                case (5, 2): definitions.append(("enum", try file.lengthDelimited()))
                case (6, 2): definitions.append(("service", try file.lengthDelimited()))
                default: try file.skip(wireType: type)
                }
            }
            files[name] = Array(fileBytes)
            dependencies[name] = deps
            let prefix = package.isEmpty ? "" : package + "."
            for definition in definitions {
                try Self.index(kind: definition.kind, definition.bytes, prefix: prefix, file: name, into: &symbols)
            }
        }
        self.files = files
        self.dependencies = dependencies
        self.symbols = symbols
        self.services = services
    }

    /// Records the fully qualified names a DescriptorProto, EnumDescriptorProto or
    /// ServiceDescriptorProto defines (nested messages and enums, service methods).
    private static func index(
        kind: String, _ bytes: UnsafeRawBufferPointer, prefix: String, file: String,
        into symbols: inout [String: String]
    ) throws(DecodeError) {
        var reader = WireReader(bytes)
        var name = ""
        var children: [(kind: String, bytes: UnsafeRawBufferPointer)] = []
        while let (field, wireType) = try reader.tag() {
            switch (kind, field, wireType) {
            case (_, 1, 2): name = try reader.string()
            case ("message", 3, 2): children.append(("message", try reader.lengthDelimited()))
            case ("message", 4, 2): children.append(("enum", try reader.lengthDelimited()))
            case ("service", 2, 2): children.append(("method", try reader.lengthDelimited()))
            default: try reader.skip(wireType: wireType)
            }
        }
        let fullName = prefix + name
        symbols[fullName] = file
        for child in children {
            if child.kind == "method" {
                var method = WireReader(child.bytes)
                while let (field, wireType) = try method.tag() {
                    if field == 1 && wireType == 2 {
                        symbols[fullName + "." + (try method.string())] = file
                        break
                    }
                    try method.skip(wireType: wireType)
                }
            } else {
                try index(kind: child.kind, child.bytes, prefix: fullName + ".", file: file, into: &symbols)
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
        var host = ""
        var question: (Int, String)? = nil
        let parsed = request.withUnsafeBytes { raw in
            Result { () throws(DecodeError) in
                var reader = WireReader(raw)
                while let (field, wireType) = try reader.tag() {
                    switch (field, wireType) {
                    case (1, 2): host = try reader.string()
                    case (3, 2), (4, 2), (6, 2), (7, 2): question = (field, try reader.string())
                    case (5, 2):
                        _ = try reader.lengthDelimited()
                        question = (5, "")
                    default: try reader.skip(wireType: wireType)
                    }
                }
            }
        }
        try parsed.get()
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
