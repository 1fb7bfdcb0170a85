import Foundation

extension MockRequest {
    /// Responses: `input` as a string or a list of items (messages, function calls, function call outputs,
    /// reasoning; a last `function_call_output` is a tool result), `instructions`, `max_output_tokens`, `tools` as
    /// `{"type":"function","name","parameters"}`.
    static func responses(_ object: [String: Any], model: String) throws -> MockRequest {
        let items: [[String: Any]]
        switch object["input"] {
        case let text as String:
            items = [["role": "user", "content": text]]
        case let list as [Any]:
            items = try list.enumerated().map { index, element in
                guard let item = element as? [String: Any] else {
                    throw MockError.invalid("input[\(index)] must be an object", code: "invalid_type")
                }
                let type = item["type"] as? String ?? "message"
                guard Self.responsesItemTypes.contains(type) else {
                    throw MockError.invalid("input[\(index)]: unsupported item type '\(type)'", code: "invalid_type")
                }
                if type == "message", !(item["role"] is String) {
                    throw MockError.invalid("input[\(index)]: missing required field role", code: "missing_required_field")
                }
                return item
            }
        default:
            throw MockError.invalid("Missing required field: input", code: "missing_required_field")
        }
        guard !items.isEmpty else { throw MockError.invalid("input must not be empty", code: "invalid_value") }
        let instructions = object["instructions"] as? String
        var request = MockRequest(model: model, stream: (object["stream"] as? Bool) ?? false,
                                  maxTokens: try limit(object["max_output_tokens"], name: "max_output_tokens"),
                                  promptTokens: tokens(ofPromptBytes: textBytes(items) + textBytes(instructions)))
        request.tools = try tools(object["tools"], function: { tool in tool["type"] as? String == "function" ? tool : nil },
                                  schemaKey: "parameters")
        if let tools = object["tools"] as? [Any],
           let data = try? JSONSerialization.data(withJSONObject: tools, options: [.sortedKeys, .withoutEscapingSlashes]) {
            request.toolsJSON = String(decoding: data, as: UTF8.self)
        }
        request.instructions = instructions
        request.endsWithToolResult = items.last?["type"] as? String == "function_call_output"
        request.toolChoiceNone = object["tool_choice"] as? String == "none"
        return request
    }

    private static let responsesItemTypes: Set = ["message", "function_call", "function_call_output", "reasoning"]
}
