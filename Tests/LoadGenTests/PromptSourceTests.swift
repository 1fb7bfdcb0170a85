import Foundation
import Testing
@testable import LoadGen

func wordCounts(_ prompts: [Prompt]) -> [Int] {
    prompts.map { prompt in
        guard case .text(let text) = prompt else { return -1 }
        return text.split(separator: " ").count
    }
}

func mean(_ values: [Int]) -> Double { Double(values.reduce(0, +)) / Double(values.count) }

func stddev(_ values: [Int]) -> Double {
    let m = mean(values)
    return (values.map { (Double($0) - m) * (Double($0) - m) }.reduce(0, +) / Double(values.count - 1)).squareRoot()
}

@Suite struct SyntheticPromptTests {
    func synthetic(_ inputTokens: String, count: Int = 2000, seed: Int = 1, extra: String = "") throws -> Scenario {
        try readScenario(head + "prompts: {source: synthetic, input_tokens: \(inputTokens), count: \(count), seed: \(seed)\(extra)}\n",
                         environment: [:])
    }

    @Test func theSameSeedGivesTheSamePrompts() throws {
        let first = try synthetic("{distribution: uniform, min: 10, max: 50}", count: 20, seed: 7)
        let again = try synthetic("{distribution: uniform, min: 10, max: 50}", count: 20, seed: 7)
        let other = try synthetic("{distribution: uniform, min: 10, max: 50}", count: 20, seed: 8)
        #expect(first.prompts == again.prompts)
        #expect(first.prompts != other.prompts)
        #expect(Set(first.prompts.map { "\($0)" }).count == 20, "every prompt differs")
        // Prompt i does not depend on how many there are.
        #expect(try synthetic("{distribution: uniform, min: 10, max: 50}", count: 5, seed: 7).prompts == Array(first.prompts.prefix(5)))
        // Every word comes from the single-token vocabulary.
        let vocabulary = Set(SyntheticPrompts.vocabulary)
        for case .text(let text) in first.prompts {
            #expect(text.split(separator: " ").allSatisfy { vocabulary.contains($0) })
        }
    }

    @Test func fixedLengthIsExact() throws {
        let scenario = try synthetic("512", count: 50)
        #expect(wordCounts(scenario.prompts) == Array(repeating: 512, count: 50))
        #expect(scenario.promptSource.tokens == Array(repeating: 512, count: 50))
    }

    /// Bounds: the range exactly; the sample mean within about 2.5 standard errors of the asked one.
    @Test func uniformLengths() throws {
        let lengths = wordCounts(try synthetic("{distribution: uniform, min: 100, max: 1000}").prompts)
        print("uniform 100-1000, 2000 prompts: min \(lengths.min()!), max \(lengths.max()!), mean \(mean(lengths)), stddev \(stddev(lengths))")
        #expect(lengths.min()! >= 100 && lengths.max()! <= 1000)
        #expect(lengths.min()! < 110 && lengths.max()! > 990, "the whole range is used")
        #expect(abs(mean(lengths) - 550) < 15)
        #expect(abs(stddev(lengths) - 260) < 10, "a uniform's stddev is (max - min) / sqrt(12) = 260")
    }

    @Test func normalLengths() throws {
        let lengths = wordCounts(try synthetic("{distribution: normal, mean: 512, stddev: 64}").prompts)
        print("normal 512/64, 2000 prompts: mean \(mean(lengths)), stddev \(stddev(lengths)), min \(lengths.min()!), max \(lengths.max()!)")
        #expect(abs(mean(lengths) - 512) < 4)
        #expect(abs(stddev(lengths) - 64) < 4)
        let within = lengths.filter { abs(Double($0) - 512) <= 64 }.count
        #expect(abs(Double(within) / 2000 - 0.683) < 0.03, "about 68% within one stddev")
        let clamped = wordCounts(try synthetic("{distribution: normal, mean: 100, stddev: 80, min: 50, max: 150}").prompts)
        #expect(clamped.min()! == 50 && clamped.max()! == 150)
    }

    @Test func lognormalLengths() throws {
        let lengths = wordCounts(try synthetic("{distribution: lognormal, mean: 800, stddev: 400}").prompts)
        let sorted = lengths.sorted()
        let median = Double(sorted[999] + sorted[1000]) / 2
        print("lognormal 800/400, 2000 prompts: mean \(mean(lengths)), stddev \(stddev(lengths)), median \(median), min \(sorted.first!), max \(sorted.last!)")
        #expect(abs(mean(lengths) - 800) / 800 < 0.05)
        #expect(abs(stddev(lengths) - 400) / 400 < 0.15)
        // The median of a lognormal with that mean and stddev is mean / sqrt(1 + (stddev / mean)^2) = 715.5.
        #expect(abs(median - 715.5) / 715.5 < 0.05)
        #expect(sorted.first! >= 1)
    }

    @Test func sharedPrefixIsTheSameAcrossPrompts() throws {
        let scenario = try synthetic("64", count: 10, extra: ", shared_prefix: {tokens: 100}")
        #expect(wordCounts(scenario.prompts) == Array(repeating: 164, count: 10))
        #expect(scenario.promptSource.tokens == Array(repeating: 164, count: 10))
        let prefixes = Set(scenario.prompts.map { prompt -> String in
            guard case .text(let text) = prompt else { return "" }
            return text.split(separator: " ").prefix(100).joined(separator: " ")
        })
        #expect(prefixes.count == 1)
        let suffixes = Set(scenario.prompts.map { prompt -> String in
            guard case .text(let text) = prompt else { return "" }
            return text.split(separator: " ").dropFirst(100).prefix(8).joined(separator: " ")
        })
        #expect(suffixes.count == 10, "past the prefix every prompt differs at once")
    }

    @Test func sharedPrefixGoesInFrontOfDatasetPrompts() throws {
        let scenario = try readScenario(head + "prompts:\n  source: inline\n  items: [\"hello there\", {messages: [{role: user, content: hi}]}]\n  shared_prefix: {tokens: 3}\n",
                                        environment: [:])
        let prefix = try #require(scenario.promptSource.sharedPrefix)
        #expect(prefix.split(separator: " ").count == 3)
        #expect(scenario.prompts == [.text(prefix + " hello there"),
                                     .messages([.object([("role", .string("user")), ("content", .string(prefix + " hi"))])])])
    }

    @Test func matrixLevelsGetPromptsOfTheirLength() throws {
        let scenario = try readScenario(head + "prompts: {source: synthetic, input_tokens: 32, count: 4, shared_prefix: {tokens: 16}}\n"
                                        + "matrix: {input_tokens: [128, 1024], output_tokens: [64, 256]}\nload: {concurrency: [1, 4]}\n",
                                        environment: [:])
        let levels = LevelPlan.levels(scenario.load, matrix: scenario.matrix)
        #expect(levels.map(\.name) == ["in128-out64-c1", "in128-out64-c4", "in128-out256-c1", "in128-out256-c4",
                                       "in1024-out64-c1", "in1024-out64-c4", "in1024-out256-c1", "in1024-out256-c4"])
        #expect(levels.map(\.index) == Array(0..<8))
        #expect(levels[5].inputTokens == 1024 && levels[5].maxTokens == 64 && levels[5].concurrency == 4)
        let pool = PromptPool(scenario: scenario, levels: levels)
        #expect(pool.variants.count == 5, "the scenario's own, and one per cell")
        #expect(wordCounts(pool.variants[1].prompts) == [144, 144, 144, 144])
        #expect(wordCounts(pool.variants[3].prompts) == [1040, 1040, 1040, 1040])
        #expect(pool.variants[3].inputTokens == [1040, 1040, 1040, 1040])
        #expect(pool.variants.map(\.maxTokens) == [nil, 64, 256, 64, 256])
        #expect(pool.prompt(seq: 2, level: "in1024-out256-c4") == pool.variants[4].prompts[2])
        #expect(pool.prompt(seq: 2, level: "c4") == scenario.prompts[2], "a level outside the matrix takes the scenario's prompts")
        // Prompts of different lengths do not share a beginning past the shared prefix (no cache hits across cells).
        guard case .text(let short) = pool.variants[1].prompts[0], case .text(let long) = pool.variants[3].prompts[0] else {
            Issue.record("text prompts expected")
            return
        }
        #expect(short.split(separator: " ").dropFirst(16).prefix(8) != long.split(separator: " ").dropFirst(16).prefix(8))
        // The factory sends each level's max_tokens.
        let factory = RequestFactory(scenario: scenario, baseURL: "http://127.0.0.1:1/v1", apiKey: nil, levels: levels)
        let body = String(decoding: factory.request(seq: 0, level: "in128-out256-c1").body, as: UTF8.self)
        #expect(body.contains(#""max_tokens":256"#))
        #expect(LoadMatrix.cell(ofLevel: "in128-out256-c1") == "in128-out256")
        #expect(LoadMatrix.cell(ofLevel: "out64-r0.5") == "out64")
        #expect(LoadMatrix.cell(ofLevel: "c8") == nil && LoadMatrix.cell(ofLevel: "ramp1-20") == nil)
    }

    @Test func samplingInTurnOrAtRandomFromTheSeed() throws {
        let inTurn = try readScenario(head + "prompts: {source: synthetic, input_tokens: 4, count: 5}\n", environment: [:])
        let pool = PromptPool(scenario: inTurn)
        #expect((0..<7).map { pool.pick(seq: $0, level: "c1").index } == [0, 1, 2, 3, 4, 0, 1])
        let random = try readScenario(head + "prompts: {source: synthetic, input_tokens: 4, count: 5, sampling: random, seed: 9}\n",
                                      environment: [:])
        let first = PromptPool(scenario: random), second = PromptPool(scenario: random)
        let picks = (0..<200).map { first.pick(seq: $0, level: "c1").index }
        #expect(picks == (0..<200).map { second.pick(seq: $0, level: "c1").index })
        #expect(picks != (0..<200).map { $0 % 5 })
        #expect(Set(picks) == Set(0..<5))
    }

    @Test func datasetsAreRead() throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try """
            {"prompt": "first", "id": 1}
            "second"
            [{"role": "user", "content": "third"}]
            {"messages": [{"content": "fourth", "role": "user"}]}

            """.write(toFile: directory + "/p.jsonl", atomically: true, encoding: .utf8)
        let jsonl = try readScenario(head + "prompts: {source: jsonl, path: p.jsonl}\n", file: directory + "/s.yaml", environment: [:])
        let user = { (text: String) in JSONValue.object([("content", .string(text)), ("role", .string("user"))]) }
        #expect(jsonl.prompts == [.text("first"), .text("second"), .messages([user("third")]), .messages([user("fourth")])])
        #expect(try readScenario(head + "prompts: {source: jsonl, path: p.jsonl, limit: 2}\n", file: directory + "/s.yaml",
                                 environment: [:]).prompts == [.text("first"), .text("second")])
        // Windows line ends and a byte-order mark.
        try "\u{FEFF}{\"prompt\": \"a\"}\r\n\r\n{\"prompt\": \"b\"}\r\n".write(toFile: directory + "/crlf.jsonl", atomically: true, encoding: .utf8)
        #expect(try readScenario(head + "prompts: {source: jsonl, path: crlf.jsonl}\n", file: directory + "/s.yaml",
                                 environment: [:]).prompts == [.text("a"), .text("b")])
        try """
            [{"conversations": [{"from": "system", "value": "be nice"}, {"from": "human", "value": "q1"}, {"from": "gpt", "value": "a1"}, {"from": "human", "value": "q2"}]},
             {"conversations": [{"from": "gpt", "value": "orphan"}]},
             {"id": "x", "conversations": [{"from": "user", "value": "q3"}]}]
            """.write(toFile: directory + "/g.json", atomically: true, encoding: .utf8)
        let shareGPT = try readScenario(head + "prompts: {source: sharegpt, path: g.json}\n", file: directory + "/s.yaml", environment: [:])
        #expect(shareGPT.prompts == [.text("q1"), .text("q3")])
        #expect(shareGPT.promptSource.skipped == 1)
        #expect(shareGPT.promptSource.summary(count: 2)
                == "2 prompts from g.json (ShareGPT, 1 entries without a human turn left out), in turn")
    }
}

@Suite struct TokenEstimatorTests {
    @Test func familyFromTheModelName() {
        #expect(TokenEstimator(model: "gpt-oss-120b").family == .gptOSS)
        #expect(TokenEstimator(model: "Meta-Llama-3.3-70B-Instruct").family == .llama3)
        #expect(TokenEstimator(model: "DeepSeek-V3.1").family == .deepseek)
        #expect(TokenEstimator(model: "MiniMax-M2.7").family == .minimax)
        #expect(TokenEstimator(model: "gemma-4-31B-it").family == .other)
    }

    @Test func bytesPerTokenOfEachFamily() {
        #expect(TokenEstimator(model: "gpt-oss-120b").estimate(chunkBytes: [41]) == 10)
        #expect(TokenEstimator(model: "gpt-oss-120b").estimate(chunkBytes: [42]) == 11)
        #expect(TokenEstimator(model: "Meta-Llama-3.3-70B-Instruct").estimate(chunkBytes: [20, 21]) == 10)
        #expect(TokenEstimator(model: "DeepSeek-V3.1").estimate(chunkBytes: [40]) == 10)
        #expect(TokenEstimator(model: "MiniMax-M2.7").estimate(chunkBytes: [1, 1, 1]) == 3, "at least one per chunk")
        let estimator = TokenEstimator(model: "other")
        #expect(estimator.tokens(in: String(repeating: "a", count: 40)) == 10)
        #expect(estimator.tokens(in: .text("abcd"), system: "efgh") == 2)
        let message = JSONValue.object([("role", .string("user")),
                                        ("content", .array([.object([("type", .string("text")), ("text", .string("12345678"))])]))])
        #expect(estimator.tokens(in: .messages([message]), system: "ignored for messages") == 2)
    }

    @Test func inputTokensOfAPoolAreExactForSyntheticAndEstimatedForText() throws {
        var scenario = try readScenario(head + "prompts: [\"" + String(repeating: "x", count: 400) + "\"]\n", environment: [:])
        scenario.model = "DeepSeek-V3.1"
        scenario.request.system = String(repeating: "y", count: 40)
        // The family is the one of the model read with the prompts (m: default, 4 bytes per token), plus the system message.
        #expect(PromptPool(scenario: scenario).inputTokens(seq: 0, level: "c1") == 100 + 10)
        let synthetic = try readScenario(head + "prompts: {source: synthetic, input_tokens: 300, count: 2}\n", environment: [:])
        #expect(PromptPool(scenario: synthetic).inputTokens(seq: 1, level: "c1") == 300)
    }
}
