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
        try request.readToolChoice(object["tool_choice"])
        request.format = MockFormat((object["text"] as? [String: Any])?["format"])
        request.seed = seed(object["seed"])
        // The response object repeats the request's parameters, with the service's defaults for those not given.
        for (name, fallback) in Self.echoedDefaults {
            let value = object[name]
            request.echoed[name] = value == nil || value is NSNull ? fallback : MockJSON.fragment(value!)
        }
        if object["reasoning"] is [String: Any] {
            let effort = (object["reasoning"] as? [String: Any])?["effort"] as? String
            request.echoed["reasoning"] = #"{"effort":\#(effort.map(MockJSON.string) ?? "null"),"summary":null}"#
        }
        return request
    }

    /// Parameters a Responses object echoes, and what it says when the request left them out.
    private static let echoedDefaults: [(String, String)] = [
        ("temperature", "1.0"), ("top_p", "1.0"), ("tool_choice", #""auto""#), ("text", #"{"format":{"type":"text"}}"#),
        ("reasoning", #"{"effort":null,"summary":null}"#), ("parallel_tool_calls", "true"), ("store", "false"),
        ("truncation", #""disabled""#), ("metadata", "{}"), ("user", "null"), ("background", "false"),
        ("service_tier", #""default""#), ("frequency_penalty", "0.0"), ("presence_penalty", "0.0"),
        ("max_tool_calls", "null"), ("top_logprobs", "null"), ("previous_response_id", "null"),
    ]

    private static let responsesItemTypes: Set = ["message", "function_call", "function_call_output", "reasoning"]
}
