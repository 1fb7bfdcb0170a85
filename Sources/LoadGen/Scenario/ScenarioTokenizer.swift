import Foundation
import Tokenizer

/// The scenario's tokenizer (`tokenizer:`), loaded once: what counts each chunk's tokens and the prompts' tokens.
/// Two are equal when they name the same data (the loaded tables are shared through `TokenizerStore`).
public struct ScenarioTokenizer: Sendable, Equatable, CustomStringConvertible {
    /// As the scenario wrote it (`o200k_base`, `cl100k_base` or a path), or the model family's default.
    public let spec: String
    /// Whether it was the model family's default rather than written in the scenario.
    public let isDefault: Bool
    public let tokenizer: Tokenizer

    public init(spec: String, isDefault: Bool = false, tokenizer: Tokenizer) {
        self.spec = spec
        self.isDefault = isDefault
        self.tokenizer = tokenizer
    }

    public static func == (lhs: ScenarioTokenizer, rhs: ScenarioTokenizer) -> Bool {
        lhs.spec == rhs.spec && lhs.isDefault == rhs.isDefault
    }

    public var description: String { spec }

    /// The built-in tokenizer of a model family, when it has a public one shipped as a rank file: gpt-oss uses
    /// o200k_harmony, which is o200k_base plus special tokens that a stream's text never spells.
    public static func familyDefault(model: String) -> String? {
        TokenEstimator(model: model).family == .gptOSS ? "o200k_base" : nil
    }
}

/// Loads tokenizers once per process: a run, its levels and its tests share one copy of each vocabulary.
public enum TokenizerStore {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var loaded: [String: Tokenizer] = [:]

    /// Where `o200k_base.tiktoken` and `cl100k_base.tiktoken` are found: `$SAMBABENCH_TOKENIZER_DIR`, else
    /// `.cache/tokenizers` in the working directory or in a directory above the executable (a checkout's
    /// `.build/release/sambabench`), where scripts/deps.sh puts them.
    public static var dataDirectory: String? {
        if let directory = ProcessInfo.processInfo.environment["SAMBABENCH_TOKENIZER_DIR"], !directory.isEmpty {
            return directory
        }
        var candidates = [FileManager.default.currentDirectoryPath]
        var executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
            .deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(executable.path)
            executable = executable.deletingLastPathComponent()
        }
        for candidate in candidates {
            let directory = (candidate as NSString).appendingPathComponent(".cache/tokenizers")
            if FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent("o200k_base.tiktoken")) {
                return directory
            }
        }
        return nil
    }

    /// The tokenizer `spec` names (a built-in name, or a path already resolved against the scenario's folder).
    public static func load(_ spec: String) throws -> Tokenizer {
        lock.lock()
        defer { lock.unlock() }
        if let tokenizer = loaded[spec] { return tokenizer }
        let tokenizer = try Tokenizer.load(spec, dataDirectory: dataDirectory)
        loaded[spec] = tokenizer
        return tokenizer
    }

    /// Whether the built-in `name` can be loaded here (its rank file is present).
    public static func available(_ name: String) -> Bool {
        guard let directory = dataDirectory else { return false }
        return FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent("\(name).tiktoken"))
    }
}
