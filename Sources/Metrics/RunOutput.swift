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
        try Self.write(LevelsCSV.text(levels), to: directory + "/levels.csv")
    }

    public func writeManifest(_ manifest: RunManifest) throws {
        try Self.write(manifest.json.pretty, to: directory + "/run.json")
    }

    /// Writes a whole file; an error says which and why.
    static func write(_ text: String, to path: String) throws {
        try OutputError.during("write", path) { try text.write(toFile: path, atomically: true, encoding: .utf8) }
    }

    /// Writes summaries, HDR distributions, plots and the report. Returns the summaries and any plot problems.
    @discardableResult
    public func finish(levels: [LevelResult], manifest: RunManifest, search: SearchOutcome? = nil) throws -> (summaries: [LevelSummary], problems: [String]) {
        try requests.close()
        try chunks.close()
        try answers?.close()
        try writeManifest(manifest)
        try Self.write(LevelsCSV.text(levels), to: directory + "/levels.csv")
        // The records are read back from the CSVs rather than kept in memory during the run, and the run's
        // summaries are exactly what `sambabench report` rebuilds from the same files.
        let records = try RunFiles.records(directory: directory)
        return try Self.writeDerived(directory: directory, records: records, levels: levels, manifest: manifest, search: search)
    }

    /// `sambabench report DIR`: every derived file rebuilt from the run's CSVs and run.json alone. A run killed during
    /// a level has no `levels.csv` row for it (no file at all in the first level): that level is rebuilt from its
    /// records, marked `partial`, and `levels.csv` is written again with it.
    public static func rebuild(directory: String) throws -> (summaries: [LevelSummary], problems: [String]) {
        let manifest = try RunManifest.read(directory: directory)
        let records = try RunFiles.records(directory: directory)
        let levelsPath = directory + "/levels.csv"
        let written = try FileManager.default.fileExists(atPath: levelsPath) ? RunFiles.levels(directory: directory) : []
        let levels = PartialLevels.completing(written, records: records, plans: manifest.levels)
        let partial = levels.filter { $0.stopReason == PartialLevels.stopReason && !written.contains($0) }
        if !partial.isEmpty {
            try Self.write(LevelsCSV.text(levels), to: levelsPath)
        }
        let search = try RunFiles.search(directory: directory, closedLoop: manifest.scenario.load.mode == .closed)
        let (summaries, problems) = try writeDerived(directory: directory, records: records, levels: levels, manifest: manifest,
                                                     search: search)
        let notes = partial.map { level in
            "level \(level.name) is partial: the run ended during it without writing its row in levels.csv; it was "
                + "rebuilt from the records on disk and marked `partial` in levels.csv, summary.csv/json and report.md"
        }
        return (summaries, notes + problems)
    }

    /// Everything derived from the records: every `OutputFormat` in order. Used at the end of a run and by
    /// `sambabench report DIR`, so both give the same files.
    public static func writeDerived(directory: String, records: [RequestRecord], levels: [LevelResult], manifest: RunManifest,
                                    search: SearchOutcome?) throws -> (summaries: [LevelSummary], problems: [String]) {
        let run = DerivedRun(directory: directory, records: records, levels: levels, manifest: manifest, search: search)
        for format in OutputFormat.allCases {
            try OutputError.during("write", directory + "/" + format.rawValue) { try format.write(run) }
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
