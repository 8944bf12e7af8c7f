public import FlowtelCore
import FlowtelGRPC

extension SubscriptionClient {
    /// `SetMonitorFilter`: defines or replaces a filter
    /// (`monitor security flow filter NAME …`); returns the monitor's status after it.
    public func setMonitorFilter(_ filter: MonitorFilter) throws -> MonitorStatus {
        try OpsCodec.decodeMonitorStatus(try monitorCall("SetMonitorFilter", OpsCodec.encodeSetMonitorFilter(filter)))
    }

    /// `ClearMonitorFilter`: removes the filter `name`, or every filter when `name` is empty
    /// (`clear monitor security flow filter [NAME]`).
    public func clearMonitorFilter(name: String) throws -> MonitorStatus {
        try OpsCodec.decodeMonitorStatus(
            try monitorCall("ClearMonitorFilter", OpsCodec.encodeClearMonitorFilter(name: name)))
    }

    /// `SetMonitorFile`: sets the trace file (`monitor security flow file NAME …`).
    public func setMonitorFile(_ file: MonitorFile) throws -> MonitorStatus {
        try OpsCodec.decodeMonitorStatus(try monitorCall("SetMonitorFile", OpsCodec.encodeSetMonitorFile(file)))
    }

    /// `StartMonitor` (`monitor security flow start`).
    public func startMonitor() throws -> MonitorStatus {
        try OpsCodec.decodeMonitorStatus(try monitorCall("StartMonitor", []))
    }

    /// `StopMonitor` (`monitor security flow stop`).
    public func stopMonitor() throws -> MonitorStatus {
        try OpsCodec.decodeMonitorStatus(try monitorCall("StopMonitor", []))
    }

    /// `GetMonitorStatus` (`show monitor security flow`).
    public func monitorStatus() throws -> MonitorStatus {
        try OpsCodec.decodeMonitorStatus(try monitorCall("GetMonitorStatus", []))
    }

    /// `ReadLog` (`show log NAME`): hands each chunk of the file to `body`, in order.
    public func readLog(name: String, _ body: ([UInt8]) throws -> Void) throws {
        let stream = try channel.serverStream(
            method: "/flowtel.v1.Flowtel/ReadLog", request: OpsCodec.encodeReadLogRequest(name: name),
            metadata: configuration.metadata, timeout: .seconds(60))
        defer { stream.close() }
        while let message = try stream.receive() {
            try body(try OpsCodec.decodeReadLogChunk(message))
        }
    }

    private func monitorCall(_ method: String, _ request: [UInt8]) throws(RPCError) -> [UInt8] {
        try channel.unary(
            method: "/flowtel.v1.Flowtel/" + method, request: request, metadata: configuration.metadata,
            timeout: .seconds(10))
    }
}
