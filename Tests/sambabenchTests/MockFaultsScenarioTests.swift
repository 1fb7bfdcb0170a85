import Engine
import Foundation
import Testing
@testable import sambabench
import LoadGen
import Metrics

/// `mock.faults` in a scenario reaches the embedded mock, every fault is a classified record, and retries wait
/// at least the server's Retry-After.
@Suite(.serialized) struct MockFaultsScenarioTests {
    static let yaml = """
    name: faults
    base_url: mock
    model: gpt-oss-120b
    prompts: [hi]
    load: {concurrency: [6], requests: 140}
    timeouts: {idle: 300ms}
    mock:
      ttft: 10ms
      decode_rate: 4000
      output_tokens: 40
      faults: {rate_limited: 0.1, overloaded: 0.1, stream_error: 0.1, disconnect: 0.1, malformed: 0.1, stall: 0.1, stall_time: forever, retry_after: 30ms}

    """

    @Test func everyFaultIsAClassifiedRecord() async throws {
        var reader = ScenarioReader(file: "faults.yaml", yaml: Self.yaml)
        let scenario = try reader.read()
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try await BenchmarkRun(.init(scenario: scenario, scenarioFile: "faults.yaml", outputDirectory: directory,
                                                commandLine: ["test"], toolVersion: "test"), observer: SilentObserver()).run()
        let summary = try #require(result.summaries.first)
        #expect(summary.requests == 140)
        // Every dispatched request is a success or exactly one class.
        #expect(summary.succeeded + summary.errorsByClass.values.reduce(0, +) == summary.requests)
        for errorClass: ErrorClass in [.rateLimited, .serverError, .streamError, .truncated, .malformedEvent, .timeoutIdle] {
            #expect((summary.errorsByClass[errorClass] ?? 0) > 0, "no \(errorClass.rawValue) among \(summary.errorsByClass)")
        }
        let records = try RunFiles.records(directory: directory)
        #expect(records.filter { $0.errorClass == .rateLimited }.allSatisfy { $0.rateLimit.retryAfterMs == 30 && !$0.rateLimit.limits.isEmpty })
        let timeseries = try String(contentsOfFile: directory + "/timeseries.csv", encoding: .utf8)
        #expect(timeseries.contains("rate_limited="))
    }

    @Test func retriesWaitForRetryAfter() async throws {
        var reader = ScenarioReader(file: "faults.yaml", yaml: """
        name: retry
        base_url: mock
        model: gpt-oss-120b
        prompts: [hi]
        load: {concurrency: [2], requests: 30}
        retries: {max: 3, on: [rate_limited], backoff: 1ms, max_backoff: 2ms}
        mock: {ttft: 5ms, decode_rate: 4000, output_tokens: 20, faults: {rate_limited: 0.3, retry_after: 40ms}}

        """)
        let scenario = try reader.read()
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try await BenchmarkRun(.init(scenario: scenario, scenarioFile: "retry.yaml", outputDirectory: directory,
                                       commandLine: ["test"], toolVersion: "test"), observer: SilentObserver()).run()
        let records = try RunFiles.records(directory: directory)
        let retried = records.filter { $0.attempt > 1 }
        #expect(!retried.isEmpty)
        for retry in retried {
            let previous = try #require(records.first { $0.conversation == retry.conversation && $0.attempt == retry.attempt - 1 })
            // The backoff asked for 1-2 ms; the server's 40 ms Retry-After wins.
            #expect(retry.sentNs - previous.endNs >= 40_000_000, "waited \(Double(retry.sentNs - previous.endNs) / 1e6) ms")
        }
    }

    @Test func faultSharesAboveOneAreRefused() {
        var reader = ScenarioReader(file: "s.yaml", yaml: """
        name: t
        base_url: mock
        model: gpt-oss-120b
        prompts: [hi]
        mock: {faults: {rate_limited: 0.6, drip: 0.6}}

        """)
        #expect(throws: ScenarioError.self) { try reader.read() }
        do { _ = try reader.read() } catch {
            #expect("\(error)".hasPrefix("s.yaml:5:16: mock.faults: the fault shares add up to 1.2, above 1"), "\(error)")
        }
    }
}
