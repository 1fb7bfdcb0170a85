/// Builds OpenAI-style Responses requests (`POST {base}/responses`, stateless: no `previous_response_id`).
///
/// A single text prompt is sent as the `input` string; a conversation as input items: user messages, the earlier
/// turns' output items exactly as the server finished them (reasoning, message and function_call items), and a
/// `function_call_output` item per canned tool result. The scenario's system text is `instructions`.
public struct ResponsesAPI: APIRequestBuilder {
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

    public var url: String { EndpointURL.appending("/responses", to: baseURL) }

    public func body(history: [HistoryItem]) -> JSONValue {
        let input: JSONValue
        if history.count == 1, case .prompt(.text(let text)) = history[0] {
            input = .string(text)
        } else {
            input = .array(history.flatMap(Self.items))
        }
        var body = JSONValue.object([("model", .string(model)), ("input", input)])
        if let value = settings.system { body.set("instructions", .string(value)) }
        if let value = settings.maxTokens { body.set("max_output_tokens", .number(Double(value))) }
        if let value = settings.temperature { body.set("temperature", .number(value)) }
        if let value = settings.topP { body.set("top_p", .number(value)) }
        if let value = settings.responseFormat { body.set("text", .object([("format", value)])) }
        if let value = settings.reasoningEffort { body.set("reasoning", .object([("effort", .string(value))])) }
        if let tools {
            body.set("tools", .array(tools.functions.map { function in
                var described = JSONValue.object([("type", .string("function")), ("name", .string(function.name))])
                if let text = function.description { described.set("description", .string(text)) }
                described.set("parameters", function.parameters)
                return described
            }))
            if let choice = tools.choice { body.set("tool_choice", .string(choice)) }
        }
        body.set("stream", .bool(stream))
        for (key, value) in settings.extraBody { body.set(key, value) }
        return body
    }

    static func items(_ item: HistoryItem) -> [JSONValue] {
        switch item {
        case .prompt(.text(let text)), .user(let text):
            return [.object([("role", .string("user")), ("content", .string(text))])]
        case .prompt(.messages(let given)):
            return given
        case .assistant(let output):
            if !output.items.isEmpty { return output.items }
            // No items were seen (a server that skipped output_item.done): rebuild them from what was generated.
            var items: [JSONValue] = []
            if !output.text.isEmpty {
                items.append(.object([("type", .string("message")), ("role", .string("assistant")),
                                      ("content", .array([.object([("type", .string("output_text")),
                                                                   ("text", .string(output.text))])]))]))
            }
            for call in output.toolCalls {
                items.append(.object([("type", .string("function_call")), ("call_id", .string(call.id)),
                                      ("name", .string(call.name)), ("arguments", .string(call.arguments))]))
            }
            return items
        case .toolResults(let results):
            return results.map {
                .object([("type", .string("function_call_output")), ("call_id", .string($0.callId)),
                         ("output", .string($0.output))])
            }
        }
    }

    public func headers(apiKey: String?) -> [String] {
        var headers = ["Content-Type: application/json", "Accept: \(stream ? "text/event-stream" : "application/json")"]
        if let apiKey { headers.append("Authorization: Bearer \(apiKey)") }
        return headers
    }
}
