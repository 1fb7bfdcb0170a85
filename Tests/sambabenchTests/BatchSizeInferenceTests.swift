import Engine
import Foundation
import Testing
import LoadGen
import Metrics
import MockServer

/// Issue 16's done-when: the batch size inferred from the server's start times and TTFTs is the mock's configured
/// batch size (`mock.capacity.batch_window`, `max_batch`), checked against the batches the mock formed.
@Suite(.serialized) struct BatchSizeInferenceTests {
    @Test func inferenceRecoversTheMocksBatchSize() async throws {
        // Every answer is the same length at a rate that does not change with load, so a batch's requests end
        // together and come back together: with 4 or 8 users the mock forms batches of max_batch = 4 (fewer only
        // when a busy machine spreads the returns over more than the window). The inference must find exactly the
        // batches the mock formed, level by level.
        let profile = MockProfile(ttftNs: 50_000_000, decodeTokensPerSecond: 2000, tokensPerChunk: 8...8, outputTokens: 32...32,
                                  capacity: MockCapacity(slots: 64, maxQueue: 0, decodeRateAtCapacity: 2000,
                                                         batching: MockBatching(windowNs: 10_000_000, maxBatch: 4)))
        let server = try await MockServer.start(profile: profile)
        defer { Task { await server.shutdown() } }
        let directory = temporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "unused-key".write(toFile: directory + "/key", atomically: true, encoding: .utf8)
        let file = directory + "/scenario.yaml"
        try """
            name: batches
            base_url: \(server.baseURL)
            api_key_file: key
            model: gpt-oss-120b
            prompts: ["Say something."]
            load:
              concurrency: [4, 8]
              requests: 32
            """.write(toFile: file, atomically: true, encoding: .utf8)
        let scenario = try ScenarioReader.load(path: file)
        let session = BenchmarkRun(.init(scenario: scenario, scenarioFile: file, outputDirectory: directory + "/out",
                                       commandLine: ["test"], toolVersion: "test"), observer: SilentObserver())
        let result = try await session.run()
        #expect(result.summaries.count == 2)
        var inferred = [Int]()
        for summary in result.summaries {
            #expect(summary.succeeded == 32)
            let sizes = summary.inferredBatchSizes
            #expect(sizes.reduce(0, +) == 32)
            #expect(LevelFigure.inferredBatches.value(summary) == Double(sizes.count))
            #expect(LevelFigure.inferredBatchSizeMax.value(summary) == Double(sizes.max() ?? 0))
            inferred += sizes
            print("batch inference \(summary.level.name): \(sizes.count) batches, sizes \(sizes) (mock max_batch 4)")
        }
        let truth = server.batchSizes
        #expect(truth.allSatisfy { $0 <= 4 })
        // Counted as records arrive, the batches come out as sizes, not in time order: the same sizes as many times.
        #expect(inferred.sorted() == truth.sorted(), "the mock formed \(truth)")
        let summaryCSV = try String(contentsOfFile: directory + "/out/summary.csv", encoding: .utf8)
        #expect(summaryCSV.contains(",inferred_batch_size_mean,requests,"))
        // Plotted against concurrency: one row per level (load, mean, median, largest).
        let plotted = try String(contentsOfFile: directory + "/out/plots/batch_size.dat", encoding: .utf8)
            .split(separator: "\n").filter { !$0.hasPrefix("#") }.map { $0.split(separator: " ").map(String.init) }
        #expect(plotted.map { $0.first } == ["4", "8"])
        #expect(plotted.map { $0.last } == result.summaries.map { String(Int(LevelFigure.inferredBatchSizeMax.value($0)!)) })
        #expect(FileManager.default.fileExists(atPath: directory + "/out/plots/batch_size.gp"))
    }

    /// Against the mock directly: the batches it formed (its ground truth) are the ones inferred from the usage
    /// figures it reported, for arrivals that do not line up with the window.
    @Test func inferenceMatchesTheBatchesTheMockFormed() async throws {
        let profile = MockProfile(ttftNs: 40_000_000, decodeTokensPerSecond: 4000, tokensPerChunk: 8...8,
                                  outputTokens: 16...16,
                                  capacity: MockCapacity(slots: 64, maxQueue: 0, decodeRateAtCapacity: 4000,
                                                         batching: MockBatching(windowNs: 15_000_000, maxBatch: 5)))
        let server = try await MockServer.start(profile: profile)
        defer { Task { await server.shutdown() } }
        let transport = CurlTransport(clock: RunClock())
        defer { transport.shutdown() }
        var prefills = [BatchInference.Prefill]()
        // Twelve requests in three waves 100 ms apart: 7, 3 and 2 requests (the first wave fills a batch of 5).
        for wave in [7, 3, 2] {
            try await withThrowingTaskGroup(of: BatchInference.Prefill.self) { group in
                for _ in 0..<wave {
                    group.addTask { try await Self.prefill(transport, server.baseURL) }
                }
                for try await prefill in group { prefills.append(prefill) }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let truth = server.batchSizes
        #expect(truth.reduce(0, +) == 12)
        #expect(truth.allSatisfy { $0 <= 5 })
        #expect(BatchInference.batchSizes(prefills) == truth, "mock formed \(truth)")
        print("batch inference against the mock's batches: formed \(truth), inferred \(BatchInference.batchSizes(prefills))")
    }

    static func prefill(_ transport: CurlTransport, _ baseURL: String) async throws -> BatchInference.Prefill {
        let request = HTTPRequest(url: baseURL + "/chat/completions", headers: ["Content-Type: application/json", "Authorization: Bearer unused-key"],
                                  body: Array(#"{"model":"gpt-oss-120b","messages":[{"role":"user","content":"hi"}]}"#.utf8))
        let outcome = await transport.perform(request, options: TransferOptions(streaming: false, decoder: ChatCompletionsDecoder(),
                                                                               timeouts: TransferTimeouts(totalNs: 10_000_000_000)))
        let object = try JSONSerialization.jsonObject(with: Data(outcome.body)) as! [String: Any]
        let usage = object["usage"] as! [String: Any]
        return BatchInference.Prefill(start: (usage["start_time"] as! NSNumber).doubleValue,
                                      ttft: (usage["time_to_first_token"] as! NSNumber).doubleValue)
    }
}
