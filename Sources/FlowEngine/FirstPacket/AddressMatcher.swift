import FlowtelCore
import JunosConfig

/// A policy's `source-address` or `destination-address` list, resolved once against the
/// address books its zone sees: predefined `any`/`any-ipv4`/`any-ipv6`, prefixes, ranges and
/// wildcards; `…-excluded` inverts it. A `dns-name` address matches nothing (flowtel does not
/// resolve names).
struct AddressMatcher: Sendable {
    private var anyV4 = false
    private var anyV6 = false
    private var prefixes: [IPPrefix] = []
    private var entries: [AddressEntry] = []
    private let excluded: Bool

    /// Resolves `names` as a policy in `zone` (nil: a global policy) sees them. Names the
    /// configuration does not define (already errors of the configuration check) match nothing.
    init(names: [String], zone: String?, excluded: Bool, config: DeviceConfig) {
        self.excluded = excluded
        for name in names {
            if let predefined = PredefinedAddress(rawValue: name) {
                switch predefined {
                case .any:
                    anyV4 = true
                    anyV6 = true
                case .anyIPv4: anyV4 = true
                case .anyIPv6: anyV6 = true
                }
                continue
            }
            for entry in config.resolveAddresses(name, zone: zone) ?? [] {
                if case .prefix(let prefix) = entry.value {
                    prefixes.append(prefix)
                } else {
                    entries.append(entry)
                }
            }
        }
    }

    /// True when the list admits `address`.
    func matches(_ address: IPAddress) -> Bool {
        let listed =
            (address.isV4 ? anyV4 : anyV6) || prefixes.contains { $0.contains(address) }
            || entries.contains { $0.contains(address) }
        return listed != excluded
    }
}
