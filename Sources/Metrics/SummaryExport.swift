import LoadGen

/// `summary.csv` (a row per level and metric) and `summary.json`.
public enum SummaryExport {
    public static let csvHeader = "level,level_name,concurrency,rate_rps,metric,unit,count,mean,stddev,min,p50,p90,p95,p99,p99_9,max,value\n"

    /// Level-wide figures that are one number, not a distribution.
    public static func scalars(_ summary: LevelSummary) -> [(name: String, unit: String, value: Double?)] {
        var rows: [(String, String, Double?)] = LevelFigure.allCases.filter { $0.applies(to: summary) }.map {
            ($0.name, $0.unit, $0.value(summary))
        }
        if summary.otherModelRequests > 0 {
            rows.append(("response_model_differs", "requests", Double(summary.otherModelRequests)))
        }
        // A level rebuilt from the records of a killed run (`PartialLevels`).
        if summary.level.stopReason == PartialLevels.stopReason { rows.append(("partial", "level", 1)) }
        for result in SLOEvaluation.evaluate(summary.slos, summary) {
            rows.append(("slo: \(result.slo)", result.met ? "met" : "missed", result.value))
        }
        for errorClass in ErrorClass.allCases {
            if let count = summary.errorsByClass[errorClass] {
                rows.append(("errors_\(errorClass.rawValue)", "requests", Double(count)))
            }
        }
        return rows
    }

    public static func csv(_ summaries: [LevelSummary]) -> String {
        var text = csvHeader
        for summary in summaries {
            let prefix = "\(summary.level.index),\(CSVFormat.field(summary.level.name)),\(summary.level.concurrency),"
                + CSVFormat.number(summary.level.rate)
            for metric in Metric.allCases {
                guard let stats = summary.stats(metric) else { continue }
                let values = [stats.mean, stats.stddev, stats.min, stats.p50, stats.p90, stats.p95, stats.p99, stats.p999, stats.max]
                text += "\(prefix),\(metric.rawValue),\(metric.unit.rawValue),\(stats.count),"
                text += values.map { CSVFormat.number($0) }.joined(separator: ",") + ",\n"
            }
            for scalar in scalars(summary) {
                text += "\(prefix),\(scalar.name),\(scalar.unit),,,,,,,,,,,\(CSVFormat.number(scalar.value))\n"
            }
        }
        return text
    }

    public static func json(_ summaries: [LevelSummary], run: JSONValue) -> JSONValue {
        .object([
            ("run", run),
            ("levels", .array(summaries.map(levelJSON))),
        ])
    }

    static func levelJSON(_ summary: LevelSummary) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("level", .number(Double(summary.level.index))),
            ("name", .string(summary.level.name)),
            ("concurrency", .number(Double(summary.level.concurrency))),
            ("rate_rps", summary.level.rate.map(JSONValue.number) ?? .null),
            ("stop_reason", .string(summary.level.stopReason)),
        ]
        for scalar in scalars(summary) { pairs.append((scalar.name, scalar.value.map(JSONValue.number) ?? .null)) }
        var metrics: [(String, JSONValue)] = []
        for metric in Metric.allCases {
            guard let stats = summary.stats(metric) else { continue }
            metrics.append((metric.rawValue, .object([
                ("unit", .string(metric.unit.rawValue)),
                ("count", .number(Double(stats.count))),
                ("mean", .number(stats.mean)), ("stddev", .number(stats.stddev)), ("min", .number(stats.min)),
                ("p50", .number(stats.p50)), ("p90", .number(stats.p90)), ("p95", .number(stats.p95)),
                ("p99", .number(stats.p99)), ("p99_9", .number(stats.p999)), ("max", .number(stats.max)),
            ])))
        }
        pairs.append(("metrics", .object(metrics)))
        return .object(pairs)
    }
}
