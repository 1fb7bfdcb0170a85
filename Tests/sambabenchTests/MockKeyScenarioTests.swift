import Engine
import Foundation
import Testing
@testable import sambabench
import LoadGen
import Metrics

/// The embedded mock wants a key, as the service does: a run sends it one (`mock.api_key`, or a key made for the
/// run), the key reaches no output, and a model outside the mock's catalogue fails the run's requests with 404.
@Suite(.serialized) struct MockKeyScenarioTests {
    static func run(_ yaml: String) async throws -> (BenchmarkRun.Result, String) {
        var reader = ScenarioReader(file: "key.yaml", yaml: yaml)
        let scenario = try reader.read()
        let directory = temporaryDirectory()
        let result = try await BenchmarkRun(.init(scenario: scenario, scenarioFile: "key.yaml", outputDirectory: directory,
                                                commandLine: ["test"], toolVersion: "test"), observer: SilentObserver()).run()
        return (result, directory)
    }

    @Test func aRunSendsTheMocksKeyAndWritesItNowhere() async throws {
        let key = "mock-key-canary-7f3a9c"
        let (result, directory) = try await Self.run("""
            name: key
            base_url: mock
            model: gpt-oss-120b
            prompts: [hi]
            load: {concurrency: [1], requests: 4}
            mock: {ttft: 5ms, decode_rate: 4000, output_tokens: 10, api_key: \(key)}

            """)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let summary = try #require(result.summaries.first)
        #expect(summary.requests == 4 && summary.succeeded == 4, "\(summary.errorsByClass)")
        for file in try FileManager.default.contentsOfDirectory(atPath: directory) {
            let text = (try? String(contentsOfFile: directory + "/" + file, encoding: .utf8)) ?? ""
            #expect(!text.contains(key), "\(file) holds the key")
        }
        // Without mock.api_key the run makes a key of its own, which the mock accepts.
        let (made, madeDirectory) = try await Self.run("""
            name: key
            base_url: mock
            model: gpt-oss-120b
            prompts: [hi]
            load: {concurrency: [1], requests: 2}
            mock: {ttft: 5ms, decode_rate: 4000, output_tokens: 10}

            """)
        defer { try? FileManager.default.removeItem(atPath: madeDirectory) }
        #expect(made.summaries.first?.succeeded == 2)
    }

    @Test func aModelOutsideTheCatalogueIs404() async throws {
        let (result, directory) = try await Self.run("""
            name: key
            base_url: mock
            model: not-a-model
            prompts: [hi]
            load: {concurrency: [1], requests: 2}
            max_error_rate: 1
            mock: {ttft: 5ms, decode_rate: 4000, output_tokens: 10}

            """)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let records = try RunFiles.records(directory: directory)
        #expect(records.count == 2 && records.allSatisfy { $0.status == 404 && $0.errorCode == "model_not_found" })
    }

    @Test func theKeyIsCheckedWhenTheScenarioIsRead() throws {
        var reader = ScenarioReader(file: "key.yaml", yaml: "name: k\nbase_url: mock\nmodel: gpt-oss-120b\nprompts: [hi]\nmock: {api_key: \"two words\"}\n")
        #expect(throws: (any Error).self) { try reader.read() }
        do {
            _ = try reader.read()
        } catch {
            #expect("\(error)".contains("mock.api_key") && !"\(error)".contains("two words"))
        }
    }
}
