/// Builds Chat Completions requests (`POST {base}/chat/completions`) from a scenario.
public struct ChatCompletionsAPI: Sendable {
    public let baseURL: String
    public let model: String
    public let stream: Bool
    public let settings: RequestSettings

    public init(baseURL: String, model: String, stream: Bool, settings: RequestSettings) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.model = model
        self.stream = stream
        self.settings = settings
    }

    public var url: String { baseURL + "/chat/completions" }

    /// The JSON body for one prompt. Key order is fixed so bodies are reproducible.
    public func body(for prompt: Prompt) -> JSONValue {
        var messages: [JSONValue] = []
        switch prompt {
        case .text(let text):
            if let system = settings.system {
                messages.append(.object([("role", .string("system")), ("content", .string(system))]))
            }
            messages.append(.object([("role", .string("user")), ("content", .string(text))]))
        case .messages(let given):
            messages = given
        }
        var body = JSONValue.object([("model", .string(model)), ("messages", .array(messages))])
        if let value = settings.maxTokens { body.set("max_tokens", .number(Double(value))) }
        if let value = settings.temperature { body.set("temperature", .number(value)) }
        if let value = settings.topP { body.set("top_p", .number(value)) }
        if let value = settings.topK { body.set("top_k", .number(Double(value))) }
        if let value = settings.seed { body.set("seed", .number(Double(value))) }
        if let value = settings.stop { body.set("stop", .array(value.map { .string($0) })) }
        body.set("stream", .bool(stream))
        if stream {
            // Always asked: whether SambaNova sends usage without it is undocumented.
            body.set("stream_options", .object([("include_usage", .bool(true))]))
        }
        for (key, value) in settings.extraBody { body.set(key, value) }
        return body
    }

    public func request(for prompt: Prompt, apiKey: String?) -> HTTPRequest {
        var headers = ["Content-Type: application/json", "Accept: \(stream ? "text/event-stream" : "application/json")"]
        if let apiKey { headers.append("Authorization: Bearer \(apiKey)") }
        return HTTPRequest(url: url, headers: headers, body: Array(body(for: prompt).serialized.utf8))
    }
}
