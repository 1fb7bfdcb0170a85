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
            // The per-level log is where `report` restores the chunk-level figures from when chunk rows were not all
            // kept: then it is the run's, not rewritten.
            if run.chunkFiguresFromRecords {
                try LevelsLog.text(run.summaries, startEpochSeconds: run.manifest.startedAt.timeIntervalSince1970)
                    .write(toFile: directory + "/" + LevelsLog.file, atomically: true, encoding: .utf8)
            }
            for summary in run.summaries {
                for metric in Metric.allCases where !metric.signed {
                    guard let distribution = summary.distributions[metric], distribution.count > 0 else { continue }
                    try distribution.percentileDistributionCSV()
                        .write(toFile: "\(hdr)/\(metric.name).\(summary.level.name).csv", atomically: true, encoding: .utf8)
                }
            }
        case .timeSeries:
            try run.timeSeries.csv.write(toFile: directory + "/timeseries.csv", atomically: true, encoding: .utf8)
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
            report += run.keptNote
            try report.write(toFile: directory + "/report.md", atomically: true, encoding: .utf8)
        case .html:
            try ReportHTML.write(run)
        }
    }
}

/// What the outputs are derived from: the aggregate's settled results (no records are kept), and what the plots
/// leave for the report.
final class DerivedRun {
    let directory: String
    let results: RunAggregate.Results
    let manifest: RunManifest
    let search: SearchOutcome?
    /// Whether the chunk-level figures came from chunk rows (else from the run's HDR log).
    let chunkFiguresFromRecords: Bool
    /// Chunk rows kept (requests whose chunks are in chunks.csv) of the requests that had chunks.
    let keptChunkRequests: (kept: Int, withChunks: Int)?
    /// Plot names rendered to PNG, and why any was not.
    var renderedPlots: [String] = []
    var plotProblems: [String] = []

    var levels: [LevelResult] { results.levels }
    var summaries: [LevelSummary] { results.summaries }
    var turnSummaries: [LevelSummary] { results.turnSummaries }
    var timeSeries: TimeSeries { results.timeSeries }
    var firstErrors: [ErrorClass: String] { results.firstErrors }
    var hasRecords: Bool { results.records > 0 }

    init(directory: String, results: RunAggregate.Results, manifest: RunManifest, search: SearchOutcome?,
         chunkFiguresFromRecords: Bool, keptChunkRequests: (kept: Int, withChunks: Int)?) {
        self.directory = directory
        self.results = results
        self.manifest = manifest
        self.search = search
        self.chunkFiguresFromRecords = chunkFiguresFromRecords
        self.keptChunkRequests = keptChunkRequests
    }

    /// The report's note on what chunks.csv holds, when the run did not keep every chunk row.
    var keptNote: String {
        let setting = manifest.scenario.chunkRows
        guard setting != .all else { return "" }
        var text = "\n## Chunk rows\n\n`chunk_rows: \(setting.text)`: "
        if let kept = keptChunkRequests {
            text += "chunks.csv holds the chunks of \(kept.kept) of the \(kept.withChunks) requests that streamed chunks"
        } else {
            text += "chunks.csv holds the chunks of only some requests"
        }
        text += setting == .none ? " (none were kept). " : " (a deterministic sample by sequence number). "
        text += "Every figure here (the summary, ITL, ICL and tokens-per-chunk histograms, the time series) was "
        text += "aggregated from every chunk as it arrived; `report` restores the chunk-level ones from `hdr/levels.hlog` "
        text += "and `chunk_seconds.csv`.\n"
        return text
    }
}
