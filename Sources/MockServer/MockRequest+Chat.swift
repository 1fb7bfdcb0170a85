import Foundation

extension MockRequest {
    /// Chat Completions: `messages` (the last one of role `tool` is a tool result), `max_completion_tokens` or
    /// `max_tokens`, `tools` as `{"type":"function","function":{"name","parameters"}}`.
    static func chat(_ object: [String: Any], model: String) throws -> MockRequest {
        guard let messages = object["messages"] as? [[String: Any]], !messages.isEmpty else {
            throw MockError.invalid("Missing required field: messages", code: "missing_required_field")
        }
        var request = MockRequest(model: model, stream: (object["stream"] as? Bool) ?? false,
                                  maxTokens: try limit(object["max_completion_tokens"] ?? object["max_tokens"],
                                                       name: "max_tokens"),
                                  promptTokens: tokens(ofPromptBytes: textBytes(messages)))
        request.tools = try tools(object["tools"], function: { tool in
            (tool["type"] as? String ?? "function") == "function" ? tool["function"] as? [String: Any] ?? [:] : nil
        }, schemaKey: "parameters")
        request.endsWithToolResult = messages.last?["role"] as? String == "tool"
        request.toolChoiceNone = object["tool_choice"] as? String == "none"
        return request
    }
}
