import LoadGen

/// The levels of a run killed before it wrote them: `levels.csv` is written as each level ends, so after `kill -9` it
/// is missing (killed in the first level) or short (killed in a later one). A level with records on disk but no row is
/// rebuilt from its records and its plan in run.json, and marked `partial` (its `stopReason`).
public enum PartialLevels {
    public static let stopReason = "partial"

    /// `levels` with a partial level added, in index order, for every level that has records but no row.
    public static func completing(_ levels: [LevelResult], records: [RequestRecord], plans: [LevelPlan]) -> [LevelResult] {
        let known = Set(levels.map(\.index))
        let missing = Dictionary(grouping: records.filter { !known.contains($0.level) }, by: \.level)
        let rebuilt = missing.map { index, records in
            level(index: index, records: records, plan: plans.first { $0.index == index })
        }
        return (levels + rebuilt).sorted { $0.index < $1.index }
    }

    /// One level from what its records say: it started at its first scheduled request; its window runs from the first
    /// to the last measured dispatch on disk (within the plan's duration); it ended with its last record. Dispatch
    /// counts are first attempts of first turns (retries and later turns are not dispatches).
    static func level(index: Int, records: [RequestRecord], plan: LevelPlan?) -> LevelResult {
        let dispatches = records.filter { $0.turn == 1 && $0.attempt == 1 }
        let measured = records.filter { !$0.warmup }
        let start = records.map(\.scheduledNs).min() ?? 0
        let windowStart = measured.map(\.scheduledNs).min() ?? start
        var windowEnd = measured.map(\.scheduledNs).max() ?? windowStart
        if let duration = plan?.durationNs { windowEnd = min(windowEnd, windowStart + duration) }
        return LevelResult(index: index, name: plan?.name ?? records.first?.levelName ?? "level \(index)",
                           concurrency: plan?.concurrency ?? 0, rate: plan?.rate, startNs: start,
                           windowStartNs: windowStart, windowEndNs: windowEnd, endNs: records.map(\.endNs).max() ?? start,
                           warmupDispatched: dispatches.filter(\.warmup).count,
                           measuredDispatched: dispatches.filter { !$0.warmup }.count, stopReason: stopReason)
    }
}
