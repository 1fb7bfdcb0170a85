/// A run rendered as the Responses API's stream: `response.created`, `response.in_progress`, then one output item per
/// part of the answer (a reasoning item, then a message or a function call), each opened, filled and closed with its
/// own events, then `response.completed` (or `response.incomplete` when max_output_tokens cut the answer) with the
/// whole response and its usage. Every event is named and numbered from 0; there is no `[DONE]`.
final class ResponsesJob: MockJob {
    let run: MockRun
    var api: MockAPI { .responses }
    private var sequence = 0
    /// The last part whose item has been added (-1 before the first).
    private var opened = -1

    init(run: MockRun) {
        self.run = run
    }

    private var completion: MockCompletion { run.completion }

    private func event(_ type: String, _ members: String) -> MockEvent {
        defer { sequence += 1 }
        return MockEvent(name: type, data: #"{"type":"\#(type)","sequence_number":\#(sequence),\#(members)}"#)
    }

    func opening() -> [MockEvent] {
        let response = #""response":\#(response(status: "in_progress", output: "[]", usage: "null"))"#
        var events = [event("response.created", response), event("response.in_progress", response)]
        advance(to: 0, into: &events)
        return events
    }

    func events(ofChunk index: Int) -> [MockEvent] {
        var events: [MockEvent] = []
        let part = completion.segment(ofChunk: index)
        advance(to: part, into: &events)
        let ids = #""item_id":"\#(itemID(part))","output_index":\#(part)"#
        switch completion.kind(ofChunk: index) {
        case .reasoning:
            events.append(event("response.reasoning_text.delta",
                                #"\#(ids),"content_index":0,"delta":\#(MockJSON.quoted(completion.text(ofChunk: index)))"#))
        case .text:
            events.append(event("response.output_text.delta",
                                #"\#(ids),"content_index":0,"delta":\#(MockJSON.quoted(completion.text(ofChunk: index))),"annotations":[],"logprobs":[]"#))
        case .toolCall:
            for fragment in completion.toolCall?.fragments ?? [] {
                events.append(event("response.function_call_arguments.delta", #"\#(ids),"delta":\#(MockJSON.string(fragment))"#))
            }
        }
        return events
    }

    func closing() -> [MockEvent] {
        var events: [MockEvent] = []
        advance(to: completion.segments.count - 1, into: &events)
        close(opened, into: &events)
        let status = completion.finish == .length ? "incomplete" : "completed"
        events.append(event("response.\(status)", #""response":\#(finalResponse())"#))
        return events
    }

    /// `response.failed` with the response's `error`, or (alternate) an `error` event.
    func streamError(alternateShape: Bool) -> [MockEvent] {
        let error = MockError.overloaded(midStream: true)
        if alternateShape {
            return [event("error", #""code":"\#(error.type)","message":\#(MockJSON.string(error.message)),"param":null"#)]
        }
        let failed = response(status: "failed", output: "[]", usage: "null",
                              error: #"{"code":"\#(error.type)","message":\#(MockJSON.string(error.message))}"#)
        return [event("response.failed", #""response":\#(failed)"#)]
    }

    /// The non-streamed response object.
    func wholeBody() -> String { finalResponse() }

    private func finalResponse() -> String {
        let items = completion.segments.indices.map { item($0, done: true) }
        return response(status: completion.finish == .length ? "incomplete" : "completed",
                        output: "[\(items.joined(separator: ","))]", usage: usage())
    }

    /// Closes the open part and adds the next until `part` is open; parts without chunks (an empty text) open and
    /// close on the way.
    private func advance(to part: Int, into events: inout [MockEvent]) {
        while opened < part {
            if opened >= 0 { close(opened, into: &events) }
            opened += 1
            events.append(event("response.output_item.added", #""output_index":\#(opened),"item":\#(item(opened, done: false))"#))
            if let empty = contentPart(opened, text: "") {
                events.append(event("response.content_part.added",
                                    #""item_id":"\#(itemID(opened))","output_index":\#(opened),"content_index":0,"part":\#(empty)"#))
            }
        }
    }

    private func close(_ part: Int, into events: inout [MockEvent]) {
        let ids = #""item_id":"\#(itemID(part))","output_index":\#(part)"#
        switch completion.segments[part] {
        case .reasoning:
            events.append(event("response.reasoning_text.done", #"\#(ids),"content_index":0,"text":\#(MockJSON.quoted(completion.reasoningText))"#))
        case .text:
            events.append(event("response.output_text.done", #"\#(ids),"content_index":0,"text":\#(MockJSON.quoted(completion.answerText)),"logprobs":[]"#))
        case .toolCall:
            let call = completion.toolCall ?? MockToolCall(name: "", arguments: "")
            events.append(event("response.function_call_arguments.done",
                                #"\#(ids),"name":\#(MockJSON.string(call.name)),"arguments":\#(MockJSON.string(call.arguments))"#))
        }
        if let whole = contentPart(part, text: text(of: part)) {
            events.append(event("response.content_part.done", #"\#(ids),"content_index":0,"part":\#(whole)"#))
        }
        events.append(event("response.output_item.done", #""output_index":\#(part),"item":\#(item(part, done: true))"#))
    }

    private func itemID(_ part: Int) -> String {
        switch completion.segments[part] {
        case .reasoning: run.id("rs")
        case .text: run.id("msg")
        case .toolCall: run.id("fc")
        }
    }

    private func text(of part: Int) -> String {
        completion.segments[part] == .reasoning ? completion.reasoningText : completion.answerText
    }

    /// The content part of a reasoning or message item; a function call has none.
    private func contentPart(_ part: Int, text: String) -> String? {
        switch completion.segments[part] {
        case .reasoning: #"{"type":"reasoning_text","text":\#(MockJSON.quoted(text))}"#
        case .text: #"{"type":"output_text","text":\#(MockJSON.quoted(text)),"annotations":[],"logprobs":[]}"#
        case .toolCall: nil
        }
    }

    /// An output item as added (empty, in progress) or done (whole; a message cut by max_output_tokens is incomplete).
    private func item(_ part: Int, done: Bool) -> String {
        let content = done ? contentPart(part, text: text(of: part)).map { "[\($0)]" } ?? "[]" : "[]"
        let cut = completion.finish == .length && part == completion.segments.count - 1
        let status = done ? (cut ? "incomplete" : "completed") : "in_progress"
        switch completion.segments[part] {
        case .reasoning:
            return #"{"id":"\#(itemID(part))","type":"reasoning","summary":[],"content":\#(content),"status":"\#(status)"}"#
        case .text:
            return #"{"id":"\#(itemID(part))","type":"message","status":"\#(status)","role":"assistant","content":\#(content)}"#
        case .toolCall:
            let call = completion.toolCall ?? MockToolCall(name: "", arguments: "")
            return #"{"id":"\#(itemID(part))","type":"function_call","status":"\#(status)","call_id":"\#(run.id("call"))","name":\#(MockJSON.string(call.name)),"arguments":\#(MockJSON.string(done ? call.arguments : ""))}"#
        }
    }

    private func response(status: String, output: String, usage: String, error: String = "null") -> String {
        let request = run.request
        let incomplete = status == "incomplete" ? #"{"reason":"max_output_tokens"}"# : "null"
        let instructions = request.instructions.map(MockJSON.string) ?? "null"
        let limit = request.maxTokens.map(String.init) ?? "null"
        let completedAt = status == "completed" ? String(Int(run.figures.endTime)) : "null"
        // The request's parameters as it gave them (the service's defaults for those it left out).
        let echoed = Self.echoedOrder.map { name in
            #""\#(name)":\#(request.echoed[name] ?? Self.echoFallback[name] ?? "null")"#
        }.joined(separator: ",")
        return #"{"id":"\#(run.id("resp"))","object":"response","created_at":\#(Int(run.wallStart)),"completed_at":\#(completedAt),"status":"\#(status)","error":\#(error),"incomplete_details":\#(incomplete),"instructions":\#(instructions),"max_output_tokens":\#(limit),"model":\#(MockJSON.string(request.model)),"output":\#(output),\#(echoed),"tools":\#(request.toolsJSON),"top_k":null,"usage":\#(usage)}"#
    }

    /// The echoed parameters, in the order they are written.
    private static let echoedOrder = ["background", "frequency_penalty", "max_tool_calls", "metadata", "parallel_tool_calls",
                                      "presence_penalty", "previous_response_id", "reasoning", "service_tier", "store",
                                      "temperature", "text", "tool_choice", "top_logprobs", "top_p", "truncation", "user"]
    /// What a request parsed without them (the mock's own tests build such requests) says.
    private static let echoFallback: [String: String] = [
        "background": "false", "frequency_penalty": "0.0", "metadata": "{}", "parallel_tool_calls": "true",
        "presence_penalty": "0.0", "reasoning": #"{"effort":null,"summary":null}"#, "service_tier": #""default""#,
        "store": "false", "temperature": "1.0", "text": #"{"format":{"type":"text"}}"#, "tool_choice": #""auto""#,
        "top_p": "1.0", "truncation": #""disabled""#,
    ]

    /// OpenAI's usage with SambaNova's timing figures under their output_* names.
    private func usage() -> String {
        let figures = run.figures
        let output = completion.outputTokens
        let input = run.request.promptTokens
        return #"{"input_tokens":\#(input),"input_tokens_details":{"cached_tokens":0},"output_tokens":\#(output),"output_tokens_details":{"reasoning_tokens":\#(completion.reasoningTokens)},"total_tokens":\#(input + output),"time_to_first_token":\#(figures.timeToFirstToken),"total_latency":\#(figures.totalLatency),"output_tokens_per_sec":\#(figures.outputTokensPerSecond),"output_tokens_after_first_per_sec":\#(figures.outputTokensAfterFirstPerSecond),"total_tokens_per_sec":\#(figures.totalTokensPerSecond),"start_time":\#(figures.startTime),"end_time":\#(figures.endTime),"acceptance_rate":1,"is_last_response":true}"#
    }
}

/// Responses, `POST /v1/responses` (and the paths under it, which a stateless mock does not keep), answered by
/// `ResponsesJob`.
struct ResponsesMockAPI: MockAPIDefinition {
    var api: MockAPI { .responses }
    var path: String { "/v1/responses" }
    var ownsSubpaths: Bool { true }
    func parse(_ object: [String: Any], model: String) throws -> MockRequest { try MockRequest.responses(object, model: model) }
    func job(run: MockRun) -> any MockJob { ResponsesJob(run: run) }
}
