public import FlowtelCore

/// What the first-packet path looks at: the 5-tuple, with ICMP's type and code.
///
/// For ICMP and ICMPv6 echo the ports carry what an SRX puts in their place in RT_FLOW logs:
/// the identifier as the source port and the sequence number as the destination port; the
/// type and code are kept apart for application matching.
public struct FlowKey: Hashable, Sendable, CustomStringConvertible {
    /// Source address.
    public var source: IPAddress
    /// Destination address.
    public var destination: IPAddress
    /// IP protocol number.
    public var ipProtocol: UInt8
    /// TCP/UDP/SCTP source port; the echo identifier for ICMP; 0 otherwise.
    public var sourcePort: UInt16
    /// TCP/UDP/SCTP destination port; the echo sequence for ICMP; 0 otherwise.
    public var destinationPort: UInt16
    /// ICMP or ICMPv6 type, for ICMP.
    public var icmpType: UInt8?
    /// ICMP or ICMPv6 code, for ICMP.
    public var icmpCode: UInt8?

    /// Creates a key.
    public init(
        source: IPAddress, destination: IPAddress, ipProtocol: UInt8, sourcePort: UInt16 = 0,
        destinationPort: UInt16 = 0, icmpType: UInt8? = nil, icmpCode: UInt8? = nil
    ) {
        self.source = source
        self.destination = destination
        self.ipProtocol = ipProtocol
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.icmpType = icmpType
        self.icmpCode = icmpCode
    }

    /// "10.0.0.1/40000->192.0.2.1/443;6", the way `show security flow session` writes a wing.
    public var description: String {
        "\(source)/\(sourcePort)->\(destination)/\(destinationPort);\(ipProtocol)"
    }
}
