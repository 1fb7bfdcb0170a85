import LoadGen

/// `search.csv`: every level an SLO search tried, in the order tried, with each objective's value.
public enum SearchExport {
    public static func csv(summaries: [LevelSummary], slos: [SLO], search: SearchOutcome) -> String {
        var text = "trial,level_name,load,met_all," + slos.map { CSVFormat.field("\($0)") }.joined(separator: ",") + "\n"
        for (trial, name) in search.tried.enumerated() {
            guard let summary = summaries.first(where: { $0.level.name == name }) else { continue }
            let results = SLOEvaluation.evaluate(slos, summary)
            text += "\(trial),\(CSVFormat.field(name)),\(CSVFormat.number(summary.level.loadValue)),"
            text += (results.allSatisfy(\.met) ? "1" : "0") + ","
            text += results.map { CSVFormat.number($0.value) }.joined(separator: ",") + "\n"
        }
        return text
    }
}
