import Foundation
import Testing
@testable import LoadGen

/// SambaNova's legacy text completions (`POST /v1/completions`): the decoder on recorded streams and bodies (with and
/// without its fast path), the request body, and what a scenario may ask of it.
@Suite struct CompletionsAPITests {
    static let fast = CompletionsDecoder(fastPath: true)
    static let slow = CompletionsDecoder(fastPath: false)

    @Test func sambanovaStreamEmptyTextChunksAreNotChunks() throws {
        for decoder in [Self.fast, Self.slow] {
            let result = try decodeStream(try Fixtures.bytes("completions_sambanova.sse"), decoder: decoder)
            // Events: empty text (t=0), text (1000), text (2000), empty + finish (3000), usage (4000), [DONE] (5000).
            #expect(result.chunks.map(\.arrivalNs) == [1000, 2000])
            #expect(result.chunks.map(\.answerBytes) == [" upon a time, a palindrome named Hannah".utf8.count,
                                                         " lived in a café — naïve 日本語 ✓".utf8.count])
            #expect(result.chunks.allSatisfy { $0.reasoningBytes == 0 && $0.toolBytes == 0 })
            #expect(result.finishReason == "length")
            #expect(result.terminatorNs == 5000)
            #expect(result.failure == nil)
            #expect(result.events == 6)
        }
    }

    @Test func sambanovaUsageWithServerFields() throws {
        let usage = try #require(try decodeStream(try Fixtures.bytes("completions_sambanova.sse"), decoder: Self.fast).usage)
        #expect(usage.inputTokens == 43 && usage.outputTokens == 100 && usage.cachedTokens == 0 && usage.reasoningTokens == nil)
        #expect(usage.server == ServerUsage(
            timeToFirstToken: 0.0844266414642334, totalLatency: 0.4589838186899821,
            completionTokensPerSec: 217.87260449707574, completionTokensAfterFirstPerSec: 262.2771255106759,
            totalTokensPerSec: 311.55782443081836, startTime: 1737642515.4458635, endTime: 1737642515.9077535,
            acceptanceRate: 3))
    }

    @Test func fastPathAndJSONDecoderAgreeOnEveryEvent() throws {
        let bytes = try Fixtures.bytes("completions_sambanova.sse")
        #expect(FastPathDecoderTests.Observed(try decodeStream(bytes, decoder: Self.fast))
                == FastPathDecoderTests.Observed(try decodeStream(bytes, decoder: Self.slow)))
        let plain = #"{"choices":[{"text":" caf\u00e9 \ud83d\ude00 \"q\"\n","index":0,"finish_reason":null,"logprobs":null}],"created":1.5,"object":"text_completion"}"#
        #expect(CompletionsFastChunk.read(raw(plain)) == CompletionsFastChunk(textBytes: " café 😀 \"q\"\n".utf8.count))
        #expect(CompletionsFastChunk.read(raw(#"{"choices":[{"text":"","index":0,"finish_reason":"stop"}]}"#))
                == CompletionsFastChunk(finishReason: "stop"))
        for declined in [#"{"choices":[],"usage":{"completion_tokens":3}}"#, #"{"error":{"message":"x"}}"#,
                         #"{"choices":[{"text":"a","text":"b"}]}"#, #"{"choices":[{"index":1.0,"text":"a"}]}"#,
                         #"{"choices":[{"text":5}]}"#, #"{"choices":[{"delta":{"content":"a"}}]}"#,
                         #"{"choices":[{"finish_reason":"st\u006fp"}]}"#, #"{"choices":[{"text":"a"}]} x"#] {
            #expect(CompletionsFastChunk.read(raw(declined)) == nil, "\(declined)")
            let stream = text("data: \(declined)\n\n")
            #expect(FastPathDecoderTests.Observed(try decodeStream(stream, decoder: Self.fast))
                    == FastPathDecoderTests.Observed(try decodeStream(stream, decoder: Self.slow)), "\(declined)")
        }
    }

    @Test func chatShapedChoicesAreReadAsText() throws {
        // The endpoint's published examples show chat-style deltas: their content is the text.
        let stream = text(#"data: {"choices":[{"delta":{"role":"assistant","content":"Hello"},"index":0}]}"# + "\n\n"
                          + #"data: {"choices":[{"message":{"content":" there"},"index":0,"finish_reason":"stop"}]}"# + "\n\n"
                          + "data: [DONE]\n\n")
        let result = try decodeStream(stream, decoder: Self.fast, capture: true)
        #expect(result.chunks.map(\.answerBytes) == [5, 6])
        #expect(result.capture?.text == "Hello there" && result.finishReason == "stop")
    }

    @Test func capturedTextIsTheFirstChoicesText() throws {
        let result = try decodeStream(try Fixtures.bytes("completions_sambanova.sse"), decoder: Self.fast, capture: true)
        #expect(result.capture?.text == " upon a time, a palindrome named Hannah lived in a café — naïve 日本語 ✓")
        #expect(result.capture?.reasoning == "" && result.capture?.toolCalls.isEmpty == true)
        #expect(result.chunks.count == 2)
    }

    @Test func wholeBody() {
        let body = #"{"choices":[{"finish_reason":"stop","index":0,"logprobs":null,"text":"In madam moon's silver glow"}],"created":1737583288.6076705,"id":"83a7","model":"gpt-oss-120b","object":"chat.completion","system_fingerprint":"fastcoe","usage":{"completion_tokens":350,"prompt_tokens":43,"total_tokens":393,"time_to_first_token":0.06312894821166992,"total_latency":1.4649275719174653}}"#
        var accumulator = StreamAccumulator(capture: true)
        Self.fast.decode(body: text(body), arrivalNs: 7000, into: &accumulator)
        #expect(accumulator.chunks.map(\.answerBytes) == ["In madam moon's silver glow".utf8.count])
        #expect(accumulator.terminatorNs == 7000 && accumulator.finishReason == "stop" && accumulator.failure == nil)
        #expect(accumulator.usage?.outputTokens == 350 && accumulator.usage?.inputTokens == 43)
        #expect(accumulator.usage?.server.timeToFirstToken == 0.06312894821166992)
        #expect(accumulator.capture?.text == "In madam moon's silver glow")
    }

    @Test func errorBodiesAndInStreamErrors() throws {
        let envelope = #"{"error":{"message":"The model `abc` does not exist","type":"invalid_request_error","param":"model","code":"model_not_found"},"request_id":"887a8227"}"#
        #expect(Self.fast.parseError(body: text(envelope))
                == APIError(type: "invalid_request_error", code: "model_not_found", message: "The model `abc` does not exist"))
        #expect(Self.fast.parseError(body: text(#"{"error":"Not found"}"#)) == APIError(message: "Not found"))
        #expect(Self.fast.parseError(body: text("Service Temporarily Unavailable\n")) == APIError(message: "Service Temporarily Unavailable"))
        #expect(APIRegistry.definition(of: .completions).parseError(body: text(envelope))?.code == "model_not_found")
        let named = try decodeStream(text("event: error\ndata: \(envelope)\n\n"), decoder: Self.fast)
        #expect(named.failure?.errorClass == .streamError && named.failure?.apiError?.code == "model_not_found")
        let bare = try decodeStream(text("data: \(envelope)\n\n"), decoder: Self.fast)
        #expect(bare.failure?.errorClass == .streamError && bare.failure?.message == "The model `abc` does not exist")
        let cut = try decodeStream(text(#"data: {"choices":[{"text":"abc"# + "\n\n"), decoder: Self.fast)
        #expect(cut.failure?.errorClass == .malformedEvent)
    }

    @Test func requestBodyIsOneTextPrompt() {
        var settings = RequestSettings()
        settings.maxTokens = 64
        settings.temperature = 0.5
        settings.topK = 5
        settings.seed = 3
        settings.stop = ["\n"]
        let api = CompletionsAPI(baseURL: "https://api.sambanova.ai/v1/", model: "gpt-oss-120b", stream: true, settings: settings)
        #expect(api.url == "https://api.sambanova.ai/v1/completions")
        #expect(api.body(for: .text("Once upon a time")).serialized
                == #"{"model":"gpt-oss-120b","prompt":"Once upon a time","max_tokens":64,"temperature":0.5,"top_k":5,"seed":3,"stop":["\n"],"stream":true,"stream_options":{"include_usage":true}}"#)
        // A messages prompt (from a dataset): the messages' texts, joined by a blank line.
        let messages = Prompt.messages([.object([("role", .string("system")), ("content", .string("Be brief."))]),
                                        .object([("role", .string("user")), ("content", .array([.object([("type", .string("text")), ("text", .string("Hi"))])]))])])
        #expect(api.body(for: messages)["prompt"] == .string("Be brief.\n\nHi"))
        let whole = CompletionsAPI(baseURL: "http://x/v1", model: "m", stream: false, settings: RequestSettings())
        #expect(whole.body(for: .text("a")).serialized == #"{"model":"m","prompt":"a","stream":false}"#)
        #expect(whole.headers(apiKey: "k") == ["Content-Type: application/json", "Accept: application/json", "Authorization: Bearer k"])
    }

    @Test func theRegistryKnowsIt() {
        let definition = APIRegistry.definition(of: .completions)
        #expect(definition.path == "/completions" && APIRegistry.path(of: .completions) == "/completions")
        #expect(APIRegistry.names == "chat, responses, messages, completions")
        var scenario = Scenario(name: "t", baseURL: "http://x/v1", model: "m", prompts: [.text("a")])
        scenario.api = .completions
        #expect(APIRegistry.builder(for: scenario, baseURL: "http://x/v1").url == "http://x/v1/completions")
        #expect(APIRegistry.decoder(for: .completions) is CompletionsDecoder)
    }

    @Test(arguments: [
        ("prompts: [hi]\nconversations: [[a, b]]\n", "prompts: prompts and conversations cannot both be given"),
        ("conversations: [[first, second]]\n",
         "s.yaml:5:16: conversations: the completions API sends one text prompt per request: conversations do not apply (give the turns as prompts, or use api: chat (or responses, messages) for a conversation)"),
        ("prompts: [hi]\ntools: {functions: [{name: f, result: x}]}\n",
         "s.yaml:6:8: tools: the completions API has no tools (remove tools, or use api: chat (or responses, messages) for tool calling)"),
        ("prompts: [hi]\nrequest: {system: Be brief.}\n",
         "s.yaml:6:11: request.system: the completions API has no system field (a text completion reads the prompt alone: put the system text into the prompt)"),
        ("prompts: [hi]\nrequest: {response_format: {type: json_object}}\n",
         "s.yaml:6:11: request.response_format: the completions API has no response_format field (structured output is not part of the text completions API; remove it)"),
        ("prompts: [hi]\nauth: x-api-key\n",
         "s.yaml:6:7: auth: auth: x-api-key applies to the messages API only (remove it, or use api: messages)"),
    ])
    func scenarioRefusesWhatTextCompletionsCannotDo(yaml: String, expected: String) {
        let message = scenarioError(ScenarioFlowsTests.base + "api: completions\n" + yaml, environment: [:])
        #expect(message.contains(expected), "\(message)")
    }

    @Test func scenarioWithTextPromptsReads() throws {
        let scenario = try readScenario(ScenarioFlowsTests.base + "api: completions\nprompts: [hi]\nrequest: {max_tokens: 16, top_k: 4, seed: 1, stop: [x]}\n",
                                        environment: [:])
        #expect(scenario.api == .completions && scenario.request.topK == 4 && scenario.unsupportedRequestFields().isEmpty)
    }

    private func raw(_ text: String) -> [UInt8] { Array(text.utf8) }
}

extension CompletionsFastChunk {
    static func read(_ bytes: [UInt8]) -> CompletionsFastChunk? { bytes.withUnsafeBytes { read($0) } }
}
