/// Tools offered with every request, and the canned results the client sends back when the model calls them
/// (the two-step tool flow: request with tools -> tool call -> canned result -> final answer).
public struct ToolSettings: Sendable, Equatable {
    public var functions: [ToolFunction]
    /// `auto` (the default when omitted: the field is not sent), `required` or `none`.
    public var choice: String?
    /// Tool round trips allowed per user turn: after this many, a further tool call ends the turn.
    public var rounds = 1

    public init(functions: [ToolFunction], choice: String? = nil, rounds: Int = 1) {
        self.functions = functions
        self.choice = choice
        self.rounds = rounds
    }

    /// The canned result for a call of `name` (a call of an unknown function gets an error result the model can read).
    public func result(for name: String) -> String {
        functions.first { $0.name == name }?.result ?? #"{"error":"unknown tool \#(name)"}"#
    }
}

/// One function tool: its name, description, JSON-schema parameters, and the result sent back when it is called.
public struct ToolFunction: Sendable, Equatable {
    public var name: String
    public var description: String?
    /// A JSON Schema object.
    public var parameters: JSONValue
    public var result: String

    public init(name: String, description: String? = nil, parameters: JSONValue, result: String) {
        self.name = name
        self.description = description
        self.parameters = parameters
        self.result = result
    }
}

/// A multi-turn conversation: the user turns sent one after another, each request re-sending the turns before it
/// with the model's answers (stateless APIs).
public struct Conversation: Sendable, Equatable {
    public var turns: [String]

    public init(turns: [String]) { self.turns = turns }
}

/// How the Messages API request carries the key.
public enum AuthStyle: String, Sendable, Equatable, CaseIterable {
    /// `Authorization: Bearer <key>` (SambaNova's default).
    case bearer
    /// `x-api-key: <key>` (Anthropic's).
    case xApiKey = "x-api-key"
    /// No key at all, for a local server that asks none (llama.cpp's llama-server, vLLM without `--api-key`): no
    /// environment variable is read and no key header is sent. Any API.
    case none
}

extension Scenario {
    /// Request settings the scenario's API has no field for: each would otherwise be dropped silently.
    /// Returns the key under `request` and a hint.
    public func unsupportedRequestFields() -> [(key: String, hint: String)] {
        APIRegistry.definition(of: api).unsupportedRequestFields(request)
    }
}
