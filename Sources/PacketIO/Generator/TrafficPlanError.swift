/// Why a ``TrafficPlan`` cannot be generated: what is wrong and in which flow or endpoint.
public struct TrafficPlanError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of problem.
    public var code: Code
    /// What is wrong, in words for the person who wrote the configuration.
    public var message: String
    /// The index in ``TrafficPlan/flows`` of the offending flow, if a flow is at fault.
    public var flow: Int?
    /// The index in ``TrafficPlan/endpoints`` of the offending endpoint, if one is at fault.
    public var endpoint: Int?

    /// Creates an error.
    public init(_ code: Code, flow: Int? = nil, endpoint: Int? = nil, _ message: String) {
        self.code = code
        self.message = message
        self.flow = flow
        self.endpoint = endpoint
    }

    /// "traffic flow 2: client endpoint 7 does not exist".
    public var description: String {
        if let flow { return "traffic flow \(flow): \(message)" }
        if let endpoint { return "traffic endpoint \(endpoint): \(message)" }
        return "traffic plan: \(message)"
    }
}

extension TrafficPlanError {
    /// A kind of plan problem. Codes are only added, never removed.
    public struct Code: Hashable, Sendable, CaseIterable, CustomStringConvertible {
        private enum Wrapped: UInt8, CaseIterable {
            case noFlows
            case invalidWeight
            case endpointOutOfRange
            case noAddressFamily
            case invalidApplication
            case invalidVLAN
            case invalidMAC
        }

        private let wrapped: Wrapped

        private init(_ wrapped: Wrapped) {
            self.wrapped = wrapped
        }

        /// Every code, in a stable order.
        public static let allCases: [Code] = Wrapped.allCases.map(Code.init)

        /// The plan has no flows.
        public static let noFlows = Code(.noFlows)
        /// A weight is negative, the weights add up to 0, or they overflow.
        public static let invalidWeight = Code(.invalidWeight)
        /// A flow names an endpoint index the plan does not have.
        public static let endpointOutOfRange = Code(.endpointOutOfRange)
        /// No address family the flow allows has hosts (that are not excluded) on both its
        /// client and server side.
        public static let noAddressFamily = Code(.noAddressFamily)
        /// A port is 0, or a byte count or echo count is out of range.
        public static let invalidApplication = Code(.invalidApplication)
        /// A VLAN id is outside 1-4094.
        public static let invalidVLAN = Code(.invalidVLAN)
        /// A MAC address is a group (multicast or broadcast) address.
        public static let invalidMAC = Code(.invalidMAC)

        /// The code's name, stable for logs: `endpoint-out-of-range`.
        public var description: String {
            switch wrapped {
            case .noFlows: "no-flows"
            case .invalidWeight: "invalid-weight"
            case .endpointOutOfRange: "endpoint-out-of-range"
            case .noAddressFamily: "no-address-family"
            case .invalidApplication: "invalid-application"
            case .invalidVLAN: "invalid-vlan"
            case .invalidMAC: "invalid-mac"
            }
        }
    }
}
