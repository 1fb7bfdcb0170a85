/// What one scrape of a server's Prometheus endpoint says, in names common to every server kind: requests running
/// and waiting, KV-cache usage, the prompt and generated token counters, and the TTFT and inter-token histograms'
/// sums and counts. One table per server kind maps its own names (docs/server-figures.md shows them); series of one
/// name (per model, per engine) are added together, and the KV-cache usage is the largest.
public struct ServerMetricsSnapshot: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        case llamacpp, vllm, sglang, tgi
    }

    /// Whose names the exposition used; nil when none of the tables matched.
    public var kind: Kind?
    public var running: Double?
    public var waiting: Double?
    /// 0 to 1.
    public var kvCacheUsage: Double?
    public var promptTokensTotal: Double?
    public var generationTokensTotal: Double?
    public var ttftSumSeconds: Double?
    public var ttftCount: Double?
    public var itlSumSeconds: Double?
    public var itlCount: Double?

    public init(kind: Kind? = nil, running: Double? = nil, waiting: Double? = nil, kvCacheUsage: Double? = nil,
                promptTokensTotal: Double? = nil, generationTokensTotal: Double? = nil, ttftSumSeconds: Double? = nil,
                ttftCount: Double? = nil, itlSumSeconds: Double? = nil, itlCount: Double? = nil) {
        self.kind = kind
        self.running = running
        self.waiting = waiting
        self.kvCacheUsage = kvCacheUsage
        self.promptTokensTotal = promptTokensTotal
        self.generationTokensTotal = generationTokensTotal
        self.ttftSumSeconds = ttftSumSeconds
        self.ttftCount = ttftCount
        self.itlSumSeconds = itlSumSeconds
        self.itlCount = itlCount
    }

    /// One server kind's names. A field lists alternatives, the first present wins (servers renamed some).
    struct Table {
        var kind: Kind
        var prefix: String
        var running: [String]
        var waiting: [String]
        var kvCacheUsage: [String]
        /// Multiplies the KV-cache figure into 0-1.
        var kvScale: Double = 1
        var promptTokens: [String]
        var generationTokens: [String]
        /// Histogram families (their `_sum` and `_count` are read).
        var ttft: [String] = []
        var itl: [String] = []
    }

    static let tables: [Table] = [
        // llama.cpp's llama-server with --metrics.
        Table(kind: .llamacpp, prefix: "llamacpp:", running: ["llamacpp:requests_processing"],
              waiting: ["llamacpp:requests_deferred"], kvCacheUsage: ["llamacpp:kv_cache_usage_ratio"],
              promptTokens: ["llamacpp:prompt_tokens_total"], generationTokens: ["llamacpp:tokens_predicted_total"]),
        // vLLM (v0 and v1 names).
        Table(kind: .vllm, prefix: "vllm:", running: ["vllm:num_requests_running"], waiting: ["vllm:num_requests_waiting"],
              kvCacheUsage: ["vllm:kv_cache_usage_perc", "vllm:gpu_cache_usage_perc"],
              promptTokens: ["vllm:prompt_tokens_total"], generationTokens: ["vllm:generation_tokens_total"],
              ttft: ["vllm:time_to_first_token_seconds"],
              itl: ["vllm:inter_token_latency_seconds", "vllm:time_per_output_token_seconds"]),
        // SGLang.
        Table(kind: .sglang, prefix: "sglang:", running: ["sglang:num_running_reqs"], waiting: ["sglang:num_queue_reqs"],
              kvCacheUsage: ["sglang:token_usage"], promptTokens: ["sglang:prompt_tokens_total"],
              generationTokens: ["sglang:generation_tokens_total"], ttft: ["sglang:time_to_first_token_seconds"],
              itl: ["sglang:inter_token_latency_seconds", "sglang:time_per_output_token_seconds"]),
        // Hugging Face TGI: token counts are the sums of its per-request length histograms.
        Table(kind: .tgi, prefix: "tgi_", running: ["tgi_batch_current_size"], waiting: ["tgi_queue_size"],
              kvCacheUsage: [], promptTokens: ["tgi_request_input_length_sum"],
              generationTokens: ["tgi_request_generated_tokens_sum"],
              itl: ["tgi_request_mean_time_per_token_duration"]),
    ]

    /// Reads the exposition through the table of the kind whose prefix its families carry.
    public init(_ exposition: PrometheusExposition) {
        self.init()
        guard let table = Self.tables.first(where: { table in exposition.families.contains { $0.name.hasPrefix(table.prefix) } })
        else { return }
        kind = table.kind
        func first(_ names: [String], _ read: (String) -> Double?) -> Double? {
            names.lazy.compactMap(read).first
        }
        running = first(table.running, exposition.sum)
        waiting = first(table.waiting, exposition.sum)
        kvCacheUsage = first(table.kvCacheUsage, exposition.max).map { $0 * table.kvScale }
        promptTokensTotal = first(table.promptTokens, exposition.sum)
        generationTokensTotal = first(table.generationTokens, exposition.sum)
        if let ttft = table.ttft.first(where: { exposition.sum($0 + "_count") != nil }) {
            ttftSumSeconds = exposition.sum(ttft + "_sum")
            ttftCount = exposition.sum(ttft + "_count")
        }
        if let itl = table.itl.first(where: { exposition.sum($0 + "_count") != nil }) {
            itlSumSeconds = exposition.sum(itl + "_sum")
            itlCount = exposition.sum(itl + "_count")
        }
    }
}

extension ServerMetricsSnapshot {
    /// llama.cpp's KV-cache usage from its `/slots` answer, for builds whose `/metrics` has no KV-cache gauge: the
    /// tokens the slots' sequences hold in the cache (`n_prompt_tokens`: the prompt and what was generated after it,
    /// kept after the request for reuse) over the cells the slots have (`n_ctx`, summed). Nil for any other answer.
    public static func llamaSlotsUsage(_ body: [UInt8]) -> Double? {
        guard let value = try? JSONValue.parse(String(decoding: body, as: UTF8.self)), case .array(let slots) = value,
              !slots.isEmpty else { return nil }
        var held = 0.0
        var cells = 0.0
        for slot in slots {
            guard case .number(let context)? = slot["n_ctx"], context > 0 else { return nil }
            cells += context
            if case .number(let tokens)? = slot["n_prompt_tokens"], tokens >= 0 { held += tokens }
        }
        return min(held / cells, 1)
    }
}
