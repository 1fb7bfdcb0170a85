/// The Unicode classes the pre-tokenizer patterns distinguish, as bit flags of one byte per scalar.
///
/// `\p{L}` letters, `\p{N}` numbers, `\p{M}` marks, `\s` (the White_Space property, as in Rust's `regex` and
/// Oniguruma), and `\r`/`\n`. o200k_base's two letter classes are flags of their own: "upper"
/// (`Lu Lt Lm Lo M`) and "lower" (`Ll Lm Lo M`). `\p{P}` and `\p{S}` are flags for DeepSeek's pattern.
enum CharacterClass {
    static let letter: UInt8 = 1
    static let number: UInt8 = 2
    static let mark: UInt8 = 4
    static let space: UInt8 = 8
    static let newline: UInt8 = 16
    static let upper: UInt8 = 32
    static let lower: UInt8 = 64
    static let punctuationOrSymbol: UInt8 = 128

    /// Flags of every scalar below U+10000, made once (the Basic Multilingual Plane covers almost all text).
    static let basicPlane: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 0x10000)
        for value in 0..<0x10000 {
            if let scalar = Unicode.Scalar(UInt32(value)) { table[value] = compute(scalar) }
        }
        return table
    }()

    @inline(__always)
    static func flags(_ value: UInt32) -> UInt8 {
        if value < 0x10000 { return basicPlane.withUnsafeBufferPointer { $0[Int(value)] } }
        guard let scalar = Unicode.Scalar(value) else { return punctuationOrSymbol }
        return compute(scalar)
    }

    static func compute(_ scalar: Unicode.Scalar) -> UInt8 {
        var flags: UInt8 = 0
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .titlecaseLetter: flags = letter | upper
        case .lowercaseLetter: flags = letter | lower
        case .modifierLetter, .otherLetter: flags = letter | upper | lower
        case .nonspacingMark, .spacingMark, .enclosingMark: flags = mark | upper | lower
        case .decimalNumber, .letterNumber, .otherNumber: flags = number
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
             .finalPunctuation, .otherPunctuation, .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            flags = punctuationOrSymbol
        default: flags = 0
        }
        if scalar.properties.isWhitespace { flags |= space }
        if scalar.value == 0x0A || scalar.value == 0x0D { flags |= newline }
        return flags
    }
}

/// A text decoded once into scalars, each with its flags and the UTF-8 offset where it starts, so the splitters
/// look ahead by scalar index in O(1). Bytes that are not valid UTF-8 become one scalar each with no class
/// (like U+FFFD: neither letter, number nor space).
struct ScalarText {
    var values: [UInt32] = []
    var flags: [UInt8] = []
    var offsets: [Int32] = []  // offsets[count] is the byte length

    init() {}

    mutating func load(_ bytes: UnsafeBufferPointer<UInt8>) {
        values.removeAll(keepingCapacity: true)
        flags.removeAll(keepingCapacity: true)
        offsets.removeAll(keepingCapacity: true)
        values.reserveCapacity(bytes.count)
        flags.reserveCapacity(bytes.count)
        offsets.reserveCapacity(bytes.count + 1)
        var index = 0
        let count = bytes.count
        while index < count {
            let lead = bytes[index]
            offsets.append(Int32(truncatingIfNeeded: index))
            if lead < 0x80 {
                values.append(UInt32(lead))
                flags.append(CharacterClass.ascii[Int(lead)])
                index += 1
                continue
            }
            var value: UInt32 = 0
            var length = 0
            if lead & 0xE0 == 0xC0 { value = UInt32(lead & 0x1F); length = 2 }
            else if lead & 0xF0 == 0xE0 { value = UInt32(lead & 0x0F); length = 3 }
            else if lead & 0xF8 == 0xF0 { value = UInt32(lead & 0x07); length = 4 }
            var valid = length > 0 && index + length <= count
            if valid {
                for next in 1..<length {
                    let byte = bytes[index + next]
                    if byte & 0xC0 != 0x80 { valid = false; break }
                    value = value << 6 | UInt32(byte & 0x3F)
                }
            }
            if valid {
                values.append(value)
                flags.append(CharacterClass.flags(value))
                index += length
            } else {
                values.append(0xFFFD)
                flags.append(0)
                index += 1
            }
        }
        offsets.append(Int32(truncatingIfNeeded: count))
    }
}

extension CharacterClass {
    static let ascii: [UInt8] = (0..<128).map { compute(Unicode.Scalar(UInt8($0))) }
}
