import LoadGen

/// Everything reported for one level, built from its records and its measurement window. Records are added as they
/// arrive, before the window is known (it closes with the level): the window's figures are settled by `close`, from a
/// `WindowLedger` whose memory stays bounded however many records the level has.
public struct LevelSummary: Sendable {
    public private(set) var level: LevelResult
    public private(set) var distributions: [Metric: Distribution] = [:]
    /// Measured (non-warm-up) requests that ended, succeeded and failed.
    public private(set) var requests = 0
    public private(set) var succeeded = 0
    public private(set) var warmupRequests = 0
    /// The slowest warm-up TTFT, to show what warm-up kept out of the statistics.
    public private(set) var slowestWarmupTTFTNs: Int64?
    public private(set) var errorsByClass: [ErrorClass: Int] = [:]
    /// Successful measured requests whose output tokens were estimated (no usage from the server).
    public private(set) var estimatedTokenRequests = 0
    /// Successful measured requests whose input tokens are the prompt's local estimate (no usage from the server).
    public private(set) var estimatedInputTokenRequests = 0
    /// Successful measured requests with both a tokenizer count and a usage count of their output, and the sums.
    public private(set) var tokenizerComparedRequests = 0
    public private(set) var tokenizerTokens = 0
    public private(set) var tokenizerComparedUsageTokens = 0
    /// Successful measured requests that reported cached input tokens, those tokens, and their input tokens.
    public private(set) var cachedInputRequests = 0
    public private(set) var cachedInputTokens = 0
    public private(set) var cachedRequestsInputTokens = 0
    /// The batches the server prefilled, inferred from the start time and TTFT of each successful measured request
    /// that reported both, counted as records arrive (`BatchInference.Tally`).
    public var batches = BatchInference.Tally()
    /// Output tokens and successful requests (warm-up included) that ended inside the measurement window.
    public private(set) var windowOutputTokens = 0
    public private(set) var windowRequests = 0
    /// Successful requests and their tokens, until `close` settles which ended inside the window.
    private var ledger = WindowLedger()
    /// Token-carrying chunks of successful measured requests by their token count (the tokens-per-chunk plot).
    public private(set) var chunksByTokens: [Int: Int] = [:]
    /// Each request's last chunk by its token count, apart (it carries the remainder of the answer). Not known when the
    /// figures are restored from the HDR log: then every chunk is in `chunksByTokens`.
    public private(set) var lastChunksByTokens: [Int: Int] = [:]
    /// Whether chunk-level figures (ITL, ICL, tokens per chunk) come from the records' chunks; off when `report`
    /// restores them from the run's HDR log because chunk rows were not all kept.
    var chunkFiguresFromRecords = true
    public private(set) var newConnections = 0
    /// Measured requests whose response named another model than the one asked, by the model it named.
    public private(set) var otherModels: [String: Int] = [:]
    /// Measured requests that started more than `lateThresholdNs` after their scheduled time.
    public private(set) var lateRequests = 0
    public static let lateThresholdNs: Int64 = 1_000_000
    private var firstSentNs: Int64 = .max
    private var lastSentNs: Int64 = .min
    private var sentCount = 0

    /// The objectives goodput is counted against.
    public let slos: [SLO]
    /// Successful measured requests that met every per-request objective; those that ended inside the window.
    public private(set) var goodRequests = 0
    public private(set) var goodWindowRequests = 0

    /// A summary of a level whose window is known: `add` its records, then `close()`.
    public init(level: LevelResult, slos: [SLO] = []) {
        self.level = level
        self.slos = slos
        for metric in Metric.allCases { distributions[metric] = Distribution(metric: metric) }
    }

    /// A summary of a level still running: its window is given to `close(level:)` when it ends.
    public init(index: Int, name: String, slos: [SLO] = []) {
        self.init(level: LevelResult(index: index, name: name, concurrency: 0, startNs: 0, windowStartNs: 0, windowEndNs: 0,
                                     endNs: 0, warmupDispatched: 0, measuredDispatched: 0, stopReason: ""), slos: slos)
    }

    public init(level: LevelResult, records: some Sequence<RequestRecord>, slos: [SLO] = []) {
        self.init(level: level, slos: slos)
        for record in records { add(record) }
        close()
    }

    /// Settles the window's figures with the level as it ended; `name` replaces its name (a turn's summary).
    public mutating func close(level: LevelResult, name: String? = nil) {
        self.level = level
        if let name { self.level.name = name }
        close()
    }

    /// Settles the window's figures with the level this summary was made with.
    public mutating func close() {
        let totals = ledger.totals(windowStartNs: level.windowStartNs, windowEndNs: level.windowEndNs)
        windowOutputTokens = totals.tokens
        windowRequests = totals.requests
        goodWindowRequests = totals.good
        ledger = WindowLedger()
        batches.finish()
    }

    /// The ledger's entries not yet folded (its memory), for tests.
    var pendingWindowEntries: Int { ledger.pendingCount }
    public var failed: Int { requests - succeeded }
    public var otherModelRequests: Int { otherModels.values.reduce(0, +) }
    public var errorRate: Double { requests == 0 ? 0 : Double(failed) / Double(requests) }

    /// System output throughput: output tokens of requests completed inside the window / window length.
    public var outputThroughput: Double? {
        level.windowSeconds > 0 ? Double(windowOutputTokens) / level.windowSeconds : nil
    }

    /// Successful requests completed inside the window / window length.
    public var requestThroughput: Double? {
        level.windowSeconds > 0 ? Double(windowRequests) / level.windowSeconds : nil
    }

    public func stats(_ metric: Metric) -> Stats? { distributions[metric]?.stats }

    /// Requests that met every objective per second of the window.
    public var goodput: Double? {
        level.windowSeconds > 0 ? Double(goodWindowRequests) / level.windowSeconds : nil
    }

    /// Requests that met every objective / requests attempted (errors count as attempted).
    public var goodFraction: Double? { requests == 0 ? nil : Double(goodRequests) / Double(requests) }

    /// Measured requests actually sent per second: (sent - 1) / (last send - first send).
    public var achievedRate: Double? {
        guard sentCount > 1, lastSentNs > firstSentNs else { return nil }
        return Double(sentCount - 1) / (Double(lastSentNs - firstSentNs) / 1e9)
    }

    public mutating func add(_ record: RequestRecord) {
        add(record, RequestMetrics(record, gaps: false))
    }

    mutating func add(_ record: RequestRecord, _ metrics: RequestMetrics) {
        guard record.level == level.index else { return }
        // Throughput is about the window's time: every request that ended inside it counts, a warm-up one too
        // (it used the server during the window). Which did is settled by `close`.
        if record.turn == 1 && record.attempt == 1 && !record.warmup { ledger.noteDispatch(scheduledNs: record.scheduledNs) }
        if record.succeeded {
            ledger.add(endNs: record.endNs, tokens: record.outputTokens, good: meetsEverySLO(record, metrics), warmup: record.warmup)
        }
        if record.warmup {
            warmupRequests += 1
            if let ttft = metrics.ttftNs { slowestWarmupTTFTNs = max(slowestWarmupTTFTNs ?? ttft, ttft) }
            return
        }
        requests += 1
        if record.connection.newConnection { newConnections += 1 }
        if let other = record.responseModel { otherModels[other, default: 0] += 1 }
        if record.errorClass != .dropped {
            let lateness = record.sentNs - record.scheduledNs
            distributions[.lateness]!.record(Double(max(lateness, 0)))
            if lateness > Self.lateThresholdNs { lateRequests += 1 }
            sentCount += 1
            firstSentNs = min(firstSentNs, record.sentNs)
            lastSentNs = max(lastSentNs, record.sentNs)
        }
        guard record.succeeded else {
            errorsByClass[record.errorClass!, default: 0] += 1
            return
        }
        succeeded += 1
        if record.tokenSource == .estimate { estimatedTokenRequests += 1 }
        if record.inputTokenSource == .estimate { estimatedInputTokenRequests += 1 }
        if let start = record.server.startTime, let ttft = record.server.timeToFirstToken {
            batches.add(BatchInference.Prefill(start: start, ttft: ttft))
        }
        if let cached = record.cachedInputTokens {
            cachedInputRequests += 1
            cachedInputTokens += cached
            cachedRequestsInputTokens += record.inputTokens ?? 0
        }
        if let counted = record.tokenizerTokens, record.tokenizerVsUsage != nil {
            tokenizerComparedRequests += 1
            tokenizerTokens += counted
            tokenizerComparedUsageTokens += record.outputTokens
        }
        for metric in Metric.perRequest {
            if let value = metrics.value(metric, of: record) { distributions[metric]!.record(value) }
        }
        if chunkFiguresFromRecords && !record.chunks.isEmpty {
            // Taken out of the dictionary for the chunks' loop, so each chunk costs no lookup.
            var icl = distributions.removeValue(forKey: .icl)!
            var itl = distributions.removeValue(forKey: .itl)!
            var perChunk = distributions.removeValue(forKey: .tokensPerChunk)!
            record.forEachChunkGap { gap, tokens in
                icl.record(Double(gap))
                if tokens > 0 { itl.record(Double(gap) / Double(tokens), weight: tokens) }
            }
            var lastTokens = -1
            var run = 0
            for chunk in record.chunks.dropLast() {
                perChunk.record(Double(chunk.tokens))
                if chunk.tokens == lastTokens {
                    run += 1
                } else {
                    if run > 0 { chunksByTokens[lastTokens, default: 0] += run }
                    lastTokens = chunk.tokens
                    run = 1
                }
            }
            if run > 0 { chunksByTokens[lastTokens, default: 0] += run }
            let final = record.chunks[record.chunks.count - 1]
            perChunk.record(Double(final.tokens))
            lastChunksByTokens[final.tokens, default: 0] += 1
            distributions[.icl] = icl
            distributions[.itl] = itl
            distributions[.tokensPerChunk] = perChunk
        }
        if meetsEverySLO(record, metrics) { goodRequests += 1 }
    }

    /// Replaces the chunk-level distributions with those restored from the run's HDR log (`report` on a run whose
    /// chunk rows were not all kept).
    mutating func restoreChunkFigures(_ restored: [Metric: Distribution]) {
        for (metric, distribution) in restored { distributions[metric] = distribution }
        chunksByTokens = [:]
        lastChunksByTokens = [:]
        if let tokens = restored[.tokensPerChunk] {
            for bucket in tokens.histogram.recordedValues() {
                chunksByTokens[Int(tokens.histogram.lowestEquivalentForValue(bucket.value)), default: 0] += Int(bucket.count)
            }
        }
    }

    /// A request counts toward goodput when each objective on a per-request metric holds for its own value
    /// (a metric the request has no value for, such as TTFT without streaming, is not held against it).
    func meetsEverySLO(_ record: RequestRecord, _ metrics: RequestMetrics) -> Bool {
        slos.allSatisfy { slo in
            guard slo.statistic != .value, let metric = Metric(rawValue: slo.metric), Metric.perRequest.contains(metric),
                  let value = metrics.value(metric, of: record) else { return true }
            return slo.comparison.holds(value / metric.scale, slo.threshold)
        }
    }

    /// Requests per batch the server prefilled, smallest first (README: Batch size from the server's TTFT).
    public var inferredBatchSizes: [Int] { batches.sizes }
}

/// Which successful requests of a level ended inside its measurement window, decided when the level ends, in memory
/// that does not grow with the level's length. The window starts at or before the first measured dispatch and ends
/// at or after the last one (README, "Metric definitions"), so a measured request that ended before the latest
/// measured dispatch seen so far (less a margin for dispatch times that race) is certainly inside it: such entries are
/// folded into running totals. What stays is the requests of the last moments and the warm-up (which can end before
/// the window opens).
struct WindowLedger: Sendable {
    struct Entry: Sendable {
        var endNs: Int64
        var tokens: Int
        var good: Bool
        var warmup: Bool
    }

    private(set) var folded = (tokens: 0, requests: 0, good: 0)
    private var pending: [Entry] = []
    /// Entries that end at or before this are inside the window.
    private var horizonNs: Int64 = .min
    /// Dispatch times race between users by microseconds; a second is far beyond that.
    static let marginNs: Int64 = 1_000_000_000
    /// Pending entries are folded when there are this many.
    static let foldAt = 4096

    var pendingCount: Int { pending.count }

    mutating func noteDispatch(scheduledNs: Int64) {
        horizonNs = max(horizonNs, scheduledNs - Self.marginNs)
    }

    /// Pending entries are folded again when there are this many (twice what the last fold kept, at least `foldAt`).
    private var nextFold = Self.foldAt

    mutating func add(endNs: Int64, tokens: Int, good: Bool, warmup: Bool) {
        pending.append(Entry(endNs: endNs, tokens: tokens, good: good, warmup: warmup))
        if pending.count >= nextFold {
            fold()
            nextFold = max(Self.foldAt, 2 * pending.count)
        }
    }

    private mutating func fold() {
        let horizon = horizonNs
        var kept: [Entry] = []
        kept.reserveCapacity(Self.foldAt)
        for entry in pending {
            if !entry.warmup && entry.endNs <= horizon {
                folded.tokens += entry.tokens
                folded.requests += 1
                if entry.good { folded.good += 1 }
            } else {
                kept.append(entry)
            }
        }
        pending = kept
    }

    /// The window's totals: the folded ones and each pending entry that ended inside [start, end].
    func totals(windowStartNs: Int64, windowEndNs: Int64) -> (tokens: Int, requests: Int, good: Int) {
        var totals = folded
        for entry in pending where entry.endNs >= windowStartNs && entry.endNs <= windowEndNs {
            totals.tokens += entry.tokens
            totals.requests += 1
            if entry.good { totals.good += 1 }
        }
        return totals
    }
}
