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
///
/// The index from wing to slot (``WingIndex``) is an open-addressing table of 8-byte entries (a
/// hash tag and the slot and wing number), so a session costs no allocation of its own and a
/// lookup no SipHash. The wings themselves are either kept beside the slots, or, for a table
/// made with ``init(capacity:wing:)``, read back from the session where it lies, which already
/// holds its addresses (the flow engine's tables: 80 bytes a session saved).
///
/// A removed session's value stays in its slot (unreachable) until the slot is reused.
public struct SessionTable<Session: Sendable>: Sendable {
    // Field order matters: the small fields fill the session's tail padding (the flow engine's
    // slot is 208 bytes, not 216).
    private struct Slot: Sendable {
        /// The session, when `live`; else the last one the slot held.
        var session: Session
        /// True when the reversed In wing is a third wing: NAT made it differ from the Out wing.
        var hasOriginal = false
        var live = true
        var generation: UInt32 = 0
        /// When the session expires, nanoseconds (`UInt64.max`: never).
        var expiresAt = UInt64.max
        /// The earliest time a heap entry for this slot is due.
        var scheduledAt = UInt64.max
    }

    /// A heap entry: 16 bytes (slot indices are below 2^30).
    private struct Timer: Sendable {
        var time: UInt64
        private var slot: UInt32
        var generation: UInt32

        init(time: UInt64, index: Int, generation: UInt32) {
            self.time = time
            slot = UInt32(truncatingIfNeeded: index)
            self.generation = generation
        }

        var index: Int { Int(slot) }
    }

    /// The slots, in pages of ``Slots/pageSize`` that never move once allocated: growing
    /// adds a page instead of copying every session into an array twice the size (a copy of
    /// hundreds of megabytes at a few million sessions, and both arrays resident meanwhile).
    private struct Slots: Sendable {
        static var pageShift: Int { 12 }
        static var pageSize: Int { 1 << pageShift }

        private var pages: [[Slot]] = []
        /// Slots in use or freed: slot indices are below it.
        private(set) var count = 0

        var indices: Range<Int> { 0..<count }

        subscript(index: Int) -> Slot {
            get { withSlot(at: index) { $0.pointee } }
            // In place: a setter would copy the whole slot out and back for every field written.
            _modify { yield &pages[index >> Self.pageShift][index & (Self.pageSize - 1)] }
        }

        /// Adds a slot at index ``count``.
        mutating func append(_ slot: Slot) {
            if count & (Self.pageSize - 1) == 0 {
                var page: [Slot] = []
                page.reserveCapacity(Self.pageSize)
                pages.append(page)
            }
            pages[pages.count - 1].append(slot)
            count += 1
        }

        /// Runs `body` on the address of slot `index`'s session, valid for the call only.
        @inline(__always)
        func withSession<Result>(at index: Int, _ body: (UnsafePointer<Session>) throws -> Result) rethrows -> Result {
            try withSlot(at: index) { slot in
                // A stored property of the slot: the memory is bound to `Session` at its offset.
                try body(
                    (UnsafeRawPointer(slot) + MemoryLayout<Slot>.offset(of: \Slot.session)!)
                        .assumingMemoryBound(to: Session.self))
            }
        }

        /// Runs `body` on slot `index` in place: the pages reached through their buffers (each
        /// array checked for uniqueness once, as the subscript's accessor does), without the
        /// nested subscripts' accessor, which the compiler leaves out of line.
        @inline(__always)
        mutating func modifySlot<Result>(at index: Int, _ body: (inout Slot) throws -> Result) rethrows -> Result {
            // The check the arrays' subscripts made: the buffers' are unchecked.
            precondition(index >= 0 && index < count, "SessionTable: slot index out of range")
            return try pages.withUnsafeMutableBufferPointer { pages in
                try pages[index >> Self.pageShift].withUnsafeMutableBufferPointer { page in
                    try body(&page[index & (Self.pageSize - 1)])
                }
            }
        }

        /// Runs `body` on the address of slot `index`, valid for the call only.
        @inline(__always)
        func withSlot<Result>(at index: Int, _ body: (UnsafePointer<Slot>) throws -> Result) rethrows -> Result {
            // The page is reached through the outer buffer's pointer, borrowed where it lies:
            // `pages[i]` would copy the page array out (a retain and a release per read). The
            // check the arrays' subscripts made: the pointers' are unchecked.
            precondition(index >= 0 && index < count, "SessionTable: slot index out of range")
            return try pages.withUnsafeBufferPointer { pages in
                try pages.baseAddress.unsafelyUnwrapped[index >> Self.pageShift].withUnsafeBufferPointer { page in
                    try body(page.baseAddress.unsafelyUnwrapped + (index & (Self.pageSize - 1)))
                }
            }
        }
    }

    /// The most sessions the table holds.
    public let capacity: Int
    private var slots = Slots()
    private var free: [Int] = []
    private var byWing = WingIndex()
    private var timers: [Timer] = []
    /// The In and Out wings of slot i at 2i and 2i + 1, when `wingOf` is nil.
    private var storedWings: [PackedWingKey] = []
    /// Reads a session's In wing (false) or Out wing (true) from the session itself, where it
    /// lies in its slot.
    private let wingOf: (@Sendable (UnsafePointer<Session>, _ outWing: Bool) -> PackedWingKey)?
    /// Sessions in the table.
    public private(set) var count = 0

    /// An empty table for at most `capacity` sessions.
    public init(capacity: Int) {
        precondition(capacity > 0, "a session table holds at least one session")
        precondition(capacity < 1 << 30, "a session table holds fewer than 2^30 sessions")
        self.capacity = capacity
        wingOf = nil
    }

    /// An empty table for at most `capacity` sessions whose wings `wing` reads from each
    /// session (`outWing` false: the In wing; true: the Out wing): it must return the wings the
    /// session was inserted with, for as long as it is in the table. The session is passed by
    /// address, valid for the call only: a lookup reads the few words it compares, not a copy
    /// of the whole session.
    init(capacity: Int, wing: @escaping @Sendable (UnsafePointer<Session>, _ outWing: Bool) -> PackedWingKey) {
        precondition(capacity > 0, "a session table holds at least one session")
        precondition(capacity < 1 << 30, "a session table holds fewer than 2^30 sessions")
        self.capacity = capacity
        wingOf = wing
    }

    /// The In wing (`outWing` false) or Out wing of the live session in slot `index`.
    @inline(__always)
    private func wing(at index: Int, outWing: Bool) -> PackedWingKey {
        if let wingOf { return slots.withSession(at: index) { wingOf($0, outWing) } }
        return storedWings[2 * index + (outWing ? 1 : 0)]
    }

    private mutating func storeWings(at index: Int, _ clientToServer: PackedWingKey, _ serverToClient: PackedWingKey) {
        guard wingOf == nil else { return }
        storedWings[2 * index] = clientToServer
        storedWings[2 * index + 1] = serverToClient
    }

    /// Adds a session with its In wing (`clientToServer`) and Out wing (`serverToClient`, the
    /// replies as the device receives them). Nil when the table is full or a wing belongs to
    /// another session.
    public mutating func insert(_ session: Session, clientToServer: WingKey, serverToClient: WingKey) -> SessionHandle? {
        insert(session, clientToServer: clientToServer, serverToClient: serverToClient, checkingInWing: true)
    }

    /// ``insert(_:clientToServer:serverToClient:)`` for a session whose In wing the caller has
    /// just looked up (``find(_:)``) and not found, with no change to the table since: the
    /// flow engine's first packet, which saves the second lookup.
    mutating func insertNew(_ session: Session, clientToServer: WingKey, serverToClient: WingKey) -> SessionHandle? {
        insert(session, clientToServer: clientToServer, serverToClient: serverToClient, checkingInWing: false)
    }

    /// `checkingInWing` false: the caller knows the In wing is not in the table.
    private mutating func insert(
        _ session: Session, clientToServer: WingKey, serverToClient: WingKey, checkingInWing: Bool
    ) -> SessionHandle? {
        guard count < capacity else { return nil }
        let clientToServer = PackedWingKey(clientToServer)
        let serverToClient = PackedWingKey(serverToClient)
        let original = clientToServer.reversed
        let hasOriginal = original != serverToClient
        guard clientToServer != serverToClient, !hasOriginal || original != clientToServer,
            !checkingInWing || find(clientToServer) == nil, find(serverToClient) == nil, !hasOriginal || find(original) == nil
        else {
            // A session whose wings coincide: the dictionary this index replaces stored the
            // wing once, as the last write left it; keep that with the general path.
            return insertCoinciding(session, clientToServer: clientToServer, serverToClient: serverToClient)
        }
        let index = takeSlot(session)
        storeWings(at: index, clientToServer, serverToClient)
        slots[index].hasOriginal = hasOriginal
        byWing.insert(hash: clientToServer.hash, slot: index, wing: 0)
        byWing.insert(hash: serverToClient.hash, slot: index, wing: 1)
        if hasOriginal { byWing.insert(hash: original.hash, slot: index, wing: 2) }
        count += 1
        return SessionHandle(index: index, generation: slots[index].generation)
    }

    /// `insert` when two of a session's wings are the same key (a flow to itself): nil when a
    /// wing is taken, else the session found by its In wing as `fromServer` when the Out wing
    /// equals it, as the dictionary's last write left it.
    private mutating func insertCoinciding(
        _ session: Session, clientToServer: PackedWingKey, serverToClient: PackedWingKey
    ) -> SessionHandle? {
        let original = clientToServer.reversed
        guard find(clientToServer) == nil, find(serverToClient) == nil, find(original) == nil else { return nil }
        let index = takeSlot(session)
        // Every distinct key once; a key equal to the In wing is indexed as an Out wing (the
        // last write of the dictionary this replaces).
        storeWings(at: index, clientToServer, serverToClient)
        slots[index].hasOriginal = original != serverToClient
        var keys: [(PackedWingKey, Int)] = []
        for (number, wing) in [(0, clientToServer), (1, serverToClient), (2, original)]
        where number != 2 || slots[index].hasOriginal {
            if let at = keys.firstIndex(where: { $0.0 == wing }) { keys[at].1 = number } else { keys.append((wing, number)) }
        }
        for (wing, number) in keys { byWing.insert(hash: wing.hash, slot: index, wing: number) }
        count += 1
        return SessionHandle(index: index, generation: slots[index].generation)
    }

    /// A free slot holding `session`, live, with no expiry.
    private mutating func takeSlot(_ session: Session) -> Int {
        if let reused = free.popLast() {
            slots[reused].session = session
            slots[reused].live = true
            return reused
        }
        slots.append(Slot(session: session))
        if wingOf == nil {
            storedWings.append(PackedWingKey())
            storedWings.append(PackedWingKey())
        }
        return slots.count - 1
    }

    /// The session a packet with `key` belongs to, and which way it goes.
    public func find(_ key: WingKey) -> (handle: SessionHandle, direction: WingDirection)? {
        find(PackedWingKey(key))
    }

    /// ``find(_:)`` in a table made with ``init(capacity:wing:)``, given the same `wing` function
    /// as its argument: inlined into the caller, it reads the wings where they lie. (Through
    /// the stored closure, an opaque call, the page a wing is read from had to be retained
    /// around every call, and the closure copied.)
    @inline(__always)
    func find(
        _ key: PackedWingKey, wing: (UnsafePointer<Session>, _ outWing: Bool) -> PackedWingKey
    ) -> (handle: SessionHandle, direction: WingDirection)? {
        assert(wingOf != nil, "SessionTable.find(_:wing:) on a table that stores its wings")
        let found = byWing.find(hash: key.hash) { index, number in
            slots.withSession(at: index) { session in
                // The third wing is the reversed In wing: compared as the In wing with the key reversed.
                number == 2 ? wing(session, false) == key.reversed : wing(session, number == 1) == key
            }
        }
        guard let (index, number) = found else { return nil }
        return (
            SessionHandle(index: index, generation: slots.withSlot(at: index) { $0.pointee.generation }),
            number == 0 ? .fromClient : .fromServer
        )
    }

    private func find(_ key: PackedWingKey) -> (handle: SessionHandle, direction: WingDirection)? {
        // The third wing is the reversed In wing: compared as the In wing with the key reversed.
        let reversed = key.reversed
        let found = byWing.find(hash: key.hash) { index, number in
            number == 2 ? wing(at: index, outWing: false) == reversed : wing(at: index, outWing: number == 1) == key
        }
        guard let (index, number) = found else { return nil }
        return (SessionHandle(index: index, generation: slots[index].generation), number == 0 ? .fromClient : .fromServer)
    }

    /// The session behind `handle` (nil once removed).
    public subscript(handle: SessionHandle) -> Session? {
        get {
            guard isLive(handle) else { return nil }
            return slots[handle.index].session
        }
        set {
            guard isLive(handle), let newValue else { return }
            slots[handle.index].session = newValue
        }
    }

    /// Runs `body` on the session behind `handle` in place (no copy out and back); nil once
    /// removed.
    public mutating func withSession<Result>(_ handle: SessionHandle, _ body: (inout Session) throws -> Result) rethrows -> Result? {
        guard isLive(handle) else { return nil }
        return try slots.modifySlot(at: handle.index) { try body(&$0.session) }
    }

    /// Reads from the session behind `handle` without copying it; nil once removed.
    public func peek<Result>(_ handle: SessionHandle, _ body: (borrowing Session) throws -> Result) rethrows -> Result? {
        guard isLive(handle) else { return nil }
        return try slots.withSession(at: handle.index) { try body($0.pointee) }
    }

    /// True when `handle`'s session is still in the table.
    @inline(__always)
    private func isLive(_ handle: SessionHandle) -> Bool {
        slots.indices.contains(handle.index)
            && slots.withSlot(at: handle.index) { $0.pointee.generation == handle.generation && $0.pointee.live }
    }

    /// Sets when the session expires: `seconds` after `now`, or never (nil).
    @inline(__always)
    public mutating func expire(_ handle: SessionHandle, in seconds: Int?, now: Timestamp) {
        guard isLive(handle) else { return }
        // One access to the slot (each one checks both arrays for uniqueness).
        if let time = slots.modifySlot(at: handle.index, { Self.setExpiry(&$0, in: seconds, now: now) }) {
            push(Timer(time: time, index: handle.index, generation: handle.generation))
        }
    }

    /// ``withSession(_:_:)`` and then, when `body` returns an expiry (`.some(seconds)`, with
    /// `seconds` as ``expire(_:in:now:)`` takes it), that expiry: in one access to the slot.
    @inline(__always)
    mutating func withSession<Result>(
        _ handle: SessionHandle, now: Timestamp, _ body: (inout Session) throws -> (Result, expiry: Int??)
    ) rethrows -> Result? {
        guard isLive(handle) else { return nil }
        let (result, timer) = try slots.modifySlot(at: handle.index) { slot throws -> (Result, UInt64?) in
            let (result, expiry) = try body(&slot.session)
            guard let seconds = expiry else { return (result, nil) }
            return (result, Self.setExpiry(&slot, in: seconds, now: now))
        }
        if let time = timer { push(Timer(time: time, index: handle.index, generation: handle.generation)) }
        return result
    }

    /// Sets `slot` to expire `seconds` after `now`, or never (nil); returns the time when that
    /// needs a timer.
    @inline(__always)
    private static func setExpiry(_ slot: inout Slot, in seconds: Int?, now: Timestamp) -> UInt64? {
        let time = seconds.map { now.unixNanos &+ UInt64(max(0, $0)) &* 1_000_000_000 } ?? .max
        slot.expiresAt = time
        // Only an earlier expiry needs a timer: a later one is found when the old timer fires.
        guard time < slot.scheduledAt else { return nil }
        slot.scheduledAt = time
        return time
    }

    /// When the session expires (nil: never, or removed).
    public func expiry(_ handle: SessionHandle) -> Timestamp? {
        guard isLive(handle), slots[handle.index].expiresAt != .max else { return nil }
        return Timestamp(unixNanos: slots[handle.index].expiresAt)
    }

    /// Removes a session; returns it.
    @discardableResult
    public mutating func remove(_ handle: SessionHandle) -> Session? {
        guard isLive(handle) else { return nil }
        let session = slots[handle.index].session
        let (inWing, outWing) = (wing(at: handle.index, outWing: false), wing(at: handle.index, outWing: true))
        byWing.remove(hash: inWing.hash, slot: handle.index)
        byWing.remove(hash: outWing.hash, slot: handle.index)
        if slots[handle.index].hasOriginal {
            byWing.remove(hash: inWing.reversed.hash, slot: handle.index)
        }
        slots[handle.index].live = false
        slots[handle.index].generation &+= 1
        slots[handle.index].hasOriginal = false
        slots[handle.index].expiresAt = .max
        slots[handle.index].scheduledAt = .max
        free.append(handle.index)
        count -= 1
        return session
    }

    /// Removes every session whose expiry is at or before `now`, earliest first, with the
    /// time each expired.
    public mutating func removeExpired(now: Timestamp) -> [(handle: SessionHandle, session: Session, expiredAt: Timestamp)] {
        var removed: [(SessionHandle, Session, Timestamp)] = []
        while let next = removeNextExpired(now: now) { removed.append(next) }
        return removed
    }

    /// True when the earliest timer is due by `now` (``removeNextExpired(now:)`` may still find
    /// that its session was extended since). Inlined: callers check it before asking for a
    /// session, since even a call that finds none returns a session-sized result to copy.
    @inline(__always)
    func hasTimerDue(by now: Timestamp) -> Bool {
        guard let first = timers.first else { return false }
        return first.time <= now.unixNanos
    }

    /// Removes the first session (in ``removeExpired(now:)``'s order) whose expiry is at or
    /// before `now`, with the time it expired; nil when none is due. Costs one comparison when
    /// nothing is due.
    public mutating func removeNextExpired(now: Timestamp) -> (handle: SessionHandle, session: Session, expiredAt: Timestamp)? {
        while let top = timers.first, top.time <= now.unixNanos {
            popTimer()
            let slot = (slots[top.index].generation, slots[top.index].live, slots[top.index].scheduledAt, slots[top.index].expiresAt)
            guard slot.0 == top.generation, slot.1, slot.2 == top.time else { continue }
            let handle = SessionHandle(index: top.index, generation: top.generation)
            if slot.3 <= now.unixNanos {
                let expiredAt = Timestamp(unixNanos: slot.3)
                if let session = remove(handle) { return (handle, session, expiredAt) }
            } else {
                // Extended since: wait for the new expiry.
                slots[top.index].scheduledAt = slot.3
                if slot.3 != .max { push(Timer(time: slot.3, index: top.index, generation: top.generation)) }
            }
        }
        return nil
    }

    /// Every live session's handle, in slot order.
    public var handles: [SessionHandle] {
        slots.indices.compactMap { index in
            slots[index].live ? SessionHandle(index: index, generation: slots[index].generation) : nil
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
        // `last` sifts down from the root: each smaller child moves up into the hole instead of
        // being swapped with it (the comparisons, and so the heap, are a swapping sift's), on
        // the buffer, without a bounds and uniqueness check per access.
        timers.withUnsafeMutableBufferPointer { heap in
            let count = heap.count
            var hole = 0
            while true {
                let left = 2 * hole + 1
                guard left < count else { break }
                let right = left + 1
                let child = right < count && heap[right].time < heap[left].time ? right : left
                guard heap[child].time < last.time else { break }
                heap[hole] = heap[child]
                hole = child
            }
            heap[hole] = last
        }
    }
}

/// The wing-to-slot index of a ``SessionTable``: open addressing with linear probing over
/// 8-byte entries, the high 32 bits a hash tag, the low 32 bits the slot index and wing number
/// plus one (0: empty). A probe starts at the tag's low bits, so the entries can be re-placed
/// from the tags alone when the index grows or an entry leaves. The keys themselves stay in the
/// slots: a probe compares tags and only reads a slot when they agree.
///
/// Grows by doubling from 1,024 entries at three quarters full (so a table of 100 million
/// sessions allocates as it fills, not up front). Removal shifts the entries after the removed
/// one back towards their home positions instead of leaving a marker: under churn (sessions
/// come and go all the time) markers would fill the index and every miss would probe to them.
/// Hashes are deterministic (no per-process seed): nothing iterates the index, so its order
/// never reaches an output.
struct WingIndex: Sendable {
    private var entries: [UInt64] = []
    /// Entries in use.
    private var live = 0

    @inline(__always)
    private static func entry(hash: UInt64, slot: Int, wing: Int) -> UInt64 {
        (hash >> 32) << 32 | UInt64(slot << 2 | wing) &+ 1
    }

    /// The slot and wing number of the entry whose tag is `hash`'s and which `matches` accepts.
    @inline(__always)
    func find(hash: UInt64, matches: (Int, Int) -> Bool) -> (slot: Int, wing: Int)? {
        guard !entries.isEmpty else { return nil }
        return entries.withUnsafeBufferPointer { entries in
            let mask = entries.count - 1
            var position = Int(truncatingIfNeeded: hash >> 32) & mask
            let tag = hash >> 32
            while true {
                let entry = entries[position]
                if entry == 0 { return nil }
                if entry >> 32 == tag {
                    let value = Int(truncatingIfNeeded: entry & 0xFFFF_FFFF) - 1
                    if matches(value >> 2, value & 3) { return (value >> 2, value & 3) }
                }
                position = (position + 1) & mask
            }
        }
    }

    /// Adds an entry (the key must not be indexed yet).
    mutating func insert(hash: UInt64, slot: Int, wing: Int) {
        if (live + 1) * 4 > entries.count * 3 { grow() }
        let value = Self.entry(hash: hash, slot: slot, wing: wing)
        entries.withUnsafeMutableBufferPointer { entries in
            let mask = entries.count - 1
            var position = Int(truncatingIfNeeded: hash >> 32) & mask
            while entries[position] != 0 { position = (position + 1) & mask }
            entries[position] = value
        }
        live += 1
    }

    /// Removes the entry for `slot` with `hash`'s tag (one of the slot's wings hashes there).
    mutating func remove(hash: UInt64, slot: Int) {
        guard !entries.isEmpty else { return }
        let found = entries.withUnsafeMutableBufferPointer { entries -> Bool in
            let mask = entries.count - 1
            var position = Int(truncatingIfNeeded: hash >> 32) & mask
            let tag = hash >> 32
            while true {
                let entry = entries[position]
                if entry == 0 { return false }
                if entry >> 32 == tag, (Int(truncatingIfNeeded: entry & 0xFFFF_FFFF) - 1) >> 2 == slot { break }
                position = (position + 1) & mask
            }
            // Backward shift: each later entry of the run moves into the hole when the hole
            // lies between its home position and where it is (so probes from home still reach
            // it); the run ends at an empty entry, where the last hole is emptied.
            var hole = position
            var next = (position + 1) & mask
            while entries[next] != 0 {
                let home = Int(truncatingIfNeeded: entries[next] >> 32) & mask
                if (next &- home) & mask >= (next &- hole) & mask {
                    entries[hole] = entries[next]
                    hole = next
                }
                next = (next + 1) & mask
            }
            entries[hole] = 0
            return true
        }
        if found { live -= 1 }
    }

    /// Doubles and re-places the entries from their tags.
    private mutating func grow() {
        let old = entries
        entries = [UInt64](repeating: 0, count: old.isEmpty ? 1024 : old.count * 2)
        entries.withUnsafeMutableBufferPointer { entries in
            let mask = entries.count - 1
            for entry in old where entry != 0 {
                var position = Int(truncatingIfNeeded: entry >> 32) & mask
                while entries[position] != 0 { position = (position + 1) & mask }
                entries[position] = entry
            }
        }
    }
}

/// A ``WingKey`` as a slot stores it: addresses as two words each and their families as bits,
/// 40 bytes where a `WingKey` (two 17-byte enums, padded) takes 56.
struct PackedWingKey: Equatable, Sendable {
    private var source = (UInt64(0), UInt64(0))
    private var destination = (UInt64(0), UInt64(0))
    private var sourcePort: UInt16 = 0
    private var destinationPort: UInt16 = 0
    private var ipProtocol: UInt8 = 0
    /// Bit 0: the source is IPv4; bit 1: the destination is.
    private var v4: UInt8 = 0

    init() {}

    @inline(__always)
    init(_ key: WingKey) {
        (source, v4) = Self.pack(key.source, bit: 1, in: 0)
        (destination, v4) = Self.pack(key.destination, bit: 2, in: v4)
        sourcePort = key.sourcePort
        destinationPort = key.destinationPort
        ipProtocol = key.ipProtocol
    }

    /// A key from its words: each address as two words (IPv4: 0 and the address), with its
    /// family.
    init(
        source: (UInt64, UInt64), sourceIsV4: Bool, destination: (UInt64, UInt64), destinationIsV4: Bool,
        sourcePort: UInt16, destinationPort: UInt16, ipProtocol: UInt8
    ) {
        self.source = source
        self.destination = destination
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.ipProtocol = ipProtocol
        v4 = (sourceIsV4 ? 1 : 0) | (destinationIsV4 ? 2 : 0)
    }

    /// A 64-bit hash of the key for ``WingIndex`` (multiply-xorshift mixing of its words).
    @inline(__always)
    var hash: UInt64 {
        var h = UInt64(v4) << 40 | UInt64(ipProtocol) << 32 | UInt64(sourcePort) << 16 | UInt64(destinationPort)
        h = Self.mix(h, source)
        h = Self.mix(h, destination)
        h ^= h >> 29
        h &*= 0xBF58_476D_1CE4_E5B9
        h ^= h >> 32
        return h
    }

    @inline(__always)
    private static func mix(_ h: UInt64, _ words: (UInt64, UInt64)) -> UInt64 {
        let h = (h ^ words.0) &* 0x9E37_79B9_7F4A_7C15
        return (h ^ (h >> 31) ^ words.1) &* 0x94D0_49BB_1331_11EB
    }

    /// The other direction.
    var reversed: PackedWingKey {
        var other = self
        (other.source, other.destination) = (destination, source)
        (other.sourcePort, other.destinationPort) = (destinationPort, sourcePort)
        other.v4 = (v4 & 1) << 1 | (v4 & 2) >> 1
        return other
    }

    static func == (a: PackedWingKey, b: PackedWingKey) -> Bool {
        a.source == b.source && a.destination == b.destination && a.sourcePort == b.sourcePort
            && a.destinationPort == b.destinationPort && a.ipProtocol == b.ipProtocol && a.v4 == b.v4
    }

    @inline(__always)
    private static func pack(_ address: IPAddress, bit: UInt8, in flags: UInt8) -> ((UInt64, UInt64), UInt8) {
        switch address {
        case .v4(let value): ((0, UInt64(value)), flags | bit)
        case .v6(let high, let low): ((high, low), flags & ~bit)
        }
    }
}
