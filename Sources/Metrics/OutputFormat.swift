import Foundation
import LoadGen

/// Every file a run derives from its records, in the order they are written: `run` writes them at its end and
/// `report` rebuilds them from the CSVs. Adding an output is a case here and its writer.
public enum OutputFormat: String, CaseIterable, Sendable {
    /// A row per level and metric (count, mean, stddev, percentiles) and per level figure.
    case summaryCSV = "summary.csv"
    /// The same per conversation turn, when the run had conversations or tools.
    case summaryByTurn = "summary_by_turn.csv"
    /// The summary as JSON, with the run's manifest.
    case summaryJSON = "summary.json"
    /// HdrHistogram percentile distributions per level and metric.
    case hdr = "hdr/"
    /// Second by second: in flight, dispatched, completions, errors, tokens.
    case timeSeries = "timeseries.csv"
    /// The SLO search's levels, with a search.
    case search = "search.csv"
    /// gnuplot scripts, their data, and their PNG and SVG renders.
    case plots = "plots/"
    /// The summary table, the plots and the notes, for people.
    case report = "report.md"
    /// The same as one self-contained page, the plots inline as SVG.
    case html = "report.html"

    func write(_ run: DerivedRun) throws {
        let directory = run.directory
        switch self {
        case .summaryCSV:
            try SummaryExport.csv(run.summaries).write(toFile: directory + "/summary.csv", atomically: true, encoding: .utf8)
        case .summaryByTurn:
            guard !run.turnSummaries.isEmpty else { return }
            try SummaryExport.csv(run.turnSummaries).write(toFile: directory + "/summary_by_turn.csv", atomically: true, encoding: .utf8)
        case .summaryJSON:
            try SummaryExport.json(run.summaries, run: run.manifest.json).pretty
                .write(toFile: directory + "/summary.json", atomically: true, encoding: .utf8)
        case .hdr:
            let hdr = directory + "/hdr"
            try FileManager.default.createDirectory(atPath: hdr, withIntermediateDirectories: true)
            for summary in run.summaries {
                for metric in Metric.allCases where !metric.signed {
                    guard let distribution = summary.distributions[metric], distribution.count > 0 else { continue }
                    try distribution.percentileDistributionCSV()
                        .write(toFile: "\(hdr)/\(metric.name).\(summary.level.name).csv", atomically: true, encoding: .utf8)
                }
            }
        case .timeSeries:
            try TimeSeries(records: run.records, levels: run.levels).csv
                .write(toFile: directory + "/timeseries.csv", atomically: true, encoding: .utf8)
        case .search:
            guard let search = run.search, !run.manifest.scenario.slos.isEmpty else { return }
            try SearchExport.csv(summaries: run.summaries, slos: run.manifest.scenario.slos, search: search)
                .write(toFile: directory + "/search.csv", atomically: true, encoding: .utf8)
        case .plots:
            try PlotSet.write(run)
        case .report:
            var report = ReportWriter.markdown(manifest: run.manifest, summaries: run.summaries, plots: run.renderedPlots,
                                               plotProblems: run.plotProblems, firstErrors: run.firstErrors, search: run.search,
                                               coldStart: run.coldStart)
            if !run.turnSummaries.isEmpty { report += TurnSummaries.markdown(run.turnSummaries) }
            try report.write(toFile: directory + "/report.md", atomically: true, encoding: .utf8)
        case .html:
            try ReportHTML.write(run)
        }
    }
}

/// What the outputs are derived from, computed once: the records grouped by level, the level and turn summaries, the
/// first error of each class; and what the plots leave for the report.
final class DerivedRun {
    let directory: String
    let records: [RequestRecord]
    let levels: [LevelResult]
    let manifest: RunManifest
    let search: SearchOutcome?
    let byLevel: [Int: [RequestRecord]]
    let summaries: [LevelSummary]
    let turnSummaries: [LevelSummary]
    let firstErrors: [ErrorClass: String]
    /// Plot names rendered to PNG, and why any was not.
    var renderedPlots: [String] = []
    var plotProblems: [String] = []

    init(directory: String, records: [RequestRecord], levels: [LevelResult], manifest: RunManifest, search: SearchOutcome?) {
        self.directory = directory
        self.records = records
        self.levels = levels
        self.manifest = manifest
        self.search = search
        // Grouped once: each level's summary and chunk histogram read only their own records.
        byLevel = Dictionary(grouping: records, by: \.level)
        summaries = levels.map { [byLevel] in LevelSummary(level: $0, records: byLevel[$0.index] ?? [], slos: manifest.scenario.slos) }
        turnSummaries = TurnSummaries.summaries(levels: levels, byLevel: byLevel, slos: manifest.scenario.slos)
        var firstErrors: [ErrorClass: String] = [:]
        for record in records.sorted(by: { $0.endNs < $1.endNs }) {
            if let errorClass = record.errorClass, firstErrors[errorClass] == nil {
                firstErrors[errorClass] = "request \(record.seq): \(record.errorMessage ?? "no message")"
            }
        }
        self.firstErrors = firstErrors
    }
}
