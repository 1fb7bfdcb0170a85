/// Builds Anthropic-style Messages requests (`POST {base}/messages`).
///
/// The system text (the scenario's, or system-role messages of a given messages array) goes to the top-level
/// `system`. Earlier answers go back as assistant content blocks (thinking with its signature, text, tool_use);
/// canned tool results as a user message of `tool_result` blocks.
public struct MessagesAPI: APIRequestBuilder {
    public let baseURL: String
    public let model: String
    public let stream: Bool
    public let settings: RequestSettings
    public let tools: ToolSettings?
    public let auth: AuthStyle
    public let anthropicVersion: String

    /// `max_tokens` is required by the API; the scenario reader insists on it, this is the last resort.
    static let fallbackMaxTokens = 1024

    public init(baseURL: String, model: String, stream: Bool, settings: RequestSettings, tools: ToolSettings? = nil,
                auth: AuthStyle = .bearer, anthropicVersion: String = "2023-06-01") {
        self.baseURL = APIAdapters.trimmed(baseURL)
        self.model = model
        self.stream = stream
        self.settings = settings
        self.tools = tools
        self.auth = auth
        self.anthropicVersion = anthropicVersion
    }

    public var url: String { EndpointURL.appending("/messages", to: baseURL) }

    public func body(history: [HistoryItem]) -> JSONValue {
        var system: [String] = settings.system.map { [$0] } ?? []
        var messages: [JSONValue] = []
        for item in history {
            switch item {
            case .prompt(.text(let text)), .user(let text):
                messages.append(.object([("role", .string("user")), ("content", .string(text))]))
            case .prompt(.messages(let given)):
                for message in given {
                    if message["role"] == .string("system") {
                        if case .string(let text)? = message["content"] { system.append(text) }
                    } else {
                        messages.append(message)
                    }
                }
            case .assistant(let output):
                var blocks: [JSONValue] = []
                if !output.reasoning.isEmpty, let signature = output.reasoningSignature {
                    blocks.append(.object([("type", .string("thinking")), ("thinking", .string(output.reasoning)),
                                           ("signature", .string(signature))]))
                }
                if !output.text.isEmpty {
                    blocks.append(.object([("type", .string("text")), ("text", .string(output.text))]))
                }
                for call in output.toolCalls {
                    blocks.append(.object([("type", .string("tool_use")), ("id", .string(call.id)),
                                           ("name", .string(call.name)), ("input", call.argumentsJSON)]))
                }
                if blocks.isEmpty { blocks.append(.object([("type", .string("text")), ("text", .string(""))])) }
                messages.append(.object([("role", .string("assistant")), ("content", .array(blocks))]))
            case .toolResults(let results):
                messages.append(.object([("role", .string("user")), ("content", .array(results.map {
                    .object([("type", .string("tool_result")), ("tool_use_id", .string($0.callId)),
                             ("content", .string($0.output))])
                }))]))
            }
        }
        var body = JSONValue.object([("model", .string(model)),
                                     ("max_tokens", .number(Double(settings.maxTokens ?? Self.fallbackMaxTokens)))])
        if !system.isEmpty { body.set("system", .string(system.joined(separator: "\n\n"))) }
        body.set("messages", .array(messages))
        if let value = settings.temperature { body.set("temperature", .number(value)) }
        if let value = settings.topP { body.set("top_p", .number(value)) }
        if let value = settings.topK { body.set("top_k", .number(Double(value))) }
        if let value = settings.stop { body.set("stop_sequences", .array(value.map { .string($0) })) }
        if let tools {
            body.set("tools", .array(tools.functions.map { function in
                var described = JSONValue.object([("name", .string(function.name))])
                if let text = function.description { described.set("description", .string(text)) }
                described.set("input_schema", function.parameters)
                return described
            }))
            if let choice = tools.choice {
                // Messages names them auto | any | none.
                body.set("tool_choice", .object([("type", .string(choice == "required" ? "any" : choice))]))
            }
        }
        body.set("stream", .bool(stream))
        for (key, value) in settings.extraBody { body.set(key, value) }
        return body
    }

    public func headers(apiKey: String?) -> [String] {
        var headers = ["Content-Type: application/json", "Accept: \(stream ? "text/event-stream" : "application/json")",
                       "anthropic-version: \(anthropicVersion)"]
        if let apiKey {
            switch auth {
            case .bearer: headers.append("Authorization: Bearer \(apiKey)")
            case .xApiKey: headers.append("x-api-key: \(apiKey)")
            case .none: break
            }
        }
        return headers
    }
}
