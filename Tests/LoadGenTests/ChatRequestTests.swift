import Testing
@testable import LoadGen

@Suite struct ChatRequestTests {
    @Test func bodyHasEveryScenarioFieldInOrder() {
        var settings = RequestSettings()
        settings.maxTokens = 128
        settings.temperature = 0.5
        settings.topP = 0.9
        settings.topK = 40
        settings.seed = 7
        settings.stop = ["END"]
        settings.system = "Be brief."
        settings.extraBody = [("reasoning_effort", .string("low")), ("temperature", .number(0.1))]
        let api = ChatCompletionsAPI(baseURL: "https://api.sambanova.ai/v1/", model: "gpt-oss-120b", stream: true, settings: settings)
        #expect(api.url == "https://api.sambanova.ai/v1/chat/completions")
        #expect(api.body(for: .text("Hi")).serialized == #"{"model":"gpt-oss-120b","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}],"max_tokens":128,"temperature":0.1,"top_p":0.9,"top_k":40,"seed":7,"stop":["END"],"stream":true,"stream_options":{"include_usage":true},"reasoning_effort":"low"}"#)
    }

    @Test func nonStreamingOmitsStreamOptionsAndKeepsGivenMessages() {
        let api = ChatCompletionsAPI(baseURL: "http://x/v1", model: "m", stream: false, settings: RequestSettings())
        let messages: [JSONValue] = [.object([("role", .string("user")), ("content", .string("q\n\"quoted\""))])]
        #expect(api.body(for: .messages(messages)).serialized == #"{"model":"m","messages":[{"role":"user","content":"q\n\"quoted\""}],"stream":false}"#)
    }

    @Test func headersCarryBearerKeyOnlyWhenGiven() {
        let api = ChatCompletionsAPI(baseURL: "http://x/v1", model: "m", stream: true, settings: RequestSettings())
        #expect(api.request(for: .text("a"), apiKey: "k1").headers.contains("Authorization: Bearer k1"))
        #expect(!api.request(for: .text("a"), apiKey: nil).headers.contains { $0.hasPrefix("Authorization") })
    }
}
