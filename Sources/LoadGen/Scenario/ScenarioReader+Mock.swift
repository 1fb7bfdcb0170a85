import Yams

/// `mock:`: the embedded mock server's timing, capacity and faults.
extension ScenarioReader {
    static let mockKeys = ["ttft", "decode_rate", "tokens_per_chunk", "output_tokens", "seed", "capacity",
                           "reasoning_share", "tool_call_share", "faults", "stamp_send_times", "word_lengths", "api_key"]

    mutating func mock(_ node: Node) throws -> MockSettings {
        let map = try mapping(node, path: "mock", allowed: Self.mockKeys)
        var settings = MockSettings()
        if let n = map["ttft"] { settings.ttftNs = try duration(n, path: "mock.ttft", in: MockSettings.ttftRange) }
        if let n = map["decode_rate"] {
            settings.decodeTokensPerSecond = try double(n, path: "mock.decode_rate", in: MockSettings.decodeRateRange)
        }
        if let n = map["tokens_per_chunk"] { settings.tokensPerChunk = try intRange(n, path: "mock.tokens_per_chunk") }
        if let n = map["output_tokens"] { settings.outputTokens = try intRange(n, path: "mock.output_tokens") }
        if let n = map["seed"] { settings.seed = UInt64(try int(n, path: "mock.seed", in: 0...Int.max)) }
        if let n = map["reasoning_share"] { settings.reasoningShare = try double(n, path: "mock.reasoning_share", in: 0...1) }
        if let n = map["tool_call_share"] { settings.toolCallShare = try double(n, path: "mock.tool_call_share", in: 0...1) }
        if let n = map["faults"] { settings.faults = try faults(n) }
        if let n = map["stamp_send_times"] { settings.stampSendTimes = try bool(n, path: "mock.stamp_send_times") }
        if let n = map["word_lengths"] {
            let value = try string(n, path: "mock.word_lengths")
            guard ["uniform", "varied"].contains(value) else {
                throw located(n, "mock.word_lengths", "'\(value)' is not a word-length mix",
                              hint: "uniform (five-byte words) or varied (2 to 17 bytes, each one token in o200k_base)")
            }
            settings.variedWordLengths = value == "varied"
        }
        if let n = map["api_key"] {
            // Not echoed: it is a key.
            let key = try string(n, path: "mock.api_key")
            guard !key.isEmpty, key.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F }) else {
                throw located(n, "mock.api_key", "the key is empty or holds a space or control character",
                              hint: "one printable word, or leave mock.api_key out to have a key made for the run")
            }
            settings.apiKey = key
        }
        if let n = map["capacity"] {
            let capacity = try mapping(n, path: "mock.capacity", allowed: ["slots", "queue", "decode_rate_at_capacity", "batch_window", "max_batch"])
            guard let slots = capacity["slots"] else {
                throw located(n, "mock.capacity.slots", "missing required key", hint: "the concurrent requests the mock serves, e.g. 16")
            }
            settings.capacity = MockSettings.Capacity(
                slots: try int(slots, path: "mock.capacity.slots", in: 1...100_000),
                maxQueue: try capacity["queue"].map { try int($0, path: "mock.capacity.queue", in: 0...10_000_000) } ?? 100_000,
                decodeRateAtCapacity: try capacity["decode_rate_at_capacity"].map {
                    try double($0, path: "mock.capacity.decode_rate_at_capacity", in: 0.001...10_000_000)
                } ?? settings.decodeTokensPerSecond)
            if let window = capacity["batch_window"] {
                settings.capacity?.batchWindowNs = try duration(window, path: "mock.capacity.batch_window", in: 0...60_000_000_000)
            }
            if let maxBatch = capacity["max_batch"] {
                guard capacity["batch_window"] != nil else {
                    throw located(maxBatch, "mock.capacity.max_batch", "max_batch without batch_window",
                                  hint: "batched prefill needs its window, e.g. batch_window: 20ms")
                }
                settings.capacity?.maxBatch = try int(maxBatch, path: "mock.capacity.max_batch", in: 1...100_000)
            }
        }
        return settings
    }

    mutating func faults(_ node: Node) throws -> MockSettings.Faults {
        let keys = MockSettings.Faults.keys
        let map = try mapping(node, path: "mock.faults", allowed: keys + ["stall_time", "retry_after", "after_chunks"])
        var faults = MockSettings.Faults()
        func rate(_ key: String) throws -> Double {
            try map[key].map { try double($0, path: "mock.faults.\(key)", in: 0...1) } ?? 0
        }
        faults.rateLimited = try rate("rate_limited")
        faults.overloaded = try rate("overloaded")
        faults.streamError = try rate("stream_error")
        faults.disconnect = try rate("disconnect")
        faults.stall = try rate("stall")
        faults.malformed = try rate("malformed")
        faults.drip = try rate("drip")
        let total = try keys.map(rate).reduce(0, +)
        guard total <= 1 + 1e-9 else {
            throw located(node, "mock.faults", "the fault shares add up to \(total), above 1",
                          hint: "each request gets at most one fault: the shares must add up to at most 1")
        }
        if let n = map["stall_time"] {
            if case .scalar(let scalar) = n, ["none", "forever"].contains(scalar.string) {
                faults.stallNs = nil
            } else {
                faults.stallNs = try duration(n, path: "mock.faults.stall_time", in: DurationText.defaultRange)
            }
        }
        if let n = map["retry_after"] { faults.retryAfterMs = Int(try duration(n, path: "mock.faults.retry_after", in: MockSettings.retryAfterRange) / 1_000_000) }
        if let n = map["after_chunks"] { faults.afterChunks = try intRange(n, path: "mock.faults.after_chunks") }
        return faults
    }
}
