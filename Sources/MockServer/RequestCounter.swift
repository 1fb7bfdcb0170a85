import Synchronization

/// Numbers the requests the mock receives, so each one's output is reproducible from the seed.
/// Also counts the streams it finished writing, for `GET /v1/mock/stats`.
final class RequestCounter: Sendable {
    private let value = Atomic<UInt64>(0)
    private let finished = Atomic<UInt64>(0)
    /// Prompt and output tokens of the answers written whole (`/metrics`, `MockMetrics`).
    let promptTokens = Atomic<UInt64>(0)
    let outputTokens = Atomic<UInt64>(0)
    let answered = Atomic<UInt64>(0)

    func next() -> UInt64 { value.wrappingAdd(1, ordering: .relaxed).newValue }

    func streamFinished() { finished.wrappingAdd(1, ordering: .relaxed) }

    /// An answer written to its end (a stream to its terminator, a body whole): its tokens join the counters.
    func answerWritten(promptTokens prompt: Int, outputTokens output: Int) {
        promptTokens.wrappingAdd(UInt64(max(prompt, 0)), ordering: .relaxed)
        outputTokens.wrappingAdd(UInt64(max(output, 0)), ordering: .relaxed)
        answered.wrappingAdd(1, ordering: .relaxed)
    }

    /// `{"received": N, "streams_finished": M}`: requests numbered so far, and streams written to their terminator.
    var statsJSON: String {
        #"{"received":\#(value.load(ordering: .relaxed)),"streams_finished":\#(finished.load(ordering: .relaxed))}"#
    }
}
