/// One step of a conversation as the client keeps it, independent of the API. Each API renders the list into its
/// own request shape (chat messages, Responses input items, Messages content blocks).
public enum HistoryItem: Sendable, Equatable {
    /// The conversation's opening input: a text prompt (with the scenario's system text) or a whole messages array.
    case prompt(Prompt)
    /// A later user turn.
    case user(String)
    /// What the model answered in an earlier turn.
    case assistant(CapturedOutput)
    /// The scenario's canned results for the tool calls of the assistant output just before.
    case toolResults([ToolResult])
}

/// A canned tool result sent back for one call.
public struct ToolResult: Sendable, Equatable {
    public var callId: String
    public var name: String
    public var output: String

    public init(callId: String, name: String, output: String) {
        self.callId = callId
        self.name = name
        self.output = output
    }
}
