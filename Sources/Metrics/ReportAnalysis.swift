import LoadGen

/// What an analyst would say of a run's levels: where throughput stops growing (the knee), what changed from each level
/// to the next, the highest level that met the objectives, and whether a cold start or prompt caching shows.
/// Pure: level figures in, sentences out.
public enum ReportAnalysis {
    /// One level's figures the analysis reads.
    public struct Point: Sendable, Equatable {
        public var name: String
        public var load: Double
        public var throughput: Double?
        public var ttftP50: Double?
        public var ttftP99: Double?
        public var requests: Int
        public var failed: Int

        public init(name: String, load: Double, throughput: Double?, ttftP50: Double?, ttftP99: Double?, requests: Int, failed: Int) {
            self.name = name
            self.load = load
            self.throughput = throughput
            self.ttftP50 = ttftP50
            self.ttftP99 = ttftP99
            self.requests = requests
            self.failed = failed
        }

        public init(_ summary: LevelSummary) {
            self.init(name: summary.level.name, load: summary.level.loadValue, throughput: summary.outputThroughput,
                      ttftP50: summary.stats(.ttft)?.p50, ttftP99: summary.stats(.ttft)?.p99, requests: summary.requests,
                      failed: summary.failed)
        }
    }

    /// Where more load stopped buying throughput.
    public struct Knee: Sendable, Equatable {
        /// The lowest load whose throughput is within `kneeShare` of the highest; nil when the highest load is the
        /// first to get there (throughput still rising).
        public var level: Point?
        public var highest: Point
        public var last: Point
        /// TTFT p50 at the highest load is at least `queueingGrowth` times the knee's (or no TTFT was measured): the
        /// flattening comes with queueing. Without it the flat stretch is no knee (noise, or a limit elsewhere).
        public var queueing: Bool
    }

    public static let queueingGrowth = 1.5

    /// A level is at the knee once its throughput reaches this share of the run's highest.
    public static let kneeShare = 0.9

    /// The knee of levels of one load axis (a matrix's cells each have their own), or nil with under three levels
    /// with a throughput.
    public static func knee(_ points: [Point]) -> Knee? {
        let sorted = points.filter { ($0.throughput ?? 0) > 0 }.sorted { $0.load < $1.load }
        guard sorted.count >= 3, let highest = sorted.max(by: { $0.throughput! < $1.throughput! }), let last = sorted.last
        else { return nil }
        let first = sorted.first { $0.throughput! >= kneeShare * highest.throughput! }!
        let queueing = zip2(first.ttftP50, last.ttftP50).map { $1 >= queueingGrowth * $0 } ?? true
        return Knee(level: first.name == last.name ? nil : first, highest: highest, last: last, queueing: queueing)
    }

    public static func kneeSentence(_ knee: Knee, loadLabel: String) -> String {
        let tps = { (point: Point) in CSVFormat.number(point.throughput, digits: 0) + " tokens/s" }
        guard let level = knee.level else {
            return "No knee within the levels tried: output throughput was still rising at the highest \(loadLabel) "
                + "(\(tps(knee.last)) at \(knee.last.name)); try higher loads to find where it flattens."
        }
        guard knee.queueing else {
            return "Output throughput stopped growing at \(level.name) (\(tps(level)); highest \(tps(knee.highest)) at "
                + "\(knee.highest.name)) but TTFT p50 did not climb past it (\(level.ttftP50.map(ms) ?? "-") there, "
                + "\(knee.last.ttftP50.map(ms) ?? "-") at \(knee.last.name)), so this is no queueing knee: short levels are noisy, "
                + "or something other than the server's capacity limited the load."
        }
        var text = "**Knee at \(level.name)**: its output throughput (\(tps(level))) is "
            + "\(CSVFormat.number(level.throughput! / knee.highest.throughput! * 100, digits: 0))% of the highest "
            + "(\(tps(knee.highest)) at \(knee.highest.name))"
        let loadRatio = knee.last.load / level.load
        let gain = knee.last.throughput! / level.throughput! - 1
        text += "; from there to \(knee.last.name), \(CSVFormat.number(loadRatio, digits: 1))x the \(loadLabel) bought "
            + "\(signedPercent(gain)) throughput"
        if let before = level.ttftP50, let after = knee.last.ttftP50 {
            text += " while TTFT p50 went from \(ms(before)) to \(ms(after))"
        }
        return text + ". Past the knee, more load mostly adds queueing."
    }

    /// A line per level after the first (in load order): TTFT, throughput and errors against the level before.
    public static func changes(_ points: [Point]) -> [String] {
        let sorted = points.sorted { $0.load < $1.load }
        return zip(sorted, sorted.dropFirst()).map { before, after in
            var parts: [String] = []
            if let old = before.ttftP50, let new = after.ttftP50 {
                parts.append("TTFT p50 \(ms(old)) → \(ms(new)) (\(signedPercent(new / old - 1)))")
            }
            if let old = before.ttftP99, let new = after.ttftP99 { parts.append("p99 \(ms(old)) → \(ms(new))") }
            if let old = before.throughput, let new = after.throughput, old > 0 {
                parts.append("throughput \(CSVFormat.number(old, digits: 0)) → \(CSVFormat.number(new, digits: 0)) tokens/s "
                             + "(\(signedPercent(new / old - 1)))")
            }
            parts.append(before.failed == after.failed && after.failed == 0 ? "no errors"
                         : "errors \(before.failed) → \(after.failed) of \(after.requests)")
            return "\(after.name) against \(before.name): " + parts.joined(separator: ", ") + "."
        }
    }

    /// The highest load that met every objective, or that none did.
    public static func sloSentence(_ summaries: [LevelSummary], slos: [SLO]) -> String? {
        guard !slos.isEmpty, !summaries.isEmpty else { return nil }
        let objectives = slos.map { "\($0)" }.joined(separator: ", ")
        let met = summaries.filter { $0.requests > 0 && SLOEvaluation.allMet(slos, $0) }
        guard let best = met.max(by: { $0.level.loadValue < $1.level.loadValue }) else {
            return "No level met every objective (\(objectives))."
        }
        let missedBelow = summaries.filter { $0.level.loadValue < best.level.loadValue && !SLOEvaluation.allMet(slos, $0) }
        return "The highest level meeting every objective (\(objectives)) is **\(best.level.name)**"
            + (missedBelow.isEmpty ? "." : "; lower levels that missed one: \(missedBelow.map(\.level.name).joined(separator: ", ")).")
    }

    static func ms(_ value: Double) -> String {
        CSVFormat.number(value, digits: value >= 100 ? 0 : 1) + " ms"
    }

    static func signedPercent(_ change: Double) -> String {
        let percent = CSVFormat.number(change * 100, digits: 0)
        return (change > 0 && percent != "0" ? "+" : "") + percent + "%"
    }
}

/// The first request of each prompt against the rest of its level: where a cold start or prompt caching shows.
/// Fed record by record (keeps one entry per prompt), so it fits an online pass over the records.
public struct ColdStartTally: Sendable {
    /// Prompts cycle with the sequence number: prompt = conversation mod `promptCount`.
    public let promptCount: Int
    struct First: Sendable {
        var seq: Int
        var level: Int
        var levelName: String
        var warmup: Bool
        var ttftNs: Int64?
    }
    private(set) var firsts: [Int: First] = [:]

    public init(promptCount: Int) {
        self.promptCount = promptCount
    }

    public mutating func add(_ record: RequestRecord) {
        guard promptCount > 0, record.turn == 1, record.attempt == 1 else { return }
        let prompt = record.conversation % promptCount
        if let known = firsts[prompt], known.seq <= record.seq { return }
        let ttft = record.succeeded ? record.chunkSummary.firstArrivalNs.map { $0 - record.sentNs } : nil
        firsts[prompt] = First(seq: record.seq, level: record.level, levelName: record.levelName, warmup: record.warmup, ttftNs: ttft)
    }

    /// One sentence: the first requests' TTFT median against their level's measured TTFT p50 and p90.
    public func sentence(summaries: [LevelSummary]) -> String? {
        let timed = firsts.values.compactMap { first in first.ttftNs.map { (first, Double($0) / 1e6) } }
        guard !timed.isEmpty else { return nil }
        let levelIndex = Dictionary(grouping: timed, by: { $0.0.level }).max { $0.value.count < $1.value.count }!.key
        let group = timed.filter { $0.0.level == levelIndex }
        guard let summary = summaries.first(where: { $0.level.index == levelIndex }), let stats = summary.stats(.ttft) else { return nil }
        let values = group.map(\.1).sorted()
        let median = values.count % 2 == 1 ? values[values.count / 2] : (values[values.count / 2 - 1] + values[values.count / 2]) / 2
        let warmups = group.filter { $0.0.warmup }.count
        let inTail = group.filter { !$0.0.warmup && $0.1 > stats.p90 }.count
        let ratio = median / stats.p50
        var text = "First request per prompt: "
            + (group.count == 1 ? "the first request of the only prompt (\(summary.level.name)\(warmups == 1 ? ", warm-up" : "")) had a TTFT of "
                : "the first requests of the \(group.count) prompts (\(summary.level.name), \(warmups) of them warm-up) had a TTFT median of ")
            + "\(ReportAnalysis.ms(median)), "
            + "\(CSVFormat.number(ratio, digits: 2))x the level's measured p50 (\(ReportAnalysis.ms(stats.p50)))"
        if ratio >= 1.5 {
            text += ": a cold start or prompt caching shows"
            text += inTail > 0 ? ", and \(inTail) of them are in the measured tail (over p90, \(ReportAnalysis.ms(stats.p90)))."
                : warmups == group.count ? "; the warm-up kept them out of the statistics." : "."
        } else {
            text += ": no cold start or prompt caching shows."
        }
        return text
    }
}
