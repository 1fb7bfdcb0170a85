import Synchronization

/// Numbers the requests the mock receives, so each one's output is reproducible from the seed.
/// Also counts the streams it finished writing, for `GET /v1/mock/stats`.
final class RequestCounter: Sendable {
    private let value = Atomic<UInt64>(0)
    private let finished = Atomic<UInt64>(0)

    func next() -> UInt64 { value.wrappingAdd(1, ordering: .relaxed).newValue }

    func streamFinished() { finished.wrappingAdd(1, ordering: .relaxed) }

    /// `{"received": N, "streams_finished": M}`: requests numbered so far, and streams written to their terminator.
    var statsJSON: String {
        #"{"received":\#(value.load(ordering: .relaxed)),"streams_finished":\#(finished.load(ordering: .relaxed))}"#
    }
}
