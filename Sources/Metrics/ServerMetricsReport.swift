import Foundation
import LoadGen

/// What the report says of the server's own metrics (`server_metrics.csv`) beside the client's records: per level
/// and over the run, the server's generated-token counter delta against the client's output-token sum, and the
/// prompt-token counter against the client's input tokens; the peaks of requests running and waiting and of the
/// KV-cache usage; and, per scrape, the client's requests in flight, for the plot beside the server's queue.
///
/// Reconciling a level: A is the last good scrape sent at or before the level's first request was sent, B the first
/// good scrape sent at or after its last request ended. The server's delta is B's counter minus A's; the client's
/// sum is over every request (of any level, warm-up and failed ones included: the server generated their tokens too)
/// that ended after A and at or before B. Requests in flight when A or B was sent are counted as straddling: with
/// none, the two sums should agree exactly (the server counts a request when it finishes).
public struct ServerMetricsReport: Sendable {
    public struct Reconciliation: Sendable, Equatable {
        public var label: String
        public var serverGenerated: Double?
        public var clientOutput: Int
        public var serverPrompt: Double?
        public var clientInput: Int
        /// Client requests whose input count was the local estimate, not the server's usage.
        public var estimatedInputs: Int
        public var straddling: Int
        public var peakRunning: Double?
        public var peakWaiting: Double?
        public var peakKVCache: Double?
    }

    public struct Point: Sendable, Equatable {
        public var seconds: Double
        public var running: Double?
        public var waiting: Double?
        public var kvCacheUsage: Double?
        public var clientInFlight: Int
    }

    public var kind: ServerMetricsSnapshot.Kind?
    public var scrapes: Int
    public var failed: Int
    public var firstError: String?
    public var levels: [Reconciliation]
    public var run: Reconciliation?
    public var points: [Point]

    /// The request figures reconciliation needs, read once from requests.csv.
    struct Request {
        var sentNs: Int64
        var endNs: Int64
        var level: Int
        var output: Int
        var input: Int?
        var inputEstimated: Bool
    }

    /// From a run directory: nil when the run did not scrape.
    public static func read(directory: String, levels: [LevelResult]) throws -> ServerMetricsReport? {
        guard let rows = try ServerMetricsCSV.read(directory: directory) else { return nil }
        var requests: [Request] = []
        try RunFiles.forEachRecord(directory: directory, withChunks: false) { record in
            requests.append(Request(sentNs: record.sentNs, endNs: record.endNs, level: record.level, output: record.outputTokens,
                                    input: record.inputTokens, inputEstimated: record.inputTokenSource == .estimate))
        }
        return ServerMetricsReport(rows: rows, requests: requests, levels: levels)
    }

    init(rows: [ServerMetricsRow], requests: [Request], levels: [LevelResult]) {
        scrapes = rows.count
        let good = rows.filter { $0.error == nil }.sorted { $0.timeNs < $1.timeNs }
        failed = rows.count - good.count
        firstError = rows.first { $0.error != nil }?.error
        kind = good.first?.snapshot.kind
        // In flight at t: sent at or before t and not ended by t, i.e. #(sent <= t) - #(end <= t).
        let sent = requests.map(\.sentNs).sorted()
        let ended = requests.map { max($0.endNs, $0.sentNs) }.sorted()
        points = good.map { row in
            Point(seconds: Double(row.timeNs) / 1e9, running: row.snapshot.running, waiting: row.snapshot.waiting,
                  kvCacheUsage: row.snapshot.kvCacheUsage,
                  clientInFlight: Self.count(sent, atMost: row.timeNs) - Self.count(ended, atMost: row.timeNs))
        }
        func reconcile(_ label: String, from a: ServerMetricsRow, to b: ServerMetricsRow) -> Reconciliation {
            let inside = requests.filter { $0.endNs > a.timeNs && $0.endNs <= b.timeNs }
            let straddling = requests.filter { ($0.sentNs < a.timeNs && a.timeNs < $0.endNs) || ($0.sentNs < b.timeNs && b.timeNs < $0.endNs) }.count
            let between = good.filter { $0.timeNs >= a.timeNs && $0.timeNs <= b.timeNs }.map(\.snapshot)
            func delta(_ path: KeyPath<ServerMetricsSnapshot, Double?>) -> Double? {
                guard let end = b.snapshot[keyPath: path], let start = a.snapshot[keyPath: path] else { return nil }
                return end - start
            }
            return Reconciliation(label: label, serverGenerated: delta(\.generationTokensTotal),
                                  clientOutput: inside.reduce(0) { $0 + $1.output },
                                  serverPrompt: delta(\.promptTokensTotal), clientInput: inside.reduce(0) { $0 + ($1.input ?? 0) },
                                  estimatedInputs: inside.filter(\.inputEstimated).count, straddling: straddling,
                                  peakRunning: between.compactMap(\.running).max(), peakWaiting: between.compactMap(\.waiting).max(),
                                  peakKVCache: between.compactMap(\.kvCacheUsage).max())
        }
        var reconciled: [Reconciliation] = []
        for level in levels {
            let mine = requests.filter { $0.level == level.index }
            guard let firstSent = mine.map(\.sentNs).min(), let lastEnd = mine.map(\.endNs).max(),
                  let a = good.last(where: { $0.timeNs <= firstSent }), let b = good.first(where: { $0.timeNs >= lastEnd })
            else { continue }
            reconciled.append(reconcile(level.name, from: a, to: b))
        }
        self.levels = reconciled
        if let first = good.first, let last = good.last, first.timeNs < last.timeNs {
            run = reconcile("whole run", from: first, to: last)
        } else {
            run = nil
        }
    }

    /// How many of the sorted `values` are at most `limit`.
    static func count(_ values: [Int64], atMost limit: Int64) -> Int {
        var low = 0
        var high = values.count
        while low < high {
            let middle = (low + high) / 2
            if values[middle] <= limit { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// What was scraped, in a sentence.
    public var scrapedLine: String {
        "`server_metrics.csv`: \(scrapes) scrapes of the server's Prometheus endpoint" + (kind.map { " (\($0.rawValue) names)" } ?? "")
            + (failed > 0 ? ", \(failed) failed (first: \(firstError ?? ""))." : ", none failed.")
    }

    public static let explanation = "The server's generated-token counter over each level against the client's output tokens "
        + "of the requests that ended between the level's bracketing scrapes (warm-up and failed requests included); a request "
        + "in flight at either scrape straddles it, and only with none straddling must the sums agree exactly."

    public static let headers = ["level", "server generated", "client output", "server − client", "server prompt", "client input",
                                 "straddling", "peak running", "peak waiting", "peak KV cache"]

    /// The reconciliation table's rows: each level, then the whole run.
    public var rows: [[String]] {
        (levels + (run.map { [$0] } ?? [])).map { row in
            [row.label, CSVFormat.number(row.serverGenerated), "\(row.clientOutput)",
             row.serverGenerated.map { CSVFormat.number($0 - Double(row.clientOutput)) } ?? "",
             CSVFormat.number(row.serverPrompt),
             "\(row.clientInput)" + (row.estimatedInputs > 0 ? " (\(row.estimatedInputs) estimated)" : ""),
             "\(row.straddling)", CSVFormat.number(row.peakRunning), CSVFormat.number(row.peakWaiting),
             row.peakKVCache.map { CSVFormat.number($0 * 100, digits: 1) + "%" } ?? ""]
        }
    }

    /// The report's section.
    public var markdown: String {
        var text = "\n## Server metrics\n\n" + scrapedLine + "\n"
        let rows = rows
        guard !rows.isEmpty else {
            return text + "\nNo level lies between two good scrapes, so nothing is reconciled.\n"
        }
        text += "\n" + Self.explanation + "\n\n"
        text += "| " + Self.headers.joined(separator: " | ") + " |\n"
        text += "|---|" + String(repeating: "---:|", count: Self.headers.count - 1) + "\n"
        for row in rows { text += "| " + row.joined(separator: " | ") + " |\n" }
        return text
    }
}
