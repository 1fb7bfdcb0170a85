import Foundation
import LoadGen

/// One run's output directory. Records are written as they arrive and aggregated (`RunAggregate`), never kept;
/// everything derived is written by `finish` from the aggregate, without reading the files back.
/// While records flow, `write` is called by one task and `aggregate` by another (they share no state); then `finish`
/// by the session once both have ended.
public final class RunOutput: @unchecked Sendable {
    public let directory: String
    private let requests: IncrementalWriter
    private let chunks: IncrementalWriter
    /// `responses.jsonl`, started by the first record that carries its answer (`record_text`).
    private var answers: IncrementalWriter?
    private let aggregate: RunAggregate
    private let chunkRows: ChunkRows
    /// Requests that streamed chunks, and those whose chunk rows were written.
    private var withChunks = 0
    private var keptChunks = 0

    /// Creates `directory` and starts `requests.csv` and `chunks.csv`. The directory must not exist, unless
    /// `replacing` is set and it is empty or holds an earlier run (a `run.json`): then it is removed first.
    /// `scenario` sets the objectives goodput counts against, whether turns are summarised and `chunk_rows`;
    /// `startedAt` anchors the HDR interval log's times.
    public init(directory: String, replacing: Bool = false, scenario: Scenario? = nil, startedAt: Date = Date()) throws {
        let manager = FileManager.default
        if manager.fileExists(atPath: directory) {
            guard replacing else { throw RunOutputError.exists(directory) }
            let contents = (try? manager.contentsOfDirectory(atPath: directory)) ?? []
            guard contents.isEmpty || contents.contains("run.json") else { throw RunOutputError.notARun(directory) }
            try OutputError.during("replace the output directory", directory) { try manager.removeItem(atPath: directory) }
        }
        try OutputError.during("create the output directory", directory) {
            try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        self.directory = directory
        // Written through at every record (interval 0): a run killed with SIGKILL leaves every record the writer
        // had on disk as whole rows. Chunks go first, so a request's row on disk means its chunks are too.
        requests = try IncrementalWriter(path: directory + "/requests.csv", header: RecordCSV.requestsHeader, interval: 0)
        chunks = try IncrementalWriter(path: directory + "/chunks.csv", header: RecordCSV.chunksHeader, interval: 0)
        chunkRows = scenario?.chunkRows ?? .all
        try OutputError.during("create", directory + "/hdr") {
            try manager.createDirectory(atPath: directory + "/hdr", withIntermediateDirectories: true)
        }
        let intervals = directory + "/hdr/intervals.hlog"
        if let scenario {
            aggregate = try RunAggregate(scenario: scenario, intervalLog: intervals, startEpochSeconds: startedAt.timeIntervalSince1970)
        } else {
            aggregate = try RunAggregate(slos: [], withTurns: true, intervalLog: intervals, startEpochSeconds: startedAt.timeIntervalSince1970)
        }
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
        try write(record)
        try aggregate(record)
    }

    /// Aggregates a record (`RunFilesSink` does it on a task of its own, beside the files' writer, in the same order).
    public func aggregate(_ record: RequestRecord) throws {
        try aggregate.add(record)
    }

    /// Writes a record's rows.
    public func write(_ record: RequestRecord) throws {
        if !record.chunks.isEmpty {
            withChunks += 1
            if chunkRows.keeps(seq: record.seq) {
                keptChunks += 1
                // A slice at a time: a request of a million chunks never has all its rows in memory at once.
                var start = 0
                while start < record.chunks.count {
                    let end = min(start + 4096, record.chunks.count)
                    try chunks.append(RecordCSV.chunkRows(record, start..<end))
                    start = end
                }
            }
        }
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
        try Self.write(LevelsCSV.text(levels), to: directory + "/levels.csv")
    }

    public func writeManifest(_ manifest: RunManifest) throws {
        try Self.write(manifest.json.pretty, to: directory + "/run.json")
    }

    /// Writes a whole file; an error says which and why.
    static func write(_ text: String, to path: String) throws {
        try OutputError.during("write", path) { try text.write(toFile: path, atomically: true, encoding: .utf8) }
    }

    /// Writes summaries, HDR distributions, plots and the report from the aggregate. Returns the summaries and any
    /// plot problems.
    @discardableResult
    public func finish(levels: [LevelResult], manifest: RunManifest, search: SearchOutcome? = nil) throws -> (summaries: [LevelSummary], problems: [String]) {
        try requests.close()
        try chunks.close()
        try answers?.close()
        try writeManifest(manifest)
        try Self.write(LevelsCSV.text(levels), to: directory + "/levels.csv")
        let results = try aggregate.finish(levels: levels, plans: manifest.levels)
        if chunkRows != .all {
            try Self.write(ChunkSeconds.text(results.timeSeries.chunkTokensBySecond), to: directory + "/" + ChunkSeconds.file)
        }
        let run = DerivedRun(directory: directory, results: results, manifest: manifest, search: search, chunkFiguresFromRecords: true,
                             keptChunkRequests: (keptChunks, withChunks))
        return try Self.writeDerived(run)
    }

    /// `sambabench report DIR`: every derived file rebuilt from the run's CSVs and run.json in one pass, in memory
    /// that does not grow with the run. A run killed during a level has no `levels.csv` row for it (no file at all in
    /// the first level): that level is rebuilt from its records, marked `partial`, and `levels.csv` is written again
    /// with it. When the run kept only some chunk rows (`chunk_rows`), the chunk-level figures come from its HDR log
    /// and `chunk_seconds.csv`.
    public static func rebuild(directory: String) throws -> (summaries: [LevelSummary], problems: [String]) {
        let (manifest, results, kept) = try aggregate(directory: directory, rewritingLog: true)
        let levelsPath = directory + "/levels.csv"
        if !results.partial.isEmpty {
            try Self.write(LevelsCSV.text(results.levels), to: levelsPath)
        }
        let search = try RunFiles.search(directory: directory, closedLoop: manifest.scenario.load.mode == .closed)
        let run = DerivedRun(directory: directory, results: results, manifest: manifest, search: search,
                             chunkFiguresFromRecords: manifest.scenario.chunkRows == .all, keptChunkRequests: kept)
        let (summaries, problems) = try writeDerived(run)
        let notes = results.partial.map { level in
            "level \(level.name) is partial: the run ended during it without writing its row in levels.csv; it was "
                + "rebuilt from the records on disk and marked `partial` in levels.csv, summary.csv/json and report.md"
        }
        return (summaries, notes + problems)
    }

    /// A run directory's records aggregated in one pass (its levels settled, partial ones rebuilt), with its manifest
    /// and the requests whose chunk rows it kept of those that streamed chunks. `rewritingLog`: write the per-second HDR
    /// log again (`report`; `compare` writes nothing in the runs it reads).
    public static func aggregate(directory: String, rewritingLog: Bool = false) throws -> (manifest: RunManifest, results: RunAggregate.Results,
                                                               kept: (kept: Int, withChunks: Int)) {
        let manifest = try RunManifest.read(directory: directory)
        let levelsPath = directory + "/levels.csv"
        let written = try FileManager.default.fileExists(atPath: levelsPath) ? RunFiles.levels(directory: directory) : []
        let fromRecords = manifest.scenario.chunkRows == .all
        // With every chunk row, the per-second HDR log is rewritten too (the same bytes as the run's); without, the
        // run's log stays as it is, the only record of its chunks' gaps second by second.
        var intervals: String?
        if fromRecords && rewritingLog {
            try OutputError.during("create", directory + "/hdr") {
                try FileManager.default.createDirectory(atPath: directory + "/hdr", withIntermediateDirectories: true)
            }
            intervals = directory + "/hdr/intervals.hlog"
        }
        let aggregate = try RunAggregate(scenario: manifest.scenario, chunkFiguresFromRecords: fromRecords, intervalLog: intervals,
                                         startEpochSeconds: manifest.startedAt.timeIntervalSince1970,
                                         promptCycle: .some(manifest.promptCycle))
        var withChunks = 0
        var kept = 0
        try RunFiles.forEachRecord(directory: directory, withChunks: fromRecords) { record in
            if record.chunkSummary.count > 0 { withChunks += 1 }
            if !record.chunks.isEmpty { kept += 1 }
            try aggregate.add(record)
        }
        var chunkFigures: [String: [Metric: Distribution]] = [:]
        if !fromRecords {
            for (second, tokens) in try ChunkSeconds.read(directory: directory).enumerated() {
                aggregate.restoreChunkTokens(tokens, second: second)
            }
            chunkFigures = try LevelsLog.chunkDistributions(directory: directory)
        }
        var results = try aggregate.finish(levels: written, plans: manifest.levels)
        if !fromRecords {
            kept = try RunFiles.chunkRequests(directory: directory)
            for index in results.summaries.indices {
                results.summaries[index].restoreChunkFigures(chunkFigures[results.summaries[index].level.name] ?? [:])
            }
        }
        return (manifest, results, (kept, withChunks))
    }

    /// Everything derived from records held in memory (tests and small tools): aggregated as a run would, then written.
    public static func writeDerived(directory: String, records: [RequestRecord], levels: [LevelResult], manifest: RunManifest,
                                    search: SearchOutcome?) throws -> (summaries: [LevelSummary], problems: [String]) {
        let aggregate = try RunAggregate(scenario: manifest.scenario, promptCycle: .some(manifest.promptCycle))
        for record in records { try aggregate.add(record) }
        let results = try aggregate.finish(levels: levels, plans: manifest.levels)
        return try writeDerived(DerivedRun(directory: directory, results: results, manifest: manifest, search: search,
                                           chunkFiguresFromRecords: true, keptChunkRequests: nil))
    }

    /// Every `OutputFormat` in order. Used at the end of a run and by `sambabench report DIR`, so both give the same
    /// files.
    static func writeDerived(_ run: DerivedRun) throws -> (summaries: [LevelSummary], problems: [String]) {
        for format in OutputFormat.allCases {
            try OutputError.during("write", run.directory + "/" + format.rawValue) { try format.write(run) }
        }
        return (run.summaries, run.plotProblems)
    }
}

public enum RunOutputError: Error, CustomStringConvertible {
    case exists(String)
    case notARun(String)
    case comparisonExists(String)

    public var description: String {
        switch self {
        case .exists(let path):
            return "the output directory \(path) already exists; give another with --output, or --force to replace it (results are never overwritten otherwise)"
        case .comparisonExists(let path):
            return "the output directory \(path) already exists; give another with --output"
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
        // 1 when the window closes at the last measured request's end (runs written before it have no column).
        .flag("window_to_last_end", \.windowToLastEnd),
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
