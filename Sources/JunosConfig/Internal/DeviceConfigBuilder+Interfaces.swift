import FlowtelCore

extension DeviceConfigBuilder {
    mutating func buildInterfaces(_ interfaces: Statement, into config: inout DeviceConfig) {
        for statement in interfaces.active {
            switch statement.keyword {
            case "interface-range", "traceoptions": unknown(statement, in: ["interfaces"])
            default: config.interfaces.append(buildInterface(statement))
            }
        }
    }

    private mutating func buildInterface(_ statement: Statement) -> Interface {
        let path = ["interfaces", statement.keyword]
        var interface = Interface(name: statement.keyword, location: statement.location)
        for child in statement.active {
            switch child.keyword {
            case "description": interface.description = word(child, expected: "a description")
            case "vlan-tagging", "flexible-vlan-tagging": interface.vlanTagging = flag(child, in: path)
            case "mtu": interface.mtu = integer(child, in: 256...9500, expected: "an MTU")
            case "disable": interface.isDisabled = flag(child, in: path)
            case "redundant-ether-options":
                for option in child.active {
                    if option.keyword == "redundancy-group" {
                        interface.redundancyGroup = integer(option, in: 1...128, expected: "a redundancy group")
                    } else {
                        unknown(option, in: path + [child.keyword])
                    }
                }
            case "gigether-options", "ether-options":
                for option in child.active {
                    switch option.keyword {
                    case "redundant-parent": interface.parent = word(option, expected: "a reth interface")
                    case "802.3ad": interface.parent = word(option, expected: "an ae interface")
                    default: unknown(option, in: path + [child.keyword])
                    }
                }
            case "unit":
                for unit in child.active {
                    if let built = buildUnit(unit, interfaceName: statement.keyword) { interface.units.append(built) }
                }
            default: unknown(child, in: path)
            }
        }
        return interface
    }

    private mutating func buildUnit(_ statement: Statement, interfaceName: String) -> InterfaceUnit? {
        guard let number = Int(statement.keyword), (0...1_073_741_823).contains(number) else {
            error(.invalidValue, at: statement, "unit of \(interfaceName) must be a number, found '\(statement.keyword)'")
            return nil
        }
        let path = ["interfaces", interfaceName, "unit", statement.keyword]
        var unit = InterfaceUnit(number: number, interfaceName: interfaceName, location: statement.location)
        for child in statement.active {
            switch child.keyword {
            case "description": unit.description = word(child, expected: "a description")
            case "vlan-id":
                unit.vlanID = integer(child, in: 1...4094, expected: "a VLAN id").map(UInt16.init)
            case "family":
                for family in child.active {
                    switch family.keyword {
                    case "inet":
                        unit.hasInet = true
                        buildFamily(family, path: path + ["family"], inet6: false, into: &unit)
                    case "inet6":
                        unit.hasInet6 = true
                        buildFamily(family, path: path + ["family"], inet6: true, into: &unit)
                    default: unknown(family, in: path + ["family"])
                    }
                }
            default: unknown(child, in: path)
            }
        }
        return unit
    }

    private mutating func buildFamily(_ family: Statement, path: [String], inet6: Bool, into unit: inout InterfaceUnit) {
        let path = path + [family.keyword]
        for child in family.active {
            switch child.keyword {
            case "address":
                for value in child.active {
                    guard var address = InterfaceAddress(value.keyword), address.address.isV4 != inet6 else {
                        let expected = inet6 ? "an IPv6 address/length" : "an IPv4 address/length"
                        error(.invalidValue, at: value, "'address' under family \(family.keyword) must be \(expected), found '\(value.keyword)'")
                        continue
                    }
                    for option in value.active {
                        switch option.keyword {
                        case "primary": address.isPrimary = flag(option, in: path + ["address", value.keyword])
                        case "preferred": address.isPreferred = flag(option, in: path + ["address", value.keyword])
                        default: unknown(option, in: path + ["address", value.keyword])
                        }
                    }
                    if inet6 { unit.inet6Addresses.append(address) } else { unit.inetAddresses.append(address) }
                }
            case "dhcp", "dhcp-client", "dhcpv6-client": unit.usesDHCP = true
            default: unknown(child, in: path)
            }
        }
    }

    mutating func buildRoutingOptions(_ options: Statement, into config: inout DeviceConfig) {
        for statement in options.active {
            switch statement.keyword {
            case "static": buildStaticRoutes(statement, path: ["routing-options"], into: &config)
            case "router-id":
                if let value = valueStatement(statement, expected: "an IPv4 address") {
                    config.routerID = address(value, of: statement)
                }
            case "rib":
                for rib in statement.active {
                    for child in rib.active {
                        if child.keyword == "static" {
                            buildStaticRoutes(child, path: ["routing-options", "rib", rib.keyword], into: &config)
                        } else {
                            unknown(child, in: ["routing-options", "rib", rib.keyword])
                        }
                    }
                }
            default: unknown(statement, in: ["routing-options"])
            }
        }
    }

    private mutating func buildStaticRoutes(_ statement: Statement, path: [String], into config: inout DeviceConfig) {
        let path = path + ["static"]
        for child in statement.active {
            guard child.keyword == "route" else {
                unknown(child, in: path)
                continue
            }
            for destination in child.active {
                guard let prefix = prefix(destination, of: child) else { continue }
                var nextHops: [IPAddress] = []
                var nextInterface: String?
                var action: StaticRoute.Action?
                var preference: Int?
                for option in destination.active {
                    switch option.keyword {
                    case "next-hop":
                        for hop in option.active {
                            if let hopAddress = IPAddress(hop.keyword) {
                                nextHops.append(hopAddress)
                            } else if hop.keyword.contains("/") || hop.keyword.contains("-") {
                                nextInterface = hop.keyword
                            } else {
                                error(.invalidValue, at: hop, "'next-hop' must be an IP address or an interface unit, found '\(hop.keyword)'")
                            }
                        }
                    case "discard": action = .discard
                    case "reject": action = .reject
                    case "preference": preference = integer(option, in: 0...4_294_967_295, expected: "a preference")
                    default: unknown(option, in: path + ["route", destination.keyword])
                    }
                }
                if action == nil {
                    if !nextHops.isEmpty {
                        action = .forward(nextHops: nextHops)
                    } else if let nextInterface {
                        action = .interface(nextInterface)
                    } else {
                        error(.missingValue, at: destination, "static route \(destination.keyword) needs 'next-hop', 'discard' or 'reject'")
                        continue
                    }
                }
                if let action {
                    config.staticRoutes.append(
                        StaticRoute(destination: prefix, action: action, preference: preference, location: destination.location))
                }
            }
        }
    }

    mutating func buildZones(_ zones: Statement, into config: inout DeviceConfig) {
        for statement in zones.active {
            switch statement.keyword {
            case "security-zone", "functional-zone":
                for zone in statement.active {
                    if statement.keyword == "functional-zone", zone.keyword != "management" {
                        unknown(zone, in: ["security", "zones", "functional-zone"])
                        continue
                    }
                    config.zones.append(buildZone(zone, functional: statement.keyword == "functional-zone", into: &config))
                }
            default: unknown(statement, in: ["security", "zones"])
            }
        }
    }

    private mutating func buildZone(_ statement: Statement, functional: Bool, into config: inout DeviceConfig) -> SecurityZone {
        let path = ["security", "zones", functional ? "functional-zone" : "security-zone", statement.keyword]
        var zone = SecurityZone(name: statement.keyword, isFunctional: functional, location: statement.location)
        for child in statement.active {
            switch child.keyword {
            case "description": zone.description = word(child, expected: "a description")
            case "host-inbound-traffic": zone.hostInboundTraffic = buildHostInbound(child, path: path)
            case "screen": zone.screen = word(child, expected: "a screen name")
            case "tcp-rst": zone.tcpRST = flag(child, in: path)
            case "application-tracking": zone.applicationTracking = flag(child, in: path)
            case "interfaces":
                for interface in child.active {
                    var binding = ZoneInterface(name: interface.keyword, location: interface.location)
                    reference(.interface, interface)
                    for option in interface.active {
                        if option.keyword == "host-inbound-traffic" {
                            binding.hostInboundTraffic = buildHostInbound(option, path: path + ["interfaces", interface.keyword])
                        } else {
                            unknown(option, in: path + ["interfaces", interface.keyword])
                        }
                    }
                    zone.interfaces.append(binding)
                }
            case "address-book" where !functional:
                var book = AddressBook(name: statement.keyword, attachedZones: [statement.keyword], isZoneBook: true, location: child.location)
                buildAddressBookEntries(child, path: path + ["address-book"], bookIndex: config.addressBooks.count, into: &book)
                config.addressBooks.append(book)
            default: unknown(child, in: path)
            }
        }
        return zone
    }

    private mutating func buildHostInbound(_ statement: Statement, path: [String]) -> HostInboundTraffic {
        var result = HostInboundTraffic()
        for child in statement.active {
            switch child.keyword {
            case "system-services", "protocols":
                for service in child.active {
                    let excepted = service.active.contains { $0.keyword == "except" }
                    for option in service.active where option.keyword != "except" {
                        unknown(option, in: path + [statement.keyword, child.keyword, service.keyword])
                    }
                    switch (child.keyword == "protocols", excepted) {
                    case (false, false): result.systemServices.append(service.keyword)
                    case (false, true): result.systemServicesExcept.append(service.keyword)
                    case (true, false): result.protocols.append(service.keyword)
                    case (true, true): result.protocolsExcept.append(service.keyword)
                    }
                }
            default: unknown(child, in: path + [statement.keyword])
            }
        }
        return result
    }
}
