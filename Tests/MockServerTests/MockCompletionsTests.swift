import Foundation
import Testing
import LoadGen
@testable import MockServer

extension Answer {
    /// From a text completions stream's chunks: all of it is text.
    init(completionsEvents: [[String: Any]]) {
        for event in completionsEvents {
            guard let text = ((event["choices"] as? [[String: Any]])?.first)?["text"] as? String, !text.isEmpty else { continue }
            self.text += text
            chunkTokens.append(tokens(text))
        }
    }
}

/// `POST /v1/completions`: SambaNova's legacy text completions, chat's course with `choices[].text`.
@Suite(.serialized) struct MockCompletionsTests {
    static let body = #"{"model":"gpt-oss-120b","prompt":"Once upon a time","stream":true,"stream_options":{"include_usage":true}}"#

    @Test func streamHasTheTextCompletionsShape() async throws {
        let server = try await MockServer.start(profile: quickProfile())
        defer { Task { await server.shutdown() } }
        let outcome = await post(server, "/completions", Self.body)
        #expect(outcome.status == 200 && outcome.contentType == "text/event-stream")
        let all = try events(of: outcome.body)
        #expect(all.last?["done"] as? Bool == true)
        let chunks = all.dropLast()
        #expect(chunks.allSatisfy { $0["object"] as? String == "chat.completion.chunk" && $0["id"] is String })
        // An opening chunk without text, the text chunks, a finish chunk, the usage chunk.
        let choices = chunks.map { ($0["choices"] as? [[String: Any]])?.first }
        #expect(choices.first??["text"] as? String == "")
        let usage = try #require(chunks.last?["usage"] as? [String: Any])
        #expect((chunks.last?["choices"] as? [Any])?.isEmpty == true)
        let finish = try #require(choices[choices.count - 2])
        #expect(finish["text"] as? String == "" && finish["finish_reason"] as? String == "stop")
        let texts = choices.dropFirst().dropLast(2).compactMap { $0?["text"] as? String }
        #expect(texts.count == chunks.count - 3 && texts.allSatisfy { !$0.isEmpty })
        #expect(choices.dropLast(2).allSatisfy { $0?["finish_reason"] is NSNull })
        #expect(texts.map(tokens).reduce(0, +) == 100)
        #expect(usage["completion_tokens"] as? Int == 100)
        // "Once upon a time": 16 bytes, 4 tokens.
        #expect(usage["prompt_tokens"] as? Int == 4 && usage["total_tokens"] as? Int == 104)
        for key in ["time_to_first_token", "total_latency", "completion_tokens_per_sec", "completion_tokens_after_first_per_sec",
                    "total_tokens_per_sec", "start_time", "end_time"] {
            #expect(usage[key] is Double || usage[key] is Int, "\(key)")
        }
        #expect(usage["completion_tokens_details"] == nil)
    }

    @Test(arguments: [0, 0.3])
    func theSameTextOnTheSameScheduleAsChat(reasoningShare: Double) async throws {
        // A text completion has no reasoning channel: what chat sends as reasoning, it sends as text.
        let profile = quickProfile(outputTokens: 60...120, reasoningShare: reasoningShare)
        let chat = try await MockAPIsTests.session(.chat, profile: profile, stream: true)
        let server = try await MockServer.start(profile: profile)
        defer { Task { await server.shutdown() } }
        for (index, limit) in [nil, nil, 50].enumerated() {
            let outcome = await post(server, "/completions", MockAPIsTests.body(.completions, stream: true, limit: limit))
            let answer = Answer(completionsEvents: try events(of: outcome.body))
            if index == 1 { continue }  // chat's second request offers a tool, which completions cannot
            #expect(answer.text == chat[index].reasoning + chat[index].text)
            #expect(answer.chunkTokens == chat[index].chunkTokens)
        }
    }

    @Test func wholeCompletionWithoutStreaming() async throws {
        let server = try await MockServer.start(profile: quickProfile())
        defer { Task { await server.shutdown() } }
        let outcome = await post(server, "/completions", #"{"model":"gpt-oss-120b","prompt":"hi","max_tokens":30}"#)
        #expect(outcome.status == 200 && outcome.contentType == "application/json")
        let json = try jsonObject(outcome)
        #expect(json["object"] as? String == "chat.completion")
        let choice = try #require((json["choices"] as? [[String: Any]])?.first)
        #expect(tokens(try #require(choice["text"] as? String)) == 30)
        #expect(choice["finish_reason"] as? String == "length" && choice["index"] as? Int == 0)
        let usage = try #require(json["usage"] as? [String: Any])
        #expect(usage["completion_tokens"] as? Int == 30 && usage["prompt_tokens"] as? Int == 1)
    }

    @Test func badRequestsAndPathsAnswerInTheOpenAIShape() async throws {
        let server = try await MockServer.start(profile: quickProfile())
        defer { Task { await server.shutdown() } }
        for (body, code) in [(#"{"model":"gpt-oss-120b"}"#, "missing_required_field"), (#"{"model":"gpt-oss-120b","prompt":["a","b"]}"#, "invalid_type"),
                             (#"{"prompt":"hi"}"#, "missing_required_field"), (#"{"model":"gpt-oss-120b","prompt":"hi","max_tokens":0}"#, "integer_below_min_value")] {
            let outcome = await post(server, "/completions", body)
            #expect(outcome.status == 400, "\(body)")
            let error = try #require(try jsonObject(outcome)["error"] as? [String: Any])
            #expect(error["code"] as? String == code && error["type"] as? String == "invalid_request_error", "\(body)")
        }
        let transport = CurlTransport(clock: RunClock())
        defer { transport.shutdown() }
        let get = await transport.perform(HTTPRequest(url: server.baseURL + "/completions", method: "GET"),
                                          options: TransferOptions(streaming: false, decoder: CompletionsDecoder()))
        #expect(get.status == 405)
        #expect((try jsonObject(get)["error"] as? [String: Any])?["code"] as? String == "method_not_allowed")
        // Nothing lives under it: SambaNova's plain 404.
        let under = await post(server, "/completions/abc", #"{"model":"gpt-oss-120b","prompt":"hi"}"#)
        #expect(under.status == 404 && String(decoding: under.body, as: UTF8.self) == #"{"error":"Not found"}"#)
    }

    @Test func toolsInTheRequestAreIgnored() async throws {
        let server = try await MockServer.start(profile: quickProfile(toolCallShare: 1))
        defer { Task { await server.shutdown() } }
        let outcome = await post(server, "/completions", #"{"model":"gpt-oss-120b","prompt":"hi","stream":true,"tools":\#(chatTools)}"#)
        let answer = Answer(completionsEvents: try events(of: outcome.body))
        #expect(tokens(answer.text) == 100 && !String(decoding: outcome.body, as: UTF8.self).contains("tool"))
    }
}
