import Foundation
import Testing
import LoadGen
@testable import MockServer

@Suite(.serialized) struct MockResponsesTests {
    /// The events of one item's life, without its deltas.
    static let messageItem = ["response.output_item.added", "response.content_part.added", "response.output_text.delta",
                              "response.output_text.done", "response.content_part.done", "response.output_item.done"]
    static let reasoningItem = ["response.output_item.added", "response.content_part.added",
                                "response.reasoning_text.delta", "response.reasoning_text.done",
                                "response.content_part.done", "response.output_item.done"]
    static let callItem = ["response.output_item.added", "response.function_call_arguments.delta",
                           "response.function_call_arguments.done", "response.output_item.done"]

    @Test func streamIsNamedNumberedAndEndsWithTheCompletedResponse() async throws {
        let server = try await MockServer.start(profile: quickProfile())
        defer { Task { await server.shutdown() } }
        let outcome = await post(server, "/responses", #"{"model":"gpt-oss-120b","input":"0123456789abcdef","stream":true}"#)
        #expect(outcome.status == 200)
        #expect(outcome.contentType == "text/event-stream")
        // No [DONE]: every event's data is a JSON object.
        let all = try namedEvents(of: outcome.body)
        #expect(all.allSatisfy { !$0.name.isEmpty && $0.name == $0.type })
        #expect(all.map { $0["sequence_number"] as? Int } == Array(0..<all.count))
        #expect(runs(all.compactMap(\.type)) == ["response.created", "response.in_progress"] + Self.messageItem
                + ["response.completed"])
        let created = try #require(all[0]["response"] as? [String: Any])
        #expect(created["status"] as? String == "in_progress" && created["usage"] is NSNull)
        #expect((created["output"] as? [Any])?.isEmpty == true)
        let deltas = all.filter { $0.type == "response.output_text.delta" }
        #expect(deltas.allSatisfy {
            $0["item_id"] as? String == "msg_7_1" && $0["output_index"] as? Int == 0 && $0["content_index"] as? Int == 0
        })
        let text = deltas.compactMap { $0["delta"] as? String }.joined()
        #expect(all.first { $0.type == "response.output_text.done" }?["text"] as? String == text)
        let response = try #require(all.last?["response"] as? [String: Any])
        #expect(response["id"] as? String == created["id"] as? String)
        #expect(response["object"] as? String == "response" && response["status"] as? String == "completed")
        let message = try #require((response["output"] as? [[String: Any]])?.first)
        #expect(message["type"] as? String == "message" && message["role"] as? String == "assistant")
        #expect(((message["content"] as? [[String: Any]])?.first?["text"]) as? String == text)

        let usage = try #require(response["usage"] as? [String: Any])
        #expect(usage["input_tokens"] as? Int == 4)
        #expect(usage["output_tokens"] as? Int == 100 && tokens(text) == 100)
        #expect(usage["total_tokens"] as? Int == 104)
        #expect((usage["input_tokens_details"] as? [String: Any])?["cached_tokens"] as? Int == 0)
        #expect((usage["output_tokens_details"] as? [String: Any])?["reasoning_tokens"] as? Int == 0)
        // SambaNova's figures under their output_* names, consistent with each other.
        let ttft = try #require(usage["time_to_first_token"] as? Double)
        let total = try #require(usage["total_latency"] as? Double)
        let start = try #require(usage["start_time"] as? Double)
        let end = try #require(usage["end_time"] as? Double)
        #expect(abs((end - start) - total) < 1e-6)
        #expect(abs(usage["output_tokens_per_sec"] as! Double - 100 / total) < 1e-6)
        #expect(abs(usage["output_tokens_after_first_per_sec"] as! Double - 99 / (total - ttft)) < 1e-6)
        #expect(abs(usage["total_tokens_per_sec"] as! Double - 104 / total) < 1e-6)
        #expect(usage["is_last_response"] as? Bool == true && usage["acceptance_rate"] is Double)
        #expect(ttft >= 0.020 && ttft < 0.040)
    }

    @Test func reasoningComesFirstInItsOwnItem() async throws {
        let server = try await MockServer.start(profile: quickProfile(reasoningShare: 0.25))
        defer { Task { await server.shutdown() } }
        let outcome = await post(server, "/responses", #"{"model":"gpt-oss-120b","input":"hi","stream":true}"#)
        let all = try namedEvents(of: outcome.body)
        #expect(all.map { $0["sequence_number"] as? Int } == Array(0..<all.count))
        #expect(runs(all.compactMap(\.type)) == ["response.created", "response.in_progress"] + Self.reasoningItem
                + Self.messageItem + ["response.completed"])
        let added = all.filter { $0.type == "response.output_item.added" }.compactMap { $0["item"] as? [String: Any] }
        #expect(added.map { $0["type"] as? String } == ["reasoning", "message"])
        #expect(added.map { $0["id"] as? String } == ["rs_7_1", "msg_7_1"])
        let reasoningPart = all.first { $0.type == "response.content_part.added" }?["part"] as? [String: Any]
        #expect(reasoningPart?["type"] as? String == "reasoning_text")
        #expect(all.filter { $0.type == "response.reasoning_text.delta" }.allSatisfy {
            $0["item_id"] as? String == "rs_7_1" && $0["output_index"] as? Int == 0
        })
        #expect(all.filter { $0.type == "response.output_text.delta" }.allSatisfy { $0["output_index"] as? Int == 1 })
        let answer = Answer(responsesEvents: all)
        #expect(tokens(answer.reasoning) == 25 && tokens(answer.text) == 75)
        #expect(all.first { $0.type == "response.reasoning_text.done" }?["text"] as? String == answer.reasoning)
        let response = try #require(all.last?["response"] as? [String: Any])
        let usage = try #require(response["usage"] as? [String: Any])
        #expect(usage["output_tokens"] as? Int == 100)
        #expect((usage["output_tokens_details"] as? [String: Any])?["reasoning_tokens"] as? Int == 25)
        let output = try #require(response["output"] as? [[String: Any]])
        #expect(output.map { $0["type"] as? String } == ["reasoning", "message"])
        #expect(((output[0]["content"] as? [[String: Any]])?.first?["text"]) as? String == answer.reasoning)
    }

    @Test func offeredToolsAreCalledAndAToolResultIsAnsweredWithText() async throws {
        let server = try await MockServer.start(profile: quickProfile(reasoningShare: 0.25))
        defer { Task { await server.shutdown() } }
        let outcome = await post(server, "/responses", #"{"model":"gpt-oss-120b","input":"weather?","tools":\#(responsesTools),"stream":true}"#)
        let all = try namedEvents(of: outcome.body)
        #expect(all.map { $0["sequence_number"] as? Int } == Array(0..<all.count))
        #expect(runs(all.compactMap(\.type)) == ["response.created", "response.in_progress"] + Self.reasoningItem
                + Self.callItem + ["response.completed"])
        let fragments = all.filter { $0.type == "response.function_call_arguments.delta" }
        #expect(fragments.count == 3)
        #expect(fragments.allSatisfy { $0["item_id"] as? String == "fc_7_1" && $0["output_index"] as? Int == 1 })
        let arguments = fragments.compactMap { $0["delta"] as? String }.joined()
        let done = try #require(all.first { $0.type == "response.function_call_arguments.done" })
        #expect(done["arguments"] as? String == arguments && done["name"] as? String == "get_weather")
        let item = try #require(all.last { $0.type == "response.output_item.done" }?["item"] as? [String: Any])
        #expect(item["type"] as? String == "function_call" && item["id"] as? String == "fc_7_1")
        #expect(item["call_id"] as? String == "call_7_1" && item["name"] as? String == "get_weather")
        #expect(item["arguments"] as? String == arguments && item["status"] as? String == "completed")
        let values = try jsonObject(arguments)
        #expect(Set(values.keys) == ["city", "unit", "days", "detailed"])
        #expect(values["unit"] as? String == "celsius")
        let usage = try #require((all.last?["response"] as? [String: Any])?["usage"] as? [String: Any])
        #expect(usage["output_tokens"] as? Int == 25 + (arguments.utf8.count + 4) / 5)
        #expect((usage["output_tokens_details"] as? [String: Any])?["reasoning_tokens"] as? Int == 25)

        // The next turn sends the call back with its output: the answer is text.
        let followUp = #"{"model":"gpt-oss-120b","tools":\#(responsesTools),"stream":true,"input":[{"role":"user","content":"weather?"},\#(MockJSON.fragment(item)),{"type":"function_call_output","call_id":"call_7_1","output":"sunny"}]}"#
        let next = try namedEvents(of: await post(server, "/responses", followUp).body)
        #expect(runs(next.compactMap(\.type)) == ["response.created", "response.in_progress"] + Self.reasoningItem
                + Self.messageItem + ["response.completed"])
    }

    @Test func wholeResponseWithoutStreaming() async throws {
        let server = try await MockServer.start(profile: quickProfile(reasoningShare: 0.25))
        defer { Task { await server.shutdown() } }
        let outcome = await post(server, "/responses",
                                 #"{"model":"gpt-oss-120b","instructions":"Be brief.","input":[{"role":"user","content":[{"type":"input_text","text":"hi"}]}]}"#)
        #expect(outcome.status == 200 && outcome.contentType == "application/json")
        let response = try jsonObject(outcome)
        #expect(response["object"] as? String == "response" && response["status"] as? String == "completed")
        #expect(response["instructions"] as? String == "Be brief.")
        let output = try #require(response["output"] as? [[String: Any]])
        #expect(output.map { $0["type"] as? String } == ["reasoning", "message"])
        let text = try #require(((output[1]["content"] as? [[String: Any]])?.first?["text"]) as? String)
        let usage = try #require(response["usage"] as? [String: Any])
        #expect(tokens(text) == 75 && usage["output_tokens"] as? Int == 100)
        // "Be brief." and "hi": 11 bytes.
        #expect(usage["input_tokens"] as? Int == 3)
    }

    @Test func maxOutputTokensLeaveTheResponseIncomplete() async throws {
        let server = try await MockServer.start(profile: quickProfile())
        defer { Task { await server.shutdown() } }
        let streamed = try namedEvents(of: await post(server, "/responses",
                                                      #"{"model":"gpt-oss-120b","input":"hi","max_output_tokens":30,"stream":true}"#).body)
        #expect(streamed.last?.type == "response.incomplete")
        let response = try #require(streamed.last?["response"] as? [String: Any])
        #expect(response["status"] as? String == "incomplete")
        #expect((response["incomplete_details"] as? [String: Any])?["reason"] as? String == "max_output_tokens")
        #expect((response["usage"] as? [String: Any])?["output_tokens"] as? Int == 30)
        #expect(tokens(Answer(responsesEvents: streamed).text) == 30)
        let whole = try jsonObject(await post(server, "/responses", #"{"model":"gpt-oss-120b","input":"hi","max_output_tokens":30}"#))
        #expect(whole["status"] as? String == "incomplete")
    }
}
