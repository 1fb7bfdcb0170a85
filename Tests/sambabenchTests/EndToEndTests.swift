import Engine
import Foundation
import Testing
@testable import sambabench
import LoadGen
import Metrics

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardizedFileURL.path

func temporaryDirectory() -> String {
    NSTemporaryDirectory() + "sambabench-test-\(UUID().uuidString)"
}

@Suite(.serialized) struct EndToEndTests {
    /// Three of the demo's levels (1, 8, 32) in-process against the embedded mock, counted instead of timed and without
    /// its capacity model (the decode rate must stay the configured one at every level). Accuracy
    /// is judged against the mock's stamped send times (the ground truth on the same clock), not against its
    /// configured TTFT: on a busy machine the mock itself sends late, and that is the server's time, not an error.
    @Test func demoLevelsMeasureTheMocksStampedTiming() async throws {
        var scenario = try ScenarioReader.load(path: repositoryRoot + "/scenarios/demo.yaml")
        scenario.mock.stampSendTimes = true
        scenario.mock.capacity = nil
        scenario.load.concurrency = [1, 8, 32]
        scenario.load.requests = 40
        scenario.load.durationNs = nil
        scenario.load.warmup = 2
        scenario.load.warmupNs = 0
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let session = BenchmarkRun(.init(scenario: scenario, scenarioFile: "scenarios/demo.yaml", outputDirectory: directory,
                                       commandLine: ["test"], toolVersion: "test"), observer: SilentObserver())
        let result = try await session.run()
        #expect(result.summaries.map(\.level.concurrency) == [1, 8, 32])

        let configuredTTFT = Double(scenario.mock.ttftNs) / 1e6
        let configuredRate = scenario.mock.decodeTokensPerSecond
        for summary in result.summaries {
            #expect(summary.requests == 40 && summary.succeeded == 40 && summary.warmupRequests == 2)
            let ttft = try #require(summary.stats(.ttft))
            let decode = try #require(summary.stats(.decodeRate))
            let error = try #require(summary.stats(.ttftError))
            // Every measured first token has its stamp; the client sees it after the mock sent it (never before), and
            // the mock never sends it before its schedule. The error's median bound is generous (a debug build on two
            // busy cores; a release build measures about 0.1 ms); the decode rate, a ratio of spans, within 5%.
            #expect(error.count == 40, "level \(summary.level.name)")
            #expect(error.min >= 0 && error.p50 < 20, "level \(summary.level.name): TTFT error p50 \(error.p50) ms")
            #expect(ttft.min >= configuredTTFT, "level \(summary.level.name)")
            #expect(abs(decode.p50 - configuredRate) / configuredRate < 0.05, "level \(summary.level.name): decode p50 \(decode.p50)")
            #expect(summary.stats(.tokensPerChunk)!.min >= 1)
            #expect(summary.stats(.tokensPerChunk)!.max <= 12)
            #expect((summary.outputThroughput ?? 0) > 0)
            print("e2e \(summary.level.name): TTFT error against the stamps p50 \(error.p50) ms, p99 \(error.p99) ms; "
                  + "decode rate error p50 \((decode.p50 - configuredRate) / configuredRate * 100)%; "
                  + "output \(summary.outputThroughput ?? 0) tokens/s")
        }

        // The directory holds every output, with a row per request and per chunk.
        let files = try FileManager.default.contentsOfDirectory(atPath: directory)
        for name in ["requests.csv", "chunks.csv", "run.json", "levels.csv"] {
            #expect(files.contains(name), "missing \(name)")
        }
        // Every derived output, but those of conversations and searches (this run has neither).
        for format in OutputFormat.allCases where ![.summaryByTurn, .search].contains(format) {
            let name = format.rawValue.hasSuffix("/") ? String(format.rawValue.dropLast()) : format.rawValue
            #expect(files.contains(name), "missing \(name)")
        }
        let requests = try String(contentsOfFile: directory + "/requests.csv", encoding: .utf8)
        #expect(requests.split(separator: "\n").count == 1 + 3 * 42)
        let chunkRows = try String(contentsOfFile: directory + "/chunks.csv", encoding: .utf8).split(separator: "\n").count - 1
        #expect(chunkRows > 3 * 42 * 192 / 12)
        let report = try String(contentsOfFile: directory + "/report.md", encoding: .utf8)
        #expect(report.contains("| c32 | 40 | 0 |"))
        let runJSON = try String(contentsOfFile: directory + "/run.json", encoding: .utf8)
        #expect(runJSON.contains("\"finished_at\": \"20"))
        if PlotRenderer.findGnuplot() != nil {
            #expect(result.problems.isEmpty, "\(result.problems)")
            for plot in ["ttft_cdf.png", "ttft_cdf.svg", "throughput.png", "throughput.svg"] {
                let size = (try FileManager.default.attributesOfItem(atPath: "\(directory)/plots/\(plot)")[.size] as? Int) ?? 0
                #expect(size > 1000, "\(plot) is \(size) bytes")
            }
        } else {
            #expect(result.problems.first?.contains("gnuplot is not installed") == true)
        }
    }
}

@Suite(.serialized) struct CommandLineTests {
    func run(_ arguments: [String]) async throws {
        var command = try Sambabench.parseAsRoot(arguments)
        if var asyncCommand = command as? AsyncParsableCommand {
            try await asyncCommand.run()
        } else {
            try command.run()
        }
    }

    func exitCode(_ arguments: [String]) async -> Int32? {
        do {
            try await run(arguments)
            return 0
        } catch let error as ExitCode {
            return error.rawValue
        } catch {
            return nil
        }
    }

    func write(_ text: String) throws -> String {
        let path = temporaryDirectory() + ".yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func missingScenarioExitsWithTwo() async {
        #expect(await exitCode(["run", "/nonexistent/scenario.yaml"]) == 2)
    }

    @Test func malformedScenarioExitsWithTwo() async throws {
        let path = try write("name: x\nbase_url: mock\nmodel: gpt-oss-120b\nprompts: [a]\nload:\n  concurrency: [1, 0]\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(await exitCode(["run", path]) == 2)
        #expect(await exitCode(["validate", path]) == 2)
        let broken = try write("name: x\n  : [\n")
        defer { try? FileManager.default.removeItem(atPath: broken) }
        #expect(await exitCode(["run", broken]) == 2)
    }

    @Test func missingAPIKeyVariableIsAScenarioError() async throws {
        let path = try write("name: x\nbase_url: https://example.invalid/v1\nmodel: m\napi_key_env: SAMBABENCH_TEST_UNSET_KEY\nprompts: [a]\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let scenario = try ScenarioReader.load(path: path)
        let session = BenchmarkRun(.init(scenario: scenario, scenarioFile: path, outputDirectory: temporaryDirectory(),
                                       commandLine: [], toolVersion: "test"), observer: SilentObserver())
        await #expect(throws: ScenarioError(file: path, line: 4, column: 1, path: "api_key_env",
                                            message: "environment variable SAMBABENCH_TEST_UNSET_KEY is not set",
                                            hint: "export SAMBABENCH_TEST_UNSET_KEY=<your key>, or run against the mock with --mock")) {
            try await session.run()
        }
        #expect(await exitCode(["run", path]) == 2)
    }

    @Test func invalidOverrideExitsWithTwo() async {
        #expect(await exitCode(["run", repositoryRoot + "/scenarios/demo.yaml", "--concurrency", "1,x"]) == 2)
    }

    @Test func shippedScenariosValidate() async throws {
        let folder = repositoryRoot + "/scenarios"
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(files.contains("demo.yaml") && files.contains("gpt-oss-120b.yaml"))
        #expect(await exitCode(["validate"] + files.map { "\(folder)/\($0)" }) == 0)
    }

    @Test func missedObjectiveExitsWithThreeAfterWritingEverything() async throws {
        let directory = temporaryDirectory()
        let path = try write("name: x\nbase_url: mock\nmodel: gpt-oss-120b\nprompts: [a]\nrequest: {max_tokens: 8}\nload: {requests: 3}\nslo: [\"p50 ttft_ms < 5\"]\nmock: {ttft: 20ms}\n")
        defer {
            try? FileManager.default.removeItem(atPath: path)
            try? FileManager.default.removeItem(atPath: directory)
        }
        #expect(await exitCode(["run", path, "--output", directory, "--quiet"]) == 3)
        #expect(FileManager.default.fileExists(atPath: directory + "/summary.csv"))
        let summary = try String(contentsOfFile: directory + "/summary.csv", encoding: .utf8)
        #expect(summary.contains(",slo: p50 ttft_ms < 5,missed,"))
    }

    @Test func errorRateOverTheThresholdExitsWithFour() async throws {
        setenv("SAMBABENCH_TEST_KEY", "not-a-real-key", 1)
        let directory = temporaryDirectory()
        // Nothing listens on port 1 of loopback: every request fails to connect.
        let path = try write("name: x\nbase_url: http://127.0.0.1:1/v1\nmodel: m\napi_key_env: SAMBABENCH_TEST_KEY\nprompts: [a]\nload: {requests: 3}\nmax_error_rate: 0.5\n")
        defer {
            try? FileManager.default.removeItem(atPath: path)
            try? FileManager.default.removeItem(atPath: directory)
        }
        #expect(await exitCode(["run", path, "--output", directory, "--quiet"]) == 4)
        let requests = try String(contentsOfFile: directory + "/requests.csv", encoding: .utf8)
        #expect(requests.split(separator: "\n").count == 4)
        #expect(!requests.contains("not-a-real-key"))
        #expect(!(try String(contentsOfFile: directory + "/run.json", encoding: .utf8)).contains("not-a-real-key"))
    }

    /// Issue 14, item 10: a run in which every request failed exits 4 without a `max_error_rate`; `1` accepts it.
    @Test func everyRequestFailedExitsFourUnlessAccepted() async throws {
        setenv("SAMBABENCH_TEST_KEY", "not-a-real-key", 1)
        let scenario = "name: x\nbase_url: http://127.0.0.1:1/v1\nmodel: m\napi_key_env: SAMBABENCH_TEST_KEY\nprompts: [a]\nload: {requests: 3}\n"
        for (extra, expected) in [("", Int32(4)), ("max_error_rate: 1\n", Int32(0))] {
            let directory = temporaryDirectory()
            let path = try write(scenario + extra)
            defer {
                try? FileManager.default.removeItem(atPath: path)
                try? FileManager.default.removeItem(atPath: directory)
            }
            #expect(await exitCode(["run", path, "--output", directory, "--quiet"]) == expected, "\(extra)")
        }
    }

    @Test func unparsableCommandLineExitsWithTwo() throws {
        // Beside the test bundle, whatever --scratch-path the tests were built with.
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("sambabench").path
        try #require(FileManager.default.isExecutableFile(atPath: binary), "the sambabench executable is built with the tests")
        for arguments in [["run", "--no-such-flag", "x.yaml"], ["run"], ["frobnicate"]] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 2, "\(arguments)")
        }
    }

    @Test func runThroughTheEntryPointWithOverrides() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(await exitCode(["run", repositoryRoot + "/scenarios/gpt-oss-120b.yaml", "--mock", "--concurrency", "2",
                                "--requests", "4", "--warmup", "0", "--max-tokens", "32", "--output", directory, "--quiet"]) == 0)
        let summary = try String(contentsOfFile: directory + "/summary.csv", encoding: .utf8)
        #expect(summary.contains("0,c2,2,,output_tokens,tokens,4,32,0,32,32,32,32,32,32,32,"))
        // An existing output directory is never overwritten.
        #expect(await exitCode(["run", repositoryRoot + "/scenarios/demo.yaml", "--output", directory, "--quiet"]) == 1)
    }

    /// `--api completions` on a chat scenario, against the embedded mock: text chunks, usage, the same rule.
    @Test func textCompletionsThroughTheCommandLine() async throws {
        for stream in [true, false] {
            let directory = temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            #expect(await exitCode(["run", repositoryRoot + "/scenarios/demo.yaml", "--api", "completions", "--concurrency", "2",
                                    "--requests", "6", "--warmup", "0", "--max-tokens", "48", stream ? "--stream" : "--no-stream",
                                    "--record-text", "--output", directory, "--quiet"]) == 0)
            let records = try RunFiles.records(directory: directory)
            #expect(records.count == 6)
            for record in records {
                #expect(record.api == .completions && record.succeeded, "\(record.errorMessage ?? "")")
                #expect(record.outputTokens == 48 && record.tokenSource == .usage && record.finishReason == "length")
                #expect(record.stream == stream && record.chunks.isEmpty == !stream)
                if stream {
                    #expect(record.chunks.reduce(0) { $0 + $1.tokens } == 48 && record.chunks.allSatisfy { $0.answerBytes > 0 })
                }
            }
            let answers = try String(contentsOfFile: directory + "/responses.jsonl", encoding: .utf8).split(separator: "\n")
            #expect(answers.count == 6 && answers.allSatisfy { $0.contains(#""text":" "#) })
        }
        // Its scenario file runs too, and conversations are refused with the key named.
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(await exitCode(["run", repositoryRoot + "/scenarios/completions.yaml", "--concurrency", "2", "--requests", "4",
                                "--warmup", "0", "--max-tokens", "16", "--output", directory, "--quiet"]) == 0)
        let conversations = try write("name: c\nbase_url: mock\nmodel: gpt-oss-120b\napi: completions\nconversations: [[a, b]]\n")
        #expect(await exitCode(["validate", conversations]) == 2)
    }
}

import ArgumentParser

@Suite(.serialized) struct CapacityEndToEndTests {
    func session(_ scenario: Scenario, _ directory: String) -> BenchmarkRun {
        BenchmarkRun(.init(scenario: scenario, scenarioFile: "scenarios/mock-capacity-search.yaml", outputDirectory: directory,
                         commandLine: ["test"], toolVersion: "test"), observer: SilentObserver())
    }

    /// The SLO search against the mock's capacity model finds the configured capacity (8 slots) within one step.
    @Test func sloSearchFindsTheMocksCapacity() async throws {
        var scenario = try ScenarioReader.load(path: repositoryRoot + "/scenarios/mock-capacity-search.yaml")
        scenario.load.requests = 32
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try await session(scenario, directory).run()
        let slots = Double(try #require(scenario.mock.capacity).slots)
        let met = result.summaries.filter { SLOEvaluation.allMet(scenario.slos, $0) }.map(\.level.loadValue)
        let answer = try #require(met.max())
        #expect(abs(answer - slots) <= 1, "answer \(answer), levels \(result.summaries.map(\.level.name))")
        let report = try String(contentsOfFile: directory + "/report.md", encoding: .utf8)
        #expect(report.contains("the highest concurrency meeting every objective is \(CSVFormat.number(answer))"))
        let search = try String(contentsOfFile: directory + "/search.csv", encoding: .utf8)
        #expect(search.split(separator: "\n").count == result.summaries.count + 1)
        if PlotRenderer.findGnuplot() != nil {
            #expect(FileManager.default.fileExists(atPath: directory + "/plots/search.png"))
        }
    }

    /// A sweep across the capacity shows the knee: throughput stops growing and TTFT climbs past 8 users.
    @Test func sweepShowsTheKnee() async throws {
        var scenario = try ScenarioReader.load(path: repositoryRoot + "/scenarios/mock-capacity-search.yaml")
        scenario.search = nil
        scenario.load.concurrency = [4, 8, 16]
        scenario.load.requests = 48
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let summaries = try await session(scenario, directory).run().summaries
        let throughput = summaries.map { $0.outputThroughput ?? 0 }
        let ttft = summaries.map { $0.stats(.ttft)?.p50 ?? 0 }
        #expect(throughput[1] > 1.4 * throughput[0], "\(throughput)")
        #expect(throughput[2] < 1.2 * throughput[1], "\(throughput)")
        #expect(ttft[2] > 1.5 * ttft[1], "\(ttft)")
    }
}

@Suite(.serialized) struct ReportRebuildTests {
    @Test func reportOnACopiedRunReproducesSummaryByteForByte() async throws {
        var scenario = try ScenarioReader.load(path: repositoryRoot + "/scenarios/demo.yaml")
        scenario.load.concurrency = [2, 4]
        scenario.load.requests = 8
        scenario.load.warmup = 1
        scenario.mock.ttftNs = 30_000_000
        scenario.mock.outputTokens = 40...60
        scenario.slos = [try SLO.parse("p99 ttft_ms < 500", metrics: SLO.metricNames).get()]
        // Request settings the old partial reader of run.json dropped (summary.json then differed).
        scenario.request.temperature = 0.7
        scenario.request.topP = 0.9
        let original = temporaryDirectory()
        let copy = temporaryDirectory()
        defer {
            try? FileManager.default.removeItem(atPath: original)
            try? FileManager.default.removeItem(atPath: copy)
        }
        _ = try await BenchmarkRun(.init(scenario: scenario, scenarioFile: "scenarios/demo.yaml", outputDirectory: original,
                                       commandLine: ["test"], toolVersion: "test"), observer: SilentObserver()).run()
        let manager = FileManager.default
        try manager.createDirectory(atPath: copy, withIntermediateDirectories: true)
        for name in ["requests.csv", "chunks.csv", "levels.csv", "run.json"] {
            try manager.copyItem(atPath: "\(original)/\(name)", toPath: "\(copy)/\(name)")
        }
        var command = try Sambabench.parseAsRoot(["report", copy])
        try command.run()
        for name in ["summary.csv", "summary.json", "timeseries.csv", "levels.csv"] {
            let before = try Data(contentsOf: URL(fileURLWithPath: "\(original)/\(name)"))
            let after = try Data(contentsOf: URL(fileURLWithPath: "\(copy)/\(name)"))
            #expect(before == after, "\(name) differs")
        }
        let hdr = try manager.contentsOfDirectory(atPath: original + "/hdr").sorted()
        #expect(try manager.contentsOfDirectory(atPath: copy + "/hdr").sorted() == hdr)
        for name in hdr {
            #expect(try Data(contentsOf: URL(fileURLWithPath: "\(original)/hdr/\(name)"))
                    == Data(contentsOf: URL(fileURLWithPath: "\(copy)/hdr/\(name)")), "hdr/\(name) differs")
        }
        let report = try String(contentsOfFile: copy + "/report.md", encoding: .utf8)
        #expect(report.contains("| c4 | 8 | 0 |"))
        #expect(report.contains("p99 ttft_ms < 500"))
    }

    @Test func aDamagedCSVIsNamedWithItsLine() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var scenario = try ScenarioReader.load(path: repositoryRoot + "/scenarios/demo.yaml")
        scenario.load.concurrency = [1]
        scenario.load.requests = 2
        scenario.mock.ttftNs = 10_000_000
        scenario.mock.outputTokens = 10...10
        _ = try await BenchmarkRun(.init(scenario: scenario, scenarioFile: "demo", outputDirectory: directory,
                                       commandLine: [], toolVersion: "test"), observer: SilentObserver()).run()
        let path = directory + "/requests.csv"
        var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        lines[2] = lines[2].replacingOccurrences(of: ",usage,", with: ",guessed,")
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: RunFiles.ReadError(file: path, line: 3, message: "column token_source: 'guessed' is not valid")) {
            _ = try RunFiles.records(directory: directory)
        }
        // A column sambabench never writes is refused, not ignored.
        lines[0] += ",extra"
        lines[2] = lines[2].replacingOccurrences(of: ",guessed,", with: ",usage,")
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: RunFiles.ReadError(file: path, line: 1, message: "unknown column 'extra' in requests.csv's header (a file as sambabench wrote it, unedited)")) {
            _ = try RunFiles.records(directory: directory)
        }
    }
}

@Suite(.serialized) struct CompareTests {
    /// A run directory written from records with exact times: six requests per level, the first token `ttftNs` after
    /// being sent, thirty tokens in two chunks.
    static func writeRun(_ directory: String, concurrencies: [Int], ttftNs: Int64) throws {
        var scenario = Scenario(name: "demo", baseURL: "mock", model: "m", prompts: [.text("hi")])
        scenario.load.concurrency = concurrencies
        let plans = LevelPlan.levels(scenario.load)
        let output = try RunOutput(directory: directory)
        var levels: [LevelResult] = []
        var seq = 0
        for plan in plans {
            let start = Int64(plan.index) * 10_000_000_000
            for index in 0..<6 {
                let sent = start + Int64(index) * 100_000_000
                try output.add(RequestRecord(level: plan.index, levelName: plan.name, seq: seq, model: "m", scheduledNs: sent,
                                             sentNs: sent, endNs: sent + ttftNs + 50_000_000,
                                             chunks: [ChunkRecord(arrivalNs: sent + ttftNs, tokens: 10, answerBytes: 40),
                                                      ChunkRecord(arrivalNs: sent + ttftNs + 50_000_000, tokens: 20, answerBytes: 80)],
                                             inputTokens: 5, outputTokens: 30))
                seq += 1
            }
            levels.append(LevelResult(index: plan.index, name: plan.name, concurrency: plan.concurrency, rate: nil, startNs: start,
                                      windowStartNs: start, windowEndNs: start + 600_000_000, endNs: start + 700_000_000,
                                      warmupDispatched: 0, measuredDispatched: 6, stopReason: "requests"))
        }
        try output.finish(levels: levels, manifest: RunManifest(
            scenario: scenario, scenarioFile: "demo.yaml", effectiveBaseURL: "mock", startedAt: Date(timeIntervalSince1970: 0),
            levels: plans, toolVersion: "test", libcurlVersion: "test", apiKeyPresent: false, commandLine: []))
    }

    @Test func comparesTwoRunsLevelByLevelAndNamesLevelsThatDoNotLineUp() async throws {
        let first = temporaryDirectory()
        let second = temporaryDirectory()
        let output = temporaryDirectory()
        defer { for path in [first, second, output] { try? FileManager.default.removeItem(atPath: path) } }
        try Self.writeRun(first, concurrencies: [1, 2], ttftNs: 20_000_000)
        try Self.writeRun(second, concurrencies: [2, 3], ttftNs: 40_000_000)
        var command = try Sambabench.parseAsRoot(["compare", first, second, "--output", output])
        try command.run()
        let markdown = try String(contentsOfFile: output + "/compare.md", encoding: .utf8)
        #expect(markdown.contains("## Level c2"))
        #expect(!markdown.contains("## Level c1") && !markdown.contains("## Level c3"))
        #expect(markdown.contains("## Levels that do not line up"))
        #expect(markdown.contains(": c1 (not in every run") && markdown.contains(": c3 (not in every run"))
        // TTFT doubled: the ratio of run 1 to run 0 at p50 is 2, to HdrHistogram's three significant digits.
        let csv = try String(contentsOfFile: output + "/compare.csv", encoding: .utf8)
        let row = try #require(csv.split(separator: "\n").first { $0.hasPrefix("c2,ttft_p50,ms,1,") })
        let ratio = try #require(Double(row.split(separator: ",").last!))
        #expect(abs(ratio - 2) < 0.002, "\(row)")
        #expect(throws: Never.self) { _ = try Sambabench.parseAsRoot(["compare", first, second]) }
        #expect(throws: (any Error).self) { _ = try Sambabench.parseAsRoot(["compare", first]) }
    }
}

@Suite struct ScenarioRoundTripTests {
    /// Every shipped scenario, written to run.json's scenario object and read back, gives the same settings and the
    /// same JSON (prompts, conversations and tools are recorded as summaries only, and are not read back).
    @Test(arguments: ScenarioFilesTests.files) func runJSONReadsBackTheScenario(_ name: String) throws {
        var original = try ScenarioReader.load(path: repositoryRoot + "/scenarios/" + name)
        original.mock.stampSendTimes = true
        original.mock.faults.afterChunks = 2...5
        let written = ScenarioJSON.value(original)
        let parsed = try JSONValue.parse(written.pretty)
        #expect(parsed == written)
        let read = try ScenarioJSON.scenario(from: parsed, mock: ScenarioJSON.mock(original.mock), insecure: original.insecure)
        #expect(read.request == original.request && read.load == original.load && read.timeouts == original.timeouts)
        #expect(read.slos == original.slos && read.search == original.search && read.retries == original.retries)
        #expect(read.abort == original.abort && read.mock == original.mock && read.matrix == original.matrix)
        #expect(read.maxErrorRate == original.maxErrorRate && read.auth == original.auth && read.api == original.api)
        #expect(read.apiKeyEnv == original.apiKeyEnv && read.apiKeyFile == original.apiKeyFile && read.stream == original.stream)
        func settings(_ value: JSONValue) -> JSONValue {
            guard case .object(let pairs) = value else { return value }
            return .object(pairs.filter { !["prompts", "conversations", "tools"].contains($0.0) })
        }
        #expect(settings(ScenarioJSON.value(read)) == settings(written), "\(name)")
    }

    @Test func orderedJSONReadsEscapesAndRefusesDamage() throws {
        let value = try JSONValue.parse(#"{"b": [1, 2.5, -3e2, true, null], "a": "x\"\u00e9\ud83d\ude00\n"}"#)
        #expect(value == .object([("b", .array([.number(1), .number(2.5), .number(-300), .bool(true), .null])),
                                  ("a", .string("x\"é😀\n"))]))
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse(#"{"a": 1,}"#) }
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse(#"{"a": "open"#) }
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse(String(repeating: "[", count: 1000)) }
    }
}
