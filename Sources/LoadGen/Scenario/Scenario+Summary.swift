extension Scenario {
    /// One line on what the scenario runs: its API and model, its levels (or search), its prompts.
    public var summary: String {
        let levels = search == nil
            ? "levels " + LevelPlan.levels(load, matrix: matrix).map(\.name).joined(separator: ", ")
            : "an SLO search over \(load.mode == .closed ? "concurrency" : "rate")"
        return "\(name): \(api.rawValue) \(model), \(levels); " + promptSource.summary(count: prompts.count)
    }
}
