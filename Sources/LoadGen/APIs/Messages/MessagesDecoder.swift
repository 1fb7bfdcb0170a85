import Foundation

/// Reads Anthropic-style Messages streams and bodies (docs/wire-formats.md: Messages, Errors).
///
/// Token-carrying events: `content_block_delta` with `text_delta` (answer), `thinking_delta` (reasoning) or
/// `input_json_delta` (tool), and the function name of a `tool_use` block when it starts (tool). `message_start`
/// carries the input tokens, `message_delta` the stop reason and the final cumulative output tokens,
/// `message_stop` ends the stream, `error` is an in-stream error; `ping` and `signature_delta` carry no tokens.
public struct MessagesDecoder: StreamDecoder {
    private let json = JSONDecoder()
    /// Read deltas with `MessagesFastEvent` (off only to compare it with `JSONDecoder` in tests and benchmarks).
    let fastPath: Bool

    public init() {
        self.init(fastPath: true)
    }

    init(fastPath: Bool) {
        self.fastPath = fastPath
    }

    public func decode(event: SSEEvent, arrivalNs: Int64, into accumulator: inout StreamAccumulator) {
        accumulator.events += 1
        if event.data.isEmpty || event.dataIs("[DONE]") { return }
        // `message_start` comes first and names the model in its `message`.
        accumulator.checkModel(event.data, in: "message")
        // Most events are block deltas: read in place, without Foundation. Captured answers need the text itself.
        if fastPath, accumulator.capture == nil, let fast = MessagesFastEvent.read(event.data) {
            switch fast.kind {
            case .answer: accumulator.addChunk(arrivalNs: arrivalNs, answerBytes: fast.bytes, reasoningBytes: 0, toolBytes: 0)
            case .reasoning: accumulator.addChunk(arrivalNs: arrivalNs, answerBytes: 0, reasoningBytes: fast.bytes, toolBytes: 0)
            case .tool: accumulator.addChunk(arrivalNs: arrivalNs, answerBytes: 0, reasoningBytes: 0, toolBytes: fast.bytes)
            case .stop: accumulator.terminatorNs = arrivalNs
            case .nothing: break
            }
            return
        }
        let decoded: MessagesEvent
        do {
            decoded = try json.decode(MessagesEvent.self, from: Data(event.data))
        } catch {
            accumulator.failure = .malformed("messages event", event.data)
            return
        }
        let type = decoded.type ?? (event.type.isEmpty ? "" : String(decoding: event.type, as: UTF8.self))
        accumulator.take(decoded.timings?.value ?? decoded.message?.timings?.value)
        switch type {
        case "content_block_delta":
            guard let delta = decoded.delta else { return }
            switch delta.type {
            case "text_delta":
                let text = delta.text ?? ""
                accumulator.addChunk(arrivalNs: arrivalNs, answerBytes: text.utf8.count, reasoningBytes: 0, toolBytes: 0)
                if accumulator.capture != nil { accumulator.capture!.text += text }
            case "thinking_delta":
                let text = delta.thinking ?? ""
                accumulator.addChunk(arrivalNs: arrivalNs, answerBytes: 0, reasoningBytes: text.utf8.count, toolBytes: 0)
                if accumulator.capture != nil { accumulator.capture!.reasoning += text }
            case "input_json_delta":
                let text = delta.partial_json ?? ""
                accumulator.addChunk(arrivalNs: arrivalNs, answerBytes: 0, reasoningBytes: 0, toolBytes: text.utf8.count)
                if accumulator.capture != nil {
                    let slot = accumulator.capture!.toolCall(at: decoded.index ?? 0)
                    accumulator.capture!.toolCalls[slot].arguments += text
                }
            case "signature_delta":
                if accumulator.capture != nil {
                    accumulator.capture!.reasoningSignature = (accumulator.capture!.reasoningSignature ?? "") + (delta.signature ?? "")
                }
            default:
                break
            }
        case "content_block_start":
            guard let block = decoded.content_block else { return }
            // A block may start with text already in it; a tool_use block starts with the generated function name.
            let answer = block.type == "text" ? block.text?.utf8.count ?? 0 : 0
            let reasoning = block.type == "thinking" ? block.thinking?.utf8.count ?? 0 : 0
            let tool = block.type == "tool_use" ? block.name?.utf8.count ?? 0 : 0
            accumulator.addChunk(arrivalNs: arrivalNs, answerBytes: answer, reasoningBytes: reasoning, toolBytes: tool)
            if accumulator.capture != nil {
                accumulator.capture!.text += block.type == "text" ? block.text ?? "" : ""
                accumulator.capture!.reasoning += block.type == "thinking" ? block.thinking ?? "" : ""
                if block.type == "tool_use" {
                    let slot = accumulator.capture!.toolCall(at: decoded.index ?? 0)
                    accumulator.capture!.toolCalls[slot].id = block.id ?? ""
                    accumulator.capture!.toolCalls[slot].name = block.name ?? ""
                }
            }
        case "message_start":
            if let usage = decoded.message?.usage {
                // Input counts only: message_start's output_tokens is a placeholder the message_delta replaces.
                var parsed = accumulator.usage ?? ParsedUsage()
                usage.mergeInput(into: &parsed)
                accumulator.usage = parsed
            }
        case "message_delta":
            if let reason = decoded.delta?.stop_reason { accumulator.finishReason = reason }
            if let usage = decoded.usage {
                // Cumulative: the last message_delta's output_tokens is the final count.
                var parsed = accumulator.usage ?? ParsedUsage()
                usage.merge(into: &parsed)
                accumulator.usage = parsed
            }
        case "message_stop":
            accumulator.terminatorNs = arrivalNs
        case "error":
            let apiError = decoded.error?.apiError ?? APIError(type: "error", message: "error event")
            accumulator.failure = .streamError(apiError)
        default:
            if let apiError = decoded.error?.apiError {
                accumulator.failure = .streamError(apiError)
            }
        }
    }

    public func decode(body: [UInt8], arrivalNs: Int64, into accumulator: inout StreamAccumulator) {
        body.withUnsafeBytes { accumulator.checkModel($0) }
        let message: MessagesEvent.Message
        do {
            message = try json.decode(MessagesEvent.Message.self, from: Data(body))
        } catch {
            accumulator.failure = .malformed("message body", body)
            return
        }
        if message.type == "error" || message.content == nil, let apiError = message.error?.apiError {
            accumulator.failure = .streamError(apiError)
            return
        }
        var answer = 0
        var reasoning = 0
        var tool = 0
        for (index, block) in (message.content ?? []).enumerated() {
            switch block.type {
            case "text":
                answer += block.text?.utf8.count ?? 0
                if accumulator.capture != nil { accumulator.capture!.text += block.text ?? "" }
            case "thinking":
                reasoning += block.thinking?.utf8.count ?? 0
                if accumulator.capture != nil {
                    accumulator.capture!.reasoning += block.thinking ?? ""
                    accumulator.capture!.reasoningSignature = block.signature
                }
            case "tool_use":
                let arguments = block.input?.serialized ?? "{}"
                tool += (block.name?.utf8.count ?? 0) + arguments.utf8.count
                if accumulator.capture != nil {
                    accumulator.capture!.toolCalls.append(CapturedToolCall(streamIndex: index, id: block.id ?? "",
                                                                           name: block.name ?? "", arguments: arguments))
                }
            default:
                break
            }
        }
        accumulator.addChunk(arrivalNs: arrivalNs, answerBytes: answer, reasoningBytes: reasoning, toolBytes: tool)
        if let usage = message.usage {
            var parsed = ParsedUsage()
            usage.merge(into: &parsed)
            accumulator.usage = parsed
        }
        accumulator.take(message.timings?.value)
        accumulator.finishReason = message.stop_reason
        accumulator.terminatorNs = arrivalNs
    }

    public func parseError(body: [UInt8]) -> APIError? { ErrorEnvelope.parse(body) }
}

/// One Messages stream event (or, as `Message`, a whole non-streamed message); unknown fields are ignored.
struct MessagesEvent: Decodable {
    var type: String?
    var index: Int?
    var message: Message?
    var content_block: Block?
    var delta: Delta?
    var usage: MessagesUsage?
    var error: ErrorEnvelope.ErrorPayload?
    /// llama.cpp's own timing of the request (`LlamaCppTimings`).
    var timings: LenientTimings?

    struct Message: Decodable {
        var type: String?
        var content: [Block]?
        var stop_reason: String?
        var usage: MessagesUsage?
        var error: ErrorEnvelope.ErrorPayload?
        var timings: LenientTimings?
    }

    struct Block: Decodable {
        var type: String?
        var text: String?
        var thinking: String?
        var signature: String?
        var id: String?
        var name: String?
        var input: JSONValue?
    }

    struct Delta: Decodable {
        var type: String?
        var text: String?
        var thinking: String?
        var partial_json: String?
        var signature: String?
        var stop_reason: String?
    }
}

/// Messages usage; SambaNova's server-side figures are read too when a server adds them.
struct MessagesUsage: Decodable {
    var input_tokens: LenientInt?
    var output_tokens: LenientInt?
    var cache_read_input_tokens: LenientInt?
    var cache_creation_input_tokens: LenientInt?
    var time_to_first_token: Double?
    var total_latency: Double?
    var output_tokens_per_sec: Double?
    var output_tokens_after_first_per_sec: Double?
    var total_tokens_per_sec: Double?
    var start_time: Double?
    var end_time: Double?

    /// The input counts. Messages counts cache reads and writes apart from `input_tokens` (Anthropic's definition):
    /// they are kept to be added back (`RecordBuilder.applyCache`).
    func mergeInput(into parsed: inout ParsedUsage) {
        parsed.inputTokens = input_tokens?.value ?? parsed.inputTokens
        parsed.cachedTokens = cache_read_input_tokens?.value ?? parsed.cachedTokens
        parsed.cacheCreationTokens = cache_creation_input_tokens?.value ?? parsed.cacheCreationTokens
        parsed.inputExcludesCache = true
    }

    func merge(into parsed: inout ParsedUsage) {
        mergeInput(into: &parsed)
        parsed.outputTokens = output_tokens?.value ?? parsed.outputTokens
        let server = ServerUsage(timeToFirstToken: time_to_first_token, totalLatency: total_latency,
                                 completionTokensPerSec: output_tokens_per_sec,
                                 completionTokensAfterFirstPerSec: output_tokens_after_first_per_sec,
                                 totalTokensPerSec: total_tokens_per_sec, startTime: start_time, endTime: end_time)
        if !server.isEmpty { parsed.server = server }
    }
}
