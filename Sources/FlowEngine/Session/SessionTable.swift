public import FlowtelCore

/// One direction of a session as packets carry it: addresses, ports and protocol.
public struct WingKey: Hashable, Sendable, CustomStringConvertible {
    /// Source address.
    public var source: IPAddress
    /// Destination address.
    public var destination: IPAddress
    /// Source port (ICMP: see ``FlowKey``).
    public var sourcePort: UInt16
    /// Destination port.
    public var destinationPort: UInt16
    /// IP protocol.
    public var ipProtocol: UInt8

    /// Creates a key.
    public init(source: IPAddress, destination: IPAddress, sourcePort: UInt16, destinationPort: UInt16, ipProtocol: UInt8) {
        self.source = source
        self.destination = destination
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.ipProtocol = ipProtocol
    }

    /// The key of a flow.
    public init(_ key: FlowKey) {
        self.init(
            source: key.source, destination: key.destination, sourcePort: key.sourcePort,
            destinationPort: key.destinationPort, ipProtocol: key.ipProtocol)
    }

    /// The other direction.
    public var reversed: WingKey {
        WingKey(
            source: destination, destination: source, sourcePort: destinationPort, destinationPort: sourcePort,
            ipProtocol: ipProtocol)
    }

    /// "10.0.0.1/40000->192.0.2.1/443;6".
    public var description: String { "\(source)/\(sourcePort)->\(destination)/\(destinationPort);\(ipProtocol)" }
}

/// A session's packets and bytes in one direction.
public struct WingCounters: Hashable, Sendable {
    /// Packets.
    public var packets: UInt64 = 0
    /// Bytes of IP (headers included), as RT_FLOW counts them.
    public var bytes: UInt64 = 0

    /// Zero.
    public init() {}

    /// Counts a packet of `bytes` IP bytes.
    public mutating func count(bytes: Int) {
        packets &+= 1
        self.bytes &+= UInt64(bytes)
    }
}

/// Which way a packet goes through its session.
public enum WingDirection: Hashable, Sendable {
    /// Client to server: the In wing.
    case fromClient
    /// Server to client: the Out wing.
    case fromServer
}

/// Where a session lives in a ``SessionTable``: valid until the session is removed (a handle
/// to a removed session never reaches another one).
public struct SessionHandle: Hashable, Sendable {
    fileprivate var index: Int
    fileprivate var generation: UInt32
}

/// The sessions of one shard: lookups by either wing, timeouts, a size limit.
///
/// A session is found by its In wing (client to server, before NAT), its Out wing (server to
/// client, after NAT, as replies reach the device) and, when NAT changed it, the reverse of
/// its In wing (replies in a capture taken before NAT, which still carry the original
/// addresses); all count as the Out wing. Timeouts are kept in a min-heap; extending a
/// timeout (every packet does) costs nothing until the old one comes due. Not thread-safe:
/// one table per shard.
public struct SessionTable<Session: Sendable>: Sendable {
    private struct Slot: Sendable {
        var session: Session?
        var generation: UInt32 = 0
        var wings: [WingKey] = []
        /// When the session expires, nanoseconds (`UInt64.max`: never).
        var expiresAt = UInt64.max
        /// The earliest time a heap entry for this slot is due.
        var scheduledAt = UInt64.max
    }

    private struct Timer: Sendable {
        var time: UInt64
        var index: Int
        var generation: UInt32
    }

    /// The most sessions the table holds.
    public let capacity: Int
    private var slots: [Slot] = []
    private var free: [Int] = []
    private var byWing: [WingKey: (Int, WingDirection)] = [:]
    private var timers: [Timer] = []
    /// Sessions in the table.
    public private(set) var count = 0

    /// An empty table for at most `capacity` sessions.
    public init(capacity: Int) {
        precondition(capacity > 0, "a session table holds at least one session")
        self.capacity = capacity
    }

    /// Adds a session with its In wing (`clientToServer`) and Out wing (`serverToClient`, the
    /// replies as the device receives them). Nil when the table is full or a wing belongs to
    /// another session.
    public mutating func insert(_ session: Session, clientToServer: WingKey, serverToClient: WingKey) -> SessionHandle? {
        guard count < capacity else { return nil }
        var wings = [clientToServer, serverToClient]
        let original = clientToServer.reversed
        if original != serverToClient { wings.append(original) }
        guard wings.allSatisfy({ byWing[$0] == nil }) else { return nil }
        let index: Int
        if let reused = free.popLast() {
            index = reused
        } else {
            index = slots.count
            slots.append(Slot())
        }
        slots[index].session = session
        slots[index].wings = wings
        slots[index].expiresAt = .max
        slots[index].scheduledAt = .max
        byWing[clientToServer] = (index, .fromClient)
        for wing in wings.dropFirst() { byWing[wing] = (index, .fromServer) }
        count += 1
        return SessionHandle(index: index, generation: slots[index].generation)
    }

    /// The session a packet with `key` belongs to, and which way it goes.
    public func find(_ key: WingKey) -> (handle: SessionHandle, direction: WingDirection)? {
        guard let (index, direction) = byWing[key] else { return nil }
        return (SessionHandle(index: index, generation: slots[index].generation), direction)
    }

    /// The session behind `handle` (nil once removed).
    public subscript(handle: SessionHandle) -> Session? {
        get {
            guard slots.indices.contains(handle.index), slots[handle.index].generation == handle.generation else { return nil }
            return slots[handle.index].session
        }
        set {
            guard slots.indices.contains(handle.index), slots[handle.index].generation == handle.generation,
                slots[handle.index].session != nil, let newValue
            else { return }
            slots[handle.index].session = newValue
        }
    }

    /// Sets when the session expires: `seconds` after `now`, or never (nil).
    public mutating func expire(_ handle: SessionHandle, in seconds: Int?, now: Timestamp) {
        guard self[handle] != nil else { return }
        let time = seconds.map { now.unixNanos &+ UInt64(max(0, $0)) &* 1_000_000_000 } ?? .max
        slots[handle.index].expiresAt = time
        // Only an earlier expiry needs a timer: a later one is found when the old timer fires.
        if time < slots[handle.index].scheduledAt {
            slots[handle.index].scheduledAt = time
            push(Timer(time: time, index: handle.index, generation: handle.generation))
        }
    }

    /// When the session expires (nil: never, or removed).
    public func expiry(_ handle: SessionHandle) -> Timestamp? {
        guard self[handle] != nil, slots[handle.index].expiresAt != .max else { return nil }
        return Timestamp(unixNanos: slots[handle.index].expiresAt)
    }

    /// Removes a session; returns it.
    @discardableResult
    public mutating func remove(_ handle: SessionHandle) -> Session? {
        guard let session = self[handle] else { return nil }
        for wing in slots[handle.index].wings { byWing[wing] = nil }
        slots[handle.index] = Slot(generation: slots[handle.index].generation &+ 1)
        free.append(handle.index)
        count -= 1
        return session
    }

    /// Removes every session whose expiry is at or before `now`, earliest first, with the
    /// time each expired.
    public mutating func removeExpired(now: Timestamp) -> [(handle: SessionHandle, session: Session, expiredAt: Timestamp)] {
        var removed: [(SessionHandle, Session, Timestamp)] = []
        while let top = timers.first, top.time <= now.unixNanos {
            popTimer()
            let slot = slots[top.index]
            guard slot.generation == top.generation, slot.session != nil, slot.scheduledAt == top.time else { continue }
            let handle = SessionHandle(index: top.index, generation: top.generation)
            if slot.expiresAt <= now.unixNanos {
                let expiredAt = Timestamp(unixNanos: slot.expiresAt)
                if let session = remove(handle) { removed.append((handle, session, expiredAt)) }
            } else {
                // Extended since: wait for the new expiry.
                slots[top.index].scheduledAt = slot.expiresAt
                if slot.expiresAt != .max { push(Timer(time: slot.expiresAt, index: top.index, generation: top.generation)) }
            }
        }
        return removed
    }

    /// Every live session's handle, in slot order.
    public var handles: [SessionHandle] {
        slots.indices.compactMap { index in
            slots[index].session == nil ? nil : SessionHandle(index: index, generation: slots[index].generation)
        }
    }

    // MARK: - Timer heap

    private mutating func push(_ timer: Timer) {
        timers.append(timer)
        var child = timers.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard timers[child].time < timers[parent].time else { break }
            timers.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func popTimer() {
        let last = timers.removeLast()
        guard !timers.isEmpty else { return }
        timers[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            guard left < timers.count else { return }
            let right = left + 1
            let child = right < timers.count && timers[right].time < timers[left].time ? right : left
            guard timers[child].time < timers[parent].time else { return }
            timers.swapAt(child, parent)
            parent = child
        }
    }
}
