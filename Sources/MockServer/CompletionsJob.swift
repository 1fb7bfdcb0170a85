import Foundation

/// A run rendered as SambaNova's legacy text completions: an opening chunk with empty text, chunks with
/// `choices[].text`, a finish chunk, a usage chunk, `[DONE]` (chat's course, with text in place of deltas). Objects
/// are labelled as SambaNova labels them: `chat.completion.chunk`, and `chat.completion` unstreamed. Text
/// completions have no reasoning channel: a profile's reasoning share comes out as text like the rest.
final class CompletionsJob: MockJob {
    let run: MockRun
    var api: MockAPI { .completions }
    private let id: String

    init(run: MockRun) {
        self.run = run
        id = "mock-\(run.profile.seed)-\(run.number)"
    }

    private var completion: MockCompletion { run.completion }

    /// The members every chunk repeats; made once per answer, not per chunk.
    private lazy var envelope =
        #""created":\#(run.wallStart),"id":"\#(id)","model":\#(MockJSON.string(run.request.model)),"object":"\#(run.request.stream ? "chat.completion.chunk" : "chat.completion")","system_fingerprint":"fastcoe""#

    private func chunk(text: String, finish: String?, choice: Int = 0) -> MockEvent {
        MockEvent(data: #"{"choices":[{"text":\#(MockJSON.quoted(text)),"index":\#(choice),"finish_reason":\#(finish.map { "\"\($0)\"" } ?? "null"),"logprobs":null}],\#(envelope)}"#)
    }

    /// The choices asked for (`n`): each streams its own text on the same schedule.
    private var choices: Range<Int> { 0..<run.request.choices }

    /// A chunk without text first: a client must not count it as a token.
    func opening() -> [MockEvent] { choices.map { chunk(text: "", finish: nil, choice: $0) } }

    func events(ofChunk index: Int) -> [MockEvent] {
        choices.map { chunk(text: completion.text(ofChunk: index, variant: $0), finish: nil, choice: $0) }
    }

    func closing() -> [MockEvent] {
        choices.map { chunk(text: "", finish: completion.finish.chatReason, choice: $0) }
            + [MockEvent(data: #"{"choices":[],\#(envelope),"usage":\#(usage())}"#), MockEvent(data: "[DONE]")]
    }

    /// `event: error` with an error object, or (alternate) the same object on a bare data line.
    func streamError(alternateShape: Bool) -> [MockEvent] {
        let error = MockError.overloaded(midStream: true)
        return [MockEvent(name: alternateShape ? nil : "error",
                          data: MockJSON.error(message: error.message, type: error.type, code: error.code))]
    }

    /// The non-streamed completion: the whole text in `choices[0].text`.
    func wholeBody() -> String {
        let items = choices.map { choice in
            let text = (0..<completion.chunkTokens.count).map { completion.text(ofChunk: $0, variant: choice) }.joined()
            return #"{"finish_reason":"\#(completion.finish.chatReason)","index":\#(choice),"logprobs":null,"text":\#(MockJSON.quoted(text))}"#
        }
        return #"{"choices":[\#(items.joined(separator: ","))],\#(envelope),"usage":\#(usage())}"#
    }

    /// SambaNova's usage block, as chat's (no reasoning tokens: the text does not tell them apart).
    private func usage() -> String {
        let figures = run.figures
        let output = completion.outputTokens * run.request.choices
        let prompt = run.request.promptTokens
        return #"{"prompt_tokens":\#(prompt),"completion_tokens":\#(output),"total_tokens":\#(output + prompt),"prompt_tokens_details":{"cached_tokens":0},"time_to_first_token":\#(figures.timeToFirstToken),"total_latency":\#(figures.totalLatency),"completion_tokens_per_sec":\#(figures.outputTokensPerSecond),"completion_tokens_after_first_per_sec":\#(figures.outputTokensAfterFirstPerSecond),"completion_tokens_after_first_per_sec_first_ten":\#(figures.outputTokensAfterFirstPerSecond),"total_tokens_per_sec":\#(figures.totalTokensPerSecond),"start_time":\#(figures.startTime),"end_time":\#(figures.endTime),"is_last_response":true,"acceptance_rate":1,"stop_reason":"\#(completion.finish.chatReason)"}"#
    }
}

/// Text completions, `POST /v1/completions`, answered by `CompletionsJob`.
struct CompletionsMockAPI: MockAPIDefinition {
    var api: MockAPI { .completions }
    var path: String { "/v1/completions" }
    func parse(_ object: [String: Any], model: String) throws -> MockRequest {
        try MockRequest.completions(object, model: model)
    }
    func job(run: MockRun) -> any MockJob { CompletionsJob(run: run) }
}
