import LoadGen

extension LevelFigure {
    /// How the figure is taken from a level's summary.
    public func value(_ summary: LevelSummary) -> Double? {
        switch self {
        case .windowSeconds: summary.level.windowSeconds
        case .requests: Double(summary.requests)
        case .succeeded: Double(summary.succeeded)
        case .failed: Double(summary.failed)
        case .errorRate: summary.errorRate
        case .warmupRequests: Double(summary.warmupRequests)
        case .estimatedTokenRequests: Double(summary.estimatedTokenRequests)
        case .estimatedInputTokenRequests: Double(summary.estimatedInputTokenRequests)
        case .tokenizerVsUsageTokens: Double(summary.tokenizerTokens - summary.tokenizerComparedUsageTokens)
        case .tokenizerVsUsagePercent: summary.tokenizerComparedUsageTokens > 0
            ? Double(summary.tokenizerTokens - summary.tokenizerComparedUsageTokens) / Double(summary.tokenizerComparedUsageTokens) * 100 : nil
        case .cachedInputTokens: Double(summary.cachedInputTokens)
        case .cachedInputPercent: summary.cachedRequestsInputTokens > 0
            ? Double(summary.cachedInputTokens) / Double(summary.cachedRequestsInputTokens) * 100 : nil
        case .inferredBatches: Double(summary.batches.figures?.batches ?? 0)
        case .inferredBatchSizeMean: summary.batches.figures?.mean
        case .inferredBatchSizeP50: summary.batches.figures.map { Double($0.median) }
        case .inferredBatchSizeMax: summary.batches.figures.map { Double($0.largest) }
        case .outputThroughput: summary.outputThroughput
        case .requestThroughput: summary.requestThroughput
        case .newConnections: Double(summary.newConnections)
        case .offeredRate: summary.level.rate
        case .achievedRate: summary.achievedRate
        case .lateRequests: Double(summary.lateRequests)
        case .goodput: summary.goodput
        case .goodFraction: summary.goodFraction
        case .transportBusyFraction: summary.level.transport?.busyFraction
        case .transportCPUFraction: summary.level.transport?.cpuFraction
        }
    }

    /// Whether the level has the figure at all (self-health only on levels whose transport measured itself).
    public func applies(to summary: LevelSummary) -> Bool {
        switch self {
        case .transportBusyFraction, .transportCPUFraction: summary.level.transport != nil
        case .tokenizerVsUsageTokens, .tokenizerVsUsagePercent: summary.tokenizerComparedRequests > 0
        case .inferredBatches, .inferredBatchSizeMean, .inferredBatchSizeP50, .inferredBatchSizeMax: summary.batches.prefills > 0
        case .cachedInputTokens, .cachedInputPercent: summary.cachedInputRequests > 0
        default: true
        }
    }
}
