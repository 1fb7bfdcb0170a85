import LoadGen

/// Summaries split by conversation turn (`summary_by_turn.csv` and a report section), for runs whose requests
/// belong to conversations or tool flows. Each (level, turn) is summarised like a level of its own, over the
/// level's measurement window, and named `<level>/turn<N>`.
public enum TurnSummaries {
    public static func summaries(levels: [LevelResult], byLevel: [Int: [RequestRecord]], slos: [SLO]) -> [LevelSummary] {
        let all = byLevel.values.joined()
        guard all.contains(where: { $0.turn > 1 }) else { return [] }
        var result: [LevelSummary] = []
        for level in levels {
            let byTurn = Dictionary(grouping: byLevel[level.index] ?? [], by: \.turn)
            for turn in byTurn.keys.sorted() {
                var named = level
                named.name = "\(level.name)/turn\(turn)"
                result.append(LevelSummary(level: named, records: byTurn[turn]!, slos: slos))
            }
        }
        return result
    }

    /// The report's section: the summary table by turn, with the mean input tokens (which grow with each turn).
    public static func markdown(_ summaries: [LevelSummary]) -> String {
        var text = "\n## By conversation turn\n\n"
        text += "Each turn of a conversation (tool round trips included) is its own request; a turn re-sends every "
        text += "turn before it, so its input grows. Full figures: `summary_by_turn.csv`.\n\n"
        text += SummaryTable.markdown(summaries)
        text += "\n| level/turn | mean input tokens | mean output tokens |\n|---|---:|---:|\n"
        for summary in summaries {
            let input = summary.stats(.inputTokens).map { CSVFormat.number($0.mean, digits: 1) } ?? "-"
            let output = summary.stats(.outputTokens).map { CSVFormat.number($0.mean, digits: 1) } ?? "-"
            text += "| \(summary.level.name) | \(input) | \(output) |\n"
        }
        return text
    }
}
