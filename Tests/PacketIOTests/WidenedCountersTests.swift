import Testing

@testable import PacketIO

/// libpcap's 32-bit counters, widened to 64 bits across wraps.
@Suite("Capture counters")
struct WidenedCountersTests {
    @Test("totals follow the readings and survive a wrap of each counter")
    func wraps() {
        var counters = WidenedCounters()
        #expect(counters.update(received: 10, drops: 1, interfaceDrops: 0) == .init(received: 10, droppedByKernel: 1, droppedByInterface: 0))
        #expect(counters.update(received: 4_294_967_290, drops: 1, interfaceDrops: 2).received == 4_294_967_290)
        // ps_recv wraps: 4_294_967_290 → 5 is 11 more packets.
        let wrapped = counters.update(received: 5, drops: 4_294_967_295, interfaceDrops: 2)
        #expect(wrapped.received == 4_294_967_301)
        #expect(wrapped.droppedByKernel == 4_294_967_295)
        let again = counters.update(received: 6, drops: 3, interfaceDrops: 2)
        #expect(again.received == 4_294_967_302)
        #expect(again.droppedByKernel == 4_294_967_295 + 4)
        #expect(again.droppedByInterface == 2)
    }
}
