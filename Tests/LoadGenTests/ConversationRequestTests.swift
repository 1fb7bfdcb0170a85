import Testing
@testable import LoadGen

/// How each API's request carries a conversation: prior turns, earlier answers and tool results.
@Suite struct ConversationRequestTests {
    static let weather = ToolFunction(name: "get_weather", description: "Weather for a city",
                                      parameters: .object([("type", .string("object")),
                                                           ("properties", .object([("city", .object([("type", .string("string"))]))])),
                                                           ("required", .array([.string("city")]))]),
                                      result: #"{"temp_c":21}"#)
    static let tools = ToolSettings(functions: [weather], choice: "auto")
    static var settings: RequestSettings {
        var settings = RequestSettings()
        settings.maxTokens = 64
        settings.system = "Be brief."
        return settings
    }
    static let call = CapturedToolCall(streamIndex: 0, id: "call_1", name: "get_weather", arguments: #"{"city":"Lima"}"#)
    static let history: [HistoryItem] = [
        .prompt(.text("Weather in Lima?")),
        .assistant(CapturedOutput(text: "", reasoning: "Use the tool.", toolCalls: [call])),
        .toolResults([ToolResult(callId: "call_1", name: "get_weather", output: #"{"temp_c":21}"#)]),
    ]

    @Test func chatSendsAssistantToolCallsAndToolMessages() {
        let api = ChatCompletionsAPI(baseURL: "http://h/v1/", model: "m", stream: true, settings: Self.settings, tools: Self.tools)
        let body = api.body(history: Self.history)
        #expect(api.url == "http://h/v1/chat/completions")
        #expect(body["messages"] == .array([
            .object([("role", .string("system")), ("content", .string("Be brief."))]),
            .object([("role", .string("user")), ("content", .string("Weather in Lima?"))]),
            .object([("role", .string("assistant")), ("content", .null),
                     ("tool_calls", .array([.object([("id", .string("call_1")), ("type", .string("function")),
                                                     ("function", .object([("name", .string("get_weather")),
                                                                           ("arguments", .string(#"{"city":"Lima"}"#))]))])]))]),
            .object([("role", .string("tool")), ("tool_call_id", .string("call_1")), ("content", .string(#"{"temp_c":21}"#))]),
        ]))
        #expect(body["tools"] == .array([.object([("type", .string("function")),
                                                  ("function", .object([("name", .string("get_weather")),
                                                                        ("description", .string("Weather for a city")),
                                                                        ("parameters", Self.weather.parameters)]))])]))
        #expect(body["tool_choice"] == .string("auto"))
        #expect(body["stream_options"] == .object([("include_usage", .bool(true))]))
    }

    @Test func responsesSendsStringInputForOnePromptAndItemsForAConversation() {
        var settings = Self.settings
        settings.reasoningEffort = "low"
        settings.responseFormat = .object([("type", .string("json_object"))])
        let api = ResponsesAPI(baseURL: "http://h/v1", model: "m", stream: true, settings: settings, tools: Self.tools)
        let single = api.body(for: .text("Hi"))
        #expect(single.serialized == #"{"model":"m","input":"Hi","instructions":"Be brief.","max_output_tokens":64,"text":{"format":{"type":"json_object"}},"reasoning":{"effort":"low"},"tools":[{"type":"function","name":"get_weather","description":"Weather for a city","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}],"tool_choice":"auto","stream":true}"#)
        let items = api.body(history: Self.history)["input"]
        // No output items were captured, so they are rebuilt: the function_call, then its output.
        #expect(items == .array([
            .object([("role", .string("user")), ("content", .string("Weather in Lima?"))]),
            .object([("type", .string("function_call")), ("call_id", .string("call_1")), ("name", .string("get_weather")),
                     ("arguments", .string(#"{"city":"Lima"}"#))]),
            .object([("type", .string("function_call_output")), ("call_id", .string("call_1")), ("output", .string(#"{"temp_c":21}"#))]),
        ]))
    }

    @Test func responsesResendsCapturedItemsVerbatim() {
        var output = CapturedOutput(text: "Hello")
        output.items = [.object([("id", .string("rs_1")), ("type", .string("reasoning"))]),
                        .object([("id", .string("msg_1")), ("type", .string("message"))])]
        let api = ResponsesAPI(baseURL: "http://h/v1", model: "m", stream: false, settings: RequestSettings())
        let input = api.body(history: [.prompt(.text("Hi")), .assistant(output), .user("More")])["input"]
        #expect(input == .array([.object([("role", .string("user")), ("content", .string("Hi"))])] + output.items
                         + [.object([("role", .string("user")), ("content", .string("More"))])]))
    }

    @Test func messagesSendsBlocksToolResultsAndTopLevelSystem() {
        var output = CapturedOutput(text: "Checking.", reasoning: "Use the tool.", toolCalls: [Self.call])
        output.reasoningSignature = "sig"
        let api = MessagesAPI(baseURL: "http://h/v1", model: "m", stream: true, settings: Self.settings, tools: Self.tools,
                              auth: .xApiKey)
        let body = api.body(history: [.prompt(.text("Weather in Lima?")), .assistant(output),
                                      .toolResults([ToolResult(callId: "call_1", name: "get_weather", output: "21C")])])
        #expect(body["system"] == .string("Be brief."))
        #expect(body["max_tokens"] == .number(64))
        #expect(body["messages"] == .array([
            .object([("role", .string("user")), ("content", .string("Weather in Lima?"))]),
            .object([("role", .string("assistant")), ("content", .array([
                .object([("type", .string("thinking")), ("thinking", .string("Use the tool.")), ("signature", .string("sig"))]),
                .object([("type", .string("text")), ("text", .string("Checking."))]),
                .object([("type", .string("tool_use")), ("id", .string("call_1")), ("name", .string("get_weather")),
                         ("input", .object([("city", .string("Lima"))]))]),
            ]))]),
            .object([("role", .string("user")), ("content", .array([
                .object([("type", .string("tool_result")), ("tool_use_id", .string("call_1")), ("content", .string("21C"))]),
            ]))]),
        ]))
        #expect(body["tools"] == .array([.object([("name", .string("get_weather")), ("description", .string("Weather for a city")),
                                                  ("input_schema", Self.weather.parameters)])]))
        #expect(body["tool_choice"] == .object([("type", .string("auto"))]))
    }

    @Test func messagesMovesSystemMessagesToTheTopAndChoosesAuth() {
        let given: [JSONValue] = [.object([("role", .string("system")), ("content", .string("Rules."))]),
                                  .object([("role", .string("user")), ("content", .string("Hi"))])]
        let bearer = MessagesAPI(baseURL: "http://h/v1", model: "m", stream: false, settings: RequestSettings())
        let body = bearer.body(for: .messages(given))
        #expect(body["system"] == .string("Rules."))
        #expect(body["messages"] == .array([given[1]]))
        #expect(body["max_tokens"] == .number(1024))
        #expect(bearer.headers(apiKey: "k").contains("Authorization: Bearer k"))
        #expect(bearer.headers(apiKey: "k").contains("anthropic-version: 2023-06-01"))
        let keyed = MessagesAPI(baseURL: "http://h/v1", model: "m", stream: false, settings: RequestSettings(), auth: .xApiKey)
        #expect(keyed.headers(apiKey: "k").contains("x-api-key: k"))
        #expect(!keyed.headers(apiKey: "k").contains { $0.hasPrefix("Authorization") })
    }

    @Test func toolResultForAnUnknownFunctionSaysSo() {
        #expect(Self.tools.result(for: "get_weather") == #"{"temp_c":21}"#)
        #expect(Self.tools.result(for: "nope") == #"{"error":"unknown tool nope"}"#)
    }
}
