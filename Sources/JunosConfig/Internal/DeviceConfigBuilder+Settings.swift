import FlowtelCore

// `security flow`, `security log`, `chassis` and `services flowtel`: settings rather than objects.
extension DeviceConfigBuilder {
    mutating func buildFlow(_ statement: Statement, into flow: inout FlowSettings) {
        let path = ["security", "flow"]
        for child in statement.active {
            switch child.keyword {
            case "aging":
                for option in child.active {
                    switch option.keyword {
                    case "early-ageout":
                        flow.aging.earlyAgeout = integer(option, in: 1...65535, expected: "seconds") ?? flow.aging.earlyAgeout
                    case "high-watermark":
                        flow.aging.highWatermark = integer(option, in: 1...100, expected: "a percentage") ?? flow.aging.highWatermark
                    case "low-watermark":
                        flow.aging.lowWatermark = integer(option, in: 0...100, expected: "a percentage") ?? flow.aging.lowWatermark
                    default: unknown(option, in: path + ["aging"])
                    }
                }
                if flow.aging.lowWatermark > flow.aging.highWatermark {
                    error(
                        .conflictingStatements, at: child,
                        "aging low-watermark (\(flow.aging.lowWatermark)) must not exceed high-watermark (\(flow.aging.highWatermark))")
                }
            case "allow-dns-reply": flow.allowDNSReply = flag(child, in: path)
            case "allow-embedded-icmp": flow.allowEmbeddedICMP = flag(child, in: path)
            case "force-ip-reassembly": flow.forceIPReassembly = flag(child, in: path)
            case "ipsec-performance-acceleration": flow.ipsecPerformanceAcceleration = flag(child, in: path)
            case "load-distribution":
                // `load-distribution session-affinity ipsec`.
                if child.child("session-affinity")?.child("ipsec") != nil {
                    flow.sessionAffinityIPsec = true
                } else {
                    for option in child.active { unknown(option, in: path + ["load-distribution"]) }
                }
            case "pending-sess-queue-length":
                guard let value = valueStatement(child, expected: "high, moderate or normal") else { continue }
                guard let length = FlowSettings.PendingSessionQueueLength(rawValue: value.keyword) else {
                    error(.invalidValue, at: value, "'pending-sess-queue-length' must be high, moderate or normal, found '\(value.keyword)'")
                    continue
                }
                flow.pendingSessionQueueLength = length
            case "route-change-timeout": flow.routeChangeTimeout = integer(child, in: 6...1800, expected: "seconds")
            case "syn-flood-protection-mode":
                guard let value = valueStatement(child, expected: "syn-cookie or syn-proxy") else { continue }
                guard let mode = FlowSettings.SynFloodProtectionMode(rawValue: value.keyword) else {
                    error(.invalidValue, at: value, "'syn-flood-protection-mode' must be syn-cookie or syn-proxy, found '\(value.keyword)'")
                    continue
                }
                flow.synFloodProtectionMode = mode
            case "tcp-mss":
                for option in child.active {
                    let mss = option.child("mss").flatMap { integer($0, in: 64...65535, expected: "an MSS") }
                    switch option.keyword {
                    case "all-tcp": flow.tcpMSS.allTCP = mss
                    case "gre-in": flow.tcpMSS.greIn = mss
                    case "gre-out": flow.tcpMSS.greOut = mss
                    case "ipsec-vpn": flow.tcpMSS.ipsecVPN = mss
                    default: unknown(option, in: path + ["tcp-mss"])
                    }
                    for extra in option.active where extra.keyword != "mss" { unknown(extra, in: path + ["tcp-mss", option.keyword]) }
                }
            case "tcp-session": buildTCPSession(child, path: path, into: &flow.tcpSession)
            case "traceoptions": flow.traceOptions = buildTraceOptions(child, path: path)
            case "bridge": flow.bridge = child.active.map(\.keyword)
            default: unknown(child, in: path)
            }
        }
    }

    private mutating func buildTCPSession(_ statement: Statement, path: [String], into session: inout FlowSettings.TCPSession) {
        let path = path + ["tcp-session"]
        for option in statement.active {
            switch option.keyword {
            case "fin-invalidate-session": session.finInvalidateSession = flag(option, in: path)
            case "no-sequence-check": session.noSequenceCheck = flag(option, in: path)
            case "no-syn-check": session.noSynCheck = flag(option, in: path)
            case "no-syn-check-in-tunnel": session.noSynCheckInTunnel = flag(option, in: path)
            case "rst-invalidate-session": session.rstInvalidateSession = flag(option, in: path)
            case "rst-sequence-check": session.rstSequenceCheck = flag(option, in: path)
            case "strict-syn-check": session.strictSynCheck = flag(option, in: path)
            case "tcp-initial-timeout":
                session.tcpInitialTimeout = integer(option, in: 4...300, expected: "seconds") ?? session.tcpInitialTimeout
            case "maximum-window": session.maximumWindow = word(option, expected: "a window size")
            case "time-wait-state":
                for state in option.active {
                    switch state.keyword {
                    case "session-ageout": session.timeWaitState = .sessionAgeout
                    case "session-timeout":
                        if let seconds = integer(state, in: 2...600, expected: "seconds") { session.timeWaitState = .sessionTimeout(seconds) }
                    case "apply-to-half-close-state": session.timeWaitAppliesToHalfClose = true
                    default: unknown(state, in: path + ["time-wait-state"])
                    }
                }
                if session.timeWaitState == nil { session.timeWaitState = .sessionAgeout }
            default: unknown(option, in: path)
            }
        }
        if session.strictSynCheck, session.noSynCheck {
            error(.conflictingStatements, at: statement, "'strict-syn-check' cannot be combined with 'no-syn-check'")
        }
    }

    private mutating func buildTraceOptions(_ statement: Statement, path: [String]) -> FlowSettings.TraceOptions {
        var options = FlowSettings.TraceOptions()
        let path = path + ["traceoptions"]
        for child in statement.active {
            switch child.keyword {
            case "file":
                // `file NAME size 10m files 3`: the name is a value whose continuation (set
                // form) or siblings (curly form) are the file options.
                for option in child.active {
                    if !buildTraceFileOption(option, into: &options) {
                        options.file = option.keyword
                        for nested in option.active where !buildTraceFileOption(nested, into: &options) {
                            unknown(nested, in: path + ["file", option.keyword])
                        }
                    }
                }
            case "flag": options.flags += child.active.map(\.keyword)
            case "level": options.level = word(child, expected: "a level")
            case "no-remote-trace": options.noRemoteTrace = true
            case "packet-filter":
                for filter in child.active {
                    var fields: [String: String] = [:]
                    for field in filter.active { fields[field.keyword] = field.active.last?.keyword ?? "" }
                    options.packetFilters[filter.keyword] = fields
                }
            case "rate-limit", "trace-level": break
            default: unknown(child, in: path)
            }
        }
        return options
    }

    private mutating func buildTraceFileOption(_ option: Statement, into options: inout FlowSettings.TraceOptions) -> Bool {
        switch option.keyword {
        case "size": options.fileSize = word(option, expected: "a size")
        case "files": options.fileCount = integer(option, in: 2...1000, expected: "a file count")
        case "world-readable", "no-world-readable", "match", "no-stamp", "replace": break
        default: return false
        }
        return true
    }

    mutating func buildSecurityLog(_ statement: Statement, into log: inout SecurityLog) {
        let path = ["security", "log"]
        for child in statement.active {
            switch child.keyword {
            case "mode":
                guard let value = valueStatement(child, expected: "stream or event") else { continue }
                guard let mode = SecurityLog.Mode(rawValue: value.keyword) else {
                    error(.invalidValue, at: value, "'mode' must be stream or event, found '\(value.keyword)'")
                    continue
                }
                log.mode = mode
            case "format": log.format = logFormat(child)
            case "source-address":
                if let value = valueStatement(child, expected: "an address") { log.sourceAddress = address(value, of: child) }
            case "source-interface": log.sourceInterface = word(child, expected: "an interface")
            case "transport":
                for option in child.active {
                    switch option.keyword {
                    case "protocol": log.transportProtocol = transportProtocol(option)
                    case "tcp-connections": log.tcpConnections = integer(option, in: 1...5, expected: "a connection count")
                    case "tls-profile": log.tlsProfile = word(option, expected: "a TLS profile")
                    default: unknown(option, in: path + ["transport"])
                    }
                }
            case "utc-timestamp": log.utcTimestamp = flag(child, in: path)
            case "report": log.report = true
            case "event-rate": log.eventRate = integer(child, in: 0...1500, expected: "logs per second")
            case "rate-cap": log.rateCap = integer(child, in: 0...5000, expected: "logs per second")
            case "stream":
                for streamStatement in child.active {
                    var stream = SecurityLog.Stream(name: streamStatement.keyword, location: streamStatement.location)
                    for option in streamStatement.active {
                        switch option.keyword {
                        case "format": stream.format = logFormat(option)
                        case "category": stream.category = word(option, expected: "a category")
                        case "severity": stream.severity = word(option, expected: "a severity")
                        case "host":
                            for hostOption in option.active {
                                switch hostOption.keyword {
                                case "port": stream.port = integer(hostOption, in: 1...65535, expected: "a port").map(UInt16.init)
                                case "routing-instance": stream.routingInstance = word(hostOption, expected: "a routing instance")
                                default:
                                    stream.host = hostOption.keyword
                                    // Set form chains `host 192.0.2.9 port 514`.
                                    for nested in hostOption.active {
                                        if nested.keyword == "port" {
                                            stream.port = integer(nested, in: 1...65535, expected: "a port").map(UInt16.init)
                                        } else {
                                            unknown(nested, in: path + ["stream", streamStatement.keyword, "host", hostOption.keyword])
                                        }
                                    }
                                }
                            }
                        case "transport":
                            for transport in option.active {
                                if transport.keyword == "protocol" {
                                    stream.transportProtocol = transportProtocol(transport)
                                } else {
                                    unknown(transport, in: path + ["stream", streamStatement.keyword, "transport"])
                                }
                            }
                        default: unknown(option, in: path + ["stream", streamStatement.keyword])
                        }
                    }
                    if stream.host == nil { error(.missingValue, at: streamStatement, "log stream '\(streamStatement.keyword)' needs 'host'") }
                    log.streams.append(stream)
                }
            default: unknown(child, in: path)
            }
        }
    }

    private mutating func logFormat(_ statement: Statement) -> SecurityLog.Format? {
        guard let value = valueStatement(statement, expected: "a log format") else { return nil }
        guard let format = SecurityLog.Format(rawValue: value.keyword) else {
            error(.invalidValue, at: value, "'format' must be syslog, sd-syslog, binary, protobuf or welf, found '\(value.keyword)'")
            return nil
        }
        return format
    }

    private mutating func transportProtocol(_ statement: Statement) -> SecurityLog.TransportProtocol? {
        guard let value = valueStatement(statement, expected: "udp, tcp or tls") else { return nil }
        guard let result = SecurityLog.TransportProtocol(rawValue: value.keyword) else {
            error(.invalidValue, at: value, "'protocol' must be udp, tcp or tls, found '\(value.keyword)'")
            return nil
        }
        return result
    }

    mutating func buildChassis(_ statement: Statement, into config: inout DeviceConfig) {
        for child in statement.active {
            switch child.keyword {
            case "fpc":
                for slotStatement in child.active {
                    guard let slot = Int(slotStatement.keyword), (0...63).contains(slot) else {
                        error(.invalidValue, at: slotStatement, "'fpc' must be a slot number (0-63), found '\(slotStatement.keyword)'")
                        continue
                    }
                    for option in slotStatement.active {
                        if option.keyword == "error" {
                            buildErrorSettings(option, path: ["chassis", "fpc", slotStatement.keyword], into: &config.chassis.fpcErrors[slot, default: [:]])
                        } else {
                            unknown(option, in: ["chassis", "fpc", slotStatement.keyword])
                        }
                    }
                }
            case "error": buildErrorSettings(child, path: ["chassis"], into: &config.chassis.chassisErrors)
            case "cluster": config.chassis.cluster = buildCluster(child)
            default: unknown(child, in: ["chassis"])
            }
        }
    }

    private mutating func buildErrorSettings(
        _ statement: Statement, path: [String], into settings: inout [ChassisErrorSeverity: ChassisErrorSetting]
    ) {
        for severityStatement in statement.active {
            guard let severity = ChassisErrorSeverity(rawValue: severityStatement.keyword) else {
                error(.invalidValue, at: severityStatement, "'error' must be followed by fatal, major or minor, found '\(severityStatement.keyword)'")
                continue
            }
            var setting = settings[severity] ?? ChassisErrorSetting(location: severityStatement.location)
            for option in severityStatement.active {
                switch option.keyword {
                case "threshold":
                    // A minor threshold of 0 means "never act"; fatal and major need at least 1.
                    let lower = severity == .minor ? 0 : 1
                    if let threshold = integer(option, in: lower...1024, expected: "an error count") { setting.threshold = threshold }
                case "action":
                    for value in option.active {
                        // `report` is the seed's name for `log`.
                        guard let action = ChassisErrorAction(rawValue: value.keyword == "report" ? "log" : value.keyword)
                        else {
                            let names = ChassisErrorAction.allCases.map(\.rawValue).joined(separator: ", ")
                            error(.invalidValue, at: value, "'action' must be one of \(names), report, found '\(value.keyword)'")
                            continue
                        }
                        if action == .trap {
                            warn(.noEffect, at: value, "'action trap' is accepted but does nothing: flowtel has no SNMP agent")
                        }
                        if !setting.actions.contains(action) { setting.actions.append(action) }
                    }
                default: unknown(option, in: path + ["error", severityStatement.keyword])
                }
            }
            settings[severity] = setting
        }
    }

    private mutating func buildCluster(_ statement: Statement) -> ChassisCluster {
        var cluster = ChassisCluster()
        let path = ["chassis", "cluster"]
        for child in statement.active {
            switch child.keyword {
            case "reth-count": cluster.rethCount = integer(child, in: 1...128, expected: "a count")
            case "heartbeat-interval": cluster.heartbeatInterval = integer(child, in: 1000...2000, expected: "milliseconds")
            case "heartbeat-threshold": cluster.heartbeatThreshold = integer(child, in: 3...8, expected: "a count")
            case "control-link-recovery": cluster.controlLinkRecovery = flag(child, in: path)
            case "redundancy-group":
                for groupStatement in child.active {
                    guard let number = Int(groupStatement.keyword), (0...128).contains(number) else {
                        error(.invalidValue, at: groupStatement, "'redundancy-group' must be 0-128, found '\(groupStatement.keyword)'")
                        continue
                    }
                    var group = RedundancyGroup(number: number, location: groupStatement.location)
                    let groupPath = path + ["redundancy-group", groupStatement.keyword]
                    for option in groupStatement.active {
                        switch option.keyword {
                        case "node":
                            for node in option.active {
                                guard let nodeID = Int(node.keyword), nodeID == 0 || nodeID == 1 else {
                                    error(.invalidValue, at: node, "'node' must be 0 or 1, found '\(node.keyword)'")
                                    continue
                                }
                                for setting in node.active {
                                    if setting.keyword == "priority" {
                                        group.nodePriorities[nodeID] = integer(setting, in: 1...254, expected: "a priority")
                                    } else {
                                        unknown(setting, in: groupPath + ["node", node.keyword])
                                    }
                                }
                            }
                        case "preempt": group.preempt = true
                        case "gratuitous-arp-count": group.gratuitousARPCount = integer(option, in: 1...16, expected: "a count")
                        case "hold-down-interval": group.holdDownInterval = integer(option, in: 0...1800, expected: "seconds")
                        case "interface-monitor":
                            for interface in option.active {
                                guard let weight = interface.child("weight") else {
                                    error(.missingValue, at: interface, "expected 'weight' after 'interface-monitor \(interface.keyword)'")
                                    continue
                                }
                                group.interfaceMonitors[interface.keyword] = integer(weight, in: 0...255, expected: "a weight")
                            }
                        default: unknown(option, in: groupPath)
                        }
                    }
                    cluster.redundancyGroups.append(group)
                }
            default: unknown(child, in: path)
            }
        }
        return cluster
    }

    mutating func buildFlowtel(_ statement: Statement, into service: inout FlowtelService) {
        let path = ["services", "flowtel"]
        for child in statement.active {
            switch child.keyword {
            case "listen":
                for option in child.active {
                    switch option.keyword {
                    case "address":
                        if let value = valueStatement(option, expected: "an IP address"), address(value, of: option) != nil {
                            service.listenAddress = value.keyword
                        }
                    case "port": service.listenPort = integer(option, in: 0...65535, expected: "a port").map(UInt16.init)
                    default: unknown(option, in: path + ["listen"])
                    }
                }
            case "tls":
                for option in child.active {
                    switch option.keyword {
                    case "certificate": service.tlsCertificate = word(option, expected: "a PEM file")
                    case "key": service.tlsKey = word(option, expected: "a PEM file")
                    case "client-ca": service.tlsClientCA = word(option, expected: "a PEM file")
                    default: unknown(option, in: path + ["tls"])
                    }
                }
                if (service.tlsCertificate == nil) != (service.tlsKey == nil) || (service.tlsClientCA != nil && service.tlsCertificate == nil) {
                    error(.missingValue, at: child, "'tls' needs both 'certificate' and 'key'")
                }
            case "authentication-token-file": service.authenticationTokenFile = word(child, expected: "a file")
            case "replay-buffer-size": service.replayBufferSize = byteCount(child)
            case "replay-buffer":
                // The Junos-style spelling, `replay-buffer { size 256m; }`.
                for option in child.active {
                    if option.keyword == "size" {
                        service.replayBufferSize = byteCount(option)
                    } else {
                        unknown(option, in: path + ["replay-buffer"])
                    }
                }
            case "subscriber-queue-size": service.subscriberQueueSize = byteCount(child)
            case "maximum-sessions":
                service.maximumSessions = integer(child, in: 1...FlowtelService.sessionLimit, expected: "a session count")
            case "spus": service.spus = integer(child, in: 1...FlowtelService.spuLimit, expected: "an SPU count")
            case "export":
                for option in child.active {
                    if option.keyword == "all-sessions" {
                        service.exportAllSessions = flag(option, in: path + ["export"])
                    } else {
                        unknown(option, in: path + ["export"])
                    }
                }
            case "wedge-detect":
                for option in child.active {
                    switch option.keyword {
                    case "detect-after": service.wedgeDetectAfter = seconds(option)
                    case "irreversible-after": service.wedgeIrreversibleAfter = seconds(option)
                    default: unknown(option, in: path + ["wedge-detect"])
                    }
                }
                if let detect = service.wedgeDetectAfter, let irreversible = service.wedgeIrreversibleAfter, irreversible < detect {
                    error(.invalidValue, at: child, "'irreversible-after' must not be shorter than 'detect-after'")
                }
            case "drop-policy":
                guard let value = valueStatement(child, expected: "drop-oldest or disconnect") else { continue }
                guard let policy = FlowtelService.DropPolicy(rawValue: value.keyword) else {
                    error(.invalidValue, at: value, "'drop-policy' must be drop-oldest or disconnect, found '\(value.keyword)'")
                    continue
                }
                service.dropPolicy = policy
            case "capture":
                for kind in child.active {
                    for source in kind.active {
                        let sourceKind: FlowtelService.CaptureSource.Kind
                        switch kind.keyword {
                        case "interface": sourceKind = .interface(source.keyword)
                        case "file": sourceKind = .file(source.keyword)
                        default:
                            unknown(kind, in: path + ["capture"])
                            continue
                        }
                        service.captureSources.append(buildCaptureSource(source, kind: sourceKind, path: path + ["capture", kind.keyword]))
                    }
                    if kind.active.isEmpty { error(.missingValue, at: kind, "expected a name after 'capture \(kind.keyword)'") }
                }
            default: unknown(child, in: path)
            }
        }
    }

    /// A duration in seconds with up to three decimals (`0.5`, `5`), from 0.1 s to 1 hour.
    private mutating func seconds(_ statement: Statement) -> Duration? {
        guard let value = valueStatement(statement, expected: "seconds") else { return nil }
        let parts = value.keyword.split(separator: ".", omittingEmptySubsequences: false)
        let fraction = parts.count == 2 ? String(parts[1]) : ""
        guard (1...2).contains(parts.count), let whole = Int(parts[0]), whole >= 0, fraction.count <= 3,
            fraction.allSatisfy(\.isASCII), fraction.allSatisfy(\.isNumber),
            parts.count == 1 || !fraction.isEmpty
        else {
            error(.invalidValue, at: value, "'\(statement.keyword)' expects seconds (for example 1 or 0.5), found '\(value.keyword)'")
            return nil
        }
        let millis = whole * 1000 + (Int(fraction + String(repeating: "0", count: 3 - fraction.count)) ?? 0)
        guard (100...3_600_000).contains(millis) else {
            error(.invalidValue, at: value, "'\(statement.keyword)' must be between 0.1 and 3600 seconds, found '\(value.keyword)'")
            return nil
        }
        return .milliseconds(millis)
    }

    private mutating func buildCaptureSource(
        _ statement: Statement, kind: FlowtelService.CaptureSource.Kind, path: [String]
    ) -> FlowtelService.CaptureSource {
        var source = FlowtelService.CaptureSource(kind: kind, location: statement.location)
        for option in statement.active {
            switch option.keyword {
            case "snaplen": source.snapLength = integer(option, in: 64...262_144, expected: "bytes")
            case "promiscuous": source.promiscuous = true
            case "no-promiscuous": source.promiscuous = false
            case "filter": source.filter = word(option, expected: "a BPF expression")
            case "buffer-size": source.bufferSize = byteCount(option)
            default: unknown(option, in: path + [statement.keyword])
            }
        }
        return source
    }
}
