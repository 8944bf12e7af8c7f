/// Why a live capture could not be opened, configured, read or queried.
///
/// ``message`` is written for an operator: it names the interface (or the filter expression),
/// carries libpcap's own text, and says what to do where there is something to do.
public struct CaptureError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of problem.
    public var kind: Kind
    /// The interface the capture was opened on.
    public var interface: String
    /// What went wrong and what to do, including libpcap's message.
    public var message: String
    /// libpcap's status code (`PCAP_ERROR_*`, `PCAP_WARNING_*`), when one was returned.
    public var status: Int32?

    /// Creates an error.
    public init(_ kind: Kind, interface: String, message: String, status: Int32? = nil) {
        self.kind = kind
        self.interface = interface
        self.message = message
        self.status = status
    }

    /// "live capture on eth9: noSuchDevice: no interface named eth9 ...".
    public var description: String {
        "live capture on \(interface): \(kind): \(message)"
    }
}

extension CaptureError {
    /// A kind of live-capture problem.
    ///
    /// Kinds are only added, never removed: counters and logs key them by ``name``.
    public struct Kind: Hashable, Sendable, CaseIterable, CustomStringConvertible {
        private enum Wrapped: UInt8, CaseIterable {
            case noSuchDevice
            case permissionDenied
            case promiscuousPermissionDenied
            case interfaceNotUp
            case interfaceGone
            case invalidFilter
            case activationFailed
            case readFailed
            case statisticsFailed
            case closed
        }

        private let wrapped: Wrapped

        private init(_ wrapped: Wrapped) {
            self.wrapped = wrapped
        }

        /// Every kind, in a stable order.
        public static let allCases: [Kind] = Wrapped.allCases.map(Kind.init)

        /// No interface has the configured name (`PCAP_ERROR_NO_SUCH_DEVICE`).
        public static let noSuchDevice = Kind(.noSuchDevice)
        /// The process may not open a capture socket (`PCAP_ERROR_PERM_DENIED`): it needs
        /// `CAP_NET_RAW` (and `CAP_NET_ADMIN` for promiscuous mode or a large buffer).
        public static let permissionDenied = Kind(.permissionDenied)
        /// The process may capture but not enable promiscuous mode
        /// (`PCAP_ERROR_PROMISC_PERM_DENIED`).
        public static let promiscuousPermissionDenied = Kind(.promiscuousPermissionDenied)
        /// The interface exists but is down (`PCAP_ERROR_IFACE_NOT_UP`).
        public static let interfaceNotUp = Kind(.interfaceNotUp)
        /// The interface went away or went down while capturing (`ENODEV`, `ENETDOWN`).
        public static let interfaceGone = Kind(.interfaceGone)
        /// The BPF filter expression does not compile for this link type, or the kernel
        /// rejected it.
        public static let invalidFilter = Kind(.invalidFilter)
        /// Any other failure to create or activate the capture (`PCAP_ERROR` and the rest).
        public static let activationFailed = Kind(.activationFailed)
        /// Reading packets failed.
        public static let readFailed = Kind(.readFailed)
        /// The kernel's capture statistics could not be read.
        public static let statisticsFailed = Kind(.statisticsFailed)
        /// The capture was used after ``LiveCapture/close()``.
        public static let closed = Kind(.closed)

        /// A stable identifier for counters and logs: `noSuchDevice`.
        public var name: String {
            switch wrapped {
            case .noSuchDevice: "noSuchDevice"
            case .permissionDenied: "permissionDenied"
            case .promiscuousPermissionDenied: "promiscuousPermissionDenied"
            case .interfaceNotUp: "interfaceNotUp"
            case .interfaceGone: "interfaceGone"
            case .invalidFilter: "invalidFilter"
            case .activationFailed: "activationFailed"
            case .readFailed: "readFailed"
            case .statisticsFailed: "statisticsFailed"
            case .closed: "closed"
            }
        }

        /// The ``name``.
        public var description: String { name }
    }
}
