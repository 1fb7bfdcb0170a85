import BenchSupport
import Foundation
import Histogram
import LoadGen

/// Everything a run's outputs are derived from, accumulated record by record as they arrive: the level and turn
/// summaries (HDR histograms and exact moments), the time series, the first error of each class, the plots' data and
/// the HDR interval log. `run` feeds it from its writer task and `report` from one pass over the CSVs, in the same
/// order, so both derive the same files; neither keeps the records. Memory grows with the levels, turns and seconds
/// of a run, not with its requests or chunks. One task at a time.
public final class RunAggregate {
    let slos: [SLO]
    /// Whether summaries by conversation turn are kept (a scenario with conversations or tools).
    let withTurns: Bool
    /// Whether the chunk-level figures come from the records' chunks (off in `report` when chunk rows were not all
    /// kept: they are restored from the run's HDR log).
    let chunkFiguresFromRecords: Bool
    /// Boxed, so a record updates its summary in place (a struct in a dictionary is copied out and back).
    final class Box {
        var summary: LevelSummary
        init(_ summary: LevelSummary) { self.summary = summary }
    }

    private var summaries: [Int: Box] = [:]
    private var turnSummaries: [Int: [Int: Box]] = [:]
    private var laterTurns = false
    private(set) var timeSeries = TimeSeries()
    private var firstErrors: [ErrorClass: (endNs: Int64, text: String)] = [:]
    private(set) var extents: [Int: LevelExtent] = [:]
    /// Client and server TTFT of successful measured requests, for the plot: every pair up to `pointLimit`, then a
    /// deterministic reservoir sample of that many.
    private(set) var points: [(level: Int, client: Double, server: Double)] = []
    private(set) var pointsSeen = 0
    static let pointLimit = 5_000
    private var pointSampler = SplitMix64(seed: 0x706F_696E_7473)
    private let intervals: IntervalLog?
    /// Records added, and those whose chunks were counted here.
    public private(set) var recordCount = 0
    /// Each prompt's first request, when prompts cycle with the sequence number.
    private var coldStart: ColdStartTally?
    public private(set) var chunkCount = 0
    private let totalTimeoutNs: Int64?

    /// `intervalLog`: the path of the per-second HDR interval log to write as records arrive (nil: none).
    /// `totalTimeoutNs`: the longest a request can last (the scenario's total timeout), after which a second's
    /// lateness median is settled.
    public init(slos: [SLO], withTurns: Bool, chunkFiguresFromRecords: Bool = true, intervalLog: String? = nil,
                startEpochSeconds: Double = 0, totalTimeoutNs: Int64? = nil, promptCycle: Int? = nil) throws {
        coldStart = promptCycle.map { ColdStartTally(promptCount: $0) }
        self.slos = slos
        self.withTurns = withTurns
        self.chunkFiguresFromRecords = chunkFiguresFromRecords
        timeSeries.chunkTokensFromRecords = chunkFiguresFromRecords
        self.totalTimeoutNs = totalTimeoutNs
        if let total = totalTimeoutNs { timeSeries.settleAfterNs = total + 10_000_000_000 }
        intervals = try intervalLog.map { try IntervalLog(path: $0, startEpochSeconds: startEpochSeconds) }
    }

    /// `promptCycle`: as `RunManifest.promptCycle` (nil: worked out from the scenario).
    public convenience init(scenario: Scenario, chunkFiguresFromRecords: Bool = true, intervalLog: String? = nil,
                            startEpochSeconds: Double = 0, promptCycle: Int?? = nil) throws {
        try self.init(slos: scenario.slos, withTurns: !scenario.conversations.isEmpty || scenario.tools != nil,
                      chunkFiguresFromRecords: chunkFiguresFromRecords, intervalLog: intervalLog, startEpochSeconds: startEpochSeconds,
                      totalTimeoutNs: scenario.timeouts.totalNs,
                      promptCycle: promptCycle ?? RunManifest.promptCycle(sampling: scenario.promptSource.sampling.rawValue,
                                                                          count: scenario.prompts.count, matrix: scenario.matrix != nil))
    }

    public func add(_ record: RequestRecord) throws {
        recordCount += 1
        chunkCount += record.chunks.count
        let metrics = RequestMetrics(record, gaps: false)
        let box: Box
        if let known = summaries[record.level] {
            box = known
        } else {
            box = Box(made(record.level, record.levelName))
            summaries[record.level] = box
        }
        box.summary.add(record, metrics)
        if withTurns {
            if record.turn > 1 { laterTurns = true }
            let turn: Box
            if let known = turnSummaries[record.level]?[record.turn] {
                turn = known
            } else {
                turn = Box(made(record.level, "\(record.levelName)/turn\(record.turn)"))
                turnSummaries[record.level, default: [:]][record.turn] = turn
            }
            turn.summary.add(record, metrics)
        }
        timeSeries.add(record)
        coldStart?.add(record)
        extents[record.level, default: LevelExtent(name: record.levelName)].add(record)
        if let errorClass = record.errorClass, record.endNs < firstErrors[errorClass]?.endNs ?? .max {
            firstErrors[errorClass] = (record.endNs, "request \(record.seq): \(record.errorMessage ?? "no message")")
        }
        if !record.warmup, record.succeeded, let server = record.server.timeToFirstToken, let ttft = metrics.ttftNs {
            addPoint((record.level, Double(ttft) / 1e6, server * 1e3))
        }
        if !record.warmup, record.succeeded { try intervals?.add(record, metrics) }
    }

    private func made(_ index: Int, _ name: String) -> LevelSummary {
        var summary = LevelSummary(index: index, name: name, slos: slos)
        summary.chunkFiguresFromRecords = chunkFiguresFromRecords
        if let total = totalTimeoutNs { summary.batches.horizonSeconds = Double(total) / 1e9 + 10 }
        return summary
    }

    private func addPoint(_ point: (Int, Double, Double)) {
        pointsSeen += 1
        if points.count < Self.pointLimit {
            points.append(point)
        } else {
            let slot = Int(pointSampler.next() % UInt64(pointsSeen))
            if slot < Self.pointLimit { points[slot] = point }
        }
    }

    /// Chunk tokens of a second, restored from `chunk_seconds.csv` (`report` on a run that kept only some chunk rows).
    func restoreChunkTokens(_ tokens: Int, second: Int) {
        timeSeries.addChunkTokens(tokens, second: second)
    }

    /// The first error of each class (by end time), as the report quotes it.
    public var firstErrorTexts: [ErrorClass: String] { firstErrors.mapValues(\.text) }

    /// Closes the interval log.
    public func closeLog() throws { try intervals?.close() }

    /// Settles every summary with the levels as they ended, and the time series. Levels with records and no result
    /// (a run killed during them) are rebuilt from their extents and marked partial (`PartialLevels`).
    public func finish(levels: [LevelResult], plans: [LevelPlan]) throws -> Results {
        try closeLog()
        let known = Set(levels.map(\.index))
        let partial = extents.filter { !known.contains($0.key) }.map { index, extent in
            extent.partialLevel(index: index, plan: plans.first { $0.index == index })
        }
        let all = (levels + partial).sorted { $0.index < $1.index }
        var closed: [LevelSummary] = []
        var byTurn: [LevelSummary] = []
        for level in all {
            var summary = summaries[level.index]?.summary ?? LevelSummary(level: level, slos: slos)
            summary.close(level: level)
            closed.append(summary)
            guard laterTurns, let turns = turnSummaries[level.index] else { continue }
            for turn in turns.keys.sorted() {
                var turnSummary = turns[turn]!.summary
                turnSummary.close(level: level, name: "\(level.name)/turn\(turn)")
                byTurn.append(turnSummary)
            }
        }
        timeSeries.finish(levels: all)
        return Results(levels: all, partial: partial, summaries: closed, turnSummaries: byTurn, timeSeries: timeSeries,
                       firstErrors: firstErrorTexts, points: points, pointsSeen: pointsSeen, records: recordCount,
                       coldStart: coldStart)
    }

    /// What `finish` settles.
    public struct Results {
        public var levels: [LevelResult]
        /// Levels rebuilt from their records (a killed run).
        public var partial: [LevelResult]
        public var summaries: [LevelSummary]
        public var turnSummaries: [LevelSummary]
        public var timeSeries: TimeSeries
        public var firstErrors: [ErrorClass: String]
        public var points: [(level: Int, client: Double, server: Double)]
        public var pointsSeen: Int
        public var records: Int
        public var coldStart: ColdStartTally?
    }
}

/// What a level's records say of it, for a level whose row in levels.csv was never written (`PartialLevels`).
public struct LevelExtent: Sendable {
    var name: String
    var firstScheduledNs: Int64 = .max
    var firstMeasuredScheduledNs: Int64 = .max
    var lastMeasuredScheduledNs: Int64 = .min
    var lastEndNs: Int64 = .min
    var warmupDispatches = 0
    var measuredDispatches = 0

    init(name: String) { self.name = name }

    mutating func add(_ record: RequestRecord) {
        firstScheduledNs = min(firstScheduledNs, record.scheduledNs)
        lastEndNs = max(lastEndNs, record.endNs)
        if !record.warmup {
            firstMeasuredScheduledNs = min(firstMeasuredScheduledNs, record.scheduledNs)
            lastMeasuredScheduledNs = max(lastMeasuredScheduledNs, record.scheduledNs)
        }
        // Dispatches are first attempts of first turns (retries and later turns are not dispatches).
        if record.turn == 1 && record.attempt == 1 {
            if record.warmup { warmupDispatches += 1 } else { measuredDispatches += 1 }
        }
    }

    /// The level rebuilt: it started at its first scheduled request; its window runs from the first to the last
    /// measured dispatch on disk (within the plan's duration); it ended with its last record.
    func partialLevel(index: Int, plan: LevelPlan?) -> LevelResult {
        let start = firstScheduledNs == .max ? 0 : firstScheduledNs
        let windowStart = firstMeasuredScheduledNs == .max ? start : firstMeasuredScheduledNs
        var windowEnd = lastMeasuredScheduledNs == .min ? windowStart : lastMeasuredScheduledNs
        if let duration = plan?.durationNs { windowEnd = min(windowEnd, windowStart + duration) }
        return LevelResult(index: index, name: plan?.name ?? (name.isEmpty ? "level \(index)" : name),
                           concurrency: plan?.concurrency ?? 0, rate: plan?.rate, startNs: start,
                           windowStartNs: windowStart, windowEndNs: windowEnd, endNs: lastEndNs == .min ? start : lastEndNs,
                           warmupDispatched: warmupDispatches, measuredDispatched: measuredDispatches,
                           stopReason: PartialLevels.stopReason)
    }
}
