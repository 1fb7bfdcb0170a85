import Foundation
import Testing
import LoadGen
@testable import MockServer

/// What holds across the three APIs: one plan, so the same text on the same schedule; the same rules for reasoning,
/// tool calls and prompt tokens; each API's own error shape.
@Suite(.serialized) struct MockAPIsTests {
    /// A turn that offers the tool and sends its result back: the answer must be text.
    static let toolResultTurn: [MockAPI: String] = [
        .chat: #""messages":[{"role":"user","content":"weather?"},{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"x\"}"}}]},{"role":"tool","tool_call_id":"call_1","content":"sunny"}],"tools":\#(chatTools)"#,
        .responses: #""input":[{"role":"user","content":"weather?"},{"type":"function_call","call_id":"call_1","name":"get_weather","arguments":"{\"city\":\"x\"}"},{"type":"function_call_output","call_id":"call_1","output":"sunny"}],"tools":\#(responsesTools)"#,
        .messages: #""messages":[{"role":"user","content":"weather?"},{"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"x"}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"sunny"}]}],"tools":\#(messagesTools)"#,
    ]

    static func path(_ api: MockAPI) -> String {
        switch api {
        case .chat: "/chat/completions"
        case .responses: "/responses"
        case .messages: "/messages"
        case .completions: "/completions"
        }
    }

    /// A request body for `api`: a plain prompt, optionally offering the weather tool, or the tool-result turn.
    static func body(_ api: MockAPI, stream: Bool, limit: Int? = nil, tools: Bool = false, toolResult: Bool = false) -> String {
        var members = [#""model":"gpt-oss-120b""#, #""stream":\#(stream)"#]
        if toolResult {
            members.append(toolResultTurn[api]!)
        } else {
            switch api {
            case .chat: members.append(#""messages":[{"role":"user","content":"hi"}]"#)
            case .responses: members.append(#""input":"hi""#)
            case .messages: members.append(#""messages":[{"role":"user","content":"hi"}]"#)
            case .completions: members.append(#""prompt":"hi""#)
            }
            if tools, api != .completions {
                members.append(#""tools":\#(api == .chat ? chatTools : api == .responses ? responsesTools : messagesTools)"#)
            }
        }
        let name = api == .responses ? "max_output_tokens" : "max_tokens"
        if let limit = limit ?? (api == .messages ? 100_000 : nil) { members.append(#""\#(name)":\#(limit)"#) }
        return "{\(members.joined(separator: ","))}"
    }

    static func streamedAnswer(_ api: MockAPI, _ outcome: TransferOutcome) throws -> Answer {
        switch api {
        case .chat: Answer(chatEvents: try events(of: outcome.body))
        case .responses: Answer(responsesEvents: try namedEvents(of: outcome.body))
        case .messages: Answer(messagesEvents: try namedEvents(of: outcome.body))
        case .completions: Answer(completionsEvents: try events(of: outcome.body))
        }
    }

    /// A non-streamed answer's reasoning, text and tool name.
    static func wholeAnswer(_ api: MockAPI, _ outcome: TransferOutcome) throws -> Answer {
        let json = try jsonObject(outcome)
        var answer = Answer()
        switch api {
        case .chat:
            let message = try #require((json["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any])
            answer.reasoning = message["reasoning"] as? String ?? ""
            answer.text = message["content"] as? String ?? ""
            answer.toolName = ((message["tool_calls"] as? [[String: Any]])?.first?["function"] as? [String: Any])?["name"] as? String
        case .responses:
            for item in json["output"] as? [[String: Any]] ?? [] {
                let text = ((item["content"] as? [[String: Any]])?.first?["text"] as? String) ?? ""
                switch item["type"] as? String {
                case "reasoning": answer.reasoning = text
                case "message": answer.text = text
                default: answer.toolName = item["name"] as? String
                }
            }
        case .messages:
            for block in json["content"] as? [[String: Any]] ?? [] {
                switch block["type"] as? String {
                case "thinking": answer.reasoning = block["thinking"] as? String ?? ""
                case "text": answer.text = block["text"] as? String ?? ""
                default: answer.toolName = block["name"] as? String
                }
            }
        case .completions:
            answer.text = try #require((json["choices"] as? [[String: Any]])?.first?["text"] as? String)
        }
        return answer
    }

    /// Four requests on a fresh server: plain, offering the tool, cut by a limit, answering a tool result.
    static func session(_ api: MockAPI, profile: MockProfile, stream: Bool) async throws -> [Answer] {
        let server = try await MockServer.start(profile: profile)
        defer { Task { await server.shutdown() } }
        var answers: [Answer] = []
        for body in [body(api, stream: stream), body(api, stream: stream, tools: true), body(api, stream: stream, limit: 50),
                     body(api, stream: stream, toolResult: true)] {
            let outcome = await post(server, path(api), body)
            #expect(outcome.status == 200)
            answers.append(stream ? try streamedAnswer(api, outcome) : try wholeAnswer(api, outcome))
        }
        return answers
    }

    @Test(arguments: [0, 0.3])
    func sameTextOnTheSameScheduleInAllThreeAPIs(reasoningShare: Double) async throws {
        let profile = quickProfile(outputTokens: 60...120, reasoningShare: reasoningShare)
        let chat = try await Self.session(.chat, profile: profile, stream: true)
        #expect(chat.map { $0.toolName != nil } == [false, true, false, false])
        #expect(chat.allSatisfy { tokens($0.reasoning) == ($0.chunkTokens.reduce(0, +) - tokens($0.text)) || $0.toolName != nil })
        #expect(tokens(chat[2].reasoning) + tokens(chat[2].text) == 50)
        #expect(try await Self.session(.responses, profile: profile, stream: true) == chat)
        #expect(try await Self.session(.messages, profile: profile, stream: true) == chat)
        // Not streamed, the same request numbers answer the same.
        let streamed = chat.map { Answer(reasoning: $0.reasoning, text: $0.text, toolName: $0.toolName) }
        for api in [MockAPI.chat, .responses, .messages] {
            #expect(try await Self.session(api, profile: profile, stream: false) == streamed)
        }
    }

    @Test func outputIsTheSameOnEveryServerWithTheSeed() async throws {
        let a = try await Self.session(.messages, profile: quickProfile(seed: 11, reasoningShare: 0.2), stream: true)
        let b = try await Self.session(.messages, profile: quickProfile(seed: 11, reasoningShare: 0.2), stream: true)
        let c = try await Self.session(.messages, profile: quickProfile(seed: 12, reasoningShare: 0.2), stream: true)
        #expect(a == b)
        #expect(a.map(\.text) != c.map(\.text))
    }

    @Test func chatStreamsReasoningThenTheWholeCallInOneChunk() async throws {
        let server = try await MockServer.start(profile: quickProfile(reasoningShare: 0.25))
        defer { Task { await server.shutdown() } }
        let all = try events(of: await post(server, "/chat/completions", Self.body(.chat, stream: true, tools: true)).body)
        let deltas = all.dropFirst().dropLast(3).compactMap(delta)
        let reasoning = deltas.prefix { $0["reasoning"] != nil }
        #expect(reasoning.allSatisfy { $0["content"] == nil })
        #expect(reasoning.compactMap { $0["reasoning"] as? String }.map(tokens).reduce(0, +) == 25)
        #expect(deltas.count == reasoning.count + 1)
        let call = try #require((deltas.last?["tool_calls"] as? [[String: Any]])?.first)
        #expect(call["index"] as? Int == 0 && call["id"] as? String == "call_7_1" && call["type"] as? String == "function")
        let function = try #require(call["function"] as? [String: Any])
        #expect(function["name"] as? String == "get_weather")
        let arguments = try #require(function["arguments"] as? String)
        #expect(Set(try jsonObject(arguments).keys) == ["city", "unit", "days", "detailed"])
        #expect((all[all.count - 3]["choices"] as? [[String: Any]])?.first?["finish_reason"] as? String == "tool_calls")
        let usage = try #require(all[all.count - 2]["usage"] as? [String: Any])
        #expect(usage["completion_tokens"] as? Int == 25 + (arguments.utf8.count + 4) / 5)
        #expect((usage["completion_tokens_details"] as? [String: Any])?["reasoning_tokens"] as? Int == 25)
        #expect(usage["stop_reason"] as? String == "tool_calls")
        #expect(all.last?["done"] as? Bool == true)

        let next = try events(of: await post(server, "/chat/completions", Self.body(.chat, stream: true, toolResult: true)).body)
        #expect((next[next.count - 3]["choices"] as? [[String: Any]])?.first?["finish_reason"] as? String == "stop")
        #expect(tokens(Answer(chatEvents: next).text) == 75)

        let whole = try jsonObject(await post(server, "/chat/completions", Self.body(.chat, stream: false, tools: true)))
        let choice = try #require((whole["choices"] as? [[String: Any]])?.first)
        let message = try #require(choice["message"] as? [String: Any])
        #expect(choice["finish_reason"] as? String == "tool_calls" && message["content"] is NSNull)
        #expect(tokens(message["reasoning"] as? String ?? "") == 25)
        #expect((message["tool_calls"] as? [[String: Any]])?.first?["id"] as? String == "call_7_3")
    }

    @Test func promptTokensCountAllTheTextTheModelReads() async throws {
        let server = try await MockServer.start(profile: quickProfile())
        defer { Task { await server.shutdown() } }
        // "weather?" (8), the call's arguments {"city":"x"} (12), the result "sunny" (5), plus 3 bytes of system or
        // instructions "Hi." where the API has them: 28 bytes, 7 tokens at 4 bytes each.
        let chat = Self.body(.chat, stream: false, toolResult: true).replacingOccurrences(
            of: #""messages":["#, with: #""messages":[{"role":"system","content":[{"type":"text","text":"Hi."}]},"#)
        #expect(((try jsonObject(await post(server, "/chat/completions", chat)))["usage"] as? [String: Any])?["prompt_tokens"] as? Int == 7)
        let responses = Self.body(.responses, stream: false, toolResult: true).replacingOccurrences(
            of: #""input":"#, with: #""instructions":"Hi.","input":"#)
        #expect(((try jsonObject(await post(server, "/responses", responses)))["usage"] as? [String: Any])?["input_tokens"] as? Int == 7)
        let messages = Self.body(.messages, stream: false, toolResult: true).replacingOccurrences(
            of: #""messages":"#, with: #""system":"Hi.","messages":"#)
        #expect(((try jsonObject(await post(server, "/messages", messages)))["usage"] as? [String: Any])?["input_tokens"] as? Int == 7)
    }

    @Test func errorsTakeEachAPIsShape() async throws {
        let server = try await MockServer.start(profile: quickProfile())
        defer { Task { await server.shutdown() } }
        func openAIError(_ outcome: TransferOutcome) throws -> [String: Any] {
            let json = try jsonObject(outcome)
            #expect(json["request_id"] is String)
            let error = try #require(json["error"] as? [String: Any])
            #expect(error["message"] is String && (error["param"] is NSNull || error["param"] is String))
            return error
        }
        func messagesError(_ outcome: TransferOutcome) throws -> [String: Any] {
            let json = try jsonObject(outcome)
            #expect(json["type"] as? String == "error" && json["request_id"] is String)
            let error = try #require(json["error"] as? [String: Any])
            #expect(error["message"] is String && error.count == 2)
            return error
        }
        let noInput = await post(server, "/responses", #"{"model":"gpt-oss-120b"}"#)
        #expect(noInput.status == 400)
        #expect(try openAIError(noInput)["code"] as? String == "missing_required_field")
        #expect(try openAIError(noInput)["param"] as? String == "input")
        #expect(try openAIError(noInput)["type"] as? String == "invalid_request_error")
        let badItem = await post(server, "/responses", #"{"model":"gpt-oss-120b","input":[{"type":"item_reference","id":"x"}]}"#)
        #expect(badItem.status == 400)
        #expect(try openAIError(badItem)["code"] as? String == "invalid_value")
        #expect(try openAIError(badItem)["param"] as? String == "input[0].type")
        let zero = await post(server, "/responses", #"{"model":"gpt-oss-120b","input":"x","max_output_tokens":0}"#)
        #expect(try openAIError(zero)["code"] as? String == "integer_below_min_value")
        #expect(try openAIError(zero)["param"] as? String == "max_output_tokens")
        #expect(try openAIError(await post(server, "/responses", "[1]"))["code"] as? String == "invalid_type")
        let notJSON = try openAIError(await post(server, "/responses", "{model"))
        #expect(notJSON["code"] is NSNull && (notJSON["message"] as? String ?? "").hasPrefix("We could not parse the JSON body"))

        let noLimit = await post(server, "/messages", #"{"model":"gpt-oss-120b","messages":[{"role":"user","content":"x"}]}"#)
        #expect(noLimit.status == 400)
        #expect(try messagesError(noLimit)["type"] as? String == "invalid_request_error")
        #expect(try messagesError(noLimit)["message"] as? String == "max_tokens: Field required")
        let badRole = await post(server, "/messages", #"{"model":"gpt-oss-120b","max_tokens":5,"messages":[{"role":"system","content":"x"}]}"#)
        #expect(badRole.status == 400)
        #expect(try messagesError(badRole)["type"] as? String == "invalid_request_error")

        // A stateless mock keeps no responses, counts no tokens.
        let stored = await fetch(server.baseURL + "/responses/resp_7_1", method: "GET")
        #expect(stored.status == 404)
        #expect(try openAIError(stored)["code"] as? String == "not_found")
        let counting = await post(server, "/messages/count_tokens", #"{"model":"gpt-oss-120b","messages":[]}"#)
        #expect(counting.status == 404)
        #expect(try messagesError(counting)["type"] as? String == "not_found_error")
        let wrongMethod = await fetch(server.baseURL + "/messages", method: "GET")
        #expect(wrongMethod.status == 405)
        #expect(try messagesError(wrongMethod)["type"] as? String == "invalid_request_error")
        let elsewhere = await fetch(server.baseURL + "/nothing", method: "GET")
        #expect(elsewhere.status == 404 && String(decoding: elsewhere.body, as: UTF8.self) == #"{"error":"Not found"}"#)
    }

    @Test(arguments: [MockAPI.responses, .messages])
    func aFullQueueAnswers429InTheAPIsShape(api: MockAPI) async throws {
        let profile = MockProfile(ttftNs: 60_000_000, decodeTokensPerSecond: 1000, tokensPerChunk: 5...5,
                                  outputTokens: 10...10, seed: 3,
                                  capacity: MockCapacity(slots: 1, maxQueue: 0, decodeRateAtCapacity: 1000))
        let server = try await MockServer.start(profile: profile)
        defer { Task { await server.shutdown() } }
        let transport = CurlTransport(clock: RunClock())
        defer { transport.shutdown() }
        async let held = post(transport, server, Self.path(api), Self.body(api, stream: true))
        try await Task.sleep(for: .milliseconds(20))
        let refused = await post(transport, server, Self.path(api), Self.body(api, stream: true))
        #expect(refused.status == 429 && refused.contentType == "application/json")
        let json = try jsonObject(refused)
        let error = try #require(json["error"] as? [String: Any])
        #expect(error["type"] as? String == "rate_limit_error")
        if api == .messages {
            #expect(json["type"] as? String == "error" && error["code"] == nil)
        } else {
            #expect(error["code"] as? String == "queue_full")
        }
        #expect(json["request_id"] is String)
        #expect(await held.status == 200)
        #expect(await post(transport, server, Self.path(api), Self.body(api, stream: false)).status == 200)
    }
}
