import FlowtelCore

/// The spellings the renderers share, byte for byte those of the `String` forms they replace
/// (`String(value)`, `String(value, radix: 16)`, `IPAddress.description`, `BootID.description`,
/// `Timestamp.rfc3339`), written straight into the buffer with no intermediate `String`.
extension RenderBuffer {
    /// `String(value)`.
    @inline(__always)
    mutating func appendDecimal(_ value: some BinaryInteger) {
        write(reserving: RenderCursor.maxDecimalWidth) { $0.putDecimal(value) }
    }

    /// `String(value, radix: 16)`.
    mutating func appendHex(_ value: UInt64) {
        write(reserving: 16) { $0.putHex(value) }
    }

    /// `time.rfc3339`.
    mutating func appendRFC3339(_ time: Timestamp) {
        write(reserving: RenderCursor.rfc3339Width) { $0.putRFC3339(time) }
    }

    /// The RFC 3164 TIMESTAMP in UTC, as Junos writes it in log files and BSD syslog:
    /// `Mmm dd HH:MM:SS`, the day padded with a space (`Dec  7 08:04:45`), no year.
    mutating func appendBSDSyslog(_ time: Timestamp) {
        let civil = CivilTime(time)
        write(reserving: 15) { cursor in
            cursor.put(UnsafeBufferPointer(start: Self.monthNames.utf8Start + (civil.month - 1) * 3, count: 3))
            cursor.put(UInt8(ascii: " "))
            if civil.day < 10 {
                cursor.put(UInt8(ascii: " "))
                cursor.put(UInt8(truncatingIfNeeded: civil.day) &+ 0x30)
            } else {
                cursor.putPair(civil.day)
            }
            cursor.put(UInt8(ascii: " "))
            cursor.putClock(civil)
        }
    }

    private static let monthNames: StaticString = "JanFebMarAprMayJunJulAugSepOctNovDec"
}

extension RenderCursor {
    /// The longest ``putDecimal(_:)``: a sign and 20 digits.
    static let maxDecimalWidth = 21
    /// The longest ``putAddress(_:)``: eight groups of four hex digits and seven colons.
    static let maxAddressWidth = 39
    /// The width of ``putRFC3339(_:)``.
    static let rfc3339Width = 24

    /// "00" through "99": decimal digits are written two at a time.
    private static let digitPairs: StaticString =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"
    static let hexDigits: StaticString = "0123456789abcdef"

    /// `String(value)`.
    @inline(__always)
    mutating func putDecimal(_ value: some BinaryInteger) {
        if value < 0 {
            put(UInt8(ascii: "-"))
            putDecimal(UInt64(value.magnitude))
        } else {
            putDecimal(UInt64(value))
        }
    }

    /// `String(value)` of an unsigned value: its width first, then the digits from the right.
    mutating func putDecimal(_ value: UInt64) {
        var width = 1
        var bound: UInt64 = 10
        while width < 20 && value >= bound {
            width += 1
            bound &*= 10
        }
        var rest = value
        var end = width
        while rest >= 10 {
            end -= 2
            Self.storePair(Int(truncatingIfNeeded: rest % 100), at: position + end)
            rest /= 100
        }
        if end > 0 { position[0] = UInt8(truncatingIfNeeded: rest) &+ 0x30 }
        position += width
    }

    /// Two digits of `value` (0...99).
    @inline(__always)
    mutating func putPair(_ value: Int) {
        Self.storePair(value, at: position)
        position += 2
    }

    @inline(__always)
    private static func storePair(_ value: Int, at target: UnsafeMutablePointer<UInt8>) {
        target[0] = digitPairs.utf8Start[2 &* value]
        target[1] = digitPairs.utf8Start[2 &* value &+ 1]
    }

    /// `String(value, radix: 16)`: lower case, no leading zeros.
    mutating func putHex(_ value: UInt64) {
        var width = 1
        while width < 16 && value >> UInt64(4 * width) != 0 { width += 1 }
        for index in 0..<width {
            position[index] = Self.hexDigits.utf8Start[Int(truncatingIfNeeded: value >> UInt64(4 * (width - 1 - index)) & 0xF)]
        }
        position += width
    }

    /// `bootID.description`: 16 lower-case hex digits.
    @inline(__always)
    mutating func putBootID(_ bootID: BootID) {
        putHexDigits(UInt32(truncatingIfNeeded: bootID.rawValue >> 32))
        putHexDigits(UInt32(truncatingIfNeeded: bootID.rawValue))
    }

    /// Eight lower-case hex digits, leading zeros included: each nibble spread into a byte of
    /// its own, then all eight turned into ASCII at once (`0`-`9` are 0x30 up, `a`-`f` 0x61 up).
    @inline(__always)
    private mutating func putHexDigits(_ value: UInt32) {
        var nibbles = UInt64(value)
        nibbles = (nibbles | nibbles << 16) & 0x0000_FFFF_0000_FFFF
        nibbles = (nibbles | nibbles << 8) & 0x00FF_00FF_00FF_00FF
        nibbles = (nibbles | nibbles << 4) & 0x0F0F_0F0F_0F0F_0F0F
        // 1 in each byte whose nibble is 10 or more.
        let letters = (nibbles &+ 0x0606_0606_0606_0606) >> 4 & 0x0101_0101_0101_0101
        let ascii = nibbles &+ 0x3030_3030_3030_3030 &+ letters &* (0x61 - 0x3A)
        // The first digit is the most significant nibble, now in the highest byte: stored first.
        UnsafeMutableRawPointer(position).storeBytes(of: ascii.bigEndian, as: UInt64.self)
        position += 8
    }

    /// `address.description`: a dotted quad, or RFC 5952 text for IPv6 (the longest run of two
    /// or more zero groups, the first of equals, compressed to `::`).
    @inline(__always)
    mutating func putAddress(_ address: IPAddress) {
        switch address {
        case .v4(let value):
            putOctet(value >> 24)
            put(UInt8(ascii: "."))
            putOctet(value >> 16 & 0xFF)
            put(UInt8(ascii: "."))
            putOctet(value >> 8 & 0xFF)
            put(UInt8(ascii: "."))
            putOctet(value & 0xFF)
        case .v6(let high, let low):
            putV6(high: high, low: low)
        }
    }

    /// One IPv4 octet (0...255) in decimal.
    @inline(__always)
    private mutating func putOctet(_ octet: UInt32) {
        let value = Int(octet)
        if value >= 100 {
            put(UInt8(truncatingIfNeeded: value / 100) &+ 0x30)
            putPair(value % 100)
        } else if value >= 10 {
            putPair(value)
        } else {
            put(UInt8(truncatingIfNeeded: value) &+ 0x30)
        }
    }

    private mutating func putV6(high: UInt64, low: UInt64) {
        func group(_ index: Int) -> UInt64 { (index < 4 ? high : low) >> UInt64(48 - 16 * (index & 3)) & 0xFFFF }
        var gapStart = -1
        var gapLength = 1
        var index = 0
        while index < 8 {
            var end = index
            while end < 8 && group(end) == 0 { end += 1 }
            if end - index > gapLength {
                gapStart = index
                gapLength = end - index
            }
            index = max(end, index + 1)
        }
        index = 0
        while index < 8 {
            if index == gapStart {
                put("::")
                index += gapLength
                continue
            }
            if index > 0 && index != gapStart + gapLength { put(UInt8(ascii: ":")) }
            putHex(group(index))
            index += 1
        }
    }

    /// `time.rfc3339`: `YYYY-MM-DDTHH:MM:SS.mmmZ` (a UInt64 of nanoseconds ends in 2554, so the
    /// year always has four digits).
    mutating func putRFC3339(_ time: Timestamp) {
        let civil = CivilTime(time)
        putPair(civil.year / 100)
        putPair(civil.year % 100)
        put(UInt8(ascii: "-"))
        putPair(civil.month)
        put(UInt8(ascii: "-"))
        putPair(civil.day)
        put(UInt8(ascii: "T"))
        putClock(civil)
        put(UInt8(ascii: "."))
        put(UInt8(truncatingIfNeeded: civil.millis / 100) &+ 0x30)
        putPair(civil.millis % 100)
        put(UInt8(ascii: "Z"))
    }

    /// `HH:MM:SS`.
    @inline(__always)
    fileprivate mutating func putClock(_ civil: CivilTime) {
        putPair(civil.secondOfDay / 3600)
        put(UInt8(ascii: ":"))
        putPair(civil.secondOfDay / 60 % 60)
        put(UInt8(ascii: ":"))
        putPair(civil.secondOfDay % 60)
    }
}

/// A timestamp's UTC calendar date and time of day, as `Timestamp.rfc3339` computes them.
private struct CivilTime {
    var year: Int
    var month: Int
    var day: Int
    var secondOfDay: Int
    var millis: Int

    @inline(__always)
    init(_ time: Timestamp) {
        let seconds = Int(time.unixNanos / 1_000_000_000)
        millis = Int(time.unixNanos / 1_000_000 % 1000)
        let days = seconds / 86_400
        secondOfDay = seconds - days * 86_400
        // Howard Hinnant's civil-from-days; days >= 0 for a UInt64 of nanoseconds.
        let z = days + 719_468
        let era = z / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = doy - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    }
}
