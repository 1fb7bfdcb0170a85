import CCurl
import Testing
@testable import LoadGen

@Suite struct RecordBuilderTests {
    let context = DispatchContext(level: 1, levelName: "c8", seq: 17, warmup: false, scheduledNs: 1_000)

    func outcome(status: Int = 200, stream: String? = nil, body: String = "", curlCode: Int32 = 0,
                 failure: StreamFailure? = nil) throws -> TransferOutcome {
        var outcome = TransferOutcome()
        outcome.sentNs = 2_000
        outcome.headersNs = 3_000
        outcome.status = status
        outcome.completedNs = 99_000
        outcome.lastByteNs = 90_000
        outcome.curlCode = curlCode
        outcome.failure = failure
        if let stream {
            outcome.readAsStream = true
            outcome.stream = try decodeStream(text(stream))
        } else {
            outcome.body = text(body)
        }
        return outcome
    }

    func build(_ outcome: TransferOutcome, streaming: Bool = true) -> RequestRecord {
        RecordBuilder.build(outcome, context: context, api: .chat, model: "m", streaming: streaming,
                            decoder: ChatCompletionsDecoder())
    }

    static let twoChunks = "data: {\"choices\":[{\"delta\":{\"content\":\"aaaa\"},\"index\":0}]}\n\n"
        + "data: {\"choices\":[{\"delta\":{\"content\":\"bbbbbbbbbbbb\"},\"index\":0}]}\n\n"

    @Test func usageTokensApportionedOverChunks() throws {
        let record = build(try outcome(stream: Self.twoChunks
            + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":8}}\n\ndata: [DONE]\n\n"))
        #expect(record.errorClass == nil)
        #expect(record.outputTokens == 8)
        #expect(record.tokenSource == .usage)
        #expect(record.chunks.map(\.tokens) == [2, 6])
        #expect(record.inputTokens == 3)
        // end is the [DONE] arrival (the fourth event at 3000 ns in decodeStream's timing).
        #expect(record.endNs == 3_000)
        #expect(record.scheduledNs == 1_000 && record.sentNs == 2_000 && record.seq == 17 && record.levelName == "c8")
    }

    @Test func missingUsageIsEstimatedAndMarked() throws {
        let record = build(try outcome(stream: Self.twoChunks + "data: [DONE]\n\n"))
        #expect(record.tokenSource == .estimate)
        #expect(record.outputTokens == 4)
        #expect(record.chunks.map(\.tokens) == [1, 3])
    }

    @Test func streamWithoutTerminatorIsTruncated() throws {
        let record = build(try outcome(stream: Self.twoChunks))
        #expect(record.errorClass == .truncated)
        #expect(record.endNs == 90_000)
        #expect(record.errorMessage == "stream closed before its terminator")
        #expect(record.chunks.count == 2)
    }

    @Test func rateLimitedWithParsedBody() throws {
        let record = build(try outcome(status: 429, body: #"{"error":{"message":"Too many requests","type":"rate_limit","code":"queue_full"}}"#))
        #expect(record.errorClass == .rateLimited)
        #expect(record.errorCode == "queue_full")
        #expect(record.errorMessage == "Too many requests")
        #expect(record.status == 429)
    }

    @Test func serverErrorPlainText() throws {
        let record = build(try outcome(status: 503, body: "upstream unavailable"))
        #expect(record.errorClass == .serverError)
        #expect(record.errorMessage == "upstream unavailable")
    }

    @Test func clientErrorStatus() throws {
        let record = build(try outcome(status: 404, body: #"{"error":"Not found"}"#))
        #expect(record.errorClass == .httpStatus)
        #expect(record.errorMessage == "Not found")
    }

    @Test func curlFailuresAreClassified() throws {
        var refused = try outcome(status: 0, curlCode: Int32(CURLE_COULDNT_CONNECT.rawValue))
        refused.headersNs = nil
        #expect(build(refused).errorClass == .connect)
        var dns = refused
        dns.curlCode = Int32(CURLE_COULDNT_RESOLVE_HOST.rawValue)
        #expect(build(dns).errorClass == .dns)
        var tls = refused
        tls.curlCode = Int32(CURLE_PEER_FAILED_VERIFICATION.rawValue)
        #expect(build(tls).errorClass == .tls)
        var connectTimeout = refused
        connectTimeout.curlCode = Int32(CURLE_OPERATION_TIMEDOUT.rawValue)
        connectTimeout.connectTimedOut = true
        #expect(build(connectTimeout).errorClass == .timeoutConnect)
        connectTimeout.connectTimedOut = false
        #expect(build(connectTimeout).errorClass == .timeoutTotal)
        let reset = try outcome(stream: Self.twoChunks, curlCode: Int32(CURLE_RECV_ERROR.rawValue))
        #expect(build(reset).errorClass == .truncated)
    }

    @Test func transportErrorAfterTheTerminatorKeepsTheAnswer() throws {
        let record = build(try outcome(stream: Self.twoChunks + "data: [DONE]\n\n", curlCode: Int32(CURLE_PARTIAL_FILE.rawValue)))
        #expect(record.errorClass == nil)
        #expect(record.endNs == 2_000)
    }

    @Test func redirectIsAnHTTPErrorNamingTheTarget() throws {
        var redirect = try outcome(status: 301, body: "<html>moved</html>")
        redirect.location = "https://api.example/v1/chat/completions"
        let record = build(redirect)
        #expect(record.errorClass == .httpStatus)
        #expect(record.errorMessage == "HTTP 301 redirect to https://api.example/v1/chat/completions; redirects are not followed: check base_url")
    }

    @Test func transportFailureEndsWhenItWasSeen() throws {
        // The last byte came at 90 us; the reset was seen at 99 us.
        let record = build(try outcome(stream: Self.twoChunks, curlCode: Int32(CURLE_RECV_ERROR.rawValue)))
        #expect(record.errorClass == .truncated)
        #expect(record.endNs == 99_000)
        // An HTTP error's end is its last byte.
        #expect(build(try outcome(status: 500, body: "boom")).endNs == 90_000)
    }

    @Test func clientFailureWinsAndEndsAtCompletion() throws {
        let record = build(try outcome(stream: Self.twoChunks, failure: StreamFailure(.timeoutIdle, message: "idle")))
        #expect(record.errorClass == .timeoutIdle)
        #expect(record.errorMessage == "idle")
        #expect(record.endNs == 99_000)
    }

    @Test func nonStreamedAnswerHasNoChunks() throws {
        let record = build(try outcome(body: #"{"choices":[{"message":{"content":"Hello"},"finish_reason":"stop"}],"usage":{"completion_tokens":2}}"#),
                           streaming: false)
        #expect(record.errorClass == nil)
        #expect(record.chunks.isEmpty)
        #expect(record.outputTokens == 2)
        #expect(record.endNs == 90_000)
    }
}
