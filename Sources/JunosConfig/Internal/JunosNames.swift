/// Names Junos accepts in place of numbers.
enum JunosNames {
    /// Port names accepted by `source-port` / `destination-port` (the well-known services).
    static let ports: [String: UInt16] = [
        "ftp-data": 20, "ftp": 21, "ssh": 22, "telnet": 23, "smtp": 25, "tacacs": 49, "domain": 53,
        "tacacs-ds": 65, "bootps": 67, "bootpc": 68, "tftp": 69, "finger": 79, "http": 80,
        "kerberos-sec": 88, "pop3": 110, "sunrpc": 111, "ident": 113, "nntp": 119, "ntp": 123,
        "netbios-ns": 137, "netbios-dgm": 138, "netbios-ssn": 139, "imap": 143, "snmp": 161,
        "snmptrap": 162, "xdmcp": 177, "bgp": 179, "ldap": 389, "https": 443, "snpp": 444,
        "biff": 512, "exec": 512, "login": 513, "cmd": 514, "who": 513, "syslog": 514,
        "printer": 515, "talk": 517, "ntalk": 518, "rip": 520, "timed": 525, "klogin": 543,
        "kshell": 544, "ldp": 646, "krb-prop": 754, "krbupdate": 760, "kpasswd": 761,
        "socks": 1080, "afs": 1483, "pptp": 1723, "radius": 1812, "radacct": 1813,
        "nfsd": 2049, "eklogin": 2105, "ekshell": 2106, "cvspserver": 2401, "rkinit": 2108,
        "mobileip-agent": 434, "mobilip-mn": 435, "msdp": 639, "dhcp": 67,
    ]

    /// ICMP (IPv4) type names accepted by `icmp-type`.
    static let icmpTypes: [String: UInt8] = [
        "echo-reply": 0, "unreachable": 3, "source-quench": 4, "redirect": 5, "echo-request": 8,
        "router-advertisement": 9, "router-solicit": 10, "time-exceeded": 11,
        "parameter-problem": 12, "timestamp": 13, "timestamp-reply": 14, "info-request": 15,
        "info-reply": 16, "mask-request": 17, "mask-reply": 18,
    ]

    /// ICMPv6 type names accepted by `icmp6-type`.
    static let icmp6Types: [String: UInt8] = [
        "destination-unreachable": 1, "packet-too-big": 2, "time-exceeded": 3,
        "parameter-problem": 4, "echo-request": 128, "echo-reply": 129,
        "membership-query": 130, "membership-report": 131, "membership-termination": 132,
        "router-solicit": 133, "router-advertisement": 134, "neighbor-solicit": 135,
        "neighbor-advertisement": 136, "redirect": 137, "router-renumbering": 138,
    ]

    /// A port number or name; nil otherwise.
    static func port(_ text: String) -> UInt16? {
        UInt16(text) ?? ports[text]
    }
}
