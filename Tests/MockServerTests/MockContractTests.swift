import Foundation
import Testing
import LoadGen
@testable import MockServer

/// The mock answers as SambaNova's service does: keys, the model catalogue, requests checked against the published
/// specification, answers that honour the request, and HTTP as a server speaks it.
@Suite(.serialized) struct MockContractTests {
    static let chatHi = #"{"model":"gpt-oss-120b","messages":[{"role":"user","content":"hi"}]"#

    static func chat(_ extra: String = "") -> String { chatHi + extra + "}" }

    static func error(_ outcome: TransferOutcome) throws -> [String: Any] {
        try #require(try jsonObject(outcome)["error"] as? [String: Any])
    }

    static func content(_ outcome: TransferOutcome, choice: Int = 0) throws -> String {
        let choices = try #require(try jsonObject(outcome)["choices"] as? [[String: Any]])
        return try #require((choices[choice]["message"] as? [String: Any])?["content"] as? String)
    }

    // MARK: 1. Keys

    @Test func requestsWithoutTheKeyGet401InEachAPIsShape() async throws {
        let server = try await MockServer.start(profile: quickProfile())
        defer { Task { await server.shutdown() } }
        let none = await post(server, "/chat/completions", Self.chat(), key: nil)
        #expect(none.status == 401)
        #expect(try Self.error(none)["type"] as? String == "invalid_request_error")
        #expect((try Self.error(none)["message"] as? String)?.contains("Authorization: Bearer") == true)
        let messages = await post(server, "/messages", #"{"model":"gpt-oss-120b","max_tokens":5,"messages":[{"role":"user","content":"x"}]}"#,
                                  key: nil)
        #expect(messages.status == 401)
        #expect(try Self.error(messages)["type"] as? String == "authentication_error")
        // Messages takes Anthropic's header too; the other APIs do not.
        let anthropic = await post(server, "/messages", #"{"model":"gpt-oss-120b","max_tokens":5,"messages":[{"role":"user","content":"x"}]}"#,
                                   headers: ["x-api-key: any"], key: nil)
        #expect(anthropic.status == 200)
        #expect(await post(server, "/chat/completions", Self.chat(), headers: ["x-api-key: any"], key: nil).status == 401)
        // The model list is open: discovery needs no key.
        #expect(await fetch(server.baseURL + "/models", method: "GET", key: nil).status == 200)
    }

    @Test func aGivenKeyIsTheOnlyOneAccepted() async throws {
        var profile = quickProfile()
        profile.apiKey = "the-key"
        let server = try await MockServer.start(profile: profile)
        defer { Task { await server.shutdown() } }
        let wrong = await post(server, "/chat/completions", Self.chat(), key: "another")
        #expect(wrong.status == 401)
        #expect(try Self.error(wrong)["code"] as? String == "invalid_api_key")
        #expect(!String(decoding: wrong.body, as: UTF8.self).contains("another"))
        #expect(await post(server, "/chat/completions", Self.chat(), key: "the-key").status == 200)
    }

    // MARK: 2. Models

    @Test func eachAPIServesOnlyItsModels() async throws {
        let server = try await MockServer.start(profile: quickProfile())
        defer { Task { await server.shutdown() } }
        let unknown = await post(server, "/chat/completions", #"{"model":"nope","messages":[{"role":"user","content":"x"}]}"#)
        #expect(unknown.status == 404)
        #expect(try Self.error(unknown)["code"] as? String == "model_not_found")
        #expect(try Self.error(unknown)["param"] as? String == "model")
        // DeepSeek-V3.1 is served on Chat Completions, not on Messages or Responses.
        #expect(await post(server, "/chat/completions", #"{"model":"DeepSeek-V3.1","messages":[{"role":"user","content":"x"}]}"#).status == 200)
        let messages = await post(server, "/messages", #"{"model":"DeepSeek-V3.1","max_tokens":5,"messages":[{"role":"user","content":"x"}]}"#)
        #expect(messages.status == 404)
        #expect(try Self.error(messages)["type"] as? String == "not_found_error")
        #expect(await post(server, "/responses", #"{"model":"DeepSeek-V3.1","input":"x"}"#).status == 404)
        #expect(await post(server, "/responses", #"{"model":"MiniMax-M2.7","input":"x"}"#).status == 200)
    }

    @Test func theModelListCarriesNumbersAndEachModelIsItsOwnResource() async throws {
        let server = try await MockServer.start(profile: quickProfile())
        defer { Task { await server.shutdown() } }
        let list = try jsonObject(await fetch(server.baseURL + "/models", method: "GET"))
        let data = try #require(list["data"] as? [[String: Any]])
        #expect(data.count == MockModel.catalogue.count)
        for (item, model) in zip(data, MockModel.catalogue) {
            let pricing = try #require(item["pricing"] as? [String: Any])
            #expect(pricing["prompt"] is NSNumber && !(pricing["prompt"] is String) && pricing["completion"] is NSNumber)
            #expect(item["context_length"] as? Int == model.contextLength)
        }
        #expect(Set(data.compactMap { $0["context_length"] as? Int }).count > 1)
        let one = await fetch(server.baseURL + "/models/MiniMax-M2.7", method: "GET")
        #expect(one.status == 200)
        #expect(try jsonObject(one)["context_length"] as? Int == 196_608)
        let missing = await fetch(server.baseURL + "/models/nope", method: "GET")
        #expect(missing.status == 404)
        #expect(try jsonObject(missing)["error"] is String)
    }

    // MARK: 3. Validation

    @Test(arguments: [
        (#","temperature":2.5"#, "temperature", "decimal_above_max_value"),
        (#","top_p":-0.1"#, "top_p", "decimal_below_min_value"),
        (#","top_k":101"#, "top_k", "integer_above_max_value"),
        (#","n":9"#, "n", "integer_above_max_value"),
        (#","n":0"#, "n", "integer_below_min_value"),
        (#","max_tokens":"ten""#, "max_tokens", "invalid_type"),
        (#","reasoning_effort":"extreme""#, "reasoning_effort", "invalid_value"),
        (#","stop":7"#, "stop", "invalid_value"),
        (#","stream":"yes""#, "stream", "invalid_type"),
        (#","response_format":{"type":"xml"}"#, "response_format.type", "invalid_value"),
        (#","tool_choice":"sometimes""#, "tool_choice", "invalid_value"),
    ])
    func outOfSpecValuesGet400NamingTheField(member: String, param: String, code: String) async throws {
        let server = try await MockServer.start(profile: quickProfile())
        defer { Task { await server.shutdown() } }
        let outcome = await post(server, "/chat/completions", Self.chat(member))
        #expect(outcome.status == 400)
        let error = try Self.error(outcome)
        #expect(error["type"] as? String == "invalid_request_error")
        #expect(error["param"] as? String == param)
        #expect(error["code"] as? String == code)
    }

    @Test func rolesAndContentTypesAreChecked() async throws {
        let server = try await MockServer.start(profile: quickProfile())
        defer { Task { await server.shutdown() } }
        let role = await post(server, "/chat/completions", #"{"model":"gpt-oss-120b","messages":[{"role":"robot","content":"x"}]}"#)
        #expect(role.status == 400)
        #expect(try Self.error(role)["param"] as? String == "messages[0].role")
        let part = await post(server, "/chat/completions",
                              #"{"model":"gpt-oss-120b","messages":[{"role":"user","content":[{"type":"hologram","text":"x"}]}]}"#)
        #expect(part.status == 400)
        // Penalties and logit_bias are accepted and ignored, as SambaNova documents.
        #expect(await post(server, "/chat/completions", Self.chat(#","presence_penalty":1.5,"frequency_penalty":-1,"logit_bias":{"42":10}"#)).status == 200)
        let tools = #","tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}]"#
        let many = await post(server, "/chat/completions", Self.chat(#","n":2"# + tools))
        #expect(many.status == 400)
        #expect(try Self.error(many)["param"] as? String == "n")
    }

    @Test(arguments: [
        #""thinking":{"type":"enabled","budget_tokens":1024}"#,
        #""tools":[{"type":"web_search_20250305","name":"web_search"}]"#,
        #""messages":[{"role":"user","content":[{"type":"document","source":{"type":"text","media_type":"text/plain","data":"x"}}]}]"#,
        #""messages":[{"role":"user","content":[{"type":"image","source":{"type":"url","url":"https://example.com/a.png"}}]}]"#,
    ])
    func messagesRefusesWhatSambaNovaDoesNotSupport(member: String) async throws {
        let server = try await MockServer.start(profile: quickProfile())
        defer { Task { await server.shutdown() } }
        var members = [#""model":"gpt-oss-120b""#, #""max_tokens":10"#, member]
        if !member.hasPrefix(#""messages""#) { members.append(#""messages":[{"role":"user","content":"x"}]"#) }
        let outcome = await post(server, "/messages", "{\(members.joined(separator: ","))}")
        #expect(outcome.status == 400)
        #expect(try Self.error(outcome)["type"] as? String == "invalid_request_error")
    }

    @Test func aPromptOverTheContextAndABodyOverTheLimitAreRefused() async throws {
        let server = try await MockServer.start(profile: quickProfile())
        defer { Task { await server.shutdown() } }
        // Meta-Llama-3.1-8B-Instruct reads 16,384 tokens, 4 bytes each.
        let long = String(repeating: "word ", count: 14_000)
        let over = await post(server, "/chat/completions",
                              #"{"model":"Meta-Llama-3.1-8B-Instruct","messages":[{"role":"user","content":"\#(long)"}]}"#)
        #expect(over.status == 400)
        #expect(try Self.error(over)["code"] as? String == "context_length_exceeded")
        #expect(await post(server, "/chat/completions",
                           #"{"model":"gpt-oss-120b","messages":[{"role":"user","content":"\#(long)"}]}"#).status == 200)
        let huge = String(repeating: "x", count: MockHTTPHandler.maxBodyBytes + 10)
        let tooLarge = await post(server, "/chat/completions",
                                  #"{"model":"gpt-oss-120b","messages":[{"role":"user","content":"\#(huge)"}]}"#,
                                  timeouts: TransferTimeouts(totalNs: 30_000_000_000))
        #expect(tooLarge.status == 413)
        #expect((try Self.error(tooLarge)["message"] as? String)?.contains("too large") == true)
    }

    // MARK: 4. Answers that honour the request

    @Test func nChoicesStopSequencesAndSeeds() async throws {
        let server = try await MockServer.start(profile: quickProfile(toolCallShare: 0))
        defer { Task { await server.shutdown() } }
        let three = try jsonObject(await post(server, "/chat/completions", Self.chat(#","n":3"#)))
        let choices = try #require(three["choices"] as? [[String: Any]])
        #expect(choices.map { $0["index"] as? Int } == [0, 1, 2])
        let texts = choices.compactMap { ($0["message"] as? [String: Any])?["content"] as? String }
        #expect(Set(texts).count == 3)
        #expect((three["usage"] as? [String: Any])?["completion_tokens"] as? Int == 300)

        // The same seed, the same text, whatever the request's number; another seed, another text.
        let a = try Self.content(await post(server, "/chat/completions", Self.chat(#","seed":5"#)))
        let b = try Self.content(await post(server, "/chat/completions", Self.chat(#","seed":5"#)))
        let c = try Self.content(await post(server, "/chat/completions", Self.chat(#","seed":6"#)))
        #expect(a == b && a != c)

        // A stop sequence from the middle of that text cuts it there.
        let words = a.split(separator: " ")
        let stop = " " + words[words.count / 2]
        let cut = try Self.content(await post(server, "/chat/completions", Self.chat(#","seed":5,"stop":["\#(stop)"]"#)))
        #expect(cut == String(a[..<a.range(of: stop)!.lowerBound]))
        let message = try jsonObject(await post(server, "/messages",
            #"{"model":"gpt-oss-120b","max_tokens":500,"stop_sequences":["\#(stop)"],"messages":[{"role":"user","content":"x"}]}"#))
        #expect(message["stop_reason"] as? String == "stop_sequence" && message["stop_sequence"] as? String == stop)
    }

    @Test func toolChoiceForcesTheCall() async throws {
        // With calls never drawn, only tool_choice makes them.
        let server = try await MockServer.start(profile: quickProfile(toolCallShare: 0))
        defer { Task { await server.shutdown() } }
        let tools = #","tools":[{"type":"function","function":{"name":"alpha","parameters":{"type":"object"}}},{"type":"function","function":{"name":"beta","parameters":{"type":"object","properties":{"n":{"type":"integer"}},"required":["n"]}}}]"#
        func call(_ choice: String) async throws -> String? {
            let json = try jsonObject(await post(server, "/chat/completions", Self.chat(tools + #","tool_choice":\#(choice)"#)))
            let message = (json["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any]
            return ((message?["tool_calls"] as? [[String: Any]])?.first?["function"] as? [String: Any])?["name"] as? String
        }
        #expect(try await call(#""auto""#) == nil)
        #expect(try await call(#""required""#) != nil)
        for _ in 0..<4 { #expect(try await call(#"{"type":"function","function":{"name":"beta"}}"#) == "beta") }
        let messages = try jsonObject(await post(server, "/messages",
            #"{"model":"gpt-oss-120b","max_tokens":500,"messages":[{"role":"user","content":"x"}],"tools":[{"name":"gamma","input_schema":{"type":"object"}}],"tool_choice":{"type":"any"}}"#))
        #expect(messages["stop_reason"] as? String == "tool_use")
    }

    @Test func jsonFormatsGiveJSON() async throws {
        let server = try await MockServer.start(profile: quickProfile())
        defer { Task { await server.shutdown() } }
        let object = try Self.content(await post(server, "/chat/completions", Self.chat(#","response_format":{"type":"json_object"}"#)))
        #expect(try JSONSerialization.jsonObject(with: Data(object.utf8)) is [String: Any])
        let schema = #"{"type":"json_schema","json_schema":{"name":"w","schema":{"type":"object","properties":{"city":{"type":"string"},"days":{"type":"integer"},"unit":{"enum":["c","f"]}},"required":["city","days","unit"]}}}"#
        let shaped = try jsonObject(try Self.content(await post(server, "/chat/completions", Self.chat(#","response_format":\#(schema)"#))))
        #expect(shaped["city"] is String && shaped["days"] is Int && shaped["unit"] as? String == "c")
        // Streamed, the chunks put together are the same JSON.
        let streamed = try events(of: await post(server, "/chat/completions",
                                                Self.chat(#","stream":true,"response_format":{"type":"json_object"}"#)).body)
        let text = streamed.compactMap { delta($0)?["content"] as? String }.joined()
        #expect(try JSONSerialization.jsonObject(with: Data(text.utf8)) is [String: Any])
    }

    @Test func nonStreamedUsageTimesTheFirstTokenApart() async throws {
        // 20 ms to the first token, then 100 tokens at 20,000 tokens/s.
        let server = try await MockServer.start(profile: quickProfile())
        defer { Task { await server.shutdown() } }
        let usage = try #require(try jsonObject(await post(server, "/chat/completions", Self.chat()))["usage"] as? [String: Any])
        let ttft = try #require(usage["time_to_first_token"] as? Double)
        let total = try #require(usage["total_latency"] as? Double)
        #expect(ttft >= 0.02 && ttft < total)
        #expect((usage["completion_tokens_after_first_per_sec"] as? Double ?? 0) > 0)
    }

    @Test func responsesCarryTheRequiredFieldsAndEchoTheRequest() async throws {
        let server = try await MockServer.start(profile: quickProfile())
        defer { Task { await server.shutdown() } }
        let body = #"{"model":"gpt-oss-120b","input":"hi","temperature":0.3,"top_p":0.9,"tool_choice":"none","store":false,"metadata":{"k":"v"},"reasoning":{"effort":"low"},"stream":true}"#
        let events = try namedEvents(of: await post(server, "/responses", body).body)
        let response = try #require(events.last?["response"] as? [String: Any])
        for field in ["id", "object", "status", "created_at", "model", "output", "tools", "tool_choice", "truncation",
                      "parallel_tool_calls", "background", "metadata", "temperature", "top_p", "store", "service_tier",
                      "error", "incomplete_details", "frequency_penalty", "presence_penalty", "user"] {
            #expect(response[field] != nil, "\(field)")
        }
        #expect(response["temperature"] as? Double == 0.3 && response["top_p"] as? Double == 0.9)
        #expect(response["tool_choice"] as? String == "none")
        #expect((response["metadata"] as? [String: Any])?["k"] as? String == "v")
        #expect((response["reasoning"] as? [String: Any])?["effort"] as? String == "low")
        let deltas = events.filter { $0.type == "response.output_text.delta" }
        #expect(!deltas.isEmpty && deltas.allSatisfy { $0["annotations"] is [Any] })
    }

    // MARK: 5. HTTP

    @Test func http10GetsAnUnchunkedStreamEndedByTheClose() async throws {
        let server = try await MockServer.start(profile: quickProfile())
        defer { Task { await server.shutdown() } }
        let body = Self.chat(#","stream":true"#)
        let reply = try RawHTTP.exchange(port: server.port, """
            POST /v1/chat/completions HTTP/1.0\r
            Authorization: Bearer k\r
            Content-Type: application/json\r
            Content-Length: \(body.utf8.count)\r
            \r
            \(body)
            """)
        #expect(reply.closed)
        #expect(reply.text.hasPrefix("HTTP/1.0 200"))
        #expect(!reply.head.lowercased().contains("transfer-encoding"))
        #expect(reply.text.hasSuffix("data: [DONE]\n\n"))
    }

    @Test func aConnectionClose400EndsTheConnection() async throws {
        let server = try await MockServer.start(profile: quickProfile())
        defer { Task { await server.shutdown() } }
        let reply = try RawHTTP.exchange(port: server.port, """
            POST /v1/chat/completions HTTP/1.1\r
            Host: x\r
            Authorization: Bearer k\r
            Connection: close\r
            Content-Length: 5\r
            \r
            {oops
            """)
        #expect(reply.text.hasPrefix("HTTP/1.1 400"))
        #expect(reply.closed)
    }

    @Test func slowAndIdleClientsAreCutOff() async throws {
        var profile = quickProfile()
        profile.requestReadTimeoutNs = 200_000_000
        profile.idleTimeoutNs = 200_000_000
        let server = try await MockServer.start(profile: profile)
        defer { Task { await server.shutdown() } }
        // Headers begun and never finished, then a connection that never says anything: both are closed by the
        // server (the client waits far longer than the timeouts).
        let slow = try RawHTTP.exchange(port: server.port, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n", waitSeconds: 20)
        #expect(slow.closed && slow.text.isEmpty)
        let idle = try RawHTTP.exchange(port: server.port, "", waitSeconds: 20)
        #expect(idle.closed && idle.text.isEmpty)
    }

    @Test func headAndAllowWhereGetWorks() async throws {
        let server = try await MockServer.start(profile: quickProfile())
        defer { Task { await server.shutdown() } }
        let head = try RawHTTP.exchange(port: server.port, "HEAD /v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k\r\nConnection: close\r\n\r\n")
        #expect(head.text.hasPrefix("HTTP/1.1 200") && head.head.lowercased().contains("content-length"))
        #expect(head.body.isEmpty)
        let delete = try RawHTTP.exchange(port: server.port, "DELETE /v1/models HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(delete.text.hasPrefix("HTTP/1.1 405") && delete.head.contains("Allow: GET, HEAD"))
        let get = try RawHTTP.exchange(port: server.port, "GET /v1/chat/completions HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(get.text.hasPrefix("HTTP/1.1 405") && get.head.contains("Allow: POST"))
    }
}

/// One exchange over a plain socket: what the server sent, and whether it closed the connection.
enum RawHTTP {
    struct Reply {
        var text: String
        var closed: Bool
        var head: String { text.components(separatedBy: "\r\n\r\n").first ?? "" }
        var body: String { text.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n") }
    }

    struct SocketError: Error { var errno: Int32 }

    /// Sends `request`, then reads until the server closes or `waitSeconds` pass without a byte.
    static func exchange(port: Int, _ request: String, waitSeconds: Int = 10) throws -> Reply {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw SocketError(errno: errno) }
        var timeout = timeval(tv_sec: waitSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let bytes = Array(request.utf8)
        if !bytes.isEmpty { _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) } }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                received += buffer[0..<count]
            } else {
                return Reply(text: String(decoding: received, as: UTF8.self), closed: count == 0)
            }
        }
    }
}
