import Foundation
import Testing
import LoadGen
@testable import MockServer

/// The mock's injected faults: who gets one (the seed and request number decide), and what each looks like on the
/// wire in each API.
@Suite(.serialized) struct MockFaultsTests {
    /// Raw SSE events: the `event:` name ("" without one) and the data as text (malformed JSON stays readable).
    static func rawEvents(_ body: [UInt8]) throws -> [(name: String, data: String)] {
        var parser = SSEParser()
        var result: [(String, String)] = []
        try body.withUnsafeBytes { bytes in
            try parser.feed(bytes) { event in
                result.append((String(decoding: event.type, as: UTF8.self), String(decoding: event.data, as: UTF8.self)))
            }
        }
        return result
    }

    static func profile(_ faults: MockFaults) -> MockProfile {
        var profile = quickProfile(outputTokens: 40...40)
        profile.faults = faults
        return profile
    }

    /// Every request's answer from a fresh server with `faults`, streamed or not.
    static func answers(_ api: MockAPI, _ faults: MockFaults, count: Int = 1, stream: Bool = true) async throws -> [TransferOutcome] {
        let server = try await MockServer.start(profile: profile(faults))
        defer { Task { await server.shutdown() } }
        var outcomes: [TransferOutcome] = []
        for _ in 0..<count {
            outcomes.append(await post(server, MockAPIsTests.path(api), MockAPIsTests.body(api, stream: stream),
                                       timeouts: TransferTimeouts(totalNs: 10_000_000_000)))
        }
        return outcomes
    }

    @Test func faultsFollowTheRatesAndTheSeed() {
        let faults = MockFaults(rateLimited: 0.1, overloaded: 0.05, streamError: 0.05, disconnect: 0.02, stall: 0.03,
                                malformed: 0.04, drip: 0.01, afterChunks: 2...4)
        var counts: [String: Int] = [:]
        let total = 20_000
        for number in 1...UInt64(total) {
            let fault = faults.fault(seed: 42, requestNumber: number)
            #expect(fault == faults.fault(seed: 42, requestNumber: number))
            if let after = fault?.afterChunks { #expect((2...4).contains(after)) }
            let name = switch fault {
            case nil: "none"
            case .rateLimited: "429"
            case .overloaded: "503"
            case .streamError: "error"
            case .disconnect: "disconnect"
            case .stall: "stall"
            case .malformed: "malformed"
            case .drip: "drip"
            }
            counts[name, default: 0] += 1
        }
        let expected = ["none": 0.70, "429": 0.1, "503": 0.05, "error": 0.05, "disconnect": 0.02, "stall": 0.03,
                        "malformed": 0.04, "drip": 0.01]
        for (name, rate) in expected {
            #expect(abs(Double(counts[name] ?? 0) / Double(total) - rate) < 0.01, "\(name): \(counts[name] ?? 0)")
        }
        // Another seed fails other requests.
        let other = (1...UInt64(200)).map { faults.fault(seed: 43, requestNumber: $0) }
        #expect(other != (1...UInt64(200)).map { faults.fault(seed: 42, requestNumber: $0) })
        #expect(MockFaults.none.fault(seed: 42, requestNumber: 1) == nil)
        #expect(MockFaults.spread(0.07).fault(seed: 1, requestNumber: 1) == MockFaults.spread(0.07).fault(seed: 1, requestNumber: 1))
    }

    @Test(arguments: [MockAPI.chat, .responses, .messages, .completions])
    func answersThatDoNotFailAreThoseOfAServerWithoutFaults(api: MockAPI) async throws {
        let faulty = try await Self.answers(api, MockFaults(overloaded: 0.3, disconnect: 0.2), count: 12)
        let clean = try await Self.answers(api, .none, count: 12)
        var compared = 0
        for (faulted, plain) in zip(faulty, clean) where faulted.status == 200 && faulted.curlCode == 0 {
            #expect(try MockAPIsTests.streamedAnswer(api, faulted) == MockAPIsTests.streamedAnswer(api, plain))
            compared += 1
        }
        #expect(compared >= 3 && compared < 12)
    }

    @Test(arguments: [MockAPI.chat, .responses, .messages, .completions])
    func rateLimitedAnswersCarryRetryAfterAndLimitHeaders(api: MockAPI) async throws {
        let outcome = try #require(try await Self.answers(api, MockFaults(rateLimited: 1, retryAfterMs: 2500,
                                                                          requestsPerMinute: 240)).first)
        #expect(outcome.status == 429 && outcome.contentType == "application/json")
        #expect(outcome.rateLimitHeaders == ["Retry-After: 3", "retry-after-ms: 2500", "x-ratelimit-limit-requests: 240",
                                             "x-ratelimit-remaining-requests: 0", "x-ratelimit-reset-requests: 3"])
        let json = try jsonObject(outcome)
        let error = try #require(json["error"] as? [String: Any])
        #expect(error["type"] as? String == "rate_limit_error")
        if api == .messages {
            #expect(json["type"] as? String == "error" && error["code"] == nil)
        } else {
            #expect(error["code"] as? String == "rate_limit_exceeded")
        }
    }

    @Test(arguments: [MockAPI.chat, .responses, .messages, .completions])
    func overloadedAnswersAreJSONOrPlainText(api: MockAPI) async throws {
        let json = try #require(try await Self.answers(api, MockFaults(overloaded: 1, overloadedPlainText: 0)).first)
        #expect(json.status == 503 && json.contentType == "application/json")
        let error = try #require(try jsonObject(json)["error"] as? [String: Any])
        #expect(error["type"] as? String == (api == .messages ? "overloaded_error" : "server_error"))
        let plain = try #require(try await Self.answers(api, MockFaults(overloaded: 1, overloadedPlainText: 1)).first)
        #expect(plain.status == 503 && plain.contentType == "text/plain; charset=utf-8")
        #expect(String(decoding: plain.body, as: UTF8.self) == "Service Unavailable: the model is overloaded, try again later\n")
        // Half and half when asked.
        let mixed = try await Self.answers(api, MockFaults(overloaded: 1, overloadedPlainText: 0.5), count: 12)
        #expect(Set(mixed.map { $0.contentType ?? "" }) == ["application/json", "text/plain; charset=utf-8"])
    }

    @Test func chatErrorEventsComeNamedOrBare() async throws {
        let outcomes = try await Self.answers(.chat, MockFaults(streamError: 1, afterChunks: 2...2), count: 8)
        var names: Set<String> = []
        for outcome in outcomes {
            let events = try Self.rawEvents(outcome.body)
            // Role-only opening, two content chunks, the error; no finish, usage or [DONE].
            #expect(events.count == 4)
            let last = try #require(events.last)
            names.insert(last.name)
            let error = try #require(try jsonObject(last.data)["error"] as? [String: Any])
            #expect(error["code"] as? String == "overloaded" && error["type"] as? String == "server_error")
            #expect(outcome.curlCode == 0)
        }
        #expect(names == ["error", ""])
    }

    @Test func responsesErrorsAreResponseFailedOrAnErrorEvent() async throws {
        let outcomes = try await Self.answers(.responses, MockFaults(streamError: 1, afterChunks: 1...1), count: 8)
        var names: Set<String> = []
        for outcome in outcomes {
            let events = try namedEvents(of: outcome.body)
            let last = try #require(events.last)
            names.insert(last.name)
            #expect(last.type == last.name)
            // Numbered on from the events before it.
            #expect(last["sequence_number"] as? Int == events.count - 1)
            if last.name == "response.failed" {
                let response = try #require(last["response"] as? [String: Any])
                #expect(response["status"] as? String == "failed")
                #expect((response["error"] as? [String: Any])?["code"] as? String == "server_error")
            } else {
                #expect(last["code"] as? String == "server_error" && last["message"] is String)
            }
            #expect(!events.contains { $0.name == "response.completed" })
        }
        #expect(names == ["response.failed", "error"])
    }

    @Test func messagesErrorIsAnthropicsErrorEvent() async throws {
        let outcome = try #require(try await Self.answers(.messages, MockFaults(streamError: 1, afterChunks: 1...1)).first)
        let events = try namedEvents(of: outcome.body)
        let last = try #require(events.last)
        #expect(last.name == "error" && last.type == "error")
        #expect(last["error"] as? [String: String] == ["type": "overloaded_error", "message": "Overloaded"])
        #expect(!events.contains { $0.name == "message_stop" })
    }

    @Test(arguments: [MockAPI.chat, .responses, .messages, .completions])
    func aDisconnectEndsTheConnectionMidStream(api: MockAPI) async throws {
        let outcome = try #require(try await Self.answers(api, MockFaults(disconnect: 1, afterChunks: 3...3)).first)
        // libcurl: the chunked body ended before its last chunk.
        #expect(outcome.status == 200 && outcome.curlCode != 0)
        let text = String(decoding: outcome.body, as: UTF8.self)
        #expect(!text.contains("[DONE]") && !text.contains("response.completed") && !text.contains("message_stop"))
    }

    @Test(arguments: [MockAPI.chat, .responses, .messages, .completions])
    func aMalformedEventIsCutJSONAndTheRestFollows(api: MockAPI) async throws {
        let outcome = try #require(try await Self.answers(api, MockFaults(malformed: 1, afterChunks: 1...1)).first)
        #expect(outcome.curlCode == 0)
        let events = try Self.rawEvents(outcome.body)
        let broken = events.filter { (try? JSONSerialization.jsonObject(with: Data($0.data.utf8))) == nil && $0.data != "[DONE]" }
        #expect(broken.count == 1)
        let closing = events.last?.name ?? ""
        #expect(api == .chat || api == .completions ? events.last?.data == "[DONE]" : closing == (api == .responses ? "response.completed" : "message_stop"))
    }

    @Test func aStallThatEndsDelaysTheAnswerAndOneThatDoesNotHoldsIt() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let outcome = try #require(try await Self.answers(.chat, MockFaults(stall: 1, stallNs: 300_000_000)).first)
        #expect(clock.now - start >= .milliseconds(300))
        #expect(try Self.rawEvents(outcome.body).last?.data == "[DONE]")
        let server = try await MockServer.start(profile: Self.profile(MockFaults(stall: 1, stallNs: nil)))
        defer { Task { await server.shutdown() } }
        let held = await post(server, "/chat/completions", MockAPIsTests.body(.chat, stream: true),
                              timeouts: TransferTimeouts(totalNs: 400_000_000))
        #expect(held.status == 200 && held.curlCode != 0)
        #expect(!String(decoding: held.body, as: UTF8.self).contains("[DONE]"))
    }

    @Test(arguments: [MockAPI.chat, .responses, .messages, .completions])
    func aDrippedStreamIsTheWholeStream(api: MockAPI) async throws {
        let dripped = try #require(try await Self.answers(api, MockFaults(drip: 1, dripBytes: 64, dripIntervalNs: 100_000)).first)
        let plain = try #require(try await Self.answers(api, .none).first)
        #expect(dripped.curlCode == 0)
        #expect(try MockAPIsTests.streamedAnswer(api, dripped) == MockAPIsTests.streamedAnswer(api, plain))
    }

    @Test(arguments: [MockAPI.chat, .responses, .messages, .completions])
    func nonStreamedAnswersFailTheirOwnWay(api: MockAPI) async throws {
        // Without a stream to break, the error is the whole answer, and its status says so.
        let error = try #require(try await Self.answers(api, MockFaults(streamError: 1), stream: false).first)
        #expect(error.status == 503)
        #expect(try jsonObject(error)["error"] is [String: Any])
        let cut = try #require(try await Self.answers(api, MockFaults(malformed: 1), stream: false).first)
        #expect(cut.status == 200 && cut.curlCode == 0)
        #expect((try? JSONSerialization.jsonObject(with: Data(cut.body))) == nil)
        let closed = try #require(try await Self.answers(api, MockFaults(disconnect: 1), stream: false).first)
        #expect(closed.status == 200 && closed.curlCode != 0)
        let dripped = try #require(try await Self.answers(api, MockFaults(drip: 1, dripBytes: 256, dripIntervalNs: 100_000),
                                                          stream: false).first)
        #expect(dripped.curlCode == 0)
        #expect(try MockAPIsTests.wholeAnswer(api, dripped).text.count == 200)
    }

    @Test func aStallThatNeverEndsFreesItsCapacitySlotWhenTheClientLeaves() async throws {
        var profile = Self.profile(MockFaults(stall: 1, stallNs: nil))
        // A queue place, so the next request waits for the slot if the server has not seen the first client leave yet.
        profile.capacity = MockCapacity(slots: 1, maxQueue: 1, decodeRateAtCapacity: 20_000)
        let server = try await MockServer.start(profile: profile)
        defer { Task { await server.shutdown() } }
        let held = await post(server, "/chat/completions", MockAPIsTests.body(.chat, stream: true),
                              timeouts: TransferTimeouts(totalNs: 300_000_000))
        #expect(held.curlCode != 0)
        // The slot is free again: the next request gets it and its head (then stalls in its turn); were the slot still
        // held, it would wait in the queue with no answer at all.
        let next = await post(server, "/chat/completions", MockAPIsTests.body(.chat, stream: true),
                              timeouts: TransferTimeouts(totalNs: 2_000_000_000))
        #expect(next.status == 200)
    }
}
