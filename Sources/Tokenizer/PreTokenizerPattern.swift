/// The pre-tokenizer regexes, each hand-written as a scanner that returns where the regex's next match ends.
///
/// Each scanner reproduces the regex's leftmost-first, backtracking semantics exactly (the fixtures compare with
/// tiktoken and Hugging Face `tokenizers` on 10,000+ texts). `hi` is the end of the piece being split: a lookahead
/// such as `\s+(?!\S)` sees the end of the piece as the end of the text, as the libraries do when patterns run
/// one after another.
enum PreTokenizerPattern: Sendable, Equatable {
    /// o200k_base: `[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?`
    /// `|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?`
    /// `|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+`
    case o200k
    /// cl100k_base and Llama 3 (`maxDigits` 3), Qwen 2 (`maxDigits` 1):
    /// `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
    case cl100k(maxDigits: Int)
    /// GPT-2's, used by Hugging Face's `ByteLevel` pre-tokenizer with `use_regex`:
    /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
    case gpt2
    /// Hugging Face's `Digits`: each number scalar alone (`individual`), or each run of them, split from the rest.
    case digits(individual: Bool)
    /// `\p{N}{1,3}` as an isolated split (DeepSeek's first pattern): runs of numbers cut into threes.
    case numberTriples
    /// `[一-龥぀-ゟ゠-ヿ]+` as an isolated split (DeepSeek's second pattern).
    case cjkRuns
    /// DeepSeek V3's main pattern:
    /// ``[!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+``
    case deepseek

    typealias Flags = UnsafeBufferPointer<UInt8>
    typealias Values = UnsafeBufferPointer<UInt32>

    /// Splits scalars `lo..<hi` into pieces, calling `piece(start, end)` for each in order.
    @inline(__always)
    func split(_ flags: Flags, _ values: Values, _ lo: Int, _ hi: Int, _ piece: (Int, Int) -> Void) {
        switch self {
        case .digits(let individual):
            var start = lo
            while start < hi {
                var end = start + 1
                let isNumber = flags[start] & CharacterClass.number != 0
                if !(isNumber && individual) {
                    while end < hi, (flags[end] & CharacterClass.number != 0) == isNumber { end += 1 }
                }
                piece(start, end)
                start = end
            }
        case .numberTriples, .cjkRuns, .deepseek:
            // Isolated matches, with each unmatched stretch between them kept as one piece.
            var start = lo
            var gap = lo
            while start < hi {
                let end = matchEnd(flags, values, start, hi)
                if end > start {
                    if gap < start { piece(gap, start) }
                    piece(start, end)
                    start = end
                    gap = end
                } else {
                    start += 1
                }
            }
            if gap < hi { piece(gap, hi) }
        default:
            var start = lo
            while start < hi {
                let end = nextEnd(flags, values, start, hi)
                piece(start, end)
                start = end
            }
        }
    }

    /// Where a match of the isolated patterns starting exactly at `p` ends (`p` when none starts there).
    private func matchEnd(_ flags: Flags, _ values: Values, _ p: Int, _ hi: Int) -> Int {
        var end = p
        switch self {
        case .numberTriples:
            while end < hi, end - p < 3, flags[end] & CharacterClass.number != 0 { end += 1 }
        case .cjkRuns:
            while end < hi, PreTokenizerPattern.isDeepSeekCJK(values[end]) { end += 1 }
        case .deepseek:
            end = PreTokenizerPattern.deepseekEnd(flags, values, p, hi)
        default: break
        }
        return end
    }

    static func isDeepSeekCJK(_ value: UInt32) -> Bool {
        (0x4E00...0x9FA5).contains(value) || (0x3040...0x309F).contains(value) || (0x30A0...0x30FF).contains(value)
    }

    /// The end of the match starting at `p` (always > p: these patterns match any single scalar).
    @inline(__always)
    func nextEnd(_ flags: Flags, _ values: Values, _ p: Int, _ hi: Int) -> Int {
        switch self {
        case .o200k: return PreTokenizerPattern.o200kEnd(flags, values, p, hi)
        case .cl100k(let maxDigits): return PreTokenizerPattern.cl100kEnd(flags, values, p, hi, maxDigits)
        case .gpt2: return PreTokenizerPattern.gpt2End(flags, values, p, hi)
        default: return p + 1
        }
    }

    private static let L = CharacterClass.letter
    private static let N = CharacterClass.number
    private static let M = CharacterClass.mark
    private static let S = CharacterClass.space
    private static let NL = CharacterClass.newline
    private static let UP = CharacterClass.upper
    private static let LO = CharacterClass.lower
    private static let PS = CharacterClass.punctuationOrSymbol

    /// `[^\s\p{L}\p{N}]`
    @inline(__always)
    private static func isOther(_ f: UInt8) -> Bool { f & (S | L | N) == 0 }

    /// `'s|'t|'re|'ve|'m|'ll|'d` at `p` (which holds an apostrophe), case-insensitive with Unicode simple case
    /// folding (`ſ` U+017F folds to `s`) when `ignoreCase`; nil when none matches.
    @inline(__always)
    private static func contraction(_ values: Values, _ p: Int, _ hi: Int, ignoreCase: Bool) -> Int? {
        guard p + 1 < hi else { return nil }
        @inline(__always) func lower(_ v: UInt32) -> UInt32 {
            guard ignoreCase else { return v }
            if v >= 0x41 && v <= 0x5A { return v + 0x20 }
            if v == 0x17F { return 0x73 }
            return v
        }
        let first = lower(values[p + 1])
        switch first {
        case 0x73, 0x74, 0x6D, 0x64: return p + 2  // s t m d
        case 0x72, 0x76:  // r v -> 're 've
            if p + 2 < hi && lower(values[p + 2]) == 0x65 { return p + 3 }
        case 0x6C:  // l -> 'll
            if p + 2 < hi && lower(values[p + 2]) == 0x6C { return p + 3 }
        default: break
        }
        return nil
    }

    /// The whitespace alternatives `\s*[\r\n]+|\s+(?!\S)|\s+` at a whitespace scalar `p`
    /// (`newlines` false drops the first, as in GPT-2's pattern).
    @inline(__always)
    private static func whitespaceEnd(_ flags: Flags, _ p: Int, _ hi: Int, newlines: Bool) -> Int {
        var run = p
        var lastNewline = -1
        while run < hi && flags[run] & S != 0 {
            if flags[run] & NL != 0 { lastNewline = run }
            run += 1
        }
        if newlines && lastNewline >= 0 { return lastNewline + 1 }
        if run == hi || run - p == 1 { return run }
        return run - 1
    }

    static func cl100kEnd(_ flags: Flags, _ values: Values, _ p: Int, _ hi: Int, _ maxDigits: Int) -> Int {
        let f = flags[p]
        if values[p] == 0x27, let end = contraction(values, p, hi, ignoreCase: true) { return end }
        var letters = -1
        if f & L != 0 { letters = p } else if f & (NL | L | N) == 0 && p + 1 < hi && flags[p + 1] & L != 0 { letters = p + 1 }
        if letters >= 0 {
            var end = letters + 1
            while end < hi && flags[end] & L != 0 { end += 1 }
            return end
        }
        if f & N != 0 {
            var end = p + 1
            while end < hi && end - p < maxDigits && flags[end] & N != 0 { end += 1 }
            return end
        }
        var q = p
        if values[p] == 0x20 && p + 1 < hi && isOther(flags[p + 1]) { q = p + 1 }
        if isOther(flags[q]) {
            var end = q + 1
            while end < hi && isOther(flags[end]) { end += 1 }
            while end < hi && flags[end] & NL != 0 { end += 1 }
            return end
        }
        return whitespaceEnd(flags, p, hi, newlines: true)
    }

    /// `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+` from `q`, backtracking the first run as the
    /// regex does; nil when it cannot match.
    @inline(__always)
    private static func o200kLowerTail(_ flags: Flags, _ q: Int, _ hi: Int) -> Int? {
        var upperEnd = q
        while upperEnd < hi && flags[upperEnd] & UP != 0 { upperEnd += 1 }
        var end = upperEnd
        while end < hi && flags[end] & LO != 0 { end += 1 }
        if end > upperEnd { return end }
        var back = upperEnd - 1
        while back >= q {
            if flags[back] & LO != 0 { return back + 1 }
            back -= 1
        }
        return nil
    }

    /// `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*` from `q`; nil when it cannot match.
    @inline(__always)
    private static func o200kUpperHead(_ flags: Flags, _ q: Int, _ hi: Int) -> Int? {
        var end = q
        while end < hi && flags[end] & UP != 0 { end += 1 }
        if end == q { return nil }
        while end < hi && flags[end] & LO != 0 { end += 1 }
        return end
    }

    static func o200kEnd(_ flags: Flags, _ values: Values, _ p: Int, _ hi: Int) -> Int {
        let f = flags[p]
        let prefix = f & (NL | L | N) == 0 && p + 1 < hi
        var word: Int? = nil
        if f & L != 0 {
            // A letter cannot be the prefix: both alternatives start at p.
            word = o200kLowerTail(flags, p, hi) ?? o200kUpperHead(flags, p, hi)
        } else if prefix || f & M != 0 {
            if prefix { word = o200kLowerTail(flags, p + 1, hi) }
            if word == nil && f & M != 0 { word = o200kLowerTail(flags, p, hi) }
            if word == nil && prefix { word = o200kUpperHead(flags, p + 1, hi) }
            if word == nil && f & M != 0 { word = o200kUpperHead(flags, p, hi) }
        }
        if let end = word {
            if end < hi && values[end] == 0x27, let contracted = contraction(values, end, hi, ignoreCase: true) {
                return contracted
            }
            return end
        }
        if f & N != 0 {
            var end = p + 1
            while end < hi && end - p < 3 && flags[end] & N != 0 { end += 1 }
            return end
        }
        var q = p
        if values[p] == 0x20 && p + 1 < hi && isOther(flags[p + 1]) { q = p + 1 }
        if isOther(flags[q]) {
            var end = q + 1
            while end < hi && isOther(flags[end]) { end += 1 }
            while end < hi && (flags[end] & NL != 0 || values[end] == 0x2F) { end += 1 }
            return end
        }
        return whitespaceEnd(flags, p, hi, newlines: true)
    }

    static func gpt2End(_ flags: Flags, _ values: Values, _ p: Int, _ hi: Int) -> Int {
        if values[p] == 0x27, let end = contraction(values, p, hi, ignoreCase: false) { return end }
        var q = p
        if values[p] == 0x20 && p + 1 < hi && flags[p + 1] & S == 0 { q = p + 1 }
        let f = flags[q]
        if f & S == 0 {
            let kind: UInt8 = f & L != 0 ? L : (f & N != 0 ? N : 0)
            var end = q + 1
            if kind == 0 {
                while end < hi && isOther(flags[end]) { end += 1 }
            } else {
                while end < hi && flags[end] & kind != 0 { end += 1 }
            }
            return end
        }
        return whitespaceEnd(flags, p, hi, newlines: false)
    }

    static func deepseekEnd(_ flags: Flags, _ values: Values, _ p: Int, _ hi: Int) -> Int {
        let v = values[p]
        @inline(__always) func isASCIILetter(_ v: UInt32) -> Bool { (v | 0x20) >= 0x61 && (v | 0x20) <= 0x7A }
        @inline(__always) func isASCIIPunct(_ v: UInt32) -> Bool {
            (v >= 0x21 && v <= 0x2F) || (v >= 0x3A && v <= 0x40) || (v >= 0x5B && v <= 0x60) || (v >= 0x7B && v <= 0x7E)
        }
        if isASCIIPunct(v) && p + 1 < hi && isASCIILetter(values[p + 1]) {
            var end = p + 2
            while end < hi && isASCIILetter(values[end]) { end += 1 }
            return end
        }
        let f = flags[p]
        // [^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+
        let letterOrMark = L | M
        if f & (NL | L | PS) == 0 && p + 1 < hi && flags[p + 1] & letterOrMark != 0 {
            var end = p + 2
            while end < hi && flags[end] & letterOrMark != 0 { end += 1 }
            return end
        }
        if f & letterOrMark != 0 {
            var end = p + 1
            while end < hi && flags[end] & letterOrMark != 0 { end += 1 }
            return end
        }
        // ` ?[\p{P}\p{S}]+[\r\n]*`
        var q = p
        if v == 0x20 && p + 1 < hi && flags[p + 1] & PS != 0 { q = p + 1 }
        if flags[q] & PS != 0 {
            var end = q + 1
            while end < hi && flags[end] & PS != 0 { end += 1 }
            while end < hi && flags[end] & NL != 0 { end += 1 }
            return end
        }
        if f & S != 0 { return whitespaceEnd(flags, p, hi, newlines: true) }
        // Numbers, format characters (ZWJ), controls and unassigned scalars match none of the alternatives.
        return p
    }
}
