import Foundation

/// A run rendered as the Messages API's stream, every event named: `message_start`, one content block per part of
/// the answer (thinking, closed by its signature; then text or tool_use), a `ping` after the first block starts,
/// `message_delta` with the stop reason and cumulative usage, `message_stop`.
final class MessagesJob: MockJob {
    let run: MockRun
    var api: MockAPI { .messages }
    /// The last part whose block has started (-1 before the first).
    private var opened = -1

    init(run: MockRun) {
        self.run = run
    }

    private var completion: MockCompletion { run.completion }

    private func event(_ type: String, _ members: String = "") -> MockEvent {
        MockEvent(name: type, data: #"{"type":"\#(type)"\#(members.isEmpty ? "" : ",")\#(members)}"#)
    }

    func opening() -> [MockEvent] {
        let message = #"{"id":"\#(run.id("msg"))","type":"message","role":"assistant","content":[],"model":\#(MockJSON.string(run.request.model)),"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":\#(run.request.promptTokens),"output_tokens":1}}"#
        var events = [event("message_start", #""message":\#(message)"#)]
        advance(to: 0, into: &events)
        events.append(event("ping"))
        return events
    }

    func events(ofChunk index: Int) -> [MockEvent] {
        var events: [MockEvent] = []
        let part = completion.segment(ofChunk: index)
        advance(to: part, into: &events)
        switch completion.kind(ofChunk: index) {
        case .reasoning:
            events.append(delta(part, #"{"type":"thinking_delta","thinking":\#(MockJSON.quoted(completion.text(ofChunk: index)))}"#))
        case .text:
            events.append(delta(part, #"{"type":"text_delta","text":\#(MockJSON.quoted(completion.text(ofChunk: index)))}"#))
        case .toolCall:
            for fragment in completion.toolCall?.fragments ?? [] {
                events.append(delta(part, #"{"type":"input_json_delta","partial_json":\#(MockJSON.string(fragment))}"#))
            }
        }
        return events
    }

    func closing() -> [MockEvent] {
        var events: [MockEvent] = []
        advance(to: completion.segments.count - 1, into: &events)
        close(opened, into: &events)
        events.append(event("message_delta", #""delta":{"stop_reason":"\#(completion.finish.messagesReason)","stop_sequence":\#(completion.finish.stopSequenceJSON)},"usage":\#(usage)"#))
        events.append(event("message_stop"))
        return events
    }

    /// Anthropic's one in-stream error shape.
    func streamError(alternateShape: Bool) -> [MockEvent] {
        [event("error", #""error":{"type":"overloaded_error","message":"Overloaded"}"#)]
    }

    /// The non-streamed message.
    func wholeBody() -> String {
        let blocks = completion.segments.indices.map(block).joined(separator: ",")
        return #"{"id":"\#(run.id("msg"))","type":"message","role":"assistant","model":\#(MockJSON.string(run.request.model)),"content":[\#(blocks)],"stop_reason":"\#(completion.finish.messagesReason)","stop_sequence":\#(completion.finish.stopSequenceJSON),"usage":\#(usage)}"#
    }

    private var usage: String {
        #"{"input_tokens":\#(run.request.promptTokens),"output_tokens":\#(completion.outputTokens)}"#
    }

    private func delta(_ part: Int, _ delta: String) -> MockEvent {
        event("content_block_delta", #""index":\#(part),"delta":\#(delta)"#)
    }

    /// Stops the open block and starts the next until `part` has started; parts without chunks (an empty text) start
    /// and stop on the way.
    private func advance(to part: Int, into events: inout [MockEvent]) {
        while opened < part {
            if opened >= 0 { close(opened, into: &events) }
            opened += 1
            let empty = switch completion.segments[opened] {
            case .reasoning: #"{"type":"thinking","thinking":"","signature":""}"#
            case .text: #"{"type":"text","text":""}"#
            case .toolCall: #"{"type":"tool_use","id":"\#(run.id("toolu"))","name":\#(MockJSON.string(completion.toolCall?.name ?? "")),"input":{}}"#
            }
            events.append(event("content_block_start", #""index":\#(opened),"content_block":\#(empty)"#))
        }
    }

    /// A thinking block ends with its signature.
    private func close(_ part: Int, into events: inout [MockEvent]) {
        if completion.segments[part] == .reasoning {
            events.append(delta(part, #"{"type":"signature_delta","signature":"\#(signature)"}"#))
        }
        events.append(event("content_block_stop", #""index":\#(part)"#))
    }

    private func block(_ part: Int) -> String {
        switch completion.segments[part] {
        case .reasoning:
            #"{"type":"thinking","thinking":\#(MockJSON.quoted(completion.reasoningText)),"signature":"\#(signature)"}"#
        case .text:
            #"{"type":"text","text":\#(MockJSON.quoted(completion.answerText))}"#
        case .toolCall:
            #"{"type":"tool_use","id":"\#(run.id("toolu"))","name":\#(MockJSON.string(completion.toolCall?.name ?? "")),"input":\#(completion.toolCall?.arguments ?? "{}")}"#
        }
    }

    /// Opaque, as Anthropic's are, and reproducible.
    private var signature: String { Data("mock-thinking-\(run.profile.seed)-\(run.number)".utf8).base64EncodedString() }
}

/// Messages, `POST /v1/messages` (and the paths under it, e.g. token counting, which the mock does not offer),
/// answered by `MessagesJob`; errors in Anthropic's shape.
struct MessagesMockAPI: MockAPIDefinition {
    var api: MockAPI { .messages }
    var path: String { "/v1/messages" }
    var ownsSubpaths: Bool { true }
    var missingModelMessage: String { "model: Field required" }
    func parse(_ object: [String: Any], model: String) throws -> MockRequest { try MockRequest.messages(object, model: model) }
    func job(run: MockRun) -> any MockJob { MessagesJob(run: run) }

    /// Anthropic's wording: `messages.0.role: ...`.
    func violationMessage(_ violation: MockSchema.Violation) -> String {
        let reason = violation.code == "missing_required_field" ? "Field required" : violation.reason
        return violation.path.isEmpty ? reason : "\(violation.dottedPath): \(reason)"
    }

    /// `{"type":"error","error":{"type","message"},"request_id"}`, where the error's type says what the code says
    /// elsewhere.
    func errorBody(_ error: MockError) -> String {
        #"{"type":"error","error":{"type":"\#(error.messagesType)","message":\#(MockJSON.string(error.message))},"request_id":"\#(UUID().uuidString.lowercased())"}"#
    }
}
