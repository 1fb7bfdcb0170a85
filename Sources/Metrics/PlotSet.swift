import Foundation
import LoadGen

/// The plots of a run: each one that has data, scripted for gnuplot and rendered.
enum PlotSet {
    static func write(_ run: DerivedRun) throws {
        let plotsDirectory = run.directory + "/plots"
        try FileManager.default.createDirectory(atPath: plotsDirectory, withIntermediateDirectories: true)
        var renderer = PlotRenderer(directory: plotsDirectory)
        var skipped: [String] = []
        // A long run's sample plots read a deterministic share of requests.csv (every n-th row), about 10,000 rows.
        renderer.sampleEvery = max(1, (run.results.records + PlotRenderer.sampleRows - 1) / PlotRenderer.sampleRows)
        if renderer.sampleEvery > 1 {
            skipped.append("plots/ttft_cdf.png and plots/decode_rate.png draw every \(renderer.sampleEvery)th row of requests.csv "
                           + "(\(run.results.records) requests); the summary's percentiles are over every request")
        }
        let title = "\(run.manifest.scenario.name): \(run.manifest.scenario.model) (\(run.manifest.scenario.api.rawValue))"
        let withTTFT = run.summaries.filter { ($0.distributions[.ttft]?.count ?? 0) > 0 }
        if !withTTFT.isEmpty {
            try renderer.ttftCDF(title: "TTFT, \(title)",
                                 series: withTTFT.map { .level($0.level.index, label: $0.level.name) },
                                 logRange: logRange(withTTFT.compactMap { $0.stats(.ttft) }))
        }
        if !withTTFT.isEmpty {
            try renderer.ttftPercentiles(title: "TTFT percentiles, \(title)",
                                         series: withTTFT.map { ($0.level.name, "../hdr/\(Metric.ttft.name).\($0.level.name).csv") },
                                         largestCount: withTTFT.map { $0.distributions[.ttft]!.count }.max() ?? 1)
        }
        let withDecode = run.summaries.filter { ($0.distributions[.decodeRate]?.count ?? 0) > 0 }
        if !withDecode.isEmpty {
            try renderer.decodeRate(title: "Decode rate per request, \(title)",
                                    series: withDecode.map { .level($0.level.index, label: $0.level.name) })
        }
        // Each request's last chunk apart: it carries the remainder of the answer.
        let chunkCounts = run.summaries.map(\.chunksByTokens)
        var lastChunks: [Int: Int] = [:]
        for summary in run.summaries { lastChunks.merge(summary.lastChunksByTokens, uniquingKeysWith: +) }
        if chunkCounts.contains(where: { !$0.isEmpty }) || !lastChunks.isEmpty {
            try renderer.tokensPerChunk(title: "Tokens per chunk, \(title)", levels: run.levels.map(\.name), counts: chunkCounts,
                                        lastChunks: lastChunks)
        }
        // Every pair up to `RunAggregate.pointLimit`, then a deterministic sample of that many.
        let pairs = run.results.points.map { point in (run.levels.firstIndex { $0.index == point.level } ?? 0, point.client, point.server) }
        if !pairs.isEmpty {
            try renderer.clientVersusServer(title: "Client against server TTFT, \(title)", levels: run.levels.map(\.name),
                                            points: pairs.map { (level: $0.0, client: $0.1, server: $0.2) })
        }
        let batched = run.summaries.filter { $0.batches.prefills > 0 }
        if !batched.isEmpty {
            let open = batched.contains { $0.level.rate != nil }
            try renderer.batchSize(
                title: "Inferred prefill batch size, \(title)", loadLabel: open ? "offered rate (requests/s)" : "concurrency",
                rows: batched.sorted { $0.level.loadValue < $1.level.loadValue }.map { summary in
                    (summary.level.loadValue, LevelFigure.inferredBatchSizeMean.value(summary) ?? .nan,
                     LevelFigure.inferredBatchSizeP50.value(summary) ?? .nan, LevelFigure.inferredBatchSizeMax.value(summary) ?? .nan)
                })
        }
        let cells = Dictionary(grouping: run.summaries) { LoadMatrix.cell(ofLevel: $0.level.name) ?? "" }
        if cells.keys.contains(where: { !$0.isEmpty }) {
            // A matrix: one line per cell, or the cells' loads would zigzag on one line.
            let open = run.summaries.contains { $0.level.rate != nil }
            let order = run.summaries.map { LoadMatrix.cell(ofLevel: $0.level.name) ?? "" }.reduce(into: [String]()) {
                if !$0.contains($1) { $0.append($1) }
            }
            try renderer.matrixThroughput(
                title: "Throughput and TTFT p99 per matrix cell, \(title)",
                loadLabel: open ? "offered rate (requests/s)" : "concurrency",
                cells: order.map { cell in
                    (cell.isEmpty ? "other" : cell, cells[cell]!.sorted { $0.level.loadValue < $1.level.loadValue }.map { summary in
                        (summary.level.loadValue, summary.outputThroughput ?? .nan, summary.stats(.ttft)?.p99 ?? .nan)
                    })
                }, integralLoads: !open)
        } else if !run.summaries.isEmpty && !run.summaries.contains(where: { $0.succeeded > 0 }) {
            skipped.append("plots/throughput.png was not drawn: no measured request succeeded, so there is no throughput or TTFT to plot")
        } else if !run.summaries.isEmpty {
            let open = run.summaries.contains { $0.level.rate != nil }
            let loadLabel = open ? "offered rate (requests/s)" : "concurrency"
            let knee = ReportAnalysis.knee(run.summaries.map(ReportAnalysis.Point.init)).flatMap { $0.queueing ? $0.level : nil }
            try renderer.throughput(title: "Throughput and TTFT against \(open ? "offered rate" : "concurrency"), \(title)",
                                    loadLabel: loadLabel,
                                    rows: run.summaries.sorted { $0.level.loadValue < $1.level.loadValue }.map { summary in
                                        (summary.level.loadValue, summary.outputThroughput ?? .nan,
                                         summary.stats(.ttft)?.p50 ?? .nan, summary.stats(.ttft)?.p99 ?? .nan)
                                    },
                                    integralLoads: !open, knee: knee.map { ($0.name, $0.load) })
        }
        if run.hasRecords {
            try renderer.timeSeries(title: "Second by second, \(title)",
                                    levelStarts: run.levels.map { ($0.name, Double($0.startNs) / 1e9) })
        }
        if let search = run.search, let first = run.manifest.scenario.slos.first {
            try renderer.search(title: "SLO search, \(title)", loadLabel: search.loadLabel, slo: first,
                                rows: run.summaries.sorted { $0.level.loadValue < $1.level.loadValue }.map { summary in
                                    let result = SLOEvaluation.evaluate([first], summary)[0]
                                    return (summary.level.loadValue, result.value ?? .nan, SLOEvaluation.allMet(summary.slos, summary))
                                })
        }
        let problems = renderer.render()
        let rendered = renderer.scripts.map { String($0.dropLast(3)) }
            .filter { FileManager.default.fileExists(atPath: "\(plotsDirectory)/\($0).png") }
        run.renderedPlots = rendered
        run.plotProblems = skipped + problems
    }

    /// The samples' range, for a log axis, when they span 8x or more (a knee's queueing next to an idle level's TTFT).
    static func logRange(_ stats: [Stats]) -> ClosedRange<Double>? {
        guard let low = stats.map(\.min).min(), let high = stats.map(\.max).max(), low > 0, high / low >= 8 else { return nil }
        return low...high
    }
}
