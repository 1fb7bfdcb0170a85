import Foundation

extension MockRequest {
    /// Messages: `max_tokens` (required), `messages` with string or block content (a last user message holding a
    /// `tool_result` block answers a tool), top-level `system`, `tools` as `{"name","description","input_schema"}`.
    static func messages(_ object: [String: Any], model: String) throws -> MockRequest {
        guard object["max_tokens"] != nil else {
            throw MockError.invalid("max_tokens: Field required", code: "missing_required_field")
        }
        guard let messages = object["messages"] as? [[String: Any]], !messages.isEmpty else {
            throw MockError.invalid("messages: Field required", code: "missing_required_field")
        }
        for (index, message) in messages.enumerated() where !["user", "assistant"].contains(message["role"] as? String) {
            throw MockError.invalid("messages.\(index).role: Input should be 'user' or 'assistant'", code: "invalid_value")
        }
        var request = MockRequest(model: model, stream: (object["stream"] as? Bool) ?? false,
                                  maxTokens: try limit(object["max_tokens"], name: "max_tokens"),
                                  promptTokens: tokens(ofPromptBytes: textBytes(messages) + textBytes(object["system"])))
        // Tools without a type are custom (function) tools; typed ones are Anthropic's server tools.
        request.tools = try tools(object["tools"], function: { tool in
            (tool["type"] as? String ?? "custom") == "custom" ? tool : nil
        }, schemaKey: "input_schema")
        let last = messages[messages.count - 1]
        request.endsWithToolResult = last["role"] as? String == "user"
            && ((last["content"] as? [Any]) ?? []).contains { ($0 as? [String: Any])?["type"] as? String == "tool_result" }
        request.toolChoiceNone = (object["tool_choice"] as? [String: Any])?["type"] as? String == "none"
        return request
    }
}
