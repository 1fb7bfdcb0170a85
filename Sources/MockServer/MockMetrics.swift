import Synchronization

/// `GET /metrics`: the mock's own counts in llama.cpp's Prometheus names, so a run's server-metrics scrape is checked
/// against known truth. Counters are of answers written to their end (a stream to its terminator, a body whole);
/// answers cut by a fault are not counted, as a server counts only what it finished generating.
///
/// | name                            | type    | value                                                        |
/// |---------------------------------|---------|--------------------------------------------------------------|
/// | `llamacpp:prompt_tokens_total`  | counter | prompt tokens of the answers written                         |
/// | `llamacpp:tokens_predicted_total` | counter | output tokens of the answers written                       |
/// | `llamacpp:requests_processing`  | gauge   | requests holding a capacity slot (with `mock.capacity` only) |
/// | `llamacpp:requests_deferred`    | gauge   | requests queued for a slot (with `mock.capacity` only)       |
/// | `llamacpp:kv_cache_usage_ratio` | gauge   | slots in use / slots (each request holds one slot's cache; with `mock.capacity` only) |
enum MockMetrics {
    static func exposition(counter: RequestCounter, gate: CapacityGate?) -> String {
        var text = """
        # HELP llamacpp:prompt_tokens_total Number of prompt tokens processed.
        # TYPE llamacpp:prompt_tokens_total counter
        llamacpp:prompt_tokens_total \(counter.promptTokens.load(ordering: .relaxed))
        # HELP llamacpp:tokens_predicted_total Number of generation tokens processed.
        # TYPE llamacpp:tokens_predicted_total counter
        llamacpp:tokens_predicted_total \(counter.outputTokens.load(ordering: .relaxed))

        """
        if let gate {
            let (active, queued) = gate.counts
            text += """
            # HELP llamacpp:requests_processing Number of requests processing.
            # TYPE llamacpp:requests_processing gauge
            llamacpp:requests_processing \(active)
            # HELP llamacpp:requests_deferred Number of requests deferred.
            # TYPE llamacpp:requests_deferred gauge
            llamacpp:requests_deferred \(queued)
            # HELP llamacpp:kv_cache_usage_ratio KV-cache usage. 1 means 100 percent usage.
            # TYPE llamacpp:kv_cache_usage_ratio gauge
            llamacpp:kv_cache_usage_ratio \(Double(active) / Double(max(gate.capacity.slots, 1)))

            """
        }
        return text
    }
}

extension CapacityGate {
    /// Requests holding a slot and requests queued, read together.
    var counts: (active: Int, queued: Int) { state.withLock { ($0.active, $0.queue.count) } }
}
