/// The applications Junos predefines in `junos-defaults`, which policies may name without
/// defining them. A user-defined application of the same name replaces the predefined one.
///
/// Ports follow the junos-defaults port map; the inactivity timeouts that differ from the
/// protocol defaults are those junos-defaults sets (telnet keeps its session 8 hours). Where
/// several applications share a port (junos-smb and junos-smb-session on tcp/445), the first
/// in this list is the one a session without a policy-named application is attributed to.
public enum PredefinedApplications {
    /// Every predefined application, in lookup order.
    public static let all: [Application] = [
        tcp("junos-ftp", 21),
        tcp("junos-ssh", 22),
        tcp("junos-telnet", 23, timeout: 28_800),
        tcp("junos-smtp", 25),
        tcp("junos-whois", 43),
        tcp("junos-dns-tcp", 53),
        tcp("junos-http", 80),
        tcp("junos-pop3", 110),
        tcp("junos-ident", 113),
        tcp("junos-nntp", 119),
        tcp("junos-imap", 143),
        tcp("junos-bgp", 179),
        tcp("junos-ldap", 389),
        tcp("junos-https", 443),
        Application(
            name: "junos-smb",
            terms: [
                ApplicationTerm(name: "t1", ipProtocol: 6, destinationPorts: PortRange(139)),
                ApplicationTerm(name: "t2", ipProtocol: 6, destinationPorts: PortRange(445)),
            ],
            isPredefined: true),
        tcp("junos-smb-session", 445),
        tcp("junos-netbios-session", 139),
        tcp("junos-imaps", 993),
        tcp("junos-pop3s", 995),
        tcp("junos-ms-sql", 1433),
        tcp("junos-pptp", 1723),
        tcp("junos-mysql", 3306),
        tcp("junos-rdp", 3389),
        Application(
            name: "junos-sip",
            terms: [
                ApplicationTerm(name: "t1", ipProtocol: 17, destinationPorts: PortRange(5060)),
                ApplicationTerm(name: "t2", ipProtocol: 6, destinationPorts: PortRange(5060)),
            ],
            isPredefined: true),
        tcp("junos-http-ext", 7001),
        Application(name: "junos-tcp-any", terms: [ApplicationTerm(ipProtocol: 6)], isPredefined: true),
        udp("junos-dns-udp", 53),
        udp("junos-bootps", 67),
        udp("junos-bootpc", 68),
        udp("junos-tftp", 69),
        udp("junos-ntp", 123),
        udp("junos-netbios-name", 137),
        udp("junos-netbios-datagram", 138),
        udp("junos-snmp-trap", 162),
        udp("junos-ike", 500),
        udp("junos-syslog", 514),
        udp("junos-radius", 1812),
        udp("junos-radacct", 1813),
        udp("junos-ike-nat", 4500),
        udp("junos-vxlan", 4789),
        Application(name: "junos-udp-any", terms: [ApplicationTerm(ipProtocol: 17)], isPredefined: true),
        Application(name: "junos-gre", terms: [ApplicationTerm(ipProtocol: 47)], isPredefined: true),
        Application(name: "junos-esp", terms: [ApplicationTerm(ipProtocol: 50)], isPredefined: true),
        Application(name: "junos-ah", terms: [ApplicationTerm(ipProtocol: 51)], isPredefined: true),
        Application(name: "junos-ospf", terms: [ApplicationTerm(ipProtocol: 89)], isPredefined: true),
        Application(name: "junos-icmp-all", terms: [ApplicationTerm(ipProtocol: 1)], isPredefined: true),
        Application(
            name: "junos-icmp-ping", terms: [ApplicationTerm(ipProtocol: 1, icmpType: 8)], isPredefined: true),
        Application(name: "junos-ping", terms: [ApplicationTerm(ipProtocol: 1, icmpType: 8)], isPredefined: true),
        Application(
            name: "junos-pingv6", terms: [ApplicationTerm(ipProtocol: 58, icmpType: 128)], isPredefined: true),
        Application(name: "junos-icmp6-all", terms: [ApplicationTerm(ipProtocol: 58)], isPredefined: true),
    ]

    /// The predefined application sets.
    public static let sets: [ApplicationSet] = [
        ApplicationSet(name: "junos-cifs", applications: ["junos-netbios-session", "junos-smb"]),
        ApplicationSet(name: "junos-routing-inbound", applications: ["junos-bgp", "junos-ospf"]),
    ]

    /// Lookup by name.
    public static let byName: [String: Application] = Dictionary(
        uniqueKeysWithValues: all.map { ($0.name, $0) })

    /// Set lookup by name.
    public static let setsByName: [String: ApplicationSet] = Dictionary(
        uniqueKeysWithValues: sets.map { ($0.name, $0) })

    private static func tcp(_ name: String, _ port: UInt16, timeout: Int? = nil) -> Application {
        Application(
            name: name, terms: [ApplicationTerm(ipProtocol: 6, destinationPorts: PortRange(port))],
            inactivityTimeout: timeout.map(InactivityTimeout.seconds), isPredefined: true)
    }

    private static func udp(_ name: String, _ port: UInt16) -> Application {
        Application(
            name: name, terms: [ApplicationTerm(ipProtocol: 17, destinationPorts: PortRange(port))],
            isPredefined: true)
    }
}
