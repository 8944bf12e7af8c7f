import FlowtelCore

/// Writes one JSON object incrementally into a byte buffer, without Foundation.
///
/// Built for the per-event path: keys that are `StaticString`s are copied as they are (the
/// renderers' keys are plain ASCII with nothing to escape), strings without a byte to escape
/// are copied as one run, integers, IPv4 addresses and timestamps are written digit by digit
/// with no intermediate `String`.
struct JSONObjectWriter: ~Copyable {
    private var bytes: ByteWriter
    private var needsComma = false

    init(capacity: Int = 256) {
        bytes = ByteWriter(capacity: capacity)
        bytes.append(UInt8(ascii: "{"))
    }

    mutating func finish() -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        return bytes.array()
    }

    /// A key known to need no escaping (ASCII letters, digits and dashes).
    private mutating func key(_ name: StaticString) {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        needsComma = true
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    private mutating func key(_ name: String) {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        needsComma = true
        appendQuoted(name)
        bytes.append(UInt8(ascii: ":"))
    }

    mutating func add(_ name: StaticString, _ value: String) {
        key(name)
        appendQuoted(value)
    }

    /// A key computed at run time, escaped as needed.
    mutating func add(key name: String, _ value: String) {
        key(name)
        appendQuoted(value)
    }

    /// A key computed at run time, escaped as needed.
    mutating func add(key name: String, _ value: some BinaryInteger) {
        key(name)
        RenderBytes.appendDecimal(value, to: &bytes)
    }

    mutating func add(_ name: StaticString, _ value: some BinaryInteger) {
        key(name)
        RenderBytes.appendDecimal(value, to: &bytes)
    }

    mutating func add(_ name: StaticString, _ value: Bool) {
        key(name)
        bytes.append(contentsOf: value ? "true" : "false")
    }

    mutating func add(_ name: StaticString, raw: [UInt8]) {
        key(name)
        bytes.append(contentsOf: raw)
    }

    /// An address as a JSON string (`IPAddress.description`).
    mutating func add(_ name: StaticString, address: IPAddress) {
        key(name)
        bytes.append(UInt8(ascii: "\""))
        RenderBytes.appendAddress(address, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// A time as a JSON string (`Timestamp.rfc3339`).
    mutating func add(_ name: StaticString, time: Timestamp) {
        key(name)
        bytes.append(UInt8(ascii: "\""))
        RenderBytes.appendRFC3339(time, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func add(_ name: StaticString, strings: [String]) {
        key(name)
        bytes.append(UInt8(ascii: "["))
        for (index, value) in strings.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            appendQuoted(value)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    private mutating func appendQuoted(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { (utf8: UnsafeBufferPointer<UInt8>) in
            // Most values (names, addresses, placeholders) have nothing to escape: one copy.
            var run = 0
            for (index, byte) in utf8.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run..<index]))
                appendEscaped(byte)
                run = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[run...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func appendEscaped(_ byte: UInt8) {
        bytes.append(0x5C)
        switch byte {
        case UInt8(ascii: "\""): bytes.append(0x22)
        case UInt8(ascii: "\\"): bytes.append(0x5C)
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        default:
            let hex = Array("0123456789abcdef".utf8)
            for digit in [UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]] { bytes.append(digit) }
        }
    }
}

/// Byte-level spellings the renderers share, identical to the `String` forms they replace
/// (`String(value)`, `IPAddress.description`, `Timestamp.rfc3339`) but written straight into
/// the output buffer.
enum RenderBytes {
    /// `String(value)`.
    static func appendDecimal(_ value: some BinaryInteger, to bytes: inout ByteWriter) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            appendDecimal(UInt64(value.magnitude), to: &bytes)
        } else {
            appendDecimal(UInt64(value), to: &bytes)
        }
    }

    /// `String(value)` of an unsigned value: the digits written backwards into a scratch
    /// buffer, then appended as one run.
    static func appendDecimal(_ value: UInt64, to bytes: inout ByteWriter) {
        if value < 10 {
            bytes.append(UInt8(truncatingIfNeeded: value) &+ 0x30)
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var index = digits.count
            var rest = value
            repeat {
                index -= 1
                digits[index] = UInt8(truncatingIfNeeded: rest % 10) &+ 0x30
                rest /= 10
            } while rest > 0
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[index...]))
        }
    }

    /// `address.description`: dotted quad for IPv4 written here, IPv6 through its description.
    static func appendAddress(_ address: IPAddress, to bytes: inout ByteWriter) {
        switch address {
        case .v4(let value):
            appendDecimal(UInt64(value >> 24), to: &bytes)
            bytes.append(UInt8(ascii: "."))
            appendDecimal(UInt64(value >> 16 & 0xFF), to: &bytes)
            bytes.append(UInt8(ascii: "."))
            appendDecimal(UInt64(value >> 8 & 0xFF), to: &bytes)
            bytes.append(UInt8(ascii: "."))
            appendDecimal(UInt64(value & 0xFF), to: &bytes)
        case .v6:
            bytes.append(contentsOf: address.description)
        }
    }

    /// `time.rfc3339`: `YYYY-MM-DDTHH:MM:SS.mmmZ` (the year at least four digits).
    static func appendRFC3339(_ time: Timestamp, to bytes: inout ByteWriter) {
        let secs = Int64(time.unixNanos / 1_000_000_000)
        let millis = Int((time.unixNanos / 1_000_000) % 1000)
        let days = secs / 86_400
        let secOfDay = Int(secs - days * 86_400)
        // Howard Hinnant's civil-from-days, as Timestamp.rfc3339 computes it (days >= 0 here).
        let z = days + 719_468
        let era = z / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = Int(doy - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        let year = Int(yoe + era * 400) + (month <= 2 ? 1 : 0)
        appendPadded(year, 4, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        appendPadded(month, 2, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        appendPadded(day, 2, to: &bytes)
        bytes.append(UInt8(ascii: "T"))
        appendPadded(secOfDay / 3600, 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        appendPadded(secOfDay / 60 % 60, 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        appendPadded(secOfDay % 60, 2, to: &bytes)
        bytes.append(UInt8(ascii: "."))
        appendPadded(millis, 3, to: &bytes)
        bytes.append(UInt8(ascii: "Z"))
    }

    /// A non-negative value with leading zeros up to `width` digits.
    private static func appendPadded(_ value: Int, _ width: Int, to bytes: inout ByteWriter) {
        var digits = 1
        var rest = value / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        for _ in digits..<max(digits, width) { bytes.append(0x30) }
        appendDecimal(UInt64(value), to: &bytes)
    }
}

/// A growable byte buffer written through a pointer: what the renderers append to, one event
/// at a time, without the uniqueness and capacity checks an `Array` makes on every append.
/// Owns its memory (freed when the writer goes away); ``array()`` copies the bytes out.
struct ByteWriter: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// The bytes written so far.
    func array() -> [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }

    @inline(__always)
    private mutating func reserve(_ extra: Int) {
        if count + extra > capacity { grow(count + extra) }
    }

    private mutating func grow(_ needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    mutating func append(contentsOf bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count)
        (base + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    mutating func append(contentsOf bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append(contentsOf: $0) }
    }

    /// A string's UTF-8 bytes.
    mutating func append(contentsOf text: String) {
        var text = text
        text.withUTF8 { append(contentsOf: $0) }
    }

    /// A static string's UTF-8 bytes.
    mutating func append(contentsOf text: StaticString) {
        append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
}
