/// Builds Chat Completions requests (`POST {base}/chat/completions`) from a scenario.
public struct ChatCompletionsAPI: APIRequestBuilder {
    public let baseURL: String
    public let model: String
    public let stream: Bool
    public let settings: RequestSettings
    public let tools: ToolSettings?

    public init(baseURL: String, model: String, stream: Bool, settings: RequestSettings, tools: ToolSettings? = nil) {
        self.baseURL = APIAdapters.trimmed(baseURL)
        self.model = model
        self.stream = stream
        self.settings = settings
        self.tools = tools
    }

    public var url: String { EndpointURL.appending("/chat/completions", to: baseURL) }

    public func body(history: [HistoryItem]) -> JSONValue {
        var messages: [JSONValue] = []
        for item in history {
            switch item {
            case .prompt(.text(let text)):
                if let system = settings.system {
                    messages.append(.object([("role", .string("system")), ("content", .string(system))]))
                }
                messages.append(.object([("role", .string("user")), ("content", .string(text))]))
            case .prompt(.messages(let given)):
                messages += given
            case .user(let text):
                messages.append(.object([("role", .string("user")), ("content", .string(text))]))
            case .assistant(let output):
                var message = JSONValue.object([("role", .string("assistant")),
                                                ("content", output.text.isEmpty && !output.toolCalls.isEmpty ? .null : .string(output.text))])
                if !output.toolCalls.isEmpty {
                    message.set("tool_calls", .array(output.toolCalls.map { call in
                        .object([("id", .string(call.id)), ("type", .string("function")),
                                 ("function", .object([("name", .string(call.name)), ("arguments", .string(call.arguments))]))])
                    }))
                }
                messages.append(message)
            case .toolResults(let results):
                for result in results {
                    messages.append(.object([("role", .string("tool")), ("tool_call_id", .string(result.callId)),
                                             ("content", .string(result.output))]))
                }
            }
        }
        var body = JSONValue.object([("model", .string(model)), ("messages", .array(messages))])
        if let value = settings.maxTokens { body.set("max_tokens", .number(Double(value))) }
        if let value = settings.temperature { body.set("temperature", .number(value)) }
        if let value = settings.topP { body.set("top_p", .number(value)) }
        if let value = settings.topK { body.set("top_k", .number(Double(value))) }
        if let value = settings.seed { body.set("seed", .number(Double(value))) }
        if let value = settings.stop { body.set("stop", .array(value.map { .string($0) })) }
        if let value = settings.reasoningEffort { body.set("reasoning_effort", .string(value)) }
        if let value = settings.responseFormat { body.set("response_format", value) }
        if let tools {
            body.set("tools", .array(tools.functions.map { function in
                var described = JSONValue.object([("name", .string(function.name))])
                if let text = function.description { described.set("description", .string(text)) }
                described.set("parameters", function.parameters)
                return .object([("type", .string("function")), ("function", described)])
            }))
            if let choice = tools.choice { body.set("tool_choice", .string(choice)) }
        }
        body.set("stream", .bool(stream))
        if stream {
            // Always asked: whether SambaNova sends usage without it is undocumented.
            body.set("stream_options", .object([("include_usage", .bool(true))]))
        }
        for (key, value) in settings.extraBody { body.set(key, value) }
        return body
    }

    public func headers(apiKey: String?) -> [String] {
        var headers = ["Content-Type: application/json", "Accept: \(stream ? "text/event-stream" : "application/json")"]
        if let apiKey { headers.append("Authorization: Bearer \(apiKey)") }
        return headers
    }
}
