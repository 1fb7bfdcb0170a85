import LoadGen

/// `report.md`: the scenario and environment, a table per level, the plots, and notes on anything suspect.
public enum ReportWriter {
    public static func markdown(manifest: RunManifest, summaries: [LevelSummary], plots: [String],
                                plotProblems: [String], firstErrors: [ErrorClass: String], search: SearchOutcome? = nil) -> String {
        let scenario = manifest.scenario
        var text = "# sambabench report: \(scenario.name)\n\n"
        if let description = scenario.description { text += description + "\n\n" }
        text += "- Scenario: `\(manifest.scenarioFile)`: API `\(scenario.api.rawValue)`, model `\(scenario.model)`, "
        text += scenario.stream ? "streaming" : "not streaming"
        let matrixInputs = manifest.levels.compactMap(\.inputTokens).reduce(into: [Int]()) { if !$0.contains($1) { $0.append($1) } }
        let matrixOutputs = manifest.levels.compactMap(\.maxTokens).reduce(into: [Int]()) { if !$0.contains($1) { $0.append($1) } }
        if let maxTokens = scenario.request.maxTokens, matrixOutputs.isEmpty { text += ", max_tokens \(maxTokens)" }
        text += "\n"
        if !manifest.promptsSummary.isEmpty { text += "- Prompts: \(manifest.promptsSummary)\n" }
        if !matrixInputs.isEmpty || !matrixOutputs.isEmpty {
            let axes = [matrixInputs.isEmpty ? nil : "input tokens " + matrixInputs.map(String.init).joined(separator: ", "),
                        matrixOutputs.isEmpty ? nil : "max_tokens " + matrixOutputs.map(String.init).joined(separator: ", ")]
            text += "- Matrix: " + axes.compactMap { $0 }.joined(separator: " x ") + " x each load level; a level per "
            text += "combination, named after it (`in512-out256-c16`: 512-token synthetic prompts, max_tokens 256, 16 users)\n"
        }
        if scenario.usesMock {
            let mock = scenario.mock
            text += "- Server: the embedded mock at \(URLRedaction.masked(manifest.effectiveBaseURL)) (TTFT \(DurationText.format(mock.ttftNs)), "
            text += "\(CSVFormat.number(mock.decodeTokensPerSecond)) tokens/s, \(mock.tokensPerChunk.lowerBound)-\(mock.tokensPerChunk.upperBound) tokens per chunk, "
            text += "\(mock.outputTokens.lowerBound)-\(mock.outputTokens.upperBound) output tokens)\n"
        } else {
            text += "- Server: \(URLRedaction.masked(manifest.effectiveBaseURL))\n"
        }
        let open = manifest.levels.contains { $0.rate != nil }
        text += "- Load: \(open ? "open loop (\(scenario.load.arrival.rawValue) arrivals, at most \(scenario.load.maxInFlight) in flight, \(scenario.load.atCap.rawValue) at the cap)" : "closed loop"), "
        text += "levels \(manifest.levels.map(\.name).joined(separator: ", "))"
        if let plan = manifest.levels.first {
            if let requests = plan.requests { text += "; \(requests) measured requests per level" }
            if let duration = plan.durationNs { text += "; at most \(DurationText.format(duration)) per level" }
            text += plan.warmupNs > 0 ? " after \(DurationText.format(plan.warmupNs)) of warm-up" : " after \(plan.warmup) warm-up"
        }
        text += "\n"
        text += "- Started \(RunManifest.iso8601(manifest.startedAt)); sambabench \(manifest.toolVersion), \(manifest.libcurlVersion)"
        text += (manifest.transportPriority.map { "; transport thread at \($0.rawValue) priority" } ?? "") + "\n"
        if manifest.interrupted { text += "- **Interrupted**: the figures cover what ran before the interrupt.\n" }
        if let reason = manifest.stopReason, reason.hasPrefix("aborted") {
            text += "- **Aborted**: \(reason.dropFirst("aborted: ".count)); the figures cover what ran before.\n"
        }
        text += "\n## Summary\n\n" + SummaryTable.markdown(summaries) + "\n"
        text += "Latencies are client-side, from `sent` (just before the request is handed to libcurl). Output "
        text += "throughput counts the tokens of requests that finished inside each level's measurement window, which "
        text += "opens after the warm-up and closes before the drain (a warm-up request finishing inside it counts). "
        text += "Every figure and percentile is in `summary.csv` and `summary.json`.\n\n"
        if !scenario.slos.isEmpty {
            text += sloSection(slos: scenario.slos, summaries: summaries, search: search)
        }
        if !plots.isEmpty {
            text += "## Plots\n\n"
            for plot in plots { text += "![\(plot)](plots/\(plot).png)\n\n" }
        }
        let notes = self.notes(summaries: summaries, plotProblems: plotProblems, firstErrors: firstErrors)
        text += "## Notes\n\n" + (notes.isEmpty ? "- Nothing suspect: no errors, usage on every request.\n" : notes.map { "- \($0)\n" }.joined())
        text += "\n## Files\n\n"
        text += "`requests.csv` (a row per request), `chunks.csv` (a row per token-carrying chunk), `summary.csv` and "
        text += "`summary.json` (per level and metric), `levels.csv` (measurement windows), `timeseries.csv` (second by second), `hdr/` (HdrHistogram "
        text += "percentile distributions per metric and level), `plots/` (gnuplot scripts, their data and renders), `run.json`.\n"
        return text
    }

    static func sloSection(slos: [SLO], summaries: [LevelSummary], search: SearchOutcome?) -> String {
        var text = "## Service-level objectives\n\n"
        if let search {
            if let answer = search.answer {
                text += "**SLO search: the highest \(search.loadLabel) meeting every objective is \(CSVFormat.number(answer)).** "
            } else {
                text += "**SLO search: no \(search.loadLabel) tried met every objective.** "
            }
            text += "Levels tried, in order: \(search.tried.joined(separator: ", ")) (`search.csv`).\n\n"
        }
        text += "| level | " + slos.map { "\($0)".replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ")
        text += " | goodput req/s | good fraction |\n"
        text += "|---|" + slos.map { _ in "---:" }.joined(separator: "|") + "|---:|---:|\n"
        for summary in summaries.sorted(by: { $0.level.loadValue < $1.level.loadValue }) {
            let cells = SLOEvaluation.evaluate(slos, summary).map { result in
                (result.value.map { CSVFormat.number($0, digits: 3) } ?? "-") + (result.met ? " ✓" : " ✗")
            }
            text += "| \(summary.level.name) | " + cells.joined(separator: " | ")
            text += " | \(summary.goodput.map { CSVFormat.number($0, digits: 2) } ?? "-")"
            text += " | \(summary.goodFraction.map { CSVFormat.number($0, digits: 3) } ?? "-") |\n"
        }
        return text + "\nGoodput counts requests whose own values met every per-request objective, over the window.\n\n"
    }

    /// Self-health: a level where the client, not the server, may have been the limit: its transport thread busy
    /// over `TransportUtilisation.busyLimit` of the time, or (closed loop; the open loop has its own note on
    /// lateness) requests sent more than 1 ms after their virtual user was free at p99.
    public static func healthWarning(_ summary: LevelSummary) -> String? {
        var reasons: [String] = []
        if let transport = summary.level.transport, transport.busyFraction > TransportUtilisation.busyLimit {
            let cpu = transport.cpuFraction.map { ", on a CPU \(CSVFormat.number($0 * 100, digits: 0))% of it" } ?? ""
            reasons.append("its transport thread was busy \(CSVFormat.number(transport.busyFraction * 100, digits: 0))% of the level\(cpu)")
        }
        if summary.level.rate == nil, let lateness = summary.stats(.lateness), lateness.p99 > 1 {
            reasons.append("requests went out \(CSVFormat.number(lateness.p99, digits: 2)) ms after their virtual user was free (lateness p99)")
        }
        guard !reasons.isEmpty else { return nil }
        return "Level \(summary.level.name): the client, not the server, may have been the limit: "
            + reasons.joined(separator: ", and ") + ". Timestamps may run late and throughput may be the client's; "
            + "`sambabench calibrate` shows what this machine sustains."
    }

    static func notes(summaries: [LevelSummary], plotProblems: [String], firstErrors: [ErrorClass: String]) -> [String] {
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
        for summary in summaries where summary.level.rate != nil && summary.lateRequests > 0 {
            let lateness = summary.stats(.lateness)
            notes.append("Level \(summary.level.name): \(summary.lateRequests) requests started more than 1 ms after their "
                         + "scheduled time (lateness p99 \(CSVFormat.number(lateness?.p99, digits: 2)) ms): the in-flight cap "
                         + "or the client delayed them; TTFT from `scheduled` (ttft_sched_ms) includes that wait.")
        }
        for summary in summaries {
            if let slowest = summary.slowestWarmupTTFTNs, let ttft = summary.stats(.ttft), Double(slowest) / 1e6 > 2 * ttft.p50 {
                notes.append("Level \(summary.level.name): a warm-up request took \(CSVFormat.number(Double(slowest) / 1e6, digits: 1)) ms "
                             + "to its first token, over twice the measured p50 (\(CSVFormat.number(ttft.p50, digits: 1)) ms): "
                             + "cold connections or caches, kept out of the statistics by the warm-up.")
            }
        }
        for summary in summaries {
            if let warning = healthWarning(summary) { notes.append(warning) }
        }
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
                             + "at the median: network or queueing outside the server's clock.")
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
