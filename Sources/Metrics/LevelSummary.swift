import LoadGen

/// Everything reported for one level, built from its records and its measurement window.
public struct LevelSummary: Sendable {
    public let level: LevelResult
    public private(set) var distributions: [Metric: Distribution] = [:]
    /// Measured (non-warm-up) requests that ended, succeeded and failed.
    public private(set) var requests = 0
    public private(set) var succeeded = 0
    public private(set) var warmupRequests = 0
    public private(set) var errorsByClass: [ErrorClass: Int] = [:]
    /// Successful measured requests whose output tokens were estimated (no usage from the server).
    public private(set) var estimatedTokenRequests = 0
    /// Output tokens and successful requests that ended inside the measurement window.
    public private(set) var windowOutputTokens = 0
    public private(set) var windowRequests = 0
    public private(set) var newConnections = 0
    /// Measured requests that started more than `lateThresholdNs` after their scheduled time.
    public private(set) var lateRequests = 0
    public static let lateThresholdNs: Int64 = 1_000_000
    private var firstSentNs: Int64 = .max
    private var lastSentNs: Int64 = .min
    private var sentCount = 0

    public init(level: LevelResult) {
        self.level = level
        for metric in Metric.allCases { distributions[metric] = Distribution(metric: metric) }
    }

    public init(level: LevelResult, records: some Sequence<RequestRecord>) {
        self.init(level: level)
        for record in records { add(record) }
    }

    public var failed: Int { requests - succeeded }
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

    /// Measured requests actually sent per second: (sent - 1) / (last send - first send).
    public var achievedRate: Double? {
        guard sentCount > 1, lastSentNs > firstSentNs else { return nil }
        return Double(sentCount - 1) / (Double(lastSentNs - firstSentNs) / 1e9)
    }

    public mutating func add(_ record: RequestRecord) {
        guard record.level == level.index else { return }
        if record.warmup {
            warmupRequests += 1
            return
        }
        requests += 1
        if record.connection.newConnection { newConnections += 1 }
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
        if record.endNs >= level.windowStartNs && record.endNs <= level.windowEndNs {
            windowOutputTokens += record.outputTokens
            windowRequests += 1
        }
        let metrics = RequestMetrics(record)
        func put(_ metric: Metric, _ value: Double?, weight: Int = 1) {
            guard let value else { return }
            distributions[metric]!.record(value, weight: weight)
        }
        func rate(_ value: Double?) -> Double? { value.map { $0 * Metric.decodeRate.scale } }
        put(.ttft, metrics.ttftNs.map(Double.init))
        put(.ttftScheduled, metrics.ttftScheduledNs.map(Double.init))
        put(.ttfo, metrics.ttfoNs.map(Double.init))
        put(.e2e, Double(metrics.e2eNs))
        put(.e2eScheduled, Double(metrics.e2eScheduledNs))
        put(.decodeRate, rate(metrics.decodeRate))
        put(.tpot, metrics.tpotNs)
        for (value, tokens) in metrics.itl { put(.itl, value, weight: tokens) }
        for gap in metrics.iclNs { put(.icl, Double(gap)) }
        for chunk in record.chunks { put(.tokensPerChunk, Double(chunk.tokens)) }
        put(.e2eRate, rate(metrics.e2eRate))
        put(.outputTokens, Double(record.outputTokens))
        put(.inputTokens, record.inputTokens.map(Double.init))
        put(.reasoningTokens, record.reasoningTokens.map(Double.init))
        put(.serverTTFT, metrics.serverTTFTNs)
        put(.serverLatency, record.server.totalLatency.map { $0 * 1e9 })
        put(.serverDecodeRate, rate(record.server.completionTokensAfterFirstPerSec))
        put(.clientMinusServerTTFT, metrics.clientMinusServerTTFTNs)
        put(.dns, record.connection.dnsNs.map(Double.init))
        put(.connect, record.connection.connectNs.map(Double.init))
        put(.tls, record.connection.tlsNs.map(Double.init))
        put(.ttfb, record.connection.ttfbNs.map(Double.init))
    }
}
