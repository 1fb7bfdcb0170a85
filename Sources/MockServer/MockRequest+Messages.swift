import Foundation

extension MockRequest {
    /// Messages: `max_tokens` (required), `messages` with string or block content (a last user message holding a
    /// `tool_result` block answers a tool), top-level `system`, `tools` as `{"name","description","input_schema"}`,
    /// `tool_choice` (`auto`, `any`, `tool`, `none`), `stop_sequences`. What SambaNova documents as unsupported is a
    /// 400: server tools, `document` blocks, images by URL, `thinking` enabled or adaptive.
    static func messages(_ object: [String: Any], model: String) throws -> MockRequest {
        guard object["max_tokens"] != nil else {
            throw MockError.invalid("max_tokens: Field required", code: "missing_required_field", param: "max_tokens")
        }
        guard let messages = object["messages"] as? [[String: Any]], !messages.isEmpty else {
            throw MockError.invalid("messages: Field required", code: "missing_required_field", param: "messages")
        }
        for (index, message) in messages.enumerated() {
            guard ["user", "assistant"].contains(message["role"] as? String) else {
                throw MockError.invalid("messages.\(index).role: Input should be 'user' or 'assistant'", code: "invalid_value")
            }
            for (blockIndex, element) in ((message["content"] as? [Any]) ?? []).enumerated() {
                guard let block = element as? [String: Any] else { continue }
                let at = "messages.\(index).content.\(blockIndex)"
                switch block["type"] as? String {
                case "document":
                    throw MockError.invalid("\(at): document blocks are not supported", code: "unsupported_content_type")
                case "image" where (block["source"] as? [String: Any])?["type"] as? String == "url":
                    throw MockError.invalid("\(at).source: images by URL are not supported; send them base64-encoded",
                                            code: "unsupported_content_type")
                default:
                    break
                }
            }
        }
        if let thinking = (object["thinking"] as? [String: Any])?["type"] as? String, thinking != "disabled" {
            throw MockError.invalid("thinking: type '\(thinking)' is not supported (models think without it; only 'disabled' is accepted)",
                                    code: "unsupported_parameter")
        }
        for (index, element) in ((object["tools"] as? [Any]) ?? []).enumerated() {
            if let type = (element as? [String: Any])?["type"] as? String, type != "custom" {
                throw MockError.invalid("tools.\(index).type: server tools ('\(type)') are not supported; only custom tools are",
                                        code: "unsupported_tool_type")
            }
        }
        var request = MockRequest(model: model, stream: (object["stream"] as? Bool) ?? false,
                                  maxTokens: try limit(object["max_tokens"], name: "max_tokens"),
                                  promptTokens: tokens(ofPromptBytes: textBytes(messages) + textBytes(object["system"])))
        request.tools = try tools(object["tools"], function: { tool in
            (tool["type"] as? String ?? "custom") == "custom" ? tool : nil
        }, schemaKey: "input_schema")
        let last = messages[messages.count - 1]
        request.endsWithToolResult = last["role"] as? String == "user"
            && ((last["content"] as? [Any]) ?? []).contains { ($0 as? [String: Any])?["type"] as? String == "tool_result" }
        if let choice = object["tool_choice"] as? [String: Any] {
            switch choice["type"] as? String {
            case "none": request.toolChoiceNone = true
            case "any": request.toolRequired = true
            case "tool":
                guard let name = choice["name"] as? String, request.tools.contains(where: { $0.name == name }) else {
                    throw MockError.invalid("tool_choice.name: no tool named '\(choice["name"] as? String ?? "")' among the tools offered",
                                            code: "invalid_value")
                }
                request.forcedTool = name
                request.toolRequired = true
            default: break
            }
            if request.toolRequired, request.tools.isEmpty {
                throw MockError.invalid("tool_choice: a tool call is required but no tools are offered", code: "invalid_value")
            }
        }
        request.stop = stopSequences(object["stop_sequences"])
        return request
    }
}
