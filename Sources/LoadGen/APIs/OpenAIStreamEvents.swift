/// What every OpenAI-shaped stream (Chat Completions, text completions) reads alike (docs/wire-formats.md): the
/// `[DONE]` terminator, keep-alives with empty data, `error` / `error_event` events, and the model that answered.
enum OpenAIStreamEvents {
    /// Counts the event, and reads it when it is one of those; true when nothing is left for the API's own decoder.
    @inline(__always)
    static func handled(_ event: SSEEvent, arrivalNs: Int64, into accumulator: inout StreamAccumulator) -> Bool {
        accumulator.events += 1
        if event.dataIs("[DONE]") {
            accumulator.terminatorNs = arrivalNs
            return true
        }
        // An event with empty data carries nothing (a keep-alive).
        if event.data.isEmpty { return true }
        accumulator.checkModel(event.data)
        if event.typeIs("error") || event.typeIs("error_event") {
            let apiError = ErrorEnvelope.parse(Array(event.data)) ?? APIError(message: "error event")
            accumulator.failure = .streamError(apiError)
            return true
        }
        return false
    }
}
