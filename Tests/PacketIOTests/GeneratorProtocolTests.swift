import FlowtelCore
import PacketIO
import Packets
import Testing

@Suite("TrafficGenerator sessions behave like real hosts")
struct GeneratorProtocolTests {
    typealias Fixtures = GeneratorFixtures
    typealias Packet = GeneratorFixtures.Packet

    static func run() throws -> [(flow: TrafficFlow, packets: [Packet])] {
        let (packets, _) = try Fixtures.generate(sessions: 500)
        return Fixtures.sessions(packets).sorted { $0.key < $1.key }.map {
            (Fixtures.plan.flows[$0.value[0].info.flow], $0.value)
        }
    }

    @Test("TCP: handshake with SYN options, consistent sequence and ack numbers, MSS-sized data, the close asked for")
    func tcpSessions() throws {
        var closes: [TrafficFlow.TCPClose: Int] = [:]
        var finFirst: Set<Bool> = []
        for (flow, packets) in try Self.run() where flow.expectation == .answered {
            guard case .tcp(_, let requestBytes, let responseBytes, let close) = flow.application else { continue }
            let tcp = packets.map { $0.tcp! }
            // Handshake.
            try #require(packets.count >= 4)
            #expect(packets[0].fromClient && tcp[0].flags == .syn)
            #expect(!packets[1].fromClient && tcp[1].flags == [.syn, .ack])
            #expect(packets[2].fromClient && tcp[2].flags == .ack)
            #expect(tcp[1].acknowledgmentNumber == tcp[0].sequenceNumber &+ 1)
            #expect(tcp[2].sequenceNumber == tcp[0].sequenceNumber &+ 1)
            #expect(tcp[2].acknowledgmentNumber == tcp[1].sequenceNumber &+ 1)
            let clientOptions = Independent.tcpOptions(packets[0])
            let serverOptions = Independent.tcpOptions(packets[1])
            for options in [clientOptions, serverOptions] {
                #expect(options[2]?.count == 2)  // MSS
                #expect(options[4] == [])  // SACK permitted
                #expect(options[8]?.count == 8)  // timestamps
                #expect(options[3]?.count == 1)  // window scale
            }
            let mss = min(Independent.u16(clientOptions[2]!, 0), Independent.u16(serverOptions[2]!, 0))
            #expect(tcp[0].headerLength == 40 && tcp[3].headerLength == 32)

            // Every segment starts where its sender's previous one ended; every ACK covers
            // only what the peer has already sent, and never goes backwards.
            var next = [true: tcp[0].sequenceNumber, false: tcp[1].sequenceNumber]
            var sent = [true: tcp[0].sequenceNumber, false: tcp[1].sequenceNumber]
            var lastAck: [Bool: UInt32] = [:]
            var payload = [true: 0, false: 0]
            var timestampsSent: [Bool: Set<UInt32>] = [true: [], false: []]
            for (packet, header) in zip(packets, tcp) {
                let side = packet.fromClient
                // TSecr echoes a TSval the peer has already sent.
                let timestamps = Independent.tcpOptions(packet)[8]!
                let (value, echo) = (Independent.u32(timestamps, 0), Independent.u32(timestamps, 4))
                if header.flags.contains(.ack) { #expect(timestampsSent[!side]!.contains(echo)) } else { #expect(echo == 0) }
                timestampsSent[side]!.insert(value)
                #expect(header.sequenceNumber == next[side]!, "seq, session \(packet.info.session)")
                #expect(header.payloadLength <= Int(mss) - 12)
                var length = UInt32(header.payloadLength)
                if header.flags.contains(.syn) { length += 1 }
                if header.flags.contains(.fin) { length += 1 }
                next[side]! &+= length
                sent[side] = next[side]!
                payload[side]! += header.payloadLength
                if header.flags.contains(.ack) && !header.flags.contains(.syn) {
                    let ack = header.acknowledgmentNumber
                    #expect(Int32(bitPattern: sent[!side]! &- ack) >= 0, "ack beyond data, session \(packet.info.session)")
                    if let previous = lastAck[side] { #expect(Int32(bitPattern: ack &- previous) >= 0) }
                    lastAck[side] = ack
                }
                if header.flags.contains(.rst) { #expect(packet.info == packets.last!.info) }
            }
            #expect(payload[true] == requestBytes)
            #expect(payload[false] == responseBytes)

            // The close.
            let fins = packets.filter { $0.tcp!.flags.contains(.fin) }
            switch close {
            case .fin:
                #expect(Set(fins.map(\.fromClient)) == [true, false])
                #expect(!tcp.contains { $0.flags.contains(.rst) })
                // The last packet acknowledges the second FIN.
                let last = packets.last!
                #expect(last.tcp!.flags == .ack)
                #expect(last.tcp!.acknowledgmentNumber == next[!last.fromClient]!)
                finFirst.insert(fins[0].fromClient)
            case .rst:
                #expect(fins.isEmpty)
                #expect(tcp.last!.flags.contains(.rst))
            }
            closes[close, default: 0] += 1
        }
        #expect(closes[.fin, default: 0] > 10 && closes[.rst, default: 0] > 10)
        // Either side may close first.
        #expect(finFirst == [true, false])
    }

    @Test("unanswered flows: nothing from the server; SYNs retransmitted after about 1, 2 and 4 s; UDP retried; echo unanswered")
    func unanswered() throws {
        var seen: Set<TrafficFlow.ApplicationKind> = []
        for (flow, packets) in try Self.run() {
            if flow.expectation == .answered {
                #expect(packets.contains { !$0.fromClient }, "an answered session gets an answer")
                continue
            }
            #expect(packets.allSatisfy { $0.fromClient })
            guard flow.expectation == .unanswered else { continue }
            seen.insert(flow.application.kind)
            switch flow.application {
            case .tcp:
                #expect(packets.count == 4)
                #expect(packets.allSatisfy { $0.tcp!.flags == .syn })
                #expect(Set(packets.map { $0.tcp!.sequenceNumber }).count == 1)
                let times = packets.map { Double($0.info.timestamp.unixNanos) / 1e9 }
                let gaps = zip(times, times.dropFirst()).map { $1 - $0 }
                #expect(abs(gaps[0] - 1) < 0.05)
                #expect(gaps[1] > gaps[0] * 1.8 && gaps[2] > gaps[1] * 1.8)
            case .udp:
                #expect((2...3).contains(packets.count))
                let payloads = packets.map(\.payload)
                if flow.application.kind == .dns { #expect(Set(payloads).count == 1, "a retry repeats the query") }
                let times = packets.map(\.info.timestamp.unixNanos)
                #expect(zip(times, times.dropFirst()).allSatisfy { $1 - $0 >= 900_000_000 })
            case .icmpEcho(let count):
                #expect(packets.count == count)
                #expect(packets.allSatisfy { $0.icmp!.type == (packets[0].ip.version == .v4 ? 8 : 128) })
            }
        }
        #expect(seen == [.tcp, .dns, .ntp, .icmpEcho])
    }

    @Test("rejected flows: the client gives up after its first TCP or UDP packet; a ping sends every request")
    func rejected() throws {
        var seen: Set<TrafficFlow.ApplicationKind> = []
        for (flow, packets) in try Self.run() where flow.expectation == .rejected {
            seen.insert(flow.application.kind)
            #expect(packets.allSatisfy { $0.fromClient })
            switch flow.application {
            case .tcp:
                #expect(packets.count == 1 && packets[0].tcp!.flags == .syn)
            case .udp:
                #expect(packets.count == 1 && packets[0].udp != nil)
            case .icmpEcho(let count):
                #expect(packets.count == count)
            }
        }
        #expect(seen == [.tcp, .dns, .icmpEcho])
    }

    @Test("DNS: the response answers the query's id, name and type")
    func dns() throws {
        var types: Set<UInt16> = []
        for (flow, packets) in try Self.run() where flow.application.kind == .dns && flow.expectation == .answered {
            try #require(packets.count == 2)
            let query = try #require(DNSMessage(packets[0].payload))
            let response = try #require(DNSMessage(packets[1].payload))
            #expect(query.flags & 0x8000 == 0 && query.flags & 0x0100 != 0)
            #expect(response.flags & 0x8000 != 0 && response.flags & 0x000F == 0)
            #expect(response.id == query.id)
            try #require(query.questions.count == 1 && response.questions.count == 1)
            let question = query.questions[0]
            #expect(question.name.count >= 3 && question.name.allSatisfy { !$0.isEmpty })
            #expect(response.questions[0].name == question.name && response.questions[0].type == question.type)
            #expect(question.type == 1 || question.type == 28)
            try #require(response.answers.count == 1)
            let answer = response.answers[0]
            #expect(answer.name == question.name && answer.type == question.type && answer.recordClass == 1)
            #expect(answer.data.count == (question.type == 1 ? 4 : 16))
            #expect(answer.ttl > 0)
            #expect(query.additional.first?.type == 41 && response.additional.first?.type == 41)  // EDNS0
            types.insert(question.type)
            // The response comes back to the port the query came from.
            #expect(packets[1].udp!.destinationPort == packets[0].udp!.sourcePort)
        }
        #expect(types == [1, 28])
    }

    @Test("NTP: a version 4 client request and a server response echoing its transmit time")
    func ntp() throws {
        var count = 0
        for (flow, packets) in try Self.run() where flow.application.kind == .ntp && flow.expectation == .answered {
            try #require(packets.count == 2)
            let request = packets[0].payload
            let response = packets[1].payload
            #expect(request.count == 48 && response.count == 48)
            #expect(request[0] & 7 == 3 && request[0] >> 3 & 7 == 4)
            #expect(response[0] & 7 == 4 && response[0] >> 3 & 7 == 4)
            #expect((1...15).contains(response[1]))  // stratum
            let transmit = Independent.u64(request, 40)
            #expect(Independent.u64(response, 24) == transmit)  // origin
            let received = Independent.u64(response, 32)
            let sent = Independent.u64(response, 40)
            #expect(transmit < received && received <= sent)
            // The request's transmit time is its packet's time, in NTP's 1900 era.
            let seconds = packets[0].info.timestamp.unixNanos / 1_000_000_000 + 2_208_988_800
            #expect(transmit >> 32 == seconds)
            count += 1
        }
        #expect(count > 0)
    }

    @Test("ICMP echo: requests a second apart, replies mirror identifier, sequence and payload")
    func echo() throws {
        var count = 0
        for (flow, packets) in try Self.run() where flow.application.kind == .icmpEcho && flow.expectation == .answered {
            guard case .icmpEcho(let requests) = flow.application else { continue }
            try #require(packets.count == 2 * requests)
            let isV4 = packets[0].ip.version == .v4
            for index in 0..<requests {
                let request = packets[2 * index]
                let reply = packets[2 * index + 1]
                #expect(request.fromClient && !reply.fromClient)
                #expect(request.icmp!.type == (isV4 ? 8 : 128) && reply.icmp!.type == (isV4 ? 0 : 129))
                #expect(request.icmp!.echo == reply.icmp!.echo)
                #expect(request.icmp!.echo!.sequenceNumber == UInt16(index + 1))
                #expect(request.icmp!.echo!.identifier == packets[0].icmp!.echo!.identifier)
                let headerEnd = request.ip.transportOffset + 8
                let requestData = request.frame[headerEnd..<(request.ip.offset + request.ip.totalLength)]
                let replyData = reply.frame[(reply.ip.transportOffset + 8)..<(reply.ip.offset + reply.ip.totalLength)]
                #expect(requestData.count == 56 && Array(requestData) == Array(replyData))
                if index > 0 {
                    let gap = request.info.timestamp.unixNanos - packets[2 * index - 2].info.timestamp.unixNanos
                    #expect(gap >= 1_000_000_000 && gap < 1_010_000_000)
                }
            }
            count += 1
        }
        #expect(count > 0)
    }

    @Test("round trips and gaps are realistic: answers within 50 ms, no session packets out of order")
    func timing() throws {
        for (flow, packets) in try Self.run() where flow.expectation == .answered {
            if case .tcp = flow.application {
                let synAck = packets[1].info.timestamp.unixNanos - packets[0].info.timestamp.unixNanos
                #expect(synAck >= 150_000 && synAck <= 50_000_000)
                let ack = packets[2].info.timestamp.unixNanos - packets[1].info.timestamp.unixNanos
                #expect(ack >= 50_000 && ack <= 3_000_000)
            }
            // IPv4 identifications count up per sender.
            for side in [true, false] {
                let ids = packets.filter { $0.fromClient == side && $0.ip.version == .v4 }.map(\.ip.identification)
                #expect(zip(ids, ids.dropFirst()).allSatisfy { $1 == ($0 + 1) & 0xFFFF })
            }
        }
    }
}
