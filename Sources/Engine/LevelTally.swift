import Foundation
import LoadGen
import Metrics
import Synchronization

/// The engine's own account of the level running, fed before any sink sees a record: what the policies that decide
/// (abort on error rate, the SLO search's verdict) read. Sinks never decide.
final class LevelTally: Sendable {
    private struct State {
        var finished = 0
        var failed = 0
        /// The level's summary for a verdict on it (the SLO search), accumulated as records arrive.
        var summary: LevelSummary?
    }

    private let state = Mutex(State())

    /// Starts a level; with `summarising` (the SLO search), its records are summarised for a verdict on it.
    func begin(level: LevelPlan, summarising slos: [SLO]?) {
        state.withLock { $0 = State(summary: slos.map { LevelSummary(index: level.index, name: level.name, slos: $0) }) }
    }

    /// Adds a record; returns the measured requests finished and failed so far in this level.
    func add(_ record: RequestRecord) -> (finished: Int, failed: Int) {
        state.withLock { state in
            state.summary?.add(record)
            if !record.warmup {
                state.finished += 1
                if !record.succeeded { state.failed += 1 }
            }
            return (state.finished, state.failed)
        }
    }

    /// The level's summary, settled with the level as it ended (nil when not summarising).
    func summary(closedWith level: LevelResult) -> LevelSummary? {
        state.withLock { state in
            guard var summary = state.summary else { return nil }
            summary.close(level: level)
            return summary
        }
    }
}

extension AbortPolicy {
    /// The abort's reason once a level's measured error rate is above the threshold (after `minRequests`), else nil.
    public func decide(finished: Int, failed: Int) -> String? {
        guard finished > 0 else { return nil }
        let rate = Double(failed) / Double(finished)
        guard finished >= minRequests, rate > errorRate else { return nil }
        return "aborted: \(failed) of \(finished) requests failed (\(String(format: "%.1f", rate * 100))%), above abort.error_rate \(String(format: "%.1f", errorRate * 100))%"
    }
}
