import Foundation
import Testing
@testable import LoadGen
@testable import Metrics

/// Issue 14's "wrong results without a word": outputs that used to be wrong or missing with no note now say what
/// happened. The records are the golden files' fixture.
@Suite struct SilentResultsTests {
    static func directory() -> String {
        NSTemporaryDirectory() + "sambabench-silent-\(UUID().uuidString)"
    }

    /// A run directory as `kill -9` leaves it: run.json, the records written through, and `levels.csv` only for the
    /// levels given (none: no file).
    static func killedRun(records: [RequestRecord], levelsWritten: [LevelResult]?) throws -> String {
        let (_, _, manifest) = GoldenFileTests.fixture()
        let directory = directory()
        let output = try RunOutput(directory: directory)
        try output.writeManifest(manifest)
        for record in records { try output.add(record) }
        if let levelsWritten { try output.writeLevels(levelsWritten) }
        return directory
    }

    /// Item 11: killed in the first level, there is no levels.csv: `report` rebuilds the level from its records and the
    /// plan in run.json, marks it partial everywhere, and says so.
    @Test func reportAfterAKillInTheFirstLevelRebuildsItAsPartial() throws {
        let (records, _, _) = GoldenFileTests.fixture()
        let directory = try Self.killedRun(records: records.filter { $0.level == 0 }, levelsWritten: nil)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (summaries, problems) = try RunOutput.rebuild(directory: directory)
        let level = try #require(summaries.first?.level)
        #expect(summaries.count == 1 && summaries[0].requests == 3)
        // The window runs from the first to the last measured dispatch on disk (scheduled 500 ns before each send).
        #expect(level.name == "c1" && level.concurrency == 1 && level.stopReason == "partial")
        #expect(level.startNs == 500 && level.windowStartNs == 500 && level.windowEndNs == 500_000_500)
        #expect(level.endNs == 650_001_000 && level.measuredDispatched == 3 && level.warmupDispatched == 0)
        #expect(problems.first?.hasPrefix("level c1 is partial") == true)
        #expect(try RunFiles.levels(directory: directory) == [level])
        let summary = try String(contentsOfFile: directory + "/summary.csv", encoding: .utf8)
        #expect(summary.contains("0,c1,1,,partial,level" + String(repeating: ",", count: 11) + "1\n"))
        #expect(try String(contentsOfFile: directory + "/summary.json", encoding: .utf8).contains("\"stop_reason\": \"partial\""))
        let report = try String(contentsOfFile: directory + "/report.md", encoding: .utf8)
        #expect(report.contains("| c1 (partial) |"))
        #expect(report.contains("- Level c1 is partial: the run ended during it (killed) before writing its row in levels.csv"))
    }

    /// Item 11: killed in the second level, levels.csv has the first only: the second is rebuilt beside it, not dropped.
    @Test func reportAfterAKillInALaterLevelKeepsThePartialLevel() throws {
        let (records, levels, _) = GoldenFileTests.fixture()
        let directory = try Self.killedRun(records: records, levelsWritten: [levels[0]])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (summaries, _) = try RunOutput.rebuild(directory: directory)
        #expect(summaries.map(\.level.name) == ["c1", "c2"])
        #expect(summaries.map(\.level.stopReason) == ["requests", "partial"])
        #expect(summaries[0].level.windowEndNs == levels[0].windowEndNs && summaries[0].level.measuredDispatched == 3)
        #expect(summaries[1].requests == 4 && summaries[1].failed == 1)
        // A second `report` reads the rebuilt levels.csv and gives the same levels.
        #expect(try RunOutput.rebuild(directory: directory).summaries.map(\.level) == summaries.map(\.level))
    }

    /// Item 9: a level whose window ran to the last measured request's end says so in report.md, and its throughput
    /// is the tokens over that window (never empty or NaN).
    @Test func aWindowToTheLastEndIsExplainedInTheReport() throws {
        let (records, _, manifest) = GoldenFileTests.fixture()
        var level = LevelResult(index: 0, name: "c1", concurrency: 1, startNs: 0, windowStartNs: 500, windowEndNs: 650_001_000,
                                endNs: 650_001_000, warmupDispatched: 0, measuredDispatched: 3, stopReason: "requests")
        level.windowToLastEnd = true
        let summary = LevelSummary(level: level, records: records)
        #expect(summary.outputThroughput == 66 / (Double(650_001_000 - 500) / 1e9))
        let report = ReportWriter.markdown(manifest: manifest, summaries: [summary], plots: [], plotProblems: [], firstErrors: [:])
        #expect(report.contains("- Level c1: every measured request went out before any of them ended, so its measurement "
                                + "window runs from the first measured dispatch to the last measured request's end (0.65 s, "
                                + "the drain included)"))
        #expect(!report.contains("Nothing suspect"))
        #expect(LevelsCSV.text([level]).contains(",requests,1,"))
    }

    /// Item 12: requests another model answered keep that model in requests.csv (read back by `report`), are counted
    /// in summary.csv/json, and report.md says so.
    @Test func anotherModelAnsweringIsCountedAndNoted() throws {
        let (fixture, levels, manifest) = GoldenFileTests.fixture()
        var records = fixture
        records[1].responseModel = "Meta-Llama-3.1-8B-Instruct"
        records[2].responseModel = "Meta-Llama-3.1-8B-Instruct"
        let directory = Self.directory()
        let output = try RunOutput(directory: directory)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for record in records { try output.add(record) }
        let (summaries, _) = try output.finish(levels: levels, manifest: manifest)
        #expect(try RunFiles.records(directory: directory).map(\.responseModel) == records.map(\.responseModel))
        #expect(summaries.map(\.otherModelRequests) == [2, 0])
        let summary = try String(contentsOfFile: directory + "/summary.csv", encoding: .utf8)
        #expect(summary.contains("0,c1,1,,response_model_differs,requests" + String(repeating: ",", count: 11) + "2\n"))
        #expect(!summary.contains("1,c2,2,,response_model_differs"))
        let report = try String(contentsOfFile: directory + "/report.md", encoding: .utf8)
        #expect(report.contains("- Level c1: 2 of 3 requests were answered by another model than the one asked "
                                + "(`Meta-Llama-3.1-8B-Instruct` 2; `response_model` in requests.csv)"))
    }
}
