/// Where a record's token count came from.
public enum TokenSource: String, Sendable, Codable {
    /// The server's usage (`completion_tokens`, `prompt_tokens`).
    case usage
    /// A local estimate (`TokenEstimator`) from the streamed text or the prompt: the server sent no usage.
    case estimate
    /// The scenario's tokenizer counted the streamed text (or the prompt): the server sent no usage.
    case tokenizer
}

/// One token-carrying chunk as it arrived.
public struct ChunkRecord: Sendable, Codable, Equatable {
    /// Arrival, nanoseconds from the run origin, taken in libcurl's write callback.
    public var arrivalNs: Int64
    /// Tokens in this chunk: the tokenizer's count of the tokens its bytes completed when the scenario has a
    /// tokenizer (reconciled with usage on the last chunk), otherwise apportioned from the total by text length.
    public var tokens: Int
    /// UTF-8 bytes of answer text in the chunk.
    public var answerBytes: Int
    /// UTF-8 bytes of reasoning text in the chunk.
    public var reasoningBytes: Int
    /// UTF-8 bytes of tool-call arguments (and names) in the chunk.
    public var toolBytes: Int

    public init(arrivalNs: Int64, tokens: Int = 0, answerBytes: Int = 0, reasoningBytes: Int = 0, toolBytes: Int = 0) {
        self.arrivalNs = arrivalNs
        self.tokens = tokens
        self.answerBytes = answerBytes
        self.reasoningBytes = reasoningBytes
        self.toolBytes = toolBytes
    }

    /// Generated text bytes of every kind.
    public var bytes: Int { answerBytes + reasoningBytes + toolBytes }
}

/// SambaNova's server-side usage figures, as the server reported them (seconds; epoch seconds for start/end).
public struct ServerUsage: Sendable, Codable, Equatable {
    public var timeToFirstToken: Double?
    public var totalLatency: Double?
    public var completionTokensPerSec: Double?
    public var completionTokensAfterFirstPerSec: Double?
    public var totalTokensPerSec: Double?
    public var startTime: Double?
    public var endTime: Double?
    public var acceptanceRate: Double?

    public init(timeToFirstToken: Double? = nil, totalLatency: Double? = nil, completionTokensPerSec: Double? = nil,
                completionTokensAfterFirstPerSec: Double? = nil, totalTokensPerSec: Double? = nil,
                startTime: Double? = nil, endTime: Double? = nil, acceptanceRate: Double? = nil) {
        self.timeToFirstToken = timeToFirstToken
        self.totalLatency = totalLatency
        self.completionTokensPerSec = completionTokensPerSec
        self.completionTokensAfterFirstPerSec = completionTokensAfterFirstPerSec
        self.totalTokensPerSec = totalTokensPerSec
        self.startTime = startTime
        self.endTime = endTime
        self.acceptanceRate = acceptanceRate
    }

    public var isEmpty: Bool { self == ServerUsage() }
}

/// libcurl's connection timings for the transfer (`CURLINFO_*_TIME_T`), nanoseconds from the transfer's start.
public struct ConnectionTimings: Sendable, Codable, Equatable {
    public var dnsNs: Int64?
    public var connectNs: Int64?
    public var tlsNs: Int64?
    public var ttfbNs: Int64?
    /// False when libcurl reused a kept-alive connection (no new connect).
    public var newConnection: Bool

    public init(dnsNs: Int64? = nil, connectNs: Int64? = nil, tlsNs: Int64? = nil, ttfbNs: Int64? = nil,
                newConnection: Bool = true) {
        self.dnsNs = dnsNs
        self.connectNs = connectNs
        self.tlsNs = tlsNs
        self.ttfbNs = ttfbNs
        self.newConnection = newConnection
    }
}

/// One request from start to report. Everything after the transport reads records only.
public struct RequestRecord: Sendable, Codable, Equatable {
    /// Index of the load level in the scenario (0-based) and its name (`c8`).
    public var level: Int
    public var levelName: String
    /// Sequence number in the run, in dispatch order.
    public var seq: Int
    /// Warm-up requests are written but excluded from statistics.
    public var warmup: Bool
    /// The conversation this request belongs to (the `seq` of its first turn) and its turn, from 1. A request
    /// outside a conversation is its own conversation's turn 1. Tool round trips are turns of their own.
    public var conversation: Int
    public var turn: Int
    public var api: APIKind
    public var model: String
    /// The model the response named, when it is not `model` (another model answered, or an alias was resolved).
    public var responseModel: String?
    public var stream: Bool
    /// HTTP status; 0 when no response arrived.
    public var status: Int
    public var errorClass: ErrorClass?
    /// The API's error type, code and message when the server sent an error body or event.
    public var errorType: String?
    public var errorCode: String?
    public var errorMessage: String?
    public var finishReason: String?

    /// Nanoseconds from the run origin. See `Transfer` for where each is captured.
    public var scheduledNs: Int64
    public var sentNs: Int64
    public var headersNs: Int64?
    public var firstByteNs: Int64?
    public var endNs: Int64

    /// Token-carrying chunks in arrival order (role-only and empty chunks are not kept).
    public var chunks: [ChunkRecord]
    public var inputTokens: Int?
    /// Where `inputTokens` came from: the server's usage, or the prompt's local estimate; nil without a count.
    public var inputTokenSource: TokenSource?
    /// N: output tokens, reasoning included.
    public var outputTokens: Int
    public var reasoningTokens: Int?
    public var tokenSource: TokenSource
    /// The scenario's tokenizer's count of the streamed text (answer, reasoning and tool calls), kept beside the
    /// server's usage so their difference (`tokenizer_vs_usage`) is reported, not absorbed. Nil without a tokenizer.
    public var tokenizerTokens: Int?
    public var server: ServerUsage
    public var connection: ConnectionTimings
    public var bytesReceived: Int
    /// The answer's text, reasoning and tool calls: only when the run records answers (`record_text`).
    public var output: CapturedOutput?
    /// `Retry-After` / `retry-after-ms` and `x-ratelimit-*` as the response sent them.
    public var rateLimit = RateLimitHeaders()
    /// Attempt number, from 1: a retried request's attempts are records of their own.
    public var attempt = 1
    /// When a stamping mock sent the first token-carrying chunk (`SendStamp`), nanoseconds from the run origin:
    /// the ground truth the client's TTFT is checked against.
    public var mockSentNs: Int64?
    /// The chunks' summary as read back from requests.csv, for a request whose chunk rows were not kept.
    public var storedChunkSummary: ChunkSummary?
    /// The shard of a sharded run that sent the request (`Shard.index`); nil in a one-process run.
    public var shard: Int?
    /// Input tokens the server served from its prompt cache, as its usage (or llama.cpp's `cache_n`) said; they are
    /// part of `inputTokens`.
    public var cachedInputTokens: Int?
    /// `finishReason` in one word across APIs (`Finish`); nil when the API's word is not one the table knows.
    public var finish: Finish?

    public init(level: Int = 0, levelName: String = "", seq: Int = 0, warmup: Bool = false, conversation: Int? = nil,
                turn: Int = 1, api: APIKind = .chat,
                model: String = "", stream: Bool = true, status: Int = 200, errorClass: ErrorClass? = nil,
                errorType: String? = nil, errorCode: String? = nil, errorMessage: String? = nil,
                finishReason: String? = nil, scheduledNs: Int64 = 0, sentNs: Int64 = 0, headersNs: Int64? = nil,
                firstByteNs: Int64? = nil, endNs: Int64 = 0, chunks: [ChunkRecord] = [], inputTokens: Int? = nil,
                outputTokens: Int = 0, reasoningTokens: Int? = nil, tokenSource: TokenSource = .usage,
                server: ServerUsage = ServerUsage(), connection: ConnectionTimings = ConnectionTimings(),
                bytesReceived: Int = 0) {
        self.level = level
        self.levelName = levelName
        self.seq = seq
        self.warmup = warmup
        self.conversation = conversation ?? seq
        self.turn = turn
        self.api = api
        self.model = model
        self.stream = stream
        self.status = status
        self.errorClass = errorClass
        self.errorType = errorType
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.finishReason = finishReason
        self.scheduledNs = scheduledNs
        self.sentNs = sentNs
        self.headersNs = headersNs
        self.firstByteNs = firstByteNs
        self.endNs = endNs
        self.chunks = chunks
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.reasoningTokens = reasoningTokens
        self.tokenSource = tokenSource
        self.server = server
        self.connection = connection
        self.bytesReceived = bytesReceived
    }

    public var succeeded: Bool { errorClass == nil }

    /// Tokenizer count - the server's usage count of the output, when both exist.
    public var tokenizerVsUsage: Int? {
        guard let tokenizerTokens, tokenSource == .usage else { return nil }
        return tokenizerTokens - outputTokens
    }
}

/// What the per-request metrics need of a request's chunks: its first and last arrivals, the first answer's
/// arrival, the first chunk's tokens and how many chunks there were. Written in requests.csv, so a request's
/// TTFT, TTFO and decode rate are exact even when its chunk rows were not kept (`chunk_rows`).
public struct ChunkSummary: Sendable, Codable, Equatable {
    public var count: Int
    public var firstArrivalNs: Int64?
    public var firstTokens: Int
    public var lastArrivalNs: Int64?
    public var firstAnswerNs: Int64?

    public init(count: Int = 0, firstArrivalNs: Int64? = nil, firstTokens: Int = 0, lastArrivalNs: Int64? = nil,
                firstAnswerNs: Int64? = nil) {
        self.count = count
        self.firstArrivalNs = firstArrivalNs
        self.firstTokens = firstTokens
        self.lastArrivalNs = lastArrivalNs
        self.firstAnswerNs = firstAnswerNs
    }

    public init(_ chunks: [ChunkRecord]) {
        self.init(count: chunks.count, firstArrivalNs: chunks.first?.arrivalNs, firstTokens: chunks.first?.tokens ?? 0,
                  lastArrivalNs: chunks.last?.arrivalNs, firstAnswerNs: chunks.first { $0.answerBytes > 0 }?.arrivalNs)
    }
}

extension RequestRecord {
    /// The chunks' summary: from the chunks when the record has them, else as read from requests.csv.
    public var chunkSummary: ChunkSummary {
        get { chunks.isEmpty ? (storedChunkSummary ?? ChunkSummary()) : ChunkSummary(chunks) }
        set { storedChunkSummary = newValue }
    }
}
