import Foundation
import Testing
@testable import LoadGen

func readScenario(_ yaml: String) throws -> Scenario {
    var reader = ScenarioReader(file: "s.yaml", yaml: yaml)
    return try reader.read()
}

func scenarioError(_ yaml: String) -> String {
    do {
        _ = try readScenario(yaml)
        return "no error"
    } catch {
        return "\(error)"
    }
}

let minimal = """
name: t
base_url: mock
model: m
prompts: [hello]

"""

@Suite struct ScenarioReaderTests {
    @Test func demoScenarioReads() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../scenarios/demo.yaml")
        let scenario = try ScenarioReader.load(path: url.standardizedFileURL.path)
        #expect(scenario.name == "demo")
        #expect(scenario.usesMock)
        #expect(scenario.load.concurrency == [1, 2, 4, 8, 16, 32])
        #expect(scenario.load.durationNs == 7_000_000_000 && scenario.load.requests == nil && scenario.load.warmupNs == 2_000_000_000)
        #expect(scenario.mock.ttftNs == 200_000_000)
        #expect(scenario.mock.decodeTokensPerSecond == 600)
        #expect(scenario.mock.capacity?.slots == 8 && scenario.mock.capacity?.decodeRateAtCapacity == 300)
        #expect(scenario.mock.tokensPerChunk == 4...12)
        #expect(scenario.request.maxTokens == 256)
    }

    @Test func everyKeyRead() throws {
        let scenario = try readScenario(minimal + """
            description: d
            api: chat
            api_key_env: MY_KEY
            stream: false
            output: out
            request:
              max_tokens: 64
              temperature: 0.2
              top_p: 0.5
              top_k: 10
              seed: 3
              stop: "###"
              system: sys
              extra_body: {reasoning_effort: high, chat_template_kwargs: {enable_thinking: false}, tag: "7"}
            load:
              concurrency: 4
              duration: 1m
              warmup: 2
              think_time: 250ms
              drain_timeout: 5s
            timeouts: {connect: 1s, first_token: none, idle: 2s, total: 1h}
            mock: {ttft: 50ms, decode_rate: 1000, tokens_per_chunk: 3, output_tokens: [10, 20], seed: 9}
            """)
        #expect(scenario.apiKeyEnv == "MY_KEY")
        #expect(!scenario.stream)
        #expect(scenario.request.stop == ["###"])
        #expect(JSONValue.object(scenario.request.extraBody).serialized
                == #"{"reasoning_effort":"high","chat_template_kwargs":{"enable_thinking":false},"tag":"7"}"#)
        #expect(scenario.load.concurrency == [4])
        #expect(scenario.load.durationNs == 60_000_000_000)
        #expect(scenario.load.requests == nil)
        #expect(scenario.load.thinkTimeNs == 250_000_000)
        #expect(scenario.timeouts == TransferTimeouts(connectNs: 1_000_000_000, firstTokenNs: nil, idleNs: 2_000_000_000,
                                                      totalNs: 3_600_000_000_000))
        #expect(scenario.mock.tokensPerChunk == 3...3)
        #expect(scenario.mock.outputTokens == 10...20)
        #expect(scenario.source.locations["load.duration"] == [21, 3])
    }

    @Test func unknownKeySuggestsTheNearestOne() {
        #expect(scenarioError(minimal + "load:\n  concurency: [1]\n")
                == "s.yaml:6:3: load.concurency: unknown key (did you mean 'concurrency'? valid keys here: mode, concurrency, rate, ramp, arrival, burstiness, seed, max_in_flight, at_cap, requests, duration, warmup, think_time, drain_timeout, cooldown)")
    }

    @Test func missingRequiredKey() {
        #expect(scenarioError("name: t\nbase_url: mock\nprompts: [a]\n")
                == "s.yaml:1:1: model: missing required key (the model id, for example gpt-oss-120b)")
    }

    @Test func wrongTypeAndRange() {
        #expect(scenarioError(minimal + "load:\n  concurrency: [1, eight]\n")
                == "s.yaml:6:20: load.concurrency[1]: expected an integer, got 'eight' (an integer from 1 to 100000)")
        #expect(scenarioError(minimal + "request:\n  temperature: 3\n")
                == "s.yaml:6:16: request.temperature: 3 is out of range (a number from 0.0 to 2.0)")
        #expect(scenarioError(minimal + "mock:\n  tokens_per_chunk: [9, 2]\n")
                == "s.yaml:6:21: mock.tokens_per_chunk: min 9 is above max 2 (a positive integer, or [min, max] with 1 <= min <= max)")
        #expect(scenarioError(minimal + "timeouts:\n  idle: soon\n")
                == "s.yaml:6:9: timeouts.idle: 'soon' is not a duration (a number with a unit: 250ms, 30s, 5m, 1h)")
    }

    @Test func invalidValues() {
        #expect(scenarioError("name: ../x\nbase_url: mock\nmodel: m\nprompts: [a]\n")
                == "s.yaml:1:7: name: '../x' cannot name a results folder (use letters, digits, '-', '_' and '.', not starting with '.')")
        #expect(scenarioError("name: t\nbase_url: ftp://x\nmodel: m\nprompts: [a]\n")
                == "s.yaml:2:11: base_url: 'ftp://x' is not an http(s) URL (for example https://api.sambanova.ai/v1, or mock for the embedded mock server)")
        #expect(scenarioError("name: t\nbase_url: mock\nmodel: m\nprompts: []\n")
                == "s.yaml:4:10: prompts: expected a non-empty list of prompts (each item a string, or {messages: [{role: user, content: ...}]}; or a source: {source: jsonl, path: prompts.jsonl})")
        #expect(scenarioError(minimal + "api: grpc\n")
                == "s.yaml:5:6: api: unknown API 'grpc' (one of: chat, responses, messages, completions)")
    }

    @Test func malformedYAML() {
        #expect(scenarioError("name: t\n  base_url: [mock\n").hasPrefix("s.yaml:2:"))
        #expect(scenarioError("").hasPrefix("s.yaml: the file is empty"))
        #expect(scenarioError("- a\n- b\n").hasPrefix("s.yaml:1:1: expected a mapping of keys"))
    }

    @Test func missingFile() {
        #expect(throws: ScenarioError.self) { try ScenarioReader.load(path: "/nonexistent/x.yaml") }
    }

    @Test func messagesPrompts() throws {
        let scenario = try readScenario("name: t\nbase_url: mock\nmodel: m\nprompts:\n  - messages: [{role: user, content: hi}]\n")
        #expect(scenario.prompts == [.messages([.object([("role", .string("user")), ("content", .string("hi"))])])])
        #expect(scenarioError("name: t\nbase_url: mock\nmodel: m\nprompts:\n  - messages: [{content: hi}]\n")
                == "s.yaml:5:15: prompts[0].messages[0]: each message needs a role and content ({role: user, content: \"...\"})")
    }

    @Test func durations() {
        #expect(DurationText.nanoseconds("250ms") == 250_000_000)
        #expect(DurationText.nanoseconds("1.5s") == 1_500_000_000)
        #expect(DurationText.nanoseconds("2") == 2_000_000_000)
        #expect(DurationText.nanoseconds("5m") == 300_000_000_000)
        #expect(DurationText.nanoseconds("-1s") == nil)
        #expect(DurationText.nanoseconds("fast") == nil)
        #expect(DurationText.format(200_000_000) == "200ms")
        #expect(DurationText.format(90_000_000_000) == "90s")
    }
}

@Suite struct OpenLoopScenarioTests {
    @Test func ratesRampAndPolicies() throws {
        let open = try readScenario(minimal + "load:\n  rate: [5, 10/s, 1200/m]\n  arrival: gamma\n  burstiness: 0.5\n  max_in_flight: 8\n  at_cap: drop\n  warmup: 2s\n  duration: 10s\n")
        #expect(open.load.mode == .open)
        #expect(open.load.rates == [5, 10, 20])
        #expect(open.load.arrival == .gamma && open.load.burstiness == 0.5)
        #expect(open.load.maxInFlight == 8 && open.load.atCap == .drop)
        #expect(open.load.warmupNs == 2_000_000_000 && open.load.warmup == 0)
        let plans = LevelPlan.levels(open.load)
        #expect(plans.map(\.name) == ["r5", "r10", "r20"])
        #expect(plans.allSatisfy { $0.dropAtCap && $0.maxInFlight == 8 && $0.durationNs == 10_000_000_000 })
        let ramp = try readScenario(minimal + "load:\n  ramp: {from: 1, to: 20/s, over: 1m}\n  requests: 5\n")
        #expect(LevelPlan.levels(ramp.load) == [LevelPlan(index: 0, name: "ramp1-20", load: .ramp(from: 1, to: 20), requests: nil,
                                                          durationNs: 60_000_000_000, seed: 1)])
    }

    @Test func contradictionsAreErrors() {
        #expect(scenarioError(minimal + "load:\n  rate: 5\n  concurrency: 4\n")
                == "s.yaml:7:16: load.concurrency: concurrency is for closed-loop levels, but this load is open-loop (give either concurrency (closed loop) or rate/ramp (open loop))")
        #expect(scenarioError(minimal + "load:\n  mode: open\n")
                == "s.yaml:6:9: load.mode: an open-loop load needs rate or ramp (for example rate: [5/s, 10/s])")
        #expect(scenarioError(minimal + "load:\n  concurrency: 2\n  at_cap: drop\n")
                == "s.yaml:7:11: load.at_cap: applies to open-loop loads only (set rate or ramp, or remove at_cap)")
        #expect(scenarioError(minimal + "load:\n  rate: 5\n  arrival: bursty\n")
                == "s.yaml:7:12: load.arrival: unknown value 'bursty' (one of: constant, poisson, gamma)")
        #expect(scenarioError(minimal + "load:\n  rate: [20, 1200/m]\n")
                == "s.yaml:6:9: load.rate[1]: level r20 is listed twice (each level once; to measure one load longer, raise requests or duration)")
        #expect(scenarioError(minimal + "load:\n  rate: fast\n")
                == "s.yaml:6:9: load.rate: 'fast' is not a rate (requests per second: 20, 20/s or 1200/m)")
    }

    @Test func theMockStampsItsSendTimesWhenAsked() throws {
        #expect(try readScenario(minimal).mock.stampSendTimes == false)
        #expect(try readScenario(minimal + "mock:\n  stamp_send_times: true\n").mock.stampSendTimes)
        #expect(scenarioError(minimal + "mock:\n  stamp_send_times: sometimes\n") == "s.yaml:6:21: mock.stamp_send_times: expected true or false, got 'sometimes'")
    }
}
