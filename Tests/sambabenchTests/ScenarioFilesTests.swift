import ArgumentParser
import Foundation
import Testing
@testable import sambabench
import LoadGen
import Metrics

/// Runs the command line's own entry point in-process; returns its exit code.
func sambabench(_ arguments: [String]) async -> Int32 {
    do {
        var command = try Sambabench.parseAsRoot(arguments)
        if var asyncCommand = command as? AsyncParsableCommand {
            try await asyncCommand.run()
        } else {
            try command.run()
        }
        return 0
    } catch let error as ExitCode {
        return error.rawValue
    } catch {
        // As `Sambabench.main`: a command line that does not validate exits 2.
        let code = Sambabench.exitCode(for: error)
        return code == .validationFailure ? ExitCodes.invalidScenario.rawValue : code.rawValue
    }
}

@Suite(.serialized) struct ScenarioFilesTests {
    static let files = ((try? FileManager.default.contentsOfDirectory(atPath: repositoryRoot + "/scenarios")) ?? [])
        .filter { $0.hasSuffix(".yaml") }.sorted()

    @Test func theCatalogueIsThere() {
        for name in ["gpt-oss-120b.yaml", "Meta-Llama-3.3-70B-Instruct.yaml", "DeepSeek-V3.1.yaml", "MiniMax-M2.7.yaml", "demo.yaml"] {
            #expect(Self.files.contains(name), "scenarios/\(name)")
        }
    }

    /// Every shipped scenario validates, and runs offline with --mock at a handful of requests and one level.
    @Test(arguments: files) func validatesAndRunsWithTheMock(_ name: String) async throws {
        let path = repositoryRoot + "/scenarios/" + name
        #expect(await sambabench(["validate", path]) == 0)
        let scenario = try ScenarioReader.load(path: path)
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // Exit 3 is a measured answer, not a failure: a scenario's objectives, written for the real service, may be
        // missed by a debug build against the mock on a busy machine.
        let code = await sambabench(["run", path, "--mock", "--requests", "3", "--concurrency", "2", "--max-tokens", "32",
                                     "--warmup", "0", "--think-time", "0s", "--output", directory, "--quiet"])
        #expect(code == 0 || (code == 3 && !scenario.slos.isEmpty), "\(name): exit \(code)")
        let records = try RunFiles.records(directory: directory)
        let rows = records.map(RecordCSV.requestRow)
        let errors = records.compactMap(\.errorMessage)
        #expect(errors.isEmpty, "\(name): \(errors)")
        let cells = max(1, scenario.matrix?.inputTokens.count ?? 1)
        // `requests` counts conversations: with conversations or tools a conversation holds one or more requests.
        let conversations = records.filter { $0.turn == 1 && $0.attempt == 1 }.count
        if scenario.hasFollowUps {
            #expect(conversations == 3 && rows.count > 3, "\(name): \(conversations) conversations, \(rows.count) requests")
        } else if scenario.search == nil {
            #expect(rows.count == 3 * cells, "\(name): \(rows.count) requests")
        } else {
            #expect(rows.count >= 3, "\(name): \(rows.count) requests")
        }
        #expect(rows.allSatisfy { $0.contains(",usage,usage,") }, "\(name): token counts from the mock's usage")
        let runJSON = try String(contentsOfFile: directory + "/run.json", encoding: .utf8)
        #expect(runJSON.contains("\"description\": \"\(scenario.promptSource.summary(count: scenario.prompts.count))\""))
    }

    /// The catalogue's levels stay under the developer tier's requests per minute (60; 240 for Llama 3.3 70B).
    @Test func catalogueLevelsRespectTheRateLimits() throws {
        let limits = ["gpt-oss-120b": 60.0, "Meta-Llama-3.3-70B-Instruct": 240, "DeepSeek-V3.1": 60, "MiniMax-M2.7": 60]
        for (model, perMinute) in limits {
            let scenario = try ScenarioReader.load(path: repositoryRoot + "/scenarios/\(model).yaml")
            #expect(!scenario.usesMock && scenario.model == model)
            switch scenario.load.mode {
            case .open:
                // Poisson arrivals: the highest mean rate leaves 4 standard deviations of a minute's count below the limit.
                let perMinuteAtTop = scenario.load.rates.max()! * 60
                let margin = scenario.load.arrival == .constant ? 0 : 4 * perMinuteAtTop.squareRoot()
                #expect(perMinuteAtTop + margin <= perMinute, "\(model): \(perMinuteAtTop) + \(margin) per minute")
            case .closed:
                // Each user sends at most once per think time, whatever the server's speed.
                let thinkSeconds = Double(scenario.load.thinkTimeNs) / 1e9
                #expect(thinkSeconds > 0 && Double(scenario.load.concurrency.max()!) * 60 / thinkSeconds < perMinute, "\(model)")
            }
        }
    }
}

@Suite(.serialized) struct InitAndModelsTests {
    @Test func initWritesAScenarioThatValidatesAndRuns() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/starter.yaml"
        #expect(await sambabench(["init", file]) == 0)
        #expect(await sambabench(["validate", file]) == 0)
        let scenario = try ScenarioReader.load(path: file)
        #expect(scenario.name == "starter" && scenario.model == "gpt-oss-120b" && scenario.request.maxTokens == 512)
        let before = try String(contentsOfFile: file, encoding: .utf8)
        #expect(await sambabench(["init", file, "--model", "DeepSeek-V3.1"]) == 1, "an existing file is kept")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == before)
        #expect(await sambabench(["init", file, "--model", "DeepSeek-V3.1", "--force"]) == 0)
        #expect(try ScenarioReader.load(path: file).model == "DeepSeek-V3.1")
        #expect(await sambabench(["run", file, "--mock", "--requests", "2", "--concurrency", "1", "--max-tokens", "16",
                                  "--output", directory + "/run", "--quiet"]) == 0)
    }

    /// Whatever a flag holds is one value of one key: quotes, a line break that would start a key, `#`, `${VAR}`.
    @Test(arguments: ["evil\napi_key: x", "a \"quoted\" # not a comment", "${HOME}/model", "tab\there", "ctrl\u{1}\u{7F}é😀"])
    func initKeepsAnyModelNameOneValue(_ model: String) async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/starter.yaml"
        #expect(await sambabench(["init", file, "--model", model, "--base-url", "http://h/v1?x=\"#"]) == 0)
        let scenario = try ScenarioReader.load(path: file)
        #expect(scenario.model == model && scenario.baseURL == "http://h/v1?x=\"#")
    }

    @Test func modelsOfTheMock() async throws {
        let transport = CurlTransport(clock: RunClock())
        defer { transport.shutdown() }
        let server = try await MockServer.start(profile: MockProfile())
        let models = try await ModelList.fetch(baseURL: server.baseURL, apiKey: "sk-test", transport: transport)
        await server.shutdown()
        // The mock's catalogue, each model with its own context length and numeric (illustrative) prices.
        #expect(models.map(\.id) == MockModel.catalogue.map(\.id))
        #expect(models.map(\.contextLength) == MockModel.catalogue.map(\.contextLength))
        #expect(models.first == ModelInfo(id: "gpt-oss-120b", contextLength: 131072, maxCompletionTokens: 131072,
                                          promptPrice: "2.2e-07", completionPrice: "5.9e-07", ownedBy: "mock"))
        let table = ModelTable.text(Array(models.prefix(1)))
        #expect(table.hasPrefix("id            context  max completion  prompt price  completion price\ngpt-oss-120b   131072"))
        #expect(table.contains("2.2e-07") && table.contains("5.9e-07"))
        #expect(await sambabench(["models", "--base-url", "mock"]) == 0)
    }

    @Test func modelsErrorsAreClear() async throws {
        let transport = CurlTransport(clock: RunClock())
        defer { transport.shutdown() }
        do {
            _ = try await ModelList.fetch(baseURL: "http://127.0.0.1:1/v1", apiKey: nil, transport: transport)
            Issue.record("port 1 answered")
        } catch {
            #expect("\(error)".hasPrefix("cannot reach http://127.0.0.1:1/v1/models: "), "\(error)")
        }
        #expect(throws: ModelList.Failure(message: "the answer is not JSON: '<html><body>Service Unavailable</body></html>'")) {
            _ = try ModelList.parse(Array("<html><body>Service Unavailable</body></html>".utf8))
        }
        #expect(throws: ModelList.Failure(message: "the answer is JSON but not a model list (expected {\"data\": [{\"id\": ...}, ...]})")) {
            _ = try ModelList.parse(Array(#"{"object": "list"}"#.utf8))
        }
        let server = try await MockServer.start(profile: MockProfile())
        defer { Task { await server.shutdown() } }
        do {
            _ = try await ModelList.fetch(baseURL: server.baseURL + "/nowhere", apiKey: nil, transport: transport)
            Issue.record("a 404 listed models")
        } catch {
            #expect("\(error)" == "GET \(server.baseURL)/nowhere/models: HTTP 404: Not found")
        }
        #expect(await sambabench(["models", "--base-url", "http://127.0.0.1:1/v1"]) == 1)
        #expect(await sambabench(["models", "--base-url", "ftp://example.com"]) == 2)
    }
}

@Suite(.serialized) struct APIKeySecrecyTests {
    /// The key from a file goes into the Authorization header only: not into run.json, the CSVs or the report.
    @Test func keyFromAFileNeverReachesTheOutputs() async throws {
        let directory = temporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "sk-file-secret-98765\n".write(toFile: directory + "/key.txt", atomically: true, encoding: .utf8)
        // Nothing listens on port 1 of loopback: every request fails to connect, and the run still writes everything
        // (and exits 4: every measured request failed).
        try "name: x\nbase_url: http://127.0.0.1:1/v1\nmodel: m\napi_key_file: key.txt\nprompts: [a]\nload: {requests: 2}\n"
            .write(toFile: directory + "/s.yaml", atomically: true, encoding: .utf8)
        #expect(await sambabench(["run", directory + "/s.yaml", "--output", directory + "/run", "--quiet"]) == 4)
        for file in try FileManager.default.subpathsOfDirectory(atPath: directory + "/run") {
            guard let text = try? String(contentsOfFile: directory + "/run/" + file, encoding: .utf8) else { continue }
            #expect(!text.contains("sk-file-secret"), "\(file) holds the key")
        }
        let runJSON = try String(contentsOfFile: directory + "/run/run.json", encoding: .utf8)
        #expect(runJSON.contains("\"api_key\": \"<redacted: from file \(directory)/key.txt>\""))
    }
}

import MockServer
