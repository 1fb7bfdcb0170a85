/// Retries: off by default, because a benchmark must not hide errors. When on, a failed request of a listed class
/// is sent again up to `maxRetries` times, each attempt its own record (`attempt` 1, 2, ...), after a backoff that
/// doubles from `backoffNs` up to `maxBackoffNs` and is never shorter than the server's `Retry-After` /
/// `retry-after-ms` (which is honoured up to `maxRetryAfterNs`).
public struct RetryPolicy: Sendable, Equatable {
    public var maxRetries = 0
    public var on: Set<ErrorClass> = RetryPolicy.defaultClasses
    public var backoffNs: Int64 = 1_000_000_000
    public var maxBackoffNs: Int64 = 30_000_000_000
    public static let maxRetryAfterNs: Int64 = 300_000_000_000
    /// `retries.backoff` and `retries.max_backoff`: zero to an hour.
    public static let backoffRange: ClosedRange<Int64> = 0...3_600_000_000_000

    /// Failures that a new attempt may get past: rate limits, overload, connection trouble.
    public static let defaultClasses: Set<ErrorClass> = [.rateLimited, .serverError, .connect, .timeoutConnect]

    public init() {}

    public var enabled: Bool { maxRetries > 0 }

    /// The wait before attempt `attempt + 1`. The server's wait is clamped to `maxRetryAfterNs` before it becomes
    /// an integer, so any number a server sends (`retry-after-ms: 99999999999999999999`) gives a wait, never a trap.
    public func delayNs(afterAttempt attempt: Int, retryAfterMs: Double?) -> Int64 {
        let doubled = Double(max(backoffNs, 0)) * Double(1 << min(max(attempt - 1, 0), 30))
        let backoff = Int64(min(doubled, Double(max(maxBackoffNs, 0))))
        guard let retryAfterMs, retryAfterMs.isFinite, retryAfterMs > 0 else { return backoff }
        return max(backoff, Int64(min(retryAfterMs * 1e6, Double(Self.maxRetryAfterNs)).rounded()))
    }
}

/// Ends the run early when a level's error rate passes a threshold: everything measured is still written.
public struct AbortPolicy: Sendable, Equatable {
    /// The error rate (0 to 1) over the level's measured requests above which the run stops.
    public var errorRate: Double
    /// Requests the level must have finished before the rate is judged.
    public var minRequests: Int

    public init(errorRate: Double, minRequests: Int = 20) {
        self.errorRate = errorRate
        self.minRequests = minRequests
    }
}
