import Foundation
import LoadGen
import Synchronization

/// One scrape of the server's Prometheus endpoint during a run: when, during which level, how it went, and what it
/// said in the names common to every server kind (`ServerMetricsSnapshot`).
public struct ServerMetricsRow: Sendable, Equatable {
    /// When the scrape was sent, nanoseconds from the run origin.
    public var timeNs: Int64 = 0
    /// The level running (or last run) when it was sent; -1 before the first.
    public var level = -1
    public var levelName = ""
    /// How long the scrape took.
    public var durationNs: Int64 = 0
    /// HTTP status; 0 when no answer came.
    public var status = 0
    /// Why the scrape gave nothing (unreachable, HTTP error, a parse error with its line): recorded, never fatal.
    public var error: String?
    public var snapshot = ServerMetricsSnapshot()

    public init(timeNs: Int64 = 0, level: Int = -1, levelName: String = "", durationNs: Int64 = 0, status: Int = 0,
                error: String? = nil, snapshot: ServerMetricsSnapshot = ServerMetricsSnapshot()) {
        self.timeNs = timeNs
        self.level = level
        self.levelName = levelName
        self.durationNs = durationNs
        self.status = status
        self.error = error
        self.snapshot = snapshot
    }
}

/// `server_metrics.csv`: a row per scrape, written as scrapes happen and read back by `report`.
public enum ServerMetricsCSV {
    public static let file = "server_metrics.csv"
    typealias Column = CSVColumn<ServerMetricsRow, Void>

    static func number(_ name: String, _ path: WritableKeyPath<ServerMetricsSnapshot, Double?> & Sendable) -> Column {
        Column(name, write: { row, _ in CSVFormat.exact(row.snapshot[keyPath: path]) }, read: { row, field in
            if field.isEmpty { return true }
            guard let value = Double(field) else { return false }
            row.snapshot[keyPath: path] = value
            return true
        })
    }

    static let table = CSVTable<ServerMetricsRow, Void>(columns: [
        .time("time_ms", \.timeNs, required: true),
        .int("level", \.level, required: true),
        .text("level_name", \.levelName),
        .time("scrape_ms", \.durationNs),
        .int("status", \.status),
        .optionalText("error", \.error),
        Column("server_kind", write: { row, _ in row.snapshot.kind?.rawValue ?? "" }, read: { row, field in
            if field.isEmpty { return true }
            guard let kind = ServerMetricsSnapshot.Kind(rawValue: field) else { return false }
            row.snapshot.kind = kind
            return true
        }),
        number("running", \.running),
        number("waiting", \.waiting),
        number("kv_cache_usage", \.kvCacheUsage),
        number("prompt_tokens_total", \.promptTokensTotal),
        number("generation_tokens_total", \.generationTokensTotal),
        number("ttft_sum_s", \.ttftSumSeconds),
        number("ttft_count", \.ttftCount),
        number("itl_sum_s", \.itlSumSeconds),
        number("itl_count", \.itlCount),
    ])

    public static var header: String { table.header }

    public static func row(_ row: ServerMetricsRow) -> String { table.row(row, ()) }

    /// The rows of a run's `server_metrics.csv`; nil when the run did not scrape (no file).
    public static func read(directory: String) throws -> [ServerMetricsRow]? {
        let path = directory + "/" + file
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let rows = try RunFiles.table(path, required: table.requiredNames, known: table.columns.map(\.name))
        return try rows.map { line, fields in
            var row = ServerMetricsRow()
            if let column = table.read(fields, into: &row) {
                throw RunFiles.ReadError(file: path, line: line, message: "column \(column): '\(fields[column] ?? "")' is not a valid value")
            }
            return row
        }
    }
}

/// Appends scrape rows to `server_metrics.csv` from the scraping task.
public final class ServerMetricsWriter: Sendable {
    private let writer: Mutex<IncrementalWriter?>

    public init(directory: String) throws {
        writer = Mutex(try IncrementalWriter(path: directory + "/" + ServerMetricsCSV.file, header: ServerMetricsCSV.header,
                                             interval: 0))
    }

    public func append(_ row: ServerMetricsRow) throws {
        try writer.withLock { try $0?.append(ServerMetricsCSV.row(row)) }
    }

    public func close() throws {
        try writer.withLock { writer in
            try writer?.close()
            writer = nil
        }
    }
}
