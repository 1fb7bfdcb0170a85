import Foundation

extension MockRequest {
    /// Chat Completions: `messages` (the last one of role `tool` is a tool result), `max_completion_tokens` or
    /// `max_tokens`, `tools` as `{"type":"function","function":{"name","parameters"}}`, `tool_choice`, `n`, `stop`,
    /// `seed`, `response_format`. Penalties and `logit_bias` are accepted and ignored, as SambaNova does.
    static func chat(_ object: [String: Any], model: String) throws -> MockRequest {
        guard let messages = object["messages"] as? [[String: Any]], !messages.isEmpty else {
            throw MockError.invalid("Missing required field: messages", code: "missing_required_field", param: "messages")
        }
        var request = MockRequest(model: model, stream: (object["stream"] as? Bool) ?? false,
                                  maxTokens: try limit(object["max_completion_tokens"] ?? object["max_tokens"],
                                                       name: object["max_completion_tokens"] is NSNumber ? "max_completion_tokens" : "max_tokens"),
                                  promptTokens: tokens(ofPromptBytes: textBytes(messages)))
        request.tools = try tools(object["tools"], function: { tool in
            (tool["type"] as? String ?? "function") == "function" ? tool["function"] as? [String: Any] ?? [:] : nil
        }, schemaKey: "parameters")
        request.endsWithToolResult = messages.last?["role"] as? String == "tool"
        try request.readToolChoice(object["tool_choice"])
        request.choices = (object["n"] as? NSNumber)?.intValue ?? 1
        if request.choices > 1, !request.tools.isEmpty {
            throw MockError.invalid("Invalid 'n': only n = 1 is supported when tools are given.", code: "invalid_value",
                                    param: "n")
        }
        request.stop = stopSequences(object["stop"])
        request.seed = seed(object["seed"])
        request.format = MockFormat(object["response_format"])
        return request
    }
}
