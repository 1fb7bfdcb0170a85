import Testing
@testable import LoadGen
@testable import Metrics

/// ttft_token_ms and tokenizer_vs_usage with exact numbers.
@Suite struct TokenizerMetricsTests {
    @Test func ttftTokenTakesOffTheFirstChunksOtherTokens() {
        // sent 10 ms; chunks at 110 (4 tokens), 130 (6), 160 (10); N = 20: TPOT = 50 ms / 16 = 3.125 ms.
        let sample = record(chunks: [(110, 4, true), (130, 6, true), (160, 10, true)], outputTokens: 20, endMs: 170)
        let metrics = RequestMetrics(sample)
        #expect(metrics.tpotNs == 3_125_000)
        // 100 ms - 3 * 3.125 ms
        #expect(metrics.ttftTokenNs == 90_625_000)
        #expect(metrics.value(.ttftToken, of: sample) == 90_625_000)
        // k1 = 1: TTFT itself, with or without later chunks.
        #expect(RequestMetrics(record(chunks: [(110, 1, true), (130, 6, true)], outputTokens: 7, endMs: 140)).ttftTokenNs == 100_000_000)
        #expect(RequestMetrics(record(chunks: [(110, 1, true)], outputTokens: 1, endMs: 140)).ttftTokenNs == 100_000_000)
        // One chunk of several tokens has no pace to take them off with.
        #expect(RequestMetrics(record(chunks: [(110, 5, true)], outputTokens: 5, endMs: 140)).ttftTokenNs == nil)
    }

    @Test func tokenizerVsUsagePerRequestAndPerLevel() throws {
        var over = record(chunks: [(110, 4, true), (130, 6, true)], outputTokens: 10, endMs: 140)
        over.tokenizerTokens = 11
        var under = record(chunks: [(110, 4, true), (130, 6, true)], outputTokens: 10, endMs: 140)
        under.tokenizerTokens = 7
        var counted = record(chunks: [(110, 4, true)], outputTokens: 4, endMs: 140)
        counted.tokenSource = .tokenizer
        counted.tokenizerTokens = 4
        #expect(over.tokenizerVsUsage == 1 && under.tokenizerVsUsage == -3)
        // Without usage there is nothing to compare: N is the tokenizer's count.
        #expect(counted.tokenizerVsUsage == nil)
        let level = LevelResult(index: 0, name: "c1", concurrency: 1, rate: nil, startNs: 0, windowStartNs: 0,
                                windowEndNs: 1_000_000_000, endNs: 1_000_000_000, warmupDispatched: 0,
                                measuredDispatched: 3, stopReason: "requests")
        let summary = LevelSummary(level: level, records: [over, under, counted])
        #expect(LevelFigure.tokenizerVsUsageTokens.value(summary) == -2)
        #expect(LevelFigure.tokenizerVsUsagePercent.value(summary) == -10)
        #expect(LevelFigure.tokenizerVsUsagePercent.applies(to: summary))
        let stats = try #require(summary.stats(.tokenizerVsUsage))
        #expect(stats.count == 2 && stats.min == -3 && stats.max == 1)
        let plain = LevelSummary(level: level, records: [record(chunks: [(110, 4, true)], outputTokens: 4, endMs: 140)])
        #expect(!LevelFigure.tokenizerVsUsagePercent.applies(to: plain))
    }

    @Test func reconcileKeepsTheTokenizersChunksAndMovesTheDifferenceToTheEnd() {
        #expect(RecordBuilder.reconcile([3, 3, 2], total: 8) == [3, 3, 2])
        #expect(RecordBuilder.reconcile([3, 3, 2], total: 9) == [3, 3, 3])
        #expect(RecordBuilder.reconcile([3, 3, 2], total: 5) == [3, 2, 0])
        #expect(RecordBuilder.reconcile([], total: 5) == [])
    }
}
