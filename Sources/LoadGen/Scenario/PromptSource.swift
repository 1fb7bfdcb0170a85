/// Where a scenario's prompts come from (`prompts:`) and how a run picks them. The prompts themselves are resolved
/// when the scenario is read (`Scenario.prompts`); this keeps what is needed to explain them and to build the
/// synthetic prompts of a matrix level's input length.
public struct PromptSource: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Listed in the scenario file.
        case inline
        /// A JSON Lines file: a prompt string or a messages array per line.
        case jsonl(path: String)
        /// A ShareGPT JSON file: the first human turn of each conversation.
        case shareGPT(path: String)
        /// Generated from a seed.
        case synthetic(SyntheticPrompts)

        public var name: String {
            switch self {
            case .inline: return "inline"
            case .jsonl: return "jsonl"
            case .shareGPT: return "sharegpt"
            case .synthetic: return "synthetic"
            }
        }
    }

    public var kind = Kind.inline
    public var sampling = PromptSampling.sequential
    /// Seeds random sampling and synthetic prompts.
    public var seed: UInt64 = 1
    /// Tokens of a common prefix put in front of every prompt (0: none), for prompt-cache studies.
    public var sharedPrefixTokens = 0
    /// Dataset sources: at most this many prompts, the first ones.
    public var limit: Int?
    /// Input tokens of each resolved prompt (shared prefix included, system message not): exact for synthetic
    /// prompts, `TokenEstimator`'s estimate for text.
    public var tokens: [Int] = []
    /// Dataset entries left out because they hold no prompt (ShareGPT conversations without a human turn).
    public var skipped = 0

    public init() {}

    /// The shared prefix's text: the same words for every prompt of a run with this seed.
    public var sharedPrefix: String? {
        sharedPrefixTokens > 0 ? SyntheticPrompts.words(sharedPrefixTokens, seed: seed, stream: SyntheticPrompts.prefixStream) : nil
    }

    /// Puts the shared prefix in front of a prompt: before a text prompt, or into its first message (a system
    /// message of its own when the first message's content is not text).
    public func prefixed(_ prompt: Prompt) -> Prompt {
        guard let prefix = sharedPrefix else { return prompt }
        switch prompt {
        case .text(let text):
            return .text(prefix + " " + text)
        case .messages(var messages):
            if case .string(let content)? = messages.first?["content"] {
                messages[0].set("content", .string(prefix + " " + content))
            } else {
                messages.insert(.object([("role", .string("system")), ("content", .string(prefix))]), at: 0)
            }
            return .messages(messages)
        }
    }

    /// Synthetic prompts of exactly `inputTokens` tokens (plus the shared prefix) for a matrix level, and their
    /// token counts; nil for other sources, whose prompts have the length they have.
    public func prompts(inputTokens: Int) -> (prompts: [Prompt], tokens: [Int])? {
        guard case .synthetic(var synthetic) = kind else { return nil }
        synthetic.length = .fixed(inputTokens)
        let texts = synthetic.texts(seed: seed, prefix: sharedPrefix)
        return (texts.map { .text($0) }, Array(repeating: inputTokens + sharedPrefixTokens, count: texts.count))
    }

    /// One line for `validate` and run.json: "256 synthetic prompts (uniform 100-1000 tokens), picked at random".
    public func summary(count: Int) -> String {
        var text: String
        switch kind {
        case .inline: text = "\(count) inline prompt\(count == 1 ? "" : "s")"
        case .jsonl(let path): text = "\(count) prompt\(count == 1 ? "" : "s") from \(path)"
        case .shareGPT(let path): text = "\(count) prompt\(count == 1 ? "" : "s") from \(path) (ShareGPT\(skipped > 0 ? ", \(skipped) entries without a human turn left out" : ""))"
        case .synthetic(let synthetic): text = "\(count) synthetic prompts (\(synthetic.length.summary) tokens, seed \(seed))"
        }
        if sharedPrefixTokens > 0 { text += " after a shared prefix of \(sharedPrefixTokens) tokens" }
        return text + (sampling == .random ? ", picked at random (seed \(seed))" : ", in turn")
    }
}

/// The order a run takes prompts in.
public enum PromptSampling: String, Sendable, Equatable, CaseIterable {
    /// Request `seq` takes prompt `seq % count`.
    case sequential
    /// Request `seq` takes a prompt drawn from the seed and `seq`: the same seed picks the same prompts.
    case random
}
