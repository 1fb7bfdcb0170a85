import Foundation

/// Reads text completions streams and bodies (docs/wire-formats.md: Text completions, Errors).
///
/// A chunk's generated text is `choices[].text` (answer; there is no separate reasoning or tool channel). Chunks with
/// empty text carry no tokens. As in chat, a last chunk with empty `choices` carries the usage with SambaNova's
/// timings, `data: [DONE]` ends the stream, and an `error` event or an `error` object is an in-stream error. A choice
/// shaped like chat's (`delta.content` or `message.content`, as in the published examples of this endpoint) is read
/// as its text too.
public struct CompletionsDecoder: StreamDecoder {
    private let json = JSONDecoder()
    /// Read plain chunks with `CompletionsFastChunk` (off only to compare it with `JSONDecoder` in tests and
    /// benchmarks).
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
        if fastPath, accumulator.capture == nil, let chunk = CompletionsFastChunk.read(event.data) {
            if let reason = chunk.finishReason { accumulator.finishReason = reason }
            accumulator.addChunk(arrivalNs: arrivalNs, answerBytes: chunk.textBytes, reasoningBytes: 0, toolBytes: 0)
            return
        }
        guard let chunk = decodeChunk(Data(event.data), what: "completions event", into: &accumulator) else { return }
        apply(chunk, arrivalNs: arrivalNs, into: &accumulator)
    }

    public func decode(body: [UInt8], arrivalNs: Int64, into accumulator: inout StreamAccumulator) {
        body.withUnsafeBytes { accumulator.checkModel($0) }
        guard let chunk = decodeChunk(Data(body), what: "completion body", into: &accumulator) else { return }
        apply(chunk, arrivalNs: arrivalNs, into: &accumulator)
        // A whole body is its own terminator.
        accumulator.terminatorNs = arrivalNs
    }

    public func parseError(body: [UInt8]) -> APIError? { ErrorEnvelope.parse(body) }

    /// The chunk, or nil after recording why there is none (undecodable JSON, or an error object in it).
    private func decodeChunk(_ data: Data, what: String, into accumulator: inout StreamAccumulator) -> CompletionChunk? {
        let chunk: CompletionChunk
        do {
            chunk = try json.decode(CompletionChunk.self, from: data)
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

    private func apply(_ chunk: CompletionChunk, arrivalNs: Int64, into accumulator: inout StreamAccumulator) {
        var answer = 0
        for choice in chunk.choices ?? [] {
            let text = choice.text ?? choice.delta?.content ?? choice.message?.content
            answer += text?.utf8.count ?? 0
            if let text, accumulator.capture != nil, (choice.index ?? 0) == 0 { accumulator.capture!.text += text }
            if let reason = choice.finish_reason { accumulator.finishReason = reason }
        }
        accumulator.addChunk(arrivalNs: arrivalNs, answerBytes: answer, reasoningBytes: 0, toolBytes: 0)
        if let usage = chunk.usage { accumulator.usage = usage.parsed }
        accumulator.take(chunk.timings?.value)
    }
}

/// A text completion chunk (or a whole completion); unknown fields are ignored. The usage is chat's.
struct CompletionChunk: Decodable {
    var choices: [Choice]?
    var usage: ChatUsage?
    /// llama.cpp's own timing of the request (`LlamaCppTimings`).
    var timings: LenientTimings?
    var error: ErrorEnvelope.ErrorPayload?

    struct Choice: Decodable {
        var index: Int?
        var text: String?
        /// Chat-shaped choices, as this endpoint's published examples show them.
        var delta: Content?
        var message: Content?
        var finish_reason: String?
    }

    struct Content: Decodable {
        var content: String?
    }
}
