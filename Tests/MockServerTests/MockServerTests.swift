import Foundation
import Testing
import LoadGen
@testable import MockServer

/// Fetches a URL with the project's own transport and returns the raw outcome (body unparsed); `key` goes in
/// `Authorization: Bearer` (nil: no key at all).
func fetch(_ url: String, method: String = "POST", body: String = "", key: String? = testKey) async -> TransferOutcome {
    let transport = CurlTransport(clock: RunClock())
    defer { transport.shutdown() }
    let headers = ["Content-Type: application/json"] + (key.map { ["Authorization: Bearer \($0)"] } ?? [])
    let request = HTTPRequest(url: url, method: method, headers: headers, body: Array(body.utf8))
    return await transport.perform(request, options: TransferOptions(streaming: false, decoder: ChatCompletionsDecoder()))
}

func events(of body: [UInt8]) throws -> [[String: Any]] {
    var parser = SSEParser()
    var result: [[String: Any]] = []
    try body.withUnsafeBytes { bytes in
        try parser.feed(bytes) { event in
            let data = Data(event.data)
            if String(decoding: data, as: UTF8.self) == "[DONE]" {
                result.append(["done": true])
            } else {
                result.append(try JSONSerialization.jsonObject(with: data) as! [String: Any])
            }
        }
    }
    return result
}

func delta(_ event: [String: Any]) -> [String: Any]? {
    ((event["choices"] as? [[String: Any]])?.first)?["delta"] as? [String: Any]
}

@Suite(.serialized) struct MockServerTests {
    @Test func aBusyPortIsSaidInWords() async throws {
        let busy = try await MockServer.start(profile: MockProfile())
        do {
            let second = try await MockServer.start(profile: MockProfile(), port: busy.port)
            await second.shutdown()
            Issue.record("the same port was bound twice")
        } catch {
            #expect("\(error)" == "the mock cannot listen on 127.0.0.1:\(busy.port): the port is in use (choose another with --port, or --port 0 for a free one)")
        }
        await busy.shutdown()
    }

    let profile = MockProfile(ttftNs: 20_000_000, decodeTokensPerSecond: 2000, tokensPerChunk: 4...12,
                              outputTokens: 100...100, seed: 7)

    @Test func streamHasSambaNovasShape() async throws {
        let server = try await MockServer.start(profile: profile)
        defer { Task { await server.shutdown() } }
        #expect(server.port > 0)
        let outcome = await fetch(server.baseURL + "/chat/completions",
                                  body: #"{"model":"gpt-oss-120b","messages":[{"role":"user","content":"0123456789abcdef"}],"max_tokens":40,"stream":true,"stream_options":{"include_usage":true}}"#)
        #expect(outcome.status == 200)
        #expect(outcome.contentType == "text/event-stream")
        let all = try events(of: outcome.body)
        // Role-only first, content chunks, a finish chunk, a usage chunk, [DONE].
        let role = try #require(delta(all[0]))
        #expect(role["role"] as? String == "assistant" && role["content"] as? String == "")
        #expect(all[0]["created"] is Double)
        let content = all[1..<(all.count - 3)].map { delta($0)?["content"] as? String ?? "" }
        #expect(content.reduce(0) { $0 + $1.utf8.count } == 40 * 5)
        #expect(content.dropLast().allSatisfy { (4 * 5...12 * 5).contains($0.utf8.count) })
        #expect(content.allSatisfy { $0.utf8.count % 5 == 0 && !$0.isEmpty })
        let finish = (all[all.count - 3]["choices"] as? [[String: Any]])?.first
        #expect(finish?["finish_reason"] as? String == "length")
        #expect(delta(all[all.count - 3])?["content"] as? String == "")
        let usage = try #require(all[all.count - 2]["usage"] as? [String: Any])
        #expect((all[all.count - 2]["choices"] as? [Any])?.isEmpty == true)
        #expect(usage["completion_tokens"] as? Int == 40)
        #expect(usage["prompt_tokens"] as? Int == 4)
        #expect(usage["total_tokens"] as? Int == 44)
        let ttft = try #require(usage["time_to_first_token"] as? Double)
        let total = try #require(usage["total_latency"] as? Double)
        let start = try #require(usage["start_time"] as? Double)
        let end = try #require(usage["end_time"] as? Double)
        #expect(abs((end - start) - total) < 1e-6)
        #expect(abs(usage["completion_tokens_per_sec"] as! Double - 40 / total) < 1e-6)
        #expect(abs(usage["completion_tokens_after_first_per_sec"] as! Double - 39 / (total - ttft)) < 1e-6)
        #expect(abs(usage["total_tokens_per_sec"] as! Double - 44 / total) < 1e-6)
        // The server's own TTFT is its configured one, give or take its event loop.
        #expect(ttft >= 0.020 && ttft < 0.030)
        #expect(all.last?["done"] as? Bool == true)
    }

    @Test func nonStreamedCompletion() async throws {
        let server = try await MockServer.start(profile: profile)
        defer { Task { await server.shutdown() } }
        let outcome = await fetch(server.baseURL + "/chat/completions",
                                  body: #"{"model":"gpt-oss-120b","messages":[{"role":"user","content":"hi"}]}"#)
        #expect(outcome.status == 200)
        #expect(outcome.contentType == "application/json")
        let json = try JSONSerialization.jsonObject(with: Data(outcome.body)) as! [String: Any]
        #expect(json["object"] as? String == "chat.completion")
        let message = ((json["choices"] as? [[String: Any]])?.first?["message"]) as? [String: Any]
        #expect((message?["content"] as? String)?.utf8.count == 500)
        #expect((json["usage"] as? [String: Any])?["completion_tokens"] as? Int == 100)
        #expect((json["choices"] as? [[String: Any]])?.first?["finish_reason"] as? String == "stop")
    }

    @Test func modelsAndErrors() async throws {
        let server = try await MockServer.start(profile: profile)
        defer { Task { await server.shutdown() } }
        let models = await fetch(server.baseURL + "/models", method: "GET")
        let list = try JSONSerialization.jsonObject(with: Data(models.body)) as! [String: Any]
        #expect((list["data"] as? [[String: Any]])?.map { $0["id"] as? String } == profile.models.map(\.id))
        let missing = await fetch(server.baseURL + "/nothing", method: "GET")
        #expect(missing.status == 404)
        #expect(String(decoding: missing.body, as: UTF8.self) == #"{"error":"Not found"}"#)
        let invalid = await fetch(server.baseURL + "/chat/completions", body: "{not json")
        #expect(invalid.status == 400)
        // SambaNova's own words for a body that is not JSON, with no code.
        #expect(ChatCompletionsDecoder().parseError(body: invalid.body)?.code == nil)
        #expect(ChatCompletionsDecoder().parseError(body: invalid.body)?.message.hasPrefix("We could not parse the JSON body") == true)
        let noModel = await fetch(server.baseURL + "/chat/completions", body: #"{"messages":[{"role":"user","content":"x"}]}"#)
        #expect(ChatCompletionsDecoder().parseError(body: noModel.body)
                == APIError(type: "invalid_request_error", code: "missing_required_field", message: "you must provide a model parameter"))
    }

    @Test func outputIsDeterministicUnderTheSeed() {
        let a = MockCompletion(profile: profile, maxTokens: nil, requestNumber: 3)
        let b = MockCompletion(profile: profile, maxTokens: nil, requestNumber: 3)
        let c = MockCompletion(profile: profile, maxTokens: nil, requestNumber: 4)
        #expect(a == b)
        #expect(a.text(ofChunk: 0) == b.text(ofChunk: 0))
        #expect(a.chunkTokens != c.chunkTokens)
        #expect(a.chunkTokens.reduce(0, +) == 100)
        #expect(a.chunkTokens.dropLast().allSatisfy { (4...12).contains($0) })
    }

    @Test func scheduleFollowsTTFTAndDecodeRate() {
        var completion = MockCompletion(profile: profile, maxTokens: nil, requestNumber: 1)
        completion.chunkTokens = [6, 10, 4]
        #expect(completion.offsetNs(ofChunk: 0, profile: profile) == 20_000_000)
        // 10 tokens after the first chunk at 2000 tokens/s: 5 ms later.
        #expect(completion.offsetNs(ofChunk: 1, profile: profile) == 25_000_000)
        #expect(completion.offsetNs(ofChunk: 2, profile: profile) == 27_000_000)
    }
}

@Suite(.serialized) struct MockStampTests {
    /// The stamp is a comment just before the first token-carrying chunk's event, and only when asked for.
    @Test(arguments: [true, false])
    func stampPrecedesTheFirstTokenChunk(stamp: Bool) async throws {
        let server = try await MockServer.start(profile: MockProfile(ttftNs: 1_000_000, decodeTokensPerSecond: 5000,
                                                                     outputTokens: 20...20, stampSendTimes: stamp))
        defer { Task { await server.shutdown() } }
        let before = MockClock.monotonicNanoseconds()
        let outcome = await fetch(server.baseURL + "/chat/completions",
                                  body: #"{"model":"gpt-oss-120b","messages":[{"role":"user","content":"hi"}],"stream":true}"#)
        let after = MockClock.monotonicNanoseconds()
        let text = String(decoding: outcome.body, as: UTF8.self)
        let lines = text.split(separator: "\n").map(String.init)
        let stamps = lines.enumerated().filter { $0.element.hasPrefix(": x-mock-sent-ns ") }
        guard stamp else {
            #expect(stamps.isEmpty)
            return
        }
        #expect(stamps.count == 1)
        let (index, line) = try #require(stamps.first)
        let ns = try #require(Int64(line.dropFirst(": x-mock-sent-ns ".count)))
        #expect(before < ns && ns < after)
        // After the role-only opening chunk, right before the first content chunk.
        #expect(index == 1)
        #expect(lines[index + 1].contains(#""content":" "#))
    }
}
