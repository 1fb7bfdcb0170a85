/// OpenAI-style Responses, `POST {base}/responses` (docs/wire-formats.md, Responses).
public struct ResponsesDefinition: APIDefinition {
    public init() {}

    public var kind: APIKind { .responses }
    public var path: String { "/responses" }

    public func builder(for scenario: Scenario, baseURL: String) -> any APIRequestBuilder {
        ResponsesAPI(baseURL: baseURL, model: scenario.model, stream: scenario.stream,
                     settings: scenario.request, tools: scenario.tools)
    }

    public func decoder(fastPath: Bool) -> any StreamDecoder { ResponsesDecoder(fastPath: fastPath) }

    public func unsupportedRequestFields(_ request: RequestSettings) -> [(key: String, hint: String)] {
        let extra = "send it through request.extra_body if your server takes it"
        var found: [(String, String)] = []
        if request.topK != nil { found.append(("top_k", extra)) }
        if request.seed != nil { found.append(("seed", extra)) }
        if request.stop != nil { found.append(("stop", extra)) }
        return found
    }
}
