/// One model of the mock's catalogue: the APIs that serve it, its context length and output limit, and prices, as
/// `GET /v1/models` lists them. A request naming a model that is not in the catalogue for its API gets 404.
public struct MockModel: Sendable, Equatable {
    public var id: String
    /// Prompt plus output tokens the model reads and writes at most; a longer prompt is refused (400
    /// `context_length_exceeded`).
    public var contextLength: Int
    public var maxCompletionTokens: Int
    /// USD per token. Illustrative: the mock's own figures, not a price list.
    public var promptPrice: Double
    public var completionPrice: Double
    /// The APIs that serve it, by name: `chat`, `responses`, `messages`, `completions`.
    public var apis: Set<String>

    public init(id: String, contextLength: Int, maxCompletionTokens: Int, promptPrice: Double, completionPrice: Double,
                apis: Set<String>) {
        self.id = id
        self.contextLength = contextLength
        self.maxCompletionTokens = maxCompletionTokens
        self.promptPrice = promptPrice
        self.completionPrice = completionPrice
        self.apis = apis
    }

    /// Every API the mock speaks.
    public static let allAPIs: Set<String> = ["chat", "responses", "messages", "completions"]

    /// SambaNova's production catalogue as the mock serves it: gpt-oss-120b on every API, MiniMax-M2.7 on Chat
    /// Completions and Responses, the others on Chat Completions and Completions (context lengths as published; prices
    /// illustrative).
    public static let catalogue: [MockModel] = [
        MockModel(id: "gpt-oss-120b", contextLength: 131_072, maxCompletionTokens: 131_072, promptPrice: 0.000_000_22,
                  completionPrice: 0.000_000_59, apis: allAPIs),
        MockModel(id: "Meta-Llama-3.3-70B-Instruct", contextLength: 131_072, maxCompletionTokens: 131_072,
                  promptPrice: 0.000_000_6, completionPrice: 0.000_001_2, apis: ["chat", "completions"]),
        MockModel(id: "DeepSeek-V3.1", contextLength: 131_072, maxCompletionTokens: 131_072, promptPrice: 0.000_003,
                  completionPrice: 0.000_004_5, apis: ["chat", "completions"]),
        MockModel(id: "MiniMax-M2.7", contextLength: 196_608, maxCompletionTokens: 196_608, promptPrice: 0.000_000_3,
                  completionPrice: 0.000_001_2, apis: ["chat", "responses"]),
        MockModel(id: "Meta-Llama-3.1-8B-Instruct", contextLength: 16_384, maxCompletionTokens: 16_384,
                  promptPrice: 0.000_000_1, completionPrice: 0.000_000_2, apis: ["chat", "completions"]),
    ]
}
