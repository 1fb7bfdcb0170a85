/// One service-level objective, written `p99 ttft_ms < 500`, `p50 decode_tps > 100` or `error_rate < 0.01`.
public struct SLO: Sendable, Equatable, CustomStringConvertible {
    public enum Statistic: Sendable, Equatable {
        case percentile(Double)
        case mean
        case min
        case max
        /// A level-wide figure (error_rate, output_throughput_tps, ...).
        case value
    }

    public enum Comparison: String, Sendable, Equatable, CaseIterable {
        case below = "<"
        case atMost = "<="
        case above = ">"
        case atLeast = ">="

        public func holds(_ value: Double, _ threshold: Double) -> Bool {
            switch self {
            case .below: return value < threshold
            case .atMost: return value <= threshold
            case .above: return value > threshold
            case .atLeast: return value >= threshold
            }
        }
    }

    public var statistic: Statistic
    /// A metric column (`ttft_ms`) or a level figure (`error_rate`).
    public var metric: String
    public var comparison: Comparison
    public var threshold: Double

    public init(statistic: Statistic, metric: String, comparison: Comparison, threshold: Double) {
        self.statistic = statistic
        self.metric = metric
        self.comparison = comparison
        self.threshold = threshold
    }

    /// The per-request metrics an SLO may name: the registry's (`Metric`).
    public static var metricNames: [String] { Metric.allCases.map(\.name) }

    /// Level-wide figures an SLO may name without a statistic: the registry's (`LevelFigure.sloEligible`).
    public static var levelFigures: [String] { LevelFigure.allCases.filter(\.sloEligible).map(\.name) }

    public var description: String {
        let prefix: String
        switch statistic {
        case .percentile(let p): prefix = "p" + (p.rounded() == p ? String(Int(p)) : String(p)) + " "
        case .mean: prefix = "mean "
        case .min: prefix = "min "
        case .max: prefix = "max "
        case .value: prefix = ""
        }
        let number = threshold.rounded() == threshold && abs(threshold) < 1e15 ? String(Int64(threshold)) : String(threshold)
        return "\(prefix)\(metric) \(comparison.rawValue) \(number)"
    }

    /// Parses `[pNN|mean|min|max] metric op number`. `metrics` are the names a statistic may apply to.
    public static func parse(_ text: String, metrics: [String]) -> Result<SLO, SLOParseError> {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        let usage = "write it as 'p99 ttft_ms < 500', 'mean e2e_ms <= 2000' or 'error_rate < 0.01'"
        guard words.count == 3 || words.count == 4 else { return .failure(SLOParseError(usage)) }
        var statistic = Statistic.value
        if words.count == 4 {
            let head = words[0].lowercased()
            switch head {
            case "mean": statistic = .mean
            case "min": statistic = .min
            case "max": statistic = .max
            default:
                guard head.hasPrefix("p"), let p = Double(head.dropFirst()), p > 0, p < 100 else {
                    return .failure(SLOParseError("'\(words[0])' is not a statistic: p50, p90, p99, p99.9, mean, min or max"))
                }
                statistic = .percentile(p)
            }
        }
        let metric = words[words.count - 3]
        if statistic == .value {
            guard levelFigures.contains(metric) else {
                return .failure(SLOParseError("'\(metric)' needs a statistic (for example p99 \(metric)), or name a level figure: "
                                + levelFigures.joined(separator: ", ")))
            }
        } else if !metrics.contains(metric) {
            return .failure(SLOParseError("unknown metric '\(metric)'; metrics: \(metrics.joined(separator: ", "))"))
        }
        guard let comparison = Comparison(rawValue: words[words.count - 2]) else {
            return .failure(SLOParseError("'\(words[words.count - 2])' is not a comparison: <, <=, > or >="))
        }
        guard let threshold = Double(words[words.count - 1]), threshold.isFinite else {
            return .failure(SLOParseError("'\(words[words.count - 1])' is not a number"))
        }
        return .success(SLO(statistic: statistic, metric: metric, comparison: comparison, threshold: threshold))
    }
}

public struct SLOParseError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Find the highest load that meets every SLO: double from `start` until a level fails (the bracket), then bisect
/// between the last pass and the first fail until they are `resolution` apart or the level budget is spent.
public struct SLOSearchSettings: Sendable, Equatable {
    public var start: Double
    public var max: Double
    public var budget: Int
    public var resolution: Double

    public init(start: Double, max: Double, budget: Int, resolution: Double) {
        self.start = start
        self.max = max
        self.budget = budget
        self.resolution = resolution
    }
}

/// The search's state machine: it proposes loads and is told whether each met the SLOs.
public struct SLOSearch: Sendable {
    public let settings: SLOSearchSettings
    /// Whole numbers only (concurrency).
    public let integral: Bool
    public private(set) var tried: [(load: Double, met: Bool)] = []
    private var highestMet: Double?
    private var lowestFailed: Double?

    public init(settings: SLOSearchSettings, integral: Bool) {
        self.settings = settings
        self.integral = integral
    }

    /// The highest load tried that met every SLO.
    public var answer: Double? { highestMet }

    /// The next load to try, or nil when the search is over.
    public func next() -> Double? {
        guard tried.count < settings.budget else { return nil }
        guard let last = tried.last else { return round(settings.start) }
        if lowestFailed == nil {
            // Bracketing: double while passing, up to the maximum.
            guard last.met, last.load < settings.max else { return nil }
            return Swift.min(round(last.load * 2), settings.max)
        }
        guard let low = highestMet, let high = lowestFailed, high - low > settings.resolution else { return nil }
        let middle = round((low + high) / 2)
        guard middle > low && middle < high else { return nil }
        return middle
    }

    public mutating func record(load: Double, met: Bool) {
        tried.append((load, met))
        if met {
            highestMet = Swift.max(highestMet ?? load, load)
        } else {
            lowestFailed = Swift.min(lowestFailed ?? load, load)
        }
    }

    private func round(_ value: Double) -> Double {
        if integral { return Swift.max(1, value.rounded()) }
        let step = settings.resolution > 0 ? settings.resolution : 1
        return Swift.max(step, (value / step).rounded() * step)
    }
}
