import Engine
import Foundation
import Testing
@testable import sambabench
import LoadGen
import Metrics

/// Interrupts, kill -9, retries, the error-rate abort, --force and key redaction, through the real binary where a
/// signal is involved.
@Suite(.serialized) struct InterruptAndPolicyTests {
    /// Beside the test bundle, whatever --scratch-path the tests were built with.
    static let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("sambabench").path

    /// A long closed-loop run against the embedded mock (each request about 1.1 s).
    static func longScenario() throws -> String {
        let path = temporaryDirectory() + ".yaml"
        try """
        name: long
        base_url: mock
        model: gpt-oss-120b
        prompts: [hi]
        load: {concurrency: [8, 16], duration: 60s}
        mock: {ttft: 100ms, decode_rate: 200, output_tokens: 200, tokens_per_chunk: [4, 8]}

        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func spawn(_ arguments: [String]) throws -> Process {
        try #require(FileManager.default.isExecutableFile(atPath: binary), "the sambabench executable is built with the tests")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Waits until requests.csv has at least `rows` data rows.
    static func waitForRows(_ directory: String, _ rows: Int) async throws {
        for _ in 0..<200 {
            let text = (try? String(contentsOfFile: directory + "/requests.csv", encoding: .utf8)) ?? ""
            if text.split(separator: "\n").count - 1 >= rows { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("requests.csv never reached \(rows) rows")
    }

    @Test func firstInterruptLetsRequestsFinishAndExits130() async throws {
        let scenario = try Self.longScenario()
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let process = try Self.spawn(["run", scenario, "--output", directory, "--quiet", "--grace", "30s"])
        try await Self.waitForRows(directory, 8)
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        let records = try RunFiles.records(directory: directory)
        // Dispatching stopped; the 8 requests in flight finished within the grace period, none was cancelled.
        #expect(records.allSatisfy { $0.errorClass == nil }, "\(records.compactMap(\.errorClass))")
        #expect(records.allSatisfy { $0.level == 0 }, "the second level never started")
        let manifest = try String(contentsOfFile: directory + "/run.json", encoding: .utf8)
        #expect(manifest.contains("\"interrupted\": true") && manifest.contains("\"stop_reason\": \"interrupted\""))
        let report = try String(contentsOfFile: directory + "/report.md", encoding: .utf8)
        #expect(report.contains("**Interrupted**"))
        #expect(FileManager.default.fileExists(atPath: directory + "/summary.csv"))
    }

    @Test func secondInterruptCancelsRequestsInFlight() async throws {
        let scenario = try Self.longScenario()
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let process = try Self.spawn(["run", scenario, "--output", directory, "--quiet", "--grace", "60s"])
        try await Self.waitForRows(directory, 8)
        // The first eight rows can reach the disk before every user has sent its next request; a little later the
        // second eight (1.1 s each) are surely in flight.
        try await Task.sleep(for: .milliseconds(300))
        kill(process.processIdentifier, SIGTERM)
        try await Task.sleep(for: .milliseconds(100))
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        let records = try RunFiles.records(directory: directory)
        let cancelled = records.filter { $0.errorClass == .cancelled }
        #expect(!cancelled.isEmpty && cancelled.count <= 8, "\(cancelled.count) cancelled")
        #expect(cancelled.allSatisfy { $0.errorMessage?.contains("interrupted") == true })
    }

    @Test func killNineLeavesOnlyWholeRows() async throws {
        let scenario = try Self.longScenario()
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let process = try Self.spawn(["run", scenario, "--output", directory, "--quiet"])
        try await Self.waitForRows(directory, 20)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        // Every row on disk is whole: the files load, and every request's chunks are there.
        let text = try String(contentsOfFile: directory + "/requests.csv", encoding: .utf8)
        #expect(text.hasSuffix("\n"))
        let records = try RunFiles.records(directory: directory)
        #expect(records.count >= 20)
        for record in records where record.succeeded {
            #expect(record.chunks.reduce(0) { $0 + $1.tokens } == record.outputTokens, "seq \(record.seq)")
        }
        // Killed in the first level, before any levels.csv: `report` rebuilds that level from the records, as partial.
        #expect(!FileManager.default.fileExists(atPath: directory + "/levels.csv"))
        let (summaries, problems) = try RunOutput.rebuild(directory: directory)
        #expect(summaries.map(\.level.name) == ["c8"] && summaries.map(\.level.stopReason) == ["partial"])
        #expect(summaries.first?.requests == records.count)
        #expect(problems.contains { $0.hasPrefix("level c8 is partial") })
    }

    static let busyYAML = """
    name: busy
    base_url: mock
    model: gpt-oss-120b
    prompts: [hi]
    load: {concurrency: [4], requests: 40}
    mock: {ttft: 20ms, decode_rate: 2000, output_tokens: 40, capacity: {slots: 1, queue: 0}}

    """

    @Test func retriesAreRecordsOfTheirOwnAndHonourTheLimit() async throws {
        var reader = ScenarioReader(file: "busy.yaml", yaml: Self.busyYAML + """
        retries: {max: 50, on: [rate_limited], backoff: 5ms, max_backoff: 40ms}

        """)
        var scenario = try reader.read()
        scenario.load.requests = 8
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try await BenchmarkRun(.init(scenario: scenario, scenarioFile: "busy.yaml", outputDirectory: directory,
                                       commandLine: ["test"], toolVersion: "test"), observer: SilentObserver()).run()
        let records = try RunFiles.records(directory: directory)
        // One slot, four users: most first attempts are refused 429, retried until they get through.
        let refused = records.filter { $0.errorClass == .rateLimited }
        #expect(!refused.isEmpty)
        #expect(records.filter(\.succeeded).count >= 8)
        #expect(records.contains { $0.attempt > 1 && $0.succeeded })
        // Every retry is its own record with its own sequence number.
        #expect(Set(records.map(\.seq)).count == records.count)
        for record in records where record.attempt > 1 {
            #expect(records.contains { $0.conversation == record.conversation && $0.attempt == record.attempt - 1 })
        }
    }

    @Test func abortStopsTheRunWhenTheErrorRatePassesTheThreshold() async throws {
        let path = temporaryDirectory() + ".yaml"
        try (Self.busyYAML + "abort: {error_rate: 0.3, min_requests: 10}\n").write(toFile: path, atomically: true, encoding: .utf8)
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let process = try Self.spawn(["run", path, "--output", directory, "--quiet", "--concurrency", "4,8"])
        process.waitUntilExit()
        #expect(process.terminationStatus == 4)
        let manifest = try String(contentsOfFile: directory + "/run.json", encoding: .utf8)
        #expect(manifest.contains("\"stop_reason\": \"aborted: "))
        let records = try RunFiles.records(directory: directory)
        #expect(records.count < 40 && records.allSatisfy { $0.level == 0 })
        let report = try String(contentsOfFile: directory + "/report.md", encoding: .utf8)
        #expect(report.contains("**Aborted**"))
    }

    @Test func forceReplacesOnlyAnEarlierRun() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let arguments = ["run", repositoryRoot + "/scenarios/demo.yaml", "--concurrency", "1", "--requests", "1",
                         "--warmup", "0", "--max-tokens", "8", "--output", directory, "--quiet"]
        for (extra, status) in [([String](), Int32(0)), ([], 1), (["--force"], 0)] {
            let process = try Self.spawn(arguments + extra)
            process.waitUntilExit()
            #expect(process.terminationStatus == status, "\(extra)")
        }
        let other = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: other) }
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        try "mine".write(toFile: other + "/notes.txt", atomically: true, encoding: .utf8)
        let process = try Self.spawn(["run", repositoryRoot + "/scenarios/demo.yaml", "--requests", "1", "--output", other, "--force", "--quiet"])
        process.waitUntilExit()
        #expect(process.terminationStatus == 1)
        #expect(FileManager.default.fileExists(atPath: other + "/notes.txt"), "a directory that is not a run is never removed")
    }

    @Test func keyEchoedByTheServerIsRedacted() throws {
        var scenario = Scenario(name: "k", baseURL: "http://127.0.0.1:9/v1", model: "m", prompts: [.text("hi")])
        scenario.api = .chat
        let factory = RequestFactory(scenario: scenario, baseURL: scenario.baseURL, apiKey: "sk-secret-123")
        #expect(factory.redact("invalid api key sk-secret-123 given") == "invalid api key [redacted] given")
        #expect(factory.redact("nothing here") == "nothing here")
        #expect(factory.request(seq: 0).headers.contains("Authorization: Bearer sk-secret-123"))
    }
}
