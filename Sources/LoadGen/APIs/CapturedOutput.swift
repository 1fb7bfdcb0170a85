/// What a response generated, kept only when it is needed: to send the next turn of a conversation (the prior
/// output goes back to the server as each API requires) or when the run records answers (`record_text`).
/// Filled in on the transport thread by the decoders, one append per delta.
public struct CapturedOutput: Sendable, Codable, Equatable {
    /// Answer text (refusals included).
    public var text = ""
    /// Reasoning / thinking text.
    public var reasoning = ""
    /// Messages API: the thinking block's signature, sent back with it.
    public var reasoningSignature: String?
    /// Responses API: the output items as the server finished them (`response.output_item.done`), re-sent verbatim
    /// in the next turn's `input`.
    public var items: [JSONValue] = []
    public var toolCalls: [CapturedToolCall] = []

    public init(text: String = "", reasoning: String = "", toolCalls: [CapturedToolCall] = []) {
        self.text = text
        self.reasoning = reasoning
        self.toolCalls = toolCalls
    }

    /// The call at `index` (a stream's own numbering: chat `tool_calls[].index`, a Messages content block index,
    /// a Responses output index), created when first seen.
    mutating func toolCall(at index: Int) -> Int {
        if let found = toolCalls.firstIndex(where: { $0.streamIndex == index }) { return found }
        toolCalls.append(CapturedToolCall(streamIndex: index))
        return toolCalls.count - 1
    }
}

/// One tool call the model made: its id (`call_id` in the Responses API), function name and JSON arguments as text.
public struct CapturedToolCall: Sendable, Codable, Equatable {
    public var streamIndex: Int
    public var id = ""
    public var name = ""
    public var arguments = ""

    public init(streamIndex: Int = 0, id: String = "", name: String = "", arguments: String = "") {
        self.streamIndex = streamIndex
        self.id = id
        self.name = name
        self.arguments = arguments
    }

    /// The arguments parsed as JSON (an empty object when they are empty or not JSON).
    public var argumentsJSON: JSONValue {
        if let data = arguments.data(using: .utf8), let value = try? JSONDecoder().decode(JSONValue.self, from: data) {
            return value
        }
        return .object([])
    }
}

import Foundation
