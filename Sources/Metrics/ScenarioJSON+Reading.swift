import LoadGen

extension JSONValue {
    var stringValue: String? { if case .string(let value) = self { value } else { nil } }
    var numberValue: Double? { if case .number(let value) = self { value } else { nil } }
    var intValue: Int? { numberValue.flatMap { $0.rounded() == $0 && abs($0) < 1e15 ? Int($0) : nil } }
    var boolValue: Bool? { if case .bool(let value) = self { value } else { nil } }
    var arrayValue: [JSONValue]? { if case .array(let value) = self { value } else { nil } }
    var isNull: Bool { if case .null = self { true } else { false } }
}

extension ScenarioJSON {
    public struct ReadError: Error, CustomStringConvertible {
        public var key: String
        public var description: String { "scenario.\(key) is missing or not valid" }
    }

    /// The scenario a run.json recorded, read back field by field: every setting `value(_:)` writes comes back as it
    /// was (prompts, conversations and tools are recorded as summaries only: their content stays in the scenario
    /// file and its datasets, and nothing after the run needs it).
    public static func scenario(from object: JSONValue, mock: JSONValue?, insecure: Bool) throws(ReadError) -> Scenario {
        func need<T>(_ value: T?, _ key: String) throws(ReadError) -> T {
            guard let value else { throw ReadError(key: key) }
            return value
        }
        func duration(_ value: JSONValue?, _ key: String) throws(ReadError) -> Int64 {
            try need(value?.stringValue.flatMap(DurationText.nanoseconds), key)
        }
        func optionalDuration(_ value: JSONValue?, _ key: String) throws(ReadError) -> Int64? {
            guard let text = value?.stringValue, text != "none" else { return nil }
            return try need(DurationText.nanoseconds(text), key)
        }
        var scenario = Scenario(name: try need(object["name"]?.stringValue, "name"),
                                baseURL: try need(object["base_url"]?.stringValue, "base_url"),
                                model: try need(object["model"]?.stringValue, "model"), prompts: [])
        scenario.description = object["description"]?.stringValue
        scenario.api = try need(APIKind(rawValue: object["api"]?.stringValue ?? "chat"), "api")
        if let file = object["api_key_file"]?.stringValue { scenario.apiKeyFile = file }
        if let env = object["api_key_env"]?.stringValue { scenario.apiKeyEnv = env }
        scenario.stream = object["stream"]?.boolValue ?? true
        scenario.insecure = insecure
        if let request = object["request"] {
            scenario.request.maxTokens = request["max_tokens"]?.intValue
            scenario.request.temperature = request["temperature"]?.numberValue
            scenario.request.topP = request["top_p"]?.numberValue
            scenario.request.topK = request["top_k"]?.intValue
            scenario.request.seed = request["seed"]?.intValue
            scenario.request.stop = request["stop"]?.arrayValue?.compactMap(\.stringValue)
            scenario.request.system = request["system"]?.stringValue
            scenario.request.reasoningEffort = request["reasoning_effort"]?.stringValue
            scenario.request.responseFormat = request["response_format"]
            if case .object(let pairs) = request["extra_body"] { scenario.request.extraBody = pairs }
        }
        if let matrix = object["matrix"], !matrix.isNull {
            scenario.matrix = LoadMatrix(inputTokens: matrix["input_tokens"]?.arrayValue?.compactMap(\.intValue) ?? [],
                                         outputTokens: matrix["output_tokens"]?.arrayValue?.compactMap(\.intValue) ?? [])
        }
        if let load = object["load"] {
            var settings = LoadSettings()
            settings.mode = try need(load["mode"]?.stringValue.flatMap(LoadSettings.Mode.init(rawValue:)), "load.mode")
            if let levels = load["concurrency"]?.arrayValue { settings.concurrency = levels.compactMap(\.intValue) }
            if let rates = load["rate"]?.arrayValue { settings.rates = rates.compactMap(\.numberValue) }
            if let ramp = load["ramp"], !ramp.isNull {
                settings.ramp = LoadSettings.Ramp(from: try need(ramp["from"]?.numberValue, "load.ramp.from"),
                                                  to: try need(ramp["to"]?.numberValue, "load.ramp.to"),
                                                  overNs: try duration(ramp["over"], "load.ramp.over"))
            }
            settings.arrival = try need(load["arrival"]?.stringValue.flatMap(ArrivalProcess.init(rawValue:)), "load.arrival")
            settings.burstiness = try need(load["burstiness"]?.numberValue, "load.burstiness")
            settings.seed = try need(load["seed"]?.numberValue.flatMap { UInt64(exactly: $0) }, "load.seed")
            settings.maxInFlight = try need(load["max_in_flight"]?.intValue, "load.max_in_flight")
            settings.atCap = try need(load["at_cap"]?.stringValue.flatMap(LoadSettings.AtCap.init(rawValue:)), "load.at_cap")
            settings.warmupNs = try duration(load["warmup_time"], "load.warmup_time")
            settings.cooldownNs = try duration(load["cooldown"], "load.cooldown")
            settings.requests = load["requests"]?.intValue
            settings.durationNs = try optionalDuration(load["duration"], "load.duration")
            settings.warmup = try need(load["warmup"]?.intValue, "load.warmup")
            settings.thinkTimeNs = try duration(load["think_time"], "load.think_time")
            settings.drainTimeoutNs = try duration(load["drain_timeout"], "load.drain_timeout")
            scenario.load = settings
        }
        for text in object["slo"]?.arrayValue?.compactMap(\.stringValue) ?? [] {
            guard case .success(let slo) = SLO.parse(text, metrics: SLO.metricNames) else { throw ReadError(key: "slo") }
            scenario.slos.append(slo)
        }
        if let search = object["search"], !search.isNull {
            scenario.search = SLOSearchSettings(start: try need(search["start"]?.numberValue, "search.start"),
                                                max: try need(search["max"]?.numberValue, "search.max"),
                                                budget: try need(search["levels"]?.intValue, "search.levels"),
                                                resolution: try need(search["resolution"]?.numberValue, "search.resolution"))
        }
        scenario.maxErrorRate = object["max_error_rate"]?.numberValue
        if let timeouts = object["timeouts"] {
            scenario.timeouts = TransferTimeouts(connectNs: try optionalDuration(timeouts["connect"], "timeouts.connect"),
                                                 firstTokenNs: try optionalDuration(timeouts["first_token"], "timeouts.first_token"),
                                                 idleNs: try optionalDuration(timeouts["idle"], "timeouts.idle"),
                                                 totalNs: try optionalDuration(timeouts["total"], "timeouts.total"))
        }
        if let auth = object["auth"]?.stringValue { scenario.auth = try need(AuthStyle(rawValue: auth), "auth") }
        scenario.recordText = object["record_text"]?.boolValue ?? false
        // Runs written before the setting kept every chunk row.
        if let rows = object["chunk_rows"]?.stringValue {
            scenario.chunkRows = try need(try? ChunkRows.parse(rows, at: .commandLine("chunk_rows")), "chunk_rows")
        }
        if let retries = object["retries"] {
            scenario.retries.maxRetries = try need(retries["max"]?.intValue, "retries.max")
            scenario.retries.on = Set(try need(retries["on"]?.arrayValue?.compactMap { $0.stringValue.flatMap(ErrorClass.init(rawValue:)) },
                                               "retries.on"))
            scenario.retries.backoffNs = try duration(retries["backoff"], "retries.backoff")
            scenario.retries.maxBackoffNs = try duration(retries["max_backoff"], "retries.max_backoff")
        }
        if let abort = object["abort"], !abort.isNull {
            scenario.abort = AbortPolicy(errorRate: try need(abort["error_rate"]?.numberValue, "abort.error_rate"),
                                         minRequests: try need(abort["min_requests"]?.intValue, "abort.min_requests"))
        }
        scenario.followRedirects = object["follow_redirects"]?.boolValue ?? false
        if let chunks = object["limits"]?["max_chunks_per_request"]?.intValue {
            scenario.limits.maxChunksPerRequest = chunks
        }
        if let mock {
            var settings = MockSettings()
            settings.ttftNs = try duration(mock["ttft"], "mock.ttft")
            settings.decodeTokensPerSecond = try need(mock["decode_rate"]?.numberValue, "mock.decode_rate")
            func range(_ key: String) throws(ReadError) -> ClosedRange<Int> {
                let bounds = mock[key]?.arrayValue?.compactMap(\.intValue) ?? []
                guard bounds.count == 2, bounds[0] <= bounds[1] else { throw ReadError(key: "mock." + key) }
                return bounds[0]...bounds[1]
            }
            settings.tokensPerChunk = try range("tokens_per_chunk")
            settings.outputTokens = try range("output_tokens")
            settings.seed = try need(mock["seed"]?.numberValue.flatMap { UInt64(exactly: $0) }, "mock.seed")
            settings.reasoningShare = mock["reasoning_share"]?.numberValue ?? 0
            settings.toolCallShare = mock["tool_call_share"]?.numberValue ?? 1
            settings.stampSendTimes = mock["stamp_send_times"]?.boolValue ?? false
            if let faults = mock["faults"] {
                settings.faults.rateLimited = faults["rate_limited"]?.numberValue ?? 0
                settings.faults.overloaded = faults["overloaded"]?.numberValue ?? 0
                settings.faults.streamError = faults["stream_error"]?.numberValue ?? 0
                settings.faults.disconnect = faults["disconnect"]?.numberValue ?? 0
                settings.faults.stall = faults["stall"]?.numberValue ?? 0
                settings.faults.malformed = faults["malformed"]?.numberValue ?? 0
                settings.faults.drip = faults["drip"]?.numberValue ?? 0
                if let stall = faults["stall_time"] { settings.faults.stallNs = try optionalDuration(stall, "mock.faults.stall_time") }
                if let wait = faults["retry_after_ms"]?.intValue { settings.faults.retryAfterMs = wait }
                if let after = faults["after_chunks"]?.arrayValue?.compactMap(\.intValue), after.count == 2, after[0] <= after[1] {
                    settings.faults.afterChunks = after[0]...after[1]
                }
            }
            if let capacity = mock["capacity"], !capacity.isNull {
                settings.capacity = MockSettings.Capacity(slots: try need(capacity["slots"]?.intValue, "mock.capacity.slots"),
                                                          maxQueue: try need(capacity["queue"]?.intValue, "mock.capacity.queue"),
                                                          decodeRateAtCapacity: try need(capacity["decode_rate_at_capacity"]?.numberValue,
                                                                                         "mock.capacity.decode_rate_at_capacity"))
            }
            scenario.mock = settings
        }
        return scenario
    }
}
