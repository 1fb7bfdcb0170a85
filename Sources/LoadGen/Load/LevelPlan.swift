/// One load level to run: a concurrency with its warm-up, measurement limits and drain.
public struct LevelPlan: Sendable, Equatable, Codable {
    public var index: Int
    /// `c8` for concurrency 8.
    public var name: String
    public var concurrency: Int
    /// Measured requests (after warm-up); nil when only the duration limits the level.
    public var requests: Int?
    /// Measurement window; nil when only the request count limits the level.
    public var durationNs: Int64?
    public var warmup: Int
    public var thinkTimeNs: Int64
    public var drainTimeoutNs: Int64

    public init(index: Int, name: String, concurrency: Int, requests: Int?, durationNs: Int64?, warmup: Int,
                thinkTimeNs: Int64 = 0, drainTimeoutNs: Int64 = 120_000_000_000) {
        self.index = index
        self.name = name
        self.concurrency = concurrency
        self.requests = requests
        self.durationNs = durationNs
        self.warmup = warmup
        self.thinkTimeNs = thinkTimeNs
        self.drainTimeoutNs = drainTimeoutNs
    }

    /// The closed-loop levels of a scenario, in the order given.
    public static func closedLoop(_ load: LoadSettings) -> [LevelPlan] {
        load.concurrency.enumerated().map { index, concurrency in
            LevelPlan(index: index, name: "c\(concurrency)", concurrency: concurrency, requests: load.requests,
                      durationNs: load.durationNs, warmup: load.warmup, thinkTimeNs: load.thinkTimeNs,
                      drainTimeoutNs: load.drainTimeoutNs)
        }
    }
}

/// What happened to a level: its measurement window and counts. Throughput is computed over the window only.
public struct LevelResult: Sendable, Equatable, Codable {
    public var index: Int
    public var name: String
    public var concurrency: Int
    /// First dispatch of the level (warm-up included), nanoseconds from the run origin.
    public var startNs: Int64
    /// The measurement window: from the first measured dispatch to the end of the duration or the last measured
    /// dispatch, whichever came first. Warm-up before it and the drain after it are excluded.
    public var windowStartNs: Int64
    public var windowEndNs: Int64
    /// When the last request of the level finished.
    public var endNs: Int64
    public var warmupDispatched: Int
    public var measuredDispatched: Int
    /// `requests`, `duration`, or `cancelled`.
    public var stopReason: String

    public init(index: Int, name: String, concurrency: Int, startNs: Int64, windowStartNs: Int64, windowEndNs: Int64,
                endNs: Int64, warmupDispatched: Int, measuredDispatched: Int, stopReason: String) {
        self.index = index
        self.name = name
        self.concurrency = concurrency
        self.startNs = startNs
        self.windowStartNs = windowStartNs
        self.windowEndNs = windowEndNs
        self.endNs = endNs
        self.warmupDispatched = warmupDispatched
        self.measuredDispatched = measuredDispatched
        self.stopReason = stopReason
    }

    public var windowSeconds: Double { Double(windowEndNs - windowStartNs) / 1e9 }
}
