public import FlowtelCore

/// `security log`: where and how the data plane emits RT_FLOW and other security logs.
public struct SecurityLog: Hashable, Sendable {
    /// `mode`.
    public enum Mode: String, Hashable, Sendable {
        /// `stream`: the data plane sends logs straight to the stream hosts.
        case stream
        /// `event`: logs go through the routing engine's syslog.
        case event
    }

    /// `format`.
    public enum Format: String, Hashable, Sendable {
        /// `syslog`: the plain-text form.
        case syslog
        /// `sd-syslog`: RFC 5424 with structured data.
        case sdSyslog = "sd-syslog"
        /// `binary`.
        case binary
        /// `protobuf`.
        case protobuf
        /// `welf`.
        case welf
    }

    /// `transport protocol`.
    public enum TransportProtocol: String, Hashable, Sendable {
        /// `udp`.
        case udp
        /// `tcp`.
        case tcp
        /// `tls`.
        case tls
    }

    /// A `stream NAME`: one log destination.
    public struct Stream: Hashable, Sendable {
        /// The stream name.
        public var name: String
        /// `host` address (or name, kept as written).
        public var host: String?
        /// `host … port`.
        public var port: UInt16?
        /// `format`, overriding the global one.
        public var format: Format?
        /// `category` (`all`, `session`, …).
        public var category: String?
        /// `severity`.
        public var severity: String?
        /// `transport protocol`.
        public var transportProtocol: TransportProtocol?
        /// `routing-instance` of the host.
        public var routingInstance: String?
        /// Where the stream is defined.
        @NotCompared public var location: SourceLocation

        /// Creates a stream.
        public init(name: String, location: SourceLocation) {
            self.name = name
            self.location = location
        }
    }

    /// `mode`; nil when not configured (the device default depends on the platform).
    public var mode: Mode?
    /// `format`.
    public var format: Format?
    /// `source-address`.
    public var sourceAddress: IPAddress?
    /// `source-interface`.
    public var sourceInterface: String?
    /// `transport protocol`.
    public var transportProtocol: TransportProtocol?
    /// `transport tcp-connections`.
    public var tcpConnections: Int?
    /// `transport tls-profile`.
    public var tlsProfile: String?
    /// `utc-timestamp`.
    public var utcTimestamp = false
    /// `report`: keep logs on box for reporting.
    public var report = false
    /// `event-rate`: events per second in event mode.
    public var eventRate: Int?
    /// `rate-cap`.
    public var rateCap: Int?
    /// `stream`s, in order.
    public var streams: [Stream] = []

    /// Nothing configured.
    public init() {}
}
