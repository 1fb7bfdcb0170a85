import Foundation
import LoadGen

/// Two or more runs side by side, level by level, against the first run as the baseline.
public struct Comparison {
    public struct Run {
        public var directory: String
        public var label: String
        public var manifest: RunManifest
        public var summaries: [LevelSummary]
    }

    /// A figure compared: its name in compare.csv, and its unit, polarity and value from the metric registry.
    public struct Figure: Sendable {
        public var name: String
        public var unit: String
        public var largerIsBetter: Bool
        public var value: @Sendable (LevelSummary) -> Double?

        static func percentile(_ metric: Metric, _ p: KeyPath<Stats, Double> & Sendable, name: String) -> Figure {
            Figure(name: name, unit: metric.unit.rawValue, largerIsBetter: metric.largerIsBetter, value: { $0.stats(metric)?[keyPath: p] })
        }

        static func level(_ figure: LevelFigure, name: String) -> Figure {
            // A level with no request has no error rate.
            Figure(name: name, unit: figure.unit, largerIsBetter: figure.largerIsBetter,
                   value: { figure == .errorRate && $0.requests == 0 ? nil : figure.value($0) })
        }
    }

    /// The figures compared.
    public static let figures: [Figure] = [
        .percentile(.ttft, \.p50, name: "ttft_p50"), .percentile(.ttft, \.p99, name: "ttft_p99"),
        .percentile(.ttfo, \.p50, name: "ttfo_p50"), .percentile(.decodeRate, \.p50, name: "decode_tps_p50"),
        .percentile(.itl, \.p50, name: "itl_p50"), .percentile(.e2e, \.p50, name: "e2e_p50"),
        .percentile(.e2e, \.p99, name: "e2e_p99"), .level(.outputThroughput, name: "output_throughput"),
        .level(.requestThroughput, name: "request_throughput"), .level(.errorRate, name: "error_rate"),
    ]

    public let runs: [Run]

    /// Reads each run directory's files (as `report` does).
    public init(directories: [String]) throws {
        var runs: [Run] = []
        for directory in directories {
            let (manifest, results, _) = try RunOutput.aggregate(directory: directory)
            let summaries = results.summaries
            let scenario = manifest.scenario
            let label = Self.label(manifest)
            runs.append(Run(directory: directory, label: label, manifest: manifest, summaries: summaries))
        }
        // Two runs of one scenario in the same minute: their directories tell them apart.
        let repeated = Dictionary(grouping: runs, by: \.label).filter { $0.value.count > 1 }.keys
        for index in runs.indices where repeated.contains(runs[index].label) {
            runs[index].label += " (\((runs[index].directory as NSString).lastPathComponent))"
        }
        self.runs = runs
    }

    /// The runs for a plot's title, one a line (gnuplot's `\n` in a double-quoted title).
    var plotTitleRuns: String {
        runs.map(\.label).joined(separator: "\\nagainst ").replacingOccurrences(of: "\"", with: "'")
    }

    /// A run named by what was measured and when: scenario, model, API and start (UTC, to the minute).
    static func label(_ manifest: RunManifest) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        let scenario = manifest.scenario
        return "\(scenario.name), \(scenario.model), \(scenario.api.rawValue) API, \(formatter.string(from: manifest.startedAt)) UTC"
    }

    /// Level names present in every run, in the baseline's order.
    public var commonLevels: [String] {
        guard let first = runs.first else { return [] }
        return first.summaries.map(\.level.name).filter { name in runs.allSatisfy { $0.summaries.contains { $0.level.name == name } } }
    }

    /// Levels some runs have and others lack: the runs' levels do not line up there.
    public var unmatchedLevels: [(run: String, levels: [String])] {
        let common = Set(commonLevels)
        return runs.compactMap { run in
            let extra = run.summaries.map(\.level.name).filter { !common.contains($0) }
            return extra.isEmpty ? nil : (run.label, extra)
        }
    }

    func summary(_ run: Run, _ level: String) -> LevelSummary? { run.summaries.first { $0.level.name == level } }

    /// One level's figures: a column per run, then each later run's delta and ratio against run 0.
    func table(level: String) -> (headers: [String], rows: [[String]]) {
        let headers = ["figure"] + runs.indices.map { "run \($0)" } + runs.indices.dropFirst().map { "run \($0) vs 0" }
        let rows = Self.figures.map { figure -> [String] in
            let values = runs.map { summary($0, level).flatMap(figure.value) }
            return ["\(figure.name) (\(figure.unit))"] + values.map { $0.map { CSVFormat.number($0, digits: 3) } ?? "-" }
                + values.dropFirst().map { value in
                    zip2(value, values[0]).map { value, base -> String in
                        let delta = CSVFormat.number(value - base, digits: 3)
                        let ratio = base == 0 ? "" : " (x\(CSVFormat.number(value / base, digits: 3)))"
                        return (value - base >= 0 ? "+" : "") + delta + ratio
                    } ?? "-"
                }
        }
        return (headers, rows)
    }

    public var csv: String {
        var text = "level,figure,unit,run,label,value,delta,ratio\n"
        for level in commonLevels {
            for figure in Self.figures {
                let base = summary(runs[0], level).flatMap(figure.value)
                for (index, run) in runs.enumerated() {
                    let value = summary(run, level).flatMap(figure.value)
                    let delta = zip2(value, base).map { $0 - $1 }
                    let ratio = zip2(value, base).flatMap { $1 == 0 ? nil : $0 / $1 }
                    text += "\(CSVFormat.field(level)),\(figure.name),\(figure.unit),\(index),\(CSVFormat.field(run.label)),"
                    text += "\(CSVFormat.number(value)),\(CSVFormat.number(delta)),\(CSVFormat.number(ratio))\n"
                }
            }
        }
        return text
    }

    public func markdown(plots: [String]) -> String {
        var text = "# sambabench comparison\n\n"
        for (index, run) in runs.enumerated() {
            text += "- Run \(index)\(index == 0 ? " (baseline)" : ""): \(run.label), \(URLRedaction.masked(run.manifest.effectiveBaseURL)), `\(run.directory)`\n"
        }
        text += "\nDeltas and ratios are against run 0; for latencies and error rate a ratio below 1 is better, for rates and throughput above 1.\n\n"
        if commonLevels.isEmpty {
            text += "**The runs share no level**, so there is nothing to compare level by level.\n\n"
        }
        for level in commonLevels {
            let table = self.table(level: level)
            text += "## Level \(level)\n\n| " + table.headers.joined(separator: " | ") + " |\n"
            text += "|---|" + table.headers.dropFirst().map { _ in "---:" }.joined(separator: "|") + "|\n"
            for row in table.rows { text += "| " + row.joined(separator: " | ") + " |\n" }
            text += "\n"
        }
        let unmatched = unmatchedLevels
        if !unmatched.isEmpty {
            text += "## Levels that do not line up\n\n"
            for entry in unmatched { text += "- \(entry.run): \(entry.levels.joined(separator: ", ")) (not in every run; left out above)\n" }
            text += "\n"
        }
        if !plots.isEmpty {
            text += "## Plots\n\n" + plots.map { "![\($0)](\($0).png)\n\n" }.joined()
        }
        return text
    }
}

func zip2(_ a: Double?, _ b: Double?) -> (Double, Double)? {
    guard let a, let b else { return nil }
    return (a, b)
}

extension Comparison {
    /// Writes compare.md, compare.csv and the overlaid plots into `directory` (which exists); returns why a plot
    /// did not render, if one did not.
    public func write(to directory: String) throws -> [String] {
        let absolute = { (path: String) in URL(fileURLWithPath: path).standardizedFileURL.path }
        var renderer = PlotRenderer(directory: directory)
        let common = commonLevels
        if !common.isEmpty {
            var series: [PlotRenderer.SampleSeries] = []
            var stats: [Stats] = []
            for (runIndex, run) in runs.enumerated() {
                for (levelIndex, level) in common.enumerated() {
                    guard let summary = summary(run, level), let ttft = summary.stats(.ttft), ttft.count > 0 else { continue }
                    stats.append(ttft)
                    series.append(.levelNamed(level, label: nil, requestsFile: absolute(run.directory) + "/requests.csv",
                                              style: "lc \(levelIndex + 1) dt \(runIndex + 1)"))
                }
            }
            if !series.isEmpty {
                try renderer.compareTTFT(title: "TTFT by run and level\\n" + plotTitleRuns, series: series,
                                         runs: runs.map(\.label), levels: common, logRange: PlotSet.logRange(stats))
            }
            let open = runs.contains { $0.summaries.contains { $0.level.rate != nil } }
            try renderer.compareThroughput(
                title: "Output throughput by run\\n" + plotTitleRuns,
                loadLabel: open ? "offered rate (requests/s)" : "concurrency",
                runs: runs.map { run in
                    (run.label,
                     run.summaries.sorted { $0.level.loadValue < $1.level.loadValue }.map { ($0.level.loadValue, $0.outputThroughput ?? .nan) })
                }, integralLoads: !open)
        }
        let problems = renderer.render()
        let plots = renderer.scripts.map { String($0.dropLast(3)) }
            .filter { FileManager.default.fileExists(atPath: "\(directory)/\($0).png") }
        try RunOutput.write(markdown(plots: plots), to: directory + "/compare.md")
        try RunOutput.write(csv, to: directory + "/compare.csv")
        try RunOutput.write(try ReportHTML.render(ReportHTML.comparisonPage(self, directory: directory, plots: plots)),
                            to: directory + "/report.html")
        return problems
    }
}

extension Comparison {
    /// Writes the comparison into `directory`, which must not exist yet; returns the notes for the person running it
    /// (levels not in every run, no common level, plots that did not render).
    public func writeNew(directory: String) throws -> [String] {
        guard !FileManager.default.fileExists(atPath: directory) else { throw RunOutputError.comparisonExists(directory) }
        try OutputError.during("create the output directory", directory) {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let problems = try write(to: directory)
        return unmatchedLevels.map { "levels of \($0.run) not in every run: \($0.levels.joined(separator: ", "))" }
            + (commonLevels.isEmpty ? ["the runs share no level; compare.md says so and holds no table"] : []) + problems
    }
}
