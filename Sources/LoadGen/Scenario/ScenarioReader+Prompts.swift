import Foundation
import Yams

/// `prompts:` (inline, a dataset or synthetic) and `conversations:`.
extension ScenarioReader {
    static let promptKeys = ["source", "items", "path", "limit", "input_tokens", "count", "shared_prefix", "sampling", "seed"]
    static let promptSources = ["inline", "jsonl", "sharegpt", "synthetic"]

    /// `prompts:` as a list (inline prompts) or as a mapping naming a source; the prompts are resolved here, so a
    /// bad dataset line or an empty dataset stops the scenario before anything runs.
    mutating func promptSection(_ node: Node, model: String) throws -> ([Prompt], PromptSource) {
        var source = PromptSource()
        var prompts: [Prompt]
        guard case .mapping = node else {
            prompts = try inlinePrompts(node, path: "prompts")
            source.tokens = prompts.map { TokenEstimator(model: model).tokens(in: $0, system: nil) }
            return (prompts, source)
        }
        let map = try mapping(node, path: "prompts", allowed: Self.promptKeys)
        guard let kindNode = map["source"] else {
            throw located(node, "prompts.source", "missing required key", hint: "one of: \(Self.promptSources.joined(separator: ", "))")
        }
        let kind = try string(kindNode, path: "prompts.source")
        guard Self.promptSources.contains(kind) else {
            throw located(kindNode, "prompts.source", "unknown source '\(kind)'", hint: "one of: \(Self.promptSources.joined(separator: ", "))")
        }
        let keysOfSource = ["inline": ["items"], "jsonl": ["path", "limit"], "sharegpt": ["path", "limit"],
                            "synthetic": ["input_tokens", "count"]]
        for key in ["items", "path", "limit", "input_tokens", "count"] where map[key] != nil && !keysOfSource[kind]!.contains(key) {
            let owners = keysOfSource.filter { $0.value.contains(key) }.keys.sorted().joined(separator: " or ")
            throw located(map[key], "prompts.\(key)", "applies to source \(owners), not \(kind)",
                          hint: "remove \(key), or set source: \(owners)")
        }
        for key in keysOfSource[kind]! where map[key] == nil && key != "limit" && key != "count" {
            throw located(node, "prompts.\(key)", "missing required key for source \(kind)", hint: Self.promptHints[key])
        }
        if let n = map["seed"] { source.seed = UInt64(try int(n, path: "prompts.seed", in: 0...Int.max)) }
        if let n = map["sampling"] { source.sampling = try choice(n, path: "prompts.sampling", PromptSampling.self) }
        if let n = map["limit"] { source.limit = try int(n, path: "prompts.limit", in: 1...100_000_000) }
        if let n = map["shared_prefix"] {
            let prefix = try mapping(n, path: "prompts.shared_prefix", allowed: ["tokens"])
            guard let tokens = prefix["tokens"] else {
                throw located(n, "prompts.shared_prefix.tokens", "missing required key", hint: "the prefix length in tokens, e.g. {tokens: 1024}")
            }
            source.sharedPrefixTokens = try int(tokens, path: "prompts.shared_prefix.tokens", in: 1...1_000_000)
        }
        let estimator = TokenEstimator(model: model)
        switch kind {
        case "inline":
            prompts = try inlinePrompts(map["items"]!, path: "prompts.items")
        case "jsonl", "sharegpt":
            let pathNode = map["path"]!
            let given = try string(pathNode, path: "prompts.path")
            guard !given.isEmpty else { throw located(pathNode, "prompts.path", "the path is empty", hint: Self.promptHints["path"]) }
            let path = resolve(given)
            // Named where the scenario names it, with the full path it resolved to.
            guard FileManager.default.fileExists(atPath: path) else {
                throw located(pathNode, "prompts.path", "no such dataset file \(path)",
                              hint: "a path relative to the scenario file's directory, or an absolute one")
            }
            if kind == "jsonl" {
                source.kind = .jsonl(path: given)
                prompts = try PromptDataset.jsonl(path: path, shownAs: path, limit: source.limit)
            } else {
                source.kind = .shareGPT(path: given)
                (prompts, source.skipped) = try PromptDataset.shareGPT(path: path, shownAs: path, limit: source.limit)
            }
            guard !prompts.isEmpty else {
                throw ScenarioError(file: path, path: "", message: "the dataset holds no prompt"
                                    + (source.skipped > 0 ? " (\(source.skipped) conversations without a human turn)" : ""),
                                    hint: "a run needs at least one prompt; check the file, or the path in \(file) (prompts.path)")
            }
        default:
            let length = try syntheticLength(map["input_tokens"]!)
            let count = try map["count"].map { try int($0, path: "prompts.count", in: 1...1_000_000) } ?? 256
            let synthetic = SyntheticPrompts(length: length, count: count)
            source.kind = .synthetic(synthetic)
            let texts = synthetic.texts(seed: source.seed, prefix: source.sharedPrefix)
            source.tokens = synthetic.lengths(seed: source.seed).map { $0 + source.sharedPrefixTokens }
            return (texts.map { .text($0) }, source)
        }
        prompts = prompts.map(source.prefixed)
        source.tokens = prompts.map { estimator.tokens(in: $0, system: nil) }
        return (prompts, source)
    }

    static let promptHints = [
        "items": "a list of prompt strings or {messages: [...]} items",
        "path": "a dataset file, relative to the scenario file's directory",
        "input_tokens": "a length in tokens (512), or {distribution: uniform, min: 100, max: 1000}",
    ]

    mutating func inlinePrompts(_ node: Node, path listPath: String) throws -> [Prompt] {
        guard case .sequence(let items) = node, !items.isEmpty else {
            throw located(node, listPath, "expected a non-empty list of prompts",
                          hint: "each item a string, or {messages: [{role: user, content: ...}]}; or a source: {source: jsonl, path: prompts.jsonl}")
        }
        return try items.enumerated().map { index, item in
            let path = "\(listPath)[\(index)]"
            if case .mapping = item {
                let map = try mapping(item, path: path, allowed: ["messages"])
                guard let messagesNode = map["messages"], case .array(let messages) = try json(messagesNode, path: path + ".messages"),
                      !messages.isEmpty else {
                    throw located(item, path, "expected messages: a non-empty list", hint: "[{role: user, content: \"...\"}]")
                }
                for (position, message) in messages.enumerated() {
                    guard case .string? = message["role"], message["content"] != nil else {
                        throw located(messagesNode, "\(path).messages[\(position)]", "each message needs a role and content",
                                      hint: "{role: user, content: \"...\"}")
                    }
                }
                return .messages(messages)
            }
            let text = try string(item, path: path)
            guard !text.isEmpty else { throw located(item, path, "the prompt is empty") }
            return .text(text)
        }
    }

    /// `input_tokens: 512`, or `{distribution: uniform|normal|lognormal, ...}`.
    mutating func syntheticLength(_ node: Node) throws -> SyntheticPrompts.Length {
        let path = "prompts.input_tokens"
        if case .scalar = node { return .fixed(try int(node, path: path, in: 1...1_000_000)) }
        let map = try mapping(node, path: path, allowed: ["distribution", "mean", "stddev", "min", "max"])
        guard let kindNode = map["distribution"] else {
            throw located(node, path + ".distribution", "missing required key", hint: "uniform (min, max), normal or lognormal (mean, stddev, optional min and max)")
        }
        let kind = try string(kindNode, path: path + ".distribution")
        func need(_ key: String) throws -> Node {
            guard let value = map[key] else {
                throw located(node, "\(path).\(key)", "missing required key for distribution \(kind)",
                              hint: kind == "uniform" ? "uniform needs min and max" : "\(kind) needs mean and stddev (min and max are optional)")
            }
            return value
        }
        switch kind {
        case "uniform":
            for key in ["mean", "stddev"] where map[key] != nil {
                throw located(map[key], "\(path).\(key)", "applies to normal and lognormal, not uniform", hint: "uniform takes min and max")
            }
            let low = try int(need("min"), path: path + ".min", in: 1...1_000_000)
            let high = try int(need("max"), path: path + ".max", in: 1...1_000_000)
            guard low <= high else { throw located(map["min"], path, "min \(low) is above max \(high)", hint: "min <= max") }
            return .uniform(min: low, max: high)
        case "normal", "lognormal":
            let mean = try double(need("mean"), path: path + ".mean", in: 1...1_000_000)
            let stddev = try double(need("stddev"), path: path + ".stddev", in: 0...1_000_000)
            let low = try map["min"].map { try int($0, path: path + ".min", in: 1...1_000_000) } ?? 1
            let high = try map["max"].map { try int($0, path: path + ".max", in: 1...1_000_000) } ?? 1_000_000
            guard low <= high else { throw located(map["min"], path, "min \(low) is above max \(high)", hint: "min <= max") }
            guard Double(low) <= mean, mean <= Double(high) else {
                throw located(map["mean"], path + ".mean", "mean \(LevelPlan.compact(mean)) is outside min \(low) to max \(high)", hint: "min <= mean <= max")
            }
            return kind == "normal" ? .normal(mean: mean, stddev: stddev, min: low, max: high)
                : .lognormal(mean: mean, stddev: stddev, min: low, max: high)
        default:
            throw located(kindNode, path + ".distribution", "unknown distribution '\(kind)'", hint: "one of: uniform, normal, lognormal")
        }
    }

    mutating func conversations(_ node: Node) throws -> [Conversation] {
        guard case .sequence(let items) = node, !items.isEmpty else {
            throw located(node, "conversations", "expected a non-empty list of conversations",
                          hint: "each a list of user turns, for example [[\"Hi\", \"Tell me more\"]]")
        }
        return try items.enumerated().map { index, item in
            let path = "conversations[\(index)]"
            guard case .sequence(let turns) = item, !turns.isEmpty else {
                throw located(item, path, "expected a non-empty list of user turns", hint: "[\"first question\", \"follow-up\"]")
            }
            return Conversation(turns: try turns.enumerated().map { try string($1, path: path + "[\($0)]") })
        }
    }
}
