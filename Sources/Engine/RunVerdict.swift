import LoadGen
import Metrics

/// What a finished run's exit code says about it, decided from its level summaries and how it stopped. The CLI
/// only turns it into an exit code.
public struct RunVerdict: Sendable, Equatable {
    /// The process's exit code: 3 an objective missed, 4 too many errors (or every request failed) or aborted,
    /// 130 interrupted.
    public var exitCode: Int32
    public var reason: String

    public static let sloMissedCode: Int32 = 3
    public static let tooManyErrorsCode: Int32 = 4
    public static let interruptedCode: Int32 = 130

    /// nil when the run met its objectives. Order: an interrupt, an abort, errors over `max_error_rate`, every measured
    /// request failed (unless `max_error_rate` is given), then a missed objective (with a search, only when no level
    /// met them all).
    public static func judge(summaries: [LevelSummary], search: SearchOutcome?, stopReason: String?,
                             scenario: Scenario) -> RunVerdict? {
        if stopReason == "interrupted" {
            return RunVerdict(exitCode: interruptedCode, reason: "interrupted; the outputs hold everything measured before it")
        }
        if let reason = stopReason, reason.hasPrefix("aborted") {
            return RunVerdict(exitCode: tooManyErrorsCode, reason: reason)
        }
        if let limit = scenario.maxErrorRate,
           let worst = summaries.max(by: { $0.errorRate < $1.errorRate }), worst.errorRate > limit {
            return RunVerdict(exitCode: tooManyErrorsCode,
                              reason: "level \(worst.level.name) failed \(CSVFormat.number(worst.errorRate * 100, digits: 2))% of its requests, above max_error_rate \(CSVFormat.number(limit * 100, digits: 2))%")
        }
        // Not one measured request succeeded: no figure describes the server. Only `max_error_rate: 1` accepts it.
        let measured = summaries.reduce(0) { $0 + $1.requests }
        if scenario.maxErrorRate == nil, measured > 0, summaries.allSatisfy({ $0.succeeded == 0 }) {
            var classes: [ErrorClass: Int] = [:]
            for summary in summaries { classes.merge(summary.errorsByClass, uniquingKeysWith: +) }
            let counts = classes.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key.rawValue < $1.key.rawValue }
                .map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", ")
            return RunVerdict(exitCode: tooManyErrorsCode,
                              reason: "every one of the \(measured) measured requests failed (\(counts)); nothing was measured "
                                  + "of the server (set max_error_rate: 1 in the scenario to accept such a run)")
        }
        guard !scenario.slos.isEmpty else { return nil }
        if let search {
            return search.answer == nil ? RunVerdict(exitCode: sloMissedCode, reason: "no level tried met every objective") : nil
        }
        for summary in summaries {
            if let missed = SLOEvaluation.evaluate(scenario.slos, summary).first(where: { !$0.met }) {
                return RunVerdict(exitCode: sloMissedCode,
                                  reason: "level \(summary.level.name) missed \(missed.slo) (\(missed.value.map { CSVFormat.number($0, digits: 3) } ?? "no value"))")
            }
        }
        return nil
    }
}
