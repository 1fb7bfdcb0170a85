import LoadGen

/// The levels of a run killed before it wrote them: `levels.csv` is written as each level ends, so after `kill -9` it
/// is missing (killed in the first level) or short (killed in a later one). A level with records on disk but no row is
/// rebuilt from its records and its plan in run.json, and marked `partial` (its `stopReason`).
public enum PartialLevels {
    public static let stopReason = "partial"

    /// `levels` with a partial level added, in index order, for every level that has records but no row.
    public static func completing(_ levels: [LevelResult], records: [RequestRecord], plans: [LevelPlan]) -> [LevelResult] {
        let known = Set(levels.map(\.index))
        var extents: [Int: LevelExtent] = [:]
        for record in records where !known.contains(record.level) {
            extents[record.level, default: LevelExtent(name: record.levelName)].add(record)
        }
        let rebuilt = extents.map { index, extent in extent.partialLevel(index: index, plan: plans.first { $0.index == index }) }
        return (levels + rebuilt).sorted { $0.index < $1.index }
    }
}
