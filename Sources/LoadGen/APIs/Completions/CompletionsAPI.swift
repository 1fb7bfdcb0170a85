/// Builds SambaNova's legacy text completions requests (`POST {base}/completions`, docs/wire-formats.md, Text
/// completions): the prompt is one string, sent as it is (no chat template is applied by the client).
///
/// A prompt given as a messages array (a dataset's conversation) is sent as the text of its messages joined by a
/// blank line, roles left out. Conversations and tools are refused by `CompletionsDefinition`; should a later turn
/// still be asked for, the history's texts are joined the same way.
public struct CompletionsAPI: APIRequestBuilder {
    public let baseURL: String
    public let model: String
    public let stream: Bool
    public let settings: RequestSettings

    public init(baseURL: String, model: String, stream: Bool, settings: RequestSettings) {
        self.baseURL = APIRegistry.trimmed(baseURL)
        self.model = model
        self.stream = stream
        self.settings = settings
    }

    public var url: String { EndpointURL.appending("/completions", to: baseURL) }

    public func body(history: [HistoryItem]) -> JSONValue {
        var parts: [String] = []
        for item in history {
            switch item {
            case .prompt(.text(let text)), .user(let text):
                parts.append(text)
            case .prompt(.messages(let given)):
                parts += given.compactMap(Self.text(of:))
            case .assistant(let output):
                if !output.text.isEmpty { parts.append(output.text) }
            case .toolResults(let results):
                parts += results.map(\.output)
            }
        }
        var body = JSONValue.object([("model", .string(model)), ("prompt", .string(parts.joined(separator: "\n\n")))])
        if let value = settings.maxTokens { body.set("max_tokens", .number(Double(value))) }
        if let value = settings.temperature { body.set("temperature", .number(value)) }
        if let value = settings.topP { body.set("top_p", .number(value)) }
        if let value = settings.topK { body.set("top_k", .number(Double(value))) }
        if let value = settings.seed { body.set("seed", .number(Double(value))) }
        if let value = settings.stop { body.set("stop", .array(value.map { .string($0) })) }
        body.set("stream", .bool(stream))
        if stream {
            // Always asked, as for chat: the usage chunk carries the token counts and SambaNova's timings.
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

    /// A message's text: its `content` string, or the `text` of its content parts.
    static func text(of message: JSONValue) -> String? {
        switch message["content"] {
        case .string(let text):
            return text
        case .array(let parts):
            let texts = parts.compactMap { part -> String? in
                if case .string(let text) = part["text"] { return text }
                return nil
            }
            return texts.isEmpty ? nil : texts.joined()
        default:
            return nil
        }
    }
}
