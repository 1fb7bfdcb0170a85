import Yams

/// `request:`: the generation settings sent with every request.
extension ScenarioReader {
    static let requestKeys = ["max_tokens", "temperature", "top_p", "top_k", "seed", "stop", "system", "extra_body",
                              "reasoning_effort", "response_format"]

    mutating func request(_ node: Node) throws -> RequestSettings {
        let map = try mapping(node, path: "request", allowed: Self.requestKeys)
        var settings = RequestSettings()
        if let n = map["max_tokens"] { settings.maxTokens = try int(n, path: "request.max_tokens", in: 1...10_000_000) }
        if let n = map["temperature"] { settings.temperature = try double(n, path: "request.temperature", in: 0...2) }
        if let n = map["top_p"] {
            settings.topP = try double(n, path: "request.top_p", in: 0...1)
            if settings.topP == 0 { throw located(n, "request.top_p", "must be above 0", hint: "a number in (0, 1]") }
        }
        if let n = map["top_k"] { settings.topK = try int(n, path: "request.top_k", in: 1...1_000_000) }
        if let n = map["seed"] { settings.seed = try int(n, path: "request.seed", in: Int.min...Int.max) }
        if let n = map["system"] { settings.system = try string(n, path: "request.system") }
        if let n = map["reasoning_effort"] {
            settings.reasoningEffort = try string(n, path: "request.reasoning_effort")
            guard ["low", "medium", "high"].contains(settings.reasoningEffort!) else {
                throw located(n, "request.reasoning_effort", "unknown effort '\(settings.reasoningEffort!)'", hint: "one of: low, medium, high")
            }
        }
        if let n = map["response_format"] {
            let format = try json(n, path: "request.response_format")
            guard case .string(let type)? = format["type"], ["json_object", "json_schema", "text"].contains(type) else {
                throw located(n, "request.response_format", "expected a mapping with type json_object, json_schema or text",
                              hint: "for example {type: json_object}")
            }
            settings.responseFormat = format
        }
        if let n = map["stop"] {
            if case .sequence(let items) = n {
                settings.stop = try items.enumerated().map { try string($1, path: "request.stop[\($0)]") }
            } else {
                settings.stop = [try string(n, path: "request.stop")]
            }
        }
        if let n = map["extra_body"] {
            guard case .object(let pairs) = try json(n, path: "request.extra_body") else {
                throw located(n, "request.extra_body", "expected a mapping of body fields", hint: "for example {reasoning_effort: low}")
            }
            settings.extraBody = pairs
        }
        return settings
    }

    /// `request.max_tokens` (and `--max-tokens`).
    static func maxTokens(_ node: Node, at site: ValueSite) throws -> Int {
        try ScenarioValue.int(node, at: site, in: 1...10_000_000)
    }
}
