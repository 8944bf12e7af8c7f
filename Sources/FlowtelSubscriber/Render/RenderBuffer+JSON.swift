import FlowtelCore

/// JSON members written straight into the buffer, without Foundation.
///
/// An object or array is opened and closed with ``append(_:)-(UInt8)`` of `{`/`}` or `[`/`]`;
/// each member and element writes its own comma, unless it follows the opening bracket. Keys
/// that are `StaticString`s are copied as they are (the renderers' keys are plain ASCII with
/// nothing to escape); strings with no byte to escape are copied as they are.
extension RenderBuffer {
    /// `,` unless this is the first member or element of its object or array.
    mutating func jsonSeparator() {
        write(reserving: 1) { $0.putJSONSeparator() }
    }

    /// `"name":`, a key known to need no escaping (ASCII letters, digits and dashes).
    @inline(__always)
    mutating func jsonKey(_ name: StaticString) {
        write(reserving: name.utf8CodeUnitCount + 4) { $0.putJSONKey(name) }
    }

    /// `"name":`, a key computed at run time, escaped as needed.
    mutating func jsonKey(escaping name: String) {
        jsonSeparator()
        appendJSONString(name)
        append(UInt8(ascii: ":"))
    }

    @inline(__always)
    mutating func jsonMember(_ name: StaticString, _ value: String) {
        // The key outside the closure, where the compiler sees its length.
        jsonKey(name)
        Self.withUTF8(value) { utf8 in
            var escaped = false
            write(reserving: utf8.count + 2) { cursor in
                cursor.put(UInt8(ascii: "\""))
                if cursor.putVerbatim(utf8, unless: Self.needsJSONEscape, wordHasSpecial: Self.wordNeedsJSONEscape) {
                    cursor.put(UInt8(ascii: "\""))
                } else {
                    escaped = true
                }
            }
            if escaped { appendJSONEscaped(utf8) }
        }
    }

    /// A member whose value is known to need no escaping.
    @inline(__always)
    mutating func jsonMember(_ name: StaticString, verbatim value: StaticString) {
        write(reserving: name.utf8CodeUnitCount + value.utf8CodeUnitCount + 6) { cursor in
            cursor.putJSONKey(name)
            cursor.put(UInt8(ascii: "\""))
            cursor.put(value)
            cursor.put(UInt8(ascii: "\""))
        }
    }

    @inline(__always)
    mutating func jsonMember(_ name: StaticString, _ value: some BinaryInteger) {
        write(reserving: name.utf8CodeUnitCount + 4 + RenderCursor.maxDecimalWidth) { cursor in
            cursor.putJSONKey(name)
            cursor.putDecimal(value)
        }
    }

    mutating func jsonMember(_ name: StaticString, _ value: Bool) {
        jsonKey(name)
        append(value ? "true" : "false")
    }

    /// An address as a JSON string (`IPAddress.description`).
    @inline(__always)
    mutating func jsonMember(_ name: StaticString, address: IPAddress) {
        write(reserving: name.utf8CodeUnitCount + 6 + RenderCursor.maxAddressWidth) { cursor in
            cursor.putJSONKey(name)
            cursor.put(UInt8(ascii: "\""))
            cursor.putAddress(address)
            cursor.put(UInt8(ascii: "\""))
        }
    }

    /// A boot id as a JSON string (`BootID.description`).
    @inline(__always)
    mutating func jsonMember(_ name: StaticString, bootID: BootID) {
        write(reserving: name.utf8CodeUnitCount + 6 + 16) { cursor in
            cursor.putJSONKey(name)
            cursor.put(UInt8(ascii: "\""))
            cursor.putBootID(bootID)
            cursor.put(UInt8(ascii: "\""))
        }
    }

    /// A time as a JSON string (`Timestamp.rfc3339`).
    @inline(__always)
    mutating func jsonMember(_ name: StaticString, time: Timestamp) {
        write(reserving: name.utf8CodeUnitCount + 6 + RenderCursor.rfc3339Width) { cursor in
            cursor.putJSONKey(name)
            cursor.put(UInt8(ascii: "\""))
            cursor.putRFC3339(time)
            cursor.put(UInt8(ascii: "\""))
        }
    }

    /// An array of strings.
    mutating func jsonMember(_ name: StaticString, strings: [String]) {
        jsonKey(name)
        append(UInt8(ascii: "["))
        for value in strings {
            jsonSeparator()
            appendJSONString(value)
        }
        append(UInt8(ascii: "]"))
    }

    /// A quoted JSON string.
    mutating func appendJSONString(_ text: String) {
        append(UInt8(ascii: "\""))
        Self.withUTF8(text) { appendJSONEscaped($0) }
    }

    /// The rest of a quoted JSON string, closing quote included: `"`, `\` and the control
    /// characters escaped, everything else (UTF-8 included) as it is.
    private mutating func appendJSONEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        var run = 0
        for index in utf8.indices where Self.needsJSONEscape(utf8[index]) {
            append(UnsafeBufferPointer(rebasing: utf8[run..<index]))
            appendJSONEscape(utf8[index])
            run = index + 1
        }
        append(UnsafeBufferPointer(rebasing: utf8[run...]))
        append(UInt8(ascii: "\""))
    }

    @inline(__always)
    private static func needsJSONEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    @inline(__always)
    private static func wordNeedsJSONEscape(_ word: UInt64) -> Bool {
        WordBytes.containsLess(word, than: 0x20) || WordBytes.contains(word, UInt8(ascii: "\""))
            || WordBytes.contains(word, UInt8(ascii: "\\"))
    }

    private mutating func appendJSONEscape(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): append("\\\"")
        case UInt8(ascii: "\\"): append("\\\\")
        case 0x0A: append("\\n")
        case 0x0D: append("\\r")
        case 0x09: append("\\t")
        default:
            append("\\u00")
            append(byte < 0x10 ? UInt8(ascii: "0") : UInt8(ascii: "1"))
            appendHex(UInt64(byte & 0xF))
        }
    }
}

extension RenderCursor {
    /// `,` unless right after the opening bracket of an object or array.
    @inline(__always)
    mutating func putJSONSeparator() {
        if previous != UInt8(ascii: "{") && previous != UInt8(ascii: "[") { put(UInt8(ascii: ",")) }
    }

    /// `,"name":` (`"name":` first in its object).
    @inline(__always)
    mutating func putJSONKey(_ name: StaticString) {
        putJSONSeparator()
        put(UInt8(ascii: "\""))
        put(name)
        put(UInt8(ascii: "\""))
        put(UInt8(ascii: ":"))
    }
}
