import Engine
import Foundation
import Testing
import LoadGen
import Metrics

/// Issue 16's done-when: against a server that streams exactly k tokens per chunk with text of varying length (the
/// mock with `word_lengths: varied`), the scenario's tokenizer gives every chunk its true count, and ITL p99 equals
/// the truth; length-apportioning (`tokenizer: none`) is measured beside it on the same streams.
@Suite(.serialized) struct ExactChunkTokensTests {
    struct Outcome {
        var chunks = 0
        var exactChunks = 0
        var itlP99Ms = 0.0
        var truthItlP99Ms = 0.0
        var tokenizerVsUsage = [String]()
        var tokenSources = Set<String>()
    }

    /// Runs levels c1 and c8 against the mock sending `k` tokens per chunk and compares chunks.csv with the truth:
    /// the mock splits each answer into chunks of k tokens, the last taking what is left.
    func run(k: Int, tokenizer: String) async throws -> Outcome {
        let directory = temporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/scenario.yaml"
        try """
            name: exact-k\(k)
            base_url: mock
            model: gpt-oss-120b
            tokenizer: \(tokenizer)
            prompts: ["Say something."]
            load:
              concurrency: [1, 8]
              requests: 24
            mock:
              ttft: 5ms
              decode_rate: 3000
              tokens_per_chunk: [\(k), \(k)]
              output_tokens: [40, 120]
              word_lengths: varied
              seed: \(k)
            """.write(toFile: file, atomically: true, encoding: .utf8)
        let scenario = try ScenarioReader.load(path: file)
        let output = directory + "/out"
        let session = BenchmarkRun(.init(scenario: scenario, scenarioFile: file, outputDirectory: output,
                                       commandLine: ["test"], toolVersion: "test"), observer: SilentObserver())
        let result = try await session.run()
        #expect(result.summaries.allSatisfy { $0.succeeded == 24 })

        let requests = try table(output + "/requests.csv")
        let chunks = try table(output + "/chunks.csv")
        var outcome = Outcome()
        var outputTokens = [Int: Int]()
        for row in requests.rows where row[requests.index["warmup"]!] != "true" {
            let seq = Int(row[requests.index["seq"]!])!
            outputTokens[seq] = Int(row[requests.index["output_tokens"]!])!
            outcome.tokenizerVsUsage.append(row[requests.index["tokenizer_vs_usage"]!])
            outcome.tokenSources.insert(row[requests.index["token_source"]!])
        }
        var bySeq = [Int: [(arrival: Double, tokens: Int)]]()
        for row in chunks.rows {
            let seq = Int(row[chunks.index["seq"]!])!
            guard outputTokens[seq] != nil else { continue }
            bySeq[seq, default: []].append((Double(row[chunks.index["arrival_ms"]!])!, Int(row[chunks.index["tokens"]!])!))
        }
        var measured = [(Double, Int)]()
        var truth = [(Double, Int)]()
        for (seq, list) in bySeq {
            let total = outputTokens[seq]!
            for (index, chunk) in list.enumerated() {
                let trueTokens = index < list.count - 1 ? k : total - k * (list.count - 1)
                outcome.chunks += 1
                if chunk.tokens == trueTokens { outcome.exactChunks += 1 }
                guard index > 0 else { continue }
                let gap = chunk.arrival - list[index - 1].arrival
                if chunk.tokens > 0 { measured.append((gap / Double(chunk.tokens), chunk.tokens)) }
                truth.append((gap / Double(trueTokens), trueTokens))
            }
        }
        outcome.itlP99Ms = Self.weightedPercentile(measured, 0.99)
        outcome.truthItlP99Ms = Self.weightedPercentile(truth, 0.99)
        return outcome
    }

    static func weightedPercentile(_ values: [(Double, Int)], _ quantile: Double) -> Double {
        let sorted = values.sorted { $0.0 < $1.0 }
        let total = Double(sorted.reduce(0) { $0 + $1.1 })
        var running = 0.0
        for (value, weight) in sorted {
            running += Double(weight)
            if running >= quantile * total { return value }
        }
        return sorted.last?.0 ?? 0
    }

    func table(_ path: String) throws -> (index: [String: Int], rows: [[String]]) {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let index = Dictionary(uniqueKeysWithValues: header.enumerated().map { ($1, $0) })
        // The columns read here never hold commas (the text columns that could are not read).
        return (index, lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) })
    }

    @Test(arguments: [1, 3, 8]) func tokenizerCountsEveryChunkExactly(k: Int) async throws {
        let exact = try await run(k: k, tokenizer: "o200k_base")
        let apportioned = try await run(k: k, tokenizer: "none")
        #expect(exact.chunks > 0 && exact.exactChunks == exact.chunks, "k=\(k): \(exact.chunks - exact.exactChunks) chunks off")
        #expect(abs(exact.itlP99Ms - exact.truthItlP99Ms) <= 0.01 * exact.truthItlP99Ms,
                "k=\(k): ITL p99 \(exact.itlP99Ms) ms, truth \(exact.truthItlP99Ms) ms")
        // Every stream's tokenizer count equals the mock's usage, and the records say so.
        #expect(Set(exact.tokenizerVsUsage) == ["0"])
        #expect(exact.tokenSources == ["usage"])
        #expect(Set(apportioned.tokenizerVsUsage) == [""])
        let offBefore = apportioned.chunks - apportioned.exactChunks
        let itlErrorBefore = (apportioned.itlP99Ms - apportioned.truthItlP99Ms) / apportioned.truthItlP99Ms * 100
        let itlErrorAfter = (exact.itlP99Ms - exact.truthItlP99Ms) / exact.truthItlP99Ms * 100
        print("exact chunks k=\(k): tokenizer \(exact.exactChunks)/\(exact.chunks) chunks exact, ITL p99 error "
              + "\(String(format: "%+.2f", itlErrorAfter))%; apportioned \(apportioned.exactChunks)/\(apportioned.chunks) "
              + "exact (\(offBefore) off), ITL p99 error \(String(format: "%+.2f", itlErrorBefore))%")
        if k > 1 {
            // The varied word lengths are what apportioning cannot follow: it gets some chunks wrong.
            #expect(offBefore > 0)
        }
    }
}
