/// The metric registry: every distribution reported per level (`Metric`) and every level-wide figure
/// (`LevelFigure`), each defined once with its name (the column and SLO name), unit and polarity. SLO parsing and
/// evaluation, summary.csv/summary.json and the HDR files all read these; how each is taken from a record or a level
/// is one switch beside it in Metrics (`RequestMetrics.value`, `LevelFigure.value`).
/// Definitions: README.md, "Metric definitions".
public enum Metric: String, CaseIterable, Sendable, Codable {
    /// Time to first token: first token-carrying chunk - sent. Role-only and empty chunks never count.
    case ttft = "ttft_ms"
    /// First token-carrying chunk - scheduled: includes waiting for a free slot.
    case ttftScheduled = "ttft_sched_ms"
    /// First-token time as SambaNova's kit reads it: TTFT - (k1 - 1) * TPOT, the first chunk's arrival minus the
    /// time its other k1 - 1 tokens took at the request's own decode pace. Equal to TTFT when k1 is 1.
    case ttftToken = "ttft_token_ms"
    /// Time to first output: first answer-text (non-reasoning) chunk - sent.
    case ttfo = "ttfo_ms"
    /// end - sent.
    case e2e = "e2e_ms"
    /// end - scheduled.
    case e2eScheduled = "e2e_sched_ms"
    /// (N - k1) / (tL - t1): tokens after the first chunk over the time they took.
    case decodeRate = "decode_tps"
    /// The inverse of the decode rate.
    case tpot = "tpot_ms"
    /// Each later chunk's gap divided over its tokens, weighted by its tokens.
    case itl = "itl_ms"
    /// Raw gaps between consecutive token-carrying chunks.
    case icl = "icl_ms"
    /// Tokens in each token-carrying chunk.
    case tokensPerChunk = "tokens_per_chunk"
    /// N / (end - sent).
    case e2eRate = "e2e_tps"
    /// N per request.
    case outputTokens = "output_tokens"
    case inputTokens = "input_tokens"
    case reasoningTokens = "reasoning_tokens"
    /// The scenario tokenizer's count of the output - the server's usage count (requests with both). May be negative.
    case tokenizerVsUsage = "tokenizer_vs_usage"
    /// The server's own `time_to_first_token`.
    case serverTTFT = "server_ttft_ms"
    /// The server's `total_latency`.
    case serverLatency = "server_latency_ms"
    /// The server's `completion_tokens_after_first_per_sec`.
    case serverDecodeRate = "server_decode_tps"
    /// Client TTFT - server TTFT: network and queueing outside the server's clock. May be negative.
    case clientMinusServerTTFT = "client_minus_server_ttft_ms"
    /// sent - scheduled: how late the request started against its plan (open loop: its intended arrival time).
    case lateness = "lateness_ms"
    /// First token-carrying chunk's arrival - the mock's stamped send time of it: the client's own timestamp error
    /// (only against a mock that stamps its send times).
    case ttftError = "ttft_error_ms"
    /// libcurl's name lookup, connect, TLS and first-byte times (new connections only for the first three).
    case dns = "dns_ms"
    case connect = "connect_ms"
    case tls = "tls_ms"
    case ttfb = "ttfb_ms"

    /// Metrics with one value per successful request (the others have one per chunk or gap).
    /// Lateness is recorded for every sent request, failed ones included, so it is not in this list.
    public static let perRequest: [Metric] = allCases.filter { ![.itl, .icl, .tokensPerChunk, .lateness].contains($0) }

    public enum Unit: String, Sendable {
        case milliseconds = "ms"
        case tokensPerSecond = "tokens/s"
        case tokens = "tokens"
    }

    /// The metric's name: its column in requests.csv and summary.csv, and what an SLO names.
    public var name: String { rawValue }

    public var unit: Unit {
        switch self {
        case .decodeRate, .e2eRate, .serverDecodeRate: return .tokensPerSecond
        case .tokensPerChunk, .outputTokens, .inputTokens, .reasoningTokens, .tokenizerVsUsage: return .tokens
        default: return .milliseconds
        }
    }

    /// Histogram units per reported unit: nanoseconds per ms; rates are kept in thousandths of a token/s.
    public var scale: Double {
        switch unit {
        case .milliseconds: return 1e6
        case .tokensPerSecond: return 1e3
        case .tokens: return 1
        }
    }

    /// True when a larger value is better (rates); false for latencies.
    public var largerIsBetter: Bool { unit == .tokensPerSecond }

    /// Values that can be below zero are kept exactly instead of in a histogram.
    public var signed: Bool { self == .clientMinusServerTTFT || self == .tokenizerVsUsage }
}

/// A level-wide figure: one number per level (not a distribution). Listed in summary.csv's order; an SLO may name
/// those with `sloName` set.
public enum LevelFigure: String, CaseIterable, Sendable {
    /// The measurement window's length.
    case windowSeconds = "window_s"
    /// Measured requests: succeeded + failed.
    case requests
    case succeeded
    case failed
    /// failed / requests (errors count as attempted).
    case errorRate = "error_rate"
    case warmupRequests = "warmup_requests"
    /// Requests whose output tokens are a local estimate, not the server's usage.
    case estimatedTokenRequests = "estimated_token_requests"
    case estimatedInputTokenRequests = "estimated_input_token_requests"
    /// Sum over the level's requests with both counts of (tokenizer count - usage count) of their output, and that
    /// sum as a percentage of their usage total: how far the scenario's tokenizer is from the server's count.
    case tokenizerVsUsageTokens = "tokenizer_vs_usage_tokens"
    case tokenizerVsUsagePercent = "tokenizer_vs_usage_pct"
    /// Input tokens the server answered from its prompt cache, summed over the successful measured requests that
    /// reported a cached count, and that sum as a percentage of those requests' input tokens (which include them).
    /// Only on levels whose server reported cached tokens.
    case cachedInputTokens = "cached_input_tokens"
    case cachedInputPercent = "cached_input_pct"
    /// Batches inferred from the server's start times and TTFTs (`BatchInference`), and the requests per batch:
    /// mean, median and largest. Only on levels whose server reported both figures.
    case inferredBatches = "inferred_batches"
    case inferredBatchSizeMean = "inferred_batch_size_mean"
    case inferredBatchSizeP50 = "inferred_batch_size_p50"
    case inferredBatchSizeMax = "inferred_batch_size_max"
    /// Output tokens of successful requests that ended inside the window / window length.
    case outputThroughput = "output_throughput_tps"
    /// Successful requests that ended inside the window / window length.
    case requestThroughput = "request_throughput_rps"
    case newConnections = "new_connections"
    /// The open loop's planned rate.
    case offeredRate = "offered_rate_rps"
    /// Measured requests sent per second: (count - 1) / (last sent - first sent).
    case achievedRate = "achieved_rate_rps"
    /// Requests that started over 1 ms after their plan.
    case lateRequests = "late_requests"
    /// Requests that met every SLO / window.
    case goodput = "goodput_rps"
    /// Requests that met every SLO / requests attempted.
    case goodFraction = "good_fraction"
    /// Self-health: the transport thread's busy time over the level's wall time (levels run on a transport that
    /// measures it).
    case transportBusyFraction = "transport_busy_fraction"
    case transportCPUFraction = "transport_cpu_fraction"

    public var name: String { rawValue }

    public var unit: String {
        switch self {
        case .windowSeconds: "s"
        case .requests, .succeeded, .failed, .warmupRequests, .estimatedTokenRequests, .estimatedInputTokenRequests,
             .lateRequests: "requests"
        case .errorRate, .goodFraction, .transportBusyFraction, .transportCPUFraction: "fraction"
        case .outputThroughput: "tokens/s"
        case .tokenizerVsUsageTokens, .cachedInputTokens: "tokens"
        case .tokenizerVsUsagePercent, .cachedInputPercent: "%"
        case .inferredBatches: "batches"
        case .inferredBatchSizeMean, .inferredBatchSizeP50, .inferredBatchSizeMax: "requests"
        case .requestThroughput, .offeredRate, .achievedRate, .goodput: "requests/s"
        case .newConnections: "connections"
        }
    }

    /// True when a larger value is better.
    public var largerIsBetter: Bool {
        switch self {
        case .outputThroughput, .requestThroughput, .achievedRate, .goodput, .goodFraction, .succeeded: true
        default: false
        }
    }

    /// The figures an SLO may name without a statistic.
    public var sloEligible: Bool {
        switch self {
        case .errorRate, .outputThroughput, .requestThroughput, .goodput, .goodFraction, .achievedRate: true
        default: false
        }
    }
}
