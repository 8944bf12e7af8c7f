import Packets

extension TrafficGenerator {
    /// Generates every remaining packet into `writer`, which must record Ethernet frames, and
    /// returns the summary of everything generated. The writer is neither flushed nor closed.
    ///
    /// - Throws: ``CaptureFileError`` from ``PcapWriter/append(timestamp:bytes:originalLength:)``
    ///   (a start time past 2106, or a failed write); the generator stops at the packet that
    ///   failed.
    public mutating func write(to writer: PcapWriter) throws(CaptureFileError) -> TrafficSummary {
        precondition(writer.linkType == .ethernet, "generated frames are Ethernet")
        var frame: [UInt8] = []
        frame.reserveCapacity(1536)
        while let info = next(into: &frame) {
            try writer.append(timestamp: info.timestamp, bytes: frame)
        }
        return summary
    }
}
