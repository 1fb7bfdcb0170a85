import Foundation

/// A run rendered as SambaNova's Chat Completions: a role-only chunk, chunks with `delta.reasoning` then
/// `delta.content` (or one chunk with the whole tool call), a finish chunk, a usage chunk, `[DONE]`.
final class ChatJob: MockJob {
    let run: MockRun
    var api: MockAPI { .chat }
    private let id: String

    init(run: MockRun) {
        self.run = run
        id = "mock-\(run.profile.seed)-\(run.number)"
    }

    private var completion: MockCompletion { run.completion }

    /// The members every chunk repeats; made once per answer, not per chunk.
    private lazy var envelope =
        #""created":\#(run.wallStart),"id":"\#(id)","model":\#(MockJSON.string(run.request.model)),"object":"chat.completion.chunk","system_fingerprint":"fastcoe""#

    private func chunk(_ delta: String, choice: Int = 0) -> MockEvent {
        MockEvent(data: #"{"choices":[{"delta":\#(delta),"finish_reason":null,"index":\#(choice),"logprobs":null}],\#(envelope)}"#)
    }

    /// The choices asked for (`n`): each streams its own text on the same schedule.
    private var choices: Range<Int> { 0..<run.request.choices }

    /// SambaNova's first event carries only the role: a client must not count it as a token.
    func opening() -> [MockEvent] {
        choices.map { choice in
            MockEvent(data: #"{"choices":[{"delta":{"role":"assistant","content":""},"index":\#(choice),"finish_reason":null,"logprobs":null}],\#(envelope)}"#)
        }
    }

    func events(ofChunk index: Int) -> [MockEvent] {
        switch completion.kind(ofChunk: index) {
        case .reasoning:
            choices.map { chunk(#"{"reasoning":\#(MockJSON.quoted(completion.text(ofChunk: index, variant: $0))),"role":"assistant"}"#, choice: $0) }
        case .text:
            choices.map { chunk(#"{"content":\#(MockJSON.quoted(completion.text(ofChunk: index, variant: $0))),"role":"assistant"}"#, choice: $0) }
        case .toolCall:
            // SambaNova sends a call whole in one chunk.
            [chunk(#"{"role":"assistant","tool_calls":[{"index":0,\#(toolCallMembers)}]}"#)]
        }
    }

    func closing() -> [MockEvent] {
        choices.map { choice in
            MockEvent(data: #"{"choices":[{"delta":{"content":""},"index":\#(choice),"finish_reason":"\#(completion.finish.chatReason)","logprobs":null}],\#(envelope)}"#)
        } + [MockEvent(data: #"{"choices":[],\#(envelope),"usage":\#(usage())}"#), MockEvent(data: "[DONE]")]
    }

    /// `event: error` with an error object, or (alternate) the same object on a bare data line.
    func streamError(alternateShape: Bool) -> [MockEvent] {
        let error = MockError.overloaded(midStream: true)
        return [MockEvent(name: alternateShape ? nil : "error",
                          data: MockJSON.error(message: error.message, type: error.type, code: error.code))]
    }

    /// The non-streamed `chat.completion`.
    func wholeBody() -> String {
        let calls = completion.toolCall == nil ? "" : #","tool_calls":[{\#(toolCallMembers)}]"#
        let items = choices.map { choice in
            let content = completion.toolCall == nil ? MockJSON.quoted(completion.answerText(variant: choice)) : "null"
            let reasoning = completion.reasoningTokens > 0
                ? #","reasoning":\#(MockJSON.quoted((0..<completion.reasoningChunks).map { completion.text(ofChunk: $0, variant: choice) }.joined()))"#
                : ""
            return #"{"finish_reason":"\#(completion.finish.chatReason)","index":\#(choice),"logprobs":null,"message":{"content":\#(content)\#(reasoning),"role":"assistant"\#(calls)}}"#
        }
        return #"{"choices":[\#(items.joined(separator: ","))],"created":\#(run.wallStart),"id":"\#(id)","model":\#(MockJSON.string(run.request.model)),"object":"chat.completion","system_fingerprint":"fastcoe","usage":\#(usage())}"#
    }

    private var toolCallMembers: String {
        guard let call = completion.toolCall else { return "" }
        return #""id":"\#(run.id("call"))","type":"function","function":{"name":\#(MockJSON.string(call.name)),"arguments":\#(MockJSON.string(call.arguments))}"#
    }

    /// SambaNova's usage block; reasoning tokens are reported when the profile reasons.
    private func usage() -> String {
        let figures = run.figures
        let output = completion.outputTokens * run.request.choices
        let prompt = run.request.promptTokens
        let reasoning = run.profile.reasoningShare > 0
            ? #""completion_tokens_details":{"reasoning_tokens":\#(completion.reasoningTokens * run.request.choices)},"# : ""
        return #"{"prompt_tokens":\#(prompt),"completion_tokens":\#(output),"total_tokens":\#(output + prompt),"prompt_tokens_details":{"cached_tokens":0},\#(reasoning)"time_to_first_token":\#(figures.timeToFirstToken),"total_latency":\#(figures.totalLatency),"completion_tokens_per_sec":\#(figures.outputTokensPerSecond),"completion_tokens_after_first_per_sec":\#(figures.outputTokensAfterFirstPerSecond),"completion_tokens_after_first_per_sec_first_ten":\#(figures.outputTokensAfterFirstPerSecond),"total_tokens_per_sec":\#(figures.totalTokensPerSecond),"start_time":\#(figures.startTime),"end_time":\#(figures.endTime),"is_last_response":true,"acceptance_rate":1,"stop_reason":"\#(completion.finish.chatReason)"}"#
    }
}

/// Chat Completions, `POST /v1/chat/completions`, answered by `ChatJob`.
struct ChatMockAPI: MockAPIDefinition {
    var api: MockAPI { .chat }
    var path: String { "/v1/chat/completions" }
    func parse(_ object: [String: Any], model: String) throws -> MockRequest { try MockRequest.chat(object, model: model) }
    func job(run: MockRun) -> any MockJob { ChatJob(run: run) }
}
