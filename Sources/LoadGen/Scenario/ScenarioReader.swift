import Foundation
import Yams

/// Reads a scenario file strictly: every key known, every value checked, every error located by line and column.
public struct ScenarioReader {
    public let file: String
    private let yaml: String
    /// Where `${VAR}` references are looked up.
    private let environment: [String: String]
    /// Where each key path was written, for errors found after reading (a missing API-key variable).
    private(set) var locations: [String: Mark] = [:]

    public init(file: String, yaml: String, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.file = file
        self.yaml = yaml
        self.environment = environment
    }

    /// Relative paths in the scenario (datasets, the key file) are taken from the scenario file's directory.
    var directory: String {
        let parent = (file as NSString).deletingLastPathComponent
        return parent.isEmpty ? "." : parent
    }

    func resolve(_ path: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        return expanded.hasPrefix("/") || directory == "." ? expanded : directory + "/" + expanded
    }

    /// Loads and validates the scenario file at `path`.
    public static func load(path: String) throws -> Scenario {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ScenarioError(file: path, path: "", message: "no such scenario file",
                                hint: "give the path of a YAML scenario, for example scenarios/demo.yaml")
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ScenarioError(file: path, path: "", message: "cannot read the file as UTF-8 text")
        }
        var reader = ScenarioReader(file: path, yaml: text)
        return try reader.read()
    }

    static let topKeys = ["name", "description", "api", "base_url", "model", "api_key_env", "api_key_file", "stream",
                          "request", "prompts", "matrix", "load", "timeouts", "mock", "output", "slo", "search",
                          "max_error_rate", "conversations", "tools", "auth", "anthropic_version", "record_text",
                          "retries", "abort", "follow_redirects"]
    static let requestKeys = ["max_tokens", "temperature", "top_p", "top_k", "seed", "stop", "system", "extra_body",
                              "reasoning_effort", "response_format"]
    static let loadKeys = ["mode", "concurrency", "rate", "ramp", "arrival", "burstiness", "seed", "max_in_flight", "at_cap",
                           "requests", "duration", "warmup", "think_time", "drain_timeout", "cooldown"]
    static let timeoutKeys = ["connect", "first_token", "idle", "total"]
    static let mockKeys = ["ttft", "decode_rate", "tokens_per_chunk", "output_tokens", "seed", "capacity",
                           "reasoning_share", "tool_call_share", "faults"]

    public mutating func read() throws -> Scenario {
        var root: Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                throw ScenarioError(file: file, path: "", message: "the file is empty",
                                    hint: "a scenario needs at least name, base_url, model and prompts")
            }
            root = node
        } catch let error as YamlError {
            throw yamlError(error)
        }
        try rejectInlineKeys(root, path: "")
        let (expanded, variablesUsed) = try Interpolation.apply(root, file: file, environment: environment)
        root = expanded
        let top = try mapping(root, path: "", allowed: Self.topKeys)
        let name = try string(required(top, "name", in: root, path: ""), path: "name")
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }), !name.hasPrefix(".") else {
            throw located(top["name"], "name", "'\(name)' cannot name a results folder",
                          hint: "use letters, digits, '-', '_' and '.', not starting with '.'")
        }
        let baseURL = try string(required(top, "base_url", in: root, path: ""), path: "base_url")
        if baseURL != "mock" {
            guard let url = URL(string: baseURL), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
                throw located(top["base_url"], "base_url", "'\(baseURL)' is not an http(s) URL",
                              hint: "for example https://api.sambanova.ai/v1, or mock for the embedded mock server")
            }
        }
        let model = try string(required(top, "model", in: root, path: ""), path: "model")
        var scenario: Scenario
        if let node = top["conversations"] {
            if let prompts = top["prompts"] {
                throw located(prompts, "prompts", "prompts and conversations cannot both be given",
                              hint: "a conversation's first turn is its prompt: keep one of the two")
            }
            scenario = Scenario(name: name, baseURL: baseURL, model: model, prompts: [])
            scenario.conversations = try conversations(node)
        } else {
            let (prompts, promptSource) = try promptSection(required(top, "prompts", in: root, path: ""), model: model)
            scenario = Scenario(name: name, baseURL: baseURL, model: model, prompts: prompts)
            scenario.promptSource = promptSource
        }
        if let node = top["description"] { scenario.description = try string(node, path: "description") }
        if let node = top["api"] {
            let text = try string(node, path: "api")
            guard let api = APIKind(rawValue: text) else {
                throw located(node, "api", "unknown API '\(text)'",
                              hint: "one of: \(APIKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            scenario.api = api
        }
        if let node = top["api_key_env"] {
            let variable = try string(node, path: "api_key_env")
            // Not echoed: a key pasted here by mistake must not end up in a terminal or a CI log.
            guard !variable.isEmpty, variable.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
                throw located(node, "api_key_env", "the value is not an environment variable name",
                              hint: "the name of the variable holding the key, for example SAMBANOVA_API_KEY; never the key itself")
            }
            scenario.apiKeyEnv = variable
        }
        if let node = top["api_key_file"] {
            if let env = top["api_key_env"] {
                throw located(node, "api_key_file", "api_key_env and api_key_file are both given (api_key_env at line \(env.mark?.line ?? 0))",
                              hint: "one source for the key: the variable named by api_key_env, or the file named by api_key_file")
            }
            let path = try string(node, path: "api_key_file")
            guard !path.isEmpty else { throw located(node, "api_key_file", "the path is empty", hint: "a file holding the key alone, e.g. ~/.config/sambanova/key") }
            scenario.apiKeyFile = resolve(path)
        }
        if let (line, column) = variablesUsed[scenario.apiKeyEnv] {
            throw ScenarioError(file: file, line: line, column: column, path: "",
                                message: "${\(scenario.apiKeyEnv)} would copy the API key into the scenario, and from there into run.json",
                                hint: "the key is read from \(scenario.apiKeyEnv) by api_key_env and only sent in the Authorization header")
        }
        if let node = top["stream"] { scenario.stream = try bool(node, path: "stream") }
        if let node = top["output"] { scenario.output = try string(node, path: "output") }
        if let node = top["request"] { scenario.request = try request(node) }
        if let node = top["load"] { scenario.load = try load(node) }
        if let node = top["matrix"] { scenario.matrix = try matrix(node, source: scenario.promptSource) }
        if let node = top["timeouts"] { scenario.timeouts = try timeouts(node, defaults: scenario.timeouts) }
        if let node = top["mock"] { scenario.mock = try mock(node) }
        if let node = top["tools"] { scenario.tools = try tools(node) }
        if let node = top["auth"] { scenario.auth = try choice(node, path: "auth", AuthStyle.self) }
        if let node = top["anthropic_version"] { scenario.anthropicVersion = try string(node, path: "anthropic_version") }
        if let node = top["record_text"] { scenario.recordText = try bool(node, path: "record_text") }
        if let node = top["follow_redirects"] { scenario.followRedirects = try bool(node, path: "follow_redirects") }
        if let node = top["retries"] { scenario.retries = try retries(node) }
        if let node = top["abort"] {
            let map = try mapping(node, path: "abort", allowed: ["error_rate", "min_requests"])
            guard let rate = map["error_rate"] else {
                throw located(node, "abort.error_rate", "missing required key", hint: "the error rate above which the run stops, e.g. 0.5")
            }
            scenario.abort = AbortPolicy(errorRate: try double(rate, path: "abort.error_rate", in: 0...1),
                                         minRequests: try map["min_requests"].map { try int($0, path: "abort.min_requests", in: 1...1_000_000) } ?? 20)
        }
        try checkAPIFields(scenario, top: top)
        if let node = top["slo"] { scenario.slos = try slos(node) }
        if let node = top["max_error_rate"] { scenario.maxErrorRate = try double(node, path: "max_error_rate", in: 0...1) }
        if let node = top["search"] {
            guard !scenario.slos.isEmpty else {
                throw located(node, "search", "a search needs objectives to meet", hint: "add slo: [\"p99 ttft_ms < 500\"]")
            }
            guard scenario.load.ramp == nil else {
                throw located(node, "search", "a search cannot run a ramp", hint: "search over concurrency (closed loop) or rate")
            }
            if let matrix = top["matrix"] {
                throw located(matrix, "matrix", "a matrix and a search are both given",
                              hint: "a search picks its own levels; run one scenario per matrix cell, or drop the search")
            }
            scenario.search = try search(node, open: scenario.load.mode == .open)
        }
        scenario.source = ScenarioSource(file: file)
        scenario.source.locations = locations.mapValues { [$0.line, $0.column] }
        return scenario
    }

    // MARK: Sections

    private mutating func request(_ node: Node) throws -> RequestSettings {
        let map = try mapping(node, path: "request", allowed: Self.requestKeys)
        var settings = RequestSettings()
        if let n = map["max_tokens"] { settings.maxTokens = try int(n, path: "request.max_tokens", in: 1...10_000_000) }
        if let n = map["temperature"] { settings.temperature = try double(n, path: "request.temperature", in: 0...2) }
        if let n = map["top_p"] {
            settings.topP = try double(n, path: "request.top_p", in: 0...1)
            if settings.topP == 0 { throw located(n, "request.top_p", "must be above 0", hint: "a number in (0, 1]") }
        }
        if let n = map["top_k"] { settings.topK = try int(n, path: "request.top_k", in: 1...1_000_000) }
        if let n = map["seed"] { settings.seed = try int(n, path: "request.seed", in: Int.min...Int.max) }
        if let n = map["system"] { settings.system = try string(n, path: "request.system") }
        if let n = map["reasoning_effort"] {
            settings.reasoningEffort = try string(n, path: "request.reasoning_effort")
            guard ["low", "medium", "high"].contains(settings.reasoningEffort!) else {
                throw located(n, "request.reasoning_effort", "unknown effort '\(settings.reasoningEffort!)'", hint: "one of: low, medium, high")
            }
        }
        if let n = map["response_format"] {
            let format = try json(n, path: "request.response_format")
            guard case .string(let type)? = format["type"], ["json_object", "json_schema", "text"].contains(type) else {
                throw located(n, "request.response_format", "expected a mapping with type json_object, json_schema or text",
                              hint: "for example {type: json_object}")
            }
            settings.responseFormat = format
        }
        if let n = map["stop"] {
            if case .sequence(let items) = n {
                settings.stop = try items.enumerated().map { try string($1, path: "request.stop[\($0)]") }
            } else {
                settings.stop = [try string(n, path: "request.stop")]
            }
        }
        if let n = map["extra_body"] {
            guard case .object(let pairs) = try json(n, path: "request.extra_body") else {
                throw located(n, "request.extra_body", "expected a mapping of body fields", hint: "for example {reasoning_effort: low}")
            }
            settings.extraBody = pairs
        }
        return settings
    }

    private mutating func load(_ node: Node) throws -> LoadSettings {
        let map = try mapping(node, path: "load", allowed: Self.loadKeys)
        var settings = LoadSettings()
        if let n = map["mode"] {
            settings.mode = try choice(n, path: "load.mode", LoadSettings.Mode.self)
        } else if map["rate"] != nil || map["ramp"] != nil {
            settings.mode = .open
        }
        if let n = map["concurrency"] {
            guard settings.mode == .closed else {
                throw located(n, "load.concurrency", "concurrency is for closed-loop levels, but this load is open-loop",
                              hint: "give either concurrency (closed loop) or rate/ramp (open loop)")
            }
            if case .sequence(let items) = n {
                guard !items.isEmpty else {
                    throw located(n, "load.concurrency", "the list is empty", hint: "one or more positive integers, for example [1, 8, 32]")
                }
                settings.concurrency = try items.enumerated().map { try int($1, path: "load.concurrency[\($0)]", in: 1...100_000) }
            } else {
                settings.concurrency = [try int(n, path: "load.concurrency", in: 1...100_000)]
            }
        }
        if let n = map["rate"] {
            guard map["ramp"] == nil else {
                throw located(n, "load.rate", "rate and ramp are both given", hint: "a list of rates, or one ramp, not both")
            }
            if case .sequence(let items) = n {
                guard !items.isEmpty else { throw located(n, "load.rate", "the list is empty", hint: "for example [5/s, 10/s, 20/s]") }
                settings.rates = try items.enumerated().map { try rate($1, path: "load.rate[\($0)]") }
            } else {
                settings.rates = [try rate(n, path: "load.rate")]
            }
        }
        if let n = map["ramp"] {
            let ramp = try mapping(n, path: "load.ramp", allowed: ["from", "to", "over"])
            guard let from = ramp["from"], let to = ramp["to"], let over = ramp["over"] else {
                throw located(n, "load.ramp", "a ramp needs from, to and over", hint: "for example {from: 1/s, to: 50/s, over: 2m}")
            }
            let fromRate = try rate(from, path: "load.ramp.from", allowZero: true)
            let toRate = try rate(to, path: "load.ramp.to", allowZero: true)
            guard fromRate + toRate > 0 else { throw located(n, "load.ramp", "both rates are zero", hint: "a rate above zero at one end") }
            let overNs = try duration(over, path: "load.ramp.over")
            guard overNs > 0 else { throw located(over, "load.ramp.over", "must be above zero", hint: "for example 2m") }
            settings.ramp = LoadSettings.Ramp(from: fromRate, to: toRate, overNs: overNs)
        }
        // Levels name their output files, so two levels offering the same load would overwrite each other.
        let loads: [(LevelLoad, String)] = settings.mode == .closed
            ? settings.concurrency.enumerated().map { (.concurrency($1), "load.concurrency[\($0)]") }
            : settings.rates.enumerated().map { (.rate($1), "load.rate[\($0)]") }
        var seen = Set<String>()
        for (load, path) in loads where !seen.insert(LevelPlan.name(of: load)).inserted {
            let key = settings.mode == .closed ? "concurrency" : "rate"
            throw located(map[key], path, "level \(LevelPlan.name(of: load)) is listed twice",
                          hint: "each level once; to measure one load longer, raise requests or duration")
        }
        if settings.mode == .open && settings.rates.isEmpty && settings.ramp == nil {
            throw located(map["mode"] ?? node, "load.mode", "an open-loop load needs rate or ramp", hint: "for example rate: [5/s, 10/s]")
        }
        if let n = map["arrival"] { settings.arrival = try choice(n, path: "load.arrival", ArrivalProcess.self) }
        if let n = map["burstiness"] { settings.burstiness = try double(n, path: "load.burstiness", in: 0.01...100) }
        if let n = map["seed"] { settings.seed = UInt64(try int(n, path: "load.seed", in: 0...Int.max)) }
        if let n = map["max_in_flight"] { settings.maxInFlight = try int(n, path: "load.max_in_flight", in: 1...1_000_000) }
        if let n = map["at_cap"] { settings.atCap = try choice(n, path: "load.at_cap", LoadSettings.AtCap.self) }
        for key in ["arrival", "burstiness", "max_in_flight", "at_cap"] where settings.mode == .closed {
            if let n = map[key] {
                throw located(n, "load.\(key)", "applies to open-loop loads only", hint: "set rate or ramp, or remove \(key)")
            }
        }
        if map["requests"] != nil || map["duration"] != nil { settings.requests = nil }
        if let n = map["requests"] { settings.requests = try int(n, path: "load.requests", in: 1...100_000_000) }
        if let n = map["duration"] {
            settings.durationNs = try duration(n, path: "load.duration")
            if settings.durationNs == 0 { throw located(n, "load.duration", "must be above zero", hint: "for example 30s or 5m") }
        }
        if let n = map["warmup"] {
            if n.int != nil {
                settings.warmup = try int(n, path: "load.warmup", in: 0...1_000_000)
            } else {
                settings.warmupNs = try duration(n, path: "load.warmup")
            }
        }
        if let n = map["think_time"] { settings.thinkTimeNs = try duration(n, path: "load.think_time") }
        if let n = map["drain_timeout"] { settings.drainTimeoutNs = try duration(n, path: "load.drain_timeout") }
        if let n = map["cooldown"] { settings.cooldownNs = try duration(n, path: "load.cooldown") }
        return settings
    }

    /// A rate: `20`, `20/s`, `1200/m`.
    private func rate(_ node: Node, path: String, allowZero: Bool = false) throws -> Double {
        let (text, _) = try scalarText(node, path: path, expected: "a rate")
        let hint = "requests per second: 20, 20/s or 1200/m"
        var number = text.trimmingCharacters(in: .whitespaces)
        var scale = 1.0
        if number.hasSuffix("/s") {
            number.removeLast(2)
        } else if number.hasSuffix("/m") {
            number.removeLast(2)
            scale = 1.0 / 60
        }
        guard let value = Double(number.trimmingCharacters(in: .whitespaces)), value.isFinite else {
            throw located(node, path, "'\(text)' is not a rate", hint: hint)
        }
        guard value > 0 || (allowZero && value == 0), value * scale <= 1_000_000 else {
            throw located(node, path, "\(text) is out of range", hint: hint)
        }
        return value * scale
    }

    private func choice<T: RawRepresentable & CaseIterable>(_ node: Node, path: String, _ type: T.Type) throws -> T where T.RawValue == String {
        let text = try string(node, path: path)
        guard let value = T(rawValue: text) else {
            throw located(node, path, "unknown value '\(text)'", hint: "one of: \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    private mutating func timeouts(_ node: Node, defaults: TransferTimeouts) throws -> TransferTimeouts {
        let map = try mapping(node, path: "timeouts", allowed: Self.timeoutKeys)
        var result = defaults
        func value(_ key: String) throws -> Int64?? {
            guard let n = map[key] else { return .none }
            if case .scalar(let scalar) = n, ["none", "off", "~", "null"].contains(scalar.string) { return .some(nil) }
            let ns = try duration(n, path: "timeouts.\(key)")
            guard ns > 0 else { throw located(n, "timeouts.\(key)", "must be above zero", hint: "a duration such as 30s, or none") }
            return .some(ns)
        }
        if let v = try value("connect") { result.connectNs = v }
        if let v = try value("first_token") { result.firstTokenNs = v }
        if let v = try value("idle") { result.idleNs = v }
        if let v = try value("total") { result.totalNs = v }
        return result
    }

    private mutating func mock(_ node: Node) throws -> MockSettings {
        let map = try mapping(node, path: "mock", allowed: Self.mockKeys)
        var settings = MockSettings()
        if let n = map["ttft"] { settings.ttftNs = try duration(n, path: "mock.ttft") }
        if let n = map["decode_rate"] {
            settings.decodeTokensPerSecond = try double(n, path: "mock.decode_rate", in: 0.001...10_000_000)
        }
        if let n = map["tokens_per_chunk"] { settings.tokensPerChunk = try intRange(n, path: "mock.tokens_per_chunk") }
        if let n = map["output_tokens"] { settings.outputTokens = try intRange(n, path: "mock.output_tokens") }
        if let n = map["seed"] { settings.seed = UInt64(try int(n, path: "mock.seed", in: 0...Int.max)) }
        if let n = map["reasoning_share"] { settings.reasoningShare = try double(n, path: "mock.reasoning_share", in: 0...1) }
        if let n = map["tool_call_share"] { settings.toolCallShare = try double(n, path: "mock.tool_call_share", in: 0...1) }
        if let n = map["faults"] { settings.faults = try faults(n) }
        if let n = map["capacity"] {
            let capacity = try mapping(n, path: "mock.capacity", allowed: ["slots", "queue", "decode_rate_at_capacity"])
            guard let slots = capacity["slots"] else {
                throw located(n, "mock.capacity.slots", "missing required key", hint: "the concurrent requests the mock serves, e.g. 16")
            }
            settings.capacity = MockSettings.Capacity(
                slots: try int(slots, path: "mock.capacity.slots", in: 1...100_000),
                maxQueue: try capacity["queue"].map { try int($0, path: "mock.capacity.queue", in: 0...10_000_000) } ?? 100_000,
                decodeRateAtCapacity: try capacity["decode_rate_at_capacity"].map {
                    try double($0, path: "mock.capacity.decode_rate_at_capacity", in: 0.001...10_000_000)
                } ?? settings.decodeTokensPerSecond)
        }
        return settings
    }

    private func slos(_ node: Node) throws -> [SLO] {
        let items: [Node]
        if case .sequence(let list) = node { items = Array(list) } else { items = [node] }
        guard !items.isEmpty else { throw located(node, "slo", "the list is empty", hint: "for example [\"p99 ttft_ms < 500\"]") }
        return try items.enumerated().map { index, item in
            let path = "slo[\(index)]"
            switch SLO.parse(try string(item, path: path), metrics: SLO.metricNames) {
            case .success(let slo): return slo
            case .failure(let error): throw located(item, path, error.message)
            }
        }
    }

    private mutating func search(_ node: Node, open: Bool) throws -> SLOSearchSettings {
        let map = try mapping(node, path: "search", allowed: ["start", "max", "levels", "resolution"])
        func load(_ key: String, default value: Double) throws -> Double {
            guard let n = map[key] else { return value }
            return open ? try rate(n, path: "search.\(key)") : Double(try int(n, path: "search.\(key)", in: 1...100_000))
        }
        let start = try load("start", default: 1)
        let max = try load("max", default: open ? 1000 : 1024)
        guard start <= max else { throw located(node, "search", "start \(start) is above max \(max)", hint: "start <= max") }
        let budget = try map["levels"].map { try int($0, path: "search.levels", in: 1...64) } ?? 10
        let resolution = try map["resolution"].map { try double($0, path: "search.resolution", in: 0.001...1_000_000) }
            ?? (open ? Swift.max(start / 10, 0.1) : 1)
        return SLOSearchSettings(start: start, max: max, budget: budget, resolution: resolution)
    }

    private mutating func faults(_ node: Node) throws -> MockSettings.Faults {
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
                faults.stallNs = try duration(n, path: "mock.faults.stall_time")
            }
        }
        if let n = map["retry_after"] { faults.retryAfterMs = Int(try duration(n, path: "mock.faults.retry_after") / 1_000_000) }
        if let n = map["after_chunks"] { faults.afterChunks = try intRange(n, path: "mock.faults.after_chunks") }
        return faults
    }

    private mutating func retries(_ node: Node) throws -> RetryPolicy {
        let map = try mapping(node, path: "retries", allowed: ["max", "on", "backoff", "max_backoff"])
        var policy = RetryPolicy()
        if let n = map["max"] { policy.maxRetries = try int(n, path: "retries.max", in: 0...100) }
        if let n = map["on"] {
            guard case .sequence(let items) = n, !items.isEmpty else {
                throw located(n, "retries.on", "expected a non-empty list of error classes", hint: "for example [rate_limited, server_error]")
            }
            policy.on = Set(try items.enumerated().map { index, item in
                try choice(item, path: "retries.on[\(index)]", ErrorClass.self)
            })
        }
        if let n = map["backoff"] { policy.backoffNs = try duration(n, path: "retries.backoff") }
        if let n = map["max_backoff"] { policy.maxBackoffNs = try duration(n, path: "retries.max_backoff") }
        guard policy.backoffNs <= policy.maxBackoffNs else {
            throw located(map["backoff"] ?? node, "retries.backoff", "backoff is above max_backoff", hint: "backoff <= max_backoff")
        }
        return policy
    }

    private mutating func conversations(_ node: Node) throws -> [Conversation] {
        guard case .sequence(let items) = node, !items.isEmpty else {
            throw located(node, "conversations", "expected a non-empty list of conversations",
                          hint: "each a list of user turns, for example [[\"Hi\", \"Tell me more\"]]")
        }
        return try items.enumerated().map { index, item in
            let path = "conversations[\(index)]"
            guard case .sequence(let turns) = item, !turns.isEmpty else {
                throw located(item, path, "expected a non-empty list of user turns", hint: "[\"first question\", \"follow-up\"]")
            }
            return Conversation(turns: try turns.enumerated().map { try string($1, path: path + "[\($0)]") })
        }
    }

    private mutating func tools(_ node: Node) throws -> ToolSettings {
        let map = try mapping(node, path: "tools", allowed: ["functions", "choice", "rounds"])
        guard let list = map["functions"] else {
            throw located(node, "tools.functions", "missing required key",
                          hint: "a list of {name, description, parameters, result}")
        }
        guard case .sequence(let items) = list, !items.isEmpty else {
            throw located(list, "tools.functions", "expected a non-empty list of functions",
                          hint: "each {name, description, parameters, result}")
        }
        var names: Set<String> = []
        let functions = try items.enumerated().map { index, item -> ToolFunction in
            let path = "tools.functions[\(index)]"
            let fields = try mapping(item, path: path, allowed: ["name", "description", "parameters", "result"])
            let name = try string(required(fields, "name", in: item, path: path), path: path + ".name")
            guard !name.isEmpty, name.count <= 64, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_-".contains($0)) }) else {
                throw located(fields["name"], path + ".name", "'\(name)' is not a function name", hint: "letters, digits, '_' and '-', at most 64")
            }
            guard names.insert(name).inserted else {
                throw located(fields["name"], path + ".name", "function '\(name)' is defined twice", hint: "give each function its own name")
            }
            let parameters = try fields["parameters"].map { try json($0, path: path + ".parameters") }
                ?? .object([("type", .string("object")), ("properties", .object([]))])
            guard case .object = parameters else {
                throw located(fields["parameters"], path + ".parameters", "expected a JSON Schema object", hint: "{type: object, properties: {...}}")
            }
            let resultNode = try required(fields, "result", in: item, path: path)
            // The canned result is sent as text: a mapping is written as compact JSON.
            let result: String
            if case .mapping = resultNode { result = try json(resultNode, path: path + ".result").serialized }
            else { result = try string(resultNode, path: path + ".result") }
            return ToolFunction(name: name, description: try fields["description"].map { try string($0, path: path + ".description") },
                                parameters: parameters, result: result)
        }
        var settings = ToolSettings(functions: functions)
        if let n = map["choice"] {
            let choice = try string(n, path: "tools.choice")
            guard ["auto", "required", "none"].contains(choice) else {
                throw located(n, "tools.choice", "unknown value '\(choice)'", hint: "one of: auto, required, none")
            }
            settings.choice = choice
        }
        if let n = map["rounds"] { settings.rounds = try int(n, path: "tools.rounds", in: 0...16) }
        return settings
    }

    /// Settings a chosen API has no field for are errors, not silently dropped.
    private func checkAPIFields(_ scenario: Scenario, top: [String: Node]) throws {
        if let problem = APIRegistry.problems(in: scenario).first {
            let mark = problem.anchors.lazy.compactMap { top[$0]?.mark }.first ?? locations[problem.path]
            throw ScenarioError(file: file, line: mark?.line, column: mark?.column, path: problem.path,
                                message: problem.message, hint: problem.hint)
        }
    }

    // MARK: Prompts, matrix, secrets

    static let promptKeys = ["source", "items", "path", "limit", "input_tokens", "count", "shared_prefix", "sampling", "seed"]
    static let promptSources = ["inline", "jsonl", "sharegpt", "synthetic"]

    /// `prompts:` as a list (inline prompts) or as a mapping naming a source; the prompts are resolved here, so a
    /// bad dataset line or an empty dataset stops the scenario before anything runs.
    private mutating func promptSection(_ node: Node, model: String) throws -> ([Prompt], PromptSource) {
        var source = PromptSource()
        var prompts: [Prompt]
        guard case .mapping = node else {
            prompts = try inlinePrompts(node, path: "prompts")
            source.tokens = prompts.map { TokenEstimator(model: model).tokens(in: $0, system: nil) }
            return (prompts, source)
        }
        let map = try mapping(node, path: "prompts", allowed: Self.promptKeys)
        guard let kindNode = map["source"] else {
            throw located(node, "prompts.source", "missing required key", hint: "one of: \(Self.promptSources.joined(separator: ", "))")
        }
        let kind = try string(kindNode, path: "prompts.source")
        guard Self.promptSources.contains(kind) else {
            throw located(kindNode, "prompts.source", "unknown source '\(kind)'", hint: "one of: \(Self.promptSources.joined(separator: ", "))")
        }
        let keysOfSource = ["inline": ["items"], "jsonl": ["path", "limit"], "sharegpt": ["path", "limit"],
                            "synthetic": ["input_tokens", "count"]]
        for key in ["items", "path", "limit", "input_tokens", "count"] where map[key] != nil && !keysOfSource[kind]!.contains(key) {
            let owners = keysOfSource.filter { $0.value.contains(key) }.keys.sorted().joined(separator: " or ")
            throw located(map[key], "prompts.\(key)", "applies to source \(owners), not \(kind)",
                          hint: "remove \(key), or set source: \(owners)")
        }
        for key in keysOfSource[kind]! where map[key] == nil && key != "limit" && key != "count" {
            throw located(node, "prompts.\(key)", "missing required key for source \(kind)", hint: Self.promptHints[key])
        }
        if let n = map["seed"] { source.seed = UInt64(try int(n, path: "prompts.seed", in: 0...Int.max)) }
        if let n = map["sampling"] { source.sampling = try choice(n, path: "prompts.sampling", PromptSampling.self) }
        if let n = map["limit"] { source.limit = try int(n, path: "prompts.limit", in: 1...100_000_000) }
        if let n = map["shared_prefix"] {
            let prefix = try mapping(n, path: "prompts.shared_prefix", allowed: ["tokens"])
            guard let tokens = prefix["tokens"] else {
                throw located(n, "prompts.shared_prefix.tokens", "missing required key", hint: "the prefix length in tokens, e.g. {tokens: 1024}")
            }
            source.sharedPrefixTokens = try int(tokens, path: "prompts.shared_prefix.tokens", in: 1...1_000_000)
        }
        let estimator = TokenEstimator(model: model)
        switch kind {
        case "inline":
            prompts = try inlinePrompts(map["items"]!, path: "prompts.items")
        case "jsonl", "sharegpt":
            let pathNode = map["path"]!
            let given = try string(pathNode, path: "prompts.path")
            guard !given.isEmpty else { throw located(pathNode, "prompts.path", "the path is empty", hint: Self.promptHints["path"]) }
            let path = resolve(given)
            if kind == "jsonl" {
                source.kind = .jsonl(path: given)
                prompts = try PromptDataset.jsonl(path: path, shownAs: path, limit: source.limit)
            } else {
                source.kind = .shareGPT(path: given)
                (prompts, source.skipped) = try PromptDataset.shareGPT(path: path, shownAs: path, limit: source.limit)
            }
            guard !prompts.isEmpty else {
                throw ScenarioError(file: path, path: "", message: "the dataset holds no prompt"
                                    + (source.skipped > 0 ? " (\(source.skipped) conversations without a human turn)" : ""),
                                    hint: "a run needs at least one prompt; check the file, or the path in \(file) (prompts.path)")
            }
        default:
            let length = try syntheticLength(map["input_tokens"]!)
            let count = try map["count"].map { try int($0, path: "prompts.count", in: 1...1_000_000) } ?? 256
            let synthetic = SyntheticPrompts(length: length, count: count)
            source.kind = .synthetic(synthetic)
            let texts = synthetic.texts(seed: source.seed, prefix: source.sharedPrefix)
            source.tokens = synthetic.lengths(seed: source.seed).map { $0 + source.sharedPrefixTokens }
            return (texts.map { .text($0) }, source)
        }
        prompts = prompts.map(source.prefixed)
        source.tokens = prompts.map { estimator.tokens(in: $0, system: nil) }
        return (prompts, source)
    }

    static let promptHints = [
        "items": "a list of prompt strings or {messages: [...]} items",
        "path": "a dataset file, relative to the scenario file's directory",
        "input_tokens": "a length in tokens (512), or {distribution: uniform, min: 100, max: 1000}",
    ]

    private mutating func inlinePrompts(_ node: Node, path listPath: String) throws -> [Prompt] {
        guard case .sequence(let items) = node, !items.isEmpty else {
            throw located(node, listPath, "expected a non-empty list of prompts",
                          hint: "each item a string, or {messages: [{role: user, content: ...}]}; or a source: {source: jsonl, path: prompts.jsonl}")
        }
        return try items.enumerated().map { index, item in
            let path = "\(listPath)[\(index)]"
            if case .mapping = item {
                let map = try mapping(item, path: path, allowed: ["messages"])
                guard let messagesNode = map["messages"], case .array(let messages) = try json(messagesNode, path: path + ".messages"),
                      !messages.isEmpty else {
                    throw located(item, path, "expected messages: a non-empty list", hint: "[{role: user, content: \"...\"}]")
                }
                for (position, message) in messages.enumerated() {
                    guard case .string? = message["role"], message["content"] != nil else {
                        throw located(messagesNode, "\(path).messages[\(position)]", "each message needs a role and content",
                                      hint: "{role: user, content: \"...\"}")
                    }
                }
                return .messages(messages)
            }
            let text = try string(item, path: path)
            guard !text.isEmpty else { throw located(item, path, "the prompt is empty") }
            return .text(text)
        }
    }

    /// `input_tokens: 512`, or `{distribution: uniform|normal|lognormal, ...}`.
    private mutating func syntheticLength(_ node: Node) throws -> SyntheticPrompts.Length {
        let path = "prompts.input_tokens"
        if case .scalar = node { return .fixed(try int(node, path: path, in: 1...1_000_000)) }
        let map = try mapping(node, path: path, allowed: ["distribution", "mean", "stddev", "min", "max"])
        guard let kindNode = map["distribution"] else {
            throw located(node, path + ".distribution", "missing required key", hint: "uniform (min, max), normal or lognormal (mean, stddev, optional min and max)")
        }
        let kind = try string(kindNode, path: path + ".distribution")
        func need(_ key: String) throws -> Node {
            guard let value = map[key] else {
                throw located(node, "\(path).\(key)", "missing required key for distribution \(kind)",
                              hint: kind == "uniform" ? "uniform needs min and max" : "\(kind) needs mean and stddev (min and max are optional)")
            }
            return value
        }
        switch kind {
        case "uniform":
            for key in ["mean", "stddev"] where map[key] != nil {
                throw located(map[key], "\(path).\(key)", "applies to normal and lognormal, not uniform", hint: "uniform takes min and max")
            }
            let low = try int(need("min"), path: path + ".min", in: 1...1_000_000)
            let high = try int(need("max"), path: path + ".max", in: 1...1_000_000)
            guard low <= high else { throw located(map["min"], path, "min \(low) is above max \(high)", hint: "min <= max") }
            return .uniform(min: low, max: high)
        case "normal", "lognormal":
            let mean = try double(need("mean"), path: path + ".mean", in: 1...1_000_000)
            let stddev = try double(need("stddev"), path: path + ".stddev", in: 0...1_000_000)
            let low = try map["min"].map { try int($0, path: path + ".min", in: 1...1_000_000) } ?? 1
            let high = try map["max"].map { try int($0, path: path + ".max", in: 1...1_000_000) } ?? 1_000_000
            guard low <= high else { throw located(map["min"], path, "min \(low) is above max \(high)", hint: "min <= max") }
            guard Double(low) <= mean, mean <= Double(high) else {
                throw located(map["mean"], path + ".mean", "mean \(LevelPlan.compact(mean)) is outside min \(low) to max \(high)", hint: "min <= mean <= max")
            }
            return kind == "normal" ? .normal(mean: mean, stddev: stddev, min: low, max: high)
                : .lognormal(mean: mean, stddev: stddev, min: low, max: high)
        default:
            throw located(kindNode, path + ".distribution", "unknown distribution '\(kind)'", hint: "one of: uniform, normal, lognormal")
        }
    }

    /// `matrix: {input_tokens: [...], output_tokens: [...]}`: input lengths need synthetic prompts to build.
    private mutating func matrix(_ node: Node, source: PromptSource) throws -> LoadMatrix {
        let map = try mapping(node, path: "matrix", allowed: ["input_tokens", "output_tokens"])
        func axis(_ key: String) throws -> [Int] {
            guard let n = map[key] else { return [] }
            let path = "matrix.\(key)"
            let values: [Int]
            if case .sequence(let items) = n {
                guard !items.isEmpty else { throw located(n, path, "the list is empty", hint: "one or more token counts, e.g. [128, 512, 2048]") }
                values = try items.enumerated().map { try int($1, path: "\(path)[\($0)]", in: 1...10_000_000) }
            } else {
                values = [try int(n, path: path, in: 1...10_000_000)]
            }
            if let twice = values.enumerated().first(where: { values[..<$0.offset].contains($0.element) }) {
                throw located(n, "\(path)[\(twice.offset)]", "\(twice.element) is listed twice", hint: "each length once")
            }
            return values
        }
        let matrix = LoadMatrix(inputTokens: try axis("input_tokens"), outputTokens: try axis("output_tokens"))
        guard !matrix.inputTokens.isEmpty || !matrix.outputTokens.isEmpty else {
            throw located(node, "matrix", "the matrix has no axis", hint: "input_tokens and/or output_tokens, e.g. {input_tokens: [128, 1024], output_tokens: [64, 512]}")
        }
        if !matrix.inputTokens.isEmpty {
            guard case .synthetic = source.kind else {
                throw located(map["input_tokens"], "matrix.input_tokens", "input lengths need synthetic prompts, but prompts come from source \(source.kind.name)",
                              hint: "set prompts: {source: synthetic, input_tokens: 512}, or drop matrix.input_tokens")
            }
        }
        return matrix
    }

    /// Keys that would put a secret in the file are refused with the way to give it instead.
    private func rejectInlineKeys(_ node: Node, path: String) throws {
        guard case .mapping(let map) = node else { return }
        for (keyNode, value) in map {
            guard let key = keyNode.string else { continue }
            let full = path.isEmpty ? key : "\(path).\(key)"
            let normalized = key.lowercased().replacingOccurrences(of: "-", with: "_")
            if Self.secretKeys.contains(normalized) {
                throw located(keyNode, full, "an API key never goes in a scenario file",
                              hint: "name the environment variable holding it with api_key_env (default SAMBANOVA_API_KEY), or a file holding it with api_key_file")
            }
            if path.isEmpty && key == "request" { try rejectInlineKeys(value, path: key) }
        }
    }

    static let secretKeys: Set = ["api_key", "apikey", "key", "token", "api_token", "access_token", "secret", "password",
                                  "authorization", "bearer", "x_api_key"]

    // MARK: Values

    private mutating func mapping(_ node: Node, path: String, allowed: [String]) throws -> [String: Node] {
        guard case .mapping(let map) = node else {
            throw located(node, path, "expected a mapping of keys", hint: "keys: \(allowed.joined(separator: ", "))")
        }
        var result: [String: Node] = [:]
        for (keyNode, value) in map {
            guard case .scalar(let scalar) = keyNode else {
                throw located(keyNode, path, "keys must be plain names")
            }
            let key = scalar.string
            let fullPath = path.isEmpty ? key : "\(path).\(key)"
            guard allowed.contains(key) else {
                var hint = "valid keys here: \(allowed.joined(separator: ", "))"
                if let suggestion = Self.closest(to: key, in: allowed) { hint = "did you mean '\(suggestion)'? " + hint }
                throw located(keyNode, fullPath, "unknown key", hint: hint)
            }
            guard result[key] == nil else { throw located(keyNode, fullPath, "the key is given twice") }
            result[key] = value
            if let mark = keyNode.mark { locations[fullPath] = mark }
        }
        return result
    }

    private func required(_ map: [String: Node], _ key: String, in node: Node, path: String) throws -> Node {
        guard let value = map[key] else {
            let full = path.isEmpty ? key : "\(path).\(key)"
            throw located(node, full, "missing required key", hint: Self.requiredHints[key])
        }
        return value
    }

    static let requiredHints = [
        "name": "a short name for the results folder, for example demo",
        "base_url": "the API base URL such as https://api.sambanova.ai/v1, or mock",
        "model": "the model id, for example gpt-oss-120b",
        "prompts": "a list of prompt strings",
    ]

    private func scalarText(_ node: Node, path: String, expected: String) throws -> (String, Node.Scalar) {
        guard case .scalar(let scalar) = node else { throw located(node, path, "expected \(expected)") }
        return (scalar.string, scalar)
    }

    private func string(_ node: Node, path: String) throws -> String {
        guard case .scalar(let scalar) = node else { throw located(node, path, "expected a string") }
        return scalar.string
    }

    private func bool(_ node: Node, path: String) throws -> Bool {
        guard let value = node.bool else { throw located(node, path, "expected true or false, got '\(node.string ?? "?")'") }
        return value
    }

    private func int(_ node: Node, path: String, in range: ClosedRange<Int>) throws -> Int {
        let (text, _) = try scalarText(node, path: path, expected: "an integer")
        guard let value = node.int ?? Int(text) else {
            throw located(node, path, "expected an integer, got '\(text)'", hint: Self.rangeHint(range))
        }
        guard range.contains(value) else {
            throw located(node, path, "\(value) is out of range", hint: Self.rangeHint(range))
        }
        return value
    }

    private func double(_ node: Node, path: String, in range: ClosedRange<Double>) throws -> Double {
        let (text, _) = try scalarText(node, path: path, expected: "a number")
        guard let value = node.float ?? Double(text), value.isFinite else {
            throw located(node, path, "expected a number, got '\(text)'", hint: "a number from \(range.lowerBound) to \(range.upperBound)")
        }
        guard range.contains(value) else {
            throw located(node, path, "\(text) is out of range", hint: "a number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    private func duration(_ node: Node, path: String) throws -> Int64 {
        let (text, _) = try scalarText(node, path: path, expected: "a duration")
        guard let ns = DurationText.nanoseconds(text) else {
            throw located(node, path, "'\(text)' is not a duration", hint: "a number with a unit: 250ms, 30s, 5m, 1h")
        }
        return ns
    }

    private func intRange(_ node: Node, path: String) throws -> ClosedRange<Int> {
        let hint = "a positive integer, or [min, max] with 1 <= min <= max"
        if case .sequence(let items) = node {
            guard items.count == 2 else { throw located(node, path, "expected [min, max]", hint: hint) }
            let low = try int(items[0], path: path + "[0]", in: 1...10_000_000)
            let high = try int(items[1], path: path + "[1]", in: 1...10_000_000)
            guard low <= high else { throw located(node, path, "min \(low) is above max \(high)", hint: hint) }
            return low...high
        }
        let value = try int(node, path: path, in: 1...10_000_000)
        return value...value
    }

    /// Converts YAML into JSON for body fields: quoted scalars stay strings, plain ones are typed.
    private func json(_ node: Node, path: String) throws -> JSONValue {
        switch node {
        case .scalar(let scalar):
            if scalar.style == .plain {
                if ["null", "~", ""].contains(scalar.string) { return .null }
                if let value = node.bool { return .bool(value) }
                if let value = node.int { return .number(Double(value)) }
                if let value = node.float { return .number(value) }
            }
            return .string(scalar.string)
        case .sequence(let items):
            return .array(try items.enumerated().map { try json($1, path: "\(path)[\($0)]") })
        case .mapping(let map):
            return .object(try map.map { key, value in
                let name = key.string ?? ""
                return (name, try json(value, path: "\(path).\(name)"))
            })
        case .alias:
            throw located(node, path, "YAML aliases are not supported here")
        }
    }

    // MARK: Errors

    private func located(_ node: Node?, _ path: String, _ message: String, hint: String? = nil) -> ScenarioError {
        ScenarioError(file: file, line: node?.mark?.line, column: node?.mark?.column, path: path, message: message, hint: hint)
    }

    private func yamlError(_ error: YamlError) -> ScenarioError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return ScenarioError(file: file, line: mark.line, column: mark.column, path: "",
                                 message: "not valid YAML: \(problem)")
        default:
            return ScenarioError(file: file, path: "", message: "not valid YAML: \(error)")
        }
    }

    static func rangeHint(_ range: ClosedRange<Int>) -> String {
        if range.upperBound == Int.max { return "an integer >= \(range.lowerBound)" }
        return "an integer from \(range.lowerBound) to \(range.upperBound)"
    }

    /// The allowed key nearest to a misspelt one (edit distance at most 2, or a shared prefix of 4).
    static func closest(to key: String, in allowed: [String]) -> String? {
        let scored = allowed.map { ($0, editDistance(key, $0)) }.sorted { $0.1 < $1.1 }
        if let best = scored.first, best.1 <= 2 { return best.0 }
        return allowed.first { $0.hasPrefix(String(key.prefix(4))) && key.count >= 4 }
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return a.isEmpty ? b.count : previous[b.count]
    }
}
