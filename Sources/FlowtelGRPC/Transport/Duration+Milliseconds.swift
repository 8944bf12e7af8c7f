extension Duration {
    /// Whole milliseconds, rounded up so that a positive duration never becomes 0, and saturated.
    var roundedUpMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        if seconds < 0 || (seconds == 0 && attoseconds <= 0) {
            return 0
        }
        let (millis, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        if overflow {
            return Int64.max
        }
        let fraction = (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        let (total, overflow2) = millis.addingReportingOverflow(fraction)
        return overflow2 ? Int64.max : total
    }

    /// Milliseconds for a gRPC integer channel argument (Int32), saturated.
    var channelArgumentMilliseconds: Int32 {
        Int32(clamping: roundedUpMilliseconds)
    }
}

extension Int {
    /// A byte count for a gRPC integer channel argument (Int32), saturated.
    var channelArgumentValue: Int32 {
        Int32(clamping: self)
    }
}
