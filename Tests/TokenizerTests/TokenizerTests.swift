import Foundation
import Testing
@testable import Tokenizer

/// Exact ids of a few texts (from tiktoken and tokenizers), token ends, per-chunk assignment, and the errors for
/// bad files.
@Suite struct TokenizerTests {
    @Test func knownIds() throws {
        let o200k = try TokenizerData.tiktoken("o200k_base")
        let cl100k = try TokenizerData.tiktoken("cl100k_base")
        let smollm2 = try TokenizerData.smollm2()
        #expect(o200k.encode("hello world") == [24912, 2375])
        #expect(cl100k.encode("hello world") == [15339, 1917])
        #expect(smollm2.encode("hello world") == [28120, 905])
        let mixed = "I'M here  \n\n  12345 😀"
        #expect(o200k.encode(mixed) == [40, 95346, 2105, 11691, 220, 220, 7633, 2548, 88038])
        #expect(cl100k.encode(mixed) == [40, 28703, 1618, 19124, 220, 220, 4513, 1774, 91416])
        #expect(smollm2.encode(mixed) == [57, 23, 61, 1535, 256, 39892, 33, 34, 35, 36, 37, 40303, 218])
        // tiktoken counts ordinary text: a special token's spelling is just text; Hugging Face matches it.
        #expect(o200k.encode("<|im_start|>user") == [27, 91, 321, 10949, 91, 29, 1428])
        #expect(smollm2.encode("<|im_start|>user") == [1, 4093])
        #expect(o200k.count(mixed) == 9)
        #expect(o200k.encode("") == [])
    }

    @Test func tokenEndsAreUTF8Offsets() throws {
        let o200k = try TokenizerData.tiktoken("o200k_base")
        // 'I' "'M" ' here' '  \n\n' ' ' ' ' '123' '45' ' 😀' (the emoji is four bytes)
        #expect(o200k.tokenEnds("I'M here  \n\n  12345 😀") == [1, 3, 8, 12, 13, 14, 17, 19, 24])
        #expect(try TokenizerData.smollm2().tokenEnds("<|im_start|>user") == [12, 16])
    }

    @Test func eachTokenGoesToTheChunkThatCompletedIt() throws {
        let o200k = try TokenizerData.tiktoken("o200k_base")
        // "Hello" ends in the second chunk, " world" in the third: the first chunk completed no token.
        #expect(o200k.tokensPerSegment(["Hel", "lo wor", "ld"]) == [0, 1, 1])
        #expect(o200k.tokensPerSegment(["Hello", " world", ""]) == [1, 1, 0])
        #expect(o200k.tokensPerSegment([]) == [])
        // A chunk boundary inside a UTF-8 sequence: the emoji's token completes in the chunk with its last byte.
        let bytes = Array(" 😀".utf8)
        #expect(o200k.tokensPerSegment(bytes: bytes, segmentEnds: [2, 5]) == [0, 1])
        // Chunk counts always sum to the text's token count.
        let chunks = ["The quick", " brown 🦊 jum", "ps over 1234", "5 lazy dogs.\n\n", "  Done"]
        #expect(o200k.tokensPerSegment(chunks).reduce(0, +) == o200k.count(chunks.joined()))
    }

    @Test func missingAndCorruptFilesAreNamed() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("sambabench-tokenizer-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = directory.appendingPathComponent("o200k_base.tiktoken").path
        #expect(throws: TokenizerError(path: missing, problem: "no such file")) {
            try Tokenizer.load("o200k_base", dataDirectory: directory.path)
        }
        #expect(throws: TokenizerError(path: "o200k_base", problem: "no tokenizer data directory: run scripts/deps.sh "
                                       + "(it puts o200k_base.tiktoken in .cache/tokenizers) or set SAMBABENCH_TOKENIZER_DIR")) {
            try Tokenizer.load("o200k_base", dataDirectory: nil)
        }
        let corrupt = directory.appendingPathComponent("cl100k_base.tiktoken")
        try Data("IQ== 0\nIg== 1\nnot base64! 2\n".utf8).write(to: corrupt)
        #expect(throws: TokenizerError(path: corrupt.path, problem: "line 3 is not `base64 rank` (a tiktoken rank "
                                       + "file has one token's bytes in base64 and its rank per line)")) {
            try Tokenizer.load("cl100k_base", dataDirectory: directory.path)
        }
        try Data("IQ== 0\nIg== 1\n".utf8).write(to: corrupt)
        #expect(throws: TokenizerError(path: corrupt.path, problem: "2 ranks: a byte-level rank file has at least 256 (one per byte)")) {
            try Tokenizer.load("cl100k_base", dataDirectory: directory.path)
        }
        let json = directory.appendingPathComponent("tokenizer.json")
        try Data("{\"model\": ".utf8).write(to: json)
        #expect(throws: TokenizerError.self) { try Tokenizer.load("tokenizer.json", dataDirectory: nil, baseDirectory: directory.path) }
        do {
            _ = try Tokenizer.load(json.path, dataDirectory: nil)
            Issue.record("a truncated tokenizer.json loaded")
        } catch let error as TokenizerError {
            #expect(error.path == json.path)
            #expect(error.problem.hasPrefix("not valid JSON"))
        }
    }

    @Test func unsupportedTokenizerJSONIsRefusedByName() throws {
        let source = try TokenizerData.path("smollm2/tokenizer.json")
        let original = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: source))) as! [String: Any]
        let file = FileManager.default.temporaryDirectory
            .appendingPathComponent("sambabench-unsupported-\(ProcessInfo.processInfo.processIdentifier).json")
        defer { try? FileManager.default.removeItem(at: file) }
        func problem(_ change: (inout [String: Any]) -> Void) throws -> String? {
            var document = original
            change(&document)
            try JSONSerialization.data(withJSONObject: document).write(to: file)
            do {
                _ = try Tokenizer.load(file.path, dataDirectory: nil)
                return nil
            } catch let error as TokenizerError {
                #expect(error.path == file.path)
                return error.problem
            }
        }
        #expect(try problem { $0["normalizer"] = ["type": "NFKC"] }
                == "normalizer NFKC is not supported (only tokenizers without a normalizer: byte-level BPE)")
        #expect(try problem { $0["pre_tokenizer"] = TokenizerData.split("\\w+") }
                == #"pre_tokenizer[0]: Split pattern "\\w+" is not one of the supported ones (Llama 3 / cl100k, Qwen 2, o200k, and DeepSeek V3's three)"#)
        #expect(try problem { $0["pre_tokenizer"] = ["type": "Metaspace"] }
                == "pre_tokenizer[0]: Metaspace is not supported (ByteLevel, Digits and Split are)")
        #expect(try problem { document in
            var model = document["model"] as! [String: Any]
            model["merges"] = ["h e", "zzqx zzqy"]
            document["model"] = model
        } == "model.merges[1] names a token missing from model.vocab")
        #expect(try problem { $0["normalizer"] = ["type": "NFC"] }
                == "normalizer NFC is not supported (only tokenizers without a normalizer: byte-level BPE)")
        #expect(try problem { $0["normalizer"] = ["type": "Sequence", "normalizers": [Any]()] } == nil)
        #expect(try problem { _ in } == nil)
    }
}
