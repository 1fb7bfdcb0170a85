import Engine
import Foundation
import Testing
@testable import sambabench
import LoadGen
import Metrics

/// Every API against one mock profile: the same measurement rule must read back the same timing.
@Suite(.serialized) struct APIParityTests {
    static let profileYAML = """
    name: parity
    base_url: mock
    model: gpt-oss-120b
    request: {max_tokens: 128}
    prompts: ["Explain dataflow.", "Name three rivers."]
    load: {concurrency: [4], requests: 24, warmup: 2}
    mock: {ttft: 150ms, decode_rate: 600, tokens_per_chunk: [4, 12], output_tokens: 128, reasoning_share: 0.25, seed: 9,
           stamp_send_times: true}

    """

    static func scenario(_ yaml: String, api: APIKind, stream: Bool = true) throws -> Scenario {
        var reader = ScenarioReader(file: "parity.yaml", yaml: yaml)
        var scenario = try reader.read()
        scenario.api = api
        scenario.stream = stream
        return scenario
    }

    static func run(_ scenario: Scenario) async throws -> (BenchmarkRun.Result, [RequestRecord]) {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let session = BenchmarkRun(.init(scenario: scenario, scenarioFile: "parity.yaml", outputDirectory: directory,
                                       commandLine: ["test"], toolVersion: "test"), observer: SilentObserver())
        let result = try await session.run()
        return (result, try RunFiles.records(directory: directory))
    }

    @Test func sameProfileGivesTheSameTimingThroughEveryAPI() async throws {
        var figures: [APIKind: (error: Double, ttfo: Double, decode: Double)] = [:]
        for api in APIKind.allCases {
            let (result, records) = try await Self.run(try Self.scenario(Self.profileYAML, api: api))
            let summary = try #require(result.summaries.first)
            #expect(summary.requests == 24 && summary.succeeded == 24, "\(api): \(summary.errorsByClass)")
            let ttft = try #require(summary.stats(.ttft))
            let ttfo = try #require(summary.stats(.ttfo))
            let decode = try #require(summary.stats(.decodeRate))
            let error = try #require(summary.stats(.ttftError))
            // Judged against the mock's stamped send times, as the demo's end-to-end test: every first token has its
            // stamp, the client sees it after it was sent, the mock never sends before its schedule; the decode rate,
            // a ratio of spans, within 5% (a debug build on two shared cores).
            #expect(error.count == 24 && error.min >= 0 && error.p50 < 20, "\(api): TTFT error p50 \(error.p50)")
            #expect(ttft.min >= 150, "\(api)")
            #expect(abs(decode.p50 - 600) / 600 < 0.05, "\(api): decode p50 \(decode.p50)")
            // A quarter of the 128 tokens is reasoning, streamed first: the answer's first token comes after it.
            // Text completions have no reasoning channel: the reasoning comes as text, so TTFO is TTFT.
            if api == .completions {
                #expect(ttfo.p50 == ttft.p50, "\(api): TTFO p50 \(ttfo.p50) vs TTFT p50 \(ttft.p50)")
            } else {
                #expect(ttfo.p50 > ttft.p50 + 30, "\(api): TTFO p50 \(ttfo.p50) vs TTFT p50 \(ttft.p50)")
            }
            for record in records where !record.warmup {
                #expect(record.outputTokens == 128 && record.tokenSource == .usage, "\(api) seq \(record.seq)")
                #expect(record.chunks.reduce(0) { $0 + $1.tokens } == 128)
                #expect(record.reasoningTokens == (api == .completions ? 0 : 32) || api == .completions && record.reasoningTokens == nil,
                        "\(api) seq \(record.seq): \(String(describing: record.reasoningTokens))")
                #expect(record.api == api)
            }
            figures[api] = (error.p50, ttfo.p50, decode.p50)
            print("parity \(api.rawValue): TTFT p50 \(ttft.p50) ms p99 \(ttft.p99) ms, TTFO p50 \(ttfo.p50) ms, "
                  + "decode p50 \(decode.p50) tok/s")
        }
        // One measurement rule across the APIs: the client's TTFT errors within 10 ms of each other, decode rates within 5%.
        let errors = figures.values.map(\.error)
        let decodes = figures.values.map(\.decode)
        #expect(errors.max()! - errors.min()! < 10, "\(figures)")
        #expect((decodes.max()! - decodes.min()!) / decodes.min()! < 0.05, "\(figures)")
    }

    @Test func nonStreamingLeavesTTFTEmptyForEveryAPI() async throws {
        for api in APIKind.allCases {
            var scenario = try Self.scenario(Self.profileYAML, api: api, stream: false)
            scenario.load.requests = 6
            scenario.load.concurrency = [2]
            let (result, records) = try await Self.run(scenario)
            let summary = try #require(result.summaries.first)
            #expect(summary.succeeded == 6, "\(api): \(summary.errorsByClass)")
            #expect(summary.stats(.ttft) == nil)
            #expect(summary.stats(.decodeRate) == nil)
            let e2e = try #require(summary.stats(.e2e))
            // The whole answer takes TTFT plus the tokens after the first chunk at 600 tokens/s: 150 + ~200 ms.
            #expect(e2e.p50 > 300 && e2e.p50 < 420, "\(api): E2E p50 \(e2e.p50)")
            for record in records {
                #expect(record.chunks.isEmpty && record.outputTokens == 128 && record.tokenSource == .usage, "\(api)")
                #expect(record.reasoningTokens == 32 || api == .messages && record.reasoningTokens != nil
                        || api == .completions && (record.reasoningTokens ?? 0) == 0, "\(api)")
                #expect(!record.stream)
            }
        }
    }

    static let flowsYAML = """
    name: flows
    base_url: mock
    model: gpt-oss-120b
    record_text: true
    request: {max_tokens: 64}
    conversations:
      - ["What is the weather in Lima?", "And tomorrow?"]
    tools:
      functions:
        - name: get_weather
          parameters: {type: object, properties: {city: {type: string}}, required: [city]}
          result: {temp_c: 21}
    load: {concurrency: [2], requests: 4}
    mock: {ttft: 20ms, decode_rate: 5000, output_tokens: [20, 40], reasoning_share: 0.2, tool_call_share: 1, seed: 3}

    """

    /// Each user turn: a tool call, the canned result, the answer. The mock answers text only when it recognises
    /// the tool result in the API's own shape, so a second tool call would show a wrongly built follow-up.
    @Test func conversationsWithToolRoundTripsThroughEveryAPI() async throws {
        for api in APIKind.allCases {
            guard api != .completions else {
                // One text prompt per request: the API refuses both, naming the keys.
                #expect(APIRegistry.problems(in: try Self.scenario(Self.flowsYAML, api: api)).map(\.path) == ["conversations", "tools"])
                continue
            }
            let directory = temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let session = BenchmarkRun(.init(scenario: try Self.scenario(Self.flowsYAML, api: api), scenarioFile: "flows.yaml",
                                           outputDirectory: directory, commandLine: ["test"], toolVersion: "test"), observer: SilentObserver())
            _ = try await session.run()
            let records = try RunFiles.records(directory: directory).sorted { $0.seq < $1.seq }
            // 4 conversations x (tool call, answer, tool call, answer).
            #expect(records.count == 16, "\(api): \(records.count) records")
            #expect(records.filter { !$0.succeeded }.isEmpty, "\(api): \(records.compactMap(\.errorMessage))")
            for conversation in Dictionary(grouping: records, by: \.conversation).values {
                let turns = conversation.sorted { $0.turn < $1.turn }
                #expect(turns.map(\.turn) == [1, 2, 3, 4], "\(api)")
                let toolStop: String = api == .chat ? "tool_calls" : api == .messages ? "tool_use" : "completed"
                let textStop: String = api == .chat ? "stop" : api == .messages ? "end_turn" : "completed"
                #expect(turns.map(\.finishReason) == [toolStop, textStop, toolStop, textStop], "\(api)")
                #expect(turns[0].chunks.contains { $0.toolBytes > 0 } && turns[1].chunks.allSatisfy { $0.toolBytes == 0 }, "\(api)")
                // Each turn re-sends the ones before it.
                let inputs = turns.compactMap(\.inputTokens)
                #expect(inputs.count == 4 && zip(inputs, inputs.dropFirst()).allSatisfy { $0 < $1 }, "\(api): \(inputs)")
            }
            let answers = try String(contentsOfFile: directory + "/responses.jsonl", encoding: .utf8).split(separator: "\n")
            #expect(answers.count == 16)
            #expect(answers.first?.contains(#""name":"get_weather""#) == true, "\(api): \(answers.first ?? "")")
            let byTurn = try String(contentsOfFile: directory + "/summary_by_turn.csv", encoding: .utf8)
            #expect(byTurn.contains("c2/turn4"), "\(api)")
            let report = try String(contentsOfFile: directory + "/report.md", encoding: .utf8)
            #expect(report.contains("## By conversation turn"))
        }
    }
}
