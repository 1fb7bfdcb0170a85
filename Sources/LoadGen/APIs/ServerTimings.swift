/// The server's own timing of a request, from each kind of server that sends one, mapped into `ServerUsage` (the
/// `server_*` columns of requests.csv and `client_minus_server_ttft_ms`). One table per server kind; a field the
/// server does not send stays empty. docs/server-figures.md shows the same tables.
///
/// SambaNova (`usage` of every API, seconds): read by each API's usage type as sent.
///
/// llama.cpp's `llama-server` (`timings`, milliseconds, at the top level of the last chunk or event, of a whole body,
/// or inside a Responses event's `response`):
///
/// | ServerUsage field                   | from `timings`                                            |
/// |-------------------------------------|-----------------------------------------------------------|
/// | `timeToFirstToken`                  | `prompt_ms` / 1000 (prompt processing; queueing excluded) |
/// | `totalLatency`                      | (`prompt_ms` + `predicted_ms`) / 1000                     |
/// | `completionTokensAfterFirstPerSec`  | `predicted_per_second`                                    |
/// | `completionTokensPerSec`            | `predicted_n` / total latency                             |
/// | `totalTokensPerSec`                 | (`prompt_n` + `predicted_n`) / total latency              |
/// | `acceptanceRate`                    | `draft_n_accepted` / `draft_n` (speculative decoding)     |
/// | `startTime`, `endTime`              | not sent                                                  |
///
/// `cache_n` (prompt tokens served from the slot's cache) is the cached input count when the usage gives none.
public struct LlamaCppTimings: Decodable, Sendable, Equatable {
    public var prompt_n: Double?
    public var prompt_ms: Double?
    public var predicted_n: Double?
    public var predicted_ms: Double?
    public var predicted_per_second: Double?
    public var cache_n: Double?
    public var draft_n: Double?
    public var draft_n_accepted: Double?

    public init(prompt_n: Double? = nil, prompt_ms: Double? = nil, predicted_n: Double? = nil, predicted_ms: Double? = nil,
                predicted_per_second: Double? = nil, cache_n: Double? = nil, draft_n: Double? = nil,
                draft_n_accepted: Double? = nil) {
        self.prompt_n = prompt_n
        self.prompt_ms = prompt_ms
        self.predicted_n = predicted_n
        self.predicted_ms = predicted_ms
        self.predicted_per_second = predicted_per_second
        self.cache_n = cache_n
        self.draft_n = draft_n
        self.draft_n_accepted = draft_n_accepted
    }

    /// Each member read leniently: a server that sends one as a string or null loses that figure, not the answer.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func number(_ key: CodingKeys) -> Double? {
            guard let value = try? container.decodeIfPresent(Double.self, forKey: key), value.isFinite, value >= 0 else { return nil }
            return value
        }
        prompt_n = number(.prompt_n)
        prompt_ms = number(.prompt_ms)
        predicted_n = number(.predicted_n)
        predicted_ms = number(.predicted_ms)
        predicted_per_second = number(.predicted_per_second)
        cache_n = number(.cache_n)
        draft_n = number(.draft_n)
        draft_n_accepted = number(.draft_n_accepted)
    }

    enum CodingKeys: String, CodingKey {
        case prompt_n, prompt_ms, predicted_n, predicted_ms, predicted_per_second, cache_n, draft_n, draft_n_accepted
    }

    /// The table above.
    public var server: ServerUsage {
        var usage = ServerUsage()
        usage.timeToFirstToken = prompt_ms.map { $0 / 1000 }
        let totalSeconds = prompt_ms.flatMap { prompt in predicted_ms.map { (prompt + $0) / 1000 } }
        usage.totalLatency = totalSeconds
        usage.completionTokensAfterFirstPerSec = predicted_per_second
        if let totalSeconds, totalSeconds > 0 {
            usage.completionTokensPerSec = predicted_n.map { $0 / totalSeconds }
            if let prompt = prompt_n, let predicted = predicted_n { usage.totalTokensPerSec = (prompt + predicted) / totalSeconds }
        }
        if let drafted = draft_n, drafted > 0, let accepted = draft_n_accepted { usage.acceptanceRate = accepted / drafted }
        return usage
    }

    /// The cached prompt tokens as a count.
    public var cachedTokens: Int? { cache_n.flatMap { $0 <= Double(UInt32.max) ? Int($0) : nil } }
}

extension ServerUsage {
    /// Fills the fields still empty from `other`: the usage's own figures win over a second source.
    public mutating func fill(from other: ServerUsage) {
        timeToFirstToken = timeToFirstToken ?? other.timeToFirstToken
        totalLatency = totalLatency ?? other.totalLatency
        completionTokensPerSec = completionTokensPerSec ?? other.completionTokensPerSec
        completionTokensAfterFirstPerSec = completionTokensAfterFirstPerSec ?? other.completionTokensAfterFirstPerSec
        totalTokensPerSec = totalTokensPerSec ?? other.totalTokensPerSec
        startTime = startTime ?? other.startTime
        endTime = endTime ?? other.endTime
        acceptanceRate = acceptanceRate ?? other.acceptanceRate
    }
}

extension StreamAccumulator {
    /// Keeps llama.cpp's `timings` (the last one sent wins: a stream's final chunk carries the whole request's).
    mutating func take(_ timings: LlamaCppTimings?) {
        guard let timings else { return }
        serverTimings = timings
    }
}

/// A `timings` member read without failing its event: anything but an object reads as none.
struct LenientTimings: Decodable {
    var value: LlamaCppTimings?
    init(from decoder: Decoder) throws {
        value = try? LlamaCppTimings(from: decoder)
    }
}
