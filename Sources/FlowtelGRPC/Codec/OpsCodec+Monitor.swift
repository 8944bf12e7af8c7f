internal import CGRPC
public import FlowtelCore

/// The flow-monitoring messages: `monitor security flow …`, `show monitor security flow`,
/// `show log`.
extension OpsCodec {
    // MARK: - Requests

    /// `SetMonitorFilterRequest` carrying `filter`.
    public static func encodeSetMonitorFilter(_ filter: MonitorFilter) -> [UInt8] {
        let arena = Arena()
        var message = Flowtel__V1__SetMonitorFilterRequest()
        flowtel__v1__set_monitor_filter_request__init(&message)
        message.filter = makeFilter(filter, arena: arena)
        return withExtendedLifetime(arena) {
            let size = flowtel__v1__set_monitor_filter_request__get_packed_size(&message)
            return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
                count = flowtel__v1__set_monitor_filter_request__pack(&message, buffer.baseAddress)
            }
        }
    }

    /// Decodes a `SetMonitorFilterRequest`; a request without a filter reads as a filter with
    /// an empty name (which the daemon refuses).
    public static func decodeSetMonitorFilter(_ bytes: [UInt8]) throws(DecodeError) -> MonitorFilter {
        let unpacked = bytes.withUnsafeBufferPointer { buffer in
            flowtel__v1__set_monitor_filter_request__unpack(nil, buffer.count, buffer.baseAddress)
        }
        guard let message = unpacked else { throw DecodeError("SetMonitorFilterRequest: malformed protobuf") }
        defer { flowtel__v1__set_monitor_filter_request__free_unpacked(message, nil) }
        guard let filter = message.pointee.filter?.pointee else { return MonitorFilter(name: "") }
        return try readFilter(filter)
    }

    /// `ClearMonitorFilterRequest` for one filter, or every filter when `name` is empty.
    public static func encodeClearMonitorFilter(name: String) -> [UInt8] {
        let arena = Arena()
        var message = Flowtel__V1__ClearMonitorFilterRequest()
        flowtel__v1__clear_monitor_filter_request__init(&message)
        message.name = arena.cString(name)
        return withExtendedLifetime(arena) {
            let size = flowtel__v1__clear_monitor_filter_request__get_packed_size(&message)
            return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
                count = flowtel__v1__clear_monitor_filter_request__pack(&message, buffer.baseAddress)
            }
        }
    }

    /// Decodes a `ClearMonitorFilterRequest`: the filter name, empty for all.
    public static func decodeClearMonitorFilter(_ bytes: [UInt8]) throws(DecodeError) -> String {
        let unpacked = bytes.withUnsafeBufferPointer { buffer in
            flowtel__v1__clear_monitor_filter_request__unpack(nil, buffer.count, buffer.baseAddress)
        }
        guard let message = unpacked else { throw DecodeError("ClearMonitorFilterRequest: malformed protobuf") }
        defer { flowtel__v1__clear_monitor_filter_request__free_unpacked(message, nil) }
        return String(protobufC: message.pointee.name)
    }

    /// `SetMonitorFileRequest` for `file`.
    public static func encodeSetMonitorFile(_ file: MonitorFile) -> [UInt8] {
        let arena = Arena()
        var message = Flowtel__V1__SetMonitorFileRequest()
        flowtel__v1__set_monitor_file_request__init(&message)
        message.name = arena.cString(file.name)
        message.size = file.size
        message.files = file.files
        message.match = arena.cString(file.match)
        message.world_readable = file.worldReadable ? 1 : 0
        return withExtendedLifetime(arena) {
            let size = flowtel__v1__set_monitor_file_request__get_packed_size(&message)
            return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
                count = flowtel__v1__set_monitor_file_request__pack(&message, buffer.baseAddress)
            }
        }
    }

    /// Decodes a `SetMonitorFileRequest` (0 size and files mean the defaults).
    public static func decodeSetMonitorFile(_ bytes: [UInt8]) throws(DecodeError) -> MonitorFile {
        let unpacked = bytes.withUnsafeBufferPointer { buffer in
            flowtel__v1__set_monitor_file_request__unpack(nil, buffer.count, buffer.baseAddress)
        }
        guard let message = unpacked else { throw DecodeError("SetMonitorFileRequest: malformed protobuf") }
        defer { flowtel__v1__set_monitor_file_request__free_unpacked(message, nil) }
        let m = message.pointee
        return MonitorFile(
            name: String(protobufC: m.name), size: m.size, files: m.files, match: String(protobufC: m.match),
            worldReadable: m.world_readable != 0)
    }

    /// `ReadLogRequest` for the log file `name`.
    public static func encodeReadLogRequest(name: String) -> [UInt8] {
        let arena = Arena()
        var message = Flowtel__V1__ReadLogRequest()
        flowtel__v1__read_log_request__init(&message)
        message.name = arena.cString(name)
        return withExtendedLifetime(arena) {
            let size = flowtel__v1__read_log_request__get_packed_size(&message)
            return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
                count = flowtel__v1__read_log_request__pack(&message, buffer.baseAddress)
            }
        }
    }

    /// Decodes a `ReadLogRequest`: the file name.
    public static func decodeReadLogRequest(_ bytes: [UInt8]) throws(DecodeError) -> String {
        let unpacked = bytes.withUnsafeBufferPointer { buffer in
            flowtel__v1__read_log_request__unpack(nil, buffer.count, buffer.baseAddress)
        }
        guard let message = unpacked else { throw DecodeError("ReadLogRequest: malformed protobuf") }
        defer { flowtel__v1__read_log_request__free_unpacked(message, nil) }
        return String(protobufC: message.pointee.name)
    }

    // MARK: - Responses

    /// `ReadLogResponse` carrying `chunk`, the next bytes of the file.
    public static func encodeReadLogChunk(_ chunk: UnsafeRawBufferPointer) -> [UInt8] {
        var message = Flowtel__V1__ReadLogResponse()
        flowtel__v1__read_log_response__init(&message)
        // protobuf-c only reads `data` while packing; the chunk outlives this call.
        let base = chunk.baseAddress?.assumingMemoryBound(to: UInt8.self)
        message.data = ProtobufCBinaryData(len: chunk.count, data: UnsafeMutablePointer(mutating: base))
        let size = flowtel__v1__read_log_response__get_packed_size(&message)
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            count = flowtel__v1__read_log_response__pack(&message, buffer.baseAddress)
        }
    }

    /// Decodes a `ReadLogResponse`: the chunk's bytes.
    public static func decodeReadLogChunk(_ bytes: [UInt8]) throws(DecodeError) -> [UInt8] {
        let unpacked = bytes.withUnsafeBufferPointer { buffer in
            flowtel__v1__read_log_response__unpack(nil, buffer.count, buffer.baseAddress)
        }
        guard let message = unpacked else { throw DecodeError("ReadLogResponse: malformed protobuf") }
        defer { flowtel__v1__read_log_response__free_unpacked(message, nil) }
        let data = message.pointee.data
        guard data.len > 0, let base = data.data else { return [] }
        return Array(UnsafeBufferPointer(start: base, count: data.len))
    }

    /// `MonitorStatus` for `status`.
    public static func encodeMonitorStatus(_ status: MonitorStatus) -> [UInt8] {
        let arena = Arena()
        var message = Flowtel__V1__MonitorStatus()
        flowtel__v1__monitor_status__init(&message)
        message.active = status.active ? 1 : 0
        message.trace_file = arena.cString(status.traceFile)
        message.basic_datapath = status.basicDatapath ? 1 : 0
        if let file = status.file {
            message.file_size = file.size
            message.file_count = file.files
            message.file_match = arena.cString(file.match)
            message.world_readable = file.worldReadable ? 1 : 0
        }
        let list = arena.allocate(UnsafeMutablePointer<Flowtel__V1__MonitorFilter>?.self, count: status.filters.count)
        for (index, filter) in status.filters.enumerated() {
            list[index] = makeFilter(filter, arena: arena)
        }
        message.n_filters = status.filters.count
        message.filters = list
        return withExtendedLifetime(arena) {
            let size = flowtel__v1__monitor_status__get_packed_size(&message)
            return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
                count = flowtel__v1__monitor_status__pack(&message, buffer.baseAddress)
            }
        }
    }

    /// Decodes a `MonitorStatus`. The file settings are present when `trace_file` is; the
    /// file's name is the path's last component.
    public static func decodeMonitorStatus(_ bytes: [UInt8]) throws(DecodeError) -> MonitorStatus {
        let unpacked = bytes.withUnsafeBufferPointer { buffer in
            flowtel__v1__monitor_status__unpack(nil, buffer.count, buffer.baseAddress)
        }
        guard let message = unpacked else { throw DecodeError("MonitorStatus: malformed protobuf") }
        defer { flowtel__v1__monitor_status__free_unpacked(message, nil) }
        let m = message.pointee
        var filters: [MonitorFilter] = []
        filters.reserveCapacity(m.n_filters)
        for index in 0..<m.n_filters {
            guard let filter = m.filters[index]?.pointee else { continue }
            filters.append(try readFilter(filter))
        }
        let traceFile = String(protobufC: m.trace_file)
        let file: MonitorFile? =
            traceFile.isEmpty
            ? nil
            : MonitorFile(
                name: String(traceFile.split(separator: "/", omittingEmptySubsequences: false).last ?? ""),
                size: m.file_size, files: m.file_count, match: String(protobufC: m.file_match),
                worldReadable: m.world_readable != 0)
        return MonitorStatus(
            active: m.active != 0, traceFile: traceFile, basicDatapath: m.basic_datapath != 0, file: file,
            filters: filters)
    }

    // MARK: - MonitorFilter

    private static func makeFilter(
        _ filter: MonitorFilter, arena: Arena
    ) -> UnsafeMutablePointer<Flowtel__V1__MonitorFilter> {
        let message = arena.allocate(Flowtel__V1__MonitorFilter.self)
        flowtel__v1__monitor_filter__init(message)
        message.pointee.name = arena.cString(filter.name)
        message.pointee.source_prefix = arena.cString(filter.sourcePrefix)
        message.pointee.destination_prefix = arena.cString(filter.destinationPrefix)
        message.pointee.source_port = UInt32(filter.sourcePort ?? 0)
        message.pointee.destination_port = UInt32(filter.destinationPort ?? 0)
        message.pointee.protocol = arena.cString(filter.protocol)
        message.pointee.interface = arena.cString(filter.interface)
        message.pointee.connection_tag = filter.connectionTag
        message.pointee.incoming_interface = arena.cString(filter.incomingInterface)
        message.pointee.outgoing_interface = arena.cString(filter.outgoingInterface)
        message.pointee.logical_system = arena.cString(filter.logicalSystem)
        return message
    }

    private static func readFilter(_ m: Flowtel__V1__MonitorFilter) throws(DecodeError) -> MonitorFilter {
        func port(_ value: UInt32, _ field: String) throws(DecodeError) -> UInt16? {
            guard value != 0 else { return nil }
            guard let port = UInt16(exactly: value) else {
                throw DecodeError("MonitorFilter.\(field): \(value) is not a port (1-65535)")
            }
            return port
        }
        return MonitorFilter(
            name: String(protobufC: m.name), sourcePrefix: String(protobufC: m.source_prefix),
            destinationPrefix: String(protobufC: m.destination_prefix),
            sourcePort: try port(m.source_port, "source_port"),
            destinationPort: try port(m.destination_port, "destination_port"), protocol: String(protobufC: m.protocol),
            interface: String(protobufC: m.interface), incomingInterface: String(protobufC: m.incoming_interface),
            outgoingInterface: String(protobufC: m.outgoing_interface),
            logicalSystem: String(protobufC: m.logical_system), connectionTag: m.connection_tag)
    }
}
