import BenchSupport

/// Faults the mock injects, each at a rate: the share of requests that get it (0...1). A request gets at most one
/// fault, so the rates add up to at most 1. Whether request `n` fails, and how, is decided from the profile's seed and
/// `n` alone on a random stream of its own: the same requests fail the same way on every run, and every answer
/// (faulted or not) has the text and schedule the profile gives without faults, up to the point where its fault
/// strikes.
///
/// Faults before generation answer at once, without taking a capacity slot. Faults during generation strike after
/// `afterChunks` token-carrying chunks; in a non-streamed answer they strike on the whole body instead (see each one).
public struct MockFaults: Sendable, Equatable {
    /// HTTP 429 at once, in the API's error shape (`rate_limit_error`, code `rate_limit_exceeded`), with the headers
    /// `Retry-After` (seconds), `retry-after-ms`, `x-ratelimit-limit-requests`, `x-ratelimit-remaining-requests` (0)
    /// and `x-ratelimit-reset-requests` (seconds).
    public var rateLimited: Double
    /// A 429's `retry-after-ms`; `Retry-After` and `x-ratelimit-reset-requests` carry it in whole seconds, rounded up.
    public var retryAfterMs: Int
    /// A 429's `x-ratelimit-limit-requests` (requests per minute).
    public var requestsPerMinute: Int
    /// HTTP 503 at once: the model is overloaded. JSON in the API's error shape (`server_error`, code `overloaded`;
    /// Messages: `overloaded_error`), or `text/plain` (as docs/wire-formats.md allows) for `overloadedPlainText` of them.
    public var overloaded: Double
    /// The share of 503 answers that are `text/plain` rather than JSON (0...1).
    public var overloadedPlainText: Double
    /// An error event inside the 200 stream, in the API's own shape, after which the stream ends properly without its
    /// terminator: Chat Completions `event: error` with `{"error":{...}}`, or a bare `data:` line with that error
    /// object (half each); Responses `response.failed` (its response's `error`) or an `error` event (half each);
    /// Messages `event: error` with `{"type":"error","error":{"type":"overloaded_error",...}}`. Non-streamed: HTTP
    /// 503 with the API's error body (there is no stream to break, so the status carries the error).
    public var streamError: Double
    /// The connection is closed (FIN) without the stream's terminator or the chunked body's last chunk.
    /// Non-streamed: the head (with the whole body's Content-Length) and half the body, then the close.
    public var disconnect: Double
    /// Sending stops for `stallNs`, then the answer goes on where it stopped (every later chunk as late), or it never
    /// goes on: the connection stays open and the capacity slot held until the client leaves. Non-streamed: the body
    /// comes that much later, or never.
    public var stall: Double
    /// A stall's length; nil: it never ends.
    public var stallNs: Int64?
    /// The first event of the chunk where the fault strikes has its JSON cut in half (still a complete SSE event);
    /// the rest of the answer follows as planned. Non-streamed: the body is cut in half (and its Content-Length).
    public var malformed: Double
    /// From the first chunk's due time on (the response head and opening events come as usual), the rest of the
    /// stream is written `dripBytes` bytes at a time, one write and flush every `dripIntervalNs`, ignoring the
    /// planned schedule; it ends properly. Non-streamed: the whole body, after its planned time.
    public var drip: Double
    public var dripBytes: Int
    public var dripIntervalNs: Int64
    /// Where faults during generation strike: after this many token-carrying chunks (uniform in the range, at least
    /// 0), and at most before the answer's last chunk, so something is always still to come.
    public var afterChunks: ClosedRange<Int>

    public init(rateLimited: Double = 0, retryAfterMs: Int = 1000, requestsPerMinute: Int = 60,
                overloaded: Double = 0, overloadedPlainText: Double = 0.5, streamError: Double = 0,
                disconnect: Double = 0, stall: Double = 0, stallNs: Int64? = 2_000_000_000, malformed: Double = 0,
                drip: Double = 0, dripBytes: Int = 3, dripIntervalNs: Int64 = 1_000_000, afterChunks: ClosedRange<Int> = 1...3) {
        let rates = [rateLimited, overloaded, streamError, disconnect, stall, malformed, drip]
        precondition(rates.allSatisfy { (0...1).contains($0) } && rates.reduce(0, +) <= 1 + 1e-9,
                     "mock fault rates must lie in 0...1 and add up to at most 1")
        precondition((0...1).contains(overloadedPlainText), "the plain-text share of 503s must lie in 0...1")
        precondition(retryAfterMs >= 0 && requestsPerMinute >= 0 && (stallNs ?? 0) >= 0, "invalid mock fault settings")
        precondition(dripBytes >= 1 && dripIntervalNs >= 0 && afterChunks.lowerBound >= 0, "invalid mock fault settings")
        self.rateLimited = rateLimited
        self.retryAfterMs = retryAfterMs
        self.requestsPerMinute = requestsPerMinute
        self.overloaded = overloaded
        self.overloadedPlainText = overloadedPlainText
        self.streamError = streamError
        self.disconnect = disconnect
        self.stall = stall
        self.stallNs = stallNs
        self.malformed = malformed
        self.drip = drip
        self.dripBytes = dripBytes
        self.dripIntervalNs = dripIntervalNs
        self.afterChunks = afterChunks
    }

    /// No faults: every request is answered as planned.
    public static let none = MockFaults()

    /// `total` spread evenly over the seven kinds (a stall lasting `stallNs`), for soak tests.
    public static func spread(_ total: Double, stallNs: Int64? = 2_000_000_000) -> MockFaults {
        let each = total / 7
        return MockFaults(rateLimited: each, overloaded: each, streamError: each, disconnect: each, stall: each,
                          stallNs: stallNs, malformed: each, drip: each)
    }

    /// True when no request can fail.
    public var isEmpty: Bool {
        rateLimited + overloaded + streamError + disconnect + stall + malformed + drip == 0
    }

    /// The fault of request `number` (from 1) on a server seeded with `seed`, or nil.
    func fault(seed: UInt64, requestNumber number: UInt64) -> MockFault? {
        guard !isEmpty else { return nil }
        // A stream of its own ("faults!"): the plan's streams, and so every answer's text, are untouched.
        var rng = SplitMix64(seed: (seed &+ number &* 0x2545_F491_4F6C_DD1D) ^ 0x6661_756C_7473_2100)
        let pick = Self.unit(&rng)
        let variant = Self.unit(&rng)
        let after = Int.random(in: afterChunks, using: &rng)
        var bound = 0.0
        func next(_ rate: Double) -> Bool {
            bound += rate
            return pick < bound
        }
        if next(rateLimited) { return .rateLimited }
        if next(overloaded) { return .overloaded(plainText: variant < overloadedPlainText) }
        if next(streamError) { return .streamError(afterChunks: after, alternateShape: variant < 0.5) }
        if next(disconnect) { return .disconnect(afterChunks: after) }
        if next(stall) { return .stall(afterChunks: after) }
        if next(malformed) { return .malformed(afterChunks: after) }
        if next(drip) { return .drip }
        return nil
    }

    /// Uniform in [0, 1).
    private static func unit(_ rng: inout SplitMix64) -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
}

/// What goes wrong with one request.
enum MockFault: Equatable {
    case rateLimited
    case overloaded(plainText: Bool)
    /// `alternateShape`: chat's bare data line instead of `event: error`; Responses' `error` event instead of
    /// `response.failed`; no difference for Messages.
    case streamError(afterChunks: Int, alternateShape: Bool)
    case disconnect(afterChunks: Int)
    case stall(afterChunks: Int)
    case malformed(afterChunks: Int)
    case drip

    /// The chunks sent before a fault during generation strikes, as drawn (before capping at the answer's length).
    var afterChunks: Int? {
        switch self {
        case .streamError(let after, _), .disconnect(let after), .stall(let after), .malformed(let after): after
        case .rateLimited, .overloaded, .drip: nil
        }
    }
}
