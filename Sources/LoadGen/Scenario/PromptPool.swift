/// The prompts a run sends, grouped into variants: the scenario's resolved list, and for each matrix level with an
/// input length or a max_tokens of its own, the prompts and max_tokens of that level. A request is picked by its
/// sequence number, in turn or at random from the seed, so the same scenario sends the same prompts.
public struct PromptPool: Sendable {
    public struct Variant: Sendable, Equatable {
        public var prompts: [Prompt]
        /// Input tokens of each prompt, without chat-template overhead: exact for synthetic prompts, else estimated.
        public var inputTokens: [Int]
        /// Replaces `request.max_tokens` for this variant's levels.
        public var maxTokens: Int?
    }

    /// Variant 0 is the scenario's own; levels without a variant of their own use it.
    public let variants: [Variant]
    private let variantOfLevel: [String: Int]
    public let sampling: PromptSampling
    public let seed: UInt64
    /// How `inputTokens` were counted: by the scenario's tokenizer (exact for the prompt's text), or estimated.
    public let inputTokenSource: TokenSource

    public init(scenario: Scenario, levels: [LevelPlan] = []) {
        let estimator = TokenEstimator(model: scenario.model)
        let system = scenario.request.system
        let tokenizer = scenario.tokenizer?.tokenizer
        func estimates(_ prompts: [Prompt], known: [Int]) -> [Int] {
            if let tokenizer {
                // Every message's text counted by the tokenizer (chat-template tokens around them are not).
                return prompts.map { prompt in
                    switch prompt {
                    case .text(let text):
                        return tokenizer.count(text) + (system.map { tokenizer.count($0) } ?? 0)
                    case .messages(let messages):
                        return messages.reduce(0) { $0 + tokenizer.count(TokenEstimator.text(of: $1["content"])) }
                    }
                }
            }
            return prompts.enumerated().map { index, prompt in
                guard index < known.count else { return estimator.tokens(in: prompt, system: system) }
                if case .text = prompt, let system { return known[index] + estimator.tokens(in: system) }
                return known[index]
            }
        }
        var variants = [Variant(prompts: scenario.prompts,
                                inputTokens: estimates(scenario.prompts, known: scenario.promptSource.tokens), maxTokens: nil)]
        var variantOfLevel: [String: Int] = [:]
        var keys: [String: Int] = [:]
        for level in levels where level.inputTokens != nil || level.maxTokens != nil {
            let key = "\(level.inputTokens ?? 0)/\(level.maxTokens ?? 0)"
            if let existing = keys[key] {
                variantOfLevel[level.name] = existing
                continue
            }
            var variant = Variant(prompts: variants[0].prompts, inputTokens: variants[0].inputTokens, maxTokens: level.maxTokens)
            if let length = level.inputTokens, let synthetic = scenario.promptSource.prompts(inputTokens: length) {
                variant.prompts = synthetic.prompts
                variant.inputTokens = estimates(synthetic.prompts, known: synthetic.tokens)
            }
            keys[key] = variants.count
            variantOfLevel[level.name] = variants.count
            variants.append(variant)
        }
        self.variants = variants
        self.variantOfLevel = variantOfLevel
        self.sampling = scenario.promptSource.sampling
        self.seed = scenario.promptSource.seed
        self.inputTokenSource = tokenizer == nil ? .estimate : .tokenizer
    }

    /// The variant and prompt index request `seq` of `level` takes.
    public func pick(seq: Int, level: String) -> (variant: Int, index: Int) {
        let variant = variantOfLevel[level] ?? 0
        let count = variants[variant].prompts.count
        switch sampling {
        case .sequential:
            return (variant, seq % count)
        case .random:
            var random = SyntheticPrompts.generator(seed: seed, stream: UInt64(seq) | 1 << 63)
            return (variant, Int(random.next() % UInt64(count)))
        }
    }

    public func prompt(seq: Int, level: String) -> Prompt {
        let (variant, index) = pick(seq: seq, level: level)
        return variants[variant].prompts[index]
    }

    /// The local count (`inputTokenSource`) of request `seq`'s input tokens, for a record whose server sent no usage.
    public func inputTokens(seq: Int, level: String) -> Int {
        let (variant, index) = pick(seq: seq, level: level)
        return variants[variant].inputTokens[index]
    }
}
