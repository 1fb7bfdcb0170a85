import Foundation
import Testing
import LoadGen
@testable import MockServer

/// A profile quick enough for many requests per test: 100 tokens at 20 ms TTFT and 20,000 tokens/s.
func quickProfile(seed: UInt64 = 7, outputTokens: ClosedRange<Int> = 100...100, reasoningShare: Double = 0,
                  toolCallShare: Double = 1, capacity: MockCapacity? = nil) -> MockProfile {
    MockProfile(ttftNs: 20_000_000, decodeTokensPerSecond: 20_000, tokensPerChunk: 4...12, outputTokens: outputTokens,
                seed: seed, capacity: capacity, reasoningShare: reasoningShare, toolCallShare: toolCallShare)
}

/// The key the tests' requests carry (the mock accepts any non-empty key unless its profile names one).
let testKey = "mock-test-key"

/// POSTs a JSON body to one of the mock's paths and returns the raw outcome; `key` goes in `Authorization: Bearer`
/// (nil: no key at all).
func post(_ server: MockServer, _ path: String, _ body: String, headers: [String] = [], key: String? = testKey,
          timeouts: TransferTimeouts = TransferTimeouts(totalNs: 5_000_000_000)) async -> TransferOutcome {
    let transport = CurlTransport(clock: RunClock())
    defer { transport.shutdown() }
    return await post(transport, server, path, body, headers: headers, key: key, timeouts: timeouts)
}

/// The same on a shared transport, so concurrent requests share a clock.
func post(_ transport: CurlTransport, _ server: MockServer, _ path: String, _ body: String, headers: [String] = [],
          key: String? = testKey, timeouts: TransferTimeouts = TransferTimeouts(totalNs: 5_000_000_000)) async -> TransferOutcome {
    let auth = key.map { ["Authorization: Bearer \($0)"] } ?? []
    let request = HTTPRequest(url: server.baseURL + path, headers: ["Content-Type: application/json"] + auth + headers,
                              body: Array(body.utf8))
    return await transport.perform(request, options: TransferOptions(streaming: false, decoder: ChatCompletionsDecoder(),
                                                                     timeouts: timeouts))
}

/// One parsed Server-Sent Event: its `event:` name ("" without one) and its JSON data.
struct NamedEvent {
    var name: String
    var json: [String: Any]

    var type: String? { json["type"] as? String }
    subscript(_ key: String) -> Any? { json[key] }
}

func namedEvents(of body: [UInt8]) throws -> [NamedEvent] {
    var parser = SSEParser()
    var result: [NamedEvent] = []
    try body.withUnsafeBytes { bytes in
        try parser.feed(bytes) { event in
            let json = try JSONSerialization.jsonObject(with: Data(event.data)) as? [String: Any]
            result.append(NamedEvent(name: String(decoding: event.type, as: UTF8.self), json: json ?? [:]))
        }
    }
    return result
}

func jsonObject(_ outcome: TransferOutcome) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(outcome.body)) as? [String: Any])
}

func jsonObject(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
}

/// The mock's text is 5 bytes per token.
func tokens(_ text: String) -> Int {
    #expect(text.utf8.count % 5 == 0)
    return text.utf8.count / 5
}

/// Collapses runs of one element: the shape of a sequence of event types.
func runs(_ items: [String]) -> [String] {
    items.reduce(into: []) { result, item in
        if result.last != item { result.append(item) }
    }
}

/// A chat-style weather tool, and the same in Responses' and Messages' forms.
let weatherSchema = #"{"type":"object","properties":{"city":{"type":"string"},"unit":{"type":"string","enum":["celsius","fahrenheit"]},"days":{"type":"integer"},"detailed":{"type":"boolean"},"note":{"type":"string"}},"required":["city","unit","days","detailed"]}"#
let chatTools = #"[{"type":"function","function":{"name":"get_weather","description":"Weather","parameters":\#(weatherSchema)}}]"#
let responsesTools = #"[{"type":"function","name":"get_weather","description":"Weather","parameters":\#(weatherSchema)}]"#
let messagesTools = #"[{"name":"get_weather","description":"Weather","input_schema":\#(weatherSchema)}]"#

/// What an answer carried, read back from any API's stream or body.
struct Answer: Equatable {
    var reasoning = ""
    var text = ""
    var toolName: String?
    var arguments: String?
    /// Tokens per token-carrying chunk or fragment group, in order: the schedule as a client sees it.
    var chunkTokens: [Int] = []
}

extension Answer {
    /// From a chat stream's chunks.
    init(chatEvents: [[String: Any]]) {
        for event in chatEvents {
            guard let delta = delta(event) else { continue }
            if let reasoning = delta["reasoning"] as? String {
                self.reasoning += reasoning
                chunkTokens.append(tokens(reasoning))
            }
            if let content = delta["content"] as? String, !content.isEmpty {
                text += content
                chunkTokens.append(tokens(content))
            }
            if let call = (delta["tool_calls"] as? [[String: Any]])?.first, let function = call["function"] as? [String: Any] {
                toolName = function["name"] as? String
                arguments = function["arguments"] as? String
                chunkTokens.append(MockToolCall(name: "", arguments: arguments ?? "").tokens)
            }
        }
    }

    /// From a Responses stream's deltas; a call's argument fragments, sent together, count as one chunk.
    init(responsesEvents: [NamedEvent]) {
        var previous: String?
        for event in responsesEvents {
            let delta = event["delta"] as? String ?? ""
            switch event.type {
            case "response.reasoning_text.delta":
                reasoning += delta
                chunkTokens.append(tokens(delta))
            case "response.output_text.delta":
                text += delta
                chunkTokens.append(tokens(delta))
            case "response.function_call_arguments.delta":
                arguments = (previous == event.type ? arguments ?? "" : "") + delta
            case "response.output_item.done":
                let item = event["item"] as? [String: Any]
                if item?["type"] as? String == "function_call" {
                    toolName = item?["name"] as? String
                    chunkTokens.append(MockToolCall(name: "", arguments: arguments ?? "").tokens)
                }
            default: break
            }
            previous = event.type
        }
    }

    /// From a Messages stream's deltas; a call's partial_json fragments count as one chunk.
    init(messagesEvents: [NamedEvent]) {
        var toolBlock: Int?
        for event in messagesEvents {
            let delta = event["delta"] as? [String: Any] ?? [:]
            switch (event.type, delta["type"] as? String) {
            case ("content_block_start", _):
                let block = event["content_block"] as? [String: Any]
                if block?["type"] as? String == "tool_use" {
                    toolName = block?["name"] as? String
                    toolBlock = event["index"] as? Int
                    arguments = ""
                }
            case ("content_block_delta", "thinking_delta"):
                let thinking = delta["thinking"] as? String ?? ""
                reasoning += thinking
                chunkTokens.append(tokens(thinking))
            case ("content_block_delta", "text_delta"):
                let text = delta["text"] as? String ?? ""
                self.text += text
                chunkTokens.append(tokens(text))
            case ("content_block_delta", "input_json_delta"):
                arguments = (arguments ?? "") + (delta["partial_json"] as? String ?? "")
            case ("content_block_stop", _) where toolBlock != nil && event["index"] as? Int == toolBlock:
                chunkTokens.append(MockToolCall(name: "", arguments: arguments ?? "").tokens)
            default: break
            }
        }
    }
}
