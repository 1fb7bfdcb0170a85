/// Overrides of a scenario's settings for one run, as the text given on the command line (`--rate 1200/m`).
///
/// Each value is read by the same reader as the scenario key it replaces, so it accepts the same forms and fails
/// with the same message and range, naming the flag: `command line: --concurrency: -1 is out of range (an integer
/// from 1 to 100000)`. A list is comma-separated (`--concurrency 1,8,32` is `concurrency: [1, 8, 32]`).
public struct ScenarioOverrides: Sendable, Equatable {
    /// `load.concurrency`: closed-loop levels; switches the load to closed loop.
    public var concurrency: String?
    /// `load.rate`: open-loop levels; switches the load to open loop.
    public var rate: String?
    /// `load.arrival`: constant, poisson or gamma (open loop only).
    public var arrival: String?
    /// `load.requests`: measured requests per level (drops the file's duration unless `duration` is given too).
    public var requests: String?
    /// `load.duration`: measurement time per level (drops the file's request count unless `requests` is given too).
    public var duration: String?
    /// `load.warmup`: warm-up requests (`4`) or time (`10s`) per level; replaces the file's warm-up of either kind.
    public var warmup: String?
    /// `load.think_time`.
    public var thinkTime: String?
    /// `base_url`: an http(s) URL, or mock.
    public var baseURL: String?
    /// `model`.
    public var model: String?
    /// `request.max_tokens`, for every request: a matrix's output lengths give way.
    public var maxTokens: String?
    /// `api`.
    public var api: String?
    /// `stream`.
    public var stream: Bool?
    public var recordText: Bool
    /// `chunk_rows`.
    public var chunkRows: String?
    /// Answer from the embedded mock whatever `base_url` says.
    public var mock: Bool
    public var insecure: Bool

    public init(concurrency: String? = nil, rate: String? = nil, arrival: String? = nil, requests: String? = nil,
                duration: String? = nil, warmup: String? = nil, thinkTime: String? = nil, baseURL: String? = nil,
                model: String? = nil, maxTokens: String? = nil, api: String? = nil, stream: Bool? = nil,
                recordText: Bool = false, chunkRows: String? = nil, mock: Bool = false, insecure: Bool = false) {
        self.concurrency = concurrency
        self.rate = rate
        self.arrival = arrival
        self.requests = requests
        self.duration = duration
        self.warmup = warmup
        self.thinkTime = thinkTime
        self.baseURL = baseURL
        self.model = model
        self.maxTokens = maxTokens
        self.api = api
        self.stream = stream
        self.recordText = recordText
        self.chunkRows = chunkRows
        self.mock = mock
        self.insecure = insecure
    }

    /// A duration flag outside the scenario (`--grace`), read as the file reads durations, within `range` (by
    /// default zero to 30 days).
    public static func duration(_ text: String, flag: String, in range: ClosedRange<Int64> = DurationText.defaultRange) throws -> Int64 {
        try ScenarioValue.duration(ScenarioValue.scalar(text), at: .commandLine(flag), in: range)
    }

    /// Applies the overrides; an invalid value throws a `ScenarioError` located at its flag.
    public func apply(to scenario: inout Scenario) throws {
        let value = ScenarioValue.scalar
        if let concurrency {
            let site = ValueSite.commandLine("--concurrency")
            let levels = try ScenarioReader.concurrencyLevels(ScenarioValue.commaList(concurrency), at: site)
            try ScenarioReader.checkDistinct(levels.map { .concurrency($0) }, at: site)
            scenario.load.concurrency = levels
            scenario.load.mode = .closed
            scenario.load.ramp = nil
        }
        if let rate {
            let site = ValueSite.commandLine("--rate")
            guard concurrency == nil else {
                throw site.error("--rate and --concurrency are both given", hint: "a closed loop (--concurrency) or an open loop (--rate), not both")
            }
            let rates = try ScenarioReader.rates(ScenarioValue.commaList(rate), at: site)
            try ScenarioReader.checkDistinct(rates.map { .rate($0) }, at: site)
            scenario.load.rates = rates
            scenario.load.mode = .open
            scenario.load.ramp = nil
        }
        if let arrival {
            let site = ValueSite.commandLine("--arrival")
            scenario.load.arrival = try ScenarioReader.arrival(value(arrival), at: site)
            guard scenario.load.mode == .open else {
                throw site.error("applies to open-loop loads only", hint: "give --rate too, or remove --arrival")
            }
        }
        if let requests {
            scenario.load.requests = try ScenarioReader.requests(value(requests), at: .commandLine("--requests"))
            if duration == nil { scenario.load.durationNs = nil }
        }
        if let duration {
            scenario.load.durationNs = try ScenarioReader.measuredDuration(value(duration), at: .commandLine("--duration"))
            if requests == nil { scenario.load.requests = nil }
        }
        if let warmup {
            switch try ScenarioReader.warmup(value(warmup), at: .commandLine("--warmup")) {
            case .requests(let count):
                scenario.load.warmup = count
                scenario.load.warmupNs = 0
            case .duration(let ns):
                scenario.load.warmupNs = ns
                scenario.load.warmup = 0
            }
        }
        if let thinkTime {
            let site = ValueSite.commandLine("--think-time")
            scenario.load.thinkTimeNs = try ScenarioReader.thinkTime(value(thinkTime), at: site)
            // A pause between a virtual user's requests: an open loop has no users, its arrivals keep their schedule.
            guard scenario.load.mode == .closed else {
                throw site.error("a think time applies to a closed loop (virtual users); this load is open loop (rates)",
                                 hint: "drop --think-time, or use --concurrency")
            }
        }
        if mock && baseURL != nil {
            throw ValueSite.commandLine("--mock").error("--mock and --base-url both say where requests go",
                                                         hint: "give one of them")
        }
        if let baseURL { scenario.baseURL = try ScenarioReader.baseURL(value(baseURL), at: .commandLine("--base-url")) }
        if let model { scenario.model = try ScenarioReader.model(value(model), at: .commandLine("--model")) }
        if let maxTokens {
            scenario.request.maxTokens = try ScenarioReader.maxTokens(value(maxTokens), at: .commandLine("--max-tokens"))
            // Every request: a matrix's output lengths give way (its input lengths stay).
            scenario.matrix?.outputTokens = []
            if scenario.matrix?.inputTokens.isEmpty == true { scenario.matrix = nil }
        }
        if mock { scenario.baseURL = "mock" }
        if insecure { scenario.insecure = true }
        if let stream { scenario.stream = stream }
        if recordText { scenario.recordText = true }
        if let chunkRows { scenario.chunkRows = try ChunkRows.parse(chunkRows, at: .commandLine("--chunk-rows")) }
        if let api {
            let site = ValueSite.commandLine("--api")
            let kind = try ScenarioReader.api(value(api), at: site)
            scenario.api = kind
            if let (key, hint) = scenario.unsupportedRequestFields().first {
                throw site.error("the scenario's request.\(key) has no field in the \(api) API", hint: hint)
            }
            if !APIRegistry.definition(of: kind).takesAuthStyle { scenario.auth = .bearer }
            // Whatever else the API cannot honour (messages without max_tokens, completions with conversations or
            // tools), as the scenario file would be told; a setting a flag can give names the flag.
            if let problem = APIRegistry.problems(in: scenario).first {
                let hint = problem.path == "request.max_tokens" ? "add --max-tokens N or request.max_tokens" : problem.hint
                throw site.error(problem.message, hint: hint)
            }
        }
    }
}
