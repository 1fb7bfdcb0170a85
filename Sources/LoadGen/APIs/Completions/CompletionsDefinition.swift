/// SambaNova's legacy text completions, `POST {base}/completions` (docs/wire-formats.md, Text completions): one text
/// prompt in, text out. Measured like chat: its chunks are chat chunks whose text is `choices[].text`.
///
/// A conversation or tools mean nothing to it: the scenario reader refuses both, naming the key. Nor does it take a
/// system text, `reasoning_effort` or `response_format`.
public struct CompletionsDefinition: APIDefinition {
    public init() {}

    public var kind: APIKind { .completions }
    public var path: String { "/completions" }

    public func builder(for scenario: Scenario, baseURL: String) -> any APIRequestBuilder {
        CompletionsAPI(baseURL: baseURL, model: scenario.model, stream: scenario.stream, settings: scenario.request)
    }

    public func decoder(fastPath: Bool) -> any StreamDecoder { CompletionsDecoder(fastPath: fastPath) }

    public func unsupportedRequestFields(_ request: RequestSettings) -> [(key: String, hint: String)] {
        var found: [(String, String)] = []
        if request.system != nil {
            found.append(("system", "a text completion reads the prompt alone: put the system text into the prompt"))
        }
        if request.reasoningEffort != nil {
            found.append(("reasoning_effort", "send it through request.extra_body if your server takes it"))
        }
        if request.responseFormat != nil {
            found.append(("response_format", "structured output is not part of the text completions API; remove it"))
        }
        return found
    }

    public func problems(in scenario: Scenario) -> [APIScenarioProblem] {
        var found: [APIScenarioProblem] = []
        if !scenario.conversations.isEmpty {
            found.append(APIScenarioProblem(
                path: "conversations", anchors: ["conversations"],
                message: "the completions API sends one text prompt per request: conversations do not apply",
                hint: "give the turns as prompts, or use api: chat (or responses, messages) for a conversation"))
        }
        if scenario.tools != nil {
            found.append(APIScenarioProblem(
                path: "tools", anchors: ["tools"], message: "the completions API has no tools",
                hint: "remove tools, or use api: chat (or responses, messages) for tool calling"))
        }
        return found
    }
}
