/// Everything a run does, read from a scenario file (see docs in the README).
public struct Scenario: Sendable, Equatable {
    public var name: String
    public var description: String?
    public var api: APIKind = .chat
    /// `mock` starts the embedded mock server; otherwise the API base URL, for example `https://api.sambanova.ai/v1`.
    public var baseURL: String
    public var model: String
    /// The environment variable holding the API key (never the key itself).
    public var apiKeyEnv: String = "SAMBANOVA_API_KEY"
    /// A file holding the key instead (`api_key_file`), resolved against the scenario file's directory.
    public var apiKeyFile: String?
    public var stream = true
    public var request = RequestSettings()
    public var prompts: [Prompt]
    /// Multi-turn conversations, sent instead of `prompts` when given (each conversation's first turn is its prompt).
    public var conversations: [Conversation] = []
    /// Function tools offered with every request, and their canned results.
    public var tools: ToolSettings?
    /// Messages API: how the key is sent, and the `anthropic-version` header.
    public var auth = AuthStyle.bearer
    public var anthropicVersion = "2023-06-01"
    /// Write every answer's text, reasoning and tool calls to `responses.jsonl` (off: answers are not kept).
    public var recordText = false
    /// Counts each chunk's tokens and the prompts' tokens exactly (`tokenizer:`); nil apportions usage by length.
    public var tokenizer: ScenarioTokenizer?
    /// Which requests' chunks are written to chunks.csv (`chunk_rows`); figures are exact whichever.
    public var chunkRows = ChunkRows.all
    /// Where `prompts` came from, how they are picked, and the synthetic prompts of a matrix level's length.
    public var promptSource = PromptSource()
    public var load = LoadSettings()
    /// Input length x output length x load levels, each cell's levels named after it (`in512-out256-c16`).
    public var matrix: LoadMatrix?
    public var timeouts = TransferTimeouts(connectNs: 10_000_000_000, firstTokenNs: 120_000_000_000,
                                           idleNs: 60_000_000_000, totalNs: 600_000_000_000)
    public var mock = MockSettings()
    /// Objectives each level is checked against (and goodput counts).
    public var slos: [SLO] = []
    /// A level whose error rate is above this makes the run exit 4 (after writing everything).
    public var maxErrorRate: Double?
    /// Retries of failed requests (off by default) and the early abort on errors.
    public var retries = RetryPolicy()
    public var abort: AbortPolicy?
    /// Follow HTTP redirects (off: a redirect is an error naming its Location).
    public var followRedirects = false
    /// What one response may hold in the client's memory (`limits:`).
    public var limits = RequestLimits()
    /// When set, the levels are chosen by an SLO search instead of the load's list.
    public var search: SLOSearchSettings?
    /// Results go to `<output>/<name>/<timestamp>/`.
    public var output = "results"
    /// Skip TLS verification. Only from `--insecure`, never from a file.
    public var insecure = false
    /// The file it was read from and where each key stood, for errors found after reading.
    public var source = ScenarioSource(file: "<scenario>")

    public init(name: String, baseURL: String, model: String, prompts: [Prompt]) {
        self.name = name
        self.baseURL = baseURL
        self.model = model
        self.prompts = prompts
    }

    public var usesMock: Bool { baseURL == "mock" }

    /// A request's answer decides the next request (conversations, tool calls): the decoders keep the output.
    public var hasFollowUps: Bool { !conversations.isEmpty || tools != nil }
}

public struct ScenarioSource: Sendable, Equatable {
    public var file: String
    /// Line and column of each key path.
    public var locations: [String: [Int]] = [:]

    public init(file: String) { self.file = file }

    public func error(at path: String, _ message: String, hint: String? = nil) -> ScenarioError {
        let location = locations[path]
        return ScenarioError(file: file, line: location?.first, column: location?.last, path: path, message: message,
                             hint: hint)
    }
}

/// Sampling and body fields sent with every request.
public struct RequestSettings: Sendable, Equatable {
    public var maxTokens: Int?
    public var temperature: Double?
    public var topP: Double?
    public var topK: Int?
    public var seed: Int?
    public var stop: [String]?
    /// A system message put before each prompt given as text (Responses: `instructions`; Messages: `system`).
    public var system: String?
    /// `low`, `medium` or `high` (Chat: `reasoning_effort`; Responses: `reasoning.effort`).
    public var reasoningEffort: String?
    /// Structured output: `{type: json_object}` or `{type: json_schema, ...}` (Chat: `response_format`; Responses:
    /// `text.format`).
    public var responseFormat: JSONValue?
    /// Fields merged into the body as they are (they win over the fields above).
    public var extraBody: [(String, JSONValue)] = []

    public init() {}

    public static func == (lhs: RequestSettings, rhs: RequestSettings) -> Bool {
        lhs.maxTokens == rhs.maxTokens && lhs.temperature == rhs.temperature && lhs.topP == rhs.topP
            && lhs.topK == rhs.topK && lhs.seed == rhs.seed && lhs.stop == rhs.stop && lhs.system == rhs.system
            && lhs.reasoningEffort == rhs.reasoningEffort && lhs.responseFormat == rhs.responseFormat
            && JSONValue.object(lhs.extraBody) == JSONValue.object(rhs.extraBody)
    }
}

/// One prompt: plain text (sent as a user message) or a whole messages array.
public enum Prompt: Sendable, Equatable {
    case text(String)
    case messages([JSONValue])
}

/// The load: closed-loop concurrency levels or open-loop rates, run one level after another.
public struct LoadSettings: Sendable, Equatable {
    public enum Mode: String, Sendable, Equatable, CaseIterable {
        case closed
        case open
    }

    public enum AtCap: String, Sendable, Equatable, CaseIterable {
        /// The request waits for a free slot and starts late (its lateness is recorded).
        case wait
        /// The request is not sent and is recorded with error class `dropped`.
        case drop
    }

    public struct Ramp: Sendable, Equatable {
        public var from: Double
        public var to: Double
        public var overNs: Int64

        public init(from: Double, to: Double, overNs: Int64) {
            self.from = from
            self.to = to
            self.overNs = overNs
        }
    }

    public var mode = Mode.closed
    /// Closed loop: virtual users per level.
    public var concurrency: [Int] = [1]
    /// Open loop: requests per second per level.
    public var rates: [Double] = []
    /// Open loop: one level whose rate moves linearly (instead of `rates`).
    public var ramp: Ramp?
    public var arrival = ArrivalProcess.poisson
    /// Gamma shape: 1 is Poisson, below 1 burstier.
    public var burstiness = 1.0
    public var seed: UInt64 = 1
    /// Open loop: the most requests in flight, and what an arrival does when they are.
    public var maxInFlight = 1024
    public var atCap = AtCap.wait
    /// Measured requests per level (after warm-up). At least one of `requests` and `durationNs` is set.
    public var requests: Int? = 32
    /// Measurement window per level; dispatching stops when it ends.
    public var durationNs: Int64?
    /// Warm-up per level: a request count and/or a time from the level's start; excluded from statistics.
    public var warmup = 0
    public var warmupNs: Int64 = 0
    /// Pause of each virtual user between its requests (closed loop).
    public var thinkTimeNs: Int64 = 0
    /// After dispatching stops, how long in-flight requests may take before they are cancelled.
    public var drainTimeoutNs: Int64 = 120_000_000_000
    /// Pause between levels.
    public var cooldownNs: Int64 = 0

    public init() {}
}

/// The embedded mock's timing, used when `base_url: mock` (or `--mock`).
public struct MockSettings: Sendable, Equatable {
    public var ttftNs: Int64 = 200_000_000
    public var decodeTokensPerSecond: Double = 600
    public var tokensPerChunk: ClosedRange<Int> = 4...12
    public var outputTokens: ClosedRange<Int> = 256...256
    public var seed: UInt64 = 42
    /// The capacity model: concurrent slots, a FIFO queue beyond them, and the decode rate with every slot busy.
    public var capacity: Capacity?
    /// Share of each answer's output tokens that is reasoning, streamed before the answer (0 to 1).
    public var reasoningShare = 0.0
    /// Share of requests offering tools that the mock answers with a tool call (0 to 1).
    public var toolCallShare = 1.0
    /// Fault injection: the share of requests getting each fault (at most one per request; the shares add up to
    /// at most 1), decided from the seed and the request number.
    public var faults = Faults()
    /// Stamp the first token chunk's send time into each stream (an SSE comment), so the client's TTFT error against
    /// it is measured (`ttft_error_ms`).
    public var stampSendTimes = false
    /// `mock.word_lengths`: uniform (five-byte words) or varied (2 to 17 bytes, each one token in o200k_base).
    public var variedWordLengths = false
    /// `mock.api_key`: the only key the embedded mock accepts, and the one the run sends it; nil: a key made for
    /// the run. A secret: never written to run.json or any output.
    public var apiKey: String?

    /// `mock.ttft` (and `sambabench mock --ttft`): zero to an hour.
    public static let ttftRange: ClosedRange<Int64> = 0...3_600_000_000_000
    /// `mock.decode_rate` (and `--decode-rate`), tokens per second.
    public static let decodeRateRange: ClosedRange<Double> = 0.001...10_000_000
    /// `mock.faults.retry_after`: zero to an hour (the client honours at most 5 minutes of it).
    public static let retryAfterRange: ClosedRange<Int64> = 0...3_600_000_000_000

    public struct Faults: Sendable, Equatable {
        public var rateLimited = 0.0
        public var overloaded = 0.0
        public var streamError = 0.0
        public var disconnect = 0.0
        public var stall = 0.0
        public var malformed = 0.0
        public var drip = 0.0
        /// A stall's length; nil never resumes.
        public var stallNs: Int64? = 2_000_000_000
        /// The 429's `retry-after-ms`.
        public var retryAfterMs = 1000
        /// Token chunks sent before a mid-stream fault strikes.
        public var afterChunks: ClosedRange<Int> = 1...3

        public init() {}

        public static let keys = ["rate_limited", "overloaded", "stream_error", "disconnect", "stall", "malformed", "drip"]
    }

    public struct Capacity: Sendable, Equatable {
        public var slots: Int
        public var maxQueue: Int
        public var decodeRateAtCapacity: Double
        /// Batched prefill: `batch_window` (nil: none) and `max_batch`.
        public var batchWindowNs: Int64?
        public var maxBatch = 1_000_000

        public init(slots: Int, maxQueue: Int, decodeRateAtCapacity: Double, batchWindowNs: Int64? = nil, maxBatch: Int = 1_000_000) {
            self.slots = slots
            self.maxQueue = maxQueue
            self.decodeRateAtCapacity = decodeRateAtCapacity
            self.batchWindowNs = batchWindowNs
            self.maxBatch = maxBatch
        }
    }

    public init() {}
}
