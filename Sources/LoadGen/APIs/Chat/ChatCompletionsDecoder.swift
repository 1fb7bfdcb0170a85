import Foundation

/// Reads Chat Completions streams and bodies (docs/wire-formats.md: Chat Completions, Errors).
///
/// A chunk's generated text is `delta.content` (answer), `delta.reasoning` or `delta.reasoning_content`
/// (reasoning) and tool-call names and argument fragments (tool). Role-only and empty deltas carry no tokens.
public struct ChatCompletionsDecoder: StreamDecoder {
    private let json = JSONDecoder()
    /// Read plain chunks with `ChatFastChunk` (off only to compare it with `JSONDecoder` in tests and benchmarks).
    let fastPath: Bool

    public init() {
        self.init(fastPath: true)
    }

    init(fastPath: Bool) {
        self.fastPath = fastPath
    }

    public func decode(event: SSEEvent, arrivalNs: Int64, into accumulator: inout StreamAccumulator) {
        if OpenAIStreamEvents.handled(event, arrivalNs: arrivalNs, into: &accumulator) { return }
        // Most events are plain chunks: read in place, without Foundation. Captured answers need the text itself.
        if fastPath, accumulator.capture == nil, let chunk = ChatFastChunk.read(event.data) {
            if let reason = chunk.finishReason { accumulator.finishReason = reason }
            accumulator.addChunk(arrivalNs: arrivalNs, answerBytes: chunk.answerBytes, reasoningBytes: chunk.reasoningBytes,
                                 toolBytes: chunk.toolBytes)
            return
        }
        guard let chunk = decodeChunk(Data(event.data), what: "chat event", into: &accumulator) else { return }
        apply(chunk, arrivalNs: arrivalNs, into: &accumulator)
    }

    public func decode(body: [UInt8], arrivalNs: Int64, into accumulator: inout StreamAccumulator) {
        body.withUnsafeBytes { accumulator.checkModel($0) }
        guard let chunk = decodeChunk(Data(body), what: "chat completion body", into: &accumulator) else { return }
        apply(chunk, arrivalNs: arrivalNs, into: &accumulator)
        // A whole body is its own terminator.
        accumulator.terminatorNs = arrivalNs
    }

    /// The chunk, or nil after recording why there is none (undecodable JSON, or an error object in it).
    private func decodeChunk(_ data: Data, what: String, into accumulator: inout StreamAccumulator) -> ChatChunk? {
        let chunk: ChatChunk
        do {
            chunk = try json.decode(ChatChunk.self, from: data)
        } catch {
            accumulator.failure = .malformed(what, data)
            return nil
        }
        if let apiError = chunk.error?.apiError {
            accumulator.failure = .streamError(apiError)
            return nil
        }
        return chunk
    }

    public func parseError(body: [UInt8]) -> APIError? { ErrorEnvelope.parse(body) }

    private func apply(_ chunk: ChatChunk, arrivalNs: Int64, into accumulator: inout StreamAccumulator) {
        var answer = 0
        var reasoning = 0
        var tool = 0
        for choice in chunk.choices ?? [] {
            if let delta = choice.delta ?? choice.message {
                answer += delta.content?.utf8.count ?? 0
                reasoning += (delta.reasoning?.utf8.count ?? 0) + (delta.reasoning_content?.utf8.count ?? 0)
                for call in delta.tool_calls ?? [] {
                    tool += (call.function?.name?.utf8.count ?? 0) + (call.function?.arguments?.utf8.count ?? 0)
                }
                if accumulator.capture != nil, (choice.index ?? 0) == 0 { capture(delta, into: &accumulator.capture!) }
            }
            if let reason = choice.finish_reason { accumulator.finishReason = reason }
        }
        accumulator.addChunk(arrivalNs: arrivalNs, answerBytes: answer, reasoningBytes: reasoning, toolBytes: tool)
        if let usage = chunk.usage { accumulator.usage = usage.parsed }
        accumulator.take(chunk.timings?.value)
    }

    /// Keeps the first choice's text, reasoning and tool calls (fragments joined by the call's `index`).
    private func capture(_ delta: ChatChunk.Delta, into output: inout CapturedOutput) {
        if let text = delta.content { output.text += text }
        if let text = delta.reasoning { output.reasoning += text }
        if let text = delta.reasoning_content { output.reasoning += text }
        for (position, call) in (delta.tool_calls ?? []).enumerated() {
            let slot = output.toolCall(at: call.index ?? position)
            if let id = call.id, !id.isEmpty { output.toolCalls[slot].id = id }
            if let name = call.function?.name { output.toolCalls[slot].name += name }
            if let arguments = call.function?.arguments { output.toolCalls[slot].arguments += arguments }
        }
    }
}

/// A `chat.completion.chunk` (or a whole `chat.completion`); unknown fields are ignored.
struct ChatChunk: Decodable {
    var choices: [Choice]?
    var usage: ChatUsage?
    var error: ErrorEnvelope.ErrorPayload?
    /// llama.cpp's own timing of the request (`LlamaCppTimings`).
    var timings: LenientTimings?

    struct Choice: Decodable {
        var index: Int?
        var delta: Delta?
        var message: Delta?
        var finish_reason: String?
    }

    struct Delta: Decodable {
        var content: String?
        var reasoning: String?
        var reasoning_content: String?
        var tool_calls: [ToolCall]?
    }

    struct ToolCall: Decodable {
        var index: Int?
        var id: String?
        var function: Function?
        struct Function: Decodable {
            var name: String?
            var arguments: String?
        }
    }
}

/// Chat usage with SambaNova's server-side figures.
struct ChatUsage: Decodable {
    var prompt_tokens: LenientInt?
    var completion_tokens: LenientInt?
    var prompt_tokens_details: Details?
    var completion_tokens_details: Details?
    var time_to_first_token: Double?
    var total_latency: Double?
    var completion_tokens_per_sec: Double?
    var completion_tokens_after_first_per_sec: Double?
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
            inputTokens: prompt_tokens?.value,
            outputTokens: completion_tokens?.value,
            reasoningTokens: completion_tokens_details?.reasoning_tokens?.value,
            cachedTokens: prompt_tokens_details?.cached_tokens?.value,
            server: ServerUsage(
                timeToFirstToken: time_to_first_token, totalLatency: total_latency,
                completionTokensPerSec: completion_tokens_per_sec,
                completionTokensAfterFirstPerSec: completion_tokens_after_first_per_sec,
                totalTokensPerSec: total_tokens_per_sec, startTime: start_time, endTime: end_time,
                acceptanceRate: acceptance_rate))
    }
}
