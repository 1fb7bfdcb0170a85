import Foundation
import Testing
@testable import LoadGen
@testable import Metrics

/// Figures made from local token estimates say so: in requests.csv, summary.csv, the table and the report.
@Suite struct EstimatedTokensTests {
    let level = LevelResult(index: 0, name: "in512-c1", concurrency: 1, startNs: 0, windowStartNs: 0,
                            windowEndNs: 2_000_000_000, endNs: 2_000_000_000, warmupDispatched: 0, measuredDispatched: 2,
                            stopReason: "requests")

    func record(seq: Int, source: TokenSource, inputSource: TokenSource) -> RequestRecord {
        var record = RequestRecord(levelName: "in512-c1", seq: seq, model: "DeepSeek-V3.1", sentNs: 0, endNs: 1_000_000_000,
                                   chunks: [ChunkRecord(arrivalNs: 100_000_000, tokens: 10, answerBytes: 40),
                                            ChunkRecord(arrivalNs: 600_000_000, tokens: 10, answerBytes: 40)],
                                   inputTokens: 512, outputTokens: 20, tokenSource: source)
        record.inputTokenSource = inputSource
        return record
    }

    @Test func summaryTableAndReportMarkEstimates() {
        let summary = LevelSummary(level: level, records: [record(seq: 0, source: .usage, inputSource: .usage),
                                                           record(seq: 1, source: .estimate, inputSource: .estimate)])
        #expect(summary.estimatedTokenRequests == 1 && summary.estimatedInputTokenRequests == 1)
        let rows = SummaryExport.csv([summary]).split(separator: "\n")
        #expect(rows.contains("0,in512-c1,1,,estimated_token_requests,requests,,,,,,,,,,,1"))
        #expect(rows.contains("0,in512-c1,1,,estimated_input_token_requests,requests,,,,,,,,,,,1"))
        let table = SummaryTable.text([summary])
        #expect(table.contains(" ~20 "), "decode rate p50 marked: \(table)")
        #expect(table.hasSuffix("~ made from locally estimated token counts: the server sent no usage for some requests (token_source = estimate)\n"))
        let notes = ReportWriter.notes(summaries: [summary], plotProblems: [], firstErrors: [:])
        #expect(notes.contains { $0.hasPrefix("Level in512-c1: 1 requests had no usage from the server; their output token counts") })
        #expect(notes.contains("Level in512-c1: 1 requests had no input token count from the server; their `input_tokens` are estimated from the prompt (`input_token_source` = estimate)."))
        let clean = LevelSummary(level: level, records: [record(seq: 0, source: .usage, inputSource: .usage)])
        #expect(!SummaryTable.text([clean]).contains("~"))
    }

    @Test func inputTokenSourceSurvivesTheCSV() throws {
        let directory = NSTemporaryDirectory() + "sambabench-estimates-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let records = [record(seq: 0, source: .usage, inputSource: .usage), record(seq: 1, source: .estimate, inputSource: .estimate)]
        try (RecordCSV.requestsHeader + records.map(RecordCSV.requestRow).joined())
            .write(toFile: directory + "/requests.csv", atomically: true, encoding: .utf8)
        try (RecordCSV.chunksHeader + records.map(RecordCSV.chunkRows).joined())
            .write(toFile: directory + "/chunks.csv", atomically: true, encoding: .utf8)
        let read = try RunFiles.records(directory: directory)
        #expect(read.map(\.inputTokenSource) == [.usage, .estimate])
        #expect(read.map(\.tokenSource) == [.usage, .estimate])
    }
}
