import Foundation
import LoadGen

/// One run's output directory. Records are written as they arrive (and not kept); everything derived is written by
/// `finish` from the files.
/// Used by one task at a time: the writer task while records flow, then the session once the stream has ended.
public final class RunOutput: @unchecked Sendable {
    public let directory: String
    private let requests: IncrementalWriter
    private let chunks: IncrementalWriter
    /// `responses.jsonl`, started by the first record that carries its answer (`record_text`).
    private var answers: IncrementalWriter?

    /// Creates `directory` and starts `requests.csv` and `chunks.csv`. The directory must not exist, unless
    /// `replacing` is set and it is empty or holds an earlier run (a `run.json`): then it is removed first.
    public init(directory: String, replacing: Bool = false) throws {
        let manager = FileManager.default
        if manager.fileExists(atPath: directory) {
            guard replacing else { throw RunOutputError.exists(directory) }
            let contents = (try? manager.contentsOfDirectory(atPath: directory)) ?? []
            guard contents.isEmpty || contents.contains("run.json") else { throw RunOutputError.notARun(directory) }
            try manager.removeItem(atPath: directory)
        }
        try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.directory = directory
        // Written through at every record (interval 0): a run killed with SIGKILL leaves every record the writer
        // had on disk as whole rows. Chunks go first, so a request's row on disk means its chunks are too.
        requests = try IncrementalWriter(path: directory + "/requests.csv", header: RecordCSV.requestsHeader, interval: 0)
        chunks = try IncrementalWriter(path: directory + "/chunks.csv", header: RecordCSV.chunksHeader, interval: 0)
    }

    /// The default directory: `<output>/<scenario name>/<UTC timestamp>`.
    public static func defaultDirectory(output: String, scenario: String, at date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return "\(output)/\(scenario)/\(formatter.string(from: date))"
    }

    public func add(_ record: RequestRecord) throws {
        if !record.chunks.isEmpty { try chunks.append(RecordCSV.chunkRows(record)) }
        try requests.append(RecordCSV.requestRow(record))
        if let output = record.output {
            if answers == nil { answers = try IncrementalWriter(path: directory + "/responses.jsonl", header: "") }
            try answers!.append(AnswerLog.line(record, output: output))
        }
    }

    /// Writes `levels.csv` for the levels finished so far, so an interrupted run can still be rebuilt by `report`.
    public func writeLevels(_ levels: [LevelResult]) throws {
        try requests.flush()
        try chunks.flush()
        try answers?.flush()
        try LevelsCSV.text(levels).write(toFile: directory + "/levels.csv", atomically: true, encoding: .utf8)
    }

    public func writeManifest(_ manifest: RunManifest) throws {
        try manifest.json.pretty.write(toFile: directory + "/run.json", atomically: true, encoding: .utf8)
    }

    /// Writes summaries, HDR distributions, plots and the report. Returns the summaries and any plot problems.
    @discardableResult
    public func finish(levels: [LevelResult], manifest: RunManifest, search: SearchOutcome? = nil) throws -> (summaries: [LevelSummary], problems: [String]) {
        try requests.close()
        try chunks.close()
        try answers?.close()
        try writeManifest(manifest)
        try LevelsCSV.text(levels).write(toFile: directory + "/levels.csv", atomically: true, encoding: .utf8)
        // The records are read back from the CSVs rather than kept in memory during the run, and the run's
        // summaries are exactly what `sambabench report` rebuilds from the same files.
        let records = try RunFiles.records(directory: directory)
        return try Self.writeDerived(directory: directory, records: records, levels: levels, manifest: manifest, search: search)
    }

    /// Everything derived from the records: summaries, HDR distributions, time series, plots and the report.
    /// Used at the end of a run and by `sambabench report DIR`, so both give the same files.
    public static func writeDerived(directory: String, records: [RequestRecord], levels: [LevelResult], manifest: RunManifest,
                                    search: SearchOutcome?) throws -> (summaries: [LevelSummary], problems: [String]) {
        // Grouped once: each level's summary and chunk histogram read only their own records.
        let byLevel = Dictionary(grouping: records, by: \.level)
        let summaries = levels.map { LevelSummary(level: $0, records: byLevel[$0.index] ?? [], slos: manifest.scenario.slos) }
        var firstErrors: [ErrorClass: String] = [:]
        for record in records.sorted(by: { $0.endNs < $1.endNs }) {
            if let errorClass = record.errorClass, firstErrors[errorClass] == nil {
                firstErrors[errorClass] = "request \(record.seq): \(record.errorMessage ?? "no message")"
            }
        }
        try SummaryExport.csv(summaries).write(toFile: directory + "/summary.csv", atomically: true, encoding: .utf8)
        let turnSummaries = TurnSummaries.summaries(levels: levels, byLevel: byLevel, slos: manifest.scenario.slos)
        if !turnSummaries.isEmpty {
            try SummaryExport.csv(turnSummaries).write(toFile: directory + "/summary_by_turn.csv", atomically: true, encoding: .utf8)
        }
        try SummaryExport.json(summaries, run: manifest.json).pretty
            .write(toFile: directory + "/summary.json", atomically: true, encoding: .utf8)
        let hdr = directory + "/hdr"
        try FileManager.default.createDirectory(atPath: hdr, withIntermediateDirectories: true)
        for summary in summaries {
            for metric in Metric.allCases where !metric.signed {
                guard let distribution = summary.distributions[metric], distribution.count > 0 else { continue }
                try distribution.percentileDistributionCSV()
                    .write(toFile: "\(hdr)/\(metric.rawValue).\(summary.level.name).csv", atomically: true, encoding: .utf8)
            }
        }
        let plotsDirectory = directory + "/plots"
        try FileManager.default.createDirectory(atPath: plotsDirectory, withIntermediateDirectories: true)
        var renderer = PlotRenderer(directory: plotsDirectory)
        let title = "\(manifest.scenario.name): \(manifest.scenario.model) (\(manifest.scenario.api.rawValue))"
        let withTTFT = summaries.filter { ($0.distributions[.ttft]?.count ?? 0) > 0 }
        if !withTTFT.isEmpty {
            try renderer.ttftCDF(title: "TTFT, \(title)",
                                 series: withTTFT.map { ($0.level.name, "../hdr/\(Metric.ttft.rawValue).\($0.level.name).csv") })
        }
        if !withTTFT.isEmpty {
            try renderer.ttftPercentiles(title: "TTFT percentiles, \(title)",
                                         series: withTTFT.map { ($0.level.name, "../hdr/\(Metric.ttft.rawValue).\($0.level.name).csv") },
                                         largestCount: withTTFT.map { $0.distributions[.ttft]!.count }.max() ?? 1)
        }
        let withDecode = summaries.filter { ($0.distributions[.decodeRate]?.count ?? 0) > 0 }
        if !withDecode.isEmpty {
            try renderer.decodeRate(title: "Decode rate per request, \(title)",
                                    series: withDecode.map { ($0.level.name, "../hdr/\(Metric.decodeRate.rawValue).\($0.level.name).csv") })
        }
        let chunkCounts = levels.map { level in
            (byLevel[level.index] ?? []).filter { !$0.warmup && $0.succeeded }
                .reduce(into: [Int: Int]()) { counts, record in
                    for chunk in record.chunks { counts[chunk.tokens, default: 0] += 1 }
                }
        }
        if chunkCounts.contains(where: { !$0.isEmpty }) {
            try renderer.tokensPerChunk(title: "Tokens per chunk, \(title)", levels: levels.map(\.name), counts: chunkCounts)
        }
        let pairs = records.filter { !$0.warmup && $0.succeeded }.compactMap { record -> (Int, Double, Double)? in
            guard let server = record.server.timeToFirstToken, let first = record.chunks.first else { return nil }
            return (levels.firstIndex { $0.index == record.level } ?? 0, Double(first.arrivalNs - record.sentNs) / 1e6, server * 1e3)
        }
        if !pairs.isEmpty {
            try renderer.clientVersusServer(title: "Client against server TTFT, \(title)", levels: levels.map(\.name),
                                            points: pairs.map { (level: $0.0, client: $0.1, server: $0.2) })
        }
        let cells = Dictionary(grouping: summaries) { LoadMatrix.cell(ofLevel: $0.level.name) ?? "" }
        if cells.keys.contains(where: { !$0.isEmpty }) {
            // A matrix: one line per cell, or the cells' loads would zigzag on one line.
            let open = summaries.contains { $0.level.rate != nil }
            let order = summaries.map { LoadMatrix.cell(ofLevel: $0.level.name) ?? "" }.reduce(into: [String]()) {
                if !$0.contains($1) { $0.append($1) }
            }
            try renderer.matrixThroughput(
                title: "Throughput and TTFT p99 per matrix cell, \(title)",
                loadLabel: open ? "offered rate (requests/s)" : "concurrency",
                cells: order.map { cell in
                    (cell.isEmpty ? "other" : cell, cells[cell]!.sorted { $0.level.loadValue < $1.level.loadValue }.map { summary in
                        (summary.level.loadValue, summary.outputThroughput ?? .nan, summary.stats(.ttft)?.p99 ?? .nan)
                    })
                })
        } else if !summaries.isEmpty {
            let open = summaries.contains { $0.level.rate != nil }
            let loadLabel = open ? "offered rate (requests/s)" : "concurrency"
            try renderer.throughput(title: "Throughput and TTFT against \(open ? "offered rate" : "concurrency"), \(title)",
                                    loadLabel: loadLabel,
                                    rows: summaries.sorted { $0.level.loadValue < $1.level.loadValue }.map { summary in
                                        (summary.level.loadValue, summary.outputThroughput ?? .nan,
                                         summary.stats(.ttft)?.p50 ?? .nan, summary.stats(.ttft)?.p99 ?? .nan)
                                    })
        }
        try TimeSeries(records: records, levels: levels).csv
            .write(toFile: directory + "/timeseries.csv", atomically: true, encoding: .utf8)
        if !records.isEmpty { try renderer.timeSeries(title: "Second by second, \(title)") }
        if let search, let first = manifest.scenario.slos.first {
            try SearchExport.csv(summaries: summaries, slos: manifest.scenario.slos, search: search)
                .write(toFile: directory + "/search.csv", atomically: true, encoding: .utf8)
            try renderer.search(title: "SLO search, \(title)", loadLabel: search.loadLabel, slo: first,
                                rows: summaries.sorted { $0.level.loadValue < $1.level.loadValue }.map { summary in
                                    let result = SLOEvaluation.evaluate([first], summary)[0]
                                    return (summary.level.loadValue, result.value ?? .nan, SLOEvaluation.allMet(summary.slos, summary))
                                })
        }
        let problems = renderer.render()
        let rendered = renderer.scripts.map { String($0.dropLast(3)) }
            .filter { FileManager.default.fileExists(atPath: "\(plotsDirectory)/\($0).png") }
        var report = ReportWriter.markdown(manifest: manifest, summaries: summaries, plots: rendered,
                                           plotProblems: problems, firstErrors: firstErrors, search: search)
        if !turnSummaries.isEmpty { report += TurnSummaries.markdown(turnSummaries) }
        try report.write(toFile: directory + "/report.md", atomically: true, encoding: .utf8)
        return (summaries, problems)
    }
}

public enum RunOutputError: Error, CustomStringConvertible {
    case exists(String)
    case notARun(String)

    public var description: String {
        switch self {
        case .exists(let path):
            return "the output directory \(path) already exists; give another with --output, or --force to replace it (results are never overwritten otherwise)"
        case .notARun(let path):
            return "\(path) is not an earlier run's directory (no run.json) and not empty: --force replaces only those"
        }
    }
}

/// `levels.csv`: each level's measurement window and dispatch counts, written as levels end and read back by
/// `report`; its columns are defined once for both.
public enum LevelsCSV {
    typealias Column = CSVColumn<LevelResult, Void>

    static let table = CSVTable<LevelResult, Void>(columns: [
        .int("level", \.index, required: true),
        .text("level_name", \.name, required: true),
        .int("concurrency", \.concurrency, required: true),
        Column("rate_rps", required: true, write: { level, _ in CSVFormat.number(level.rate) }, read: { level, field in
            level.rate = Double(field)
            return true
        }),
        .time("start_ms", \.startNs, required: true),
        .time("window_start_ms", \.windowStartNs, required: true),
        .time("window_end_ms", \.windowEndNs, required: true),
        .time("end_ms", \.endNs, required: true),
        .derived("window_s") { level, _ in CSVFormat.number(level.windowSeconds) },
        .int("warmup_dispatched", \.warmupDispatched, required: true),
        .int("measured_dispatched", \.measuredDispatched, required: true),
        Column("stop_reason", required: true, write: { level, _ in level.stopReason }, read: { level, field in
            level.stopReason = field
            return true
        }),
        // Self-health; runs written before it was measured have neither column.
        Column("transport_busy_fraction", write: { level, _ in CSVFormat.exact(level.transport?.busyFraction) },
               read: { level, field in
                   if let busy = Double(field) { level.transport = TransportUtilisation(busyFraction: busy, cpuFraction: nil) }
                   return true
               }),
        Column("transport_cpu_fraction", write: { level, _ in CSVFormat.exact(level.transport?.cpuFraction) },
               read: { level, field in
                   level.transport?.cpuFraction = Double(field)
                   return true
               }),
    ])

    public static var header: String { table.header }

    public static func text(_ levels: [LevelResult]) -> String {
        header + levels.map { table.row($0, ()) }.joined()
    }
}
