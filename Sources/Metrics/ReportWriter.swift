import LoadGen

/// `report.md`: the scenario and environment, a table per level, the plots, and notes on anything suspect.
public enum ReportWriter {
    public static func markdown(manifest: RunManifest, summaries: [LevelSummary], plots: [String],
                                plotProblems: [String], firstErrors: [ErrorClass: String], search: SearchOutcome? = nil,
                                coldStart: ColdStartTally? = nil) -> String {
        let scenario = manifest.scenario
        var text = "# sambabench report: \(scenario.name)\n\n"
        if let description = scenario.description { text += description + "\n\n" }
        text += facts(manifest).map { "- \($0)\n" }.joined()
        text += ShardReport.section(manifest)
        text += "\n## Summary\n\n" + SummaryTable.markdown(summaries) + "\n"
        text += summaryExplanation + "\n\n"
        let analysis = self.analysis(manifest: manifest, summaries: summaries, coldStart: coldStart)
        if !analysis.isEmpty {
            text += "## Analysis\n\n" + analysis.map { "- \($0)\n" }.joined() + "\n"
        }
        if !scenario.slos.isEmpty {
            text += sloSection(slos: scenario.slos, summaries: summaries, search: search)
        }
        if !plots.isEmpty {
            text += "## Plots\n\n"
            for plot in plots { text += "![\(plot)](plots/\(plot).png)\n\n" }
        }
        let notes = self.notes(summaries: summaries, plotProblems: plotProblems, firstErrors: firstErrors,
                               mockQueue: scenario.usesMock && scenario.mock.capacity != nil)
        text += "## Notes\n\n" + (notes.isEmpty ? "- \(nothingSuspect)\n" : notes.map { "- \($0)\n" }.joined())
        text += "\n## Files\n\n" + filesParagraph + "\n"
        return text
    }

    static let nothingSuspect = "Nothing suspect: no errors, usage on every request."

    static let summaryExplanation = "Latencies are client-side, from `sent` (just before the request is handed to libcurl). Output "
        + "throughput counts the tokens of requests that finished inside each level's measurement window, which "
        + "opens after the warm-up and closes before the drain (a warm-up request finishing inside it counts). "
        + "Every figure and percentile is in `summary.csv` and `summary.json`."

    static let filesParagraph = "`requests.csv` (a row per request), `chunks.csv` (a row per token-carrying chunk), `summary.csv` and "
        + "`summary.json` (per level and metric), `levels.csv` (measurement windows), `timeseries.csv` (second by second), `hdr/` (HdrHistogram "
        + "percentile distributions per metric and level), `plots/` (gnuplot scripts, their data and renders), `run.json`, "
        + "`report.html` (this report in one self-contained page)."

    /// The scenario and environment, a line each (Markdown inline: backticks and bold).
    static func facts(_ manifest: RunManifest) -> [String] {
        let scenario = manifest.scenario
        var facts: [String] = []
        var line = "Scenario: `\(manifest.scenarioFile)`: API `\(scenario.api.rawValue)`, model `\(scenario.model)`, "
        line += scenario.stream ? "streaming" : "not streaming"
        let matrixInputs = manifest.levels.compactMap(\.inputTokens).reduce(into: [Int]()) { if !$0.contains($1) { $0.append($1) } }
        let matrixOutputs = manifest.levels.compactMap(\.maxTokens).reduce(into: [Int]()) { if !$0.contains($1) { $0.append($1) } }
        if let maxTokens = scenario.request.maxTokens, matrixOutputs.isEmpty { line += ", max_tokens \(maxTokens)" }
        facts.append(line)
        if !manifest.promptsSummary.isEmpty { facts.append("Prompts: \(manifest.promptsSummary)") }
        if !matrixInputs.isEmpty || !matrixOutputs.isEmpty {
            let axes = [matrixInputs.isEmpty ? nil : "input tokens " + matrixInputs.map(String.init).joined(separator: ", "),
                        matrixOutputs.isEmpty ? nil : "max_tokens " + matrixOutputs.map(String.init).joined(separator: ", ")]
            facts.append("Matrix: " + axes.compactMap { $0 }.joined(separator: " x ") + " x each load level; a level per "
                         + "combination, named after it (`in512-out256-c16`: 512-token synthetic prompts, max_tokens 256, 16 users)")
        }
        if scenario.usesMock {
            let mock = scenario.mock
            var server = "Server: the embedded mock at \(URLRedaction.masked(manifest.effectiveBaseURL)) (TTFT \(DurationText.format(mock.ttftNs)), "
            server += "\(CSVFormat.number(mock.decodeTokensPerSecond)) tokens/s, \(mock.tokensPerChunk.lowerBound)-\(mock.tokensPerChunk.upperBound) tokens per chunk, "
            server += "\(mock.outputTokens.lowerBound)-\(mock.outputTokens.upperBound) output tokens"
            if let capacity = mock.capacity {
                server += "; \(capacity.slots) slots, \(capacity.maxQueue) queued at most, "
                    + "\(CSVFormat.number(capacity.decodeRateAtCapacity)) tokens/s per request when every slot is busy"
            }
            facts.append(server + ")")
        } else {
            facts.append("Server: \(URLRedaction.masked(manifest.effectiveBaseURL))")
        }
        let open = manifest.levels.contains { $0.rate != nil }
        var load = "Load: \(open ? "open loop (\(scenario.load.arrival.rawValue) arrivals, at most \(scenario.load.maxInFlight) in flight, \(scenario.load.atCap.rawValue) at the cap)" : "closed loop"), "
        load += "levels \(manifest.levels.map(\.name).joined(separator: ", "))"
        if let plan = manifest.levels.first {
            if let requests = plan.requests { load += "; \(requests) measured requests per level" }
            if let duration = plan.durationNs { load += "; at most \(DurationText.format(duration)) per level" }
            // run.json's levels keep the warm-up count only; a timed warm-up is the scenario's.
            let warmupNs = plan.warmupNs > 0 ? plan.warmupNs : scenario.load.warmupNs
            load += warmupNs > 0 ? " after \(DurationText.format(warmupNs)) of warm-up" : " after \(plan.warmup) warm-up"
        }
        facts.append(load)
        facts.append("Started \(RunManifest.iso8601(manifest.startedAt)); sambabench \(manifest.toolVersion), \(manifest.libcurlVersion)"
                     + (manifest.transportPriority.map { "; transport thread at \($0.rawValue) priority" } ?? ""))
        if manifest.interrupted { facts.append("**Interrupted**: the figures cover what ran before the interrupt.") }
        if let reason = manifest.stopReason, reason.hasPrefix("aborted") {
            facts.append("**Aborted**: \(reason.dropFirst("aborted: ".count)); the figures cover what ran before.")
        }
        return facts
    }

    /// The analyst's lines: the knee (per matrix cell), the highest level meeting the objectives, what changed from
    /// level to level, and where a cold start shows.
    static func analysis(manifest: RunManifest, summaries: [LevelSummary], coldStart: ColdStartTally?) -> [String] {
        var lines: [String] = []
        let open = summaries.contains { $0.level.rate != nil }
        let loadLabel = open ? "offered rate" : "concurrency"
        let cells = summaries.map { LoadMatrix.cell(ofLevel: $0.level.name) ?? "" }.reduce(into: [String]()) {
            if !$0.contains($1) { $0.append($1) }
        }
        for cell in cells {
            let points = summaries.filter { (LoadMatrix.cell(ofLevel: $0.level.name) ?? "") == cell }.map(ReportAnalysis.Point.init)
            if let knee = ReportAnalysis.knee(points) {
                lines.append((cell.isEmpty ? "" : "Cell \(cell): ") + ReportAnalysis.kneeSentence(knee, loadLabel: loadLabel))
            }
        }
        if let slo = ReportAnalysis.sloSentence(summaries, slos: manifest.scenario.slos) { lines.append(slo) }
        for cell in cells {
            let points = summaries.filter { (LoadMatrix.cell(ofLevel: $0.level.name) ?? "") == cell }.map(ReportAnalysis.Point.init)
            lines += ReportAnalysis.changes(points)
        }
        if let sentence = coldStart?.sentence(summaries: summaries) { lines.append(sentence) }
        return lines
    }

    static func sloSection(slos: [SLO], summaries: [LevelSummary], search: SearchOutcome?) -> String {
        var text = "## Service-level objectives\n\n"
        if let search { text += searchSentence(search) + "\n\n" }
        let table = sloTable(slos: slos, summaries: summaries)
        text += "| " + table.headers.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |\n"
        text += "|---|" + slos.map { _ in "---:" }.joined(separator: "|") + "|---:|---:|\n"
        for row in table.rows { text += "| " + row.joined(separator: " | ") + " |\n" }
        return text + "\n" + goodputExplanation + "\n\n"
    }

    static func searchSentence(_ search: SearchOutcome) -> String {
        let answer = search.answer.map { "**SLO search: the highest \(search.loadLabel) meeting every objective is \(CSVFormat.number($0)).** " }
            ?? "**SLO search: no \(search.loadLabel) tried met every objective.** "
        return answer + "Levels tried, in order: \(search.tried.joined(separator: ", ")) (`search.csv`)."
    }

    static let goodputExplanation = "Goodput counts requests whose own values met every per-request objective, over the window."

    /// The objectives' table: a row per level in load order, a cell per objective (value and ✓ or ✗), goodput.
    static func sloTable(slos: [SLO], summaries: [LevelSummary]) -> (headers: [String], rows: [[String]]) {
        let headers = ["level"] + slos.map { "\($0)" } + ["goodput req/s", "good fraction"]
        let rows = summaries.sorted(by: { $0.level.loadValue < $1.level.loadValue }).map { summary in
            [summary.level.name] + SLOEvaluation.evaluate(slos, summary).map { result in
                (result.value.map { CSVFormat.number($0, digits: 3) } ?? "-") + (result.met ? " ✓" : " ✗")
            } + [summary.goodput.map { CSVFormat.number($0, digits: 2) } ?? "-",
                 summary.goodFraction.map { CSVFormat.number($0, digits: 3) } ?? "-"]
        }
        return (headers, rows)
    }

    /// Self-health: the `SelfHealth` rules that fired on a level, each naming its figure, threshold and what to do.
    public static func healthWarnings(_ summary: LevelSummary) -> [String] {
        SelfHealth.standard.warnings(SelfHealth.Evidence(summary)).map(\.description)
    }

    /// `mockQueue`: the server was the embedded mock with a capacity, whose own TTFT starts when a slot takes the request.
    static func notes(summaries: [LevelSummary], plotProblems: [String], firstErrors: [ErrorClass: String],
                      mockQueue: Bool = false) -> [String] {
        var notes: [String] = []
        for summary in summaries where summary.failed > 0 {
            let classes = summary.errorsByClass.sorted { $0.value > $1.value }
                .map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", ")
            notes.append("Level \(summary.level.name): \(summary.failed) of \(summary.requests) requests failed "
                         + "(\(CSVFormat.number(summary.errorRate * 100, digits: 1))%): \(classes).")
        }
        for (errorClass, message) in firstErrors.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            notes.append("First `\(errorClass.rawValue)` error: \(message)")
        }
        for summary in summaries where summary.otherModelRequests > 0 {
            let models = summary.otherModels.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                .map { "`\($0.key)` \($0.value)" }.joined(separator: ", ")
            notes.append("Level \(summary.level.name): \(summary.otherModelRequests) of \(summary.requests) requests were "
                         + "answered by another model than the one asked (\(models); `response_model` in requests.csv): "
                         + "their figures describe that model, or an alias the server resolved.")
        }
        for summary in summaries where summary.estimatedTokenRequests > 0 {
            notes.append("Level \(summary.level.name): \(summary.estimatedTokenRequests) requests had no usage from the "
                         + "server; their output token counts and every figure made from them (decode rate, TPOT, ITL, "
                         + "throughput) are local estimates (`token_source` = estimate, see docs/scenarios.md).")
        }
        for summary in summaries where summary.estimatedInputTokenRequests > 0 {
            notes.append("Level \(summary.level.name): \(summary.estimatedInputTokenRequests) requests had no input token "
                         + "count from the server; their `input_tokens` are estimated from the prompt (`input_token_source` = estimate).")
        }
        for summary in summaries {
            if let slowest = summary.slowestWarmupTTFTNs, let ttft = summary.stats(.ttft), Double(slowest) / 1e6 > 2 * ttft.p50 {
                notes.append("Level \(summary.level.name): a warm-up request took \(CSVFormat.number(Double(slowest) / 1e6, digits: 1)) ms "
                             + "to its first token, over twice the measured p50 (\(CSVFormat.number(ttft.p50, digits: 1)) ms): "
                             + "cold connections or caches, kept out of the statistics by the warm-up.")
            }
        }
        for summary in summaries { notes += healthWarnings(summary) }
        for summary in summaries where summary.level.stopReason == "cancelled" {
            notes.append("Level \(summary.level.name) was cut short (interrupted or cancelled).")
        }
        for summary in summaries where summary.level.stopReason == PartialLevels.stopReason {
            notes.append("Level \(summary.level.name) is partial: the run ended during it (killed) before writing its row in "
                         + "levels.csv, so `report` rebuilt it from the \(summary.requests + summary.warmupRequests) records on "
                         + "disk: requests in flight then are missing, and its window runs from its first to its last "
                         + "measured dispatch on disk.")
        }
        for summary in summaries {
            if let gap = summary.stats(.clientMinusServerTTFT), gap.p50 > 50 {
                notes.append("Level \(summary.level.name): client TTFT exceeds the server's own by \(CSVFormat.number(gap.p50, digits: 1)) ms "
                             + (mockQueue ? "at the median: the wait in the mock's queue for a slot (its own TTFT starts when a slot takes the request)."
                                : "at the median: network or queueing outside the server's clock."))
            }
            if summary.level.windowToLastEnd {
                notes.append("Level \(summary.level.name): every measured request went out before any of them ended, so its "
                             + "measurement window runs from the first measured dispatch to the last measured request's end "
                             + "(\(CSVFormat.number(summary.level.windowSeconds, digits: 3)) s, the drain included) instead of closing "
                             + "at the last dispatch; measure more requests than the concurrency for a steady-state throughput.")
            }
            if summary.level.windowSeconds <= 0 && summary.succeeded > 0 {
                notes.append("Level \(summary.level.name): the measurement window is empty, so no throughput is reported; "
                             + "measure more requests than the concurrency.")
            }
        }
        notes += plotProblems
        return notes
    }
}
