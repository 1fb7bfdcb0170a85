import Testing
@testable import LoadGen
@testable import Metrics

/// A record with chunks at the given millisecond offsets from `sent` = 10 ms, scheduled at 4 ms.
func record(chunks: [(ms: Int64, tokens: Int, answer: Bool)], outputTokens: Int, endMs: Int64, level: Int = 0,
            warmup: Bool = false, error: ErrorClass? = nil, serverTTFT: Double? = nil) -> RequestRecord {
    RequestRecord(
        level: level, levelName: "c\(level)", warmup: warmup, errorClass: error, scheduledNs: 4_000_000,
        sentNs: 10_000_000, endNs: endMs * 1_000_000,
        chunks: chunks.map { ChunkRecord(arrivalNs: $0.ms * 1_000_000, tokens: $0.tokens,
                                         answerBytes: $0.answer ? $0.tokens * 4 : 0,
                                         reasoningBytes: $0.answer ? 0 : $0.tokens * 4) },
        outputTokens: outputTokens, server: ServerUsage(timeToFirstToken: serverTTFT))
}

@Suite struct RequestMetricsTests {
    // sent 10 ms; chunks at 110 (4 tokens, reasoning), 130 (6), 160 (10); N = 20; end 170 ms.
    let sample = record(chunks: [(110, 4, false), (130, 6, true), (160, 10, true)], outputTokens: 20, endMs: 170,
                        serverTTFT: 0.0925)

    @Test func ttftFromSentAndFromScheduled() {
        let metrics = RequestMetrics(sample)
        #expect(metrics.ttftNs == 100_000_000)
        #expect(metrics.ttftScheduledNs == 106_000_000)
    }

    @Test func ttfoIsTheFirstAnswerChunk() {
        #expect(RequestMetrics(sample).ttfoNs == 120_000_000)
    }

    @Test func decodeRateIsTokensAfterTheFirstChunkOverTheirTime() {
        let metrics = RequestMetrics(sample)
        // (N - k1) / (tL - t1) = (20 - 4) / 0.050 s = 320 tokens/s; TPOT = 50 ms / 16 = 3.125 ms.
        #expect(metrics.decodeRate == 320)
        #expect(metrics.tpotNs == 3_125_000)
    }

    @Test func itlPerTokenWeightedAndRawChunkGaps() {
        let metrics = RequestMetrics(sample)
        // Gaps 20 ms over 6 tokens and 30 ms over 10 tokens.
        #expect(metrics.iclNs == [20_000_000, 30_000_000])
        #expect(metrics.itl.map(\.valueNs) == [20_000_000.0 / 6, 3_000_000])
        #expect(metrics.itl.map(\.tokens) == [6, 10])
    }

    @Test func e2eAndItsRate() {
        let metrics = RequestMetrics(sample)
        #expect(metrics.e2eNs == 160_000_000)
        #expect(metrics.e2eScheduledNs == 166_000_000)
        #expect(metrics.e2eRate == 125)
    }

    @Test func clientMinusServerTTFT() {
        let metrics = RequestMetrics(sample)
        #expect(metrics.serverTTFTNs == 92_500_000)
        #expect(metrics.clientMinusServerTTFTNs == 7_500_000)
    }

    @Test func oneChunkHasNoDecodeRate() {
        let metrics = RequestMetrics(record(chunks: [(50, 7, true)], outputTokens: 7, endMs: 60))
        #expect(metrics.ttftNs == 40_000_000)
        #expect(metrics.decodeRate == nil)
        #expect(metrics.tpotNs == nil)
        #expect(metrics.iclNs.isEmpty)
    }

    @Test func noChunksMeansNoTTFT() {
        let metrics = RequestMetrics(record(chunks: [], outputTokens: 5, endMs: 60))
        #expect(metrics.ttftNs == nil)
        #expect(metrics.ttfoNs == nil)
        #expect(metrics.e2eNs == 50_000_000)
    }
}

@Suite struct LevelSummaryTests {
    let level = LevelResult(index: 0, name: "c0", concurrency: 2, startNs: 0, windowStartNs: 100_000_000,
                            windowEndNs: 2_100_000_000, endNs: 3_000_000_000, warmupDispatched: 1,
                            measuredDispatched: 5, stopReason: "requests")

    @Test func windowThroughputAndExclusions() {
        let records = [
            // Warm-up: excluded from the statistics; it ended before the window.
            record(chunks: [(20, 5, true)], outputTokens: 5, endMs: 30, warmup: true),
            // Warm-up ending inside the window: it used the server then, so it counts toward throughput only.
            record(chunks: [(20, 5, true), (40, 15, true)], outputTokens: 20, endMs: 1_000, warmup: true),
            // Ends inside the window: 100 + 300 tokens.
            record(chunks: [(110, 10, true), (210, 90, true)], outputTokens: 100, endMs: 500),
            record(chunks: [(210, 10, true), (310, 290, true)], outputTokens: 300, endMs: 2_000),
            // Ends after the window (in the drain): in latency stats, not in throughput.
            record(chunks: [(310, 10, true), (410, 40, true)], outputTokens: 50, endMs: 2_500),
            // Failed: counted, not in latency stats or throughput.
            record(chunks: [(310, 10, true)], outputTokens: 10, endMs: 400, error: .truncated),
            // A record of another level is ignored.
            record(chunks: [(310, 10, true)], outputTokens: 10, endMs: 400, level: 1),
        ]
        let summary = LevelSummary(level: level, records: records)
        #expect(summary.requests == 4)
        #expect(summary.succeeded == 3)
        #expect(summary.failed == 1)
        #expect(summary.warmupRequests == 2)
        #expect(summary.errorsByClass == [.truncated: 1])
        #expect(summary.errorRate == 0.25)
        #expect(summary.windowOutputTokens == 420)
        #expect(summary.outputThroughput == 210)
        #expect(summary.requestThroughput == 1.5)
        let ttft = summary.stats(.ttft)!
        // TTFT values 100, 200 and 300 ms.
        #expect(ttft.count == 3)
        #expect(ttft.min == 100)
        #expect(ttft.max == 300)
        #expect(ttft.mean == 200)
        #expect(abs(ttft.stddev - (20_000.0 / 3).squareRoot()) < 1e-9)
        #expect(abs(ttft.p50 - 200) <= 200 * 0.001)
        #expect(ttft.p99 == 300)
        // Tokens per chunk over the three successful requests.
        let perChunk = summary.stats(.tokensPerChunk)!
        #expect(perChunk.count == 6)
        #expect(perChunk.mean == (10 + 90 + 10 + 290 + 10 + 40) / 6.0)
    }

    @Test func itlIsWeightedByTokens() {
        // Gaps: 100 ms over 1 token (100 ms/token) and 100 ms over 99 tokens (1.0101 ms/token).
        let summary = LevelSummary(level: level, records: [
            record(chunks: [(110, 1, true), (210, 1, true), (310, 99, true)], outputTokens: 101, endMs: 400),
        ])
        let itl = summary.stats(.itl)!
        #expect(itl.count == 100)
        #expect(abs(itl.mean - (100.0 + 100.0) / 100) < 1e-9)
        #expect(abs(itl.p50 - 100.0 / 99) <= 100.0 / 99 * 0.001)
        #expect(itl.max == 100)
        let icl = summary.stats(.icl)!
        #expect(icl.count == 2)
        #expect(icl.mean == 100)
    }

    @Test func percentilesMatchHdrPrecision() {
        var distribution = Distribution(metric: .ttft)
        for ms in 1...1000 { distribution.record(Double(ms) * 1e6) }
        let stats = distribution.stats!
        for (value, expected) in [(stats.p50, 500.0), (stats.p90, 900.0), (stats.p95, 950.0), (stats.p99, 990.0), (stats.p999, 999.0)] {
            #expect(abs(value - expected) <= expected * 0.001, "\(value) vs \(expected)")
        }
        #expect(stats.mean == 500.5)
        #expect(stats.min == 1 && stats.max == 1000)
    }

    /// Signed values: negatives and positives in two histograms (memory bounded whatever the count), percentiles at
    /// HdrHistogram's precision (3 significant digits) in signed order; min, max and mean exact.
    @Test func signedValuesKeepTheirOrderAtHdrPrecision() {
        var distribution = Distribution(metric: .clientMinusServerTTFT)
        for value in [-3.0, -1.0, 2.0, 5.0] { distribution.record(value * 1e6) }
        let stats = distribution.stats!
        #expect(stats.min == -3 && stats.max == 5 && stats.mean == 0.75)
        #expect(abs(stats.p50 - -1) <= 0.001, "\(stats.p50)")
        #expect(stats.p99 == 5)
        // 1,000 values from -500 to 499 ms: the median is -1 ms (rank 500), p10 is -401 ms, p90 is 399 ms.
        var wide = Distribution(metric: .clientMinusServerTTFT)
        for value in -500..<500 { wide.record(Double(value) * 1e6) }
        let w = wide.stats!
        for (value, expected) in [(w.p50, -1.0), (w.p90, 399.0), (wide.value(atPercentile: 10), -401.0)] {
            #expect(abs(value - expected) <= max(abs(expected) * 0.001, 0.001), "\(value) vs \(expected)")
        }
    }

    @Test func emptyDistributionHasNoStats() {
        #expect(Distribution(metric: .ttft).stats == nil)
    }
}
