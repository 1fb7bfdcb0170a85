import Foundation
import LoadGen

/// `run.json`: what ran, where and when. The API key never appears; only the name of its variable.
public struct RunManifest: Sendable {
    public var scenario: Scenario
    public var scenarioFile: String
    /// The URL requests went to (the embedded mock's when `base_url: mock`).
    public var effectiveBaseURL: String
    public var startedAt: Date
    public var finishedAt: Date?
    public var interrupted = false
    /// Why the run stopped before its end (`interrupted`, `aborted: ...`), or nil.
    public var stopReason: String?
    public var levels: [LevelPlan]
    public var toolVersion: String
    public var libcurlVersion: String
    public var apiKeyPresent: Bool
    public var commandLine: [String]
    /// Where the prompts came from and how they were picked, in one line (kept in run.json for `report`).
    public var promptsSummary: String
    /// How many prompts cycle with the sequence number (inline or dataset prompts picked in order, no matrix), so the
    /// report can find each prompt's first request; nil otherwise. Read back from run.json's `prompts`.
    public var promptCycle: Int?
    /// The transport thread's scheduling priority, as granted (nil until the transport runs).
    public var transportPriority: TransportPriority?
    /// How far the record writers fell behind: the most records queued at once, and the time the load's threads
    /// waited for room in the queues (summed over threads; 0 when the recorder kept up). Nil until the run ends.
    public var recorder: (largestBacklog: Int, waitedNs: Int64)?
    /// The run.json this manifest was read from (`report`, `compare`): written back exactly as recorded, so what is
    /// derived from a copied run (summary.json's `run`) is byte for byte what the run wrote.
    public var recorded: JSONValue?
    /// A shard of a sharded run: which, and its clock (`ShardInfo`); nil in a one-process run.
    public var shard: ShardInfo?
    /// A merged run (`sambabench merge`): every shard it was made of, including failed and missing ones.
    public var shards: [ShardInfo] = []

    public init(scenario: Scenario, scenarioFile: String, effectiveBaseURL: String, startedAt: Date, levels: [LevelPlan],
                toolVersion: String, libcurlVersion: String, apiKeyPresent: Bool, commandLine: [String]) {
        self.scenario = scenario
        self.scenarioFile = scenarioFile
        self.effectiveBaseURL = effectiveBaseURL
        self.startedAt = startedAt
        self.levels = levels
        self.toolVersion = toolVersion
        self.libcurlVersion = libcurlVersion
        self.apiKeyPresent = apiKeyPresent
        self.commandLine = commandLine
        self.promptsSummary = scenario.promptSource.summary(count: scenario.prompts.count)
        self.promptCycle = Self.promptCycle(sampling: scenario.promptSource.sampling.rawValue, count: scenario.prompts.count,
                                            matrix: scenario.matrix != nil)
    }

    static func promptCycle(sampling: String?, count: Int, matrix: Bool) -> Int? {
        sampling == PromptSampling.sequential.rawValue && count > 0 && !matrix ? count : nil
    }

    static func iso8601(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    public var json: JSONValue {
        if let recorded { return recorded }
        let info = ProcessInfo.processInfo
        var pairs: [(String, JSONValue)] = [
            ("tool", .string("sambabench")),
            ("version", .string(toolVersion)),
            ("libcurl", .string(libcurlVersion)),
            ("started_at", .string(Self.iso8601(startedAt))),
            ("finished_at", finishedAt.map { .string(Self.iso8601($0)) } ?? .null),
            ("interrupted", .bool(interrupted)),
            ("stop_reason", stopReason.map(JSONValue.string) ?? .null),
            ("host", .string(info.hostName)),
            ("cpus", .number(Double(info.activeProcessorCount))),
            ("os", .string(info.operatingSystemVersionString)),
            ("command", .array(commandLine.map { .string(URLRedaction.maskingURLs(in: $0)) })),
            ("scenario_file", .string(scenarioFile)),
            ("base_url", .string(URLRedaction.masked(effectiveBaseURL))),
            ("insecure", .bool(scenario.insecure)),
            ("api_key", apiKeyPresent ? .string("<redacted: from \(scenario.apiKeyFile.map { "file \($0)" } ?? "$" + scenario.apiKeyEnv)>") : .null),
            ("transport_priority", transportPriority.map { .string($0.rawValue) } ?? .null),
            ("recorder", recorder.map { .object([("largest_backlog", .number(Double($0.largestBacklog))),
                                                 ("capacity", .number(Double(RunFilesSink.defaultCapacity))),
                                                 ("load_waited_ms", .number(Double($0.waitedNs / 1000) / 1000))]) } ?? .null),
            ("scenario", ScenarioJSON.value(scenario)),
            ("levels", .array(levels.map { plan in
                .object([
                    ("level", .number(Double(plan.index))), ("name", .string(plan.name)),
                    ("concurrency", .number(Double(plan.concurrency))),
                    ("rate_rps", plan.rate.map(JSONValue.number) ?? .null),
                    ("arrival", plan.rate == nil ? .null : .string(plan.arrival.rawValue)),
                    ("requests", plan.requests.map { .number(Double($0)) } ?? .null),
                    ("duration_s", plan.durationNs.map { .number(Double($0) / 1e9) } ?? .null),
                    ("warmup", .number(Double(plan.warmup))),
                    ("input_tokens", plan.inputTokens.map { .number(Double($0)) } ?? .null),
                    ("max_tokens", plan.maxTokens.map { .number(Double($0)) } ?? .null),
                ])
            })),
        ]
        if scenario.usesMock { pairs.append(("mock", ScenarioJSON.mock(scenario.mock))) }
        if let shard { pairs.append(("shard", shard.json)) }
        if !shards.isEmpty { pairs.append(("shards", .array(shards.map(\.json)))) }
        return .object(pairs)
    }
}

extension RunManifest {
    /// Reads a run's `run.json` back: the scenario as recorded (`ScenarioJSON.scenario(from:)`), the levels and the
    /// run's facts; `json` then gives the file's value exactly.
    public static func read(directory: String) throws -> RunManifest {
        let path = directory + "/run.json"
        func invalid(_ message: String) -> RunFiles.ReadError { RunFiles.ReadError(file: path, line: 0, message: message) }
        guard let data = FileManager.default.contents(atPath: path) else { throw invalid("missing, or not readable") }
        let run: JSONValue
        do { run = try JSONValue.parse(String(decoding: data, as: UTF8.self)) } catch {
            throw invalid("not JSON: \(error)")
        }
        guard case .object = run, let object = run["scenario"] else { throw invalid("no scenario object") }
        let scenario: Scenario
        do {
            scenario = try ScenarioJSON.scenario(from: object, mock: run["mock"], insecure: run["insecure"]?.boolValue ?? false)
        } catch { throw invalid(error.description) }
        let levels = (run["levels"]?.arrayValue ?? []).enumerated().map { index, level -> LevelPlan in
            let load: LevelLoad = level["rate_rps"]?.numberValue.map { .rate($0) } ?? .concurrency(level["concurrency"]?.intValue ?? 0)
            var plan = LevelPlan(index: index, name: level["name"]?.stringValue ?? "", load: load, requests: level["requests"]?.intValue,
                                 durationNs: level["duration_s"]?.numberValue.flatMap { abs($0 * 1e9) < 9.2e18 ? Int64(($0 * 1e9).rounded()) : nil },
                                 warmup: level["warmup"]?.intValue ?? 0, inputTokens: level["input_tokens"]?.intValue,
                                 maxTokens: level["max_tokens"]?.intValue)
            if let arrival = level["arrival"]?.stringValue.flatMap(ArrivalProcess.init(rawValue:)) { plan.arrival = arrival }
            return plan
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let baseURL = run["base_url"]?.stringValue ?? scenario.baseURL
        var manifest = RunManifest(
            scenario: scenario, scenarioFile: run["scenario_file"]?.stringValue ?? "", effectiveBaseURL: baseURL,
            startedAt: run["started_at"]?.stringValue.flatMap(formatter.date(from:)) ?? Date(timeIntervalSince1970: 0),
            levels: levels, toolVersion: run["version"]?.stringValue ?? "", libcurlVersion: run["libcurl"]?.stringValue ?? "",
            apiKeyPresent: run["api_key"].map { !$0.isNull } ?? false,
            commandLine: run["command"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        manifest.promptsSummary = object["prompts"]?["description"]?.stringValue ?? ""
        manifest.promptCycle = promptCycle(sampling: object["prompts"]?["sampling"]?.stringValue,
                                           count: Int(object["prompts"]?["count"]?.numberValue ?? 0),
                                           matrix: levels.contains { $0.inputTokens != nil || $0.maxTokens != nil })
        manifest.finishedAt = run["finished_at"]?.stringValue.flatMap(formatter.date(from:))
        manifest.interrupted = run["interrupted"]?.boolValue ?? false
        manifest.stopReason = run["stop_reason"]?.stringValue
        manifest.transportPriority = run["transport_priority"]?.stringValue.flatMap(TransportPriority.init(rawValue:))
        manifest.shard = run["shard"].flatMap(ShardInfo.init(json:))
        manifest.shards = (run["shards"]?.arrayValue ?? []).compactMap(ShardInfo.init(json:))
        manifest.recorded = run
        return manifest
    }
}

/// The resolved scenario as JSON, for run.json.
public enum ScenarioJSON {
    public static func value(_ scenario: Scenario) -> JSONValue {
        func ns(_ value: Int64?) -> JSONValue { value.map { .string(DurationText.format($0)) } ?? .string("none") }
        let request = scenario.request
        var requestPairs: [(String, JSONValue)] = []
        if let v = request.maxTokens { requestPairs.append(("max_tokens", .number(Double(v)))) }
        if let v = request.temperature { requestPairs.append(("temperature", .number(v))) }
        if let v = request.topP { requestPairs.append(("top_p", .number(v))) }
        if let v = request.topK { requestPairs.append(("top_k", .number(Double(v)))) }
        if let v = request.seed { requestPairs.append(("seed", .number(Double(v)))) }
        if let v = request.stop { requestPairs.append(("stop", .array(v.map(JSONValue.string)))) }
        if let v = request.system { requestPairs.append(("system", .string(v))) }
        if let v = request.reasoningEffort { requestPairs.append(("reasoning_effort", .string(v))) }
        if let v = request.responseFormat { requestPairs.append(("response_format", v)) }
        if !request.extraBody.isEmpty { requestPairs.append(("extra_body", .object(request.extraBody))) }
        let load = scenario.load
        let slos = JSONValue.array(scenario.slos.map { JSONValue.string("\($0)") })
        var search = JSONValue.null
        if let settings = scenario.search {
            search = .object([("start", .number(settings.start)), ("max", .number(settings.max)),
                              ("levels", .number(Double(settings.budget))), ("resolution", .number(settings.resolution))])
        }
        let maxErrorRate: JSONValue = scenario.maxErrorRate.map { .number($0) } ?? .null
        var tools = JSONValue.null
        if let settings = scenario.tools {
            let names: [JSONValue] = settings.functions.map { JSONValue.string($0.name) }
            let choice: JSONValue = settings.choice.map { JSONValue.string($0) } ?? .null
            tools = .object([("functions", .array(names)), ("choice", choice), ("rounds", .number(Double(settings.rounds)))])
        }
        let flows: [(String, JSONValue)] = [
            ("conversations", .number(Double(scenario.conversations.count))),
            ("tools", tools),
            ("auth", .string(scenario.auth.rawValue)),
            ("server_metrics", scenario.serverMetrics.map {
                .object([("url", .string(URLRedaction.masked($0.url))), ("interval", .string(DurationText.format($0.intervalNs)))])
            } ?? .null),
            ("record_text", .bool(scenario.recordText)),
            ("chunk_rows", .string(scenario.chunkRows.text)),
            ("retries", .object([("max", .number(Double(scenario.retries.maxRetries))),
                                 ("on", .array(scenario.retries.on.map(\.rawValue).sorted().map(JSONValue.string))),
                                 ("backoff", .string(DurationText.format(scenario.retries.backoffNs))),
                                 ("max_backoff", .string(DurationText.format(scenario.retries.maxBackoffNs)))])),
            ("abort", scenario.abort.map { .object([("error_rate", .number($0.errorRate)),
                                                    ("min_requests", .number(Double($0.minRequests)))]) } ?? .null),
            ("follow_redirects", .bool(scenario.followRedirects)),
            ("limits", .object([("max_chunks_per_request", .number(Double(scenario.limits.maxChunksPerRequest)))])),
        ]
        var object = JSONValue.object([
            ("name", .string(scenario.name)),
            ("description", scenario.description.map(JSONValue.string) ?? .null),
            ("api", .string(scenario.api.rawValue)),
            ("base_url", .string(URLRedaction.masked(scenario.baseURL))),
            ("model", .string(scenario.model)),
            ("api_key_env", scenario.apiKeyFile == nil && scenario.auth != .none ? .string(scenario.apiKeyEnv) : .null),
            ("api_key_file", scenario.apiKeyFile.map(JSONValue.string) ?? .null),
            ("stream", .bool(scenario.stream)),
            ("request", .object(requestPairs)),
            ("prompts", prompts(scenario)),
            ("matrix", scenario.matrix.map { matrix in
                .object([("input_tokens", .array(matrix.inputTokens.map { .number(Double($0)) })),
                         ("output_tokens", .array(matrix.outputTokens.map { .number(Double($0)) }))])
            } ?? .null),
            ("load", .object([
                ("mode", .string(load.mode.rawValue)),
                ("concurrency", load.mode == .closed ? .array(load.concurrency.map { .number(Double($0)) }) : .null),
                ("rate", load.mode == .open && load.ramp == nil ? .array(load.rates.map(JSONValue.number)) : .null),
                ("ramp", load.ramp.map { .object([("from", .number($0.from)), ("to", .number($0.to)),
                                                  ("over", .string(DurationText.format($0.overNs)))]) } ?? .null),
                ("arrival", .string(load.arrival.rawValue)),
                ("burstiness", .number(load.burstiness)),
                ("seed", .number(Double(load.seed))),
                ("max_in_flight", .number(Double(load.maxInFlight))),
                ("at_cap", .string(load.atCap.rawValue)),
                ("warmup_time", .string(DurationText.format(load.warmupNs))),
                ("cooldown", .string(DurationText.format(load.cooldownNs))),
                ("requests", load.requests.map { .number(Double($0)) } ?? .null),
                ("duration", load.durationNs.map { .string(DurationText.format($0)) } ?? .null),
                ("warmup", .number(Double(load.warmup))),
                ("think_time", .string(DurationText.format(load.thinkTimeNs))),
                ("drain_timeout", .string(DurationText.format(load.drainTimeoutNs))),
            ])),
            ("slo", slos),
            ("search", search),
            ("max_error_rate", maxErrorRate),
            ("timeouts", .object([
                ("connect", ns(scenario.timeouts.connectNs)), ("first_token", ns(scenario.timeouts.firstTokenNs)),
                ("idle", ns(scenario.timeouts.idleNs)), ("total", ns(scenario.timeouts.totalNs)),
            ])),
        ])
        for (key, value) in flows { object.set(key, value) }
        return object
    }

    /// How the prompts were made and picked (their text stays in the scenario or the dataset).
    static func prompts(_ scenario: Scenario) -> JSONValue {
        let source = scenario.promptSource
        var pairs: [(String, JSONValue)] = [
            ("source", .string(source.kind.name)),
            ("count", .number(Double(scenario.prompts.count))),
            ("sampling", .string(source.sampling.rawValue)),
            ("seed", .number(Double(source.seed))),
            ("shared_prefix_tokens", .number(Double(source.sharedPrefixTokens))),
        ]
        switch source.kind {
        case .jsonl(let path), .shareGPT(let path): pairs.append(("path", .string(path)))
        case .synthetic(let synthetic): pairs.append(("input_tokens", .string(synthetic.length.summary)))
        case .inline: break
        }
        if !source.tokens.isEmpty {
            pairs.append(("input_tokens_mean", .number((Double(source.tokens.reduce(0, +)) / Double(source.tokens.count) * 10).rounded() / 10)))
        }
        pairs.append(("description", .string(source.summary(count: scenario.prompts.count))))
        return .object(pairs)
    }

    public static func mock(_ mock: MockSettings) -> JSONValue {
        .object([
            ("ttft", .string(DurationText.format(mock.ttftNs))),
            ("decode_rate", .number(mock.decodeTokensPerSecond)),
            ("tokens_per_chunk", .array([.number(Double(mock.tokensPerChunk.lowerBound)), .number(Double(mock.tokensPerChunk.upperBound))])),
            ("output_tokens", .array([.number(Double(mock.outputTokens.lowerBound)), .number(Double(mock.outputTokens.upperBound))])),
            ("seed", .number(Double(mock.seed))),
            ("reasoning_share", .number(mock.reasoningShare)),
            ("tool_call_share", .number(mock.toolCallShare)),
            ("faults", .object([("rate_limited", .number(mock.faults.rateLimited)), ("overloaded", .number(mock.faults.overloaded)),
                                ("stream_error", .number(mock.faults.streamError)), ("disconnect", .number(mock.faults.disconnect)),
                                ("stall", .number(mock.faults.stall)), ("malformed", .number(mock.faults.malformed)),
                                ("drip", .number(mock.faults.drip)),
                                ("stall_time", mock.faults.stallNs.map { .string(DurationText.format($0)) } ?? .string("none")),
                                ("retry_after_ms", .number(Double(mock.faults.retryAfterMs))),
                                ("after_chunks", .array([.number(Double(mock.faults.afterChunks.lowerBound)),
                                                         .number(Double(mock.faults.afterChunks.upperBound))]))])),
            ("stamp_send_times", .bool(mock.stampSendTimes)),
            ("capacity", mock.capacity.map { .object([("slots", .number(Double($0.slots))), ("queue", .number(Double($0.maxQueue))),
                                                      ("decode_rate_at_capacity", .number($0.decodeRateAtCapacity))]) } ?? .null),
        ])
    }
}
