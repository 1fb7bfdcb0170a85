/// A request ready for the wire.
public struct HTTPRequest: Sendable {
    public var url: String
    public var method: String
    /// Header lines, `Name: value`.
    public var headers: [String]
    public var body: [UInt8]

    public init(url: String, method: String = "POST", headers: [String] = [], body: [UInt8] = []) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
    }
}

/// Limits of one transfer, each a classified error when passed. Nanoseconds; nil means none.
public struct TransferTimeouts: Sendable, Equatable, Codable {
    /// TCP (and TLS) connection established.
    public var connectNs: Int64?
    /// From `sent` to the first token-carrying chunk (streaming) or the whole body (non-streaming).
    public var firstTokenNs: Int64?
    /// Between token-carrying chunks, after the first.
    public var idleNs: Int64?
    /// The whole request.
    public var totalNs: Int64?

    public init(connectNs: Int64? = nil, firstTokenNs: Int64? = nil, idleNs: Int64? = nil, totalNs: Int64? = nil) {
        self.connectNs = connectNs
        self.firstTokenNs = firstTokenNs
        self.idleNs = idleNs
        self.totalNs = totalNs
    }
}

/// How the transport runs one transfer.
public struct TransferOptions: Sendable {
    public var streaming: Bool
    public var timeouts: TransferTimeouts
    /// The largest server-sent event (or body) accepted before the transfer fails.
    public var maxEventBytes: Int
    public var maxBodyBytes: Int
    /// The most token-carrying chunks one response may stream (`limits.max_chunks_per_request`); one more fails the
    /// transfer as `too_many_chunks`, so a server streaming forever cannot grow the client's memory.
    public var maxChunks: Int
    /// Skip TLS verification (`--insecure`).
    public var insecure: Bool
    public var decoder: any StreamDecoder
    /// Keep the generated text, reasoning and tool calls (conversations, tools, `record_text`).
    public var captureOutput: Bool
    /// Follow redirects (at most 5); off, a redirect is recorded as an error naming its Location.
    public var followRedirects: Bool
    /// Speak HTTP/2 from the first byte on cleartext `http://` (h2c with prior knowledge, no upgrade). HTTPS
    /// negotiates HTTP/2 through ALPN whatever this says (libcurl's default), and multiplexes on one connection.
    public var http2PriorKnowledge: Bool
    /// The model asked, which the response's is checked against (`StreamAccumulator.checkModel`); nil: not checked.
    public var expectedModel: String?

    public init(streaming: Bool, decoder: any StreamDecoder, timeouts: TransferTimeouts = TransferTimeouts(),
                maxEventBytes: Int = 1 << 20, maxBodyBytes: Int = 16 << 20, maxChunks: Int = RequestLimits.defaultMaxChunks,
                insecure: Bool = false, followRedirects: Bool = false, captureOutput: Bool = false,
                http2PriorKnowledge: Bool = false, expectedModel: String? = nil) {
        self.expectedModel = expectedModel
        self.followRedirects = followRedirects
        self.streaming = streaming
        self.captureOutput = captureOutput
        self.decoder = decoder
        self.timeouts = timeouts
        self.maxEventBytes = maxEventBytes
        self.maxBodyBytes = maxBodyBytes
        self.maxChunks = maxChunks
        self.insecure = insecure
        self.http2PriorKnowledge = http2PriorKnowledge
    }
}

/// What the transport saw of one transfer; `RecordBuilder` turns it into a `RequestRecord`.
public struct TransferOutcome: Sendable {
    /// Nanoseconds from the run origin.
    public var sentNs: Int64 = 0
    public var headersNs: Int64?
    public var firstByteNs: Int64?
    public var lastByteNs: Int64?
    /// When the transport learnt that the transfer had finished.
    public var completedNs: Int64 = 0
    public var status = 0
    public var contentType: String?
    /// The `Location` of a redirect (redirects are not followed).
    public var location: String?
    /// `Retry-After`, `retry-after-ms` and `x-ratelimit-*` header lines of the final response, as sent.
    public var rateLimitHeaders: [String] = []
    /// True when the body was read as a server-sent-event stream.
    public var readAsStream = false
    /// libcurl's result (CURLE_OK is 0) and its message.
    public var curlCode: Int32 = 0
    public var curlMessage: String?
    /// libcurl timed out while connecting (its connect limit, not the total one).
    public var connectTimedOut = false
    /// A failure the client itself decided (timeouts, oversize events, malformed or error events, cancel).
    public var failure: StreamFailure?
    public var stream = StreamAccumulator()
    /// The body when it was not read as a stream (non-streamed answers and error bodies).
    public var body: [UInt8] = []
    public var bytesReceived = 0
    public var connection = ConnectionTimings()
    /// When the mock stamped sending the first token-carrying chunk (see `SendStamp`), from the run origin.
    public var mockSentNs: Int64?

    public init() {}
}
