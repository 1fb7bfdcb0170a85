import CCurl

/// Where a request stood in the load when it was dispatched.
public struct DispatchContext: Sendable {
    public var level: Int
    public var levelName: String
    public var seq: Int
    public var warmup: Bool
    /// Intended start, nanoseconds from the run origin.
    public var scheduledNs: Int64
    /// The conversation (its first turn's `seq`) and the turn, from 1.
    public var conversation: Int
    public var turn: Int

    public init(level: Int, levelName: String, seq: Int, warmup: Bool, scheduledNs: Int64, conversation: Int? = nil,
                turn: Int = 1) {
        self.level = level
        self.levelName = levelName
        self.seq = seq
        self.warmup = warmup
        self.scheduledNs = scheduledNs
        self.conversation = conversation ?? seq
        self.turn = turn
    }
}

/// Turns what the transport saw into a `RequestRecord`: classifies the outcome, decodes whole bodies, takes the
/// token count from usage (or estimates it) and apportions it over the chunks. Runs on the awaiting task, not on
/// the transport thread.
public enum RecordBuilder {
    public static func build(_ outcome: TransferOutcome, context: DispatchContext, api: APIKind, model: String,
                             streaming: Bool, decoder: any StreamDecoder) -> RequestRecord {
        var record = RequestRecord(
            level: context.level, levelName: context.levelName, seq: context.seq, warmup: context.warmup,
            conversation: context.conversation, turn: context.turn, api: api,
            model: model, stream: streaming, status: outcome.status, scheduledNs: context.scheduledNs,
            sentNs: outcome.sentNs, headersNs: outcome.headersNs, firstByteNs: outcome.firstByteNs,
            endNs: outcome.completedNs, connection: outcome.connection, bytesReceived: outcome.bytesReceived)
        record.mockSentNs = outcome.mockSentNs

        var stream = outcome.stream
        if !outcome.readAsStream, outcome.failure == nil, outcome.curlCode == 0, (200..<300).contains(outcome.status) {
            decoder.decode(body: outcome.body, arrivalNs: outcome.lastByteNs ?? outcome.completedNs, into: &stream)
        }
        // `end`: the stream's terminator, or else the last byte, or else the moment the transfer finished.
        record.endNs = stream.terminatorNs ?? outcome.lastByteNs ?? outcome.completedNs
        record.finishReason = stream.finishReason
        record.responseModel = stream.responseModel
        classify(outcome, stream: stream, decoder: decoder, into: &record)
        if record.errorClass != nil, stream.terminatorNs == nil, outcome.failure != nil || outcome.curlCode != 0 {
            // A transfer that failed mid-way ended when the failure was seen, not at its last byte (a stall then a
            // reset would otherwise end the request too early).
            record.endNs = outcome.completedNs
        }
        applyTokens(stream, decoder: decoder, into: &record)
        record.output = stream.capture
        if !outcome.rateLimitHeaders.isEmpty { record.rateLimit = RateLimitHeaders.parse(outcome.rateLimitHeaders) }
        if !outcome.readAsStream {
            // A whole body has no chunk timing: TTFT and the chunk metrics stay empty, not zero.
            record.chunks = []
        }
        return record
    }

    /// The record of an arrival that the open loop did not send because the in-flight cap was reached.
    public static func dropped(context: DispatchContext, limit: Int, factory: RequestFactory, nowNs: Int64) -> RequestRecord {
        RequestRecord(level: context.level, levelName: context.levelName, seq: context.seq, warmup: context.warmup,
                      conversation: context.conversation, turn: context.turn, api: factory.api, model: factory.model, stream: factory.options.streaming, status: 0,
                      errorClass: .dropped, errorMessage: "not sent: \(limit) requests already in flight (at_cap: drop)",
                      scheduledNs: context.scheduledNs, sentNs: nowNs, endNs: nowNs, tokenSource: .estimate,
                      connection: ConnectionTimings(newConnection: false))
    }

    static func classify(_ outcome: TransferOutcome, stream: StreamAccumulator, decoder: any StreamDecoder,
                         into record: inout RequestRecord) {
        func fail(_ errorClass: ErrorClass, _ message: String?, _ apiError: APIError? = nil) {
            record.errorClass = errorClass
            record.errorMessage = apiError?.message ?? message
            record.errorType = apiError?.type
            record.errorCode = apiError?.code
        }
        if let failure = outcome.failure {
            fail(failure.errorClass, failure.message, failure.apiError)
            return
        }
        // A transport error after the stream's terminator (a proxy resetting a finished stream, a missing last
        // chunk) does not undo a complete answer.
        let completeStream = outcome.readAsStream && stream.terminatorNs != nil
        if outcome.curlCode != 0 && !completeStream {
            fail(curlErrorClass(outcome), outcome.curlMessage)
            return
        }
        if (300..<400).contains(outcome.status) {
            let target = outcome.location.map { " to \($0)" } ?? ""
            fail(.httpStatus, "HTTP \(outcome.status) redirect\(target); redirects are not followed: check base_url")
            return
        }
        if outcome.status >= 400 || outcome.status < 200 {
            let apiError = decoder.parseError(body: outcome.body)
            let errorClass: ErrorClass = outcome.status == 429 ? .rateLimited
                : outcome.status >= 500 ? .serverError : .httpStatus
            fail(errorClass, "HTTP \(outcome.status)", apiError)
            return
        }
        if let failure = stream.failure {
            fail(failure.errorClass, failure.message, failure.apiError)
            return
        }
        if stream.terminatorNs == nil {
            fail(.truncated, outcome.readAsStream ? "stream closed before its terminator" : "empty response body")
        }
    }

    static func curlErrorClass(_ outcome: TransferOutcome) -> ErrorClass {
        switch CURLcode(UInt32(bitPattern: outcome.curlCode)) {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .dns
        case CURLE_COULDNT_CONNECT:
            return .connect
        case CURLE_OPERATION_TIMEDOUT:
            return outcome.connectTimedOut ? .timeoutConnect : .timeoutTotal
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
             CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH:
            return .tls
        case CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE:
            return outcome.headersNs == nil ? .connect : .truncated
        default:
            return .transport
        }
    }

    /// N from usage when the server sent it, else the tokenizer's count or the local estimate; then tokens per chunk
    /// summing to N: the tokenizer's per-chunk counts when the scenario has one (`TextKeepingDecoder`), otherwise the
    /// total apportioned by text length.
    static func applyTokens(_ stream: StreamAccumulator, decoder: any StreamDecoder, into record: inout RequestRecord) {
        var chunks = stream.chunks
        let lengths = chunks.map(\.bytes)
        var counted: [Int]?
        if let keeper = decoder as? TextKeepingDecoder, let kept = stream.keptEvents, !chunks.isEmpty {
            // Tokenized once, here on the awaiting task: never on the transport thread.
            let text = keeper.chunkText(kept, chunkCount: chunks.count)
            if text.ends.count == chunks.count {
                counted = keeper.tokenizer.tokensPerSegment(bytes: text.bytes, segmentEnds: text.ends)
            }
        }
        let total: Int
        if let reported = stream.usage?.outputTokens {
            total = reported
            record.tokenSource = .usage
        } else if let counted {
            total = counted.reduce(0, +)
            record.tokenSource = .tokenizer
        } else {
            total = TokenEstimator(model: record.model).estimate(chunkBytes: lengths)
            record.tokenSource = .estimate
        }
        let shares: [Int]
        if let counted {
            record.tokenizerTokens = counted.reduce(0, +)
            shares = reconcile(counted, total: total)
        } else {
            shares = TokenApportioning.apportion(total: total, lengths: lengths)
        }
        for index in chunks.indices { chunks[index].tokens = shares[index] }
        record.chunks = chunks
        record.outputTokens = total
        record.inputTokens = stream.usage?.inputTokens
        if record.inputTokens != nil { record.inputTokenSource = .usage }
        if let reasoning = stream.usage?.reasoningTokens {
            record.reasoningTokens = reasoning
        } else if chunks.contains(where: { $0.reasoningBytes > 0 }) {
            record.reasoningTokens = chunks.reduce(0) { sum, chunk in
                sum + Int((Double(chunk.tokens) * Double(chunk.reasoningBytes) / Double(max(chunk.bytes, 1))).rounded())
            }
        }
        record.server = stream.usage?.server ?? ServerUsage()
    }

    /// The tokenizer's per-chunk counts made to sum to the server's total: tokens the server counted beyond the
    /// text (an end-of-turn token) go to the last chunk; tokens the tokenizer counted beyond the server's come off
    /// the last chunks first. The difference itself stays on the record (`tokenizerTokens`).
    static func reconcile(_ counted: [Int], total: Int) -> [Int] {
        var shares = counted
        var difference = total - counted.reduce(0, +)
        guard !shares.isEmpty else { return shares }
        if difference > 0 { shares[shares.count - 1] += difference }
        var index = shares.count - 1
        while difference < 0 && index >= 0 {
            let taken = min(shares[index], -difference)
            shares[index] -= taken
            difference += taken
            index -= 1
        }
        return shares
    }
}
