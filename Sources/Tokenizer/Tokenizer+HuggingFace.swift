import Foundation

/// Loading a Hugging Face `tokenizer.json`: a byte-level BPE model (Llama 3, DeepSeek, Qwen, SmolLM2 and GPT-2
/// families), its pre-tokenizer sequence, and its added tokens. What this reader does not implement is refused by
/// name (a normalizer, a SentencePiece-style model, an unknown split pattern) rather than tokenized differently.
extension Tokenizer {
    static func loadHuggingFace(path: String, name: String) throws -> Tokenizer {
        let data = try readFile(path)
        func fail(_ problem: String) -> TokenizerError { TokenizerError(path: path, problem: problem) }
        let root: [String: Any]
        do {
            guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw fail("not a JSON object (a tokenizer.json file is one)")
            }
            root = object
        } catch let error as TokenizerError {
            throw error
        } catch {
            throw fail("not valid JSON (\(error.localizedDescription))")
        }
        // No normalizer, or an empty Sequence of them (DeepSeek V3 writes one), leaves the text as it is.
        if let normalizer = root["normalizer"], !(normalizer is NSNull),
           !((normalizer as? [String: Any])?["type"] as? String == "Sequence"
             && ((normalizer as? [String: Any])?["normalizers"] as? [Any])?.isEmpty == true) {
            let type = (normalizer as? [String: Any])?["type"] as? String ?? "?"
            throw fail("normalizer \(type) is not supported (only tokenizers without a normalizer: byte-level BPE)")
        }
        guard let model = root["model"] as? [String: Any] else { throw fail("no `model` object") }
        guard (model["type"] as? String ?? "BPE") == "BPE" else {
            throw fail("model.type \(model["type"] ?? "?") is not supported (only BPE)")
        }
        for key in ["continuing_subword_prefix", "end_of_word_suffix", "dropout"] {
            if let value = model[key], !(value is NSNull), !((value as? String)?.isEmpty ?? false) {
                throw fail("model.\(key) = \(value) is not supported")
            }
        }
        guard let vocabularyObject = model["vocab"] as? [String: Any] else { throw fail("no `model.vocab` object") }
        guard let mergesArray = model["merges"] as? [Any] else { throw fail("no `model.merges` list") }

        // Byte-level BPE spells bytes as printable characters (GPT-2's table); undo it to get raw bytes.
        let decodeTable = ByteLevel.charToByte
        func rawBytes(_ token: String) -> [UInt8]? {
            var bytes = [UInt8]()
            bytes.reserveCapacity(token.unicodeScalars.count)
            for scalar in token.unicodeScalars {
                guard let byte = decodeTable[scalar.value] else { return nil }
                bytes.append(byte)
            }
            return bytes
        }
        var idsByName = [String: UInt32]()
        idsByName.reserveCapacity(vocabularyObject.count)
        var entries = [(key: [UInt8], value: UInt32)]()
        entries.reserveCapacity(vocabularyObject.count)
        for (token, value) in vocabularyObject {
            guard let id = (value as? NSNumber)?.intValue, id >= 0, id < Int(UInt32.max) else {
                throw fail("model.vocab[\(token)] is not a token id")
            }
            idsByName[token] = UInt32(id)
            if let bytes = rawBytes(token), !bytes.isEmpty { entries.append((bytes, UInt32(id))) }
        }
        var byteIDs = [UInt32](repeating: .max, count: 256)
        var missingBytes = 0
        for byte in 0..<256 {
            let spelled = String(Character(Unicode.Scalar(ByteLevel.byteToChar[byte])!))
            if let id = idsByName[spelled] {
                byteIDs[byte] = id
            } else if model["byte_fallback"] as? Bool == true,
                      let id = idsByName[String(format: "<0x%02X>", byte)] {
                byteIDs[byte] = id
            } else if let unknown = model["unk_token"] as? String, let id = idsByName[unknown] {
                byteIDs[byte] = id
            } else {
                missingBytes += 1  // dropped from the text, as Hugging Face BPE drops what it cannot spell
            }
        }
        guard missingBytes < 128 else {
            throw fail("\(missingBytes) of the 256 bytes are not in model.vocab: only byte-level BPE vocabularies are supported")
        }
        var pairs = [(left: UInt32, right: UInt32, rank: UInt32, merged: UInt32)]()
        pairs.reserveCapacity(mergesArray.count)
        for (rank, merge) in mergesArray.enumerated() {
            let parts: [String]
            if let line = merge as? String {
                parts = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            } else if let list = merge as? [String] {
                parts = list
            } else {
                throw fail("model.merges[\(rank)] is neither \"a b\" nor [\"a\", \"b\"]")
            }
            guard parts.count == 2, let left = idsByName[parts[0]], let right = idsByName[parts[1]] else {
                throw fail("model.merges[\(rank)] names a token missing from model.vocab")
            }
            guard let merged = idsByName[parts[0] + parts[1]] else {
                throw fail("model.merges[\(rank)] makes \(parts[0] + parts[1]), which is missing from model.vocab")
            }
            pairs.append((left, right, UInt32(rank), merged))
        }

        var added = [(content: [UInt8], id: UInt32)]()
        for (index, item) in ((root["added_tokens"] as? [[String: Any]]) ?? []).enumerated() {
            guard let content = item["content"] as? String, let id = (item["id"] as? NSNumber)?.intValue else {
                throw fail("added_tokens[\(index)] has no content or id")
            }
            for flag in ["single_word", "lstrip", "rstrip"] where item[flag] as? Bool == true {
                throw fail("added_tokens[\(index)] (\(content)) sets \(flag), which is not supported")
            }
            added.append((Array(content.utf8), UInt32(id)))
        }

        let (patterns, addPrefixSpace) = try preTokenizers(root["pre_tokenizer"], fail)
        let ignoreMerges = model["ignore_merges"] as? Bool ?? false
        return Tokenizer(name: name,
                         model: .merges(byteIDs: byteIDs, pairs: PairTable(pairs), vocabulary: ByteTable(entries),
                                        ignoreMerges: ignoreMerges),
                         patterns: patterns, addedTokens: added.isEmpty ? nil : AddedTokens(added),
                         addPrefixSpace: addPrefixSpace)
    }

    /// The split patterns of a pre_tokenizer (a Sequence, or one), and whether ByteLevel adds a prefix space.
    private static func preTokenizers(_ value: Any?, _ fail: (String) -> TokenizerError) throws -> ([PreTokenizerPattern], Bool) {
        guard let object = value as? [String: Any] else {
            throw fail("no pre_tokenizer: byte-level BPE needs a ByteLevel pre-tokenizer")
        }
        let list: [[String: Any]]
        if object["type"] as? String == "Sequence" {
            list = object["pretokenizers"] as? [[String: Any]] ?? []
        } else {
            list = [object]
        }
        var patterns = [PreTokenizerPattern]()
        var byteLevel = false
        var addPrefixSpace = false
        for (index, item) in list.enumerated() {
            let type = item["type"] as? String ?? "?"
            switch type {
            case "ByteLevel":
                byteLevel = true
                if item["use_regex"] as? Bool ?? true { patterns.append(.gpt2) }
                if item["add_prefix_space"] as? Bool == true {
                    guard list.count == 1 else {
                        throw fail("pre_tokenizer[\(index)]: ByteLevel add_prefix_space inside a Sequence is not supported")
                    }
                    addPrefixSpace = true
                }
            case "Digits":
                patterns.append(.digits(individual: item["individual_digits"] as? Bool ?? false))
            case "Split":
                let pattern = item["pattern"] as? [String: Any]
                guard let regex = pattern?["Regex"] as? String else {
                    throw fail("pre_tokenizer[\(index)]: Split without a Regex pattern is not supported")
                }
                guard item["behavior"] as? String == "Isolated", item["invert"] as? Bool != true else {
                    throw fail("pre_tokenizer[\(index)]: only Split with behavior Isolated (not inverted) is supported")
                }
                guard let known = KnownPatterns.byRegex[KnownPatterns.canonical(regex)] else {
                    throw fail("pre_tokenizer[\(index)]: Split pattern \(regex.debugDescription) is not one of the "
                               + "supported ones (\(KnownPatterns.names))")
                }
                patterns.append(known)
            default:
                throw fail("pre_tokenizer[\(index)]: \(type) is not supported (ByteLevel, Digits and Split are)")
            }
        }
        guard byteLevel else { throw fail("pre_tokenizer has no ByteLevel step: only byte-level BPE is supported") }
        return (patterns, addPrefixSpace)
    }
}

/// GPT-2's byte-to-character table: printable Latin-1 bytes stand for themselves, the others for U+0100 onwards.
enum ByteLevel {
    static let byteToChar: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            if (33...126).contains(byte) || (161...172).contains(byte) || (174...255).contains(byte) {
                table[byte] = UInt32(byte)
            } else {
                table[byte] = next
                next += 1
            }
        }
        return table
    }()

    static let charToByte: [UInt32: UInt8] = {
        var table = [UInt32: UInt8]()
        for (byte, char) in byteToChar.enumerated() { table[char] = UInt8(byte) }
        return table
    }()
}

/// The Split regexes of the families this reader knows, each compiled by hand in `PreTokenizerPattern`.
enum KnownPatterns {
    static let llama3 = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    static let qwen2 = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    static let o200k = #"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    static let deepseekNumbers = #"\p{N}{1,3}"#
    static let deepseekCJK = "[\u{4E00}-\u{9FA5}\u{3040}-\u{309F}\u{30A0}-\u{30FF}]+"
    static let deepseek = ##"[!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"##

    static let byRegex: [String: PreTokenizerPattern] = [
        llama3: .cl100k(maxDigits: 3),
        qwen2: .cl100k(maxDigits: 1),
        o200k: .o200k,
        deepseekNumbers: .numberTriples,
        deepseekCJK: .cjkRuns,
        deepseek: .deepseek,
    ]

    static let names = "Llama 3 / cl100k, Qwen 2, o200k, and DeepSeek V3's three"

    /// The regex with literal CR and LF written as `\r` and `\n`, as some files spell them either way.
    static func canonical(_ regex: String) -> String {
        regex.replacingOccurrences(of: "\r", with: #"\r"#).replacingOccurrences(of: "\n", with: #"\n"#)
    }
}
