import Foundation
import Testing
import LoadGen
@testable import MockServer

@Suite(.serialized) struct MockMessagesTests {
    /// Accepted as Anthropic's clients send them, though the mock checks neither.
    static let anthropicHeaders = ["x-api-key: any", "anthropic-version: 2023-06-01"]

    /// An event type with its delta's type, so a thinking block's end shows its signature.
    static func shape(_ event: NamedEvent) -> String {
        let delta = (event["delta"] as? [String: Any])?["type"] as? String
        let block = (event["content_block"] as? [String: Any])?["type"] as? String
        return [event.type ?? "", event.type == "content_block_delta" ? delta : block].compactMap { $0 }.joined(separator: ":")
    }

    @Test func streamHasEveryEventNamedAndCumulativeUsage() async throws {
        let server = try await MockServer.start(profile: quickProfile())
        defer { Task { await server.shutdown() } }
        let outcome = await post(server, "/messages",
                                 #"{"model":"gpt-oss-120b","max_tokens":1000,"messages":[{"role":"user","content":"0123456789abcdef"}],"stream":true}"#,
                                 headers: Self.anthropicHeaders)
        #expect(outcome.status == 200 && outcome.contentType == "text/event-stream")
        let all = try namedEvents(of: outcome.body)
        #expect(all.allSatisfy { !$0.name.isEmpty && $0.name == $0.type })
        #expect(runs(all.map(Self.shape)) == ["message_start", "content_block_start:text", "ping",
                                              "content_block_delta:text_delta", "content_block_stop", "message_delta",
                                              "message_stop"])
        let message = try #require(all[0]["message"] as? [String: Any])
        #expect(message["id"] as? String == "msg_7_1" && message["type"] as? String == "message")
        #expect(message["role"] as? String == "assistant" && message["model"] as? String == "gpt-oss-120b")
        #expect(message["stop_reason"] is NSNull && (message["content"] as? [Any])?.isEmpty == true)
        let startUsage = try #require(message["usage"] as? [String: Any])
        #expect(startUsage["input_tokens"] as? Int == 4 && startUsage["output_tokens"] as? Int == 1)
        #expect(all.filter { $0.type?.hasPrefix("content_block") == true }.allSatisfy { $0["index"] as? Int == 0 })
        let answer = Answer(messagesEvents: all)
        let delta = all[all.count - 2].json
        #expect((delta["delta"] as? [String: Any])?["stop_reason"] as? String == "end_turn")
        let usage = try #require(delta["usage"] as? [String: Any])
        #expect(usage["input_tokens"] as? Int == 4 && usage["output_tokens"] as? Int == 100 && tokens(answer.text) == 100)
    }

    @Test func thinkingComesFirstAndEndsWithItsSignature() async throws {
        let server = try await MockServer.start(profile: quickProfile(reasoningShare: 0.25))
        defer { Task { await server.shutdown() } }
        let outcome = await post(server, "/messages",
                                 #"{"model":"gpt-oss-120b","max_tokens":1000,"messages":[{"role":"user","content":"hi"}],"stream":true}"#,
                                 headers: ["Authorization: Bearer any"])
        let all = try namedEvents(of: outcome.body)
        #expect(runs(all.map(Self.shape)) == ["message_start", "content_block_start:thinking", "ping",
                                              "content_block_delta:thinking_delta", "content_block_delta:signature_delta",
                                              "content_block_stop", "content_block_start:text",
                                              "content_block_delta:text_delta", "content_block_stop", "message_delta",
                                              "message_stop"])
        let thinking = try #require(all[1]["content_block"] as? [String: Any])
        #expect(thinking["thinking"] as? String == "" && thinking["signature"] as? String == "")
        #expect(all.filter { Self.shape($0).contains("thinking_delta") || Self.shape($0).contains("signature") }
                    .allSatisfy { $0["index"] as? Int == 0 })
        #expect(all.filter { Self.shape($0).contains("text") }.allSatisfy { $0["index"] as? Int == 1 })
        let signature = all.compactMap { ($0["delta"] as? [String: Any])?["signature"] as? String }
        #expect(signature.count == 1 && signature[0].count > 8)
        let answer = Answer(messagesEvents: all)
        #expect(tokens(answer.reasoning) == 25 && tokens(answer.text) == 75)
        // Messages has no reasoning field: the output tokens include the thinking.
        #expect((all[all.count - 2]["usage"] as? [String: Any])?["output_tokens"] as? Int == 100)
    }

    @Test func offeredToolsAreCalledAndAToolResultIsAnsweredWithText() async throws {
        let server = try await MockServer.start(profile: quickProfile(reasoningShare: 0.25))
        defer { Task { await server.shutdown() } }
        let outcome = await post(server, "/messages",
                                 #"{"model":"gpt-oss-120b","max_tokens":1000,"tools":\#(messagesTools),"messages":[{"role":"user","content":"weather?"}],"stream":true}"#)
        let all = try namedEvents(of: outcome.body)
        #expect(runs(all.map(Self.shape)) == ["message_start", "content_block_start:thinking", "ping",
                                              "content_block_delta:thinking_delta", "content_block_delta:signature_delta",
                                              "content_block_stop", "content_block_start:tool_use",
                                              "content_block_delta:input_json_delta", "content_block_stop",
                                              "message_delta", "message_stop"])
        let block = try #require(all.first { Self.shape($0) == "content_block_start:tool_use" }?["content_block"] as? [String: Any])
        #expect(block["id"] as? String == "toolu_7_1" && block["name"] as? String == "get_weather")
        #expect((block["input"] as? [String: Any])?.isEmpty == true)
        let fragments = all.filter { Self.shape($0) == "content_block_delta:input_json_delta" }
        #expect(fragments.count == 3 && fragments.allSatisfy { $0["index"] as? Int == 1 })
        let answer = Answer(messagesEvents: all)
        let arguments = try #require(answer.arguments)
        let input = try jsonObject(arguments)
        #expect(Set(input.keys) == ["city", "unit", "days", "detailed"])
        let delta = all[all.count - 2]
        #expect((delta["delta"] as? [String: Any])?["stop_reason"] as? String == "tool_use")
        #expect((delta["usage"] as? [String: Any])?["output_tokens"] as? Int == 25 + (arguments.utf8.count + 4) / 5)

        let followUp = #"{"model":"gpt-oss-120b","max_tokens":1000,"tools":\#(messagesTools),"messages":[{"role":"user","content":"weather?"},{"role":"assistant","content":[{"type":"thinking","thinking":"\#(answer.reasoning)","signature":"x"},{"type":"tool_use","id":"toolu_7_1","name":"get_weather","input":\#(arguments)}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_7_1","content":"sunny"}]}]}"#
        let next = try jsonObject(await post(server, "/messages", followUp))
        #expect(next["stop_reason"] as? String == "end_turn")
        #expect((next["content"] as? [[String: Any]])?.map { $0["type"] as? String } == ["thinking", "text"])
    }

    @Test func wholeMessageWithoutStreaming() async throws {
        let server = try await MockServer.start(profile: quickProfile(reasoningShare: 0.25))
        defer { Task { await server.shutdown() } }
        let outcome = await post(server, "/messages",
                                 #"{"model":"gpt-oss-120b","max_tokens":40,"system":[{"type":"text","text":"Be brief."}],"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}]}"#)
        #expect(outcome.status == 200 && outcome.contentType == "application/json")
        let message = try jsonObject(outcome)
        #expect(message["type"] as? String == "message" && message["role"] as? String == "assistant")
        #expect(message["stop_reason"] as? String == "max_tokens" && message["stop_sequence"] is NSNull)
        let content = try #require(message["content"] as? [[String: Any]])
        #expect(content.map { $0["type"] as? String } == ["thinking", "text"])
        #expect(tokens(content[0]["thinking"] as? String ?? "") == 10 && content[0]["signature"] is String)
        #expect(tokens(content[1]["text"] as? String ?? "") == 30)
        // "Be brief." and "hi": 11 bytes.
        #expect(message["usage"] as? [String: Int] == ["input_tokens": 3, "output_tokens": 40])
    }
}
