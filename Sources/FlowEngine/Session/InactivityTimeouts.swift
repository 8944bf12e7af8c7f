public import JunosConfig

/// The inactivity timeout of a session, in the order Junos looks it up: the matched term's
/// own `inactivity-timeout`, the application's, then the protocol default (TCP 1800 s, UDP
/// 60 s, ICMP and ICMPv6 60 s, OSPF 60 s, any other protocol 1800 s). Predefined `junos-*`
/// applications carry their own timeouts (telnet keeps 8 hours) in the same place.
public enum InactivityTimeouts {
    /// The protocol default, seconds.
    public static func protocolDefault(_ ipProtocol: UInt8) -> Int {
        switch ipProtocol {
        case 17, 1, 58, 89: 60
        default: 1800
        }
    }

    /// The timeout for a session identified as `application` through `term` (both nil for an
    /// unidentified session): seconds, or nil for `never`.
    public static func seconds(application: Application?, term: ApplicationTerm?, ipProtocol: UInt8) -> Int? {
        let configured = term.flatMap { term in application?.inactivityTimeout(for: term) } ?? application?.inactivityTimeout
        switch configured {
        case .seconds(let seconds): return seconds
        case .never: return nil
        case nil: return protocolDefault(ipProtocol)
        }
    }
}
