import FlowtelCore
import FlowtelDaemon
import Testing

/// The session criteria subscriptions and `show security flow session` share.
@Suite("Session filters")
struct SessionFilterTests {
    static func create(incoming: String, egress: String) -> Payload {
        var info = SessionInfo()
        info.sourceAddress = IPAddress("10.0.0.5")!
        info.destinationAddress = IPAddress("192.0.2.9")!
        info.natSourceAddress = info.sourceAddress
        info.natDestinationAddress = info.destinationAddress
        info.sourcePort = 40000
        info.destinationPort = 443
        info.natSourcePort = 40000
        info.natDestinationPort = 443
        info.protocolID = 6
        info.packetIncomingInterface = incoming
        info.egressInterface = egress
        return .sessionCreate(SessionCreate(session: info))
    }

    static func matches(_ filter: SessionFilter, _ payload: Payload) -> Bool {
        CompiledSessionFilter(filter).matches(SessionKey(payload)!)
    }

    @Test("tunnel: a wing on st0, gr-, ip- or lt-; idp and resource-manager match nothing (flowtel has neither)")
    func tableFilters() {
        var tunnel = SessionFilter()
        tunnel.tunnelOnly = true
        #expect(Self.matches(tunnel, Self.create(incoming: "ge-0/0/1.0", egress: "st0.1")))
        #expect(Self.matches(tunnel, Self.create(incoming: "gr-0/0/0.0", egress: "ge-0/0/0.0")))
        #expect(!Self.matches(tunnel, Self.create(incoming: "ge-0/0/1.0", egress: "ge-0/0/0.0")))
        var idp = SessionFilter()
        idp.idpOnly = true
        #expect(!Self.matches(idp, Self.create(incoming: "ge-0/0/1.0", egress: "ge-0/0/0.0")))
        var manager = SessionFilter()
        manager.resourceManagerOnly = true
        #expect(!Self.matches(manager, Self.create(incoming: "ge-0/0/1.0", egress: "st0.1")))
        #expect(Self.matches(SessionFilter(), Self.create(incoming: "ge-0/0/1.0", egress: "ge-0/0/0.0")))
    }
}
