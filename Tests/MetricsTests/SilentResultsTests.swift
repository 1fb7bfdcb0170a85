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

    /// Item 13: an output path that cannot be written says what and where, in words.
    @Test func unwritableOutputPathsSayWhatAndWhere() throws {
        let file = Self.directory()
        try "not a folder".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        do {
            _ = try RunOutput(directory: file + "/run")
            Issue.record("a directory under a file was created")
        } catch let error as OutputError {
            #expect(error.action == "create the output directory" && error.path == file + "/run")
            #expect(error.reason == "\(file) is a file, not a folder", "\(error)")
            #expect(!"\(error)".contains("NSCocoaErrorDomain"))
        }
        // A full disk (/dev/full answers every write with ENOSPC).
        do {
            _ = try IncrementalWriter(path: "/dev/full", header: "level,seq\n")
            Issue.record("/dev/full took a write")
        } catch let error as OutputError {
            #expect("\(error)" == "cannot create /dev/full: the disk is full (or over its quota)")
        }
        #expect(OutputError.reason(CocoaError(.fileWriteOutOfSpace)) == "the disk is full (or over its quota)")
        #expect(OutputError.reason(NSError(domain: NSPOSIXErrorDomain, code: Int(EACCES))) == "permission denied")
        #expect(OutputError.reason(CocoaError(.fileWriteNoPermission, userInfo: [
            NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(EROFS))])) == "the file system is read-only")
    }

    /// Item 14: a run whose requests all failed has no throughput plot (a one-line note says why, no empty PNG is
    /// embedded); a run that did not stream draws throughput without the TTFT lines it has no values for.
    @Test func plotsWithoutDataAreSkippedWithAOneLineNote() throws {
        let (records, levels, manifest) = GoldenFileTests.fixture()
        let failed = records.map { record -> RequestRecord in
            var record = record
            record.errorClass = .serverError
            record.status = 503
            record.chunks = []
            return record
        }
        let directory = Self.directory()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (_, problems) = try RunOutput.writeDerived(directory: directory, records: failed, levels: levels, manifest: manifest,
                                                       search: nil)
        #expect(problems.contains("plots/throughput.png was not drawn: no measured request succeeded, so there is no "
                                  + "throughput or TTFT to plot"))
        #expect(!FileManager.default.fileExists(atPath: directory + "/plots/throughput.gp"))
        let report = try String(contentsOfFile: directory + "/report.md", encoding: .utf8)
        #expect(!report.contains("throughput.png)"))
        for name in try FileManager.default.contentsOfDirectory(atPath: directory + "/plots") where name.hasSuffix(".png") {
            let size = try FileManager.default.attributesOfItem(atPath: directory + "/plots/" + name)[.size] as? NSNumber
            #expect((size?.intValue ?? 0) > 0, "\(name) is empty")
        }
        #expect(problems.allSatisfy { !$0.contains("\n") })

        // Not streamed: throughput, but no TTFT anywhere.
        let whole = records.map { record -> RequestRecord in
            var record = record
            record.chunks = []
            return record
        }
        let plain = Self.directory()
        try FileManager.default.createDirectory(atPath: plain, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: plain) }
        let (_, plainProblems) = try RunOutput.writeDerived(directory: plain, records: whole, levels: levels, manifest: manifest,
                                                            search: nil)
        let script = try String(contentsOfFile: plain + "/plots/throughput.gp", encoding: .utf8)
        #expect(!script.contains("TTFT p50 (ms)"))
        if PlotRenderer.findGnuplot() != nil {
            #expect(plainProblems.isEmpty, "\(plainProblems)")
            let size = try FileManager.default.attributesOfItem(atPath: plain + "/plots/throughput.png")[.size] as? NSNumber
            #expect((size?.intValue ?? 0) > 0)
        }
    }

    /// Item 14: a script gnuplot cannot draw leaves no empty image, and its error is one line.
    @Test func aPlotGnuplotCannotDrawIsOneLineAndNoImage() throws {
        guard PlotRenderer.findGnuplot() != nil else { return }
        let directory = Self.directory()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var renderer = PlotRenderer(directory: directory)
        // A matrix whose every request failed: no point to draw on either axis.
        try renderer.matrixThroughput(title: "t", loadLabel: "concurrency", cells: [
            (cell: "in8-out8", rows: [(load: 1, tokensPerSecond: .nan, ttftP99: .nan), (load: 2, tokensPerSecond: .nan, ttftP99: .nan)])], integralLoads: true)
        let problems = renderer.render()
        #expect(problems == ["plots/matrix_throughput.png was not drawn (gnuplot: \"matrix_throughput.gp\" line 19: all points "
                             + "y value undefined!); matrix_throughput.gp and its data are in plots/"])
        #expect(!FileManager.default.fileExists(atPath: directory + "/matrix_throughput.png"))
    }
}
