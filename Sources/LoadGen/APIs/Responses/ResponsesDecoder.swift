import Foundation

/// Reads OpenAI-style Responses streams and bodies (docs/wire-formats.md: Responses, Errors).
///
/// Token-carrying events: `response.output_text.delta` and `response.refusal.delta` (answer),
/// `response.reasoning_text.delta` and `response.reasoning_summary_text.delta` (reasoning),
/// `response.function_call_arguments.delta` and the function name of a `function_call` item when it is added
/// (tool). `response.completed` and `response.incomplete` end the stream and carry the usage; `response.failed`
/// and `error` are in-stream errors. A stray `[DONE]` is tolerated and ignored.
public struct ResponsesDecoder: StreamDecoder {
    private let json = JSONDecoder()
    /// Read deltas with `ResponsesFastEvent` (off only to compare it with `JSONDecoder` in tests and benchmarks).
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
        // `response.created` comes first and names the model in its `response`.
        accumulator.checkModel(event.data, in: "response")
        // Most events are text deltas: read in place, without Foundation. Captured answers need the text itself.
        if fastPath, accumulator.capture == nil, let fast = ResponsesFastEvent.read(event.data) {
            switch fast.kind {
            case .answer: accumulator.addChunk(arrivalNs: arrivalNs, answerBytes: fast.deltaBytes, reasoningBytes: 0, toolBytes: 0)
            case .reasoning: accumulator.addChunk(arrivalNs: arrivalNs, answerBytes: 0, reasoningBytes: fast.deltaBytes, toolBytes: 0)
            case .tool: accumulator.addChunk(arrivalNs: arrivalNs, answerBytes: 0, reasoningBytes: 0, toolBytes: fast.deltaBytes)
            case .nothing: break
            }
            return
        }
        let data = Data(event.data)
        let decoded: ResponsesEvent
        do {
            decoded = try json.decode(ResponsesEvent.self, from: data)
        } catch {
            accumulator.failure = .malformed("responses event", event.data)
            return
        }
        // The data's own `type` decides; the `event:` line is the fallback.
        let type = decoded.type ?? (event.type.isEmpty ? "" : String(decoding: event.type, as: UTF8.self))
        switch type {
        case "response.output_text.delta", "response.refusal.delta":
            let text = decoded.delta ?? ""
            accumulator.addChunk(arrivalNs: arrivalNs, answerBytes: text.utf8.count, reasoningBytes: 0, toolBytes: 0)
            if accumulator.capture != nil { accumulator.capture!.text += text }
        case "response.reasoning_text.delta", "response.reasoning_summary_text.delta", "response.reasoning.delta":
            let text = decoded.delta ?? ""
            accumulator.addChunk(arrivalNs: arrivalNs, answerBytes: 0, reasoningBytes: text.utf8.count, toolBytes: 0)
            if accumulator.capture != nil { accumulator.capture!.reasoning += text }
        case "response.function_call_arguments.delta":
            let text = decoded.delta ?? ""
            accumulator.addChunk(arrivalNs: arrivalNs, answerBytes: 0, reasoningBytes: 0, toolBytes: text.utf8.count)
            if accumulator.capture != nil {
                let slot = accumulator.capture!.toolCall(at: decoded.output_index ?? 0)
                accumulator.capture!.toolCalls[slot].arguments += text
            }
        case "response.output_item.added":
            guard let item = decoded.item, item.type == "function_call" else { return }
            // The model generated the function's name: it counts as tool output, like a chat tool-call chunk.
            let name = item.name ?? ""
            accumulator.addChunk(arrivalNs: arrivalNs, answerBytes: 0, reasoningBytes: 0,
                                 toolBytes: name.utf8.count + (item.arguments?.utf8.count ?? 0))
            if accumulator.capture != nil {
                let slot = accumulator.capture!.toolCall(at: decoded.output_index ?? 0)
                accumulator.capture!.toolCalls[slot].id = item.call_id ?? item.id ?? ""
                accumulator.capture!.toolCalls[slot].name = name
                accumulator.capture!.toolCalls[slot].arguments += item.arguments ?? ""
            }
        case "response.output_item.done":
            if accumulator.capture != nil, let whole = try? json.decode(ItemEnvelope.self, from: data), let item = whole.item {
                accumulator.capture!.items.append(item)
            }
        case "response.completed", "response.incomplete":
            let response = decoded.response
            if let usage = response?.usage { accumulator.usage = usage.parsed }
            accumulator.take(decoded.timings?.value ?? response?.timings?.value)
            accumulator.finishReason = Self.finishReason(response, fallback: type == "response.completed" ? "completed" : "incomplete")
            accumulator.terminatorNs = arrivalNs
        case "response.failed":
            let apiError = decoded.response?.error?.apiError ?? APIError(type: "response.failed", message: "response failed")
            accumulator.failure = .streamError(apiError)
        case "error":
            let apiError = decoded.error?.apiError
                ?? APIError(type: decoded.code.map { _ in "error" }, code: decoded.code, message: decoded.message ?? "error event")
            accumulator.failure = .streamError(apiError)
        default:
            // A data line carrying an error object, whatever its type (the generic mid-stream error shape).
            if let apiError = decoded.error?.apiError {
                accumulator.failure = .streamError(apiError)
            }
        }
    }

    public func decode(body: [UInt8], arrivalNs: Int64, into accumulator: inout StreamAccumulator) {
        body.withUnsafeBytes { accumulator.checkModel($0) }
        let response: ResponseObject
        do {
            response = try json.decode(ResponseObject.self, from: Data(body))
        } catch {
            accumulator.failure = .malformed("response body", body)
            return
        }
        if let apiError = response.error?.apiError, response.status == "failed" || response.output == nil {
            accumulator.failure = .streamError(apiError)
            return
        }
        var answer = 0
        var reasoning = 0
        var tool = 0
        for (index, item) in (response.output ?? []).enumerated() {
            switch item.type {
            case "message":
                for part in item.content ?? [] {
                    let text = part.text ?? part.refusal ?? ""
                    answer += text.utf8.count
                    if accumulator.capture != nil { accumulator.capture!.text += text }
                }
            case "reasoning":
                for part in (item.content ?? []) + (item.summary ?? []) {
                    reasoning += part.text?.utf8.count ?? 0
                    if accumulator.capture != nil { accumulator.capture!.reasoning += part.text ?? "" }
                }
            case "function_call":
                tool += (item.name?.utf8.count ?? 0) + (item.arguments?.utf8.count ?? 0)
                if accumulator.capture != nil {
                    accumulator.capture!.toolCalls.append(CapturedToolCall(streamIndex: index, id: item.call_id ?? item.id ?? "",
                                                                           name: item.name ?? "", arguments: item.arguments ?? ""))
                }
            default:
                break
            }
        }
        if accumulator.capture != nil, let whole = try? json.decode(OutputEnvelope.self, from: Data(body)) {
            accumulator.capture!.items = whole.output ?? []
        }
        accumulator.addChunk(arrivalNs: arrivalNs, answerBytes: answer, reasoningBytes: reasoning, toolBytes: tool)
        if let usage = response.usage { accumulator.usage = usage.parsed }
        accumulator.take(response.timings?.value)
        accumulator.finishReason = Self.finishReason(response, fallback: response.status ?? "completed")
        accumulator.terminatorNs = arrivalNs
    }

    public func parseError(body: [UInt8]) -> APIError? { ErrorEnvelope.parse(body) }

    /// `completed`, or `incomplete:<reason>` (for example `incomplete:max_output_tokens`).
    static func finishReason(_ response: ResponseObject?, fallback: String) -> String {
        guard let response else { return fallback }
        if response.status == "incomplete" {
            return "incomplete" + (response.incomplete_details?.reason.map { ":" + $0 } ?? "")
        }
        return response.status ?? fallback
    }
}

/// One Responses stream event; unknown fields are ignored.
struct ResponsesEvent: Decodable {
    var type: String?
    var delta: String?
    var output_index: Int?
    var item: ResponseItem?
    var response: ResponseObject?
    /// The `error` event's own fields, or a nested error object.
    var code: String?
    var message: String?
    var error: ErrorEnvelope.ErrorPayload?
    /// llama.cpp's own timing of the request (`LlamaCppTimings`), beside or inside `response`.
    var timings: LenientTimings?

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decodeIfPresent(String.self, forKey: .type)
        delta = try? container.decodeIfPresent(String.self, forKey: .delta)
        output_index = (try? container.decodeIfPresent(LenientInt.self, forKey: .output_index))?.value
        item = try? container.decodeIfPresent(ResponseItem.self, forKey: .item)
        response = try? container.decodeIfPresent(ResponseObject.self, forKey: .response)
        if let text = try? container.decodeIfPresent(String.self, forKey: .code) {
            code = text
        } else if let number = try? container.decodeIfPresent(Double.self, forKey: .code) {
            code = String(Int(number))
        }
        message = try? container.decodeIfPresent(String.self, forKey: .message)
        error = try? container.decodeIfPresent(ErrorEnvelope.ErrorPayload.self, forKey: .error)
        timings = try? container.decodeIfPresent(LenientTimings.self, forKey: .timings)
    }

    enum CodingKeys: String, CodingKey { case type, delta, output_index, item, response, code, message, error, timings }
}

struct ResponseItem: Decodable {
    var id: String?
    var type: String?
    var call_id: String?
    var name: String?
    var arguments: String?
    var content: [Part]?
    var summary: [Part]?

    struct Part: Decodable {
        var type: String?
        var text: String?
        var refusal: String?
    }
}

struct ResponseObject: Decodable {
    var status: String?
    var output: [ResponseItem]?
    var usage: ResponsesUsage?
    var error: ErrorEnvelope.ErrorPayload?
    var incomplete_details: IncompleteDetails?
    var timings: LenientTimings?

    struct IncompleteDetails: Decodable {
        var reason: String?
    }
}

/// The raw item of `response.output_item.done`, kept to send back verbatim.
private struct ItemEnvelope: Decodable {
    var item: JSONValue?
}

private struct OutputEnvelope: Decodable {
    var output: [JSONValue]?
}

/// Responses usage with SambaNova's server-side figures (output_* names).
struct ResponsesUsage: Decodable {
    var input_tokens: LenientInt?
    var output_tokens: LenientInt?
    var input_tokens_details: Details?
    var output_tokens_details: Details?
    var time_to_first_token: Double?
    var total_latency: Double?
    var output_tokens_per_sec: Double?
    var output_tokens_after_first_per_sec: Double?
    var total_tokens_per_sec: Double?
    var start_time: Double?
    var end_time: Double?
    var acceptance_rate: Double?

    struct Details: Decodable {
        var cached_tokens: LenientInt?
        var reasoning_tokens: LenientInt?
    }

    var parsed: ParsedUsage {
        ParsedUsage(
            inputTokens: input_tokens?.value, outputTokens: output_tokens?.value,
            reasoningTokens: output_tokens_details?.reasoning_tokens?.value,
            cachedTokens: input_tokens_details?.cached_tokens?.value,
            server: ServerUsage(
                timeToFirstToken: time_to_first_token, totalLatency: total_latency,
                completionTokensPerSec: output_tokens_per_sec,
                completionTokensAfterFirstPerSec: output_tokens_after_first_per_sec,
                totalTokensPerSec: total_tokens_per_sec, startTime: start_time, endTime: end_time,
                acceptanceRate: acceptance_rate))
    }
}
