import LoadGen

/// Whether a level met its objectives, objective by objective.
public struct SLOResult: Sendable, Equatable {
    public var slo: SLO
    /// The level's value for the objective, in the metric's reported unit; nil when it has none.
    public var value: Double?
    public var met: Bool
}

public enum SLOEvaluation {
    public static func evaluate(_ slos: [SLO], _ summary: LevelSummary) -> [SLOResult] {
        slos.map { slo in
            let value = self.value(slo, summary)
            return SLOResult(slo: slo, value: value, met: value.map { slo.comparison.holds($0, slo.threshold) } ?? false)
        }
    }

    public static func allMet(_ slos: [SLO], _ summary: LevelSummary) -> Bool {
        evaluate(slos, summary).allSatisfy(\.met)
    }

    static func value(_ slo: SLO, _ summary: LevelSummary) -> Double? {
        switch slo.statistic {
        case .value:
            guard let figure = LevelFigure(rawValue: slo.metric), figure.sloEligible else { return nil }
            // A level with no request has no error rate (0 of 0 is not 0%).
            if figure == .errorRate && summary.requests == 0 { return nil }
            return figure.value(summary)
        case .percentile(let p):
            guard let metric = Metric(rawValue: slo.metric), let distribution = summary.distributions[metric],
                  let stats = distribution.stats else { return nil }
            return min(max(distribution.value(atPercentile: p), stats.min), stats.max)
        case .mean, .min, .max:
            guard let metric = Metric(rawValue: slo.metric), let stats = summary.stats(metric) else { return nil }
            return slo.statistic == .mean ? stats.mean : slo.statistic == .min ? stats.min : stats.max
        }
    }
}

/// What an SLO search tried and found.
public struct SearchOutcome: Sendable {
    public var loadLabel: String
    /// The highest load that met every objective; nil when none did.
    public var answer: Double?
    /// Level names in the order tried.
    public var tried: [String]

    public init(loadLabel: String, answer: Double?, tried: [String]) {
        self.loadLabel = loadLabel
        self.answer = answer
        self.tried = tried
    }
}
