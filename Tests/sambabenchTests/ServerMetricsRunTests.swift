import Engine
import Foundation
import Testing
@testable import sambabench
import LoadGen
import Metrics

/// A run that scrapes the embedded mock's `/metrics` (llama.cpp's names over the mock's own counts): the scrape path
/// checked offline against known truth.
@Suite(.serialized) struct ServerMetricsRunTests {
    static func run(_ yaml: String) async throws -> (BenchmarkRun.Result, String) {
        var reader = ScenarioReader(file: "scrape.yaml", yaml: yaml)
        let scenario = try reader.read()
        let directory = temporaryDirectory()
        let result = try await BenchmarkRun(.init(scenario: scenario, scenarioFile: "scrape.yaml", outputDirectory: directory,
                                                commandLine: ["test"], toolVersion: "test"), observer: SilentObserver()).run()
        return (result, directory)
    }

    /// Every counter delta equals the client's sums exactly, per level and over the run; the queue the mock reports
    /// is seen; the report has the section and the plot's script.
    @Test(arguments: [true, false]) func scrapedCountersReconcileWithTheClient(stream: Bool) async throws {
        let (result, directory) = try await Self.run("""
            name: scrape
            base_url: mock
            model: gpt-oss-120b
            stream: \(stream)
            request: {max_tokens: 64}
            prompts: [hello there, "a second prompt, longer than the first one"]
            load: {concurrency: [2, 6], requests: 24, warmup: 2}
            server_metrics: {url: mock, interval: 100ms}
            mock:
              ttft: 20ms
              decode_rate: 2000
              output_tokens: [20, 64]
              capacity: {slots: 3, queue: 100, decode_rate_at_capacity: 1000}

            """)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(result.summaries.allSatisfy { $0.succeeded == 24 })
        let rows = try #require(try ServerMetricsCSV.read(directory: directory))
        #expect(rows.count >= 4)
        #expect(rows.allSatisfy { $0.error == nil && $0.snapshot.kind == .llamacpp }, "\(rows.compactMap(\.error))")
        let records = try RunFiles.records(directory: directory)
        let report = try #require(try ServerMetricsReport.read(directory: directory, levels: try RunFiles.levels(directory: directory)))
        let run = try #require(report.run)
        #expect(run.serverGenerated == Double(records.reduce(0) { $0 + $1.outputTokens }))
        #expect(run.clientOutput == records.reduce(0) { $0 + $1.outputTokens })
        #expect(run.serverPrompt == Double(records.reduce(0) { $0 + ($1.inputTokens ?? 0) }))
        #expect(report.levels.map(\.label) == ["c2", "c6"])
        for level in report.levels where level.straddling == 0 {
            #expect(level.serverGenerated == Double(level.clientOutput), "\(level)")
        }
        // Six users on three slots: the mock's queue held requests, and at most three ran at once.
        #expect(run.peakRunning == 3)
        #expect((run.peakWaiting ?? 0) >= 1)
        #expect(run.peakKVCache == 1)
        let text = try String(contentsOfFile: directory + "/report.md", encoding: .utf8)
        #expect(text.contains("## Server metrics"))
        #expect(text.contains("| whole run | \(run.clientOutput) | \(run.clientOutput) | 0 |"))
        #expect(FileManager.default.fileExists(atPath: directory + "/plots/server_metrics.gp"))
        if PlotRenderer.findGnuplot() != nil {
            #expect(text.contains("![server_metrics](plots/server_metrics.png)"))
            #expect(!text.contains("gnuplot:"), "a plot failed: \(text)")
        }
    }

    /// An endpoint that does not answer: every scrape is a row with its error, and the run itself succeeds.
    @Test func aFailingScrapeIsRecordedNotFatal() async throws {
        let (result, directory) = try await Self.run("""
            name: scrape
            base_url: mock
            model: gpt-oss-120b
            prompts: [hi]
            load: {concurrency: [1], requests: 3}
            server_metrics: {url: "http://127.0.0.1:9/metrics", interval: 100ms}
            mock: {ttft: 5ms, decode_rate: 4000, output_tokens: 10}

            """)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(result.summaries.first?.succeeded == 3)
        let rows = try #require(try ServerMetricsCSV.read(directory: directory))
        #expect(!rows.isEmpty && rows.allSatisfy { $0.error != nil && $0.status == 0 })
        let text = try String(contentsOfFile: directory + "/report.md", encoding: .utf8)
        #expect(text.contains("\(rows.count) failed"))
    }
}
