import Foundation
import Testing
@testable import LoadGen
import MockServer

/// An executor speaking `api` to `baseURL`.
func apiExecutor(_ api: APIKind, _ transport: CurlTransport, baseURL: String, stream: Bool = true,
                 timeouts: TransferTimeouts = TransferTimeouts(totalNs: 10_000_000_000), maxEventBytes: Int = 1 << 20,
                 model: String = "gpt-oss-120b", http2PriorKnowledge: Bool = false) -> LiveExecutor {
    var scenario = Scenario(name: "t", baseURL: baseURL, model: model, prompts: [.text("hello there")])
    scenario.api = api
    scenario.stream = stream
    scenario.timeouts = timeouts
    scenario.request.maxTokens = 1000
    var factory = RequestFactory(scenario: scenario, baseURL: baseURL, apiKey: "dummy")
    factory.options.maxEventBytes = maxEventBytes
    factory.options.http2PriorKnowledge = http2PriorKnowledge
    return RequestExecutor(transport: transport, factory: factory)
}

/// Runs `count` requests one after another (the mock's request numbers 1...count decide their faults).
func records(_ api: APIKind, faults: MockFaults, count: Int = 1, stream: Bool = true,
             timeouts: TransferTimeouts = TransferTimeouts(totalNs: 10_000_000_000),
             profile: MockProfile = MockFaultClassTests.quick) async throws -> [RequestRecord] {
    var profile = profile
    profile.faults = faults
    return try await withMock(profile) { server, transport in
        let executor = apiExecutor(api, transport, baseURL: server.baseURL, stream: stream, timeouts: timeouts)
        var result: [RequestRecord] = []
        for seq in 0..<count { result.append(await executor.execute(context(seq, clock: transport.clock))) }
        return result
    }
}

/// Every error class the mock's faults produce, read through the real transport in each API.
@Suite(.serialized) struct MockFaultClassTests {
    /// 30 tokens in 2-6-token chunks (at least five chunks), 10 ms to the first.
    static let quick = MockProfile(ttftNs: 10_000_000, decodeTokensPerSecond: 5000, tokensPerChunk: 2...6,
                                   outputTokens: 30...30)

    @Test(arguments: APIKind.allCases)
    func rateLimitedWithRetryAfterAndLimitsAndTheAPIsErrorBody(api: APIKind) async throws {
        let record = try #require(try await records(api, faults: MockFaults(rateLimited: 1, retryAfterMs: 1500)).first)
        #expect(record.errorClass == .rateLimited)
        #expect(record.status == 429)
        // retry-after-ms wins over Retry-After (2 s, rounded up).
        #expect(record.rateLimit.retryAfterMs == 1500)
        #expect(record.rateLimit.limits == ["x-ratelimit-limit-requests=60", "x-ratelimit-remaining-requests=0",
                                            "x-ratelimit-reset-requests=2"])
        #expect(record.errorType == "rate_limit_error")
        #expect(record.errorCode == (api == .messages ? nil : "rate_limit_exceeded"))
        #expect(record.errorMessage == "Rate limit exceeded: 60 requests per minute")
    }

    @Test(arguments: APIKind.allCases)
    func overloadedIsAServerErrorInJSONAndPlainText(api: APIKind) async throws {
        let json = try #require(try await records(api, faults: MockFaults(overloaded: 1, overloadedPlainText: 0)).first)
        #expect(json.errorClass == .serverError && json.status == 503)
        #expect(json.errorType == (api == .messages ? "overloaded_error" : "server_error"))
        #expect(json.errorCode == (api == .messages ? nil : "overloaded"))
        #expect(json.errorMessage == "The model is overloaded; try again later")
        let plain = try #require(try await records(api, faults: MockFaults(overloaded: 1, overloadedPlainText: 1)).first)
        #expect(plain.errorClass == .serverError && plain.status == 503)
        #expect(plain.errorType == nil && plain.errorCode == nil)
        #expect(plain.errorMessage == "Service Unavailable: the model is overloaded, try again later")
    }

    @Test(arguments: APIKind.allCases)
    func midStreamErrorEventsInEveryShapeAreStreamErrors(api: APIKind) async throws {
        // Eight requests draw both shapes of chat and Responses (see MockFaultsTests for the shapes on the wire).
        let all = try await records(api, faults: MockFaults(streamError: 1, afterChunks: 2...2), count: 8)
        for record in all {
            #expect(record.errorClass == .streamError)
            #expect(record.status == 200)
            #expect(record.chunks.count == 2)
            #expect(record.errorMessage == (api == .messages ? "Overloaded" : "The model is overloaded; generation stopped"))
        }
        switch api {
        case .chat, .completions:
            #expect(all.allSatisfy { $0.errorType == "server_error" && $0.errorCode == "overloaded" })
        case .responses:
            // `response.failed` carries {code, message}; the `error` event's type is the event's own.
            #expect(Set(all.map { $0.errorType ?? "-" }) == ["-", "error"])
            #expect(all.allSatisfy { $0.errorCode == "server_error" })
        case .messages:
            #expect(all.allSatisfy { $0.errorType == "overloaded_error" && $0.errorCode == nil })
        }
    }

    @Test(arguments: APIKind.allCases)
    func disconnectMidStreamIsTruncated(api: APIKind) async throws {
        let record = try #require(try await records(api, faults: MockFaults(disconnect: 1, afterChunks: 2...2)).first)
        #expect(record.errorClass == .truncated)
        #expect(record.status == 200)
        #expect(record.chunks.count == 2)
    }

    @Test(arguments: APIKind.allCases)
    func cutJSONIsAMalformedEvent(api: APIKind) async throws {
        let record = try #require(try await records(api, faults: MockFaults(malformed: 1, afterChunks: 1...1)).first)
        #expect(record.errorClass == .malformedEvent)
        #expect(record.chunks.count == 1)
    }

    @Test(arguments: APIKind.allCases)
    func stallsThatNeverEndAreFirstTokenOrIdleTimeouts(api: APIKind) async throws {
        // Limits far above the profile's own gaps (about 1 ms), so a busy machine does not trip them early.
        let timeouts = TransferTimeouts(firstTokenNs: 600_000_000, idleNs: 500_000_000, totalNs: 10_000_000_000)
        let idle = try #require(try await records(api, faults: MockFaults(stall: 1, stallNs: nil, afterChunks: 2...2),
                                                  timeouts: timeouts).first)
        #expect(idle.errorClass == .timeoutIdle)
        #expect(idle.chunks.count == 2)
        let first = try #require(try await records(api, faults: MockFaults(stall: 1, stallNs: nil, afterChunks: 0...0),
                                                   timeouts: timeouts).first)
        #expect(first.errorClass == .timeoutFirstToken)
        #expect(first.chunks.isEmpty && first.status == 200)
    }

    @Test(arguments: APIKind.allCases)
    func aStallThatEndsDelaysTheRestOfTheAnswer(api: APIKind) async throws {
        let record = try #require(try await records(api, faults: MockFaults(stall: 1, stallNs: 300_000_000,
                                                                            afterChunks: 1...1)).first)
        #expect(record.errorClass == nil, "\(record.errorMessage ?? "")")
        #expect(record.outputTokens == 30)
        #expect(record.chunks.count >= 2)
        // The mock sends the second chunk at least 300 ms after the first; the client may have read the first a few ms
        // late on a busy machine, which shortens the gap it measures by as much.
        #expect(record.chunks[1].arrivalNs - record.chunks[0].arrivalNs >= 270_000_000)
    }

    @Test(arguments: APIKind.allCases)
    func aDrippedAnswerIsWholeOrATotalTimeout(api: APIKind) async throws {
        let whole = try #require(try await records(api, faults: MockFaults(drip: 1, dripBytes: 32, dripIntervalNs: 200_000)).first)
        #expect(whole.errorClass == nil, "\(whole.errorMessage ?? "")")
        #expect(whole.outputTokens == 30)
        #expect(whole.chunks.map(\.tokens).reduce(0, +) == 30)
        let cut = try #require(try await records(api, faults: MockFaults(drip: 1, dripBytes: 1, dripIntervalNs: 5_000_000),
                                                 timeouts: TransferTimeouts(totalNs: 300_000_000)).first)
        #expect(cut.errorClass == .timeoutTotal)
    }

    @Test(arguments: APIKind.allCases)
    func faultsOnNonStreamedAnswers(api: APIKind) async throws {
        func one(_ faults: MockFaults) async throws -> RequestRecord {
            try #require(try await records(api, faults: faults, stream: false).first)
        }
        let error = try await one(MockFaults(streamError: 1))
        // Unstreamed, the mid-stream error is the whole answer, under its error status.
        #expect(error.errorClass == .serverError && error.status == 503)
        #expect(error.errorType == (api == .messages ? "overloaded_error" : "server_error"))
        #expect(try await one(MockFaults(malformed: 1)).errorClass == .malformedEvent)
        #expect(try await one(MockFaults(disconnect: 1)).errorClass == .truncated)
        let dripped = try await one(MockFaults(drip: 1, dripBytes: 64, dripIntervalNs: 100_000))
        #expect(dripped.errorClass == nil && dripped.outputTokens == 30)
        #expect(try await one(MockFaults(rateLimited: 1)).errorClass == .rateLimited)
    }

    @Test(arguments: APIKind.allCases)
    func aBadRequestIsAnHTTPStatusErrorInTheAPIsShape(api: APIKind) async throws {
        let record = try await withMock(Self.quick) { server, transport in
            await apiExecutor(api, transport, baseURL: server.baseURL, model: "").execute(context(0, clock: transport.clock))
        }
        // An empty model name is no model the catalogue has: 404 in the API's own shape.
        #expect(record.errorClass == .httpStatus && record.status == 404)
        #expect(record.errorType == (api == .messages ? "not_found_error" : "invalid_request_error"))
        #expect(record.errorCode == (api == .messages ? nil : "model_not_found"))
        #expect(record.errorMessage == "The model `` does not exist or you do not have access to it.")
    }

    @Test func faultRatesSpreadOverRequestsAndSuccessesAreWhole() async throws {
        // A quarter of the requests fail, one way or another; the rest are complete answers.
        let faults = MockFaults(rateLimited: 0.05, overloaded: 0.05, streamError: 0.05, disconnect: 0.05, malformed: 0.05)
        let all = try await records(.chat, faults: faults, count: 80)
        let failed = all.filter { $0.errorClass != nil }
        #expect(Set(failed.compactMap(\.errorClass)).isSubset(of: [.rateLimited, .serverError, .streamError, .truncated,
                                                                     .malformedEvent]))
        #expect(failed.count > 5 && failed.count < 40)
        #expect(all.filter(\.succeeded).allSatisfy { $0.outputTokens == 30 })
    }
}
