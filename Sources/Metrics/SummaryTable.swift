import LoadGen
/// The per-level table printed at the end of a run and put in report.md.
public enum SummaryTable {
    static let headers = ["level", "requests", "errors", "TTFT p50 ms", "TTFT p99 ms", "TTFO p50 ms", "decode tok/s p50",
                          "ITL p50 ms", "E2E p50 ms", "E2E p99 ms", "output tok/s", "req/s"]

    static func rows(_ summaries: [LevelSummary]) -> [[String]] {
        summaries.map { summary in
            // Figures made from locally estimated token counts carry a `~`.
            let estimated = summary.estimatedTokenRequests > 0 ? "~" : ""
            func stat(_ metric: Metric, _ pick: (Stats) -> Double, digits: Int = 1) -> String {
                summary.stats(metric).map { CSVFormat.number(pick($0), digits: digits) } ?? "-"
            }
            return [
                summary.level.name + (summary.level.stopReason == PartialLevels.stopReason ? " (partial)" : ""),
                String(summary.requests),
                String(summary.failed),
                stat(.ttft, \.p50),
                stat(.ttft, \.p99),
                stat(.ttfo, \.p50),
                estimated + stat(.decodeRate, \.p50),
                estimated + stat(.itl, \.p50, digits: 2),
                stat(.e2e, \.p50),
                stat(.e2e, \.p99),
                summary.outputThroughput.map { estimated + CSVFormat.number($0, digits: 1) } ?? "-",
                summary.requestThroughput.map { CSVFormat.number($0, digits: 2) } ?? "-",
            ]
        }
    }

    /// Aligned plain text.
    public static func text(_ summaries: [LevelSummary]) -> String {
        let all = [headers] + rows(summaries)
        let widths = headers.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { index, cell in
                let pad = String(repeating: " ", count: widths[index] - cell.count)
                return index == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n" + footnote(summaries)
    }

    /// Says what a `~` means when a figure carries one.
    static func footnote(_ summaries: [LevelSummary]) -> String {
        guard summaries.contains(where: { $0.estimatedTokenRequests > 0 }) else { return "" }
        return "~ made from locally estimated token counts: the server sent no usage for some requests (token_source = estimate)\n"
    }

    /// A Markdown table.
    public static func markdown(_ summaries: [LevelSummary]) -> String {
        var text = "| " + headers.joined(separator: " | ") + " |\n"
        text += "|" + headers.indices.map { $0 == 0 ? "---" : "---:" }.joined(separator: "|") + "|\n"
        for row in rows(summaries) { text += "| " + row.joined(separator: " | ") + " |\n" }
        let note = footnote(summaries)
        return note.isEmpty ? text : text + "\n" + note
    }
}
