extension DeviceConfigBuilder {
    mutating func buildPolicies(_ statement: Statement, into policies: inout SecurityPolicies) {
        let path = ["security", "policies"]
        for child in statement.active {
            switch child.keyword {
            case "from-zone":
                for fromZone in child.active {
                    reference(.zone, fromZone)
                    for toZoneKeyword in fromZone.active {
                        guard toZoneKeyword.keyword == "to-zone" else {
                            unknown(toZoneKeyword, in: path + ["from-zone", fromZone.keyword])
                            continue
                        }
                        for toZone in toZoneKeyword.active {
                            reference(.destinationZone, toZone)
                            var context = PolicyContext(fromZone: fromZone.keyword, toZone: toZone.keyword, policies: [])
                            let contextPath = path + ["from-zone", fromZone.keyword, "to-zone", toZone.keyword]
                            for entry in toZone.active {
                                guard entry.keyword == "policy" else {
                                    unknown(entry, in: contextPath)
                                    continue
                                }
                                for policy in entry.active {
                                    if let built = buildPolicy(policy, fromZone: fromZone.keyword, toZone: toZone.keyword, path: contextPath) {
                                        context.policies.append(built)
                                    }
                                }
                            }
                            policies.contexts.append(context)
                        }
                    }
                }
            case "global":
                for entry in child.active {
                    guard entry.keyword == "policy" else {
                        unknown(entry, in: path + ["global"])
                        continue
                    }
                    for policy in entry.active {
                        if let built = buildPolicy(policy, fromZone: nil, toZone: nil, path: path + ["global"]) {
                            policies.global.append(built)
                        }
                    }
                }
            case "default-policy":
                guard let value = valueStatement(child, expected: "'permit-all' or 'deny-all'") else { continue }
                guard let policy = SecurityPolicies.DefaultPolicy(rawValue: value.keyword) else {
                    error(.invalidValue, at: value, "'default-policy' must be 'permit-all' or 'deny-all', found '\(value.keyword)'")
                    continue
                }
                policies.defaultPolicy = policy
            case "policy-rematch": policies.policyRematch = true
            default: unknown(child, in: path)
            }
        }
    }

    private mutating func buildPolicy(_ statement: Statement, fromZone: String?, toZone: String?, path: [String]) -> SecurityPolicy? {
        let path = path + ["policy", statement.keyword]
        var policy = SecurityPolicy(
            name: statement.keyword, fromZone: fromZone, toZone: toZone, sourceAddresses: [], destinationAddresses: [],
            applications: [], action: .deny, location: statement.location)
        var hasAction = false
        for child in statement.active {
            switch child.keyword {
            case "description": policy.description = word(child, expected: "a description")
            case "scheduler-name": policy.schedulerName = word(child, expected: "a scheduler name")
            case "match":
                for field in child.active {
                    switch field.keyword {
                    case "source-address":
                        policy.sourceAddresses += referenced(.address(zone: fromZone), field, expected: "an address name or 'any'")
                    case "destination-address":
                        policy.destinationAddresses += referenced(.address(zone: toZone), field, expected: "an address name or 'any'")
                    case "application":
                        policy.applications += referenced(.application, field, expected: "an application name or 'any'")
                    case "source-address-excluded": policy.sourceAddressExcluded = flag(field, in: path + ["match"])
                    case "destination-address-excluded": policy.destinationAddressExcluded = flag(field, in: path + ["match"])
                    case "from-zone" where fromZone == nil: policy.matchFromZones += referenced(.zone, field, expected: "a zone name")
                    case "to-zone" where fromZone == nil:
                        policy.matchToZones += referenced(.destinationZone, field, expected: "a zone name")
                    default: unknown(field, in: path + ["match"])
                    }
                }
            case "then":
                for field in child.active {
                    switch field.keyword {
                    case "permit", "deny", "reject":
                        if hasAction {
                            error(.conflictingStatements, at: field, "policy '\(statement.keyword)' has more than one of permit, deny and reject")
                        }
                        hasAction = true
                        policy.action =
                            switch field.keyword {
                            case "permit": .permit(buildPermit(field, path: path + ["then"]))
                            case "deny": .deny
                            default: .reject
                            }
                        if field.keyword != "permit" { for extra in field.active { unknown(extra, in: path + ["then", field.keyword]) } }
                    case "log":
                        for option in field.active {
                            switch option.keyword {
                            case "session-init": policy.logSessionInit = flag(option, in: path + ["then", "log"])
                            case "session-close": policy.logSessionClose = flag(option, in: path + ["then", "log"])
                            default: unknown(option, in: path + ["then", "log"])
                            }
                        }
                    case "count":
                        policy.count = true
                        for extra in field.active { unknown(extra, in: path + ["then", "count"]) }
                    default: unknown(field, in: path + ["then"])
                    }
                }
            default: unknown(child, in: path)
            }
        }
        // Junos refuses to commit a policy without the three match lists or an action.
        var missing: [String] = []
        if policy.sourceAddresses.isEmpty { missing.append("match source-address") }
        if policy.destinationAddresses.isEmpty { missing.append("match destination-address") }
        if policy.applications.isEmpty { missing.append("match application") }
        if !hasAction { missing.append("then permit|deny|reject") }
        if !missing.isEmpty {
            error(.missingValue, at: statement, "policy '\(statement.keyword)' is missing \(missing.joined(separator: ", "))")
            return nil
        }
        return policy
    }

    private mutating func buildPermit(_ statement: Statement, path: [String]) -> PermitOptions {
        var options = PermitOptions()
        let path = path + ["permit"]
        for child in statement.active {
            switch child.keyword {
            case "tcp-options":
                for option in child.active {
                    switch option.keyword {
                    case "syn-check-required": options.synCheckRequired = flag(option, in: path + ["tcp-options"])
                    case "sequence-check-required": options.sequenceCheckRequired = flag(option, in: path + ["tcp-options"])
                    case "initial-tcp-mss": options.initialTCPMSS = integer(option, in: 64...65535, expected: "an MSS")
                    case "reverse-tcp-mss": options.reverseTCPMSS = integer(option, in: 64...65535, expected: "an MSS")
                    default: unknown(option, in: path + ["tcp-options"])
                    }
                }
            case "application-services":
                for service in child.active {
                    options.applicationServices.append(([service.keyword] + service.active.map(\.keyword)).joined(separator: " "))
                }
            case "tunnel":
                for option in child.active {
                    if option.keyword == "ipsec-vpn" {
                        options.ipsecVPN = word(option, expected: "a VPN name")
                    } else {
                        unknown(option, in: path + ["tunnel"])
                    }
                }
            default: unknown(child, in: path)
            }
        }
        return options
    }

    /// Numbers every policy in configuration order: zone-pair policies, then global ones.
    mutating func assignPolicyIDs(_ config: inout DeviceConfig) {
        var next = 1
        for context in config.policies.contexts.indices {
            for policy in config.policies.contexts[context].policies.indices {
                config.policies.contexts[context].policies[policy].id = next
                next += 1
            }
        }
        for policy in config.policies.global.indices {
            config.policies.global[policy].id = next
            next += 1
        }
    }
}
