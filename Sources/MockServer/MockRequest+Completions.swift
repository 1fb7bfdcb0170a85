import Foundation

extension MockRequest {
    /// Text completions: `prompt` (a string), `max_completion_tokens` or `max_tokens`, `n`, `stop`, `seed`. No tools:
    /// the answer is text.
    static func completions(_ object: [String: Any], model: String) throws -> MockRequest {
        guard let prompt = object["prompt"], !(prompt is NSNull) else {
            throw MockError.invalid("Missing required field: prompt", code: "missing_required_field", param: "prompt")
        }
        guard let text = prompt as? String else {
            throw MockError.invalid("prompt must be a string", code: "invalid_type", param: "prompt")
        }
        var request = MockRequest(model: model, stream: (object["stream"] as? Bool) ?? false,
                                  maxTokens: try limit(object["max_completion_tokens"] ?? object["max_tokens"], name: "max_tokens"),
                                  promptTokens: tokens(ofPromptBytes: text.utf8.count))
        request.choices = (object["n"] as? NSNumber)?.intValue ?? 1
        request.stop = stopSequences(object["stop"])
        request.seed = seed(object["seed"])
        return request
    }
}
