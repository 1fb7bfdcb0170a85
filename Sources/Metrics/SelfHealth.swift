import LoadGen

/// The self-health rules: when a level's own figures say the client, not the server, may have been its limit.
/// Pure: a level's figures in, warnings out. A rule fires on evidence, never on one outlier: several late requests
/// that are also a share of the level, or a transport thread saturated over a level long enough to call it sustained.
public struct SelfHealth: Sendable, Equatable {
    /// What the rules read of one level.
    public struct Evidence: Sendable, Equatable {
        public var level: String
        /// Open loop: lateness is against the schedule, and the in-flight cap may explain it.
        public var openLoop: Bool
        /// Measured requests that were sent (lateness is counted over these).
        public var sent: Int
        /// Of those, the ones sent more than `LevelSummary.lateThresholdNs` late.
        public var late: Int
        public var latenessP99Ms: Double?
        /// The transport thread's busy fraction over the level, and its CPU share, when measured.
        public var transportBusy: Double?
        public var transportCPU: Double?
        /// How long the level ran (start to end): the window the busy fraction was measured over.
        public var levelSeconds: Double

        public init(level: String, openLoop: Bool, sent: Int, late: Int, latenessP99Ms: Double?, transportBusy: Double?,
                    transportCPU: Double?, levelSeconds: Double) {
            self.level = level
            self.openLoop = openLoop
            self.sent = sent
            self.late = late
            self.latenessP99Ms = latenessP99Ms
            self.transportBusy = transportBusy
            self.transportCPU = transportCPU
            self.levelSeconds = levelSeconds
        }

        /// The figures of a summarised level.
        public init(_ summary: LevelSummary) {
            let level = summary.level
            self.init(level: level.name, openLoop: level.rate != nil, sent: summary.stats(.lateness)?.count ?? 0,
                      late: summary.lateRequests, latenessP99Ms: summary.stats(.lateness)?.p99,
                      transportBusy: level.transport?.busyFraction, transportCPU: level.transport?.cpuFraction,
                      levelSeconds: Double(max(level.endNs - level.startNs, 0)) / 1e9)
        }
    }

    /// One rule that fired: the figure, its value, the threshold it crossed and what to do, in one sentence each.
    public struct Warning: Sendable, Equatable, CustomStringConvertible {
        public enum Rule: String, Sendable { case lateRequests = "late_requests", transportBusy = "transport_busy_fraction" }
        public var level: String
        public var rule: Rule
        public var figure: String
        public var threshold: String
        public var consequence: String
        public var advice: String

        public var description: String {
            "Level \(level): \(figure), over the threshold (\(threshold)): \(consequence). \(advice)"
        }
    }

    /// Late requests: at least this many, and at least this share of those sent.
    public var minimumLate = 5
    public var minimumLateShare = 0.05
    /// Transport thread: busy over this share of a level that ran at least `minimumBusySeconds`.
    public var busyLimit = TransportUtilisation.busyLimit
    public var minimumBusySeconds = 2.0

    public init() {}

    public static let standard = SelfHealth()

    public func warnings(_ evidence: Evidence) -> [Warning] {
        var warnings: [Warning] = []
        if let warning = lateness(evidence) { warnings.append(warning) }
        if let warning = transport(level: evidence.level, busy: evidence.transportBusy, cpu: evidence.transportCPU,
                                   seconds: evidence.levelSeconds) {
            warnings.append(warning)
        }
        return warnings
    }

    func lateness(_ evidence: Evidence) -> Warning? {
        guard evidence.sent > 0, evidence.late >= minimumLate,
              Double(evidence.late) / Double(evidence.sent) >= minimumLateShare else { return nil }
        let share = CSVFormat.number(Double(evidence.late) / Double(evidence.sent) * 100, digits: 1)
        let p99 = evidence.latenessP99Ms.map { ", lateness p99 \(CSVFormat.number($0, digits: 2)) ms" } ?? ""
        let thresholdMs = CSVFormat.number(Double(LevelSummary.lateThresholdNs) / 1e6)
        let figure = "late_requests \(evidence.late) of \(evidence.sent) (\(share)%) sent over \(thresholdMs) ms after "
            + (evidence.openLoop ? "their scheduled time" : "their virtual user was free") + p99
        let threshold = "at least \(minimumLate) requests and \(CSVFormat.number(minimumLateShare * 100))% of those sent"
        if evidence.openLoop {
            return Warning(level: evidence.level, rule: .lateRequests, figure: figure, threshold: threshold,
                           consequence: "the in-flight cap or the client delayed them, and ttft_sched_ms includes that wait",
                           advice: "Raise load.max_in_flight if the cap was reached, otherwise run `sambabench calibrate` to see what this machine sustains.")
        }
        return Warning(level: evidence.level, rule: .lateRequests, figure: figure, threshold: threshold,
                       consequence: "the client, not the server, may have been the limit, and its timestamps may run late",
                       advice: "Run `sambabench calibrate` to see what this machine sustains, and rerun with fewer users or on a quieter machine.")
    }

    /// The transport rule alone, for the line printed as a level ends.
    public func transport(level: String, busy: Double?, cpu: Double?, seconds: Double) -> Warning? {
        guard let busy, busy > busyLimit, seconds >= minimumBusySeconds else { return nil }
        let cpuText = cpu.map { ", on a CPU \(CSVFormat.number($0 * 100, digits: 0))% of it" } ?? ""
        return Warning(level: level, rule: .transportBusy,
                       figure: "transport_busy_fraction \(CSVFormat.number(busy * 100, digits: 0))% over "
                           + "\(CSVFormat.number(seconds, digits: 1)) s\(cpuText)",
                       threshold: "over \(CSVFormat.number(busyLimit * 100, digits: 0))% for at least "
                           + "\(CSVFormat.number(minimumBusySeconds)) s",
                       consequence: "the client's transport thread was saturated, so it may have delayed what it measured "
                           + "and the throughput may be the client's",
                       advice: "Run `sambabench calibrate` to see what this machine sustains, and rerun with fewer users or on a quieter machine.")
    }
}
