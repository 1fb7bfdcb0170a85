/// The mock's timing and output, deterministic under the seed.
public struct MockProfile: Sendable, Equatable {
    /// From the end of the request to the first content chunk.
    public var ttftNs: Int64
    /// Tokens per second after the first chunk, per request.
    public var decodeTokensPerSecond: Double
    /// Tokens in each content chunk (uniform in the range; the last chunk of the reasoning and of the answer takes what
    /// is left). A tool call is one chunk of its own size.
    public var tokensPerChunk: ClosedRange<Int>
    /// Output length per request (uniform in the range), never above the request's max_tokens. A tool call takes the
    /// place of the text after the reasoning and counts the tokens of its arguments instead (see `MockToolCall`).
    public var outputTokens: ClosedRange<Int>
    public var seed: UInt64
    /// The model catalogue: `GET /v1/models` lists it; a request naming a model that is not in it for its API gets
    /// 404 `model_not_found`.
    public var models: [MockModel]
    /// The key requests must carry (`Authorization: Bearer KEY`, or `x-api-key: KEY` on Messages); nil accepts any
    /// non-empty key. A request without one, or with another, gets 401.
    public var apiKey: String?
    /// Limits on concurrent generation; nil answers every request at once at full speed.
    public var capacity: MockCapacity?
    /// Fraction of each request's output tokens (rounded) that is reasoning, streamed before the answer (0...1).
    public var reasoningShare: Double
    /// Probability that a request offering tools, whose last input is not a tool result, is answered with a call
    /// to one of them instead of text (0...1).
    public var toolCallShare: Double
    /// Errors, disconnects, stalls, malformed events and slow drips injected into some answers (none by default).
    public var faults: MockFaults
    /// Write `: x-mock-sent-ns <CLOCK_MONOTONIC ns>` just before each stream's first token-carrying chunk, taken the
    /// moment before the write, so a client on this machine can measure its own timestamp error against it.
    public var stampSendTimes: Bool
    /// The words the answers are made of: all five bytes long (text length apportions tokens exactly), or of
    /// 2 to 17 bytes (so only a tokenizer counts each chunk's tokens exactly).
    public var wordLengths: MockWordLengths
    /// With nothing to answer, a connection that does not start its next request within this long is closed.
    public var idleTimeoutNs: Int64 = 60_000_000_000
    /// A request whose first byte has arrived must be read whole (headers and body) within this long, or its
    /// connection is closed: a client sending its headers a byte at a time holds nothing for long.
    public var requestReadTimeoutNs: Int64 = 30_000_000_000

    public init(ttftNs: Int64 = 200_000_000, decodeTokensPerSecond: Double = 600, tokensPerChunk: ClosedRange<Int> = 4...12,
                outputTokens: ClosedRange<Int> = 256...256, seed: UInt64 = 42,
                models: [MockModel] = MockModel.catalogue,
                capacity: MockCapacity? = nil, reasoningShare: Double = 0, toolCallShare: Double = 1, apiKey: String? = nil,
                faults: MockFaults = .none, stampSendTimes: Bool = false, wordLengths: MockWordLengths = .uniform) {
        precondition((0...1).contains(reasoningShare) && (0...1).contains(toolCallShare), "mock shares must lie in 0...1")
        self.ttftNs = ttftNs
        self.decodeTokensPerSecond = decodeTokensPerSecond
        self.tokensPerChunk = tokensPerChunk
        self.outputTokens = outputTokens
        self.seed = seed
        self.models = models
        self.apiKey = apiKey
        self.capacity = capacity
        self.reasoningShare = reasoningShare
        self.toolCallShare = toolCallShare
        self.faults = faults
        self.stampSendTimes = stampSendTimes
        self.wordLengths = wordLengths
    }
}

/// The mock's answer words. Every word is one token in o200k_base and in cl100k_base (a space and lowercase
/// letters), so a chunk of k words is exactly k tokens to those tokenizers.
public enum MockWordLengths: String, Sendable, Equatable, CaseIterable {
    /// Sixteen five-byte words.
    case uniform
    /// Sixteen words of 2 to 17 bytes.
    case varied

    var words: [String] {
        switch self {
        case .uniform: MockCompletion.vocabulary
        case .varied: [" a", " to", " the", " data", " model", " server", " latency", " response", " throughput",
                       " information", " performance", " development", " configuration", " implementation",
                       " infrastructure", " responsibilities"]
        }
    }
}

/// How much the mock generates at once, so a load sweep against it shows a deployment's knee.
public struct MockCapacity: Sendable, Equatable {
    /// Requests generated at once across the whole server, whatever their API (at least 1); later ones wait in
    /// arrival order.
    public var slots: Int
    /// Requests allowed to wait for a slot (at least 0); one more is answered 429 `queue_full` at once.
    public var maxQueue: Int
    /// Tokens per second after the first chunk, per request, when all slots are busy (above 0); with fewer active
    /// requests the rate lies on the line from `decodeTokensPerSecond` at one.
    public var decodeRateAtCapacity: Double
    /// Batched prefill: requests that start generating within one window of the window's first request form one
    /// batch (at most `maxBatch`), whose prefill begins when the window closes and after the previous batch's
    /// prefill ended. Its requests share the start time and TTFT they report. Nil: each request starts at once.
    public var batching: MockBatching?

    public init(slots: Int, maxQueue: Int, decodeRateAtCapacity: Double, batching: MockBatching? = nil) {
        precondition(slots >= 1 && maxQueue >= 0 && decodeRateAtCapacity > 0, "invalid mock capacity")
        self.slots = slots
        self.maxQueue = maxQueue
        self.decodeRateAtCapacity = decodeRateAtCapacity
        self.batching = batching
    }

    /// Per-request decode rate with `active` requests generating: linear from `singleRate` at one request to
    /// `decodeRateAtCapacity` at `slots`.
    func decodeRate(active: Int, singleRate: Double) -> Double {
        let n = min(max(active, 1), slots)
        return singleRate + (decodeRateAtCapacity - singleRate) * Double(n - 1) / Double(max(slots - 1, 1))
    }
}

/// The mock's batched prefill (`mock.capacity.batch_window`, `max_batch`).
public struct MockBatching: Sendable, Equatable {
    /// How long a batch collects requests after its first one.
    public var windowNs: Int64
    /// The most requests in one batch; a full batch still starts when its window closes.
    public var maxBatch: Int

    public init(windowNs: Int64, maxBatch: Int) {
        precondition(windowNs >= 0 && maxBatch >= 1, "invalid mock batching")
        self.windowNs = windowNs
        self.maxBatch = maxBatch
    }
}
