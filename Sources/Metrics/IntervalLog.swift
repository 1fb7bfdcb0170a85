import Foundation
import Histogram
import LoadGen

/// `hdr/intervals.hlog`: one HdrHistogram interval per second of the run for TTFT, E2E, ITL and the decode rate of
/// successful measured requests, by the second each request ended, written as the run goes (a second's interval is
/// written when a record of a later second arrives). Replayed and merged with HdrHistogram's own tools.
final class IntervalLog {
    static let metrics: [Metric] = [.ttft, .e2e, .itl, .decodeRate]
    private let writer: IncrementalWriter
    private var second: Int64 = -1
    private var histograms: [Histogram<UInt64>]
    private let empty: Histogram<UInt64>

    init(path: String, startEpochSeconds: Double) throws {
        var histogram = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
        histogram.autoResize = true
        empty = histogram
        histograms = Array(repeating: histogram, count: Self.metrics.count)
        writer = try IncrementalWriter(
            path: path,
            header: HdrLog.header(startEpochSeconds: startEpochSeconds,
                                  comment: "sambabench: one interval per second by request end; tags are metrics (ns, or tokens/s x 1000)"),
            interval: 1)
    }

    func add(_ record: RequestRecord, _ metrics: RequestMetrics) throws {
        let at = max(record.endNs / 1_000_000_000, 0)
        if at > second {
            try flush()
            second = at
        }
        for (index, metric) in Self.metrics.enumerated() {
            if metric == .itl {
                record.forEachChunkGap { gap, tokens in
                    if tokens > 0 { _ = histograms[index].record(UInt64(max(Double(gap) / Double(tokens), 0).rounded()), count: UInt64(tokens)) }
                }
            } else if let value = metrics.value(metric, of: record), value.isFinite {
                _ = histograms[index].record(UInt64(max(value, 0).rounded()))
            }
        }
    }

    private func flush() throws {
        guard second >= 0 else { return }
        var lines = ""
        for (index, metric) in Self.metrics.enumerated() where histograms[index].totalCount > 0 {
            lines += HdrLog.line(tag: metric.name, startSeconds: Double(second), lengthSeconds: 1, histogram: histograms[index],
                                 scale: metric.scale)
            histograms[index] = empty
        }
        try writer.append(lines)
    }

    func close() throws {
        try flush()
        second = .max
        try writer.close()
    }
}

/// `hdr/levels.hlog`: one interval per level for every metric, tagged `<metric>/<level>`, each followed by a comment
/// line with its exact count, sum, sum of squares, min and max, so a level's distribution is restored exactly from it.
/// `report` reads the chunk-level ones back when the run did not keep every chunk row.
enum LevelsLog {
    static let file = "hdr/levels.hlog"

    static func text(_ summaries: [LevelSummary], startEpochSeconds: Double) -> String {
        var text = HdrLog.header(startEpochSeconds: startEpochSeconds,
                                 comment: "sambabench: one interval per level; tags are metric/level (ns, tokens, or tokens/s x 1000)")
        for summary in summaries {
            let start = Double(summary.level.startNs) / 1e9
            let length = Double(summary.level.endNs - summary.level.startNs) / 1e9
            for metric in Metric.allCases where !metric.signed {
                guard let distribution = summary.distributions[metric], distribution.count > 0 else { continue }
                let tag = "\(metric.name)/\(summary.level.name)"
                text += HdrLog.line(tag: tag, startSeconds: start, lengthSeconds: length, histogram: distribution.histogram,
                                    scale: metric.scale)
                let m = distribution.moments
                text += "#[exact \(tag) count=\(m.count) sum=\(m.sum) sumsq=\(m.sumOfSquares) min=\(m.min) max=\(m.max)]\n"
            }
        }
        return text
    }

    /// The chunk-level distributions (ITL, ICL, tokens per chunk) per level name, restored exactly.
    static func chunkDistributions(directory: String) throws -> [String: [Metric: Distribution]] {
        let path = directory + "/" + file
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw RunFiles.ReadError(file: path, line: 0, message: "cannot read the file; the run kept only some chunk rows, so its chunk-level figures come from this log")
        }
        let chunkMetrics: [Metric] = [.itl, .icl, .tokensPerChunk]
        var histograms: [String: Histogram<UInt64>] = [:]
        for interval in try HdrLog.intervals(text, file: path) {
            if let tag = interval.tag { histograms[tag] = interval.histogram }
        }
        var result: [String: [Metric: Distribution]] = [:]
        for (number, line) in text.split(separator: "\n").enumerated() where line.hasPrefix("#[exact ") && line.hasSuffix("]") {
            let fields = line.dropFirst(8).dropLast().split(separator: " ")
            guard fields.count == 6 else { continue }
            let tag = String(fields[0])
            guard let slash = tag.firstIndex(of: "/"), let metric = chunkMetrics.first(where: { $0.name == tag[..<slash] }) else { continue }
            var values: [String: Double] = [:]
            for field in fields.dropFirst() {
                let parts = field.split(separator: "=", maxSplits: 1)
                if parts.count == 2 { values[String(parts[0])] = Double(parts[1]) }
            }
            guard let count = values["count"], let sum = values["sum"], let squares = values["sumsq"], let min = values["min"],
                  let max = values["max"], let histogram = histograms[tag] else {
                throw RunFiles.ReadError(file: path, line: number + 1, message: "an exact line without its figures or its interval")
            }
            let moments = Distribution.Moments(count: Int(count), sum: sum, sumOfSquares: squares, min: min, max: max)
            result[String(tag[tag.index(after: slash)...]), default: [:]][metric] = Distribution(metric: metric, histogram: histogram, moments: moments)
        }
        return result
    }
}

/// `chunk_seconds.csv`: the tokens of every chunk by the second it arrived, written when the run did not keep every
/// chunk row, so `report` rebuilds the time series' output tokens exactly.
enum ChunkSeconds {
    static let file = "chunk_seconds.csv"

    static func text(_ tokensBySecond: [Int]) -> String {
        "second,chunk_tokens\n" + tokensBySecond.enumerated().map { "\($0.offset),\($0.element)\n" }.joined()
    }

    static func read(directory: String) throws -> [Int] {
        let path = directory + "/" + file
        return try RunFiles.table(path, required: ["second", "chunk_tokens"]).map { line, row in
            guard let tokens = Int(row["chunk_tokens"] ?? ""), Int(row["second"] ?? "") == line - 2 else {
                throw RunFiles.ReadError(file: path, line: line, message: "expected the second \(line - 2) and a token count")
            }
            return tokens
        }
    }
}
