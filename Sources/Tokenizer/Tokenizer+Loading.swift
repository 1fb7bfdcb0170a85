import Foundation

extension Tokenizer {
    /// The built-in tiktoken encodings, read from `<name>.tiktoken` in the tokenizer data directory.
    public static let builtInNames = ["o200k_base", "cl100k_base"]

    /// Loads `o200k_base` or `cl100k_base` from `dataDirectory`, or a `tokenizer.json` / `.tiktoken` file at a
    /// path (relative paths against `baseDirectory`).
    public static func load(_ spec: String, dataDirectory: String?, baseDirectory: String? = nil) throws -> Tokenizer {
        if builtInNames.contains(spec) {
            guard let directory = dataDirectory else {
                throw TokenizerError(path: spec, problem: "no tokenizer data directory: run scripts/deps.sh (it puts "
                                     + "\(spec).tiktoken in .cache/tokenizers) or set SAMBABENCH_TOKENIZER_DIR")
            }
            let path = (directory as NSString).appendingPathComponent("\(spec).tiktoken")
            return try loadTiktoken(path: path, name: spec, pattern: spec == "o200k_base" ? .o200k : .cl100k(maxDigits: 3))
        }
        var path = spec
        if !path.hasPrefix("/"), let base = baseDirectory { path = (base as NSString).appendingPathComponent(path) }
        if path.hasSuffix(".tiktoken") {
            return try loadTiktoken(path: path, name: spec, pattern: .cl100k(maxDigits: 3))
        }
        return try loadHuggingFace(path: path, name: spec)
    }

    static func readFile(_ path: String) throws -> Data {
        guard FileManager.default.fileExists(atPath: path) else {
            throw TokenizerError(path: path, problem: "no such file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TokenizerError(path: path, problem: "cannot be read")
        }
        return data
    }

    /// A tiktoken rank file: one `base64-of-the-token's-bytes rank` per line.
    static func loadTiktoken(path: String, name: String, pattern: PreTokenizerPattern) throws -> Tokenizer {
        let data = try readFile(path)
        var entries = [(key: [UInt8], value: UInt32)]()
        entries.reserveCapacity(data.count / 12)
        var lineNumber = 0
        var failure: TokenizerError?
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            var start = 0
            while start < bytes.count && failure == nil {
                var end = start
                while end < bytes.count && bytes[end] != 0x0A { end += 1 }
                lineNumber += 1
                var lineEnd = end
                if lineEnd > start && bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                if lineEnd > start {
                    if let entry = parseRankLine(bytes, start, lineEnd) {
                        entries.append(entry)
                    } else {
                        failure = TokenizerError(path: path, problem: "line \(lineNumber) is not `base64 rank` "
                                                 + "(a tiktoken rank file has one token's bytes in base64 and its rank per line)")
                    }
                }
                start = end + 1
            }
        }
        if let failure { throw failure }
        guard entries.count >= 256 else {
            throw TokenizerError(path: path, problem: "\(entries.count) ranks: a byte-level rank file has at least 256 (one per byte)")
        }
        let table = ByteTable(entries)
        for byte in 0..<256 {
            var single = UInt8(byte)
            if table.value(&single, 1) == .max {
                throw TokenizerError(path: path, problem: "byte 0x\(String(byte, radix: 16)) has no rank: the file is not a byte-level BPE vocabulary")
            }
        }
        return Tokenizer(name: name, model: .ranks(table), patterns: [pattern], addedTokens: nil, addPrefixSpace: false)
    }

    private static func parseRankLine(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> (key: [UInt8], value: UInt32)? {
        var space = start
        while space < end && bytes[space] != 0x20 { space += 1 }
        guard space < end, space > start else { return nil }
        var rank: UInt64 = 0
        var digit = space + 1
        guard digit < end else { return nil }
        while digit < end {
            let byte = bytes[digit]
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            rank = rank * 10 + UInt64(byte - 0x30)
            guard rank < UInt64(UInt32.max) else { return nil }
            digit += 1
        }
        guard let key = Base64.decode(bytes, start, space), !key.isEmpty else { return nil }
        return (key, UInt32(rank))
    }
}

enum Base64 {
    private static let table: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()

    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> [UInt8]? {
        var out = [UInt8]()
        out.reserveCapacity((end - start) * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        var index = start
        while index < end {
            let byte = bytes[index]
            if byte == 0x3D { break }  // '=' padding
            let value = table[Int(byte)]
            if value == 0xFF { return nil }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
            index += 1
        }
        return out
    }
}
