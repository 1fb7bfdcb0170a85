/// Every distribution reported per level. Definitions: DESIGN.md "Metric definitions".
public enum Metric: String, CaseIterable, Sendable, Codable {
    /// Time to first token: first token-carrying chunk - sent. Role-only and empty chunks never count.
    case ttft = "ttft_ms"
    /// First token-carrying chunk - scheduled: includes waiting for a free slot.
    case ttftScheduled = "ttft_sched_ms"
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

    public var unit: Unit {
        switch self {
        case .decodeRate, .e2eRate, .serverDecodeRate: return .tokensPerSecond
        case .tokensPerChunk, .outputTokens, .inputTokens, .reasoningTokens: return .tokens
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
    public var signed: Bool { self == .clientMinusServerTTFT }
}
