/// Makes the requests of a run: one prepared request per prompt of each prompt-pool variant (a matrix level's own
/// prompts and max_tokens), picked by sequence number and level.
public struct RequestFactory: Sendable {
    public let api: APIKind
    public let model: String
    public var options: TransferOptions
    public let prompts: PromptPool
    private let prepared: [[HTTPRequest]]

    public init(scenario: Scenario, baseURL: String, apiKey: String?, levels: [LevelPlan] = []) {
        self.api = scenario.api
        self.model = scenario.model
        self.prompts = PromptPool(scenario: scenario, levels: levels)
        self.prepared = prompts.variants.map { variant in
            var settings = scenario.request
            if let maxTokens = variant.maxTokens { settings.maxTokens = maxTokens }
            let chat = ChatCompletionsAPI(baseURL: baseURL, model: scenario.model, stream: scenario.stream, settings: settings)
            return variant.prompts.map { chat.request(for: $0, apiKey: apiKey) }
        }
        self.options = TransferOptions(streaming: scenario.stream, decoder: ChatCompletionsDecoder(),
                                       timeouts: scenario.timeouts, insecure: scenario.insecure)
    }

    public func request(seq: Int, level: String = "") -> HTTPRequest {
        let (variant, index) = prompts.pick(seq: seq, level: level)
        return prepared[variant][index]
    }
}

/// Sends one request and turns what came back into a record.
public struct RequestExecutor: Sendable {
    public let transport: CurlTransport
    public let factory: RequestFactory

    public init(transport: CurlTransport, factory: RequestFactory) {
        self.transport = transport
        self.factory = factory
    }

    public func execute(_ context: DispatchContext) async -> RequestRecord {
        let outcome = await transport.perform(factory.request(seq: context.seq, level: context.levelName), options: factory.options)
        var record = RecordBuilder.build(outcome, context: context, api: factory.api, model: factory.model,
                                         streaming: factory.options.streaming, decoder: factory.options.decoder)
        if record.inputTokens == nil {
            record.inputTokens = factory.prompts.inputTokens(seq: context.seq, level: context.levelName)
            record.inputTokenSource = .estimate
        }
        return record
    }
}
