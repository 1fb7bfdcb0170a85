import Testing
@testable import LoadGen
@testable import Metrics

/// The reconciliation's definition, with exact numbers: which scrapes bracket a level, which requests count, and
/// which straddle.
@Suite struct ServerMetricsReportTests {
    func scrape(_ ms: Int64, generated: Double, prompt: Double, running: Double = 0, waiting: Double = 0, error: String? = nil) -> ServerMetricsRow {
        ServerMetricsRow(timeNs: ms * 1_000_000, status: 200, error: error,
                         snapshot: ServerMetricsSnapshot(kind: .llamacpp, running: running, waiting: waiting,
                                                         promptTokensTotal: prompt, generationTokensTotal: generated))
    }

    func request(_ sent: Int64, _ end: Int64, level: Int, output: Int, input: Int? = 10) -> ServerMetricsReport.Request {
        .init(sentNs: sent * 1_000_000, endNs: end * 1_000_000, level: level, output: output, input: input, inputEstimated: false)
    }

    func level(_ index: Int, _ name: String) -> LevelResult {
        LevelResult(index: index, name: name, concurrency: 1, startNs: 0, windowStartNs: 0, windowEndNs: 0, endNs: 0,
                    warmupDispatched: 0, measuredDispatched: 0, stopReason: "requests")
    }

    @Test func levelsAreBracketedByTheScrapesAroundTheirRequests() {
        let rows = [
            scrape(0, generated: 100, prompt: 50),
            scrape(50, generated: 130, prompt: 60, running: 2, error: nil),
            scrape(60, generated: 0, prompt: 0, error: "HTTP 503"),
            scrape(120, generated: 160, prompt: 70, running: 1, waiting: 3),
            scrape(300, generated: 400, prompt: 90),
        ]
        let requests = [
            request(10, 40, level: 0, output: 30),
            request(70, 110, level: 1, output: 30),
            // Running at the 120 ms scrape, which brackets no level: it straddles nothing.
            request(100, 200, level: 1, output: 240, input: nil),
        ]
        let report = ServerMetricsReport(rows: rows, requests: requests, levels: [level(0, "c1"), level(1, "c2")])
        #expect(report.scrapes == 5 && report.failed == 1 && report.firstError == "HTTP 503")
        // c1: 0 ms to 50 ms. c2: its first request was sent at 70 ms (after the 50 ms scrape), its last ended at
        // 200 ms (the 300 ms scrape follows).
        #expect(report.levels.map(\.label) == ["c1", "c2"])
        #expect(report.levels[0].serverGenerated == 30 && report.levels[0].clientOutput == 30)
        #expect(report.levels[0].serverPrompt == 10 && report.levels[0].clientInput == 10 && report.levels[0].straddling == 0)
        #expect(report.levels[1].serverGenerated == 270 && report.levels[1].clientOutput == 270)
        #expect(report.levels[1].straddling == 0 && report.levels[1].peakWaiting == 3 && report.levels[1].peakRunning == 2)
        #expect(report.run?.serverGenerated == 300 && report.run?.clientOutput == 300 && report.run?.clientInput == 20)
        // In flight at each good scrape: at 120 ms the request sent at 100 ms.
        #expect(report.points.map(\.clientInFlight) == [0, 0, 1, 0])
        #expect(report.points.map(\.seconds) == [0, 0.05, 0.12, 0.3])
        #expect(report.markdown.contains("| c2 | 270 | 270 | 0 | 30 | 10 | 0 | 2 | 3 |  |"))
    }

    @Test func aRequestInFlightAtABracketingScrapeStraddlesIt() {
        let rows = [scrape(0, generated: 0, prompt: 0), scrape(100, generated: 10, prompt: 5), scrape(200, generated: 60, prompt: 10)]
        // Level 0's requests run 10-150 ms: A is the 0 ms scrape, B the 200 ms one; the request of level 1
        // running 50-250 ms straddles B and its tokens are outside both the client's sum and the server's delta.
        let requests = [request(10, 150, level: 0, output: 60), request(50, 250, level: 1, output: 7)]
        let report = ServerMetricsReport(rows: rows, requests: requests, levels: [level(0, "c1"), level(1, "c2")])
        #expect(report.levels.map(\.label) == ["c1"])
        #expect(report.levels[0].straddling == 1 && report.levels[0].clientOutput == 60 && report.levels[0].serverGenerated == 60)
        #expect(ServerMetricsReport.count([1, 2, 2, 5], atMost: 2) == 3)
        #expect(ServerMetricsReport.count([], atMost: 2) == 0)
    }
}
