import Foundation

/// Makes the requests of a run: the opening request of each prompt (or conversation) of each prompt-pool variant
/// (a matrix level's own prompts and max_tokens), prepared once and picked by sequence number and level, and the
/// later turns of conversations and tool flows, built from their history.
public struct RequestFactory: Sendable {
    public let api: APIKind
    public let model: String
    public var options: TransferOptions
    public let prompts: PromptPool
    public let tools: ToolSettings?
    /// Keep each answer on its record (`record_text`).
    public let recordText: Bool
    public let retries: RetryPolicy
    private let apiKey: String?
    /// One builder per pool variant (its max_tokens).
    private let builders: [any APIRequestBuilder]
    private let prepared: [[HTTPRequest]]
    /// The user turns after the first, per conversation (indexed like the pool's prompts; empty for plain prompts).
    private let followUps: [[String]]

    public init(scenario: Scenario, baseURL: String, apiKey: String?, levels: [LevelPlan] = []) {
        var source = scenario
        if !scenario.conversations.isEmpty {
            // A conversation's first turn is its prompt; the pool picks conversations as it picks prompts.
            source.prompts = scenario.conversations.map { .text($0.turns.first ?? "") }
        }
        self.api = scenario.api
        self.model = scenario.model
        self.tools = scenario.tools
        self.recordText = scenario.recordText
        self.retries = scenario.retries
        self.apiKey = apiKey
        self.prompts = PromptPool(scenario: source, levels: levels)
        self.followUps = scenario.conversations.map { Array($0.turns.dropFirst()) }
        self.builders = prompts.variants.map { variant in
            var variantScenario = source
            if let maxTokens = variant.maxTokens { variantScenario.request.maxTokens = maxTokens }
            return APIAdapters.builder(for: variantScenario, baseURL: baseURL)
        }
        self.prepared = zip(prompts.variants, builders).map { variant, builder in
            variant.prompts.map { builder.request(for: $0, apiKey: apiKey) }
        }
        // With a tokenizer the stream's events are kept, to be tokenized once the record is built.
        let decoder: any StreamDecoder = scenario.tokenizer.map { TextKeepingDecoder(APIAdapters.decoder(for: scenario.api), tokenizer: $0.tokenizer) }
            ?? APIAdapters.decoder(for: scenario.api)
        self.options = TransferOptions(streaming: scenario.stream, decoder: decoder,
                                       timeouts: scenario.timeouts, maxChunks: scenario.limits.maxChunksPerRequest,
                                       insecure: scenario.insecure,
                                       followRedirects: scenario.followRedirects,
                                       captureOutput: scenario.hasFollowUps || scenario.recordText,
                                       expectedModel: scenario.model)
    }

    /// The opening request of conversation (or prompt) `seq` in `level`.
    public func request(seq: Int, level: String = "") -> HTTPRequest {
        let (variant, index) = prompts.pick(seq: seq, level: level)
        return prepared[variant][index]
    }

    /// Whether an answer can lead to another request.
    public var hasFollowUps: Bool { tools != nil || followUps.contains { !$0.isEmpty } }

    public func opening(seq: Int, level: String = "") -> Prompt { prompts.prompt(seq: seq, level: level) }

    public func followUps(seq: Int, level: String = "") -> [String] {
        guard !followUps.isEmpty else { return [] }
        return followUps[prompts.pick(seq: seq, level: level).index % followUps.count]
    }

    /// A later turn's request, built from the conversation so far.
    public func request(history: [HistoryItem], level: String = "") -> HTTPRequest {
        builders[prompts.pick(seq: 0, level: level).variant].request(history: history, apiKey: apiKey)
    }

    /// `text` with the API key (if it appears, e.g. echoed in a server's error message) replaced by `[redacted]`.
    public func redact(_ text: String) -> String {
        guard let apiKey, apiKey.count >= 4, text.contains(apiKey) else { return text }
        return text.replacingOccurrences(of: apiKey, with: "[redacted]")
    }
}
