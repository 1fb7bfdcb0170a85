import Foundation
import Synchronization
import Testing
@testable import Engine
import LoadGen
import Metrics

/// The scraper with a scripted endpoint and a clock it is handed: no sleeps, no server.
@Suite struct ServerMetricsScraperTests {
    /// The times the scraper reads, one per call, and answers in order.
    final class Script: Sendable {
        let answers: Mutex<[ServerMetricsScraper.Fetched]>
        let clock = Mutex<Int64>(0)
        init(_ answers: [ServerMetricsScraper.Fetched]) { self.answers = Mutex(answers) }
        func next() -> ServerMetricsScraper.Fetched {
            answers.withLock { $0.isEmpty ? ServerMetricsScraper.Fetched(status: 0, error: "script ended") : $0.removeFirst() }
        }
        func now() -> Int64 { clock.withLock { $0 += 1_000_000; return $0 } }
    }

    static func body(_ generated: Int) -> [UInt8] {
        Array("# TYPE llamacpp:tokens_predicted_total counter\nllamacpp:tokens_predicted_total \(generated)\n".utf8)
    }

    @Test func everyKickScrapesAndFailuresAreRows() async throws {
        let directory = NSTemporaryDirectory() + "scraper-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let script = Script([
            .init(status: 200, body: Self.body(0)),
            .init(status: 0, error: "Couldn't connect to server"),
            .init(status: 503, body: Array("busy".utf8)),
            .init(status: 200, body: Array("not metrics at all\n".utf8)),
            .init(status: 200, body: Array("process_cpu_seconds_total 3\n".utf8)),
            .init(status: 200, body: Self.body(42)),
        ])
        // The timer never fires (its sleep waits until cancelled): only the start, the level events and the end scrape.
        let scraper = ServerMetricsScraper(intervalNs: 1_000_000_000, writer: try ServerMetricsWriter(directory: directory),
                                           now: { script.now() },
                                           sleep: { _ in try await Task.sleep(for: .seconds(3600)) },
                                           fetch: { script.next() })
        scraper.start()
        let plan = LevelPlan.levels(LoadSettings(), matrix: nil)[0]
        // Each kick waits for its scrape's row, so none coalesces with the next.
        func rows() throws -> Int { (try ServerMetricsCSV.read(directory: directory) ?? []).count }
        func settle(_ count: Int) async throws {
            for _ in 0..<10_000 where try rows() < count { await Task.yield() }
        }
        try await settle(1)
        scraper.levelStarted(plan, atNs: 0)
        try await settle(2)
        scraper.levelEnded([])
        try await settle(3)
        scraper.levelStarted(plan, atNs: 0)
        try await settle(4)
        scraper.levelEnded([])
        try await settle(5)
        try await scraper.finish()
        let written = try #require(try ServerMetricsCSV.read(directory: directory))
        #expect(written.map(\.error) == [nil, "Couldn't connect to server", "HTTP 503",
                                         "not Prometheus text: line 1, column 12: 'metrics' is not a float value",
                                         "no llama.cpp, vLLM, SGLang or TGI metric names in the exposition", nil])
        #expect(written.map(\.snapshot.generationTokensTotal) == [0, nil, nil, nil, nil, 42])
        #expect(written.map(\.level) == [-1, 0, 0, 0, 0, 0])
        #expect(written.map(\.status) == [200, 0, 503, 200, 200, 200])
        // Each scrape's time is the clock read before its GET; its duration the next read minus it.
        #expect(written.map(\.durationNs) == [1_000_000, 1_000_000, 1_000_000, 1_000_000, 1_000_000, 1_000_000])
    }
}
