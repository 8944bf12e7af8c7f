extension ConfigCheck {
    /// What `flowtel config check` prints after the diagnostics: one line per hierarchy
    /// saying what the configuration holds, in words an SRX operator expects.
    public var summary: [String] {
        let config = self.config
        var lines: [(String, String)] = []
        lines.append(("host-name", config.hostName ?? "(not set)"))

        let units = config.interfaces.flatMap(\.units)
        let tagged = units.filter { $0.vlanID != nil }.count
        lines.append(("interfaces", "\(count(config.interfaces.count, "interface")), \(count(units.count, "unit")) (\(tagged) VLAN-tagged)"))
        lines.append(("static routes", "\(config.staticRoutes.count)"))

        let zones = config.zones.filter { !$0.isFunctional }
        let zoneNames = zones.map(\.name).joined(separator: ", ")
        lines.append(("zones", zones.isEmpty ? "0" : "\(zones.count): \(zoneNames)"))

        let addresses = config.addressBooks.reduce(0) { $0 + $1.addresses.count }
        let addressSets = config.addressBooks.reduce(0) { $0 + $1.addressSets.count }
        lines.append((
            "address books",
            "\(count(config.addressBooks.count, "book")), \(count(addresses, "address", "addresses")), \(count(addressSets, "address set"))"
        ))
        lines.append((
            "applications",
            "\(config.applications.count) defined, \(count(config.applicationSets.count, "application set")) "
                + "(\(PredefinedApplications.all.count) junos-* predefined)"
        ))

        let policies = config.policies
        let all = policies.all
        let logged = all.filter { $0.logSessionInit || $0.logSessionClose }.count
        let actions = ["permit", "deny", "reject"].map { name in
            "\(all.filter { $0.action.description == name }.count) \(name)"
        }.joined(separator: ", ")
        lines.append((
            "policies",
            "\(all.count) (\(actions)) in \(count(policies.contexts.count, "zone pair")) + \(policies.global.count) global; "
                + "\(logged) logged; default-policy \(policies.defaultPolicy.rawValue)"
        ))

        let nat = config.nat
        let natParts = [NATKind.source, .destination, .static].map { kind in
            let sets = nat.ruleSets(kind)
            return "\(kind.rawValue) \(sets.count)/\(sets.reduce(0) { $0 + $1.rules.count })"
        }
        lines.append((
            "NAT",
            "rule-sets/rules: \(natParts.joined(separator: ", ")); pools: \(nat.sourcePools.count) source, "
                + "\(nat.destinationPools.count) destination; \(count(nat.proxyARP.count, "proxy-arp interface"))"
        ))

        let flow = config.flow
        var flowParts = ["tcp-initial-timeout \(flow.tcpSession.tcpInitialTimeout)s"]
        if let mss = flow.tcpMSS.allTCP { flowParts.append("tcp-mss \(mss)") }
        flowParts.append(
            flow.aging.highWatermark < 100
                ? "aggressive aging at \(flow.aging.highWatermark)%/\(flow.aging.lowWatermark)% (early-ageout \(flow.aging.earlyAgeout)s)"
                : "aggressive aging off")
        let checks = [
            (flow.tcpSession.noSynCheck, "no-syn-check"), (flow.tcpSession.noSequenceCheck, "no-sequence-check"),
            (flow.tcpSession.strictSynCheck, "strict-syn-check"), (flow.tcpSession.rstInvalidateSession, "rst-invalidate-session"),
            (flow.tcpSession.finInvalidateSession, "fin-invalidate-session"), (flow.allowDNSReply, "allow-dns-reply"),
        ].filter(\.0).map(\.1)
        flowParts += checks
        lines.append(("flow", flowParts.joined(separator: ", ")))

        let log = config.securityLog
        lines.append((
            "security log",
            "mode \(log.mode?.rawValue ?? "(default)"), format \(log.format?.rawValue ?? "(default)"), "
                + count(log.streams.count, "stream")
        ))

        let slots = config.chassis.fpcErrors.keys.sorted().map(String.init).joined(separator: ", ")
        var chassis = config.chassis.fpcErrors.isEmpty ? "FPC errors: defaults" : "FPC error settings for slot \(slots)"
        if !config.chassis.chassisErrors.isEmpty { chassis += "; chassis-wide error settings" }
        if let cluster = config.chassis.cluster {
            chassis += "; cluster with \(count(cluster.redundancyGroups.count, "redundancy group"))"
        }
        lines.append(("chassis", chassis))

        let service = config.flowtel
        let listen = service.listenAddress.map { "\($0):\(service.listenPort.map(String.init) ?? "default")" } ?? "default"
        var serviceText = "listen \(listen), \(count(service.captureSources.count, "capture source"))"
        if service.tlsCertificate != nil { serviceText += ", TLS" + (service.tlsClientCA != nil ? " (mutual)" : "") }
        lines.append(("services flowtel", serviceText))

        let width = lines.map(\.0.count).max() ?? 0
        return lines.map { label, value in
            "  " + label + String(repeating: " ", count: width - label.count + 2) + value
        }
    }

    /// The first line of `flowtel config check`: file, syntax, verdict and counts.
    public func headline(file: String) -> String {
        let syntax = parsed.syntax == .set ? "set" : "curly"
        let verdict = isValid ? "valid" : "INVALID"
        return "\(file): \(syntax) syntax, \(verdict) (\(count(errors.count, "error")), \(count(warnings.count, "warning")))"
    }

    private func count(_ value: Int, _ singular: String, _ plural: String? = nil) -> String {
        "\(value) \(value == 1 ? singular : plural ?? singular + "s")"
    }
}
