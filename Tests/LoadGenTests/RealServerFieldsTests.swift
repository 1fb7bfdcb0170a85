import Foundation
import Testing
@testable import LoadGen

/// What issue 15 added for local and real servers: `auth: none`, `server_metrics:`, llama.cpp's `timings` in the
/// server columns, cached input tokens, and the one-word finish.
@Suite struct RealServerFieldsTests {
    let local = """
    name: t
    base_url: http://127.0.0.1:8080/v1
    model: m
    prompts: [hello]

    """

    // MARK: auth: none

    @Test func authNoneNeedsNoVariableAndSendsNoKeyHeader() throws {
        let scenario = try readScenario(local + "auth: none\n")
        #expect(scenario.auth == .none)
        #expect(try scenario.apiKey(environment: [:]) == nil)
        // Without it the same scenario needs the variable.
        #expect(throws: ScenarioError.self) { try readScenario(local).apiKey(environment: [:]) }
        for kind in APIKind.allCases {
            var withAPI = scenario
            withAPI.api = kind
            withAPI.request.maxTokens = 8
            #expect(APIRegistry.problems(in: withAPI).isEmpty, "\(kind)")
            let request = APIAdapters.builder(for: withAPI, baseURL: withAPI.baseURL).request(for: .text("hi"), apiKey: nil)
            #expect(!request.headers.contains { $0.lowercased().hasPrefix("authorization") || $0.lowercased().hasPrefix("x-api-key") },
                    "\(kind): \(request.headers)")
        }
        // Messages with auth: none sends no x-api-key even when handed a key.
        let messages = MessagesAPI(baseURL: "http://h/v1", model: "m", stream: true, settings: RequestSettings(), auth: .none)
        #expect(messages.headers(apiKey: "k").filter { $0.contains("k") && !$0.hasPrefix("Accept") && !$0.hasPrefix("Content") && !$0.hasPrefix("anthropic") } == [])
    }

    @Test func authNoneWithAKeySourceIsAnError() {
        #expect(scenarioError(local + "auth: none\napi_key_env: MY_KEY\n")
                == "s.yaml:5:7: auth: auth: none sends no key, yet api_key_env names where one comes from (remove api_key_env, or remove auth: none when the endpoint needs a key)")
    }

    @Test func authFlag() throws {
        var scenario = try readScenario(local)
        try ScenarioOverrides(auth: "none").apply(to: &scenario)
        #expect(scenario.auth == .none)
        #expect(try scenario.apiKey(environment: [:]) == nil)
        var chat = try readScenario(local)
        #expect(throws: ScenarioError.self) { try ScenarioOverrides(auth: "x-api-key").apply(to: &chat) }
        #expect(throws: ScenarioError.self) { try ScenarioOverrides(auth: "token").apply(to: &chat) }
    }

    // MARK: server_metrics

    @Test func serverMetricsKeyAndFlag() throws {
        let scenario = try readScenario(local + "server_metrics: {url: http://127.0.0.1:8080/metrics, interval: 250ms}\n")
        #expect(scenario.serverMetrics == ServerMetricsSettings(url: "http://127.0.0.1:8080/metrics", intervalNs: 250_000_000))
        #expect(try readScenario(local + "server_metrics: mock\n").serverMetrics == ServerMetricsSettings(url: "mock"))
        #expect(scenarioError(local + "server_metrics: {url: ftp://x/metrics}\n").contains("'ftp://x/metrics' is not an http(s) URL"))
        #expect(scenarioError(local + "server_metrics: {interval: 1s}\n").contains("server_metrics.url: missing"))
        #expect(scenarioError(local + "server_metrics: {url: mock, interval: 1ms}\n").contains("server_metrics.interval"))
        #expect(scenarioError(local + "server_metrics: {url: mock, every: 1s}\n").contains("every"))
        var flagged = scenario
        try ScenarioOverrides(serverMetrics: "http://127.0.0.1:9/metrics").apply(to: &flagged)
        #expect(flagged.serverMetrics == ServerMetricsSettings(url: "http://127.0.0.1:9/metrics", intervalNs: 250_000_000))
    }

    // MARK: llama.cpp timings

    /// llama-server's last chat chunk (its shape as captured from the server, text shortened): usage with
    /// `prompt_tokens_details.cached_tokens`, and `timings` at the top level.
    static let llamaChat = """
    data: {"choices":[{"finish_reason":null,"index":0,"delta":{"role":"assistant","content":null}}],"created":1,"id":"c","model":"m","object":"chat.completion.chunk"}

    data: {"choices":[{"finish_reason":null,"index":0,"delta":{"content":"Hello"}}],"created":1,"id":"c","model":"m","object":"chat.completion.chunk"}

    data: {"choices":[{"finish_reason":null,"index":0,"delta":{"content":" there"}}],"created":1,"id":"c","model":"m","object":"chat.completion.chunk"}

    data: {"choices":[{"finish_reason":"length","index":0,"delta":{}}],"created":1,"id":"c","model":"m","object":"chat.completion.chunk","usage":{"completion_tokens":2,"prompt_tokens":41,"total_tokens":43,"prompt_tokens_details":{"cached_tokens":40}},"timings":{"cache_n":40,"prompt_n":1,"prompt_ms":12.5,"prompt_per_token_ms":12.5,"prompt_per_second":80.0,"predicted_n":2,"predicted_ms":20.0,"predicted_per_token_ms":20.0,"predicted_per_second":50.0}}

    data: [DONE]


    """

    func outcome(_ stream: String, decoder: any StreamDecoder) throws -> TransferOutcome {
        var outcome = TransferOutcome()
        outcome.sentNs = 0
        outcome.status = 200
        outcome.readAsStream = true
        outcome.completedNs = 10_000
        outcome.stream = try decodeStream(Array(stream.utf8), decoder: decoder)
        return outcome
    }

    func build(_ outcome: TransferOutcome, api: APIKind, decoder: any StreamDecoder, maxOutputTokens: Int? = nil) -> RequestRecord {
        RecordBuilder.build(outcome, context: DispatchContext(level: 0, levelName: "c1", seq: 0, warmup: false, scheduledNs: 0),
                            api: api, model: "m", streaming: true, decoder: decoder, maxOutputTokens: maxOutputTokens)
    }

    @Test func llamaChatTimingsFillTheServerColumns() throws {
        for fastPath in [true, false] {
            let decoder = ChatCompletionsDecoder(fastPath: fastPath)
            let record = build(try outcome(Self.llamaChat, decoder: decoder), api: .chat, decoder: decoder)
            #expect(record.errorClass == nil)
            #expect(record.outputTokens == 2 && record.inputTokens == 41 && record.cachedInputTokens == 40)
            #expect(record.server == ServerUsage(timeToFirstToken: 0.0125, totalLatency: 0.0325,
                                                 completionTokensPerSec: 2 / 0.0325, completionTokensAfterFirstPerSec: 50,
                                                 totalTokensPerSec: 3 / 0.0325))
            #expect(record.finish == .length)
        }
    }

    @Test func timingsNeverOverrideTheUsagesOwnFiguresAndAreLenient() throws {
        var stream = StreamAccumulator()
        stream.usage = ParsedUsage(outputTokens: 5, server: ServerUsage(timeToFirstToken: 0.5))
        stream.serverTimings = LlamaCppTimings(prompt_ms: 100, predicted_ms: 400, predicted_per_second: 10, cache_n: 7)
        var record = RequestRecord()
        RecordBuilder.applyTokens(stream, decoder: ChatCompletionsDecoder(), into: &record)
        #expect(record.server.timeToFirstToken == 0.5)
        #expect(record.server.totalLatency == 0.5 && record.server.completionTokensAfterFirstPerSec == 10)
        #expect(record.cachedInputTokens == 7)
        // A timings member that is not an object, or a figure that is not a number, loses that figure only.
        let odd = try decodeStream(Array(("data: {\"choices\":[],\"timings\":\"soon\"}\n\n"
            + "data: {\"choices\":[],\"timings\":{\"prompt_ms\":\"x\",\"predicted_per_second\":-1,\"predicted_n\":3}}\n\ndata: [DONE]\n\n").utf8))
        #expect(odd.failure == nil)
        #expect(odd.serverTimings == LlamaCppTimings(predicted_n: 3))
    }

    /// llama-server's Messages usage leaves the cached prompt out of `input_tokens`: sambabench adds it back.
    @Test func messagesCacheReadAndCreationCountIntoInputTokens() throws {
        let stream = """
        event: message_start
        data: {"type":"message_start","message":{"id":"m","type":"message","role":"assistant","content":[],"model":"m","usage":{"input_tokens":1,"cache_read_input_tokens":40,"cache_creation_input_tokens":3,"output_tokens":0}}}

        event: content_block_start
        data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"max_tokens"},"usage":{"output_tokens":1}}

        event: message_stop
        data: {"type":"message_stop"}


        """
        let decoder = MessagesDecoder()
        let record = build(try outcome(stream, decoder: decoder), api: .messages, decoder: decoder)
        #expect(record.inputTokens == 44 && record.cachedInputTokens == 40 && record.outputTokens == 1)
        #expect(record.finishReason == "max_tokens" && record.finish == .length)
    }

    @Test func responsesCompletedEventTimingsAndCachedTokens() throws {
        let stream = """
        event: response.output_text.delta
        data: {"type":"response.output_text.delta","delta":"Hi"}

        event: response.completed
        data: {"type":"response.completed","response":{"status":"completed","output":[],"usage":{"input_tokens":41,"output_tokens":16,"input_tokens_details":{"cached_tokens":30}}},"timings":{"cache_n":30,"prompt_n":11,"prompt_ms":8,"predicted_n":16,"predicted_ms":300,"predicted_per_second":50}}


        """
        let decoder = ResponsesDecoder()
        let record = build(try outcome(stream, decoder: decoder), api: .responses, decoder: decoder, maxOutputTokens: 16)
        #expect(record.inputTokens == 41 && record.cachedInputTokens == 30)
        #expect(record.server.timeToFirstToken == 0.008 && record.server.completionTokensAfterFirstPerSec == 50)
        // 16 of 16 output tokens while the server says completed: cut at the limit.
        #expect(record.finishReason == "completed" && record.finish == .length)
        let roomy = build(try outcome(stream, decoder: decoder), api: .responses, decoder: decoder, maxOutputTokens: 17)
        #expect(roomy.finish == .stop)
    }

    // MARK: finish

    @Test(arguments: [
        (APIKind.chat, "stop", Finish.stop), (.chat, "length", .length), (.chat, "tool_calls", .toolCalls),
        (.chat, "content_filter", .contentFilter), (.completions, "length", .length),
        (.messages, "end_turn", .stop), (.messages, "stop_sequence", .stop), (.messages, "max_tokens", .length),
        (.messages, "tool_use", .toolCalls), (.messages, "refusal", .contentFilter),
        (.responses, "completed", .stop), (.responses, "incomplete:max_output_tokens", .length),
        (.responses, "incomplete:content_filter", .contentFilter),
    ] as [(APIKind, String, Finish)])
    func finishWords(api: APIKind, reason: String, finish: Finish) {
        #expect(Finish.normalised(reason, api: api) == finish)
    }

    @Test func finishOfFailuresUnknownWordsAndToolCalls() {
        var failed = RequestRecord(errorClass: .serverError, finishReason: "stop")
        #expect(Finish.of(failed, calledTool: false, maxOutputTokens: nil) == .error)
        failed.errorClass = nil
        failed.finishReason = "something_new"
        #expect(Finish.of(failed, calledTool: false, maxOutputTokens: nil) == nil)
        let tool = RequestRecord(api: .responses, finishReason: "completed", outputTokens: 3)
        #expect(Finish.of(tool, calledTool: true, maxOutputTokens: 3) == .toolCalls)
        // An estimated count does not tell a cut answer.
        var estimated = RequestRecord(api: .responses, finishReason: "completed", outputTokens: 9, tokenSource: .estimate)
        #expect(Finish.of(estimated, calledTool: false, maxOutputTokens: 9) == .stop)
        estimated.tokenSource = .usage
        #expect(Finish.of(estimated, calledTool: false, maxOutputTokens: 9) == .length)
    }
}
