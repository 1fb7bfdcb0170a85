#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A strict reader of JSON text in place: no allocation, no Foundation. The decoders' fast path reads the few fields
/// of a streamed event with it and leaves everything else to `JSONDecoder`.
///
/// It accepts only RFC 8259 JSON in valid UTF-8, no deeper than `maxDepth`. Foundation's decoder accepts all of that
/// and more (trailing commas, `01`, `1.`, a BOM, duplicate keys, invalid UTF-8 in strings it does not read), so
/// whatever this scanner rejects the caller hands to `JSONDecoder`, whose answer then stands: the fast path can only
/// agree with it or step aside.
struct JSONScanner {
    private let bytes: UnsafeRawBufferPointer
    private(set) var position = 0
    static let maxDepth = 64

    /// A string member or value: where its text lies between the quotes, and the UTF-8 length of what it decodes to.
    struct StringToken {
        var start: Int
        var end: Int
        var escaped: Bool
        var utf8Count: Int
    }

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    @inline(__always)
    private func byte(_ index: Int) -> UInt8 { bytes.load(fromByteOffset: index, as: UInt8.self) }

    @inline(__always)
    mutating func skipWhitespace() {
        while position < bytes.count {
            switch byte(position) {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    /// The next significant byte, without consuming it.
    @inline(__always)
    mutating func peek() -> UInt8? {
        skipWhitespace()
        return position < bytes.count ? byte(position) : nil
    }

    /// Consumes `expected` when it is the next significant byte.
    @inline(__always)
    mutating func consume(_ expected: UInt8) -> Bool {
        guard peek() == expected else { return false }
        position += 1
        return true
    }

    /// True when only whitespace is left.
    mutating func atEnd() -> Bool { peek() == nil }

    /// Consumes `null` when it comes next.
    mutating func null() -> Bool {
        guard peek() == UInt8(ascii: "n") else { return false }
        return literal("null")
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { return false }
        for offset in 0..<count where byte(position + offset) != word.utf8Start[offset] { return false }
        position += count
        return true
    }

    /// Reads a string (the cursor on its opening quote, after whitespace); nil for an invalid one.
    mutating func string() -> StringToken? {
        guard consume(UInt8(ascii: "\"")) else { return nil }
        let start = position
        var count = 0
        var escaped = false
        let end = bytes.count
        while position < end {
            let c = byte(position)
            if c == 0x22 {
                let token = StringToken(start: start, end: position, escaped: escaped, utf8Count: count)
                position += 1
                return token
            }
            if c == 0x5C {
                escaped = true
                guard let decoded = escape() else { return nil }
                count += decoded
                continue
            }
            if c < 0x20 { return nil }
            if c < 0x80 {
                count += 1
                position += 1
                continue
            }
            guard let length = utf8Sequence() else { return nil }
            count += length
            position += length
        }
        return nil
    }

    /// The escape at the cursor (on its backslash): consumes it and returns the UTF-8 length of what it stands for.
    private mutating func escape() -> Int? {
        guard position + 1 < bytes.count else { return nil }
        switch byte(position + 1) {
        case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74:
            position += 2
            return 1
        case 0x75:
            guard let unit = hex4(at: position + 2) else { return nil }
            position += 6
            switch unit {
            case 0..<0x80: return 1
            case 0x80..<0x800: return 2
            case 0xD800..<0xDC00:
                // A high surrogate must pair with a low one: together one scalar of four bytes.
                guard position + 1 < bytes.count, byte(position) == 0x5C, byte(position + 1) == 0x75,
                      let low = hex4(at: position + 2), (0xDC00..<0xE000).contains(low) else { return nil }
                position += 6
                return 4
            case 0xDC00..<0xE000: return nil
            default: return 3
            }
        default:
            return nil
        }
    }

    private func hex4(at index: Int) -> Int? {
        guard index + 4 <= bytes.count else { return nil }
        var value = 0
        for offset in 0..<4 {
            let c = byte(index + offset)
            let digit: Int
            switch c {
            case 0x30...0x39: digit = Int(c - 0x30)
            case 0x41...0x46: digit = Int(c - 0x41 + 10)
            case 0x61...0x66: digit = Int(c - 0x61 + 10)
            default: return nil
            }
            value = value << 4 | digit
        }
        return value
    }

    /// The length of the valid multi-byte UTF-8 sequence at the cursor (no overlong forms, surrogates or values past
    /// U+10FFFF), or nil.
    private func utf8Sequence() -> Int? {
        let lead = byte(position)
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: return nil
        }
        guard position + length <= bytes.count else { return nil }
        let second = byte(position + 1)
        guard second >= low && second <= high else { return nil }
        for offset in 2..<length where byte(position + offset) & 0xC0 != 0x80 { return nil }
        return length
    }

    /// Reads an integer written plainly (`-?[0-9]+`, no leading zeros, at most 18 digits); nil for anything else,
    /// including a valid number with a fraction or exponent (Foundation's reading of those is left to it).
    mutating func integer() -> Int? {
        skipWhitespace()
        var negative = false
        if position < bytes.count && byte(position) == UInt8(ascii: "-") {
            negative = true
            position += 1
        }
        let start = position
        var value = 0
        while position < bytes.count, case let c = byte(position), c >= 0x30 && c <= 0x39 {
            value = value * 10 + Int(c - 0x30)
            position += 1
        }
        let digits = position - start
        guard digits > 0, digits <= 18, digits == 1 || byte(start) != 0x30 else { return nil }
        if position < bytes.count {
            switch byte(position) {
            case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): return nil
            default: break
            }
        }
        return negative ? -value : value
    }

    /// Skips one value of any kind, checking that it is valid.
    mutating func skipValue(depth: Int = 0) -> Bool {
        guard depth < Self.maxDepth, let c = peek() else { return false }
        switch c {
        case UInt8(ascii: "\""):
            return string() != nil
        case UInt8(ascii: "{"):
            return members(depth: depth + 1) { scanner, _ in scanner.skipValue(depth: depth + 1) }
        case UInt8(ascii: "["):
            return elements(depth: depth + 1) { scanner in scanner.skipValue(depth: depth + 1) }
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        default: return number()
        }
    }

    private mutating func number() -> Bool {
        if position < bytes.count && byte(position) == UInt8(ascii: "-") { position += 1 }
        let start = position
        // No leading zeros: `0` alone, or a non-zero first digit.
        guard digits(), byte(start) != 0x30 || position - start == 1 else { return false }
        if position < bytes.count && byte(position) == UInt8(ascii: ".") {
            position += 1
            guard digits() else { return false }
        }
        if position < bytes.count && (byte(position) | 0x20) == UInt8(ascii: "e") {
            position += 1
            if position < bytes.count && (byte(position) == UInt8(ascii: "+") || byte(position) == UInt8(ascii: "-")) {
                position += 1
            }
            guard digits() else { return false }
        }
        return true
    }

    /// Consumes one or more decimal digits.
    private mutating func digits() -> Bool {
        let start = position
        while position < bytes.count, case let c = byte(position), c >= 0x30 && c <= 0x39 { position += 1 }
        return position > start
    }

    /// Reads the object at the cursor: `member` is called with each key and must consume its value. False when the
    /// text is not a valid object, a key has an escape, or `member` says so.
    mutating func members(depth: Int = 1, _ member: (inout JSONScanner, StringToken) -> Bool) -> Bool {
        guard depth <= Self.maxDepth, consume(UInt8(ascii: "{")) else { return false }
        if consume(UInt8(ascii: "}")) { return true }
        while true {
            guard peek() == UInt8(ascii: "\""), let key = string(), !key.escaped, consume(UInt8(ascii: ":")),
                  member(&self, key) else { return false }
            if consume(UInt8(ascii: ",")) { continue }
            return consume(UInt8(ascii: "}"))
        }
    }

    /// Reads the array at the cursor: `element` is called for each element and must consume it.
    mutating func elements(depth: Int = 1, _ element: (inout JSONScanner) -> Bool) -> Bool {
        guard depth <= Self.maxDepth, consume(UInt8(ascii: "[")) else { return false }
        if consume(UInt8(ascii: "]")) { return true }
        while true {
            guard element(&self) else { return false }
            if consume(UInt8(ascii: ",")) { continue }
            return consume(UInt8(ascii: "]"))
        }
    }

    /// True when the token's raw text is exactly `word` (keys and enumerated values are plain ASCII).
    func equals(_ token: StringToken, _ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard token.end - token.start == count else { return false }
        return memcmp(bytes.baseAddress! + token.start, word.utf8Start, count) == 0
    }

    /// The token's text; only for tokens without escapes (their bytes are the text).
    func text(_ token: StringToken) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[token.start..<token.end]), as: UTF8.self)
    }

    /// A string value or `null` (nil inside), for an optional string member; nil when it is anything else.
    mutating func optionalString() -> StringToken?? {
        if null() { return .some(nil) }
        guard peek() == UInt8(ascii: "\""), let token = string() else { return nil }
        return .some(token)
    }

    /// An integer or `null`, for an optional integer member; nil when it is anything else.
    mutating func optionalInteger() -> Int?? {
        if null() { return .some(nil) }
        guard let value = integer() else { return nil }
        return .some(value)
    }
}
