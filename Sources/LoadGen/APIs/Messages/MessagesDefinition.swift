/// Anthropic-style Messages, `POST {base}/messages` (docs/wire-formats.md, Messages): `max_tokens` is required, and
/// the key may go in `x-api-key` (`auth:`).
public struct MessagesDefinition: APIDefinition {
    public init() {}

    public var kind: APIKind { .messages }
    public var path: String { "/messages" }
    public var takesAuthStyle: Bool { true }

    public func builder(for scenario: Scenario, baseURL: String) -> any APIRequestBuilder {
        MessagesAPI(baseURL: baseURL, model: scenario.model, stream: scenario.stream,
                    settings: scenario.request, tools: scenario.tools, auth: scenario.auth,
                    anthropicVersion: scenario.anthropicVersion)
    }

    public func decoder(fastPath: Bool) -> any StreamDecoder { MessagesDecoder(fastPath: fastPath) }

    public func unsupportedRequestFields(_ request: RequestSettings) -> [(key: String, hint: String)] {
        let extra = "send it through request.extra_body if your server takes it"
        var found: [(String, String)] = []
        if request.seed != nil { found.append(("seed", extra)) }
        if request.reasoningEffort != nil {
            found.append(("reasoning_effort", "thinking is surfaced without request parameters on SambaNova; remove it"))
        }
        if request.responseFormat != nil {
            found.append(("response_format", "structured output is not part of the Messages API; remove it"))
        }
        return found
    }

    public func problems(in scenario: Scenario) -> [APIScenarioProblem] {
        guard scenario.request.maxTokens == nil else { return [] }
        return [APIScenarioProblem(path: "request.max_tokens", anchors: ["request", "api"],
                                   message: "the messages API requires max_tokens", hint: "add request: {max_tokens: 1024}")]
    }
}
