import Testing
import Tokenizer
@testable import LoadGen

/// With a tokenizer, each chunk's tokens are the ones its bytes completed, over answer, reasoning and tool-call
/// text alike; usage stays N and the difference is kept.
@Suite struct TextKeepingDecoderTests {
    static func event(_ json: String) -> String { "data: \(json)\n\n" }

    static let chat = event(#"{"choices":[{"delta":{"role":"assistant"},"index":0}]}"#)
        + event(#"{"choices":[{"delta":{"reasoning":"The user asks"},"index":0}]}"#)
        + event(#"{"choices":[{"delta":{"content":"Hel"},"index":0}]}"#)
        + event(#"{"choices":[{"delta":{"content":"lo wor"},"index":0}]}"#)
        + event(#"{"choices":[{"delta":{"content":"ld 😀 12345"},"index":0}]}"#)
        + event(#"{"choices":[{"delta":{"tool_calls":[{"index":0,"id":"c1","function":{"name":"get_weather","arguments":"{\"city\":"}}]},"index":0}]}"#)
        + event(#"{"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Paris\"}"}}]},"index":0}]}"#)

    static let segments = ["The user asks", "Hel", "lo wor", "ld 😀 12345", "get_weather{\"city\":", "\"Paris\"}"]

    func record(_ stream: String, tokenizer: Tokenizer) throws -> RequestRecord {
        let decoder = TextKeepingDecoder(ChatCompletionsDecoder(), tokenizer: tokenizer)
        var outcome = TransferOutcome()
        outcome.status = 200
        outcome.readAsStream = true
        outcome.stream = try decodeStream(Array(stream.utf8), decoder: decoder)
        return RecordBuilder.build(outcome, context: DispatchContext(level: 0, levelName: "c1", seq: 0, warmup: false, scheduledNs: 0),
                                   api: .chat, model: "m", streaming: true, decoder: decoder)
    }

    @Test func everyKindOfTextIsCountedInTheChunkThatCompletedIt() throws {
        let tokenizer = try TokenizerStore.load("o200k_base")
        let expected = tokenizer.tokensPerSegment(Self.segments)
        let total = tokenizer.count(Self.segments.joined())
        // "Hel" completes no token; "Hello" and " wor" end in the next chunk.
        #expect(expected[1] == 0)
        #expect(expected.reduce(0, +) == total)

        let matching = try record(Self.chat + Self.event(#"{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":\#(total)}}"#)
                                  + "data: [DONE]\n\n", tokenizer: tokenizer)
        #expect(matching.chunks.map(\.tokens) == expected)
        #expect(matching.tokenSource == .usage && matching.tokenizerTokens == total && matching.tokenizerVsUsage == 0)

        // The server counted one more (an end-of-turn token): it goes to the last chunk, and the difference shows.
        let more = try record(Self.chat + Self.event(#"{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":\#(total + 1)}}"#)
                              + "data: [DONE]\n\n", tokenizer: tokenizer)
        #expect(more.chunks.map(\.tokens) == Array(expected.dropLast()) + [expected.last! + 1])
        #expect(more.outputTokens == total + 1 && more.tokenizerVsUsage == -1)

        // No usage: N is the tokenizer's count.
        let counted = try record(Self.chat + "data: [DONE]\n\n", tokenizer: tokenizer)
        #expect(counted.tokenSource == .tokenizer && counted.outputTokens == total && counted.tokenizerVsUsage == nil)
        #expect(counted.chunks.map(\.tokens) == expected)
    }

    @Test func scenarioKeyLoadsAndRefusesByName() throws {
        let yaml = """
            name: t
            base_url: mock
            model: m
            prompts: ["hi"]
            tokenizer: %@
            """
        func read(_ value: String) throws -> Scenario {
            var reader = ScenarioReader(file: "/tmp/scenario.yaml", yaml: yaml.replacingOccurrences(of: "%@", with: value))
            return try reader.read()
        }
        #expect(try read("o200k_base").tokenizer?.spec == "o200k_base")
        #expect(try read("none").tokenizer == nil)
        do {
            _ = try read("missing/tokenizer.json")
            Issue.record("a missing tokenizer file was accepted")
        } catch let error as ScenarioError {
            #expect(error.line == 5 && error.path == "tokenizer")
            #expect(error.message == "/tmp/missing/tokenizer.json: no such file")
        }
        // gpt-oss models get o200k_base by default; others none.
        var reader = ScenarioReader(file: "/tmp/s.yaml", yaml: "name: t\nbase_url: mock\nmodel: gpt-oss-120b\nprompts: [\"hi\"]\n")
        let defaulted = try reader.read()
        #expect(defaulted.tokenizer?.spec == "o200k_base" && defaulted.tokenizer?.isDefault == true)
        reader = ScenarioReader(file: "/tmp/s.yaml", yaml: "name: t\nbase_url: mock\nmodel: Meta-Llama-3.3-70B-Instruct\nprompts: [\"hi\"]\n")
        #expect(try reader.read().tokenizer == nil)
    }

    @Test func promptsAreCountedByTheTokenizer() throws {
        var reader = ScenarioReader(file: "/tmp/s.yaml", yaml: "name: t\nbase_url: mock\nmodel: m\ntokenizer: o200k_base\nprompts: [\"hello world\"]\n")
        let scenario = try reader.read()
        let pool = PromptPool(scenario: scenario)
        #expect(pool.inputTokens(seq: 0, level: "") == 2)
        #expect(pool.inputTokenSource == .tokenizer)
    }
}
