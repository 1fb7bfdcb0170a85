/// The mock's timing and output, deterministic under the seed.
public struct MockProfile: Sendable, Equatable {
    /// From the end of the request to the first content chunk.
    public var ttftNs: Int64
    /// Tokens per second after the first chunk, per request.
    public var decodeTokensPerSecond: Double
    /// Tokens in each content chunk (uniform in the range; the last chunk takes what is left).
    public var tokensPerChunk: ClosedRange<Int>
    /// Output length per request (uniform in the range), never above the request's max_tokens.
    public var outputTokens: ClosedRange<Int>
    public var seed: UInt64
    /// Models listed by `GET /v1/models` (any model name is answered).
    public var models: [String]
    /// Limits on concurrent generation; nil answers every request at once at full speed.
    public var capacity: MockCapacity?

    public init(ttftNs: Int64 = 200_000_000, decodeTokensPerSecond: Double = 600, tokensPerChunk: ClosedRange<Int> = 4...12,
                outputTokens: ClosedRange<Int> = 256...256, seed: UInt64 = 42,
                models: [String] = ["gpt-oss-120b", "Meta-Llama-3.3-70B-Instruct", "DeepSeek-V3.1", "MiniMax-M2.7"],
                capacity: MockCapacity? = nil) {
        self.ttftNs = ttftNs
        self.decodeTokensPerSecond = decodeTokensPerSecond
        self.tokensPerChunk = tokensPerChunk
        self.outputTokens = outputTokens
        self.seed = seed
        self.models = models
        self.capacity = capacity
    }
}

/// How much the mock generates at once, so a load sweep against it shows a deployment's knee.
public struct MockCapacity: Sendable, Equatable {
    /// Chat requests generated at once across the whole server (at least 1); later ones wait in arrival order.
    public var slots: Int
    /// Requests allowed to wait for a slot (at least 0); one more is answered 429 `queue_full` at once.
    public var maxQueue: Int
    /// Tokens per second after the first chunk, per request, when all slots are busy (above 0); with fewer active
    /// requests the rate lies on the line from `decodeTokensPerSecond` at one.
    public var decodeRateAtCapacity: Double

    public init(slots: Int, maxQueue: Int, decodeRateAtCapacity: Double) {
        precondition(slots >= 1 && maxQueue >= 0 && decodeRateAtCapacity > 0, "invalid mock capacity")
        self.slots = slots
        self.maxQueue = maxQueue
        self.decodeRateAtCapacity = decodeRateAtCapacity
    }

    /// Per-request decode rate with `active` requests generating: linear from `singleRate` at one request to
    /// `decodeRateAtCapacity` at `slots`.
    func decodeRate(active: Int, singleRate: Double) -> Double {
        let n = min(max(active, 1), slots)
        return singleRate + (decodeRateAtCapacity - singleRate) * Double(n - 1) / Double(max(slots - 1, 1))
    }
}

/// SplitMix64: small, fast and reproducible on every platform.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// What the mock will answer to one request: chunk sizes and text, fixed before the first byte is sent.
struct MockCompletion: Equatable {
    /// Tokens of each content chunk, in order.
    var chunkTokens: [Int]
    var outputTokens: Int
    var finishReason: String

    /// Every token is five bytes (a space and a four-letter word), so text length apportions tokens exactly.
    static let vocabulary = [" time", " data", " fast", " chip", " flow", " node", " rack", " core", " bank", " wave",
                             " load", " path", " grid", " unit", " cell", " beam"]

    init(profile: MockProfile, maxTokens: Int?, requestNumber: UInt64) {
        var rng = SplitMix64(seed: profile.seed &+ requestNumber &* 0x2545_F491_4F6C_DD1D)
        var total = Int.random(in: profile.outputTokens, using: &rng)
        finishReason = "stop"
        if let maxTokens, maxTokens < total {
            total = max(maxTokens, 0)
            finishReason = "length"
        }
        outputTokens = total
        var chunks: [Int] = []
        var left = total
        while left > 0 {
            let size = min(Int.random(in: profile.tokensPerChunk, using: &rng), left)
            chunks.append(size)
            left -= size
        }
        chunkTokens = chunks
        textSeed = rng.next()
    }

    private var textSeed: UInt64 = 0

    /// The text of chunk `index`.
    func text(ofChunk index: Int) -> String {
        var rng = SplitMix64(seed: textSeed &+ UInt64(index))
        var text = ""
        text.reserveCapacity(chunkTokens[index] * 5)
        for _ in 0..<chunkTokens[index] { text += Self.vocabulary[Int(rng.next() % UInt64(Self.vocabulary.count))] }
        return text
    }

    /// Planned send time of chunk `index` after the request ended: the first at TTFT, each later one when the tokens
    /// after the first chunk, up to and including it, have taken their time at the decode rate.
    func offsetNs(ofChunk index: Int, profile: MockProfile) -> Int64 {
        guard index > 0 else { return profile.ttftNs }
        let tokensAfterFirst = chunkTokens[1...index].reduce(0, +)
        return profile.ttftNs + Int64((Double(tokensAfterFirst) / profile.decodeTokensPerSecond * 1e9).rounded())
    }

    /// Time chunk `index` takes after the previous one at `rate` tokens per second (the capacity model's schedule,
    /// where the rate changes while a request runs).
    func intervalNs(beforeChunk index: Int, rate: Double) -> Int64 {
        Int64((Double(chunkTokens[index]) / rate * 1e9).rounded())
    }
}
