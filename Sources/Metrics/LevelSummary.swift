import LoadGen

/// Everything reported for one level, built from its records and its measurement window.
public struct LevelSummary: Sendable {
    public let level: LevelResult
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
    /// The server's start time and TTFT of each successful measured request that reported both (batch inference).
    public private(set) var serverPrefills: [BatchInference.Prefill] = []
    /// Output tokens and successful requests (warm-up included) that ended inside the measurement window.
    public private(set) var windowOutputTokens = 0
    public private(set) var windowRequests = 0
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

    public init(level: LevelResult, slos: [SLO] = []) {
        self.level = level
        self.slos = slos
        for metric in Metric.allCases { distributions[metric] = Distribution(metric: metric) }
    }

    public init(level: LevelResult, records: some Sequence<RequestRecord>, slos: [SLO] = []) {
        self.init(level: level, slos: slos)
        for record in records { add(record) }
    }

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
        guard record.level == level.index else { return }
        // Throughput is about the window's time: every request that ended inside it counts, a warm-up one too
        // (it used the server during the window).
        let inWindow = record.succeeded && record.endNs >= level.windowStartNs && record.endNs <= level.windowEndNs
        let metrics = RequestMetrics(record)
        if inWindow {
            windowOutputTokens += record.outputTokens
            windowRequests += 1
            if meetsEverySLO(record, metrics) { goodWindowRequests += 1 }
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
            serverPrefills.append(BatchInference.Prefill(start: start, ttft: ttft))
        }
        if let counted = record.tokenizerTokens, record.tokenizerVsUsage != nil {
            tokenizerComparedRequests += 1
            tokenizerTokens += counted
            tokenizerComparedUsageTokens += record.outputTokens
        }
        for metric in Metric.perRequest {
            if let value = metrics.value(metric, of: record) { distributions[metric]!.record(value) }
        }
        for gap in metrics.itl { distributions[.itl]!.record(gap.valueNs, weight: gap.tokens) }
        for gap in metrics.iclNs { distributions[.icl]!.record(Double(gap)) }
        for chunk in record.chunks { distributions[.tokensPerChunk]!.record(Double(chunk.tokens)) }
        if meetsEverySLO(record, metrics) { goodRequests += 1 }
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

    /// Requests per batch the server prefilled, inferred from `serverPrefills` (README: Batch size from the server's TTFT).
    public var inferredBatchSizes: [Int] { BatchInference.batchSizes(serverPrefills) }
}
