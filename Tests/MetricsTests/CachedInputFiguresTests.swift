import LoadGen
import Testing
@testable import Metrics

/// The level's cached-input figures: summed over the successful measured requests that reported a cached count,
/// as a share of those requests' input tokens; absent where no request reported one.
@Suite struct CachedInputFiguresTests {
    static func record(seq: Int, input: Int, cached: Int?, warmup: Bool = false, failed: Bool = false) -> RequestRecord {
        var record = RequestRecord(seq: seq, sentNs: Int64(seq) * 1_000_000, endNs: Int64(seq) * 1_000_000 + 500_000,
                                   chunks: [ChunkRecord(arrivalNs: Int64(seq) * 1_000_000 + 100_000, tokens: 4)],
                                   outputTokens: 4)
        record.inputTokens = input
        record.cachedInputTokens = cached
        record.warmup = warmup
        if failed { record.errorClass = .serverError }
        return record
    }

    @Test func cachedTokensAreSummedAndSharedOverTheRequestsThatReportedThem() {
        let level = LevelResult(index: 0, name: "c1", concurrency: 1, startNs: 0, windowStartNs: 0, windowEndNs: 10_000_000,
                                endNs: 10_000_000, warmupDispatched: 1, measuredDispatched: 5, stopReason: "")
        let records = [
            Self.record(seq: 0, input: 100, cached: 90, warmup: true),  // warm-up: not counted
            Self.record(seq: 1, input: 40, cached: 0),
            Self.record(seq: 2, input: 40, cached: 32),
            Self.record(seq: 3, input: 60, cached: nil),  // the server said nothing of its cache: left out
            Self.record(seq: 4, input: 50, cached: 50, failed: true),  // failed: not counted
            Self.record(seq: 5, input: 80, cached: 64),
        ]
        let summary = LevelSummary(level: level, records: records)
        #expect(summary.cachedInputRequests == 3)
        #expect(LevelFigure.cachedInputTokens.value(summary) == 96)
        #expect(LevelFigure.cachedInputPercent.value(summary) == 96.0 / 160 * 100)
        #expect(LevelFigure.cachedInputTokens.applies(to: summary))

        let none = LevelSummary(level: level, records: [Self.record(seq: 1, input: 40, cached: nil)])
        #expect(!LevelFigure.cachedInputTokens.applies(to: none))
        #expect(!LevelFigure.cachedInputPercent.applies(to: none))
        #expect(LevelFigure.cachedInputPercent.value(none) == nil)
    }
}
