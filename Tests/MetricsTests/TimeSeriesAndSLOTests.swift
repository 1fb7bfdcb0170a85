import Testing
@testable import LoadGen
@testable import Metrics

@Suite struct TimeSeriesTests {
    @Test func secondBySecondFromRecords() {
        let levels = [LevelResult(index: 0, name: "r2", concurrency: 0, rate: 2, startNs: 0, windowStartNs: 0,
                                  windowEndNs: 2_000_000_000, endNs: 2_500_000_000, warmupDispatched: 0,
                                  measuredDispatched: 3, stopReason: "requests")]
        let s: Int64 = 1_000_000_000
        let records = [
            // Sent at 0.1 s (0.1 ms late), chunks at 0.5 s and 1.2 s, ends 1.3 s.
            RequestRecord(scheduledNs: s / 10, sentNs: s / 10 + 100_000, endNs: 13 * s / 10,
                          chunks: [ChunkRecord(arrivalNs: s / 2, tokens: 3, answerBytes: 1), ChunkRecord(arrivalNs: 12 * s / 10, tokens: 5, answerBytes: 1)],
                          outputTokens: 8),
            // Sent at 0.6 s (2 ms late), fails at 2.1 s with one chunk at 0.9 s.
            RequestRecord(errorClass: .truncated, scheduledNs: 6 * s / 10 - 2_000_000, sentNs: 6 * s / 10, endNs: 21 * s / 10,
                          chunks: [ChunkRecord(arrivalNs: 9 * s / 10, tokens: 4, answerBytes: 1)], outputTokens: 4),
            // Dropped at 1.5 s.
            RequestRecord(status: 0, errorClass: .dropped, scheduledNs: 15 * s / 10, sentNs: 15 * s / 10, endNs: 15 * s / 10),
        ]
        let rows = TimeSeries(records: records, levels: levels).rows
        #expect(rows.map(\.second) == [0, 1, 2])
        #expect(rows.map(\.dispatched) == [2, 0, 0])
        #expect(rows.map(\.dropped) == [0, 1, 0])
        #expect(rows.map(\.inFlight) == [2, 1, 0])
        #expect(rows.map(\.completed) == [0, 1, 0])
        #expect(rows.map(\.errors) == [0, 1, 1])
        #expect(rows.map(\.outputTokens) == [7, 5, 0])
        #expect(rows[0].latenessP50Ms == 0.1 && rows[0].latenessMaxMs == 2)
        #expect(rows[1].latenessP50Ms == nil)
        #expect(TimeSeries(records: records, levels: levels).csv.hasPrefix(TimeSeries.header + "0,r2,2,2,0,0,0,7,0.1,2,\n"))
        // Errors by class, per second.
        #expect(rows.map(\.errorClasses) == [[:], [.dropped: 1], [.truncated: 1]])
        #expect(TimeSeries(records: records, levels: levels).csv.contains(",dropped=1\n"))
    }
}

@Suite struct SLOEvaluationTests {
    let level = LevelResult(index: 0, name: "c0", concurrency: 2, startNs: 0, windowStartNs: 0, windowEndNs: 1_000_000_000,
                            endNs: 2_000_000_000, warmupDispatched: 0, measuredDispatched: 4, stopReason: "requests")

    func summary(_ slos: [SLO]) -> LevelSummary {
        // TTFT 100, 200, 300 ms (sent at 10 ms); one failure.
        LevelSummary(level: level, records: [
            record(chunks: [(110, 5, true), (130, 5, true)], outputTokens: 10, endMs: 500),
            record(chunks: [(210, 5, true), (230, 5, true)], outputTokens: 10, endMs: 600),
            record(chunks: [(310, 5, true), (330, 5, true)], outputTokens: 10, endMs: 1_500),
            record(chunks: [], outputTokens: 0, endMs: 400, error: .serverError),
        ], slos: slos)
    }

    @Test func levelValuesAgainstThresholds() throws {
        let slos = [try SLO.parse("max ttft_ms < 250", metrics: SLO.metricNames).get(),
                    try SLO.parse("p50 ttft_ms <= 201", metrics: SLO.metricNames).get(),
                    try SLO.parse("error_rate < 0.3", metrics: SLO.metricNames).get()]
        let results = SLOEvaluation.evaluate(slos, summary(slos))
        // Percentiles carry HdrHistogram's precision (3 significant digits): p50 is 200 within 0.1%.
        #expect(results[0].value == 300 && results[2].value == 0.25)
        #expect(abs(results[1].value! - 200) <= 0.2)
        #expect(results.map(\.met) == [false, true, true])
        #expect(!SLOEvaluation.allMet(slos, summary(slos)))
    }

    @Test func goodputCountsRequestsMeetingEveryPerRequestObjective() throws {
        let slos = [try SLO.parse("p99 ttft_ms < 250", metrics: SLO.metricNames).get(),
                    try SLO.parse("error_rate < 0.01", metrics: SLO.metricNames).get()]
        let result = summary(slos)
        // Two requests have TTFT under 250 ms; both ended inside the 1 s window.
        #expect(result.goodRequests == 2)
        #expect(result.goodput == 2)
        #expect(result.goodFraction == 0.5)
    }

    @Test func metricNamesMatchTheMetrics() {
        #expect(SLO.metricNames == Metric.allCases.map(\.rawValue))
    }
}

@Suite struct LiveProgressTests {
    static let busy = LiveProgress.Snapshot(level: "c8", done: 25, failed: 1, expected: 100, elapsedNs: 5_000_000_000,
                                            remainingNs: nil, ttftP50Ms: 201.25, ttftP99Ms: 230, tokensPerSecond: 2950.4,
                                            warmupDone: 4, warmupExpected: 4)

    @Test func lineWithCountETAAndLiveFigures() {
        #expect(LiveProgress.line(Self.busy, barWidth: 8)
                == "c8 [==      ] 25% 25/100 measured, 1 failed, warm-up 4/4, ETA 15s, TTFT p50 201.2 p99 230 ms, 2950 tok/s")
    }

    @Test func durationLevelsShowTheTimeLeft() {
        let snapshot = LiveProgress.Snapshot(level: "r20", done: 40, failed: 0, expected: nil, elapsedNs: 2_000_000_000,
                                             remainingNs: 6_000_000_000, ttftP50Ms: nil, ttftP99Ms: nil, tokensPerSecond: 0,
                                             warmupDone: 3)
        #expect(LiveProgress.line(snapshot, barWidth: 4) == "r20 [=   ] 25% 40 measured, 0 failed, warm-up 3, ETA 6s, 0 tok/s")
    }

    /// Cut to the terminal: under its width (the last column left free so the line never wraps), dropping tokens/s,
    /// then TTFT, then the ETA and the warm-up count, then narrowing the bar.
    @Test func theLineFitsTheTerminal() {
        let full = LiveProgress.line(Self.busy)
        #expect(LiveProgress.line(Self.busy, width: 200) == full)
        #expect(LiveProgress.line(Self.busy, width: 100)
                == "c8 [======                  ] 25% 25/100 measured, 1 failed, warm-up 4/4, ETA 15s")
        #expect(LiveProgress.line(Self.busy, width: 80) == "c8 [======                  ] 25% 25/100 measured, 1 failed, warm-up 4/4")
        #expect(LiveProgress.line(Self.busy, width: 60) == "c8 [======                  ] 25% 25/100 measured, 1 failed")
        #expect(LiveProgress.line(Self.busy, width: 40) == "c8 [=   ] 25% 25/100 measured, 1 failed")
        #expect(LiveProgress.line(Self.busy, width: 30) == "c8 25% 25/100 measured, 1 fai")
        for width in 1...120 {
            #expect(LiveProgress.line(Self.busy, width: width).count < max(width, 2), "width \(width)")
        }
    }

    @Test func recordsFeedTheSnapshot() {
        let live = LiveProgress()
        live.begin(LevelPlan(index: 0, name: "c2", load: .concurrency(2), requests: 4, durationNs: nil, warmup: 1), at: 0)
        var warmup = RequestRecord(sentNs: 500_000_000, endNs: 900_000_000,
                                   chunks: [ChunkRecord(arrivalNs: 800_000_000, tokens: 6, answerBytes: 1)], outputTokens: 6)
        warmup.warmup = true
        live.add(warmup)
        live.add(RequestRecord(sentNs: 1_000_000_000, endNs: 1_500_000_000,
                               chunks: [ChunkRecord(arrivalNs: 1_100_000_000, tokens: 30, answerBytes: 1)], outputTokens: 30))
        live.add(RequestRecord(errorClass: .truncated, sentNs: 1_000_000_000, endNs: 1_200_000_000))
        let snapshot = live.snapshot(at: 3_000_000_000)
        #expect(snapshot.done == 2 && snapshot.failed == 1 && snapshot.expected == 4)
        #expect(snapshot.warmupDone == 1 && snapshot.warmupExpected == 1)
        // The warm-up's TTFT (300 ms) with the measured one's (100 ms): the live TTFT shows what the server does now.
        #expect(abs(snapshot.ttftP50Ms! - 100) <= 0.1)
        // 36 tokens in the last 3 s, the warm-up's included.
        #expect(snapshot.tokensPerSecond == 12)
    }
}
