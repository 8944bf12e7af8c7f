import FlowtelCore

// Address books and applications: the named objects policies and NAT rules refer to.
extension DeviceConfigBuilder {
    mutating func buildAddressBooks(_ statement: Statement, into config: inout DeviceConfig) {
        for bookStatement in statement.active {
            let path = ["security", "address-book", bookStatement.keyword]
            var book = AddressBook(name: bookStatement.keyword, location: bookStatement.location)
            buildAddressBookEntries(bookStatement, path: path, bookIndex: config.addressBooks.count, into: &book)
            if !book.isGlobal, book.attachedZones.isEmpty {
                warn(
                    .unknownStatement, at: bookStatement,
                    "address book '\(book.name)' is not global and not attached to a zone: no policy can use it")
            }
            config.addressBooks.append(book)
        }
    }

    /// The `address`, `address-set`, `attach` and `description` statements of a book.
    mutating func buildAddressBookEntries(_ statement: Statement, path: [String], bookIndex: Int, into book: inout AddressBook) {
        for child in statement.active {
            switch child.keyword {
            case "address":
                for entry in child.active {
                    if let address = buildAddress(entry, path: path + ["address"]) { book.addresses.append(address) }
                }
            case "address-set":
                for entry in child.active {
                    book.addressSets.append(buildAddressSet(entry, path: path + ["address-set"], bookIndex: bookIndex))
                }
            case "attach" where !book.isZoneBook:
                for option in child.active {
                    if option.keyword == "zone" {
                        book.attachedZones += referenced(.zone, option, expected: "a zone name")
                    } else {
                        unknown(option, in: path + ["attach"])
                    }
                }
            case "description": _ = word(child, expected: "a description")
            default: unknown(child, in: path)
            }
        }
    }

    private mutating func buildAddress(_ statement: Statement, path: [String]) -> AddressEntry? {
        var value: AddressEntry.Value?
        var description: String?
        let errorCount = errors.count
        for child in statement.active {
            switch child.keyword {
            case "description": description = word(child, expected: "a description")
            case "range-address":
                guard let lowStatement = child.active.last, let low = address(lowStatement, of: child) else {
                    if child.active.isEmpty { error(.missingValue, at: child, "expected 'range-address LOW to HIGH'") }
                    continue
                }
                guard let to = lowStatement.child("to"), let highStatement = to.active.last,
                    let high = address(highStatement, of: to)
                else {
                    error(.missingValue, at: lowStatement, "expected 'to HIGH' after 'range-address \(lowStatement.keyword)'")
                    continue
                }
                guard low.isV4 == high.isV4, AddressEntry.compare(low, high) <= 0 else {
                    error(.invalidValue, at: highStatement, "range-address \(low) to \(high) is empty or mixes address families")
                    continue
                }
                value = .range(low, high)
            case "wildcard-address":
                guard let wildcard = valueStatement(child, expected: "ADDRESS/MASK") else { continue }
                let parts = wildcard.keyword.split(separator: "/", maxSplits: 1)
                guard parts.count == 2, let address = IPAddress(parts[0]), let mask = IPAddress(parts[1]),
                    address.isV4 == mask.isV4
                else {
                    error(.invalidValue, at: wildcard, "'wildcard-address' must be ADDRESS/MASK (e.g. 10.0.0.1/255.0.255.255), found '\(wildcard.keyword)'")
                    continue
                }
                value = .wildcard(address: address, mask: mask)
            case "dns-name":
                guard let name = valueStatement(child, expected: "a DNS name") else { continue }
                value = .dnsName(name.keyword)
            default:
                guard let prefix = IPPrefix(child.keyword) else {
                    error(
                        .invalidValue, at: child,
                        "address '\(statement.keyword)' must be an IP prefix, 'range-address', 'wildcard-address' or 'dns-name', found '\(child.keyword)'")
                    continue
                }
                for extra in child.active { unknown(extra, in: path + [statement.keyword, child.keyword]) }
                value = .prefix(prefix)
            }
        }
        guard let value else {
            if errors.count == errorCount {
                error(.missingValue, at: statement, "address '\(statement.keyword)' has no value (expected a prefix, range-address, wildcard-address or dns-name)")
            }
            return nil
        }
        return AddressEntry(name: statement.keyword, value: value, description: description, location: statement.location)
    }

    private mutating func buildAddressSet(_ statement: Statement, path: [String], bookIndex: Int) -> AddressSet {
        var set = AddressSet(name: statement.keyword, location: statement.location)
        for child in statement.active {
            switch child.keyword {
            case "address": set.addresses += referenced(.addressSetMember(book: bookIndex), child, expected: "an address name")
            case "address-set":
                set.addressSets += referenced(.addressSetMember(book: bookIndex), child, expected: "an address-set name")
            case "description": set.description = word(child, expected: "a description")
            default: unknown(child, in: path + [statement.keyword])
            }
        }
        return set
    }

    mutating func buildApplications(_ statement: Statement, into config: inout DeviceConfig) {
        for child in statement.active {
            switch child.keyword {
            case "application":
                for entry in child.active { config.applications.append(buildApplication(entry)) }
            case "application-set":
                for entry in child.active {
                    var set = ApplicationSet(name: entry.keyword, location: entry.location)
                    for member in entry.active {
                        switch member.keyword {
                        case "application":
                            set.applications += referenced(.applicationSetMember, member, expected: "an application name")
                        case "application-set":
                            set.applicationSets += referenced(.applicationSetNested, member, expected: "an application-set name")
                        case "description": set.description = word(member, expected: "a description")
                        default: unknown(member, in: ["applications", "application-set", entry.keyword])
                        }
                    }
                    config.applicationSets.append(set)
                }
            default: unknown(child, in: ["applications"])
            }
        }
    }

    private mutating func buildApplication(_ statement: Statement) -> Application {
        let path = ["applications", "application", statement.keyword]
        var application = Application(name: statement.keyword, terms: [], location: statement.location)
        var implicit = ApplicationTerm()
        var hasImplicit = false
        for child in statement.active {
            switch child.keyword {
            case "description": application.description = word(child, expected: "a description")
            case "inactivity-timeout": application.inactivityTimeout = inactivityTimeout(child)
            case "term":
                for termStatement in child.active {
                    var term = ApplicationTerm(name: termStatement.keyword)
                    for field in termStatement.active {
                        if !buildTermField(field, into: &term) { unknown(field, in: path + ["term", termStatement.keyword]) }
                    }
                    checkTerm(term, at: termStatement)
                    application.terms.append(term)
                }
            default:
                if buildTermField(child, into: &implicit) {
                    hasImplicit = true
                } else {
                    unknown(child, in: path)
                }
            }
        }
        if hasImplicit {
            if !application.terms.isEmpty {
                error(
                    .conflictingStatements, at: statement,
                    "application '\(statement.keyword)' mixes 'term' statements with protocol/port statements outside a term")
            }
            checkTerm(implicit, at: statement)
            application.terms.insert(implicit, at: 0)
        } else if application.terms.isEmpty {
            error(.missingValue, at: statement, "application '\(statement.keyword)' matches nothing: it needs 'protocol' or a 'term'")
        }
        return application
    }

    /// Reads one match field of an application or a term; false when `field` is not one.
    private mutating func buildTermField(_ field: Statement, into term: inout ApplicationTerm) -> Bool {
        switch field.keyword {
        case "protocol":
            guard let value = valueStatement(field, expected: "a protocol") else { return true }
            guard let number = IPProtocol.number(value.keyword) else {
                error(.invalidValue, at: value, "'protocol' must be a protocol name (tcp, udp, icmp, icmp6, …) or 0-255, found '\(value.keyword)'")
                return true
            }
            term.ipProtocol = number
        case "source-port":
            if let value = valueStatement(field, expected: "a port or range") { term.sourcePorts = portRange(value, of: field) }
        case "destination-port":
            if let value = valueStatement(field, expected: "a port or range") { term.destinationPorts = portRange(value, of: field) }
        case "icmp-type", "icmp6-type":
            guard let value = valueStatement(field, expected: "an ICMP type") else { return true }
            let names = field.keyword == "icmp-type" ? JunosNames.icmpTypes : JunosNames.icmp6Types
            guard let type = UInt8(value.keyword) ?? names[value.keyword] else {
                error(.invalidValue, at: value, "'\(field.keyword)' must be 0-255 or a type name (echo-request, …), found '\(value.keyword)'")
                return true
            }
            term.icmpType = type
        case "icmp-code", "icmp6-code":
            guard let value = valueStatement(field, expected: "an ICMP code") else { return true }
            guard let code = UInt8(value.keyword) else {
                error(.invalidValue, at: value, "'\(field.keyword)' must be 0-255, found '\(value.keyword)'")
                return true
            }
            term.icmpCode = code
        case "inactivity-timeout": term.inactivityTimeout = inactivityTimeout(field)
        case "application-protocol", "alg": term.applicationProtocol = word(field, expected: "an application protocol")
        case "rpc-program-number", "uuid", "ether-type":
            // Protocol details flowtel does not match on; kept for show.
            _ = word(field, expected: "a value")
        default: return false
        }
        return true
    }

    private mutating func checkTerm(_ term: ApplicationTerm, at statement: Statement) {
        guard term.sourcePorts != nil || term.destinationPorts != nil else { return }
        guard let ipProtocol = term.ipProtocol, [6, 17, 132].contains(ipProtocol) else {
            error(.invalidValue, at: statement, "ports need 'protocol tcp', 'udp' or 'sctp' in '\(statement.keyword)'")
            return
        }
    }

    private mutating func inactivityTimeout(_ statement: Statement) -> InactivityTimeout? {
        guard let value = valueStatement(statement, expected: "seconds or 'never'") else { return nil }
        if value.keyword == "never" { return .never }
        guard let seconds = Int(value.keyword), (4...86_400).contains(seconds) else {
            error(.invalidValue, at: value, "'inactivity-timeout' must be 4-86400 seconds or 'never', found '\(value.keyword)'")
            return nil
        }
        return .seconds(seconds)
    }
}
