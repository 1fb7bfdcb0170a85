import Foundation
import Testing
@testable import LoadGen
@testable import Metrics

/// Golden files pin the outputs people and tools read: CSV headers, the filled gnuplot scripts and the report's
/// layout. After an intended change, regenerate them with `SAMBABENCH_REGENERATE_GOLDEN=1 swift test` and review
/// the diff.
enum Golden {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden").path
    static var regenerate: Bool { ProcessInfo.processInfo.environment["SAMBABENCH_REGENERATE_GOLDEN"] == "1" }

    static func check(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let path = folder + "/" + name
        if regenerate {
            try actual.write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOfFile: path, encoding: .utf8)
        #expect(actual == expected, "\(name) differs from its golden file (SAMBABENCH_REGENERATE_GOLDEN=1 rewrites it)",
                sourceLocation: sourceLocation)
    }
}

@Suite struct GoldenFileTests {
    /// Two levels of synthetic records, fixed to the nanosecond.
    static func fixture() -> (records: [RequestRecord], levels: [LevelResult], manifest: RunManifest) {
        var scenario = Scenario(name: "golden", baseURL: "mock", model: "gpt-oss-120b", prompts: [.text("hi")])
        scenario.description = "Fixed records for the golden files."
        scenario.request.maxTokens = 64
        scenario.load.concurrency = [1, 2]
        scenario.load.requests = 3
        scenario.slos = [SLO(statistic: .percentile(99), metric: "ttft_ms", comparison: .below, threshold: 150)]
        let levels = [0, 1].map { index in
            var level = LevelResult(index: index, name: "c\(index + 1)", concurrency: index + 1, startNs: Int64(index) * 1_000_000_000,
                        windowStartNs: Int64(index) * 1_000_000_000, windowEndNs: Int64(index) * 1_000_000_000 + 800_000_000,
                        endNs: Int64(index) * 1_000_000_000 + 900_000_000, warmupDispatched: 0, measuredDispatched: 3,
                        stopReason: "requests")
            // Level c2's transport thread was busy 87.5%, but over 0.9 s: too short to be sustained, so no warning.
            level.transport = TransportUtilisation(busyFraction: index == 0 ? 0.25 : 0.875, cpuFraction: index == 0 ? 0.1875 : 0.75)
            return level
        }
        var records: [RequestRecord] = []
        for level in 0..<2 {
            for request in 0..<3 {
                let sent = Int64(level) * 1_000_000_000 + Int64(request) * 250_000_000 + 1_000
                let ttft = Int64(100 + 10 * request + 30 * level) * 1_000_000
                let chunks = (0..<4).map { ChunkRecord(arrivalNs: sent + ttft + Int64($0) * 8_000_000, tokens: 4 + $0, answerBytes: 5 * (4 + $0)) }
                records.append(RequestRecord(
                    level: level, levelName: "c\(level + 1)", seq: level * 3 + request, model: "gpt-oss-120b",
                    status: 200, finishReason: "stop", scheduledNs: sent - 500, sentNs: sent, headersNs: sent + 400_000,
                    firstByteNs: sent + 500_000, endNs: sent + ttft + 30_000_000, chunks: chunks, inputTokens: 12,
                    outputTokens: 22, tokenSource: .usage,
                    server: ServerUsage(timeToFirstToken: Double(ttft) / 1e9 - 0.002, totalLatency: 0.15),
                    connection: ConnectionTimings(ttfbNs: 500_000, newConnection: request == 0), bytesReceived: 900))
            }
        }
        records.append(RequestRecord(level: 1, levelName: "c2", seq: 6, model: "gpt-oss-120b", status: 503,
                                     errorClass: .serverError, errorMessage: "upstream unavailable", scheduledNs: 1_700_000_000,
                                     sentNs: 1_700_000_100, endNs: 1_702_000_000, tokenSource: .estimate,
                                     connection: ConnectionTimings(newConnection: false)))
        var manifest = RunManifest(scenario: scenario, scenarioFile: "scenarios/golden.yaml", effectiveBaseURL: "http://127.0.0.1:1234/v1",
                                   startedAt: Date(timeIntervalSince1970: 1_795_000_000), levels: LevelPlan.levels(scenario.load),
                                   toolVersion: "0.1.0", libcurlVersion: "libcurl/7.88.1", apiKeyPresent: false, commandLine: ["sambabench"])
        manifest.finishedAt = Date(timeIntervalSince1970: 1_795_000_010)
        return (records, levels, manifest)
    }

    @Test func csvHeaders() throws {
        try Golden.check(RecordCSV.requestsHeader + RecordCSV.chunksHeader + SummaryExport.csvHeader + LevelsCSV.header
                         + TimeSeries.header, "csv-headers.txt")
    }

    @Test func derivedOutputs() throws {
        let (records, levels, manifest) = Self.fixture()
        let directory = NSTemporaryDirectory() + "sambabench-golden-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // As a run leaves it: the sample plots read requests.csv.
        try (RecordCSV.requestsHeader + records.map { RecordCSV.requestRow($0) }.joined())
            .write(toFile: directory + "/requests.csv", atomically: true, encoding: .utf8)
        _ = try RunOutput.writeDerived(directory: directory, records: records, levels: levels, manifest: manifest, search: nil)
        try Golden.check(try String(contentsOfFile: directory + "/summary.csv", encoding: .utf8), "summary.csv")
        // The report's layout; its plots section and any gnuplot note depend on whether gnuplot is installed here,
        // so they are left out.
        var inPlots = false
        let report = try String(contentsOfFile: directory + "/report.md", encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).filter { line in
                if line.hasPrefix("## ") { inPlots = line == "## Plots" }
                return !inPlots && !line.hasPrefix("- gnuplot")
            }
            .joined(separator: "\n")
        try Golden.check(report, "report.md")
        for script in ["ttft_cdf.gp", "ttft_percentiles.gp", "throughput.gp", "timeseries.gp", "decode_rate.gp",
                       "tokens_per_chunk.gp", "client_vs_server_ttft.gp"] {
            try Golden.check(try String(contentsOfFile: "\(directory)/plots/\(script)", encoding: .utf8), script)
        }
    }
}
