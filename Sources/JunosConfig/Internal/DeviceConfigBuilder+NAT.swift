import FlowtelCore

extension DeviceConfigBuilder {
    mutating func buildNAT(_ statement: Statement, into nat: inout NATConfig) {
        let path = ["security", "nat"]
        for child in statement.active {
            switch child.keyword {
            case "source", "destination", "static":
                // The keyword is one of the three raw values.
                let kind = NATKind(rawValue: child.keyword)!
                for entry in child.active {
                    switch entry.keyword {
                    case "pool" where kind == .source:
                        for pool in entry.active { nat.sourcePools.append(buildSourcePool(pool, path: path + ["source", "pool"])) }
                    case "pool" where kind == .destination:
                        for pool in entry.active {
                            nat.destinationPools.append(buildDestinationPool(pool, path: path + ["destination", "pool"]))
                        }
                    case "rule-set":
                        for ruleSet in entry.active {
                            nat.ruleSets.append(buildRuleSet(ruleSet, kind: kind, path: path + [child.keyword, "rule-set"]))
                        }
                    default: unknown(entry, in: path + [child.keyword])
                    }
                }
            case "proxy-arp", "proxy-ndp":
                for interfaceKeyword in child.active {
                    guard interfaceKeyword.keyword == "interface" else {
                        unknown(interfaceKeyword, in: path + [child.keyword])
                        continue
                    }
                    for interface in interfaceKeyword.active {
                        var entry = ProxyARPEntry(interface: interface.keyword, addresses: [])
                        for option in interface.active {
                            if option.keyword == "address" {
                                entry.addresses += addressRanges(option)
                            } else {
                                unknown(option, in: path + [child.keyword, "interface", interface.keyword])
                            }
                        }
                        if child.keyword == "proxy-arp" { nat.proxyARP.append(entry) } else { nat.proxyNDP.append(entry) }
                    }
                }
            default: unknown(child, in: path)
            }
        }
    }

    /// The values of an `address` statement: prefixes, or `LOW to HIGH` ranges.
    private mutating func addressRanges(_ statement: Statement) -> [NATAddressRange] {
        var ranges: [NATAddressRange] = []
        if statement.active.isEmpty { error(.missingValue, at: statement, "expected an address or range after 'address'") }
        for value in statement.active {
            guard let low = prefix(value, of: statement) else { continue }
            var range = NATAddressRange(prefix: low)
            for option in value.active {
                switch option.keyword {
                case "to":
                    guard let highStatement = valueStatement(option, expected: "an address"),
                        let high = prefix(highStatement, of: option)
                    else { continue }
                    guard high.address.isV4 == low.address.isV4, AddressEntry.compare(low.address, high.address) <= 0 else {
                        error(.invalidValue, at: highStatement, "address range \(value.keyword) to \(highStatement.keyword) is empty or mixes families")
                        continue
                    }
                    range = NATAddressRange(low: low.address, high: high.address)
                case "port": break  // destination pools: read by the caller.
                default: unknown(option, in: [statement.keyword, value.keyword])
                }
            }
            ranges.append(range)
        }
        return ranges
    }

    private mutating func buildSourcePool(_ statement: Statement, path: [String]) -> SourceNATPool {
        let path = path + [statement.keyword]
        var pool = SourceNATPool(name: statement.keyword, location: statement.location)
        for child in statement.active {
            switch child.keyword {
            case "address": pool.addresses += addressRanges(child)
            case "port":
                for option in child.active {
                    switch option.keyword {
                    case "no-translation": pool.portTranslation = .none
                    case "range":
                        guard let lowStatement = valueStatement(option, expected: "a port range", allowing: ["to"]),
                            let low = UInt16(lowStatement.keyword), low >= 1024
                        else {
                            if let bad = option.active.last {
                                error(.invalidValue, at: bad, "'port range' must start at 1024-65535, found '\(bad.keyword)'")
                            }
                            continue
                        }
                        var high = low
                        if let to = lowStatement.child("to"), let highStatement = to.active.last {
                            guard let value = UInt16(highStatement.keyword), value >= low else {
                                error(.invalidValue, at: highStatement, "'port range \(low) to' must be \(low)-65535, found '\(highStatement.keyword)'")
                                continue
                            }
                            high = value
                        }
                        pool.portTranslation = .range(PortRange(low, high))
                    default: unknown(option, in: path + ["port"])
                    }
                }
            case "host-address-base":
                if let value = valueStatement(child, expected: "an address") { pool.hostAddressBase = address(value, of: child) }
            case "overflow-pool":
                if let value = valueStatement(child, expected: "a pool name or 'interface'") {
                    pool.overflowPool = value.keyword
                    reference(.overflowPool, value)
                }
            case "routing-instance": pool.routingInstance = word(child, expected: "a routing instance")
            case "description": _ = word(child, expected: "a description")
            default: unknown(child, in: path)
            }
        }
        if pool.addresses.isEmpty { error(.missingValue, at: statement, "source pool '\(statement.keyword)' needs 'address'") }
        return pool
    }

    private mutating func buildDestinationPool(_ statement: Statement, path: [String]) -> DestinationNATPool {
        let path = path + [statement.keyword]
        var pool = DestinationNATPool(name: statement.keyword, location: statement.location)
        for child in statement.active {
            switch child.keyword {
            case "address":
                pool.address = addressRanges(child).last
                if let value = child.active.last, let port = value.child("port") {
                    pool.port = integer(port, in: 0...65535, expected: "a port").map(UInt16.init)
                }
            case "routing-instance": pool.routingInstance = word(child, expected: "a routing instance")
            case "description": _ = word(child, expected: "a description")
            default: unknown(child, in: path)
            }
        }
        if pool.address == nil, !child(statement, "address") {
            error(.missingValue, at: statement, "destination pool '\(statement.keyword)' needs 'address'")
        }
        return pool
    }

    private func child(_ statement: Statement, _ keyword: String) -> Bool {
        statement.active.contains { $0.keyword == keyword }
    }

    private mutating func contexts(_ statement: Statement, path: [String]) -> [NATContext] {
        var result: [NATContext] = []
        for kind in statement.active {
            switch kind.keyword {
            case "zone": result += referenced(.zone, kind, expected: "a zone name").map(NATContext.zone)
            case "interface": result += referenced(.interface, kind, expected: "an interface unit").map(NATContext.interface)
            case "routing-instance": result += words(kind, expected: "a routing instance").map(NATContext.routingInstance)
            default: unknown(kind, in: path + [statement.keyword])
            }
        }
        if result.isEmpty, statement.active.isEmpty {
            error(.missingValue, at: statement, "expected 'zone', 'interface' or 'routing-instance' after '\(statement.keyword)'")
        }
        return result
    }

    private mutating func buildRuleSet(_ statement: Statement, kind: NATKind, path: [String]) -> NATRuleSet {
        let path = path + [statement.keyword]
        var ruleSet = NATRuleSet(kind: kind, name: statement.keyword, location: statement.location)
        for child in statement.active {
            switch child.keyword {
            case "from": ruleSet.from = contexts(child, path: path)
            case "to" where kind == .source: ruleSet.to = contexts(child, path: path)
            case "rule":
                for rule in child.active {
                    if let built = buildRule(rule, kind: kind, path: path + ["rule"]) { ruleSet.rules.append(built) }
                }
            case "description": _ = word(child, expected: "a description")
            default: unknown(child, in: path)
            }
        }
        if ruleSet.from.isEmpty, !child(statement, "from") {
            error(.missingValue, at: statement, "\(kind.rawValue) NAT rule-set '\(statement.keyword)' needs 'from'")
        }
        if kind == .source, ruleSet.to.isEmpty, !child(statement, "to") {
            error(.missingValue, at: statement, "source NAT rule-set '\(statement.keyword)' needs 'to'")
        }
        return ruleSet
    }

    private mutating func buildRule(_ statement: Statement, kind: NATKind, path: [String]) -> NATRule? {
        let path = path + [statement.keyword]
        var match = NATRuleMatch()
        var action: NATAction?
        let errorCount = errors.count
        for child in statement.active {
            switch child.keyword {
            case "match":
                for field in child.active { buildRuleMatchField(field, into: &match, path: path + ["match"]) }
            case "then":
                for field in child.active {
                    switch (kind, field.keyword) {
                    case (.source, "source-nat"), (.destination, "destination-nat"), (.static, "static-nat"):
                        action = buildNATAction(field, kind: kind, path: path + ["then"])
                    default: unknown(field, in: path + ["then"])
                    }
                }
            case "description": _ = word(child, expected: "a description")
            default: unknown(child, in: path)
            }
        }
        guard let action else {
            if errors.count == errorCount {
                error(.missingValue, at: statement, "NAT rule '\(statement.keyword)' needs 'then \(kind.rawValue)-nat …'")
            }
            return nil
        }
        return NATRule(name: statement.keyword, match: match, action: action, location: statement.location)
    }

    private mutating func buildRuleMatchField(_ field: Statement, into match: inout NATRuleMatch, path: [String]) {
        switch field.keyword {
        case "source-address":
            for value in field.active { if let prefix = prefix(value, of: field) { match.sourceAddresses.append(prefix) } }
        case "destination-address":
            for value in field.active { if let prefix = prefix(value, of: field) { match.destinationAddresses.append(prefix) } }
        case "source-address-name": match.sourceAddressNames += referenced(.address(zone: nil), field, expected: "an address name")
        case "destination-address-name":
            match.destinationAddressNames += referenced(.address(zone: nil), field, expected: "an address name")
        case "source-port", "destination-port":
            var ranges: [PortRange] = []
            for value in field.active {
                guard var range = portRange(value, of: field) else { continue }
                if let to = value.child("to"), let high = valueStatement(to, expected: "a port") {
                    guard let upper = UInt16(high.keyword), upper >= range.lower else {
                        error(.invalidValue, at: high, "'\(field.keyword) \(value.keyword) to' must be \(range.lower)-65535, found '\(high.keyword)'")
                        continue
                    }
                    range.upper = upper
                }
                ranges.append(range)
            }
            if field.keyword == "source-port" { match.sourcePorts += ranges } else { match.destinationPorts += ranges }
        case "protocol":
            for value in field.active {
                guard let number = IPProtocol.number(value.keyword) else {
                    error(.invalidValue, at: value, "'protocol' must be a protocol name or 0-255, found '\(value.keyword)'")
                    continue
                }
                match.protocols.append(number)
            }
        case "application": match.applications += referenced(.application, field, expected: "an application name")
        default: unknown(field, in: path)
        }
    }

    private mutating func buildNATAction(_ statement: Statement, kind: NATKind, path: [String]) -> NATAction? {
        let path = path + [statement.keyword]
        guard let value = statement.active.last else {
            error(.missingValue, at: statement, "expected an action after '\(statement.keyword)'")
            return nil
        }
        switch (kind, value.keyword) {
        case (.source, "off"), (.destination, "off"): return .off
        case (.source, "interface"):
            for option in value.active { unknown(option, in: path + ["interface"]) }
            return .sourceInterface
        case (.source, "pool"), (.destination, "pool"):
            guard let name = valueStatement(value, expected: "a pool name") else { return nil }
            reference(kind == .source ? .sourcePool : .destinationPool, name)
            return kind == .source ? .sourcePool(name.keyword) : .destinationPool(name.keyword)
        case (.static, "prefix"):
            var target: IPPrefix?
            var mapped: PortRange?
            for option in value.active {
                switch option.keyword {
                case "mapped-port":
                    guard let low = valueStatement(option, expected: "a port", allowing: ["to"]),
                        var range = portRange(low, of: option)
                    else { continue }
                    if let to = low.child("to"), let high = valueStatement(to, expected: "a port"), let upper = UInt16(high.keyword) {
                        range.upper = upper
                    }
                    mapped = range
                case "routing-instance": _ = word(option, expected: "a routing instance")
                default:
                    if let prefix = IPPrefix(option.keyword) {
                        target = prefix
                        // Curly form: `prefix { 10.0.0.1/32; mapped-port 8080; }`; set form chains
                        // `prefix 10.0.0.1/32 mapped-port 8080`.
                        for nested in option.active {
                            if nested.keyword == "mapped-port", let low = valueStatement(nested, expected: "a port", allowing: ["to"]) {
                                mapped = portRange(low, of: nested)
                                if let to = low.child("to"), let high = valueStatement(to, expected: "a port"),
                                    let upper = UInt16(high.keyword), var range = mapped, upper >= range.lower
                                {
                                    range.upper = upper
                                    mapped = range
                                }
                            } else {
                                unknown(nested, in: path + ["prefix", option.keyword])
                            }
                        }
                    } else {
                        error(.invalidValue, at: option, "'static-nat prefix' must be an IP prefix, found '\(option.keyword)'")
                        return nil
                    }
                }
            }
            guard let target else {
                error(.missingValue, at: value, "expected a prefix after 'static-nat prefix'")
                return nil
            }
            return .staticPrefix(target, mappedPorts: mapped)
        case (.static, "prefix-name"):
            guard let name = valueStatement(value, expected: "an address name") else { return nil }
            reference(.address(zone: nil), name)
            return .staticPrefixName(name.keyword)
        default:
            let expected =
                switch kind {
                case .source: "'off', 'interface' or 'pool NAME'"
                case .destination: "'off' or 'pool NAME'"
                case .static: "'prefix P' or 'prefix-name NAME'"
                }
            error(.invalidValue, at: value, "'\(statement.keyword)' must be \(expected), found '\(value.keyword)'")
            return nil
        }
    }
}
