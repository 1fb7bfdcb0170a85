import ArgumentParser
import Foundation
import LoadGen
import Metrics

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Rebuild a run's summaries, HDR files, time series, plots and report from its CSVs.",
        discussion: """
            Reads requests.csv, chunks.csv, levels.csv and run.json (and search.csv after an SLO search) in DIR and
            writes summary.csv, summary.json, hdr/, timeseries.csv, plots/ and report.md again, without running any
            load. summary.csv comes out byte for byte as the run wrote it.
            Example: sambabench report results/demo/20261121-193000
            """
    )

    @Argument(help: "A run's output directory.")
    var directory: String

    func run() throws {
        let rebuilt: (summaries: [LevelSummary], problems: [String])
        do {
            rebuilt = try RunOutput.rebuild(directory: directory)
        } catch { throw failure(error) }
        print(SummaryTable.text(rebuilt.summaries), terminator: "")
        print("\nrebuilt: \(directory)")
        for problem in rebuilt.problems { printError("note: \(problem)") }
    }
}
