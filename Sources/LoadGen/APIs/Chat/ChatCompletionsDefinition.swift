/// Chat Completions, `POST {base}/chat/completions` (docs/wire-formats.md, Chat Completions). Takes every request
/// setting a scenario has.
public struct ChatCompletionsDefinition: APIDefinition {
    public init() {}

    public var kind: APIKind { .chat }
    public var path: String { "/chat/completions" }

    public func builder(for scenario: Scenario, baseURL: String) -> any APIRequestBuilder {
        ChatCompletionsAPI(baseURL: baseURL, model: scenario.model, stream: scenario.stream,
                           settings: scenario.request, tools: scenario.tools)
    }

    public func decoder(fastPath: Bool) -> any StreamDecoder { ChatCompletionsDecoder(fastPath: fastPath) }

    public func unsupportedRequestFields(_ request: RequestSettings) -> [(key: String, hint: String)] { [] }
}
