import Foundation
import Testing
@testable import LoadGen

/// The scenario keys of the three APIs, conversations and tools.
@Suite struct ScenarioFlowsTests {
    static let base = """
    name: t
    base_url: mock
    model: m

    """

    @Test func conversationsToolsAndAPISettingsRead() throws {
        let scenario = try readScenario(Self.base + """
        api: messages
        auth: x-api-key
        anthropic_version: "2023-06-01"
        record_text: true
        request: {max_tokens: 128, top_k: 20, stop: [END]}
        conversations:
          - [Hi, Tell me more]
          - [Another opening]
        tools:
          choice: required
          rounds: 2
          functions:
            - name: get_weather
              description: Weather
              parameters: {type: object, properties: {city: {type: string}}, required: [city]}
              result: {temp_c: 21}
            - name: lookup
              result: found it
        mock: {reasoning_share: 0.25, tool_call_share: 0.5}
        """)
        #expect(scenario.api == .messages)
        #expect(scenario.auth == .xApiKey)
        #expect(scenario.recordText)
        #expect(scenario.prompts.isEmpty)
        #expect(scenario.conversations == [Conversation(turns: ["Hi", "Tell me more"]), Conversation(turns: ["Another opening"])])
        let tools = try #require(scenario.tools)
        #expect(tools.choice == "required")
        #expect(tools.rounds == 2)
        #expect(tools.functions.map(\.name) == ["get_weather", "lookup"])
        #expect(tools.functions[0].result == #"{"temp_c":21}"#)
        #expect(tools.functions[1].result == "found it")
        #expect(tools.functions[1].parameters == .object([("type", .string("object")), ("properties", .object([]))]))
        #expect(scenario.mock.reasoningShare == 0.25)
        #expect(scenario.mock.toolCallShare == 0.5)
        #expect(scenario.hasFollowUps)
    }

    @Test func responsesSettingsRead() throws {
        let scenario = try readScenario(Self.base + """
        api: responses
        prompts: [hi]
        request: {reasoning_effort: high, response_format: {type: json_object}}
        """)
        #expect(scenario.request.reasoningEffort == "high")
        #expect(scenario.request.responseFormat == .object([("type", .string("json_object"))]))
        #expect(!scenario.hasFollowUps)
    }

    @Test(arguments: [
        ("api: messages\nprompts: [hi]\n",
         "s.yaml:4:6: request.max_tokens: the messages API requires max_tokens (add request: {max_tokens: 1024})"),
        ("api: messages\nprompts: [hi]\nrequest:\n  max_tokens: 8\n  reasoning_effort: low\n",
         "s.yaml:8:3: request.reasoning_effort: the messages API has no reasoning_effort field (thinking is surfaced without request parameters on SambaNova; remove it)"),
        ("api: responses\nprompts: [hi]\nrequest:\n  top_k: 5\n",
         "s.yaml:7:3: request.top_k: the responses API has no top_k field (send it through request.extra_body if your server takes it)"),
        ("prompts: [hi]\nauth: x-api-key\n",
         "s.yaml:5:7: auth: auth: x-api-key applies to the messages API only (remove it, or use api: messages)"),
        ("prompts: [hi]\nconversations: [[a]]\n",
         "s.yaml:4:10: prompts: prompts and conversations cannot both be given (a conversation's first turn is its prompt: keep one of the two)"),
        ("conversations: [[]]\n",
         "s.yaml:4:17: conversations[0]: expected a non-empty list of user turns ([\"first question\", \"follow-up\"])"),
        ("prompts: [hi]\ntools: {functions: [{name: f}]}\n",
         "s.yaml:5:21: tools.functions[0].result: missing required key"),
        ("prompts: [hi]\ntools: {functions: [{name: f, result: x}, {name: f, result: y}]}\n",
         "s.yaml:5:50: tools.functions[1].name: function 'f' is defined twice (give each function its own name)"),
        ("prompts: [hi]\ntools: {choice: maybe, functions: [{name: f, result: x}]}\n",
         "s.yaml:5:17: tools.choice: unknown value 'maybe' (one of: auto, required, none)"),
        ("prompts: [hi]\ntools: {functions: [{name: f, result: x, paramters: {}}]}\n",
         "s.yaml:5:42: tools.functions[0].paramters: unknown key (did you mean 'parameters'?"),
        ("prompts: [hi]\nrequest: {reasoning_effort: extreme}\n",
         "s.yaml:5:29: request.reasoning_effort: unknown effort 'extreme' (one of: low, medium, high)"),
        ("prompts: [hi]\nmock: {reasoning_share: 2}\n",
         "s.yaml:5:25: mock.reasoning_share: 2"),
    ])
    func errorsNameTheKeyAndTheFix(yaml: String, expected: String) {
        let message = scenarioError(Self.base + yaml)
        #expect(message.hasPrefix(expected), "\(message)")
    }
}
