/// Hand-written SRX-style configurations: the same configuration in both syntaxes.
enum Fixtures {
    static let curly = #"""
        /* srx1: branch firewall, written by hand for the parser tests */
        system {
            host-name srx1;
            # management
            services {
                ssh;
                netconf {
                    ssh;
                }
            }
            login {
                message "Authorised access only \"srx1\"";
            }
        }
        interfaces {
            ge-0/0/0 {
                description "uplink to ISP A";
                unit 0 {
                    family inet {
                        address 203.0.113.2/30;
                    }
                }
            }
            ge-0/0/1 {
                vlan-tagging;
                unit 100 {
                    vlan-id 100;
                    family inet {
                        address 10.1.0.1/24;
                    }
                    family inet6 {
                        address 2001:db8:100::1/64;
                    }
                }
                inactive: unit 200 {
                    vlan-id 200;
                    family inet {
                        address 10.2.0.1/24;
                    }
                }
            }
        }
        security {
            address-book {
                global {
                    address web-1 10.1.0.10/32;
                    address web-2 10.1.0.11/32;
                    address-set web-servers {
                        address web-1;
                        address web-2;
                    }
                }
            }
            zones {
                security-zone trust {
                    host-inbound-traffic {
                        system-services {
                            ping;
                            ssh;
                        }
                    }
                    interfaces {
                        ge-0/0/1.100;
                    }
                }
                security-zone untrust {
                    interfaces {
                        ge-0/0/0.0 {
                            host-inbound-traffic {
                                system-services {
                                    ike;
                                }
                            }
                        }
                    }
                }
            }
            policies {
                from-zone trust to-zone untrust {
                    policy allow-web {
                        match {
                            source-address any;
                            destination-address any;
                            application [ junos-http junos-https ];
                        }
                        then {
                            permit;
                            log {
                                session-init;
                                session-close;
                            }
                        }
                    }
                }
                from-zone untrust to-zone trust {
                    policy web-in {
                        match {
                            source-address any;
                            destination-address web-servers;
                            application app-8080;
                        }
                        then {
                            permit;
                        }
                    }
                }
            }
            nat {
                source {
                    pool isp-a {
                        address {
                            203.0.113.2/32;
                        }
                    }
                    rule-set trust-to-untrust {
                        from zone trust;
                        to zone untrust;
                        rule snat-all {
                            match {
                                source-address 10.0.0.0/8;
                            }
                            then {
                                source-nat {
                                    pool {
                                        isp-a;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        applications {
            application app-8080 {
                term t1 protocol tcp destination-port 8080;
                term t2 protocol udp destination-port 8080;
            }
        }
        """#

    static let set = #"""
        # srx1: the same configuration as `show configuration | display set` prints it
        set system host-name srx1
        set system services ssh
        set system services netconf ssh
        set system login message "Authorised access only \"srx1\""
        set interfaces ge-0/0/0 description "uplink to ISP A"
        set interfaces ge-0/0/0 unit 0 family inet address 203.0.113.2/30
        set interfaces ge-0/0/1 vlan-tagging
        set interfaces ge-0/0/1 unit 100 vlan-id 100
        set interfaces ge-0/0/1 unit 100 family inet address 10.1.0.1/24
        set interfaces ge-0/0/1 unit 100 family inet6 address 2001:db8:100::1/64
        set interfaces ge-0/0/1 unit 200 vlan-id 200
        set interfaces ge-0/0/1 unit 200 family inet address 10.2.0.1/24
        deactivate interfaces ge-0/0/1 unit 200
        set security address-book global address web-1 10.1.0.10/32
        set security address-book global address web-2 10.1.0.11/32
        set security address-book global address-set web-servers address web-1
        set security address-book global address-set web-servers address web-2
        set security zones security-zone trust host-inbound-traffic system-services ping
        set security zones security-zone trust host-inbound-traffic system-services ssh
        set security zones security-zone trust interfaces ge-0/0/1.100
        set security zones security-zone untrust interfaces ge-0/0/0.0 host-inbound-traffic system-services ike
        set security policies from-zone trust to-zone untrust policy allow-web match source-address any
        set security policies from-zone trust to-zone untrust policy allow-web match destination-address any
        set security policies from-zone trust to-zone untrust policy allow-web match application [ junos-http junos-https ]
        set security policies from-zone trust to-zone untrust policy allow-web then permit
        set security policies from-zone trust to-zone untrust policy allow-web then log session-init
        set security policies from-zone trust to-zone untrust policy allow-web then log session-close;
        set security policies from-zone untrust to-zone trust policy web-in match source-address any
        set security policies from-zone untrust to-zone trust policy web-in match destination-address web-servers
        set security policies from-zone untrust to-zone trust policy web-in match application app-8080
        set security policies from-zone untrust to-zone trust policy web-in then permit
        set security nat source pool isp-a address 203.0.113.2/32
        set security nat source rule-set trust-to-untrust from zone trust
        set security nat source rule-set trust-to-untrust to zone untrust
        set security nat source rule-set trust-to-untrust rule snat-all match source-address 10.0.0.0/8
        set security nat source rule-set trust-to-untrust rule snat-all then source-nat pool isp-a

        set applications application app-8080 term t1 protocol tcp destination-port 8080
        set applications application app-8080 term t2 protocol udp destination-port 8080
        """#

    /// Groups applied at the top level and at an interface.
    static let groups = """
        groups {
            common {
                system {
                    host-name base;
                    domain-name example.net;
                    services {
                        ssh;
                    }
                }
            }
            mtu {
                interfaces {
                    ge-0/0/0 {
                        mtu 9192;
                        description "from group";
                    }
                    <ge-*> {
                        mtu 1500;
                    }
                }
            }
        }
        apply-groups [ common missing ];
        system {
            host-name srx1;
            ntp {
                server 192.0.2.1;
            }
        }
        interfaces {
            ge-0/0/0 {
                apply-groups mtu;
                description uplink;
                unit 0;
            }
        }
        """
}
