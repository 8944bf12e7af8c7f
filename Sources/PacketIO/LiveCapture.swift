internal import CPcap
public import FlowtelCore
public import Packets
internal import Synchronization

/// A live packet capture on one network interface, through libpcap.
///
/// The capture owns its libpcap handle and closes it in ``close()`` (or when it is released).
/// Reading blocks: call ``read(maxPackets:_:)`` in a loop on a thread dedicated to this capture,
/// never on Swift's cooperative pool. Each call hands the packets libpcap has ready to a callback
/// without allocating; a packet's bytes are valid only during the callback.
///
/// ``breakLoop()`` may be called from any thread to make a blocked ``read(maxPackets:_:)`` return
/// ``ReadResult/stopped``. ``statistics()`` and ``close()`` may also be called from any thread;
/// they wait for a read in progress to return (at most the read timeout, or until
/// ``breakLoop()``), so they must not be called from inside the packet callback.
public final class LiveCapture: @unchecked Sendable {
    // @unchecked: `handle` is a C pointer, so the compiler cannot see the rules that make this
    // safe. Every libpcap call on it except `pcap_breakloop` happens while `io` is held, and
    // `pcap_breakloop` (documented as callable from another thread) happens while `control` is
    // held and only before `close()` marks the handle closed under both locks. Lock order:
    // `io`, then `control`.
    private let handle: OpaquePointer
    /// True once closed; held for the whole of a read.
    private let io = Mutex(false)
    /// libpcap's counters are 32-bit and wrap; these are their 64-bit totals.
    private let widened = Mutex(WidenedCounters())
    /// True once closed; held only briefly, so `breakLoop()` never waits for a read.
    private let control = Mutex(false)
    /// 1 when libpcap delivers nanosecond timestamps, 1000 when it delivers microseconds.
    private let nanosecondsPerTick: UInt64

    /// The configuration the capture was opened with.
    public let configuration: Configuration
    /// The link type of every packet this capture delivers (`pcap_datalink`): the one to give
    /// ``Packets/PacketDecoder``.
    public let linkType: LinkType
    /// What libpcap warned about while activating (promiscuous mode not supported, timestamp
    /// type not supported, ...); nil when it did not warn. The capture works regardless.
    public let activationWarning: String?

    /// Opens and activates a capture as `configuration` says, and installs its filter.
    ///
    /// Needs `CAP_NET_RAW` (and `CAP_NET_ADMIN` for promiscuous mode).
    /// - Throws: ``CaptureError`` saying why the interface cannot be captured on, or why the
    ///   filter expression is invalid.
    public init(_ configuration: Configuration) throws(CaptureError) {
        self.configuration = configuration
        let interface = configuration.interface
        func failure(_ kind: CaptureError.Kind, _ message: String, status: Int32? = nil) -> CaptureError {
            CaptureError(kind, interface: interface, message: message, status: status)
        }

        // pcap_create fails only when it cannot allocate or the name is unusable; a name that
        // is not an interface is reported by pcap_activate on Linux.
        let created = withUnsafeTemporaryAllocation(of: CChar.self, capacity: Int(PCAP_ERRBUF_SIZE)) { errbuf in
            errbuf[0] = 0
            let handle = pcap_create(interface, errbuf.baseAddress)
            return (handle, handle == nil ? String(cString: errbuf.baseAddress!) : "")
        }
        guard let handle = created.0 else {
            throw failure(.activationFailed, "cannot create the capture: \(created.1)")
        }

        // The pcap_set_* calls below can only fail with PCAP_ERROR_ACTIVATED on an activated
        // handle, which this one is not: a failure there is our bug, so it traps.
        func set(_ name: String, _ status: Int32) {
            precondition(status == 0, "\(name) on a handle not yet activated returned \(status)")
        }
        set("pcap_set_snaplen", pcap_set_snaplen(handle, Int32(clamping: configuration.snapLength)))
        set("pcap_set_promisc", pcap_set_promisc(handle, configuration.promiscuous ? 1 : 0))
        set("pcap_set_timeout", pcap_set_timeout(handle, Self.milliseconds(configuration.readTimeout)))
        set("pcap_set_immediate_mode", pcap_set_immediate_mode(handle, configuration.immediateMode ? 1 : 0))
        if let bufferSize = configuration.bufferSize {
            set("pcap_set_buffer_size", pcap_set_buffer_size(handle, Int32(clamping: bufferSize)))
        }
        // Nanosecond timestamps where the platform has them (Linux does); otherwise libpcap
        // keeps microseconds (PCAP_ERROR_TSTAMP_PRECISION_NOTSUP, not an error for us).
        _ = pcap_set_tstamp_precision(handle, Int32(PCAP_TSTAMP_PRECISION_NANO))

        let status = pcap_activate(handle)
        // 0: activated. > 0: PCAP_WARNING, PCAP_WARNING_PROMISC_NOTSUP,
        // PCAP_WARNING_TSTAMP_TYPE_NOTSUP: activated with a caveat. < 0: not activated; every
        // code is the world's (no such interface, no permission, interface down, ...) except
        // PCAP_ERROR_ACTIVATED, which would be our bug.
        precondition(status != PCAP_ERROR_ACTIVATED, "pcap_activate on an activated handle")
        if status < 0 {
            let detail = Self.lastError(handle)
            pcap_close(handle)
            throw Self.activationError(status, interface: interface, detail: detail)
        }
        let warning = status > 0 ? Self.warningText(status, detail: Self.lastError(handle)) : nil
        // Installed before any stored property is set: a class whose init throws once it is fully
        // initialized runs its deinit, which would close the handle a second time.
        if let filter = configuration.filter {
            do {
                try Self.install(filter: filter, on: handle, interface: interface)
            } catch {
                pcap_close(handle)
                throw error
            }
        }
        activationWarning = warning

        self.handle = handle
        linkType = LinkType(rawValue: UInt32(bitPattern: pcap_datalink(handle)))
        nanosecondsPerTick = pcap_get_tstamp_precision(handle) == Int32(PCAP_TSTAMP_PRECISION_NANO) ? 1 : 1000
    }

    deinit {
        close()
    }

    /// Compiles `filter` for the handle's link type and installs it.
    private static func install(filter: String, on handle: OpaquePointer, interface: String) throws(CaptureError) {
        var program = bpf_program()
        // pcap_compile: 0, or PCAP_ERROR with the reason in pcap_geterr (a syntax error, a
        // qualifier the link type has no meaning for): the user's expression, so thrown.
        guard pcap_compile(handle, &program, filter, 1, PCAP_NETMASK_UNKNOWN) == 0 else {
            throw CaptureError(
                .invalidFilter, interface: interface,
                message: "cannot compile the filter \"\(filter)\": \(lastError(handle)); see pcap-filter(7)",
                status: PCAP_ERROR)
        }
        defer { pcap_freecode(&program) }
        // pcap_setfilter: 0, or PCAP_ERROR when the kernel refuses the program (too long,
        // out of memory): the world's, so thrown.
        guard pcap_setfilter(handle, &program) == 0 else {
            throw CaptureError(
                .invalidFilter, interface: interface,
                message: "cannot install the filter \"\(filter)\": \(lastError(handle))",
                status: PCAP_ERROR)
        }
    }

    /// What one ``read(maxPackets:_:)`` did.
    public enum ReadResult: Hashable, Sendable {
        /// This many packets (at least one) were handed to the callback.
        case delivered(Int)
        /// The read timeout passed with no packet.
        case timedOut
        /// ``breakLoop()`` was called; the next read waits for packets again.
        case stopped
    }

    /// Waits for packets and hands each ready one to `body`, on the calling thread.
    ///
    /// Blocks until at least one packet arrives, the read timeout passes, or ``breakLoop()`` is
    /// called. Then hands `body` the packets libpcap has buffered, up to `maxPackets`. Allocates
    /// nothing per packet; a packet's ``Packet/bytes`` are valid only during `body`.
    /// - Parameters:
    ///   - maxPackets: the most packets to hand over in this call; nil for all that are ready.
    ///   - body: called once per packet. It must not call ``statistics()`` or ``close()``.
    /// - Throws: ``CaptureError`` when reading fails (the interface went down or away, ...)
    ///   or the capture is closed.
    public func read(maxPackets: Int? = nil, _ body: (Packet) -> Void) throws(CaptureError) -> ReadResult {
        if let maxPackets { precondition(maxPackets > 0, "maxPackets must be positive") }
        let count = try io.withLock { (closed: inout Bool) throws(CaptureError) -> Int32 in
            guard !closed else { throw closedError() }
            return withoutActuallyEscaping(body) { body in
                var context = DispatchContext(
                    body: body, linkType: linkType, nanosecondsPerTick: nanosecondsPerTick)
                return withUnsafeMutablePointer(to: &context) { context in
                    pcap_dispatch(
                        handle, Int32(clamping: maxPackets ?? -1),
                        { user, header, bytes in
                            guard let user, let header, let bytes else { return }
                            let context = UnsafeMutableRawPointer(user).assumingMemoryBound(to: DispatchContext.self)
                            context.pointee.deliver(header.pointee, bytes)
                        },
                        UnsafeMutableRawPointer(context).assumingMemoryBound(to: UInt8.self))
                }
            }
        }
        // pcap_dispatch: >= 0 packets processed (0: the timeout passed); PCAP_ERROR_BREAK:
        // pcap_breakloop before any packet; PCAP_ERROR_IFACE_NOT_UP: the interface went down;
        // PCAP_ERROR: any other failure. All are the world's.
        switch count {
        case 1...: return .delivered(Int(count))
        case 0: return .timedOut
        case PCAP_ERROR_BREAK: return .stopped
        case PCAP_ERROR_IFACE_NOT_UP:
            throw CaptureError(
                .interfaceGone, interface: configuration.interface,
                message: "the interface went down while capturing: \(lastErrorLocked()); bring it up and reopen the capture",
                status: count)
        default:
            throw CaptureError(
                .readFailed, interface: configuration.interface,
                message: "reading packets failed: \(lastErrorLocked())", status: count)
        }
    }

    /// Makes a blocked ``read(maxPackets:_:)`` return ``ReadResult/stopped`` (or the next one,
    /// when none is blocked). Callable from any thread; does nothing after ``close()``.
    public func breakLoop() {
        control.withLock { closed in
            if !closed { pcap_breakloop(handle) }
        }
    }

    /// The capture's counters since it was activated (`pcap_stats`): what the fault manager
    /// watches for drops.
    ///
    /// libpcap counts in 32 bits, which wrap after 2^32 packets (under an hour at line rate);
    /// the counters returned here are 64-bit totals that stay exact as long as this is called
    /// at least once per wrap (flowteld polls every second).
    ///
    /// Waits for a read in progress to return.
    /// - Throws: ``CaptureError`` when the kernel's counters cannot be read or the capture is
    ///   closed.
    public func statistics() throws(CaptureError) -> Statistics {
        try io.withLock { (closed: inout Bool) throws(CaptureError) -> Statistics in
            guard !closed else { throw closedError() }
            var stats = pcap_stat()
            // pcap_stats: 0, or PCAP_ERROR when the kernel's counters cannot be read (the
            // socket is gone): the world's.
            guard pcap_stats(handle, &stats) == 0 else {
                throw CaptureError(
                    .statisticsFailed, interface: configuration.interface,
                    message: "cannot read the capture statistics: \(Self.lastError(handle))", status: PCAP_ERROR)
            }
            return widened.withLock {
                $0.update(received: UInt32(stats.ps_recv), drops: UInt32(stats.ps_drop), interfaceDrops: UInt32(stats.ps_ifdrop))
            }
        }
    }

    /// Stops a blocked read, waits for it to return, and closes the libpcap handle.
    ///
    /// Idempotent. Afterwards ``read(maxPackets:_:)`` and ``statistics()`` throw
    /// ``CaptureError/Kind/closed``.
    public func close() {
        breakLoop()
        io.withLock { closed in
            guard !closed else { return }
            control.withLock { $0 = true }
            closed = true
            pcap_close(handle)
        }
    }

    private func closedError() -> CaptureError {
        CaptureError(.closed, interface: configuration.interface, message: "the capture is closed")
    }

    /// libpcap's last message; only while `io` is held or before the handle is shared.
    private func lastErrorLocked() -> String {
        io.withLock { closed in closed ? "the capture is closed" : Self.lastError(handle) }
    }

    private static func lastError(_ handle: OpaquePointer) -> String {
        String(cString: pcap_geterr(handle))
    }

    private static func milliseconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        let millis = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return Int32(clamping: max(millis, 0))
    }

    private static func activationError(_ status: Int32, interface: String, detail: String) -> CaptureError {
        let suffix = detail.isEmpty ? "" : " (libpcap: \(detail))"
        let (kind, message): (CaptureError.Kind, String) =
            switch status {
            case PCAP_ERROR_NO_SUCH_DEVICE:
                (.noSuchDevice, "no interface named \"\(interface)\"; list the interfaces with `ip link`\(suffix)")
            case PCAP_ERROR_PERM_DENIED:
                (.permissionDenied,
                 "permission denied: capturing needs CAP_NET_RAW; run as root or grant it "
                    + "(`setcap cap_net_raw,cap_net_admin+ep` on the binary)\(suffix)")
            case PCAP_ERROR_PROMISC_PERM_DENIED:
                (.promiscuousPermissionDenied,
                 "permission denied for promiscuous mode: it needs CAP_NET_ADMIN; grant it or "
                    + "disable promiscuous mode\(suffix)")
            case PCAP_ERROR_IFACE_NOT_UP:
                (.interfaceNotUp, "the interface is down; bring it up with `ip link set \(interface) up`\(suffix)")
            default:
                (.activationFailed, "cannot activate the capture (libpcap status \(status))\(suffix)")
            }
        return CaptureError(kind, interface: interface, message: message, status: status)
    }

    private static func warningText(_ status: Int32, detail: String) -> String {
        let text =
            switch status {
            case PCAP_WARNING_PROMISC_NOTSUP: "promiscuous mode is not supported on this interface"
            case PCAP_WARNING_TSTAMP_TYPE_NOTSUP: "the requested timestamp type is not supported"
            default: "libpcap warned while activating the capture"
            }
        return detail.isEmpty ? text : "\(text): \(detail)"
    }
}

/// What a `pcap_dispatch` callback needs, on the reading thread's stack.
private struct DispatchContext {
    let body: (LiveCapture.Packet) -> Void
    let linkType: LinkType
    let nanosecondsPerTick: UInt64

    func deliver(_ header: pcap_pkthdr, _ bytes: UnsafePointer<UInt8>) {
        // A clock before 1970 is clamped to the epoch: Timestamp is unsigned.
        let seconds = UInt64(clamping: max(header.ts.tv_sec, 0))
        let fraction = UInt64(clamping: max(header.ts.tv_usec, 0))
        let captured = Int(header.caplen)
        body(
            LiveCapture.Packet(
                timestamp: Timestamp(unixNanos: seconds &* 1_000_000_000 &+ fraction &* nanosecondsPerTick),
                bytes: UnsafeRawBufferPointer(start: bytes, count: captured),
                capturedLength: captured,
                wireLength: Int(header.len),
                linkType: linkType))
    }
}

extension LiveCapture {
    /// How to open a ``LiveCapture``.
    public struct Configuration: Hashable, Sendable {
        /// The interface to capture on (`eth0`), as `ip link` names it.
        public var interface: String
        /// The most bytes kept of each packet; longer packets are cut (their
        /// ``Packet/wireLength`` stays whole).
        public var snapLength: Int
        /// Whether to put the interface in promiscuous mode (needs `CAP_NET_ADMIN`).
        public var promiscuous: Bool
        /// A BPF filter expression (pcap-filter(7)), or nil to capture everything.
        public var filter: String?
        /// The kernel ring buffer size in bytes, or nil for libpcap's default (2 MiB). A larger
        /// buffer rides out longer bursts before the kernel drops.
        public var bufferSize: Int?
        /// Whether packets are delivered as soon as they arrive rather than when a kernel
        /// buffer block fills or the read timeout passes: lower latency, more wake-ups.
        public var immediateMode: Bool
        /// How long a read waits for packets before it returns ``ReadResult/timedOut``.
        /// Also bounds how long ``LiveCapture/statistics()`` waits for a read in progress.
        public var readTimeout: Duration

        /// Creates a configuration; the defaults suit a flow monitor on a busy link.
        public init(
            interface: String, snapLength: Int = 262_144, promiscuous: Bool = false, filter: String? = nil,
            bufferSize: Int? = nil, immediateMode: Bool = false, readTimeout: Duration = .milliseconds(100)
        ) {
            precondition(snapLength > 0, "snapLength must be positive")
            precondition(readTimeout > .zero, "readTimeout must be positive: zero would block for ever")
            self.interface = interface
            self.snapLength = snapLength
            self.promiscuous = promiscuous
            self.filter = filter
            self.bufferSize = bufferSize
            self.immediateMode = immediateMode
            self.readTimeout = readTimeout
        }
    }

    /// One captured packet, borrowed from libpcap's buffer.
    ///
    /// ``bytes`` is valid only during the ``LiveCapture/read(maxPackets:_:)`` callback that
    /// received it; copy it to keep it.
    public struct Packet {
        /// When the kernel captured the packet.
        public var timestamp: Timestamp
        /// The captured bytes (``capturedLength`` of them).
        public var bytes: UnsafeRawBufferPointer
        /// How many bytes were captured: at most the snap length.
        public var capturedLength: Int
        /// The packet's length on the wire.
        public var wireLength: Int
        /// The capture's link type: the one to give ``Packets/PacketDecoder``.
        public var linkType: LinkType
    }

    /// A capture's counters since activation, as libpcap reports them (32-bit counters that
    /// wrap on a long-running capture).
    public struct Statistics: Hashable, Sendable {
        /// Packets that passed the filter (`ps_recv`).
        public var received: UInt64
        /// Packets the kernel dropped because the capture buffer was full (`ps_drop`): the
        /// reader is too slow or the buffer too small.
        public var droppedByKernel: UInt64
        /// Packets the interface or its driver dropped (`ps_ifdrop`).
        public var droppedByInterface: UInt64

        /// Creates statistics.
        public init(received: UInt64, droppedByKernel: UInt64, droppedByInterface: UInt64) {
            self.received = received
            self.droppedByKernel = droppedByKernel
            self.droppedByInterface = droppedByInterface
        }
    }
}

/// 64-bit totals of libpcap's wrapping 32-bit counters: each reading adds the difference from
/// the previous one, modulo 2^32.
struct WidenedCounters: Sendable {
    private var last: (UInt32, UInt32, UInt32) = (0, 0, 0)
    private var totals: (UInt64, UInt64, UInt64) = (0, 0, 0)

    /// Adds a reading; returns the totals.
    mutating func update(received: UInt32, drops: UInt32, interfaceDrops: UInt32) -> LiveCapture.Statistics {
        totals.0 &+= UInt64(received &- last.0)
        totals.1 &+= UInt64(drops &- last.1)
        totals.2 &+= UInt64(interfaceDrops &- last.2)
        last = (received, drops, interfaceDrops)
        return LiveCapture.Statistics(received: totals.0, droppedByKernel: totals.1, droppedByInterface: totals.2)
    }
}
